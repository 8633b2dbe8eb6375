import type { Services } from '../context.js';
import { BanksyncError, NEEDS_HUMAN_CODES, type ErrorCode } from '../../domain/errors.js';
import { accountRef, connectionRef, type Account, type Connection } from '../../domain/model.js';
import type { AccountFetchResult } from './account-sync.js';
import type { FetchWindow } from './window.js';

/** What a sync did to each account, and how every outcome is recorded for `status`. */

export type AccountResultKind = 'synced' | 'skipped' | 'failed' | 'deferred' | 'busy';

export interface AccountResult {
  account: string;
  connection: string | null;
  institution: string;
  name: string;
  result: AccountResultKind;
  newCount?: number;
  updatedCount?: number;
  /** Lines the bank sent that were already stored from a statement file or another provider. */
  matchedCount?: number;
  pendingCount?: number;
  window?: { from: string; to: string; limitedBy: string | null };
  driftMinor?: number | null;
  /** The account's currency (synced results): what driftMinor counts in. */
  currency?: string;
  /** The failure's error code; DISABLED for an account skipped because it or its connection is off, CLAIMED for one another worker syncs. */
  code?: ErrorCode | 'DISABLED' | 'CLAIMED';
  message?: string;
  hint?: string;
  ref?: string;
  nextRefreshAt?: string;
  /** Lines quarantined or kept twice in this sync, newly found (all are listed by `status`). */
  warnings?: string[];
  /** For a provider or bank with a daily limit: what is left of today's after this run. */
  quota?: Quota;
}

/** "2 of 4 refreshes left today for a1": per account (GoCardless) or per connection (SimpleFIN). */
export interface Quota {
  unit: 'refreshes' | 'requests';
  /** The account or connection the limit counts ("a1", "c2"). */
  of: string;
  perDay: number;
  left: number;
  /** Counted per UTC day: the instant it starts again. */
  resetsAt: string;
}

/** How a run went as a whole: a failure outweighs a person's task, which outweighs another run's lock. The CLI maps it to an exit code. */
export type RunOutcome = 'ok' | 'partial' | 'needs-human' | 'busy';

export function runOutcome(results: AccountResult[]): RunOutcome {
  if (results.some((r) => r.result === 'failed')) return 'partial';
  if (results.some((r) => r.result === 'skipped' && r.code && NEEDS_HUMAN_CODES.has(r.code as never))) return 'needs-human';
  if (results.some((r) => r.result === 'busy')) return 'busy';
  return 'ok';
}

export const base = (a: Account, c: Connection): Pick<AccountResult, 'account' | 'connection' | 'institution' | 'name'> => ({
  account: accountRef(a.id),
  connection: connectionRef(c.id),
  institution: c.institutionName,
  name: a.name,
});

export async function recordSynced(s: Services, a: Account, c: Connection, r: AccountFetchResult, window: FetchWindow, nowIso: string): Promise<AccountResult> {
  await s.db.accounts.recordOutcome(a.id, {
    state: 'synced',
    detail: null,
    attemptAt: nowIso,
    successAt: nowIso,
    newCount: r.newCount,
    pendingCount: r.pendingCount,
    nextRefreshAt: null,
  });
  return {
    ...base(a, c),
    result: 'synced',
    newCount: r.newCount,
    updatedCount: r.updatedCount,
    ...(r.matchedCount ? { matchedCount: r.matchedCount } : {}),
    pendingCount: r.pendingCount,
    window,
    driftMinor: r.driftMinor,
    currency: a.currency,
    ...(r.warnings.length ? { warnings: r.warnings } : {}),
  };
}

