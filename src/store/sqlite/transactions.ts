import type { Transaction, TransactionType } from '../../domain/model.js';
import type { Db } from './db.js';
import type { Statement } from 'better-sqlite3';

/** A row ready for the store: a stored line's fields plus the dedupe keys core/dedupe computed. */
export interface TransactionRow extends Transaction {
  fingerprint: string;
  ordinal: number;
}

export type WriteResult = 'inserted' | 'updated' | 'unchanged';

/** A stored line a file line is compared with. */
export interface StoredCandidate {
  id: string;
  externalId: string | null;
  fingerprint: string;
  payee: string | null;
  memo: string | null;
  source: string;
}

interface StoredRow {
  id: string;
  account_id: number;
  external_id: string | null;
  booking_date: string;
  value_date: string | null;
  amount_minor: number;
  currency: string;
  payee: string | null;
  memo: string | null;
  type: TransactionType;
  counterparty_iban: string | null;
  source: string;
}

export const transactionFromRow = (r: StoredRow): Transaction => ({
  id: r.id,
  accountId: r.account_id,
  externalId: r.external_id,
  bookingDate: r.booking_date,
  valueDate: r.value_date,
  amountMinor: r.amount_minor,
  currency: r.currency,
  payee: r.payee,
  memo: r.memo,
  type: r.type,
  counterpartyIban: r.counterparty_iban,
  source: r.source,
});

export interface TransactionQuery {
  accountIds?: number[];
  from?: string;
  to?: string;
  /** Lines a person ignored (`transactions ignore`): listed with the others unless 'hide', alone with 'only'. */
  ignored?: 'hide' | 'only';
}

/** One stored line with its bookkeeping, as `explain` and `unmerge` read it. */
export interface StoredLine extends Transaction {
  fingerprint: string;
  ordinal: number;
  revision: number;
  removedAt: string | null;
  ignoredAt: string | null;
  ignoredReason: string | null;
  firstSeenAt: string;
  updatedAt: string;
}

/** Keys per `IN (…)` query: under SQLite's 32,766 parameters, and a statement short enough to prepare cheaply. */
const IN_CHUNK = 500;

export class TransactionRepo {
  private readonly insertByExternal;
  private readonly correctByExternal;
  private readonly insertByFingerprint;
  private readonly countInserted;

  // File imports ask these for every line: prepared once.
  private readonly byDateAndAmount;
  private readonly byExternalId;
  private readonly idStored;
  private readonly countFingerprint;

