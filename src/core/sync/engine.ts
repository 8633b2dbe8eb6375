import pLimit, { type LimitFunction } from 'p-limit';
import type { Provider, SessionHandle } from '../../providers/types.js';
import { isStorageFault } from '../../store/sqlite/faults.js';
import type { Services } from '../context.js';
import { BanksyncError, NEEDS_HUMAN_CODES, toBanksyncError } from '../../domain/errors.js';
import { accountRef, connectionRef, type Account, type Connection } from '../../domain/model.js';
import { loadSession } from '../maintain-connection.js';
import { lookupInstitution } from '../institutions.js';
import { capabilitiesOf, effectiveLimits, getProvider } from '../providers.js';
import { fetchAccount } from './account-sync.js';
import { ConnectionBudget } from './budget.js';
import { withInFlightGate } from '../../providers/in-flight-gate.js';
import { sharedSlots } from './shared-slots.js';
import { base, busy, deferAccount, outcomeOfError, recordFailure, recordSkip, recordSynced, runOutcome, type AccountResult, type RunOutcome } from './outcomes.js';
import { refreshFirst } from './refresh.js';
import { acquireLock, askPerson, dailyLimitDeferral, eachOf, planAccountWindow, withBudget, type RunState, type SyncOptions } from './run-context.js';
import { consentProblem, selectAccounts, stillDue } from './select.js';
import { consentWarnings, type ConsentWarning } from './consent-warnings.js';
import { quotaOf } from './quota.js';
import { syncWholeConnection } from './whole-connection.js';
import { DEFAULT_ARCHIVE_DAYS, pruneArchive, recordingConnection } from '../archive/retention.js';
import { detectTransfers } from '../transfers/detect.js';

export type { AccountResult, AccountResultKind, Quota } from './outcomes.js';
export type { ConsentWarning } from './consent-warnings.js';
export type { SyncOptions } from './run-context.js';
export { REFRESH_WAIT_MS } from './refresh.js';

export interface SyncReport {
  accounts: AccountResult[];
  /** Consents ending within opts.consentWarnDays (or ended), of every connection: said on every run. */
  consentWarnings: ConsentWarning[];
  outcome: RunOutcome;
}

/**
 * Syncs the selected accounts; one failure never stops the others. Connections of one provider
 * run side by side, and every request to it goes through one client that never has more in
 * flight than the provider's concurrency limit (M14). The accounts of one connection
 * run one after the other: they share a session (and Ponto's rotating token). Every multi-row
 * write is one unit of work of the store, so interleaved connections never see each other's
 * half-writes; no unit is held open across a request to a provider.
 */
export async function sync(s: Services, opts: SyncOptions): Promise<SyncReport> {
  await s.db.ensureIntact(); // never write into a store that reports itself corrupt
  const archiveDays = opts.archiveDays ?? DEFAULT_ARCHIVE_DAYS;
  await pruneArchive(s.db, archiveDays, s.clock());
  const selected = await selectAccounts(s, opts.target);
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
  const claims = await claimConnections(s, byConnection, opts);
  try {
    const connections = new Map((await s.db.connections.list()).map((c) => [c.id, c]));
    const settled = await Promise.allSettled(
      [...byConnection].map(async ([connectionId, selectedAccounts]) => {
        const connection = connections.get(connectionId)!;
        if (!claims.mine.has(connectionId)) return claimedElsewhere(connection, selectedAccounts, claims.others.get(connectionId), opts);
        // Read again under the claim: another worker may have synced them between our selection
        // and our claim (it let the claim go when done), and a second sync would be one too many.
        const accounts = await stillDue(s, connectionId, selectedAccounts, opts.target);
        if (accounts.length === 0) {
          await claims.release(connectionId);
          return [];
        }
        const work = () => recordingConnection(connectionId, archiveDays, () => syncConnection(s, run, connection, accounts, opts));
        return poolFor(run, connection.providerId, opts)(() => withSharedLimit(s, connection.providerId, opts, work).finally(() => claims.release(connectionId)));
      }),
    );
    // An unexpected error (a prompt abandoned) surfaces only once the others have finished writing.
    const crashed = settled.find((r) => r.status === 'rejected');
    if (crashed) throw crashed.reason;
    // Once for the run, after every account wrote: the two legs of a transfer usually come from two
    // accounts (or connections) synced one after the other, so pairing per account would pair on
    // half the facts. Not in the accounts' own transactions either: detection reads from a stored
    // position, so if a crash comes between, the next sync, import or `transfers` catches up.
    await detectTransfers(s);
    // Reported in connection order, whatever order they finished in.
    const results = [...selected.skipped, ...settled.flatMap((r) => (r.status === 'fulfilled' ? r.value : []))];
    return { accounts: results, consentWarnings: await consentWarnings(s, opts.consentWarnDays), outcome: runOutcome(results) };
  } finally {
    await claims.end();
    run.progress.stop();
  }
}

