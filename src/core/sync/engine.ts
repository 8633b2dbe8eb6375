import { setTimeout as sleep } from 'node:timers/promises';
import pLimit, { type LimitFunction } from 'p-limit';
import { ExitCode, type ExitCodeValue } from '../../cli/exit-codes.js';
import type { Provider, RequestInput, SessionHandle } from '../../providers/types.js';
import { registerSecret } from '../../secrets/index.js';
import { isStorageFault } from '../../store/faults.js';
import { isoDate } from '../clock.js';
import type { Services } from '../context.js';
import { BanksyncError, NEEDS_HUMAN_CODES, toBanksyncError } from '../errors.js';
import { accountRef, connectionRef, type Account, type Connection } from '../model.js';
import { loadSession } from '../maintain-connection.js';
import { lookupInstitution } from '../institutions.js';
import { capabilitiesOf, effectiveLimits, getProvider } from '../providers.js';
import { AccountWriter, fetchAccount, fetchedAccount, type AccountFetchResult } from './account-sync.js';
import { ConnectionBudget } from './budget.js';
import { checkRefreshBudget, consentProblem, selectAccounts, type SyncTarget } from './select.js';
import { DEFAULT_OVERLAP_DAYS, planWindow, type FetchWindow } from './window.js';

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
  /**
   * How long a connection refresh that stays 'pending' is waited for (real time) before what the
   * provider already holds is fetched; default REFRESH_WAIT_MS.
   */
  refreshWaitMs?: number;
}

/** A refresh still running at the provider is polled for at most this long (real time). */
export const REFRESH_WAIT_MS = 120_000;
/** Poll interval when a pending refresh names none, and the bounds put on one it names. */
const REFRESH_POLL_MS = 2_000;
const REFRESH_POLL_MIN_MS = 250;
const REFRESH_POLL_MAX_MS = 15_000;

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
  const perDay = provider.capabilities.connectionRequestsPerDay;
  const budget = perDay === undefined ? undefined : new ConnectionBudget(s.store, c.id, perDay, s.clock, provider.displayName);
  let note: string | undefined;
  // A spent budget defers the accounts below, without a refresh that could not be sent anyway.
  if (provider.refreshConnection && !budget?.spentUntil()) {
    const refreshed = await refreshFirst(s, run, provider, session, c, accounts, budget, opts);
    if ('results' in refreshed) return refreshed.results;
    note = refreshed.note;
  }
  let out: AccountResult[];
  // A connection-level fetch has no cursor: cursor feeds fetch per account.
  if (provider.fetchConnection && provider.capabilities.feed !== 'cursor') {
    out = await syncWholeConnection(s, provider, session, c, accounts, limits, budget, opts);
  } else {
    out = [];
    for (const a of accounts) out.push(await syncOne(s, provider, session, c, a, limits, scaCode, budget, opts));
  }
  // Synced, but not from the bank just now: the person is told what the data is.
  return note ? out.map((r) => (r.result === 'synced' ? { ...r, message: note } : r)) : out;
}

/**
 * Asks the provider to refresh the connection from the bank before any account is fetched
 * (Provider.refreshConnection), once per connection per sync. 'done': fetch. 'pending': asked
 * again after pollAfterMs, for at most refreshWaitMs in all, then what the provider holds is
 * fetched with a note. 'deferred': fetched from the provider's copy with a note when fetchCached,
 * else every account is deferred to nextPossibleAt (exit 0). An error is taken as a fetch error
 * of every account of the connection (needs a human: skipped; rate limit: deferred; else failed).
 */
