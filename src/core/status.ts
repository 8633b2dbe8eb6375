import type { Services } from './context.js';
import { accountRef, connectionRef, type Account, type AccountSyncState, type Connection } from '../domain/model.js';
import { addDays } from '../domain/clock.js';
import type { BalancePoint, DateRange } from '../store/sqlite/sync-state.js';
import { backupsOf, type Backup, type CorruptDatabaseError } from '../store/sqlite/faults.js';
import { CHECK_FOR_STATUS_UP_TO_BYTES } from '../store/sqlite/integrity.js';
import type { ArchiveSize } from '../store/sqlite/archive.js';
import { DEFAULT_ARCHIVE_DAYS } from './archive/defaults.js';

/** Consent under this many days left is flagged, unless `config consent-warn-days` says otherwise. */
export const CONSENT_WARN_DAYS = 14;

export interface StatusOptions {
  /** Days before a consent ends from which it is flagged (default CONSENT_WARN_DAYS). */
  consentWarnDays?: number;
  /** config archive-days (default DEFAULT_ARCHIVE_DAYS): shown with the archive's size. */
  archiveDays?: number;
}

/** The raw archive (what `replay` rebuilds from): its size and how long it keeps answers. */
export interface ArchiveStatus extends ArchiveSize {
  /** 0: off. */
  days: number;
}

/** Where an account's lines come from: its bank (syncing), nowhere any more (disconnected), or imported files. */
export type AccountSource = 'bank' | 'not_syncing' | 'file';

export interface AccountStatus {
  id: string;
  sync: AccountSource;
  name: string;
  currency: string;
  kind: string;
  enabled: boolean;
  state: AccountSyncState;
  detail: string | null;
  lastSuccessAt: string | null;
  lastNewCount: number | null;
  pendingCount: number | null;
  nextDueAt: string | null;
  nextRefreshAt: string | null;
  lastError: { code: string | null; message: string | null; ref: string } | null;
  historyDays: number | null;
  transactions: number;
  coverage: DateRange[];
  gaps: DateRange[];
  balance: { providerMinor: number; date: string; driftMinor: number | null } | null;
  statementPeriod: string;
  lockDate: string | null;
  /** Lines quarantined or kept twice, and the provider's own warnings (`banksync warnings` lists them). */
  inputWarnings: { count: number; latest: string | null };
}

export interface ConnectionStatusRow {
  id: string;
  provider: string;
  institution: string;
  status: Connection['status'];
  detail: string | null;
  consentExpiresAt: string | null;
  consentDaysLeft: number | null;
  consentWarning: boolean;
  /** Requests made under this connection's token since 00:00 UTC (kept for providers with a daily budget, e.g. SimpleFIN). */
  requestsToday: number;
  accounts: AccountStatus[];
}

/** One thing a person should look at: what `status --quiet` prints, nothing when all is well. */
export interface Attention {
  /** The connection (c1) or account (a1) it concerns. */
  id: string;
  kind: 'consent_expiring' | 'consent_expired' | 'needs_human' | 'failed' | 'skipped' | 'input_warnings' | 'drift' | 'gaps';
}

export interface StatusReport {
  now: string;
  connections: ConnectionStatusRow[];
  /** Accounts that hold imported statement files only: no connection, nothing to sync. */
  files: AccountStatus[];
  attention: Attention[];
  archive: ArchiveStatus;
}

