import type { Db } from './db.js';

/** A stored line as the transfer detector sees it. */
export interface TransferLine {
  id: string;
  seq: number;
  accountId: number;
  bookingDate: string;
  amountMinor: number;
  currency: string;
  payee: string | null;
  memo: string | null;
  counterpartyIban: string | null;
  removed: boolean;
}

export type PairHow = 'iban' | 'pattern' | 'manual';

export interface StoredPair {
  id: string;
  outId: string;
  inId: string;
  how: PairHow;
  foundAt: string;
}

/** One leg of a live pair, as exports and listings need it. */
export interface PairLeg {
  id: string;
  seq: number;
  accountId: number;
  bookingDate: string;
  amountMinor: number;
  currency: string;
}

export interface LivePair {
  id: string;
  how: PairHow;
  foundAt: string;
  out: PairLeg;
  in: PairLeg;
}

export type CandidateReason = 'no-partner' | 'ambiguous';

/** The columns of a TransferLine, from `transactions` under the alias `t`. */
const LINE_COLUMNS = `t.id, t.seq, t.account_id AS accountId, t.booking_date AS bookingDate, t.amount_minor AS amountMinor, t.currency,
  t.payee, t.memo, t.counterparty_iban AS counterpartyIban, t.removed_at IS NOT NULL AS removed`;
const PAIR_COLUMNS = 'id, out_id AS outId, in_id AS inId, how, found_at AS foundAt';

/** SQLite gives the removed flag as 0/1; set in place (detection reads every new line once). */
const toLine = (r: TransferLine): TransferLine => {
  r.removed = Boolean(r.removed);
  return r;
};

/**
 * Pairs of transfer legs (migration 009), the user's link/unlink decisions, the unpaired lines
 * that look like transfers, and the detector's read position. Prepared once: detection asks
 * these for every new line.
 */
export class TransferRepo {
  private readonly byAmount;
  private readonly inAmountWindow;
  private readonly byId;
  private readonly pairByLine;

  constructor(private readonly db: Db) {
    // Served by transactions_by_amount: a few rows per line, however many lines are stored.
    this.byAmount = db.prepare(
      `SELECT ${LINE_COLUMNS} FROM transactions t
       WHERE amount_minor BETWEEN ? AND ? AND booking_date BETWEEN ? AND ? AND removed_at IS NULL AND account_id <> ? ORDER BY seq`,
    );
    this.inAmountWindow = db.prepare(
      `SELECT ${LINE_COLUMNS} FROM transactions t
       WHERE amount_minor BETWEEN ? AND ? AND booking_date BETWEEN ? AND ? AND removed_at IS NULL ORDER BY seq`,
    );
    this.byId = db.prepare(`SELECT ${LINE_COLUMNS} FROM transactions t WHERE id = ?`);
    this.pairByLine = db.prepare(`SELECT ${PAIR_COLUMNS} FROM transfer_pairs WHERE out_id = ? OR in_id = ?`);
  }

  scannedSeq(): number {
    return (this.db.prepare('SELECT seq FROM transfer_scan WHERE id = 1').get() as { seq: number }).seq;
  }

  setScannedSeq(seq: number): void {
    this.db.prepare('UPDATE transfer_scan SET seq = ? WHERE id = 1').run(seq);
  }

  maxSeq(): number {
    return (this.db.prepare('SELECT coalesce(max(seq), 0) AS s FROM transactions').get() as { s: number }).s;
  }

  /** Live lines stored (or moved) after `seq`, in arrival order, streamed. */
  *linesAfter(seq: number): IterableIterator<TransferLine> {
    for (const r of this.db.prepare(`SELECT ${LINE_COLUMNS} FROM transactions t WHERE seq > ? AND removed_at IS NULL ORDER BY seq`).iterate(seq)) {
      yield toLine(r as TransferLine);
    }
  }

  /** Lines the bank corrected or removed since the last detection; the queue is emptied. */
  takeRevised(): string[] {
    const ids = (this.db.prepare('SELECT line_id FROM transfer_dirty').all() as { line_id: string }[]).map((r) => r.line_id);
    if (ids.length) this.db.prepare('DELETE FROM transfer_dirty').run();
    return ids;
  }

  line(id: string): TransferLine | undefined {
    const r = this.byId.get(id) as TransferLine | undefined;
    return r && toLine(r);
  }

  /** Live lines of other accounts with an amount in [lo, hi], booked from..to. */
  amountsBetween(lo: number, hi: number, from: string, to: string, notAccountId: number): TransferLine[] {
    return (this.byAmount.all(lo, hi, from, to, notAccountId) as TransferLine[]).map(toLine);
  }

  /** Live lines of every account with an amount in [lo, hi], booked from..to, in `seq` order. */
  amountWindow(lo: number, hi: number, from: string, to: string): TransferLine[] {
    return (this.inAmountWindow.all(lo, hi, from, to) as TransferLine[]).map(toLine);
  }

  pairOf(lineId: string): StoredPair | undefined {
    return this.pairByLine.get(lineId, lineId) as StoredPair | undefined;
  }

  addPair(p: StoredPair): void {
    this.db.prepare('INSERT INTO transfer_pairs (id, out_id, in_id, how, found_at) VALUES (?, ?, ?, ?, ?)').run(p.id, p.outId, p.inId, p.how, p.foundAt);
    this.db.prepare('DELETE FROM transfer_candidates WHERE line_id IN (?, ?)').run(p.outId, p.inId);
  }

