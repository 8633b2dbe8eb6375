import type { Account } from '../../domain/model.js';
import type { Async } from '../port.js';
import { accountFromRow, metaJson, newAccountValues, type AccountRepo, type AccountRow, type AccountSettings, type NewAccount, type SyncOutcome } from '../sqlite/accounts.js';
import type { Sql } from './port.js';

/** Accounts and their sync bookkeeping: see the SQLite AccountRepo; rows read back the same. */
export class PgAccountRepo implements Async<AccountRepo> {
  constructor(private readonly sql: Sql) {}

  async create(a: NewAccount): Promise<number> {
    const row = await this.sql.one<{ id: number }>(
      `INSERT INTO accounts (connection_id, provider_id, institution_id, external_id, name, iban, number, match_key,
                             currency, kind, history_days, stable_ids, provider_meta, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
      newAccountValues(a),
    );
    return row!.id;
  }

  async get(id: number): Promise<Account | undefined> {
    const row = await this.sql.one<AccountRow>('SELECT * FROM accounts WHERE id = $1', [id]);
    return row && accountFromRow(row);
  }

  async list(): Promise<Account[]> {
    return (await this.sql.rows<AccountRow>('SELECT * FROM accounts ORDER BY id')).map(accountFromRow);
  }

  async byConnection(connectionId: number): Promise<Account[]> {
    return (await this.sql.rows<AccountRow>('SELECT * FROM accounts WHERE connection_id = $1 ORDER BY id', [connectionId])).map(accountFromRow);
  }

  /** Renewals may hand out new provider ids for the same account: re-point, keep history. */
  async updateExternalId(id: number, externalId: string, matchKey?: string): Promise<void> {
    // A feed cursor belongs to the provider's stream for the old id: a new id starts its feed afresh.
    await this.sql.run(
      `UPDATE accounts SET external_id = $1, match_key = coalesce($2, match_key),
         feed_cursor = CASE WHEN external_id IS NOT DISTINCT FROM $1 THEN feed_cursor ELSE NULL END
       WHERE id = $3`,
      [externalId, matchKey ?? null, id],
    );
  }

  /** Replaced whole; undefined/empty clears it (see the SQLite one). */
  async setProviderMeta(id: number, meta: Record<string, string> | undefined): Promise<void> {
    await this.sql.run('UPDATE accounts SET provider_meta = $1 WHERE id = $2', [metaJson(meta), id]);
  }

  async updateSettings(id: number, s: AccountSettings): Promise<void> {
    const sets: string[] = [];
    const values: unknown[] = [];
    const put = (column: string, value: unknown) => {
      values.push(value);
      sets.push(`${column} = $${values.length}`);
    };
    if (s.enabled !== undefined) put('enabled', s.enabled ? 1 : 0);
    if (s.statementPeriod !== undefined) put('statement_period', s.statementPeriod);
    if (s.lockDate !== undefined) put('lock_date', s.lockDate);
    if (s.syncIntervalHours !== undefined) put('sync_interval_hours', s.syncIntervalHours);
    if (s.ledgerName !== undefined) put('ledger_name', s.ledgerName);
    if (sets.length === 0) return;
    await this.sql.run(`UPDATE accounts SET ${sets.join(', ')} WHERE id = $${values.length + 1}`, [...values, id]);
  }

  async markSyncing(id: number, now: string): Promise<void> {
    await this.sql.run(`UPDATE accounts SET state = 'syncing', last_attempt_at = $1 WHERE id = $2`, [now, id]);
  }

  /** An undefined field keeps what is stored; null (where allowed) clears it. */
  async recordOutcome(id: number, o: SyncOutcome): Promise<void> {
    await this.sql.run(
      `UPDATE accounts SET state = $1, state_detail = $2, last_attempt_at = $3,
         last_error_code = CASE WHEN $4::boolean THEN $5 ELSE last_error_code END,
         last_error_ref = CASE WHEN $6::boolean THEN $7 ELSE last_error_ref END,
         last_success_at = COALESCE($8, last_success_at),
         last_new_count = COALESCE($9, last_new_count),
         last_pending_count = COALESCE($10, last_pending_count),
         next_refresh_at = CASE WHEN $11::boolean THEN $12 ELSE next_refresh_at END
       WHERE id = $13`,
      [
        o.state,
        o.detail,
        o.attemptAt,
        o.errorCode !== undefined,
        o.errorCode ?? null,
        o.errorRef !== undefined,
        o.errorRef ?? null,
        o.successAt ?? null,
        o.newCount ?? null,
        o.pendingCount ?? null,
        o.nextRefreshAt !== undefined,
        o.nextRefreshAt ?? null,
        id,
      ],
    );
  }

  /** Cursor feeds: where the next fetch starts (undefined before the first committed page). */
  async feedCursor(id: number): Promise<string | undefined> {
    return (await this.sql.one<{ c: string | null }>('SELECT feed_cursor AS c FROM accounts WHERE id = $1', [id]))?.c ?? undefined;
  }

  /** Written in the unit of work of the page that carried it; null forgets it (new consent). */
  async setFeedCursor(id: number, cursor: string | null): Promise<void> {
    await this.sql.run('UPDATE accounts SET feed_cursor = $1 WHERE id = $2', [cursor, id]);
  }

  async setWatermark(id: number, date: string | null): Promise<void> {
    await this.sql.run('UPDATE accounts SET watermark_date = $1 WHERE id = $2', [date, id]);
  }

  async setBalanceCheck(id: number, openingMinor: number | null, driftMinor: number | null): Promise<void> {
    await this.sql.run('UPDATE accounts SET opening_balance_minor = $1, balance_drift_minor = $2 WHERE id = $3', [openingMinor, driftMinor, id]);
  }

  async rename(id: number, name: string): Promise<void> {
    await this.sql.run('UPDATE accounts SET name = $1 WHERE id = $2', [name, id]);
  }

  async delete(id: number): Promise<void> {
    await this.sql.run('DELETE FROM accounts WHERE id = $1', [id]);
  }
}
