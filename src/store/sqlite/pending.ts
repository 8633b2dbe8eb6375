import type { PendingLine } from '../../domain/model.js';
import type { Db } from './db.js';

export interface PendingRow {
  accountId: number;
  dedupeKey: string;
  externalId: string | null;
  date: string;
  amountMinor: number;
  currency: string;
  payee: string | null;
  memo: string | null;
}

export interface StoredPending extends PendingLine {
  rowId: number;
  dedupeKey: string;
  lastSeenAt: string;
}

export interface PendingRecordRow {
  id: number;
  account_id: number;
  dedupe_key: string;
  external_id: string | null;
  date: string;
  amount_minor: number;
  currency: string;
  payee: string | null;
  memo: string | null;
  status: PendingLine['status'];
  transaction_id: string | null;
  last_seen_at: string;
}

export const pendingFromRow = (r: PendingRecordRow): StoredPending => ({
  rowId: r.id,
  accountId: r.account_id,
  dedupeKey: r.dedupe_key,
  externalId: r.external_id,
  date: r.date,
  amountMinor: r.amount_minor,
  currency: r.currency,
  payee: r.payee,
  memo: r.memo,
  status: r.status,
  transactionId: r.transaction_id,
  lastSeenAt: r.last_seen_at,
});

export class PendingRepo {
  constructor(private readonly db: Db) {}

  /** Records a line of the current pending snapshot; a line already linked to a booked one stays linked. */
  upsert(p: PendingRow, now: string): void {
    this.db
      .prepare(
        `INSERT INTO pending_transactions (account_id, dedupe_key, external_id, date, amount_minor, currency, payee, memo,
           first_seen_at, last_seen_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (account_id, dedupe_key) DO UPDATE SET
           date = excluded.date, amount_minor = excluded.amount_minor, payee = excluded.payee, memo = excluded.memo,
           last_seen_at = excluded.last_seen_at,
           status = CASE WHEN status = 'booked' THEN 'booked' ELSE 'pending' END`,
      )
      .run(p.accountId, p.dedupeKey, p.externalId, p.date, p.amountMinor, p.currency, p.payee, p.memo, now, now);
  }

  /** Pending lines not yet resolved (still pending, or gone from the snapshot without a match). */
  open(accountId: number): StoredPending[] {
    return (this.db.prepare(`SELECT * FROM pending_transactions WHERE account_id = ? AND status = 'pending' ORDER BY date, id`).all(accountId) as PendingRecordRow[]).map(pendingFromRow);
  }

  /** Transaction ids already claimed by some pending line, so one booked line links once. */
  linkedTransactionIds(accountId: number): Set<string> {
    const rows = this.db.prepare(`SELECT transaction_id FROM pending_transactions WHERE account_id = ? AND transaction_id IS NOT NULL`).all(accountId) as { transaction_id: string }[];
    return new Set(rows.map((r) => r.transaction_id));
  }

  link(rowId: number, transactionId: string): void {
    this.db.prepare(`UPDATE pending_transactions SET status = 'booked', transaction_id = ? WHERE id = ?`).run(transactionId, rowId);
  }

  /** The open line a provider names as gone (cursor feeds' removed pending ids). */
  openByExternalId(accountId: number, externalId: string): StoredPending | undefined {
    const r = this.db.prepare(`SELECT * FROM pending_transactions WHERE account_id = ? AND external_id = ? AND status = 'pending' ORDER BY id LIMIT 1`).get(accountId, externalId) as
      | PendingRecordRow
      | undefined;
    return r && pendingFromRow(r);
  }

  /**
   * Links the line under this key to the booked line that names it (pendingRef), even when it was
   * already given up as vanished: the provider's own link beats an earlier guess. True when linked.
   */
  linkByKey(accountId: number, dedupeKey: string, transactionId: string): boolean {
    return (
      this.db.prepare(`UPDATE pending_transactions SET status = 'booked', transaction_id = ? WHERE account_id = ? AND dedupe_key = ? AND status != 'booked'`).run(transactionId, accountId, dedupeKey)
        .changes === 1
    );
  }

  /** Pending lines resolved as this booked line (explain). */
  linkedTo(transactionId: string): StoredPending[] {
    return (this.db.prepare('SELECT * FROM pending_transactions WHERE transaction_id = ? ORDER BY date, id').all(transactionId) as PendingRecordRow[]).map(pendingFromRow);
  }

  markVanished(rowId: number): void {
    this.db.prepare(`UPDATE pending_transactions SET status = 'vanished' WHERE id = ?`).run(rowId);
  }

  list(q: { accountIds?: number[]; from?: string; to?: string; status?: PendingLine['status'] }): StoredPending[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.accountIds) {
      where.push(`account_id IN (${q.accountIds.map(() => '?').join(',')})`);
      params.push(...q.accountIds);
    }
    if (q.from) {
      where.push('date >= ?');
      params.push(q.from);
    }
    if (q.to) {
      where.push('date <= ?');
      params.push(q.to);
    }
    if (q.status) {
      where.push('status = ?');
      params.push(q.status);
    }
    const sql = `SELECT * FROM pending_transactions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY account_id, date, id`;
    return (this.db.prepare(sql).all(...params) as PendingRecordRow[]).map(pendingFromRow);
  }

  countOpen(accountId: number): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM pending_transactions WHERE account_id = ? AND status = 'pending'`).get(accountId) as { n: number }).n;
  }
}
