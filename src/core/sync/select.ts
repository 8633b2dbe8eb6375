import type { Services } from '../context.js';
import { BanksyncError, notFound } from '../../domain/errors.js';
import { accountRef, connectionRef, type Account, type Connection } from '../../domain/model.js';
import type { AccountResult } from './outcomes.js';

export type SyncTarget =
  | {
      kind: 'all';
      due: boolean;
      /** A worker's rounds: an account whose last attempt failed is due again only this long after it. */
      retryAfterMs?: number;
    }
  | { kind: 'connection'; connectionId: number }
  | { kind: 'account'; accountId: number };

/** True when an account's interval has passed since its last success (M12), and no rate limit holds. */
export function isDue(a: Account, now: Date, retryAfterMs?: number): boolean {
  return dueAt(a, retryAfterMs) <= now.getTime();
}

/**
 * When an account is next due, in ms since the epoch: its interval after its last success, not
 * before a provider's rate limit lifts, and for a worker not sooner than `retryAfterMs` after an
 * attempt that failed (a loop must not hammer a bank that answers errors; cron runs are far apart).
 */
export function dueAt(a: Account, retryAfterMs?: number): number {
  let at = a.lastSuccessAt ? Date.parse(a.lastSuccessAt) + a.syncIntervalHours * 3_600_000 : 0;
  if (a.nextRefreshAt) at = Math.max(at, Date.parse(a.nextRefreshAt));
  // Only a failure (or a skip for a person) waits retryAfterMs. An attempt cut short ('syncing'
  // left by a process killed outright) is no answer from the bank: another worker finishes it at
  // once. A deferral (a 429, data not ready) keeps the account's state and waits for the time the
  // provider gave (nextRefreshAt), however short.
  const failedLast = (a.state === 'failed' || a.state === 'skipped') && a.lastAttemptAt && (!a.lastSuccessAt || a.lastAttemptAt > a.lastSuccessAt);
  if (retryAfterMs !== undefined && failedLast) at = Math.max(at, Date.parse(a.lastAttemptAt!) + retryAfterMs);
  return at;
}

/**
 * The selected accounts of a connection still due, read again once the connection is claimed
 * (a due-only run: a worker's round, `sync --all --due`); others are returned as selected.
 */
export async function stillDue(s: Services, connectionId: number, selected: Account[], t: SyncTarget): Promise<Account[]> {
  if (t.kind !== 'all' || !t.due) return selected;
  const now = s.clock();
  const fresh = new Map((await s.db.accounts.byConnection(connectionId)).map((a) => [a.id, a]));
  return selected.flatMap((a) => {
    const f = fresh.get(a.id);
    return f?.enabled && isDue(f, now, t.retryAfterMs) ? [f] : [];
  });
}

export async function selectAccounts(s: Services, t: SyncTarget): Promise<{ accounts: Account[]; skipped: AccountResult[] }> {
  const now = s.clock();
  const skipped: AccountResult[] = [];
  const connections = new Map((await s.db.connections.list()).map((c) => [c.id, c]));
  const skip = (a: Account, c: Connection | undefined, message: string, hint: string) =>
    skipped.push({
      account: accountRef(a.id),
      connection: c ? connectionRef(c.id) : null,
      institution: c?.institutionName ?? a.institutionId,
      name: a.name,
      result: 'skipped',
      code: 'DISABLED',
      message,
      hint,
    });

  let candidates: Account[];
  if (t.kind === 'account') {
    const a = await s.db.accounts.get(t.accountId);
    if (!a) throw notFound(`no account ${accountRef(t.accountId)}`, 'list accounts with: banksync accounts');
    candidates = [a];
  } else if (t.kind === 'connection') {
    if (!connections.has(t.connectionId)) {
      throw notFound(`no connection ${connectionRef(t.connectionId)}`, 'list connections with: banksync status');
    }
    candidates = await s.db.accounts.byConnection(t.connectionId);
  } else {
    candidates = await s.db.accounts.list();
  }

  const accounts: Account[] = [];
  for (const a of candidates) {
    const c = a.connectionId === null ? undefined : connections.get(a.connectionId);
    if (!c || c.status === 'disconnected') {
      if (t.kind !== 'all') {
        skip(a, c, `${accountRef(a.id)} has no active connection`, c ? `reconnect it: banksync update-credentials ${connectionRef(c.id)}` : 'it holds imported history only');
      }
      continue;
    }
    if (!a.enabled) {
      if (t.kind !== 'all') skip(a, c, `${accountRef(a.id)} is switched off for syncing`, `switch it on: banksync accounts enable ${accountRef(a.id)}`);
      continue;
    }
    if (t.kind === 'all' && t.due && !isDue(a, now, t.retryAfterMs)) continue;
    accounts.push(a);
  }
  return { accounts, skipped };
}

/** A connection that cannot sync until a person acts, or undefined. */
export function consentProblem(c: Connection, now: Date): BanksyncError | undefined {
  if (c.consentExpiresAt && c.consentExpiresAt <= now.toISOString()) {
    return new BanksyncError('CONSENT_EXPIRED', `consent for ${connectionRef(c.id)} (${c.institutionName}) expired on ${c.consentExpiresAt.slice(0, 10)}`, {
      hint: `renew it: banksync update-credentials ${connectionRef(c.id)}`,
    });
  }
  if (c.status === 'needs_human') {
    return new BanksyncError('CREDENTIALS_INVALID', c.statusDetail ?? `${connectionRef(c.id)} (${c.institutionName}) needs new credentials`, {
      hint: `renew it: banksync update-credentials ${connectionRef(c.id)}`,
    });
  }
  return undefined;
}

/**
 * For providers that allow only a few refreshes a day (M14): the instant the next one is
 * possible when today's budget is spent, else undefined. Counted per UTC day.
 */
export async function checkRefreshBudget(s: Services, a: Account, perDay: number | undefined, now: Date): Promise<string | undefined> {
  if (perDay === undefined) return undefined;
  const dayStart = `${now.toISOString().slice(0, 10)}T00:00:00.000Z`;
  const used = await s.db.syncState.refreshesSince(a.id, dayStart);
  if (used.length < perDay) return undefined;
  const next = new Date(Date.parse(dayStart) + 86_400_000);
  return next.toISOString();
}
