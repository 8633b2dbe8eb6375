import { addDays, maxDate, minDate } from '../../domain/clock.js';
import type { Db } from './db.js';

export interface DateRange {
  from: string;
  to: string;
}

export interface BalancePoint {
  date: string;
  amountMinor: number;
}

/** Balances, coverage, refresh counts and error records: the bookkeeping around a sync. */
export class SyncStateRepo {
  constructor(private readonly db: Db) {}

  recordBalance(accountId: number, date: string, amountMinor: number, now: string): void {
    this.db
      .prepare(
        `INSERT INTO balances (account_id, as_of_date, amount_minor, fetched_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (account_id, as_of_date) DO UPDATE SET amount_minor = excluded.amount_minor, fetched_at = excluded.fetched_at`,
      )
      .run(accountId, date, amountMinor, now);
  }

  latestBalance(accountId: number): BalancePoint | undefined {
    const r = this.db.prepare('SELECT as_of_date, amount_minor FROM balances WHERE account_id = ? ORDER BY as_of_date DESC LIMIT 1').get(accountId) as
      | { as_of_date: string; amount_minor: number }
      | undefined;
    return r && { date: r.as_of_date, amountMinor: r.amount_minor };
  }

  /** `latestBalance` of every account at once (status): one query, an index seek per account. */
  latestBalances(): Map<number, BalancePoint> {
    const rows = this.db
      .prepare(
        `SELECT b.account_id, b.as_of_date, b.amount_minor FROM accounts a
         JOIN balances b ON b.account_id = a.id AND b.as_of_date = (SELECT max(as_of_date) FROM balances WHERE account_id = a.id)`,
      )
      .all() as { account_id: number; as_of_date: string; amount_minor: number }[];
    return new Map(rows.map((r) => [r.account_id, { date: r.as_of_date, amountMinor: r.amount_minor }]));
  }

  balances(accountId: number): BalancePoint[] {
    return (this.db.prepare('SELECT as_of_date, amount_minor FROM balances WHERE account_id = ? ORDER BY as_of_date').all(accountId) as { as_of_date: string; amount_minor: number }[]).map((r) => ({
      date: r.as_of_date,
      amountMinor: r.amount_minor,
    }));
  }

  /** Adds a fetched range, merging it with overlapping or adjacent ones. */
  addCoverage(accountId: number, range: DateRange): void {
    const touching = this.db
      .prepare('SELECT from_date, to_date FROM coverage WHERE account_id = ? AND from_date <= ? AND to_date >= ?')
      .all(accountId, addDays(range.to, 1), addDays(range.from, -1)) as { from_date: string; to_date: string }[];
    let { from, to } = range;
    for (const r of touching) {
      from = minDate(from, r.from_date);
      to = maxDate(to, r.to_date);
    }
    const del = this.db.prepare('DELETE FROM coverage WHERE account_id = ? AND from_date = ?');
    for (const r of touching) del.run(accountId, r.from_date);
    this.db.prepare('INSERT INTO coverage (account_id, from_date, to_date) VALUES (?, ?, ?)').run(accountId, from, to);
  }

  coverage(accountId: number): DateRange[] {
    return (this.db.prepare('SELECT from_date, to_date FROM coverage WHERE account_id = ? ORDER BY from_date').all(accountId) as { from_date: string; to_date: string }[]).map((r) => ({
      from: r.from_date,
      to: r.to_date,
    }));
  }

  /** `coverage` of every account at once (status); an account with none is absent. */
  coverageByAccount(): Map<number, DateRange[]> {
    const out = new Map<number, DateRange[]>();
    const rows = this.db.prepare('SELECT account_id, from_date, to_date FROM coverage ORDER BY account_id, from_date').all() as { account_id: number; from_date: string; to_date: string }[];
    for (const r of rows) {
      const ranges = out.get(r.account_id);
      if (ranges) ranges.push({ from: r.from_date, to: r.to_date });
      else out.set(r.account_id, [{ from: r.from_date, to: r.to_date }]);
    }
    return out;
  }

  recordRefresh(accountId: number, at: string): void {
    this.db.prepare('INSERT INTO refreshes (account_id, at) VALUES (?, ?)').run(accountId, at);
  }

  refreshesSince(accountId: number, since: string): string[] {
    return (this.db.prepare('SELECT at FROM refreshes WHERE account_id = ? AND at >= ? ORDER BY at').all(accountId, since) as { at: string }[]).map((r) => r.at);
  }

  /** A request sent under a connection's token (retries included), for per-connection daily budgets. */
  recordConnectionRequest(connectionId: number, at: string): void {
    this.db.prepare('INSERT INTO connection_requests (connection_id, at) VALUES (?, ?)').run(connectionId, at);
  }

  connectionRequestsSince(connectionId: number, since: string): number {
    return (this.db.prepare('SELECT count(*) AS n FROM connection_requests WHERE connection_id = ? AND at >= ?').get(connectionId, since) as { n: number }).n;
  }

  /** `connectionRequestsSince` of every connection at once (status): connection id → requests. */
  connectionRequestsSinceByConnection(since: string): Map<number, number> {
    const rows = this.db.prepare('SELECT c.id, (SELECT count(*) FROM connection_requests WHERE connection_id = c.id AND at >= ?) FROM connections c').raw().all(since) as [number, number][];
    return new Map(rows);
  }

  recordError(e: { ref: string; at: string; connectionId: number | null; accountId: number | null; code: string; message: string }): void {
    this.db.prepare('INSERT OR REPLACE INTO errors (ref, at, connection_id, account_id, code, message) VALUES (?, ?, ?, ?, ?, ?)').run(e.ref, e.at, e.connectionId, e.accountId, e.code, e.message);
  }

  errorMessage(ref: string): string | undefined {
    const r = this.db.prepare('SELECT message FROM errors WHERE ref = ?').get(ref) as { message: string } | undefined;
    return r?.message;
  }

  /** The message of each account's last error (status), by error ref. */
  accountErrorMessages(): Map<string, string> {
    const rows = this.db.prepare('SELECT ref, message FROM errors WHERE ref IN (SELECT last_error_ref FROM accounts WHERE last_error_ref IS NOT NULL)').raw().all() as [string, string][];
    return new Map(rows);
  }
}