async function refreshFirst(
  s: Services,
  run: RunState,
  provider: Provider,
  session: SessionHandle,
  c: Connection,
  accounts: Account[],
  budget: ConnectionBudget | undefined,
  opts: SyncOptions,
): Promise<{ note?: string } | { results: AccountResult[] }> {
  const requestInput = inputAsker(s, run, c, opts);
  const listed = accounts.map(fetchedAccount);
  const waitMs = opts.refreshWaitMs ?? REFRESH_WAIT_MS;
  // Real time, not the (pinnable) clock: how long a person or a cron job waits for the bank.
  const started = Date.now();
  try {
    for (;;) {
      budget?.begin();
      let outcome;
      try {
        outcome = await provider.refreshConnection!(session, { requestInput, accounts: listed, ...(budget ? { budget } : {}) });
      } finally {
        budget?.end();
      }
      if (outcome.status === 'done') return {};
      if (outcome.status === 'deferred') {
        if (outcome.fetchCached) return { note: `${provider.displayName} did not refresh from ${c.institutionName} now (${outcome.message}): synced what it already holds` };
        const next = outcome.nextPossibleAt ?? null;
        const message = `${outcome.message}${next ? `; next refresh possible at ${next}` : ''}`;
        return { results: accounts.map((a) => deferAccount(s, a, c, next, message)) };
      }
      const pause = Math.min(REFRESH_POLL_MAX_MS, Math.max(REFRESH_POLL_MIN_MS, outcome.pollAfterMs ?? REFRESH_POLL_MS));
      const waited = Date.now() - started;
      if (waited + pause > waitMs) {
        return { note: `${c.institutionName} was still refreshing at ${provider.displayName} after ${Math.round(waited / 1000)} s: synced what ${provider.displayName} holds now (the next sync gets the rest)` };
      }
      run.progress.update(`${connectionRef(c.id)}: ${c.institutionName} is refreshing at ${provider.displayName} (${Math.round(waited / 1000)} s)…`);
      await sleep(pause);
    }
  } catch (err) {
    if (isStorageFault(err)) throw err;
    const e = toBanksyncError(err);
    const nowIso = s.clock().toISOString();
    return { results: accounts.map((a) => outcomeOfError(s, a, c, e, nowIso)) };
  }
}

/**
 * RequestInput for one connection: at a terminal, one question at a time across connections
 * (spinner stopped, masked when secret); unattended, a needs-a-human SCA_REQUIRED that skips the
 * connection's accounts with the command to run by hand.
 */
function inputAsker(s: Services, run: RunState, c: Connection, opts: SyncOptions): RequestInput {
  return async (question) => {
    if (opts.unattended || !s.prompts.interactive) {
      throw new BanksyncError('SCA_REQUIRED', `${c.institutionName} asks for ${question.label} during its refresh, so it cannot sync unattended`, {
        hint: `sync it by hand at a terminal: banksync sync ${connectionRef(c.id)}`,
      });
    }
    const answer = await run.askOneAtATime(async () => {
      // The spinner would draw over the question: it stops while the person answers.
      run.progress.stop();
      try {
        return await s.prompts.input(`${c.institutionName} (${connectionRef(c.id)}) asks: ${question.label}`, `a terminal: banksync sync ${connectionRef(c.id)}`, { secret: question.secret });
      } finally {
        run.progress = s.notify.progress(`synced ${run.done}/${run.total} account(s)`);
      }
    });
    // A one-time code or an answer to a security question: never shown in any output.
    if (question.secret && answer) registerSecret(answer);
    return answer;
  };
}

async function syncOne(
  s: Services,
  provider: Provider,
  session: SessionHandle,
  c: Connection,
  a: Account,
  limits: ReturnType<typeof effectiveLimits>,
  scaCode: string | undefined,
  budget: ConnectionBudget | undefined,
  opts: SyncOptions,
): Promise<AccountResult> {
  const now = s.clock();
  const nowIso = now.toISOString();
  const deferred = checkRefreshBudget(s, a, limits.refreshesPerDay, now);
  if (deferred) return deferAccount(s, a, c, deferred, `${c.institutionName} allows ${limits.refreshesPerDay} refresh(es) a day; next refresh possible at ${deferred}`);
  const spent = budget?.spentUntil();
  if (spent) return deferAccount(s, a, c, spent, budget!.message(spent));
  if (!(await acquireLock(s, a.id, opts.lockWaitMs ?? 3_000))) return busy(a, c);
  try {
    s.store.accounts.markSyncing(a.id, nowIso);
    const window = planAccountWindow(a, now, limits, opts);
    if (limits.refreshesPerDay !== undefined) s.store.syncState.recordRefresh(a.id, nowIso);
    budget?.begin();
    let r: AccountFetchResult;
    try {
      r = await fetchAccount({ store: s.store, provider, session, account: a, window, scaCode, now: nowIso, budget });
    } finally {
      budget?.end();
    }
    return recordSynced(s, a, c, r, window, nowIso);
  } catch (err) {
    if (isStorageFault(err)) throw err; // disk full, read-only, corrupt: the whole run stops (exit 7)
    return outcomeOfError(s, a, c, toBanksyncError(err), nowIso);
  } finally {
    s.store.locks.release(a.id);
  }
}

/**
 * For providers that answer for every account in one call (SimpleFIN /accounts): one fetch per
 * connection over the union of the accounts' windows, each page routed to its account by
 * accountExternalId and written exactly as a per-account fetch writes (gate, dedupe, pending,
 * balance, watermark, coverage). An account absent from the answer is neither removed nor
 * marked synced; a page for an account this connection does not sync is ignored (said once when
 * banksync does not know the account at all).
 */