export async function status(s: Services, opts: StatusOptions = {}): Promise<StatusReport> {
  const warnDays = opts.consentWarnDays ?? CONSENT_WARN_DAYS;
  await s.db.ensureIntact(CHECK_FOR_STATUS_UP_TO_BYTES); // a damaged file is the news, whatever else it holds
  const now = s.clock();
  const facts = await s.db.snapshot(() => readFacts(s, now));
  const connections = facts.connections.map((c): ConnectionStatusRow => {
    // A disconnected connection has no consent left to count down (it was revoked or removed).
    const gone = c.status === 'disconnected';
    const expiresAt = gone ? null : c.consentExpiresAt;
    const daysLeft = expiresAt ? Math.floor((Date.parse(expiresAt) - now.getTime()) / 86_400_000) : null;
    return {
      id: connectionRef(c.id),
      provider: c.providerId,
      institution: c.institutionName,
      status: c.status,
      detail: c.statusDetail,
      consentExpiresAt: expiresAt,
      consentDaysLeft: daysLeft,
      consentWarning: daysLeft !== null && daysLeft < warnDays,
      requestsToday: facts.requestsToday.get(c.id) ?? 0,
      accounts: facts.accounts.filter((a) => a.connectionId === c.id).map((a) => accountStatus(facts, a, now, gone ? 'not_syncing' : 'bank')),
    };
  });
  const files = facts.accounts.filter((a) => a.connectionId === null).map((a) => accountStatus(facts, a, now, 'file'));
  const archive = { ...facts.archive, days: opts.archiveDays ?? DEFAULT_ARCHIVE_DAYS };
  return { now: now.toISOString(), connections, files, attention: attentionOf(connections, files), archive };
}

/** Everything status shows, read as one snapshot in a fixed number of queries however many accounts there are. */
interface StatusFacts {
  connections: Connection[];
  accounts: Account[];
  requestsToday: Map<number, number>;
  held: Set<number>;
  coverage: Map<number, DateRange[]>;
  balances: Map<number, BalancePoint>;
  errors: Map<string, string>;
  lines: Map<number, number>;
  warnings: Map<number, { warnings: number; latest: string | null }>;
  archive: ArchiveSize;
}

async function readFacts(s: Services, now: Date): Promise<StatusFacts> {
  const { db } = s;
  const [connections, accounts, requestsToday, held, coverage, balances, errors, lines, warnings, archive] = await Promise.all([
    db.connections.list(),
    db.accounts.list(),
    db.syncState.connectionRequestsSinceByConnection(`${now.toISOString().slice(0, 10)}T00:00:00.000Z`),
    db.locks.heldAccounts(now),
    db.syncState.coverageByAccount(),
    db.syncState.latestBalances(),
    db.syncState.accountErrorMessages(),
    db.transactions.liveCounts(),
    db.inputIssues.countsByAccount(),
    db.archive.size(),
  ]);
  return { connections, accounts, requestsToday, held, coverage, balances, errors, lines, warnings, archive };
}

/**
 * What needs a person: a consent inside the warning window or expired, a connection the bank
 * refused, accounts that failed or were skipped, line warnings, balance drift, coverage gaps.
 * A disconnected connection was the user's choice: only its stored lines' own problems count.
 */
export function attentionOf(connections: ConnectionStatusRow[], files: AccountStatus[]): Attention[] {
  const out: Attention[] = [];
  const lines = (a: AccountStatus) => {
    if (a.inputWarnings.count) out.push({ id: a.id, kind: 'input_warnings' });
    if (a.balance?.driftMinor) out.push({ id: a.id, kind: 'drift' });
    if (a.gaps.length) out.push({ id: a.id, kind: 'gaps' });
  };
  for (const c of connections) {
    if (c.consentDaysLeft !== null && c.consentDaysLeft < 0) out.push({ id: c.id, kind: 'consent_expired' });
    else if (c.consentWarning) out.push({ id: c.id, kind: 'consent_expiring' });
    // Its accounts are skipped for the same reason: one line for the connection says it.
    else if (c.status === 'needs_human') out.push({ id: c.id, kind: 'needs_human' });
    const blocked = out.some((x) => x.id === c.id && x.kind !== 'consent_expiring');
    for (const a of c.accounts) {
      if (a.sync === 'bank' && a.enabled && a.state === 'failed') out.push({ id: a.id, kind: 'failed' });
      if (a.sync === 'bank' && a.enabled && a.state === 'skipped' && !blocked) out.push({ id: a.id, kind: 'skipped' });
      lines(a);
    }
  }
  files.forEach(lines);
  return out;
}

