import type { Account, AccountKind, AccountSyncState, StatementPeriod } from '../../domain/model.js';
import type { Db } from './db.js';

/** A row of `accounts` as both stores read it back. */
export interface AccountRow {
  id: number;
  connection_id: number | null;
  provider_id: string;
  institution_id: string;
  external_id: string | null;
  name: string;
  iban: string | null;
  number: string | null;
  match_key: string | null;
  currency: string;
  kind: AccountKind;
  enabled: number;
  statement_period: StatementPeriod;
  lock_date: string | null;
  sync_interval_hours: number;
  history_days: number | null;
  stable_ids: number;
  ledger_name: string | null;
  state: AccountSyncState;
  state_detail: string | null;
  last_error_code: string | null;
  last_error_ref: string | null;
  last_attempt_at: string | null;
  last_success_at: string | null;
  last_new_count: number | null;
  last_pending_count: number | null;
  next_refresh_at: string | null;
  watermark_date: string | null;
  opening_balance_minor: number | null;
  balance_drift_minor: number | null;
  provider_meta: string | null;
  created_at: string;
}

export const accountFromRow = (r: AccountRow): Account => ({
  id: r.id,
  connectionId: r.connection_id,
  providerId: r.provider_id,
  institutionId: r.institution_id,
  externalId: r.external_id,
  name: r.name,
  iban: r.iban,
  number: r.number,
  matchKey: r.match_key,
  currency: r.currency,
  kind: r.kind,
  enabled: r.enabled === 1,
  statementPeriod: r.statement_period,
  lockDate: r.lock_date,
  syncIntervalHours: r.sync_interval_hours,
  historyDays: r.history_days,
  stableIds: r.stable_ids === 1,
  ledgerName: r.ledger_name,
  state: r.state,
  stateDetail: r.state_detail,
  lastErrorCode: r.last_error_code,
  lastErrorRef: r.last_error_ref,
  lastAttemptAt: r.last_attempt_at,
  lastSuccessAt: r.last_success_at,
  lastNewCount: r.last_new_count,
  lastPendingCount: r.last_pending_count,
  nextRefreshAt: r.next_refresh_at,
  watermarkDate: r.watermark_date,
  openingBalanceMinor: r.opening_balance_minor,
  balanceDriftMinor: r.balance_drift_minor,
  providerMeta: parseMeta(r.provider_meta),
  createdAt: r.created_at,
});

/** Stored as JSON; anything but an object of strings reads as none (the adapter then asks again). */
function parseMeta(raw: string | null): Record<string, string> | null {
  if (!raw) return null;
  try {
    const v: unknown = JSON.parse(raw);
    if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
    const entries = Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string');
    return Object.fromEntries(entries);
  } catch {
    return null;
  }
}

export const metaJson = (meta: Record<string, string> | undefined): string | null => (meta && Object.keys(meta).length > 0 ? JSON.stringify(meta) : null);

export interface NewAccount {
  /** Null for accounts that hold imported statement files only. */
  connectionId: number | null;
  providerId: string;
  institutionId: string;
  externalId: string | null;
  name: string;
  iban?: string;
  number?: string;
  /** Provider-stable identity that survives new account ids (Enable Banking identification_hash). */
  matchKey?: string;
  currency: string;
  kind: AccountKind;
  historyDays?: number;
  stableIds: boolean;
  /** ProviderAccount.meta: handed back to the adapter on every fetch. */
  meta?: Record<string, string>;
  now: string;
}

/** Settings a user may change with `banksync accounts set`. */
export interface AccountSettings {
  enabled?: boolean;
  statementPeriod?: StatementPeriod;
  lockDate?: string | null;
  syncIntervalHours?: number;
  ledgerName?: string | null;
}

export interface SyncOutcome {
  state: AccountSyncState;
  detail: string | null;
  errorCode?: string | null;
  errorRef?: string | null;
  attemptAt: string;
  successAt?: string;
  newCount?: number;
  pendingCount?: number;
  nextRefreshAt?: string | null;
}

export class AccountRepo {
  constructor(private readonly db: Db) {}

