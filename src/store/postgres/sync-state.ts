import { addDays } from '../../domain/clock.js';
import type { Async } from '../port.js';
import type { BalancePoint, DateRange, SyncStateRepo } from '../sqlite/sync-state.js';
import type { Sql } from './port.js';

/** Balances, coverage, refresh counts and error records: see the SQLite SyncStateRepo. */
export class PgSyncStateRepo implements Async<SyncStateRepo> {
  constructor(private readonly sql: Sql) {}

  async recordBalance(accountId: number, date: string, amountMinor: number, now: string): Promise<void> {
    await this.sql.run(
      `INSERT INTO balances (account_id, as_of_date, amount_minor, fetched_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (account_id, as_of_date) DO UPDATE SET amount_minor = excluded.amount_minor, fetched_at = excluded.fetched_at`,
      [accountId, date, amountMinor, now],
    );
  }

  async latestBalance(accountId: number): Promise<BalancePoint | undefined> {
    const r = await this.sql.one<{ as_of_date: string; amount_minor: number }>('SELECT as_of_date, amount_minor FROM balances WHERE account_id = $1 ORDER BY as_of_date DESC LIMIT 1', [accountId]);
    return r && { date: r.as_of_date, amountMinor: r.amount_minor };
  }

  /** `latestBalance` of every account at once (status): one statement, an index seek per account. */
  async latestBalances(): Promise<Map<number, BalancePoint>> {
    const rows = await this.sql.rows<{ account_id: number; as_of_date: string; amount_minor: number }>(
      `SELECT a.id AS account_id, b.as_of_date, b.amount_minor FROM accounts a
       CROSS JOIN LATERAL (SELECT as_of_date, amount_minor FROM balances WHERE account_id = a.id ORDER BY as_of_date DESC LIMIT 1) b`,
    );
    return new Map(rows.map((r) => [r.account_id, { date: r.as_of_date, amountMinor: r.amount_minor }]));
  }

  async balances(accountId: number): Promise<BalancePoint[]> {
    const rows = await this.sql.rows<{ as_of_date: string; amount_minor: number }>('SELECT as_of_date, amount_minor FROM balances WHERE account_id = $1 ORDER BY as_of_date', [accountId]);
    return rows.map((r) => ({ date: r.as_of_date, amountMinor: r.amount_minor }));
  }

  /**
   * Adds a fetched range, merging it with overlapping or adjacent ones: one statement, the
   * touching ranges deleted and their union with the new one inserted (LEAST/GREATEST skip the
   * nulls of an empty `touching`).
   */
  async addCoverage(accountId: number, range: DateRange): Promise<void> {
    await this.sql.run(
      `WITH touching AS (
         DELETE FROM coverage WHERE account_id = $1 AND from_date <= $2 AND to_date >= $3 RETURNING from_date, to_date
       )
       INSERT INTO coverage (account_id, from_date, to_date)
       SELECT $1, LEAST($4::text, min(from_date)), GREATEST($5::text, max(to_date)) FROM touching`,
      [accountId, addDays(range.to, 1), addDays(range.from, -1), range.from, range.to],
    );
  }

  async coverage(accountId: number): Promise<DateRange[]> {
    const rows = await this.sql.rows<{ from_date: string; to_date: string }>('SELECT from_date, to_date FROM coverage WHERE account_id = $1 ORDER BY from_date', [accountId]);
    return rows.map((r) => ({ from: r.from_date, to: r.to_date }));
  }

  /** `coverage` of every account at once (status); an account with none is absent. */
  async coverageByAccount(): Promise<Map<number, DateRange[]>> {
    const out = new Map<number, DateRange[]>();
    const rows = await this.sql.rows<{ account_id: number; from_date: string; to_date: string }>('SELECT account_id, from_date, to_date FROM coverage ORDER BY account_id, from_date');
    for (const r of rows) {
      const ranges = out.get(r.account_id);
      if (ranges) ranges.push({ from: r.from_date, to: r.to_date });
      else out.set(r.account_id, [{ from: r.from_date, to: r.to_date }]);
    }
    return out;
  }

  async recordRefresh(accountId: number, at: string): Promise<void> {
    await this.sql.run('INSERT INTO refreshes (account_id, at) VALUES ($1, $2)', [accountId, at]);
  }

  async refreshesSince(accountId: number, since: string): Promise<string[]> {
    return (await this.sql.rows<{ at: string }>('SELECT at FROM refreshes WHERE account_id = $1 AND at >= $2 ORDER BY at', [accountId, since])).map((r) => r.at);
  }

  /** A request sent under a connection's token (retries included), for per-connection daily budgets. */
  async recordConnectionRequest(connectionId: number, at: string): Promise<void> {
    await this.sql.run('INSERT INTO connection_requests (connection_id, at) VALUES ($1, $2)', [connectionId, at]);
  }

  async connectionRequestsSince(connectionId: number, since: string): Promise<number> {
    return (await this.sql.one<{ n: number }>('SELECT count(*) AS n FROM connection_requests WHERE connection_id = $1 AND at >= $2', [connectionId, since]))!.n;
  }

  /** `connectionRequestsSince` of every connection at once (status): connection id → requests. */
  async connectionRequestsSinceByConnection(since: string): Promise<Map<number, number>> {
    const rows = await this.sql.rows<{ id: number; n: number }>('SELECT c.id, (SELECT count(*) FROM connection_requests WHERE connection_id = c.id AND at >= $1) AS n FROM connections c', [since]);
    return new Map(rows.map((r) => [r.id, r.n]));
  }

  async recordError(e: { ref: string; at: string; connectionId: number | null; accountId: number | null; code: string; message: string }): Promise<void> {
    await this.sql.run(
      `INSERT INTO errors (ref, at, connection_id, account_id, code, message) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (ref) DO UPDATE SET at = excluded.at, connection_id = excluded.connection_id, account_id = excluded.account_id,
         code = excluded.code, message = excluded.message`,
      [e.ref, e.at, e.connectionId, e.accountId, e.code, e.message],
    );
  }

  async errorMessage(ref: string): Promise<string | undefined> {
    return (await this.sql.one<{ message: string }>('SELECT message FROM errors WHERE ref = $1', [ref]))?.message;
  }

  /** The message of each account's last error (status), by error ref. */
  async accountErrorMessages(): Promise<Map<string, string>> {
    const rows = await this.sql.rows<{ ref: string; message: string }>('SELECT ref, message FROM errors WHERE ref IN (SELECT last_error_ref FROM accounts WHERE last_error_ref IS NOT NULL)');
    return new Map(rows.map((r) => [r.ref, r.message]));
  }
}
