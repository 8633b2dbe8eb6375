import { setTimeout as sleep } from 'node:timers/promises';
import pLimit, { type LimitFunction } from 'p-limit';
import { ExitCode, type ExitCodeValue } from '../../cli/exit-codes.js';
import type { Provider, SessionHandle } from '../../providers/types.js';
import { isStorageFault } from '../../store/faults.js';
import { isoDate } from '../clock.js';
import type { Services } from '../context.js';
import { BanksyncError, NEEDS_HUMAN_CODES, toBanksyncError } from '../errors.js';
import { accountRef, connectionRef, type Account, type Connection } from '../model.js';
import { loadSession } from '../maintain-connection.js';
import { lookupInstitution } from '../institutions.js';
import { capabilitiesOf, effectiveLimits, getProvider } from '../providers.js';
import { fetchAccount } from './account-sync.js';
import { checkRefreshBudget, consentProblem, selectAccounts, type SyncTarget } from './select.js';
import { DEFAULT_OVERLAP_DAYS, planWindow } from './window.js';

export type AccountResultKind = 'synced' | 'skipped' | 'failed' | 'deferred' | 'busy';

export interface AccountResult {
  account: string;
  connection: string | null;
  institution: string;
  name: string;
  result: AccountResultKind;
  newCount?: number;
  updatedCount?: number;
  pendingCount?: number;
  window?: { from: string; to: string; limitedBy: string | null };
  driftMinor?: number | null;
  code?: string;
  message?: string;
  hint?: string;
  ref?: string;
  nextRefreshAt?: string;
  /** Lines quarantined or kept twice in this sync, newly found (all are listed by `status`). */
  warnings?: string[];
}

export interface SyncOptions {
  target: SyncTarget;
  /** cron/systemd: never prompt, skip what needs a person. */
  unattended: boolean;
  scaCode?: string;
  overlapDays?: number;
  /** Global lock date (config lock-date): nothing before it is fetched, whatever the account says. */
  globalLockDate?: string;
  /** How long to wait for an account another process is syncing. */
  lockWaitMs?: number;
  /** Requests in flight per provider (config `concurrency`); default: each provider's own limit. */
  concurrency?: number;
}

export interface SyncReport {
  accounts: AccountResult[];
  exitCode: ExitCodeValue;
}

/**
 * Syncs the selected accounts; one failure never stops the others. Connections of one provider
 * run side by side, and every request to it goes through one client that never has more in
 * flight than the provider's concurrency limit (M14). The accounts of one connection
 * run one after the other: they share a session (and Ponto's rotating token). All SQLite writes
 * are synchronous transactions, so interleaved connections never see each other's half-writes.
 */
export async function sync(s: Services, opts: SyncOptions): Promise<SyncReport> {
  s.store.ensureIntact(); // never write into a file SQLite reports corrupt
  const selected = selectAccounts(s, opts.target);
  const byConnection = new Map<number, Account[]>();
  for (const a of selected.accounts) {
    if (a.connectionId === null) continue;
    byConnection.set(a.connectionId, [...(byConnection.get(a.connectionId) ?? []), a]);
  }
  const run: RunState = {
    providers: new Map(),
    pools: new Map(),
    askOneAtATime: pLimit(1),
    progress: s.notify.progress(`syncing ${selected.accounts.length} account(s)`),
    done: 0,
    total: selected.accounts.length,
  };
  try {
    const settled = await Promise.allSettled(
      [...byConnection].map(([connectionId, accounts]) => {
        const connection = s.store.connections.get(connectionId)!;
        return poolFor(run, connection.providerId, opts)(() => syncConnection(s, run, connection, accounts, opts));
      }),
    );
    // An unexpected error (a prompt abandoned) surfaces only once the others have finished writing.
    const crashed = settled.find((r) => r.status === 'rejected');
    if (crashed) throw crashed.reason;
    // Reported in connection order, whatever order they finished in.
    const results = [...selected.skipped, ...settled.flatMap((r) => (r.status === 'fulfilled' ? r.value : []))];
    return { accounts: results, exitCode: exitCodeFor(results) };
  } finally {
    run.progress.stop();
  }
}

/** What the connections of one run share. */
interface RunState {
  /** One instance per provider: one app token, one limit on requests in flight. */
  providers: Map<string, Promise<{ provider?: Provider; error?: BanksyncError }>>;
  /** How many connections of a provider sync at once. */
  pools: Map<string, LimitFunction>;
  /** Prompts (SCA codes) are asked one at a time, with the spinner stopped. */
  askOneAtATime: LimitFunction;
  progress: ReturnType<Services['notify']['progress']>;
  done: number;
  total: number;
}