  create(a: NewAccount): number {
    const info = this.db
      .prepare(
        `INSERT INTO accounts (connection_id, provider_id, institution_id, external_id, name, iban, number, match_key,
                               currency, kind, history_days, stable_ids, provider_meta, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(...newAccountValues(a));
    return Number(info.lastInsertRowid);
  }

  get(id: number): Account | undefined {
    const row = this.db.prepare('SELECT * FROM accounts WHERE id = ?').get(id) as AccountRow | undefined;
    return row && accountFromRow(row);
  }

  list(): Account[] {
    return (this.db.prepare('SELECT * FROM accounts ORDER BY id').all() as AccountRow[]).map(accountFromRow);
  }

  byConnection(connectionId: number): Account[] {
    return (this.db.prepare('SELECT * FROM accounts WHERE connection_id = ? ORDER BY id').all(connectionId) as AccountRow[]).map(accountFromRow);
  }

  /** Renewals may hand out new provider ids for the same account: re-point, keep history. */
  updateExternalId(id: number, externalId: string, matchKey?: string): void {
    // A feed cursor belongs to the provider's stream for the old id: a new id starts its feed afresh.
    this.db
      .prepare('UPDATE accounts SET external_id = ?, match_key = coalesce(?, match_key), feed_cursor = CASE WHEN external_id IS ? THEN feed_cursor ELSE NULL END WHERE id = ?')
      .run(externalId, matchKey ?? null, externalId, id);
  }

  /**
   * The provider's data for the account as it last described it (connect, fetch-accounts,
   * update-credentials): replaced whole; undefined/empty clears it.
   */
  setProviderMeta(id: number, meta: Record<string, string> | undefined): void {
    this.db.prepare('UPDATE accounts SET provider_meta = ? WHERE id = ?').run(metaJson(meta), id);
  }

  updateSettings(id: number, s: AccountSettings): void {
    const sets: string[] = [];
    const values: unknown[] = [];
    const put = (column: string, value: unknown) => {
      sets.push(`${column} = ?`);
      values.push(value);
    };
    if (s.enabled !== undefined) put('enabled', s.enabled ? 1 : 0);
    if (s.statementPeriod !== undefined) put('statement_period', s.statementPeriod);
    if (s.lockDate !== undefined) put('lock_date', s.lockDate);
    if (s.syncIntervalHours !== undefined) put('sync_interval_hours', s.syncIntervalHours);
    if (s.ledgerName !== undefined) put('ledger_name', s.ledgerName);
    if (sets.length === 0) return;
    this.db.prepare(`UPDATE accounts SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
  }

  markSyncing(id: number, now: string): void {
    this.db.prepare(`UPDATE accounts SET state = 'syncing', last_attempt_at = ? WHERE id = ?`).run(now, id);
  }

  recordOutcome(id: number, o: SyncOutcome): void {
    this.db
      .prepare(
        `UPDATE accounts SET state = ?, state_detail = ?, last_attempt_at = ?,
           last_error_code = CASE WHEN ? THEN ? ELSE last_error_code END,
           last_error_ref = CASE WHEN ? THEN ? ELSE last_error_ref END,
           last_success_at = COALESCE(?, last_success_at),
           last_new_count = COALESCE(?, last_new_count),
           last_pending_count = COALESCE(?, last_pending_count),
           next_refresh_at = CASE WHEN ? THEN ? ELSE next_refresh_at END
         WHERE id = ?`,
      )
      .run(
        o.state,
        o.detail,
        o.attemptAt,
        o.errorCode !== undefined ? 1 : 0,
        o.errorCode ?? null,
        o.errorRef !== undefined ? 1 : 0,
        o.errorRef ?? null,
        o.successAt ?? null,
        o.newCount ?? null,
        o.pendingCount ?? null,
        o.nextRefreshAt !== undefined ? 1 : 0,
        o.nextRefreshAt ?? null,
        id,
      );
  }

  /** Cursor feeds: where the next fetch starts (undefined before the first committed page). */
  feedCursor(id: number): string | undefined {
    const r = this.db.prepare('SELECT feed_cursor AS c FROM accounts WHERE id = ?').get(id) as { c: string | null } | undefined;
    return r?.c ?? undefined;
  }

  /** Written in the same SQLite transaction as the rows of the page that carried it; null forgets it (new consent). */
  setFeedCursor(id: number, cursor: string | null): void {
    this.db.prepare('UPDATE accounts SET feed_cursor = ? WHERE id = ?').run(cursor, id);
  }

  setWatermark(id: number, date: string | null): void {
    this.db.prepare('UPDATE accounts SET watermark_date = ? WHERE id = ?').run(date, id);
  }

  setBalanceCheck(id: number, openingMinor: number | null, driftMinor: number | null): void {
    this.db.prepare('UPDATE accounts SET opening_balance_minor = ?, balance_drift_minor = ? WHERE id = ?').run(openingMinor, driftMinor, id);
  }

  rename(id: number, name: string): void {
    this.db.prepare('UPDATE accounts SET name = ? WHERE id = ?').run(name, id);
  }

  delete(id: number): void {
    this.db.prepare('DELETE FROM accounts WHERE id = ?').run(id);
  }
}

/** A new account's 14 column values, in the order both stores' INSERTs list them. */
export const newAccountValues = (a: NewAccount): unknown[] => [
  a.connectionId,
  a.providerId,
  a.institutionId,
  a.externalId,
  a.name,
  a.iban ?? null,
  a.number ?? null,
  a.matchKey ?? null,
  a.currency,
  a.kind,
  a.historyDays ?? null,
  a.stableIds ? 1 : 0,
  metaJson(a.meta),
  a.now,
];