/** Not now, not a failure: a daily budget is spent (or the provider said when to come back). */
export async function deferAccount(s: Services, a: Account, c: Connection, next: string | null, message: string): Promise<AccountResult> {
  const nowIso = s.clock().toISOString();
  // Re-read (another run may have finished it); a 'syncing' no live process holds was killed: not a success.
  const cur = (await s.db.accounts.get(a.id)) ?? a;
  const killed = cur.state === 'syncing' && !(await s.db.locks.isHeld(a.id, s.clock()));
  await s.db.accounts.recordOutcome(a.id, {
    state: killed ? 'not_synced' : cur.state,
    detail: killed ? 'the last sync was interrupted; the next sync completes it' : cur.stateDetail,
    attemptAt: cur.lastAttemptAt ?? nowIso,
    nextRefreshAt: next,
  });
  return { ...base(a, c), result: 'deferred', ...(next ? { nextRefreshAt: next } : {}), message };
}

export const busy = (a: Account, c: Connection): AccountResult => ({ ...base(a, c), result: 'busy', code: 'BUSY', message: `${accountRef(a.id)} is being synced by another banksync process` });

/**
 * What a fetch's error means for the account: a rate limit or "not ready yet" defers it, a
 * problem only a person can fix skips it (and flags the connection), anything else fails it.
 */
export async function outcomeOfError(s: Services, a: Account, c: Connection, e: BanksyncError, nowIso: string): Promise<AccountResult> {
  if (e.code === 'RATE_LIMITED' || e.code === 'NOT_READY') {
    const next = e.retryAt ?? null;
    const message =
      e.code === 'NOT_READY'
        ? `the provider is still preparing data (${e.message}); ${next ? `next try after ${next}` : 'the next sync tries again'}`
        : `${e.message}${next ? `; next refresh possible at ${next}` : ''}`;
    const state = a.state === 'syncing' ? 'not_synced' : a.state;
    // Not ready yet is the news for an account never synced: status shows it.
    const detail = e.code === 'NOT_READY' && state !== 'synced' ? message : a.stateDetail;
    await s.db.accounts.recordOutcome(a.id, { state, detail, attemptAt: nowIso, nextRefreshAt: next });
    return { ...base(a, c), result: 'deferred', code: e.code, nextRefreshAt: next ?? undefined, message };
  }
  if (NEEDS_HUMAN_CODES.has(e.code)) {
    if (e.code !== 'SCA_REQUIRED') await s.db.connections.setStatus(c.id, 'needs_human', e.message, nowIso);
    return recordSkip(s, a, c, withRenewHint(e, c));
  }
  return recordFailure(s, a, c, e);
}

export function withRenewHint(e: BanksyncError, c: Connection): BanksyncError {
  // Providers do not know connection ids: a hint naming update-credentials gets the exact command here.
  if (e.code === 'SCA_REQUIRED' || (e.hint && !e.genericHint)) return e;
  return new BanksyncError(e.code, e.message, { hint: `renew it: banksync update-credentials ${connectionRef(c.id)}`, status: e.status, reason: e.reason });
}

export async function recordSkip(s: Services, a: Account, c: Connection, e: BanksyncError): Promise<AccountResult> {
  const at = s.clock().toISOString();
  await s.db.syncState.recordError({ ref: e.ref, at, connectionId: c.id, accountId: a.id, code: e.code, message: e.message });
  await s.db.accounts.recordOutcome(a.id, { state: 'skipped', detail: e.message, errorCode: e.code, errorRef: e.ref, attemptAt: at });
  return { ...base(a, c), result: 'skipped', code: e.code, message: e.message, hint: e.hint, ref: e.ref };
}

export async function recordFailure(s: Services, a: Account, c: Connection, e: BanksyncError): Promise<AccountResult> {
  const at = s.clock().toISOString();
  await s.db.syncState.recordError({ ref: e.ref, at, connectionId: c.id, accountId: a.id, code: e.code, message: e.message });
  await s.db.accounts.recordOutcome(a.id, { state: 'failed', detail: e.message, errorCode: e.code, errorRef: e.ref, attemptAt: at });
  return { ...base(a, c), result: 'failed', code: e.code, message: e.message, hint: e.hint, ref: e.ref };
}