/** One provider instance per run, loaded on first use; `sync --concurrency` goes to it, not to its capabilities. */
async function providerFor(s: Services, run: RunState, id: string, opts: SyncOptions): Promise<Provider> {
  let entry = run.providers.get(id);
  if (!entry) {
    entry = getProvider(s, id, { maxConcurrentRequests: opts.concurrency }).then(
      (provider) => ({ provider }),
      (err: unknown) => ({ error: toBanksyncError(err) }),
    );
    run.providers.set(id, entry);
  }
  const got = await entry;
  if (got.error) throw got.error;
  return got.provider!;
}

function poolFor(run: RunState, providerId: string, opts: SyncOptions): LimitFunction {
  let pool = run.pools.get(providerId);
  if (!pool) {
    let size = Math.max(1, opts.concurrency ?? 1);
    try {
      size = opts.concurrency ?? capabilitiesOf(providerId).maxConcurrentRequests;
    } catch {
      // The connections report the provider's error one by one.
    }
    // Twice as many connections as requests allowed in flight: while some connections write what
    // they fetched, the others' requests wait at the provider's limiter, so it never runs dry.
    // The limiter in the provider's HTTP client keeps the requests themselves within the limit.
    pool = pLimit(size <= 1 ? 1 : size * 2);
    run.pools.set(providerId, pool);
  }
  return pool;
}

export function exitCodeFor(results: AccountResult[]): ExitCodeValue {
  if (results.some((r) => r.result === 'failed')) return ExitCode.PARTIAL_FAILURE;
  if (results.some((r) => r.result === 'skipped' && r.code && NEEDS_HUMAN_CODES.has(r.code as never))) return ExitCode.NEEDS_HUMAN;
  if (results.some((r) => r.result === 'busy')) return ExitCode.BUSY;
  return ExitCode.OK;
}

const base = (a: Account, c: Connection): Pick<AccountResult, 'account' | 'connection' | 'institution' | 'name'> => ({
  account: accountRef(a.id),
  connection: connectionRef(c.id),
  institution: c.institutionName,
  name: a.name,
});

async function syncConnection(s: Services, run: RunState, c: Connection, accounts: Account[], opts: SyncOptions): Promise<AccountResult[]> {
  const results = await syncConnectionAccounts(s, run, c, accounts, opts);
  run.done += accounts.length;
  run.progress.update(`synced ${run.done}/${run.total} account(s)`);
  return results;
}

async function syncConnectionAccounts(s: Services, run: RunState, c: Connection, accounts: Account[], opts: SyncOptions): Promise<AccountResult[]> {
  const now = s.clock();
  const blocked = consentProblem(c, now);
  if (blocked) {
    if (blocked.code === 'CONSENT_EXPIRED' && c.status === 'active') {
      s.store.connections.setStatus(c.id, 'needs_human', blocked.message, now.toISOString());
    }
    return accounts.map((a) => recordSkip(s, a, c, blocked));
  }
  let provider: Provider;
  let session: SessionHandle;
  try {
    provider = await providerFor(s, run, c.providerId, opts);
    session = loadSession(s, c);
  } catch (err) {
    const e = toBanksyncError(err);
    return accounts.map((a) => (NEEDS_HUMAN_CODES.has(e.code) ? recordSkip(s, a, c, e) : recordFailure(s, a, c, e)));
  }
  // Limits only: an unreachable catalogue must not stop a sync that could otherwise run.
  const inst = await lookupInstitution(s, provider, c.institutionId).catch(() => undefined);
  const limits = effectiveLimits(provider, inst);
  let scaCode = opts.scaCode;
  if (limits.scaEveryFetch && !scaCode) {
    if (opts.unattended || !s.prompts.interactive) {
      const err = new BanksyncError('SCA_REQUIRED', `${c.institutionName} needs a fresh SCA code for every fetch, so it cannot sync unattended`, {
        hint: `sync it by hand: banksync sync ${connectionRef(c.id)} --sca-code CODE (or at a terminal), or turn its auto-sync off: banksync accounts disable ${accounts.map((a) => accountRef(a.id)).join(' ')}`,
      });
      return accounts.map((a) => recordSkip(s, a, c, err));
    }
    scaCode = await run.askOneAtATime(async () => {
      // The spinner would draw over the question: it stops while the person answers.
      run.progress.stop();
      try {
        return await s.prompts.input(`SCA code sent by ${c.institutionName}`, '--sca-code', { secret: true });
      } finally {
        run.progress = s.notify.progress(`synced ${run.done}/${run.total} account(s)`);
      }
    });
  }
  const out: AccountResult[] = [];
  for (const a of accounts) {
    out.push(await syncOne(s, provider, session, c, a, limits, scaCode, opts));
  }
  return out;
}

