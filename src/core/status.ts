import type { Services } from './context.js';
import { accountRef, connectionRef, type Account, type AccountSyncState, type Connection } from './model.js';
import { addDays } from './clock.js';
import type { DateRange } from '../store/sync-state.js';
import { backupsOf, type Backup, type CorruptDatabaseError } from '../store/faults.js';
import { CHECK_FOR_STATUS_UP_TO_BYTES } from '../store/integrity.js';

/** Consent under this many days left is flagged, unless `config consent-warn-days` says otherwise. */
export const CONSENT_WARN_DAYS = 14;

export interface StatusOptions {
  /** Days before a consent ends from which it is flagged (default CONSENT_WARN_DAYS). */
  consentWarnDays?: number;
}

export interface AccountStatus {
  id: string;
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

export interface StatusReport {
  now: string;
  connections: ConnectionStatusRow[];
}

export function status(s: Services, opts: StatusOptions = {}): StatusReport {
  const warnDays = opts.consentWarnDays ?? CONSENT_WARN_DAYS;
  s.store.ensureIntact(CHECK_FOR_STATUS_UP_TO_BYTES); // a damaged file is the news, whatever else it holds
  const now = s.clock();
  const accounts = s.store.accounts.list();
  const connections = s.store.connections.list().map((c): ConnectionStatusRow => {
    const daysLeft = c.consentExpiresAt ? Math.floor((Date.parse(c.consentExpiresAt) - now.getTime()) / 86_400_000) : null;
    return {
      id: connectionRef(c.id),
      provider: c.providerId,
      institution: c.institutionName,
      status: c.status,
      detail: c.statusDetail,
      consentExpiresAt: c.consentExpiresAt,
      consentDaysLeft: daysLeft,
      consentWarning: daysLeft !== null && daysLeft < warnDays && c.status !== 'disconnected',
      requestsToday: s.store.syncState.connectionRequestsSince(c.id, `${now.toISOString().slice(0, 10)}T00:00:00.000Z`),
      accounts: accounts.filter((a) => a.connectionId === c.id).map((a) => accountStatus(s, a, now)),
    };
  });
  return { now: now.toISOString(), connections };
}

function accountStatus(s: Services, a: Account, now: Date): AccountStatus {
  let state = a.state;
  let detail = a.stateDetail;
  if (state === 'syncing' && !s.store.locks.isHeld(a.id, now)) {
    // The process died mid-sync; whole pages are kept and the next sync completes the window.
    state = 'not_synced';
    detail = 'the last sync was interrupted; the next sync completes it';
  }
  const dueFromInterval = a.lastSuccessAt
    ? new Date(Date.parse(a.lastSuccessAt) + a.syncIntervalHours * 3_600_000).toISOString()
    : now.toISOString();
  const nextDueAt = !a.enabled ? null : a.nextRefreshAt && a.nextRefreshAt > dueFromInterval ? a.nextRefreshAt : dueFromInterval;
  const coverage = s.store.syncState.coverage(a.id);
  const latest = s.store.syncState.latestBalance(a.id);
  return {
    id: accountRef(a.id),
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
    lastError: a.lastErrorRef ? { code: a.lastErrorCode, message: s.store.syncState.errorMessage(a.lastErrorRef) ?? null, ref: a.lastErrorRef } : null,
    historyDays: a.historyDays,
    transactions: s.store.transactions.count(a.id),
    coverage,
    gaps: gapsOf(coverage),
    balance: latest ? { providerMinor: latest.amountMinor, date: latest.date, driftMinor: a.balanceDriftMinor } : null,
    statementPeriod: a.statementPeriod,
    lockDate: a.lockDate,
    inputWarnings: (({ warnings, latest }) => ({ count: warnings, latest }))(s.store.inputIssues.counts(a.id)),
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
  const steps = [
    'stop every banksync run (cron included) until this is done',
    `set the damaged file aside: mv ${path} ${damaged} (and ${path}-wal, ${path}-shm if they exist)`,
  ];
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