/** How long a claim on a connection lasts unless renewed: a dead worker's connections wait this long. */
export const CLAIM_LEASE_MS = 120_000;

interface Claims {
  mine: Set<number>;
  /** Connections another worker holds, with who holds them. */
  others: Map<number, string>;
  release(connectionId: number): Promise<void>;
  /** Stops renewing and drops what is still held. */
  end(): Promise<void>;
}

/**
 * Workers sharing a store never sync one connection at once: each connection is claimed first
 * (its accounts share a session and a rotating token), the claims are renewed while the run
 * works, and each is dropped as its connection finishes. `opts.claimLimit` caps how many one
 * run takes (a worker's share). On SQLite every connection is given (store/sqlite/claims.ts).
 */
async function claimConnections(s: Services, byConnection: Map<number, Account[]>, opts: SyncOptions): Promise<Claims> {
  const ids = [...byConnection.keys()];
  const stamp = () => s.clock().toISOString();
  const mine = new Set(ids.length ? await s.db.claims.take(ids, stamp(), CLAIM_LEASE_MS, opts.claimLimit ?? ids.length) : []);
  const others = mine.size < ids.length ? await s.db.claims.heldByOthers(stamp()) : new Map<number, string>();
  // Renewed on the store's pool, outside any unit; a failed renewal is tried again at the next beat.
  const beat = setInterval(() => void s.db.claims.renew(stamp(), CLAIM_LEASE_MS).catch(() => undefined), CLAIM_LEASE_MS / 3);
  beat.unref();
  return {
    mine,
    others,
    release: (id) => s.db.claims.release(id).catch(() => undefined),
    async end() {
      clearInterval(beat);
      if (mine.size) await s.db.claims.releaseAll().catch(() => undefined);
    },
  };
}

/**
 * A connection another worker syncs now: in `sync --all` (and a worker's round) it is theirs to
 * do, not a failure; asked for by name, it is busy (exit 6), as a locked account is. Connections
 * left over by the claim limit are simply not in this run.
 */
async function claimedElsewhere(c: Connection, accounts: Account[], holder: string | undefined, opts: SyncOptions): Promise<AccountResult[]> {
  if (!holder) return [];
  const message = `${connectionRef(c.id)} is being synced by another worker (${holder})`;
  return accounts.map((a) => ({ ...base(a, c), result: opts.target.kind === 'all' ? 'skipped' : 'busy', code: 'CLAIMED', message, hint: 'the other worker finishes it; ask again once it is done' }));
}

/** One provider instance per run, loaded on first use; `sync --concurrency` goes to it, not to its capabilities. */
async function providerFor(s: Services, run: RunState, id: string, opts: SyncOptions): Promise<Provider> {
  let entry = run.providers.get(id);
  if (!entry) {
    const kept = opts.providerCache?.get(id);
    entry = (kept ? Promise.resolve(kept) : getProvider(s, id, { maxConcurrentRequests: opts.concurrency })).then(
      (provider) => {
        opts.providerCache?.set(id, provider); // a failure is never kept: the next round tries again
        return { provider };
      },
      (err: unknown) => ({ error: toBanksyncError(err) }),
    );
    run.providers.set(id, entry);
  }
  const got = await entry;
  if (got.error) throw got.error;
  return got.provider!;
}

/** Requests a provider may have in flight: the user's setting, else the provider's own limit. */
function inFlightLimit(providerId: string, opts: SyncOptions): number {
  try {
    return Math.max(1, opts.concurrency ?? capabilitiesOf(providerId).maxConcurrentRequests);
  } catch {
    return Math.max(1, opts.concurrency ?? 1); // an unknown provider: its connections report the error one by one
  }
}