async function syncOne(
  s: Services,
  provider: Provider,
  session: SessionHandle,
  c: Connection,
  a: Account,
  limits: ReturnType<typeof effectiveLimits>,
  scaCode: string | undefined,
  opts: SyncOptions,
): Promise<AccountResult> {
  const now = s.clock();
  const nowIso = now.toISOString();
  const deferred = checkRefreshBudget(s, a, limits.refreshesPerDay, now);
  if (deferred) {
    // Re-read (another run may have finished it); a 'syncing' no live process holds was killed: not a success.
    const cur = s.store.accounts.get(a.id) ?? a;
    const killed = cur.state === 'syncing' && !s.store.locks.isHeld(a.id, now);
    s.store.accounts.recordOutcome(a.id, { state: killed ? 'not_synced' : cur.state, detail: killed ? 'the last sync was interrupted; the next sync completes it' : cur.stateDetail, attemptAt: cur.lastAttemptAt ?? nowIso, nextRefreshAt: deferred });
    return { ...base(a, c), result: 'deferred', nextRefreshAt: deferred, message: `${c.institutionName} allows ${limits.refreshesPerDay} refresh(es) a day; next refresh possible at ${deferred}` };
  }
  if (!(await acquireLock(s, a.id, opts.lockWaitMs ?? 3_000))) {
    return { ...base(a, c), result: 'busy', code: 'BUSY', message: `${accountRef(a.id)} is being synced by another banksync process` };
  }
  try {
    s.store.accounts.markSyncing(a.id, nowIso);
    const window = planWindow({
      today: isoDate(now),
      watermark: a.watermarkDate,
      lockDate: [a.lockDate, opts.globalLockDate].filter((d): d is string => !!d).sort().pop() ?? null,
      historyDays: limits.historyDays,
      overlapDays: opts.overlapDays ?? DEFAULT_OVERLAP_DAYS,
    });
    if (limits.refreshesPerDay !== undefined) s.store.syncState.recordRefresh(a.id, nowIso);
    const r = await fetchAccount({
      store: s.store, provider, session, account: a, window, scaCode, now: nowIso,
    });
    s.store.accounts.recordOutcome(a.id, {
      state: 'synced', detail: null, attemptAt: nowIso, successAt: nowIso, newCount: r.newCount, pendingCount: r.pendingCount, nextRefreshAt: null,
    });
    return { ...base(a, c), result: 'synced', newCount: r.newCount, updatedCount: r.updatedCount, pendingCount: r.pendingCount, window, driftMinor: r.driftMinor, ...(r.warnings.length ? { warnings: r.warnings } : {}) };
  } catch (err) {
    if (isStorageFault(err)) throw err; // disk full, read-only, corrupt: the whole run stops (exit 7)
    const e = toBanksyncError(err);
    if (e.code === 'RATE_LIMITED') {
      const next = e.retryAt ?? null;
      s.store.accounts.recordOutcome(a.id, { state: a.state === 'syncing' ? 'not_synced' : a.state, detail: a.stateDetail, attemptAt: nowIso, nextRefreshAt: next });
      return { ...base(a, c), result: 'deferred', nextRefreshAt: next ?? undefined, message: `${e.message}${next ? `; next refresh possible at ${next}` : ''}` };
    }
    if (NEEDS_HUMAN_CODES.has(e.code)) {
      if (e.code !== 'SCA_REQUIRED') s.store.connections.setStatus(c.id, 'needs_human', e.message, nowIso);
      return recordSkip(s, a, c, withRenewHint(e, c));
    }
    return recordFailure(s, a, c, e);
  } finally {
    s.store.locks.release(a.id);
  }
}

function withRenewHint(e: BanksyncError, c: Connection): BanksyncError {
  // Providers do not know connection ids: a hint naming update-credentials gets the exact command here.
  if (e.code === 'SCA_REQUIRED' || (e.hint && !e.hint.includes('update-credentials'))) return e;
  return new BanksyncError(e.code, e.message, { hint: `renew it: banksync update-credentials ${connectionRef(c.id)}` });
}

async function acquireLock(s: Services, accountId: number, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (s.store.locks.acquire(accountId, s.clock()) === null) return true;
    if (Date.now() >= deadline) return false;
    await sleep(200);
  }
}

function recordSkip(s: Services, a: Account, c: Connection, e: BanksyncError): AccountResult {
  const at = s.clock().toISOString();
  s.store.syncState.recordError({ ref: e.ref, at, connectionId: c.id, accountId: a.id, code: e.code, message: e.message });
  s.store.accounts.recordOutcome(a.id, { state: 'skipped', detail: e.message, errorCode: e.code, errorRef: e.ref, attemptAt: at });
  return { ...base(a, c), result: 'skipped', code: e.code, message: e.message, hint: e.hint, ref: e.ref };
}

function recordFailure(s: Services, a: Account, c: Connection, e: BanksyncError): AccountResult {
  const at = s.clock().toISOString();
  s.store.syncState.recordError({ ref: e.ref, at, connectionId: c.id, accountId: a.id, code: e.code, message: e.message });
  s.store.accounts.recordOutcome(a.id, { state: 'failed', detail: e.message, errorCode: e.code, errorRef: e.ref, attemptAt: at });
  return { ...base(a, c), result: 'failed', code: e.code, message: e.message, hint: e.hint, ref: e.ref };
}
