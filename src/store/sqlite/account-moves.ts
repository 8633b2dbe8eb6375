import type { Db } from './db.js';

/** A stored line as a merge sees it: enough to dedupe it against the other account and move it. */
export interface MovableLine {
  seq: number;
  id: string;
  externalId: string | null;
  fingerprint: string;
  bookingDate: string;
  amountMinor: number;
  payee: string | null;
  memo: string | null;
  source: string;
  removed: boolean;
}

/**
 * The SQL behind `accounts delete` and `accounts merge`: rows no foreign key cascades (errors,
 * transaction history, what export targets were sent) and lines moved from one account to
 * another. Callers run these inside one transaction (Store.tx).
 */
export class AccountMoves {
  constructor(private readonly db: Db) {}

  lines(accountId: number): MovableLine[] {
    const rows = this.db
      .prepare(
        `SELECT seq, id, external_id, fingerprint, booking_date, amount_minor, payee, memo, source, removed_at
         FROM transactions WHERE account_id = ? ORDER BY seq`,
      )
      .all(accountId) as MovableLineRow[];
    return rows.map(movableLineFromRow);
  }

  /** The line of the account stored under this provider (or file) id, removed or not. */
  idOfExternal(accountId: number, externalId: string): string | undefined {
    return (this.db.prepare('SELECT id FROM transactions WHERE account_id = ? AND external_id = ?').get(accountId, externalId) as { id: string } | undefined)?.id;
  }

  /** The next free ordinal under a fingerprint without a provider id (removed lines hold theirs: the unique index counts them). */
  nextOrdinal(accountId: number, fingerprint: string): number {
    return (
      this.db.prepare('SELECT coalesce(max(ordinal) + 1, 0) AS n FROM transactions WHERE account_id = ? AND fingerprint = ? AND external_id IS NULL').get(accountId, fingerprint) as { n: number }
    ).n;
  }

  /**
   * Moves a line to another account under a new seq (after every line stored so far), keeping its
   * banksync id: an importer that dedupes by FITID or `id:` recognises it.
   */
  moveLine(seq: number, accountId: number, ordinal: number): number {
    const next = (this.db.prepare('SELECT coalesce(max(seq), 0) + 1 AS s FROM transactions').get() as { s: number }).s;
    this.db.prepare('UPDATE transactions SET account_id = ?, ordinal = ?, seq = ? WHERE seq = ?').run(accountId, ordinal, next, seq);
    return next;
  }

  /** Gives a line a new seq (after every line stored so far) without moving it. */
  renumber(seq: number): number {
    const next = (this.db.prepare('SELECT coalesce(max(seq), 0) + 1 AS s FROM transactions').get() as { s: number }).s;
    this.db.prepare('UPDATE transactions SET seq = ? WHERE seq = ?').run(next, seq);
    return next;
  }

  /** A line a target received before it got a new seq: sent at revision 0 unless a later one is recorded. */
  markSent(targetId: number, transactionId: string): void {
    this.db.prepare('INSERT OR IGNORE INTO export_sent (target_id, transaction_id, revision, removed) VALUES (?, ?, 0, 0)').run(targetId, transactionId);
  }

  /** Deletes one line of a merged account (the other account holds it), and what refers to it. */
  deleteLine(id: string, keptAs: string): void {
    this.db.prepare('UPDATE pending_transactions SET transaction_id = ? WHERE transaction_id = ?').run(keptAs, id);
    this.forgetLines('WHERE id = ?', id);
    this.db.prepare('DELETE FROM transactions WHERE id = ?').run(id);
  }

  /** Rows no foreign key removes with an account: error records, line history and origins, export bookkeeping. */
  forgetAccount(accountId: number): void {
    this.forgetLines('WHERE account_id = ?', accountId);
    this.db.prepare('DELETE FROM errors WHERE account_id = ?').run(accountId);
  }

  private forgetLines(where: string, value: unknown): void {
    const ids = `(SELECT id FROM transactions ${where})`;
    this.db.prepare(`DELETE FROM transaction_history WHERE transaction_id IN ${ids}`).run(value);
    this.db.prepare(`DELETE FROM export_sent WHERE transaction_id IN ${ids}`).run(value);
    for (const table of ['line_origins', 'merge_refusals', 'line_decisions']) this.db.prepare(`DELETE FROM ${table} WHERE transaction_id IN ${ids}`).run(value);
    this.db.prepare(`DELETE FROM export_annotations WHERE transaction_id IN ${ids}`).run(value);
  }

  /** Pending lines, findings and balances the other account lacks move to it; the rest go with the account. */
  moveSideRows(from: number, into: number): void {
    this.db.prepare('UPDATE OR IGNORE pending_transactions SET account_id = ? WHERE account_id = ?').run(into, from);
    this.db.prepare('UPDATE OR IGNORE input_issues SET account_id = ? WHERE account_id = ?').run(into, from);
    this.db
      .prepare('INSERT OR IGNORE INTO balances (account_id, as_of_date, amount_minor, fetched_at) SELECT ?, as_of_date, amount_minor, fetched_at FROM balances WHERE account_id = ?')
      .run(into, from);
  }

  /** Rewrites an export target's filters (an account it listed was deleted or merged). */
  setTargetScope(targetId: number, scope: unknown): void {
    this.db.prepare('UPDATE export_targets SET scope = ? WHERE id = ?').run(JSON.stringify(scope), targetId);
  }

  deleteTarget(targetId: number): void {
    this.db.prepare('DELETE FROM export_targets WHERE id = ?').run(targetId);
  }
}

/** A line as `lines` reads it, on either store. */
export interface MovableLineRow {
  seq: number;
  id: string;
  external_id: string | null;
  fingerprint: string;
  booking_date: string;
  amount_minor: number;
  payee: string | null;
  memo: string | null;
  source: string;
  removed_at: string | null;
}

export const movableLineFromRow = (r: MovableLineRow): MovableLine => ({
  seq: r.seq,
  id: r.id,
  externalId: r.external_id,
  fingerprint: r.fingerprint,
  bookingDate: r.booking_date,
  amountMinor: r.amount_minor,
  payee: r.payee,
  memo: r.memo,
  source: r.source,
  removed: r.removed_at !== null,
});