/**
 * On a store several workers share, a provider's in-flight limit holds for all of them together
 * (slots in the database, shared-slots.ts), not once per worker. One SQLite file has one host,
 * where the account locks already keep processes apart: no slots there, no round trip per request.
 */
function withSharedLimit<T>(s: Services, providerId: string, opts: SyncOptions, work: () => Promise<T>): Promise<T> {
  if (s.db.kind !== 'postgres') return work();
  return withInFlightGate(sharedSlots(s, providerId, inFlightLimit(providerId, opts)), work);
}

function poolFor(run: RunState, providerId: string, opts: SyncOptions): LimitFunction {
  let pool = run.pools.get(providerId);
  if (!pool) {
    const size = inFlightLimit(providerId, opts);
    // Twice as many connections as requests allowed in flight: while some connections write what
    // they fetched, the others' requests wait at the provider's limiter, so it never runs dry.
    // The limiter in the provider's HTTP client keeps the requests themselves within the limit.
    pool = pLimit(size <= 1 ? 1 : size * 2);
    run.pools.set(providerId, pool);
  }
  return pool;
}

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
      await s.db.connections.setStatus(c.id, 'needs_human', blocked.message, now.toISOString());
    }
    return eachOf(accounts, (a) => recordSkip(s, a, c, blocked));
  }
  let provider: Provider;
  let session: SessionHandle;
  try {
    provider = await providerFor(s, run, c.providerId, opts);
    session = await loadSession(s, c);
  } catch (err) {
    const e = toBanksyncError(err);
    return eachOf(accounts, (a) => (NEEDS_HUMAN_CODES.has(e.code) ? recordSkip(s, a, c, e) : recordFailure(s, a, c, e)));
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
      return eachOf(accounts, (a) => recordSkip(s, a, c, err));
    }
    scaCode = await askPerson(s, run, () => s.prompts.input(`SCA code sent by ${c.institutionName}`, '--sca-code', { secret: true }));
  }
  const perDay = provider.capabilities.connectionRequestsPerDay;
  const budget = perDay === undefined ? undefined : new ConnectionBudget(s.db, c.id, perDay, s.clock, provider.displayName);
  const out = await syncWithProvider(s, run, provider, session, c, accounts, limits, scaCode, budget, opts);
  // What is left of today's refreshes, counted after this run spent its own: a person deciding to sync again needs it.
  const byRef = new Map(accounts.map((a) => [accountRef(a.id), a]));
  return eachOf(out, async (r) => {
    const a = byRef.get(r.account);
    const quota = a && (await quotaOf(s, a, c, limits, budget));
    return quota ? { ...r, quota } : r;
  });
}

async function syncWithProvider(
  s: Services,
  run: RunState,
  provider: Provider,
  session: SessionHandle,
  c: Connection,
  accounts: Account[],
  limits: ReturnType<typeof effectiveLimits>,
  scaCode: string | undefined,
  budget: ConnectionBudget | undefined,
  opts: SyncOptions,
): Promise<AccountResult[]> {
  let note: string | undefined;
  // A spent budget defers the accounts below, without a refresh that could not be sent anyway.
  if (provider.refreshConnection && !(await budget?.spentUntil())) {
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
  const deferred = await dailyLimitDeferral(s, a, c, limits, now);
  if (deferred) return deferred;
  const spent = await budget?.spentUntil();
  if (spent) return deferAccount(s, a, c, spent, budget!.message(spent));
  if (!(await acquireLock(s, a.id, opts.lockWaitMs ?? 3_000))) return busy(a, c);
  try {
    await s.db.accounts.markSyncing(a.id, nowIso);
    const window = planAccountWindow(a, now, limits, opts);
    if (limits.refreshesPerDay !== undefined) await s.db.syncState.recordRefresh(a.id, nowIso);
    const r = await withBudget(budget, () => fetchAccount({ db: s.db, provider, session, account: a, window, scaCode, now: nowIso, budget }));
    return await recordSynced(s, a, c, r, window, nowIso);
  } catch (err) {
    if (isStorageFault(err)) throw err; // disk full, read-only, corrupt: the whole run stops (exit 7)
    return await outcomeOfError(s, a, c, toBanksyncError(err), nowIso);
  } finally {
    await s.db.locks.release(a.id);
  }
}
