import { BanksyncError } from '../../domain/errors.js';
import type { ProviderBalance, ProviderPending, ProviderTransaction, RejectedLine, TransactionPage } from '../types.js';
import type { PlaidApi } from './api.js';
import { NOT_READY_RETRY_MS, PlaidError } from './errors.js';
import { balanceOf, toLine, type Line } from './map.js';
import { TransactionsSyncResponse } from './schema.js';

/** Plaid's maximum page size for /transactions/sync. */
export const SYNC_PAGE_SIZE = 500;
/** Restarts after TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION before the account is deferred. */
const MAX_RESTARTS = 3;

interface SyncInput {
  accessToken: string;
  accountId: string;
  /** The cursor last committed for this account; undefined on the first sync. */
  cursor?: string;
  now: Date;
  today: string;
}

/**
 * One account's /transactions/sync loop, with `options.account_id` so each account has its own
 * cursor stream (the engine fetches per account and stores the cursor per account): no call
 * fetches another account's changes. The whole has_more loop becomes ONE page with the final
 * cursor, because Plaid's rule is to persist the cursor only once has_more is false and to
 * restart from the loop's first cursor on a mutation during pagination: a crash mid-loop then
 * commits nothing and the re-run starts from the same cursor.
 */
export async function syncAccount(api: PlaidApi, input: SyncInput): Promise<TransactionPage> {
  for (let restarts = 0; ; restarts++) {
    try {
      return await loop(api, input);
    } catch (err) {
      const mutated = err instanceof PlaidError && err.plaidCode === 'TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION';
      if (!mutated || restarts >= MAX_RESTARTS) throw err;
    }
  }
}

async function loop(api: PlaidApi, input: SyncInput): Promise<TransactionPage> {
  // Later pages win: a line added then modified in one loop is one added line, added then removed is gone.
  const changes = new Map<string, { change: 'added' | 'modified'; line: Line }>();
  const removed = new Set<string>();
  const rejected: RejectedLine[] = [];
  let cursor = input.cursor;
  let balance: ProviderBalance | undefined;
  for (;;) {
    const res = await api.call(TransactionsSyncResponse, 'transactions/sync', {
      access_token: input.accessToken,
      ...(cursor ? { cursor } : {}),
      count: SYNC_PAGE_SIZE,
      options: { account_id: input.accountId },
    });
    const empty = res.added.length === 0 && res.modified.length === 0 && res.removed.length === 0;
    if (res.transactions_update_status === 'NOT_READY' && empty && !res.has_more) {
      throw new BanksyncError('NOT_READY', 'Plaid: transactions_update_status NOT_READY', {
        retryAt: new Date(input.now.getTime() + NOT_READY_RETRY_MS).toISOString(),
      });
    }
    const account = res.accounts.find((a) => a.account_id === input.accountId);
    if (account) balance = balanceOf(account, input.today) ?? balance;
    for (const [change, list] of [
      ['added', res.added],
      ['modified', res.modified],
    ] as const) {
      for (const raw of list) {
        if ((raw as { account_id?: unknown } | null)?.account_id !== undefined && (raw as { account_id?: unknown }).account_id !== input.accountId) continue;
        const line = toLine(raw);
        if (line.kind === 'rejected' || !line.id) {
          rejected.push(line.line as RejectedLine);
          continue;
        }
        const before = changes.get(line.id);
        changes.set(line.id, { change: before?.change === 'added' ? 'added' : change, line });
        removed.delete(line.id);
      }
    }
    for (const r of res.removed) {
      if (r.account_id !== undefined && r.account_id !== input.accountId) continue;
      changes.delete(r.transaction_id);
      removed.add(r.transaction_id);
    }
    cursor = res.next_cursor || cursor;
    if (!res.has_more) break;
  }
  return pageOf([...changes.values()], removed, rejected, balance, cursor);
}

function pageOf(
  changes: { change: 'added' | 'modified'; line: Line }[],
  removed: Set<string>,
  rejected: RejectedLine[],
  balance: ProviderBalance | undefined,
  cursor: string | undefined,
): TransactionPage {
  const booked: ProviderTransaction[] = [];
  const modified: ProviderTransaction[] = [];
  const pending: ProviderPending[] = [];
  for (const { change, line } of changes) {
    if (line.kind === 'booked') (change === 'added' ? booked : modified).push(line.line);
    else if (line.kind === 'pending') pending.push(line.line);
  }
  // A pending line that became a posted one leaves through the posted line's pendingRef (pending lines are never booked as final),
  // not as a removal.
  const replaced = new Set(booked.map((t) => t.pendingRef).filter((x): x is string => !!x));
  // Plaid's `removed` does not say whether a line was pending: its ids are unique across both,
  // so each goes into both lists and the engine applies it where it knows the id.
  const gone = [...removed].filter((id) => !replaced.has(id));
  return {
    booked,
    pending,
    pendingMode: 'delta',
    ...(modified.length ? { modified } : {}),
    ...(gone.length ? { removedExternalIds: gone, removedPendingIds: gone } : {}),
    ...(rejected.length ? { rejected } : {}),
    ...(balance ? { balance } : {}),
    ...(cursor ? { nextCursor: cursor } : {}),
  };
}