const NO_WARNINGS = { warnings: 0, latest: null };

function accountStatus(facts: StatusFacts, a: Account, now: Date, sync: AccountSource): AccountStatus {
  let state = a.state;
  let detail = a.stateDetail;
  if (state === 'syncing' && !facts.held.has(a.id)) {
    // The process died mid-sync; whole pages are kept and the next sync completes the window.
    state = 'not_synced';
    detail = 'the last sync was interrupted; the next sync completes it';
  }
  const dueFromInterval = a.lastSuccessAt ? new Date(Date.parse(a.lastSuccessAt) + a.syncIntervalHours * 3_600_000).toISOString() : now.toISOString();
  // Only an account its bank still syncs is ever due.
  const nextDueAt = !a.enabled || sync !== 'bank' ? null : a.nextRefreshAt && a.nextRefreshAt > dueFromInterval ? a.nextRefreshAt : dueFromInterval;
  const coverage = facts.coverage.get(a.id) ?? [];
  const latest = facts.balances.get(a.id);
  return {
    id: accountRef(a.id),
    sync,
    name: a.name,
    currency: a.currency,
    kind: a.kind,
    enabled: a.enabled,
    state,
    detail,
    lastSuccessAt: a.lastSuccessAt,
    lastNewCount: a.lastNewCount,
    pendingCount: a.lastPendingCount,
    nextDueAt,
    nextRefreshAt: a.nextRefreshAt,
    lastError: a.lastErrorRef ? { code: a.lastErrorCode, message: facts.errors.get(a.lastErrorRef) ?? null, ref: a.lastErrorRef } : null,
    historyDays: a.historyDays,
    transactions: facts.lines.get(a.id) ?? 0,
    coverage,
    gaps: gapsOf(coverage),
    balance: latest ? { providerMinor: latest.amountMinor, date: latest.date, driftMinor: a.balanceDriftMinor } : null,
    statementPeriod: a.statementPeriod,
    lockDate: a.lockDate,
    inputWarnings: (({ warnings, latest }) => ({ count: warnings, latest }))(facts.warnings.get(a.id) ?? NO_WARNINGS),
  };
}

/** Days between fetched ranges that were never fetched. */
export function gapsOf(ranges: DateRange[]): DateRange[] {
  const gaps: DateRange[] = [];
  for (let i = 1; i < ranges.length; i++) {
    gaps.push({ from: addDays(ranges[i - 1]!.to, 1), to: addDays(ranges[i]!.from, -1) });
  }
  return gaps;
}

export interface CorruptionReport {
  path: string;
  state: 'corrupt';
  problem: string;
  /** Copies kept before schema upgrades, newest first. */
  backups: Backup[];
  /** What to do, in order, with the exact commands. */
  steps: string[];
}

/** How to get back to a working database once SQLite reports this one corrupt. */
export function corruptionReport(e: CorruptDatabaseError): CorruptionReport {
  const { path } = e;
  const backups = backupsOf(path);
  const damaged = `${path}.damaged`;
  const newest = backups[0];
  const steps = ['stop every banksync run (cron included) until this is done', `set the damaged file aside: mv ${path} ${damaged} (and ${path}-wal, ${path}-shm if they exist)`];
  if (newest) {
    steps.push(
      `restore the newest backup: cp ${newest.path} ${path} — it holds what was stored on ${newest.createdAt.slice(0, 10)}; ` +
        'the next sync fetches again what each bank still offers; files imported since then must be imported again',
    );
  }
  steps.push(
    `${newest ? 'or ' : ''}rescue what is still readable: sqlite3 ${damaged} .recover | sqlite3 ${path} (a sqlite3 3.29 or newer built with .recover; if it fails with "SQL logic error", use another build)`,
    `or start afresh: the next banksync command creates an empty ${path}; connect your banks again (history as far back as each bank allows)`,
  );
  return { path, state: 'corrupt', problem: e.problem, backups, steps };
}
