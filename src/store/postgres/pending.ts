import type { PendingLine } from '../../domain/model.js';
import type { Async } from '../port.js';
import type { PendingRecordRow as Row, PendingRepo, PendingRow, StoredPending } from '../sqlite/pending.js';
import { pendingFromRow as fromRow } from '../sqlite/pending.js';
import type { Sql } from './port.js';

const COLUMNS = 'id, account_id, dedupe_key, external_id, date, amount_minor, currency, payee, memo, status, transaction_id, last_seen_at';

/** Pending (not yet booked) lines and their link to the booked line (see the SQLite PendingRepo). */
export class PgPendingRepo implements Async<PendingRepo> {
  constructor(private readonly sql: Sql) {}

  /** Records a line of the current pending snapshot; a line already linked to a booked one stays linked. */
  async upsert(p: PendingRow, now: string): Promise<void> {
    await this.sql.run(
      `INSERT INTO pending_transactions AS t (account_id, dedupe_key, external_id, date, amount_minor, currency, payee, memo,
         first_seen_at, last_seen_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
       ON CONFLICT (account_id, dedupe_key) DO UPDATE SET
         date = excluded.date, amount_minor = excluded.amount_minor, payee = excluded.payee, memo = excluded.memo,
         last_seen_at = excluded.last_seen_at,
         status = CASE WHEN t.status = 'booked' THEN 'booked' ELSE 'pending' END`,
      [p.accountId, p.dedupeKey, p.externalId, p.date, p.amountMinor, p.currency, p.payee, p.memo, now],
    );
  }

  async open(accountId: number): Promise<StoredPending[]> {
    return (await this.sql.rows<Row>(`SELECT ${COLUMNS} FROM pending_transactions WHERE account_id = $1 AND status = 'pending' ORDER BY date, id`, [accountId])).map(fromRow);
  }

  async linkedTransactionIds(accountId: number): Promise<Set<string>> {
    const rows = await this.sql.rows<{ transaction_id: string }>('SELECT transaction_id FROM pending_transactions WHERE account_id = $1 AND transaction_id IS NOT NULL', [accountId]);
    return new Set(rows.map((r) => r.transaction_id));
  }

  async link(rowId: number, transactionId: string): Promise<void> {
    await this.sql.run(`UPDATE pending_transactions SET status = 'booked', transaction_id = $1 WHERE id = $2`, [transactionId, rowId]);
  }

  async openByExternalId(accountId: number, externalId: string): Promise<StoredPending | undefined> {
    const r = await this.sql.one<Row>(`SELECT ${COLUMNS} FROM pending_transactions WHERE account_id = $1 AND external_id = $2 AND status = 'pending' ORDER BY id LIMIT 1`, [accountId, externalId]);
    return r && fromRow(r);
  }

  /** Links the line under this key to the booked line that names it, even one given up as vanished. True when linked. */
  async linkByKey(accountId: number, dedupeKey: string, transactionId: string): Promise<boolean> {
    return (
      (await this.sql.run(`UPDATE pending_transactions SET status = 'booked', transaction_id = $1 WHERE account_id = $2 AND dedupe_key = $3 AND status <> 'booked'`, [
        transactionId,
        accountId,
        dedupeKey,
      ])) === 1
    );
  }

  async linkedTo(transactionId: string): Promise<StoredPending[]> {
    return (await this.sql.rows<Row>(`SELECT ${COLUMNS} FROM pending_transactions WHERE transaction_id = $1 ORDER BY date, id`, [transactionId])).map(fromRow);
  }

  async markVanished(rowId: number): Promise<void> {
    await this.sql.run(`UPDATE pending_transactions SET status = 'vanished' WHERE id = $1`, [rowId]);
  }

  async list(q: { accountIds?: number[]; from?: string; to?: string; status?: PendingLine['status'] }): Promise<StoredPending[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.accountIds) {
      params.push(q.accountIds);
      where.push(`account_id = ANY($${params.length}::bigint[])`);
    }
    if (q.from) {
      params.push(q.from);
      where.push(`date >= $${params.length}`);
    }
    if (q.to) {
      params.push(q.to);
      where.push(`date <= $${params.length}`);
    }
    if (q.status) {
      params.push(q.status);
      where.push(`status = $${params.length}`);
    }
    const sql = `SELECT ${COLUMNS} FROM pending_transactions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY account_id, date, id`;
    return (await this.sql.rows<Row>(sql, params)).map(fromRow);
  }

  async countOpen(accountId: number): Promise<number> {
    return (await this.sql.one<{ n: number }>(`SELECT count(*) AS n FROM pending_transactions WHERE account_id = $1 AND status = 'pending'`, [accountId]))!.n;
  }
}
