import type { Async } from '../port.js';
import type { CandidateReason, LivePair, PairHow, PairLeg, StoredPair, TransferLine, TransferRepo } from '../sqlite/transfers.js';
import type { Sql } from './port.js';

/** The columns of a TransferLine, from `transactions` under the alias `t` (the removed flag comes as a boolean). */
const LINE_COLUMNS = `t.id, t.seq, t.account_id AS "accountId", t.booking_date AS "bookingDate", t.amount_minor AS "amountMinor", t.currency,
  t.payee, t.memo, t.counterparty_iban AS "counterpartyIban", t.removed_at IS NOT NULL AS removed`;
const PAIR_COLUMNS = 'id, out_id AS "outId", in_id AS "inId", how, found_at AS "foundAt"';

interface LegRow {
  id: string;
  how: PairHow;
  found_at: string;
  o_id: string;
  o_seq: number;
  o_account: number;
  o_date: string;
  o_amount: number;
  o_currency: string;
  i_id: string;
  i_seq: number;
  i_account: number;
  i_date: string;
  i_amount: number;
  i_currency: string;
}

const legOf = (r: LegRow, t: 'o' | 'i'): PairLeg => ({
  id: r[`${t}_id`],
  seq: r[`${t}_seq`],
  accountId: r[`${t}_account`],
  bookingDate: r[`${t}_date`],
  amountMinor: r[`${t}_amount`],
  currency: r[`${t}_currency`],
});

/**
 * Transfer pairs, the user's link/unlink decisions, the candidates and the detector's read
 * position (see the SQLite TransferRepo, the specification).
 *
 * The read position (`transfer_scan.seq`) is a watermark over `seq` as the export's is: it holds
 * because detection runs inside a writing unit, under the port's writer lock (port.ts), so no
 * line with a smaller seq can still be uncommitted when it reads `maxSeq`.
 */
export class PgTransferRepo implements Async<TransferRepo> {
  constructor(private readonly sql: Sql) {}

  async scannedSeq(): Promise<number> {
    return (await this.sql.one<{ seq: number }>('SELECT seq FROM transfer_scan WHERE id = 1'))!.seq;
  }

  async setScannedSeq(seq: number): Promise<void> {
    await this.sql.run('UPDATE transfer_scan SET seq = $1 WHERE id = 1', [seq]);
  }

  async maxSeq(): Promise<number> {
    return (await this.sql.one<{ s: number }>('SELECT coalesce(max(seq), 0) AS s FROM transactions'))!.s;
  }

  /** Live lines stored (or moved) after `seq`, in arrival order, in pages. */
  async *linesAfter(seq: number): AsyncGenerator<TransferLine[]> {
    yield* this.sql.pages<TransferLine>(`SELECT ${LINE_COLUMNS} FROM transactions t WHERE seq > $1 AND removed_at IS NULL ORDER BY seq`, [seq]);
  }

  /** Lines the bank corrected or removed since the last detection, by id as SQLite's key gives them; the queue is emptied. */
  async takeRevised(): Promise<string[]> {
    const rows = await this.sql.rows<{ line_id: string }>('WITH taken AS (DELETE FROM transfer_dirty RETURNING line_id) SELECT line_id FROM taken ORDER BY line_id');
    return rows.map((r) => r.line_id);
  }

  async line(id: string): Promise<TransferLine | undefined> {
    return this.sql.one<TransferLine>(`SELECT ${LINE_COLUMNS} FROM transactions t WHERE id = $1`, [id]);
  }

  /** Live lines of other accounts with an amount in [lo, hi], booked from..to. */
  async amountsBetween(lo: number, hi: number, from: string, to: string, notAccountId: number): Promise<TransferLine[]> {
    return this.sql.rows<TransferLine>(
      `SELECT ${LINE_COLUMNS} FROM transactions t
       WHERE amount_minor BETWEEN $1 AND $2 AND booking_date BETWEEN $3 AND $4 AND removed_at IS NULL AND account_id <> $5 ORDER BY seq`,
      [lo, hi, from, to, notAccountId],
    );
  }

  /** Live lines of every account with an amount in [lo, hi], booked from..to, in `seq` order. */
  async amountWindow(lo: number, hi: number, from: string, to: string): Promise<TransferLine[]> {
    return this.sql.rows<TransferLine>(
      `SELECT ${LINE_COLUMNS} FROM transactions t
       WHERE amount_minor BETWEEN $1 AND $2 AND booking_date BETWEEN $3 AND $4 AND removed_at IS NULL ORDER BY seq`,
      [lo, hi, from, to],
    );
  }

  async pairOf(lineId: string): Promise<StoredPair | undefined> {
    return this.sql.one<StoredPair>(`SELECT ${PAIR_COLUMNS} FROM transfer_pairs WHERE out_id = $1 OR in_id = $1 LIMIT 1`, [lineId]);
  }

