import type { Async } from '../port.js';
import type { AccountMoves, MovableLine, MovableLineRow } from '../sqlite/account-moves.js';
import { movableLineFromRow } from '../sqlite/account-moves.js';
import type { Sql } from './port.js';

/**
 * The next seq after every line stored so far, taken from the column's identity sequence and
 * moved past max(seq) if anything is above it: a seq given by hand must never be one the
 * sequence hands out to a later insert (SQLite's rowid has no sequence to keep in step).
 */
const NEXT_SEQ = `SELECT setval(pg_get_serial_sequence('transactions', 'seq'),
  GREATEST(nextval(pg_get_serial_sequence('transactions', 'seq')), (SELECT coalesce(max(seq), 0) + 1 FROM transactions))) AS s`;

/** The SQL behind `accounts delete` and `accounts merge` (see the SQLite AccountMoves). */
export class PgAccountMoves implements Async<AccountMoves> {
  constructor(private readonly sql: Sql) {}

  async lines(accountId: number): Promise<MovableLine[]> {
    const rows = await this.sql.rows<MovableLineRow>(
      'SELECT seq, id, external_id, fingerprint, booking_date, amount_minor, payee, memo, source, removed_at FROM transactions WHERE account_id = $1 ORDER BY seq',
      [accountId],
    );
    return rows.map(movableLineFromRow);
  }

  async idOfExternal(accountId: number, externalId: string): Promise<string | undefined> {
    return (await this.sql.one<{ id: string }>('SELECT id FROM transactions WHERE account_id = $1 AND external_id = $2', [accountId, externalId]))?.id;
  }

  async nextOrdinal(accountId: number, fingerprint: string): Promise<number> {
    return (await this.sql.one<{ n: number }>('SELECT coalesce(max(ordinal) + 1, 0) AS n FROM transactions WHERE account_id = $1 AND fingerprint = $2 AND external_id IS NULL', [
      accountId,
      fingerprint,
    ]))!.n;
  }

  /** Moves a line to another account under a new seq (after every line stored so far), keeping its id. */
  async moveLine(seq: number, accountId: number, ordinal: number): Promise<number> {
    const next = (await this.sql.one<{ s: number }>(NEXT_SEQ))!.s;
    await this.sql.run('UPDATE transactions SET account_id = $1, ordinal = $2, seq = $3 WHERE seq = $4', [accountId, ordinal, next, seq]);
    return next;
  }

  async renumber(seq: number): Promise<number> {
    const next = (await this.sql.one<{ s: number }>(NEXT_SEQ))!.s;
    await this.sql.run('UPDATE transactions SET seq = $1 WHERE seq = $2', [next, seq]);
    return next;
  }

  async markSent(targetId: number, transactionId: string): Promise<void> {
    await this.sql.run('INSERT INTO export_sent (target_id, transaction_id, revision, removed) VALUES ($1, $2, 0, 0) ON CONFLICT DO NOTHING', [targetId, transactionId]);
  }

  async deleteLine(id: string, keptAs: string): Promise<void> {
    await this.sql.run('UPDATE pending_transactions SET transaction_id = $1 WHERE transaction_id = $2', [keptAs, id]);
    await this.forgetLines('WHERE id = $1', id);
    await this.sql.run('DELETE FROM transactions WHERE id = $1', [id]);
  }

  async forgetAccount(accountId: number): Promise<void> {
    await this.forgetLines('WHERE account_id = $1', accountId);
    await this.sql.run('DELETE FROM errors WHERE account_id = $1', [accountId]);
  }

  /** Rows no foreign key removes with a line: history, export bookkeeping, origins and decisions. */
  private async forgetLines(where: string, value: unknown): Promise<void> {
    const ids = `(SELECT id FROM transactions ${where})`;
    for (const table of ['transaction_history', 'export_sent', 'line_origins', 'merge_refusals', 'line_decisions', 'export_annotations']) {
      await this.sql.run(`DELETE FROM ${table} WHERE transaction_id IN ${ids}`, [value]);
    }
  }

  /**
   * Pending lines, findings and balances the other account lacks move to it; the rest go with
   * the account. SQLite's UPDATE OR IGNORE skips a row whose key the other account holds: here
   * the same rows are left out by NOT EXISTS (a failed statement would abort the transaction).
   */
  async moveSideRows(from: number, into: number): Promise<void> {
    await this.sql.run(
      `UPDATE pending_transactions p SET account_id = $1 WHERE p.account_id = $2
         AND NOT EXISTS (SELECT 1 FROM pending_transactions q WHERE q.account_id = $1 AND q.dedupe_key = p.dedupe_key)`,
      [into, from],
    );
    await this.sql.run(
      `UPDATE input_issues i SET account_id = $1 WHERE i.account_id = $2
         AND NOT EXISTS (SELECT 1 FROM input_issues j WHERE j.account_id = $1 AND j.kind = i.kind AND j.key = i.key)`,
      [into, from],
    );
    await this.sql.run(
      `INSERT INTO balances (account_id, as_of_date, amount_minor, fetched_at) SELECT $1, as_of_date, amount_minor, fetched_at FROM balances WHERE account_id = $2
       ON CONFLICT DO NOTHING`,
      [into, from],
    );
  }

  async setTargetScope(targetId: number, scope: unknown): Promise<void> {
    await this.sql.run('UPDATE export_targets SET scope = $1 WHERE id = $2', [JSON.stringify(scope), targetId]);
  }

  async deleteTarget(targetId: number): Promise<void> {
    await this.sql.run('DELETE FROM export_targets WHERE id = $1', [targetId]);
  }
}