  constructor(private readonly db: Db) {
    this.byDateAndAmount = db.prepare(
      `SELECT id, external_id AS externalId, fingerprint, payee, memo, source FROM transactions
       WHERE account_id = ? AND booking_date = ? AND amount_minor = ? AND removed_at IS NULL ORDER BY seq`,
    );
    this.byExternalId = db.prepare('SELECT 1 FROM transactions WHERE account_id = ? AND external_id = ?');
    this.idStored = db.prepare('SELECT 1 FROM transactions WHERE id = ?');
    this.countFingerprint = db.prepare('SELECT count(*) AS n FROM transactions WHERE account_id = ? AND fingerprint = ? AND external_id IS NULL');
    // A provider may correct a booked line under the same id (amount, text): keep the newest.
    // An insert that does nothing when the id is stored, then an update only for a stored id,
    // rather than one INSERT … DO UPDATE: that upsert can fire the revision triggers, so SQLite
    // copied every page each insert touched into a statement journal, kept in a temporary file
    // once one statement spilled past 64 KiB (three to five page writes a line; the largest
    // cost of a large sync or import). The plain insert needs no statement journal.
    this.insertByExternal = db.prepare(`
      INSERT INTO transactions (id, account_id, external_id, fingerprint, ordinal, booking_date, value_date,
        amount_minor, currency, payee, memo, type, counterparty_iban, source, first_seen_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (account_id, external_id) WHERE external_id IS NOT NULL DO NOTHING`);
    this.correctByExternal = db.prepare(`
      UPDATE transactions SET booking_date = ?, value_date = ?, amount_minor = ?, payee = ?, memo = ?, type = ?,
        counterparty_iban = ?, fingerprint = ?, updated_at = ?, removed_at = NULL, revision = revision + 1
      WHERE account_id = ? AND external_id = ?
        AND (booking_date IS NOT ? OR value_date IS NOT ? OR amount_minor IS NOT ? OR payee IS NOT ? OR memo IS NOT ?
          OR type IS NOT ? OR counterparty_iban IS NOT ? OR removed_at IS NOT NULL)`);
    // Migration 012's count of live lines: a separate statement, so the insert stays trigger-free.
    this.countInserted = db.prepare('UPDATE account_line_counts SET live = live + 1 WHERE account_id = ?');
    this.insertByFingerprint = db.prepare(`
      INSERT OR IGNORE INTO transactions (id, account_id, external_id, fingerprint, ordinal, booking_date,
        value_date, amount_minor, currency, payee, memo, type, counterparty_iban, source, first_seen_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  }

  /** Writes one row under the dedupe ladder; the caller wraps a page in one transaction. */
  write(row: TransactionRow, now: string): WriteResult {
    // Positional parameters: no object built per line (a large sync writes a million).
    if (row.externalId !== null) {
      if (this.insert(this.insertByExternal, row, now)) return this.inserted(row.accountId);
      return this.correctByExternal.run(
        row.bookingDate,
        row.valueDate,
        row.amountMinor,
        row.payee,
        row.memo,
        row.type,
        row.counterpartyIban,
        row.fingerprint,
        now,
        row.accountId,
        row.externalId,
        row.bookingDate,
        row.valueDate,
        row.amountMinor,
        row.payee,
        row.memo,
        row.type,
        row.counterpartyIban,
      ).changes === 1
        ? 'updated'
        : 'unchanged';
    }
    return this.insert(this.insertByFingerprint, row, now) ? this.inserted(row.accountId) : 'unchanged';
  }

  /**
   * Writes rows in order under the dedupe ladder, each as `write` would (a row may repeat an id
   * written earlier in the same batch: a provider's newer version of a line). One call for a
   * sync's write batch or an import's parse batch, so a store across a network pays one round
   * trip for it, not one per line.
   */
  writeBatch(rows: readonly TransactionRow[], now: string): WriteResult[] {
    const outcomes = new Array<WriteResult>(rows.length);
    for (let i = 0; i < rows.length; i++) outcomes[i] = this.write(rows[i]!, now);
    return outcomes;
  }

  /** One insert statement's run with the row's 16 columns; true when a row was added. */
  private insert(stmt: Statement, row: TransactionRow, now: string): boolean {
    return stmt.run(...insertValues(row, now)).changes === 1;
  }

  /** A new line is live: counted here, in the writer's transaction (see migration 012). */
  private inserted(accountId: number): 'inserted' {
    this.countInserted.run(accountId);
    return 'inserted';
  }

  markRemoved(accountId: number, externalIds: string[], now: string): number {
    const stmt = this.db.prepare('UPDATE transactions SET removed_at = ?, updated_at = ?, revision = revision + 1 WHERE account_id = ? AND external_id = ? AND removed_at IS NULL');
    let n = 0;
    for (const id of externalIds) n += stmt.run(now, now, accountId, id).changes;
    return n;
  }

  latestBookingDate(accountId: number): string | null {
    const r = this.db.prepare('SELECT max(booking_date) AS d FROM transactions WHERE account_id = ? AND removed_at IS NULL').get(accountId) as { d: string | null };
    return r.d;
  }

  /** Live (not removed) lines of an account: kept by triggers (migration 012), not counted. */
  count(accountId: number): number {
    const kept = this.db.prepare('SELECT live FROM account_line_counts WHERE account_id = ?').get(accountId) as { live: number } | undefined;
    // Every account has its row; an id that is no account has no lines.
    return kept?.live ?? 0;
  }

  /** `count` of every account at once (one query, not one per account): account id → live lines. */
  liveCounts(): Map<number, number> {
    const rows = this.db.prepare('SELECT account_id AS id, live FROM account_line_counts').all() as { id: number; live: number }[];
    return new Map(rows.map((r) => [r.id, r.live]));
  }

  /**
   * Sum of booked amounts up to and including a date: the bridge from a reported balance. With
   * `currency`, only the lines in that currency (the report never sums across currencies).
   */
  sumThrough(accountId: number, date: string, currency?: string): number {
    return (
      this.db
        .prepare(`SELECT coalesce(sum(amount_minor), 0) AS s FROM transactions WHERE account_id = ? AND booking_date <= ? AND removed_at IS NULL${currency ? ' AND currency = ?' : ''}`)
        .get(accountId, date, ...(currency ? [currency] : [])) as { s: number }
    ).s;
  }

  /** Streams booked rows in statement order (date, then arrival), without loading them all. */
  *iterate(q: TransactionQuery): IterableIterator<Transaction> {
    const where = ['removed_at IS NULL'];
    const params: unknown[] = [];
    if (q.accountIds) {
      where.push(`account_id IN (${q.accountIds.map(() => '?').join(',')})`);
      params.push(...q.accountIds);
    }
    if (q.from) {
      where.push('booking_date >= ?');
      params.push(q.from);
    }
    if (q.to) {
      where.push('booking_date <= ?');
      params.push(q.to);
    }
    if (q.ignored) where.push(q.ignored === 'hide' ? 'ignored_at IS NULL' : 'ignored_at IS NOT NULL');
    const stmt = this.db.prepare(
      `SELECT id, account_id, external_id, booking_date, value_date, amount_minor, currency, payee, memo, type,
              counterparty_iban, source
       FROM transactions WHERE ${where.join(' AND ')} ORDER BY account_id, booking_date, seq`,
    );
    for (const row of stmt.iterate(...params)) yield transactionFromRow(row as StoredRow);
  }

  /** A line stored under this id, live or removed. */
  isStored(id: string): boolean {
    return this.idStored.get(id) !== undefined;
  }

  byId(id: string): StoredLine | undefined {
    const r = this.db.prepare('SELECT * FROM transactions WHERE id = ?').get(id) as
      | (StoredRow & {
          fingerprint: string;
          ordinal: number;
          revision: number;
          removed_at: string | null;
          ignored_at: string | null;
          ignored_reason: string | null;
          first_seen_at: string;
          updated_at: string;
        })
      | undefined;
    if (!r) return undefined;
    return {
      ...transactionFromRow(r),
      fingerprint: r.fingerprint,
      ordinal: r.ordinal,
      revision: r.revision,
      removedAt: r.removed_at,
      ignoredAt: r.ignored_at,
      ignoredReason: r.ignored_reason,
      firstSeenAt: r.first_seen_at,
      updatedAt: r.updated_at,
    };
  }

  /** The versions a line had before each correction, oldest first (transaction_history). */
  history(id: string): {
    revision: number;
    bookingDate: string;
    valueDate: string | null;
    amountMinor: number;
    payee: string | null;
    memo: string | null;
    type: string;
    counterpartyIban: string | null;
    replacedAt: string;
  }[] {
    return this.db
      .prepare(
        `SELECT revision, booking_date AS bookingDate, value_date AS valueDate, amount_minor AS amountMinor, payee, memo, type,
                counterparty_iban AS counterpartyIban, replaced_at AS replacedAt
         FROM transaction_history WHERE transaction_id = ? ORDER BY revision`,
      )
      .all(id) as ReturnType<TransactionRepo['history']>;
  }

  /** Booked lines of an account in a date window, for pending-to-booked linking. */
  inWindow(accountId: number, from: string, to: string): Transaction[] {
    return (
      this.db.prepare(`SELECT * FROM transactions WHERE account_id = ? AND booking_date BETWEEN ? AND ? AND removed_at IS NULL ORDER BY booking_date, seq`).all(accountId, from, to) as StoredRow[]
    ).map(transactionFromRow);
  }

  /** Live lines of an account with this date and amount: where a file line may already be stored. */
  sameDateAndAmount(accountId: number, date: string, amountMinor: number): StoredCandidate[] {
    return this.byDateAndAmount.all(accountId, date, amountMinor) as StoredCandidate[];
  }

  /** The source of a stored line (a sync asks it only when a line without provider id met one already stored). */
  sourceOf(id: string): string | undefined {
    return (this.db.prepare('SELECT source FROM transactions WHERE id = ?').get(id) as { source: string } | undefined)?.source;
  }

  /** The source of each of these ids that is stored (live or removed): `isStored` and `sourceOf` for a batch of lines. */
  sourcesOf(ids: readonly string[]): Map<string, string> {
    const out = new Map<string, string>();
    this.inChunks(
      ids,
      (part) => `SELECT id AS k, source AS v FROM transactions WHERE id IN (${part})`,
      [],
      (r: { k: string; v: string }) => {
        out.set(r.k, r.v);
        return r.k;
      },
    );
    return out;
  }

  /** Which of these provider or file ids the account holds: `hasExternalId` for a batch of lines. */
  externalIdsStored(accountId: number, externalIds: readonly string[]): Set<string> {
    return this.inChunks(
      externalIds,
      (part) => `SELECT external_id AS k FROM transactions WHERE account_id = ? AND external_id IN (${part})`,
      [accountId],
      (r: { k: string }) => r.k,
    );
  }

  /** `fingerprintCount` for a batch of fingerprints: only those with a stored line appear. */
  fingerprintCounts(accountId: number, fingerprints: readonly string[]): Map<string, number> {
    const out = new Map<string, number>();
    this.inChunks(
      fingerprints,
      (part) => `SELECT fingerprint AS k, count(*) AS n FROM transactions WHERE account_id = ? AND external_id IS NULL AND fingerprint IN (${part}) GROUP BY fingerprint`,
      [accountId],
      (r: { k: string; n: number }) => {
        out.set(r.k, r.n);
        return r.k;
      },
    );
    return out;
  }

  /** Runs an `IN (…)` query over distinct keys, a chunk at a time (SQLite caps a statement's parameters). */
  private inChunks<R>(keys: readonly string[], sql: (placeholders: string) => string, head: unknown[], take: (row: R) => string): Set<string> {
    const found = new Set<string>();
    const distinct = [...new Set(keys)];
    for (let i = 0; i < distinct.length; i += IN_CHUNK) {
      const part = distinct.slice(i, i + IN_CHUNK);
      const stmt = this.db.prepare(sql(part.map(() => '?').join(',')));
      for (const row of stmt.all(...head, ...part) as R[]) found.add(take(row));
    }
    return found;
  }

  hasExternalId(accountId: number, externalId: string): boolean {
    return this.byExternalId.get(accountId, externalId) !== undefined;
  }

  /** Lines stored under this fingerprint without a provider id: the next one gets this ordinal. */
  fingerprintCount(accountId: number, fingerprint: string): number {
    return (this.countFingerprint.get(accountId, fingerprint) as { n: number }).n;
  }

  /** True when the account holds no line at all, removed ones included (an import then needs no dedupe query). */
  isEmpty(accountId: number): boolean {
    return this.db.prepare('SELECT 1 FROM transactions WHERE account_id = ? LIMIT 1').get(accountId) === undefined;
  }

  /** Every live line booked FROM..TO (what sameDateAndAmount would return for each of those days), in arrival order; `otherThan` leaves out one source's. */
  *candidatesBetween(accountId: number, from: string, to: string, otherThan?: string): IterableIterator<StoredCandidate & { bookingDate: string; amountMinor: number }> {
    yield* this.db
      .prepare(
        `SELECT id, external_id AS externalId, fingerprint, payee, memo, source, booking_date AS bookingDate, amount_minor AS amountMinor FROM transactions
         WHERE account_id = ? AND booking_date BETWEEN ? AND ? AND removed_at IS NULL${otherThan === undefined ? '' : ' AND source <> ?'} ORDER BY seq`,
      )
      .iterate(accountId, from, to, ...(otherThan === undefined ? [] : [otherThan])) as IterableIterator<StoredCandidate & { bookingDate: string; amountMinor: number }>;
  }
}

/** A new line's 16 column values, in the order both stores' INSERTs list them. */
export const insertValues = (row: TransactionRow, now: string): unknown[] => [
  row.id,
  row.accountId,
  row.externalId,
  row.fingerprint,
  row.ordinal,
  row.bookingDate,
  row.valueDate,
  row.amountMinor,
  row.currency,
  row.payee,
  row.memo,
  row.type,
  row.counterpartyIban,
  row.source,
  now,
  now,
];