  /** False when there was no such pair (already undone). */
  removePair(id: string): boolean {
    return this.db.prepare('DELETE FROM transfer_pairs WHERE id = ?').run(id).changes === 1;
  }

  setHow(id: string, how: PairHow): void {
    this.db.prepare('UPDATE transfer_pairs SET how = ? WHERE id = ?').run(how, id);
  }

  /** Every pair, with no regard to whether its lines are still live (the callers decide). */
  pairs(): StoredPair[] {
    return this.db.prepare(`SELECT ${PAIR_COLUMNS} FROM transfer_pairs ORDER BY found_at, id`).all() as StoredPair[];
  }

  /** Pairs with a leg in one of these accounts and both legs live (in two accounts), with both lines. */
  livePairsOf(accountIds: readonly number[]): LivePair[] {
    // Without a single pair the join below would still probe the pairs index once per live line
    // of the accounts (a tenth of a million-line export): most databases hold no pair at all.
    if (accountIds.length === 0 || this.db.prepare('SELECT 1 FROM transfer_pairs LIMIT 1').get() === undefined) return [];
    const list = accountIds.map(() => '?').join(',');
    const leg = (t: string) =>
      `${t}.id AS ${t}Id, ${t}.seq AS ${t}Seq, ${t}.account_id AS ${t}AccountId, ${t}.booking_date AS ${t}Date, ${t}.amount_minor AS ${t}Amount, ${t}.currency AS ${t}Currency`;
    const rows = this.db
      .prepare(
        `SELECT p.id, p.how, p.found_at AS foundAt, ${leg('o')}, ${leg('i')}
         FROM transfer_pairs p JOIN transactions o ON o.id = p.out_id JOIN transactions i ON i.id = p.in_id
         WHERE o.removed_at IS NULL AND i.removed_at IS NULL AND o.account_id <> i.account_id
           AND (o.account_id IN (${list}) OR i.account_id IN (${list}))
         ORDER BY o.booking_date, o.seq`,
      )
      .all(...accountIds, ...accountIds) as Record<string, string | number>[];
    const legOf = (r: Record<string, string | number>, t: string): PairLeg => ({
      id: r[`${t}Id`] as string,
      seq: r[`${t}Seq`] as number,
      accountId: r[`${t}AccountId`] as number,
      bookingDate: r[`${t}Date`] as string,
      amountMinor: r[`${t}Amount`] as number,
      currency: r[`${t}Currency`] as string,
    });
    return rows.map((r) => ({ id: r.id as string, how: r.how as PairHow, foundAt: r.foundAt as string, out: legOf(r, 'o'), in: legOf(r, 'i') }));
  }

  /** The user's word on two lines, if any. */
  decision(a: string, b: string): 'link' | 'unlink' | undefined {
    const [x, y] = a < b ? [a, b] : [b, a];
    const r = this.db.prepare('SELECT decision FROM transfer_decisions WHERE line_a = ? AND line_b = ?').get(x, y) as { decision: 'link' | 'unlink' } | undefined;
    return r?.decision;
  }

  decide(a: string, b: string, decision: 'link' | 'unlink', now: string): void {
    const [x, y] = a < b ? [a, b] : [b, a];
    this.db
      .prepare(
        `INSERT INTO transfer_decisions (line_a, line_b, decision, decided_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (line_a, line_b) DO UPDATE SET decision = excluded.decision, decided_at = excluded.decided_at`,
      )
      .run(x, y, decision, now);
  }

  links(): { a: string; b: string }[] {
    return this.db.prepare("SELECT line_a AS a, line_b AS b FROM transfer_decisions WHERE decision = 'link'").all() as { a: string; b: string }[];
  }

  setCandidate(lineId: string, bookingDate: string, reason: CandidateReason): void {
    this.db
      .prepare('INSERT INTO transfer_candidates (line_id, booking_date, reason) VALUES (?, ?, ?) ON CONFLICT (line_id) DO UPDATE SET reason = excluded.reason, booking_date = excluded.booking_date')
      .run(lineId, bookingDate, reason);
  }

  clearCandidates(): void {
    this.db.prepare('DELETE FROM transfer_candidates').run();
  }

  dropCandidate(lineId: string): void {
    this.db.prepare('DELETE FROM transfer_candidates WHERE line_id = ?').run(lineId);
  }

  /** Unpaired candidates booked from..to: new lines in that range may be their partners. */
  candidateIdsBetween(from: string, to: string): string[] {
    return (this.db.prepare('SELECT line_id FROM transfer_candidates WHERE booking_date BETWEEN ? AND ? ORDER BY booking_date, line_id').all(from, to) as { line_id: string }[]).map((r) => r.line_id);
  }

  /** Live candidate lines, oldest first. */
  candidates(): (TransferLine & { reason: CandidateReason })[] {
    return (
      this.db
        .prepare(
          `SELECT ${LINE_COLUMNS}, c.reason
           FROM transfer_candidates c JOIN transactions t ON t.id = c.line_id WHERE t.removed_at IS NULL ORDER BY t.booking_date, t.seq`,
        )
        .all() as (TransferLine & { reason: CandidateReason })[]
    ).map((r) => Object.assign(toLine(r), { reason: r.reason }));
  }
}