async function syncWholeConnection(
  s: Services,
  provider: Provider,
  session: SessionHandle,
  c: Connection,
  accounts: Account[],
  limits: ReturnType<typeof effectiveLimits>,
  budget: ConnectionBudget | undefined,
  opts: SyncOptions,
): Promise<AccountResult[]> {
  const now = s.clock();
  const nowIso = now.toISOString();
  const results = new Map<number, AccountResult>();
  const ready: Account[] = [];
  for (const a of accounts) {
    const deferred = checkRefreshBudget(s, a, limits.refreshesPerDay, now);
    if (deferred) results.set(a.id, deferAccount(s, a, c, deferred, `${c.institutionName} allows ${limits.refreshesPerDay} refresh(es) a day; next refresh possible at ${deferred}`));
    else ready.push(a);
  }
  const spent = budget?.spentUntil();
  if (spent) {
    for (const a of ready) results.set(a.id, deferAccount(s, a, c, spent, budget!.message(spent)));
    return accounts.map((a) => results.get(a.id)!);
  }
  const locked: Account[] = [];
  for (const a of ready) {
    if (await acquireLock(s, a.id, opts.lockWaitMs ?? 3_000)) locked.push(a);
    else results.set(a.id, busy(a, c));
  }
  try {
    if (locked.length === 0) return accounts.map((a) => results.get(a.id)!);
    const windows = new Map(locked.map((a) => [a.id, planAccountWindow(a, now, limits, opts)]));
    const union = { from: [...windows.values()].map((w) => w.from).sort()[0]!, to: [...windows.values()].map((w) => w.to).sort().pop()! };
    const runs = new Map<string, { account: Account; window: FetchWindow; writer: AccountWriter; answered: boolean }>();
    for (const a of locked) {
      s.store.accounts.markSyncing(a.id, nowIso);
      if (limits.refreshesPerDay !== undefined) s.store.syncState.recordRefresh(a.id, nowIso);
      // The whole union was asked for every account: that is what its coverage gains (from its lock date on).
      const lockDate = effectiveLockDate(a, opts);
      const writer = new AccountWriter({ store: s.store, provider, account: a, window: union, now: nowIso, feed: 'window', ...(lockDate && lockDate > union.from ? { notBefore: lockDate } : {}) });
      runs.set(a.externalId ?? '', { account: a, window: windows.get(a.id)!, writer, answered: false });
    }
    const known = new Set(s.store.accounts.byConnection(c.id).map((a) => a.externalId));
    const unknown = new Set<string>();
    budget?.begin();
    try {
      const pages = provider.fetchConnection!(session, {
        accounts: locked.map(fetchedAccount),
        from: union.from,
        to: union.to,
        ...(budget ? { budget } : {}),
      });
      for await (const page of pages) {
        const run = runs.get(page.accountExternalId);
        if (run) {
          run.answered = true;
          run.writer.add(page);
        } else if (!known.has(page.accountExternalId)) {
          unknown.add(page.accountExternalId);
        }
        // An account of this connection that is not in this run (switched off, deferred, busy) syncs on its own.
      }
    } catch (err) {
      if (isStorageFault(err)) throw err;
      for (const r of runs.values()) {
        try {
          r.writer.abandon();
        } catch (writeErr) {
          if (isStorageFault(writeErr)) throw writeErr;
          // The page that broke the fetch cannot be written either: the error below names it.
        }
      }
      const e = toBanksyncError(err);
      for (const r of runs.values()) results.set(r.account.id, outcomeOfError(s, r.account, c, e, nowIso));
      return accounts.map((a) => results.get(a.id)!);
    } finally {
      budget?.end();
    }
    const first = [...runs.values()][0]!;
    for (const id of unknown) {
      // Said once (stored under the first account of the run, which `warnings` lists): the user chose
      // not to keep it at connect, or it is new at the provider.
      first.writer.providerNotice(`unknown-account:${id}`, `${provider.displayName} answered for account ${id} of ${connectionRef(c.id)}, which banksync does not sync: ignored (to add it, connect again: banksync update-credentials ${connectionRef(c.id)})`);
    }
    const warned = [...runs.values()].some((r) => r.writer.result.warnings.length > 0);
    for (const r of runs.values()) {
      if (!r.answered) {
        // Not removed: SimpleFIN leaves out an account whose bank it could not reach (its errors say so).
        const e = new BanksyncError('PROVIDER_ERROR', `${provider.displayName}'s answer for ${connectionRef(c.id)} did not include ${accountRef(r.account.id)} ${r.account.name}; nothing of it was changed${warned ? ` (the provider's warnings in this sync may say why)` : ''}`);
        const warnings = r.writer.result.warnings;
        results.set(r.account.id, { ...outcomeOfError(s, r.account, c, e, nowIso), ...(warnings.length ? { warnings } : {}) });
        continue;
      }
      try {
        results.set(r.account.id, recordSynced(s, r.account, c, r.writer.finish(), { ...union, limitedBy: r.window.limitedBy }, nowIso));
      } catch (err) {
        if (isStorageFault(err)) throw err;
        results.set(r.account.id, outcomeOfError(s, r.account, c, toBanksyncError(err), nowIso));
      }
    }
    return accounts.map((a) => results.get(a.id)!);
  } finally {
    for (const a of locked) s.store.locks.release(a.id);
  }
}

function planAccountWindow(a: Account, now: Date, limits: ReturnType<typeof effectiveLimits>, opts: SyncOptions): FetchWindow {
  return planWindow({
    today: isoDate(now),
    watermark: a.watermarkDate,
    lockDate: effectiveLockDate(a, opts),
    historyDays: limits.historyDays,
    overlapDays: opts.overlapDays ?? DEFAULT_OVERLAP_DAYS,
  });
}

/** The later of the account's and the global lock date: nothing before it is fetched. */
const effectiveLockDate = (a: Account, opts: SyncOptions): string | null => [a.lockDate, opts.globalLockDate].filter((d): d is string => !!d).sort().pop() ?? null;

function recordSynced(s: Services, a: Account, c: Connection, r: AccountFetchResult, window: FetchWindow, nowIso: string): AccountResult {
  s.store.accounts.recordOutcome(a.id, {
    state: 'synced', detail: null, attemptAt: nowIso, successAt: nowIso, newCount: r.newCount, pendingCount: r.pendingCount, nextRefreshAt: null,
  });
  return { ...base(a, c), result: 'synced', newCount: r.newCount, updatedCount: r.updatedCount, pendingCount: r.pendingCount, window, driftMinor: r.driftMinor, ...(r.warnings.length ? { warnings: r.warnings } : {}) };
}

/** Not now, not a failure: a daily budget is spent (or the provider said when to come back). */
function deferAccount(s: Services, a: Account, c: Connection, next: string | null, message: string): AccountResult {
  const nowIso = s.clock().toISOString();
  // Re-read (another run may have finished it); a 'syncing' no live process holds was killed: not a success.
  const cur = s.store.accounts.get(a.id) ?? a;
  const killed = cur.state === 'syncing' && !s.store.locks.isHeld(a.id, s.clock());
  s.store.accounts.recordOutcome(a.id, { state: killed ? 'not_synced' : cur.state, detail: killed ? 'the last sync was interrupted; the next sync completes it' : cur.stateDetail, attemptAt: cur.lastAttemptAt ?? nowIso, nextRefreshAt: next });
  return { ...base(a, c), result: 'deferred', ...(next ? { nextRefreshAt: next } : {}), message };
}

const busy = (a: Account, c: Connection): AccountResult => ({ ...base(a, c), result: 'busy', code: 'BUSY', message: `${accountRef(a.id)} is being synced by another banksync process` });

/**
 * What a fetch's error means for the account: a rate limit or "not ready yet" defers it, a
 * problem only a person can fix skips it (and flags the connection), anything else fails it.
 */
function outcomeOfError(s: Services, a: Account, c: Connection, e: BanksyncError, nowIso: string): AccountResult {
  if (e.code === 'RATE_LIMITED' || e.code === 'NOT_READY') {
    const next = e.retryAt ?? null;
    const message = e.code === 'NOT_READY'
      ? `the provider is still preparing data (${e.message}); ${next ? `next try after ${next}` : 'the next sync tries again'}`
      : `${e.message}${next ? `; next refresh possible at ${next}` : ''}`;
    const state = a.state === 'syncing' ? 'not_synced' : a.state;
    // Not ready yet is the news for an account never synced: status shows it.
    const detail = e.code === 'NOT_READY' && state !== 'synced' ? message : a.stateDetail;
    s.store.accounts.recordOutcome(a.id, { state, detail, attemptAt: nowIso, nextRefreshAt: next });
    return { ...base(a, c), result: 'deferred', code: e.code, nextRefreshAt: next ?? undefined, message };
  }
  if (NEEDS_HUMAN_CODES.has(e.code)) {
    if (e.code !== 'SCA_REQUIRED') s.store.connections.setStatus(c.id, 'needs_human', e.message, nowIso);
    return recordSkip(s, a, c, withRenewHint(e, c));
  }
  return recordFailure(s, a, c, e);
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
