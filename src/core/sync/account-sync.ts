import type { Provider, ProviderPending, SessionHandle, TransactionPage } from '../../providers/types.js';
import type { Store } from '../../store/index.js';
import type { Account } from '../model.js';
import { OrdinalCounter, pendingKey, toRow } from './dedupe.js';
import { matchPending } from './pending-link.js';
import { addDays } from '../clock.js';
import { clampToToday } from '../line-checks.js';
import { LineGate } from './line-gate.js';
import type { FetchWindow } from './window.js';

/** Lines written per SQLite transaction during a fetch (whole provider pages). */
export const WRITE_BATCH_LINES = 5_000;

export interface AccountFetchResult {
  newCount: number;
  updatedCount: number;
  removedCount: number;
  pendingCount: number;
  pages: number;
  driftMinor: number | null;
  /** Lines quarantined or kept twice, one sentence each (also stored in input_issues). */
  warnings: string[];
}

/**
 * Fetches one account's window and writes it. Whole pages are written in batches, each one SQLite
 * transaction, so a crash keeps whole pages only; the last batch, the watermark, coverage, pending
 * snapshot and balance check commit together, only after the whole fetch succeeded. A re-run after a crash
 * fetches the same window again and the dedupe ladder turns the repeated pages into no-ops.
 */
export async function fetchAccount(opts: {
  store: Store;
  provider: Provider;
  session: SessionHandle;
  account: Account;
  window: FetchWindow;
  scaCode?: string;
  now: string;
}): Promise<AccountFetchResult> {
  const { store, account, now } = opts;
  const useIds = account.stableIds;
  const ordinals = new OrdinalCounter();
  const source = `provider:${opts.provider.id}`;
  const pending: ProviderPending[] = [];
  const linkedByRef = new Map<string, string>();
  let balance: { amountMinor: number; date: string } | undefined;
  const gate = new LineGate(store, account, source, now);
  const result: AccountFetchResult = { newCount: 0, updatedCount: 0, removedCount: 0, pendingCount: 0, pages: 0, driftMinor: null, warnings: gate.warnings };

  const pages = opts.provider.fetchTransactions(opts.session, {
    account: { externalId: account.externalId ?? '', institutionId: account.institutionId },
    from: opts.window.from,
    to: opts.window.to,
    scaCode: opts.scaCode,
  });
  // Pages are written in batches of whole pages: one SQLite transaction per batch instead of per
  // page (a provider page may be 100 lines), because each commit rewrites every index page it
  // touched and provider ids land all over the index. A failure writes what was buffered first;
  // a crash loses only unwritten pages, which the next run fetches again (the watermark has not moved).
  let buffer: TransactionPage[] = [];
  let buffered = 0;
  const writeRows = () => {
    for (const page of buffer) {
      for (const r of page.rejected ?? []) gate.rejected(r);
      for (const raw of page.booked) {
        const t = gate.booked(raw);
        if (!t) continue;
        const row = toRow(account.id, t, useIds, ordinals, source);
        const outcome = store.transactions.write(row, now);
        if (outcome === 'inserted') result.newCount++;
        else if (outcome === 'updated') result.updatedCount++;
        if (t.pendingRef) linkedByRef.set(`x:${t.pendingRef}`, row.id);
      }
      if (page.removedExternalIds?.length) {
        result.removedCount += store.transactions.markRemoved(account.id, page.removedExternalIds, now);
      }
    }
    buffer = [];
    buffered = 0;
  };
  try {
    for await (const page of pages) {
      buffer.push(page);
      buffered += page.booked.length + 1;
      if (buffered >= WRITE_BATCH_LINES) store.tx(writeRows);
      if (page.pending) pending.push(...page.pending);
      if (page.balance) balance = page.balance;
      result.pages++;
    }
  } catch (err) {
    if (buffer.length) store.tx(writeRows);
    throw err;
  }

  // The last lines and the bookkeeping in one commit: most fetches are a single small batch, and
  // every commit rewrites the index pages it touched (a large sync's main SQLite cost).
  store.tx(() => {
    writeRows();
    const acceptedPending = pending.map((p) => gate.pending(p)).filter((p): p is ProviderPending => p !== null);
    applyPending(store, account, acceptedPending, linkedByRef, useIds, now);
    result.pendingCount = store.pending.countOpen(account.id);
    if (balance) result.driftMinor = checkBalance(store, account, balance, now);
    store.syncState.addCoverage(account.id, { from: opts.window.from, to: opts.window.to });
    // Never past today: a line the bank books ahead must not make the next window start after it.
    store.accounts.setWatermark(account.id, clampToToday(store.transactions.latestBookingDate(account.id), now.slice(0, 10)));
  });
  return result;
}

/** Records the pending snapshot, then resolves lines that left it: booked (linked) or vanished. */
function applyPending(
  store: Store,
  account: Account,
  snapshot: ProviderPending[],
  linkedByRef: Map<string, string>,
  useIds: boolean,
  now: string,
): void {
  const ordinals = new OrdinalCounter();
  const seen = new Set<string>();
  for (const p of snapshot) {
    const key = pendingKey(p, useIds, ordinals);
    seen.add(key);
    store.pending.upsert(
      { accountId: account.id, dedupeKey: key, externalId: p.externalId ?? null, date: p.date, amountMinor: p.amountMinor, currency: p.currency, payee: p.payee ?? null, memo: p.memo ?? null },
      now,
    );
  }
  const taken = store.pending.linkedTransactionIds(account.id);
  for (const p of store.pending.open(account.id)) {
    const byRef = linkedByRef.get(p.dedupeKey);
    if (byRef && !taken.has(byRef)) {
      store.pending.link(p.rowId, byRef);
      taken.add(byRef);
      continue;
    }
    if (seen.has(p.dedupeKey)) continue; // still pending at the bank
    const candidates = store.transactions.inWindow(account.id, addDays(p.date, -1), addDays(p.date, 10));
    const match = matchPending(p, candidates, taken);
    if (match) {
      store.pending.link(p.rowId, match.id);
      taken.add(match.id);
    } else {
      store.pending.markVanished(p.rowId);
    }
  }
}

/**
 * Anchors the opening balance on the first provider balance, then reports drift: the provider's
 * balance minus ours. Non-zero drift means a line is missing or doubled (shown by status).
 */
function checkBalance(store: Store, account: Account, balance: { amountMinor: number; date: string }, now: string): number {
  store.syncState.recordBalance(account.id, balance.date, balance.amountMinor, now);
  const sum = store.transactions.sumThrough(account.id, balance.date);
  const fresh = store.accounts.get(account.id);
  const opening = fresh?.openingBalanceMinor ?? balance.amountMinor - sum;
  const drift = balance.amountMinor - (opening + sum);
  store.accounts.setBalanceCheck(account.id, opening, drift);
  return drift;
}