  /** The pair, and its legs are no longer candidates: one statement. */
  async addPair(p: StoredPair): Promise<void> {
    await this.sql.run(
      `WITH pair AS (INSERT INTO transfer_pairs (id, out_id, in_id, how, found_at) VALUES ($1, $2, $3, $4, $5))
       DELETE FROM transfer_candidates WHERE line_id IN ($2, $3)`,
      [p.id, p.outId, p.inId, p.how, p.foundAt],
    );
  }

  /** False when there was no such pair (already undone). */
  async removePair(id: string): Promise<boolean> {
    return (await this.sql.run('DELETE FROM transfer_pairs WHERE id = $1', [id])) === 1;
  }

  async setHow(id: string, how: PairHow): Promise<void> {
    await this.sql.run('UPDATE transfer_pairs SET how = $1 WHERE id = $2', [how, id]);
  }

  /** Every pair, with no regard to whether its lines are still live (the callers decide). */
  async pairs(): Promise<StoredPair[]> {
    return this.sql.rows<StoredPair>(`SELECT ${PAIR_COLUMNS} FROM transfer_pairs ORDER BY found_at, id`);
  }

  /** Pairs with a leg in one of these accounts and both legs live (in two accounts), with both lines. */
  async livePairsOf(accountIds: readonly number[]): Promise<LivePair[]> {
    if (accountIds.length === 0) return [];
    const leg = (t: string) =>
      `${t}.id AS ${t}_id, ${t}.seq AS ${t}_seq, ${t}.account_id AS ${t}_account, ${t}.booking_date AS ${t}_date, ${t}.amount_minor AS ${t}_amount, ${t}.currency AS ${t}_currency`;
    const rows = await this.sql.rows<LegRow>(
      `SELECT p.id, p.how, p.found_at, ${leg('o')}, ${leg('i')}
       FROM transfer_pairs p JOIN transactions o ON o.id = p.out_id JOIN transactions i ON i.id = p.in_id
       WHERE o.removed_at IS NULL AND i.removed_at IS NULL AND o.account_id <> i.account_id
         AND (o.account_id = ANY($1::bigint[]) OR i.account_id = ANY($1::bigint[]))
       ORDER BY o.booking_date, o.seq`,
      [accountIds],
    );
    return rows.map((r) => ({ id: r.id, how: r.how, foundAt: r.found_at, out: legOf(r, 'o'), in: legOf(r, 'i') }));
  }

  /** The user's word on two lines, if any. */
  async decision(a: string, b: string): Promise<'link' | 'unlink' | undefined> {
    const [x, y] = a < b ? [a, b] : [b, a];
    return (await this.sql.one<{ decision: 'link' | 'unlink' }>('SELECT decision FROM transfer_decisions WHERE line_a = $1 AND line_b = $2', [x, y]))?.decision;
  }

  async decide(a: string, b: string, decision: 'link' | 'unlink', now: string): Promise<void> {
    const [x, y] = a < b ? [a, b] : [b, a];
    await this.sql.run(
      `INSERT INTO transfer_decisions (line_a, line_b, decision, decided_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (line_a, line_b) DO UPDATE SET decision = excluded.decision, decided_at = excluded.decided_at`,
      [x, y, decision, now],
    );
  }

  /**
   * The links the user made. SQLite gives them in the order they were first decided (its table's
   * rowid, no ORDER BY); PostgreSQL has no such order, so they come by the time of the decision.
   */
  async links(): Promise<{ a: string; b: string }[]> {
    return this.sql.rows<{ a: string; b: string }>("SELECT line_a AS a, line_b AS b FROM transfer_decisions WHERE decision = 'link' ORDER BY decided_at, line_a, line_b");
  }

  async setCandidate(lineId: string, bookingDate: string, reason: CandidateReason): Promise<void> {
    await this.sql.run(
      'INSERT INTO transfer_candidates (line_id, booking_date, reason) VALUES ($1, $2, $3) ON CONFLICT (line_id) DO UPDATE SET reason = excluded.reason, booking_date = excluded.booking_date',
      [lineId, bookingDate, reason],
    );
  }

  async clearCandidates(): Promise<void> {
    await this.sql.run('DELETE FROM transfer_candidates');
  }

  async dropCandidate(lineId: string): Promise<void> {
    await this.sql.run('DELETE FROM transfer_candidates WHERE line_id = $1', [lineId]);
  }

  /** Unpaired candidates booked from..to: new lines in that range may be their partners. */
  async candidateIdsBetween(from: string, to: string): Promise<string[]> {
    const rows = await this.sql.rows<{ line_id: string }>('SELECT line_id FROM transfer_candidates WHERE booking_date BETWEEN $1 AND $2 ORDER BY booking_date, line_id', [from, to]);
    return rows.map((r) => r.line_id);
  }

  /** Live candidate lines, oldest first. */
  async candidates(): Promise<(TransferLine & { reason: CandidateReason })[]> {
    return this.sql.rows<TransferLine & { reason: CandidateReason }>(
      `SELECT ${LINE_COLUMNS}, c.reason
       FROM transfer_candidates c JOIN transactions t ON t.id = c.line_id WHERE t.removed_at IS NULL ORDER BY t.booking_date, t.seq`,
    );
  }
}
