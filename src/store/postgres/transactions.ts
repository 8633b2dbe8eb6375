import type { Transaction } from '../../domain/model.js';
import type { Async } from '../port.js';
import type { StoredCandidate, StoredLine, TransactionQuery, TransactionRepo, TransactionRow, WriteResult } from '../sqlite/transactions.js';
import { insertValues, transactionFromRow } from '../sqlite/transactions.js';
import type { Sql } from './port.js';
import { writeBatch } from './write-batch.js';

/** The columns a stored line is read back with (transactionFromRow's shape). */
const LINE_COLUMNS = 'id, account_id, external_id, booking_date, value_date, amount_minor, currency, payee, memo, type, counterparty_iban, source';
const CANDIDATE_COLUMNS = 'id, external_id AS "externalId", fingerprint, payee, memo, source';

/** The 16 columns an insert gives, in the order `insertValues` lists them. */
const INSERT_COLUMNS = `id, account_id, external_id, fingerprint, ordinal, booking_date, value_date, amount_minor, currency, payee, memo, type,
  counterparty_iban, source, first_seen_at, updated_at`;

type StoredLineRow = Parameters<typeof transactionFromRow>[0] & {
  fingerprint: string;
  ordinal: number;
  revision: number;
  removed_at: string | null;
  ignored_at: string | null;
  ignored_reason: string | null;
  first_seen_at: string;
  updated_at: string;
};

/** Stored lines and their dedupe ladder (see the SQLite TransactionRepo, the specification). */
export class PgTransactionRepo implements Async<TransactionRepo> {
  constructor(private readonly sql: Sql) {}

  /** Writes one row under the dedupe ladder; the caller wraps a page in one unit. */
  async write(row: TransactionRow, now: string): Promise<WriteResult> {
    if (row.externalId !== null) {
      const added = await this.sql.run(
        `INSERT INTO transactions (${INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         ON CONFLICT (account_id, external_id) WHERE external_id IS NOT NULL DO NOTHING`,
        insertValues(row, now),
      );
      if (added === 1) return this.inserted(row.accountId);
      // A provider may correct a booked line under the same id: only a changed field (or a
      // removed line sent again) is a new revision; the trigger keeps the version it replaces.
      const corrected = await this.sql.run(
        `UPDATE transactions SET booking_date = $1, value_date = $2, amount_minor = $3, payee = $4, memo = $5, type = $6,
           counterparty_iban = $7, fingerprint = $8, updated_at = $9, removed_at = NULL, revision = revision + 1
         WHERE account_id = $10 AND external_id = $11
           AND (booking_date IS DISTINCT FROM $1 OR value_date IS DISTINCT FROM $2 OR amount_minor IS DISTINCT FROM $3
             OR payee IS DISTINCT FROM $4 OR memo IS DISTINCT FROM $5 OR type IS DISTINCT FROM $6
             OR counterparty_iban IS DISTINCT FROM $7 OR removed_at IS NOT NULL)`,
        [row.bookingDate, row.valueDate, row.amountMinor, row.payee, row.memo, row.type, row.counterpartyIban, row.fingerprint, now, row.accountId, row.externalId],
      );
      return corrected === 1 ? 'updated' : 'unchanged';
    }
    // INSERT OR IGNORE: any unique conflict (fingerprint and ordinal, or the id) leaves the row out.
    const added = await this.sql.run(
      `INSERT INTO transactions (${INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT DO NOTHING`,
      insertValues(row, now),
    );
    return added === 1 ? this.inserted(row.accountId) : 'unchanged';
  }

  /**
   * Writes rows in order, each as `write` would (a row may repeat an id written earlier in the
   * batch): a sync's write batch or an import's parse batch in a few statements, not one round
   * trip per line (write-batch.ts).
   */
  async writeBatch(rows: readonly TransactionRow[], now: string): Promise<WriteResult[]> {
    return writeBatch(this.sql, rows, now);
  }

  /** A new line is live: counted by the writer, not by a trigger on insert (migration 001, as SQLite's 012). */
  private async inserted(accountId: number): Promise<'inserted'> {
    await this.sql.run('UPDATE account_line_counts SET live = live + 1 WHERE account_id = $1', [accountId]);
    return 'inserted';
  }

  async markRemoved(accountId: number, externalIds: string[], now: string): Promise<number> {
    // One statement for the list; a repeated id counts once, as the per-id loop's second run found it removed.
    return this.sql.run(
      `UPDATE transactions SET removed_at = $1, updated_at = $1, revision = revision + 1
       WHERE account_id = $2 AND external_id = ANY($3::text[]) AND removed_at IS NULL`,
      [now, accountId, externalIds],
    );
  }

  async latestBookingDate(accountId: number): Promise<string | null> {
    return (await this.sql.one<{ d: string | null }>('SELECT max(booking_date) AS d FROM transactions WHERE account_id = $1 AND removed_at IS NULL', [accountId]))!.d;
  }

  /** Live lines of an account: kept by triggers and the writer (migration 001), not counted. */
  async count(accountId: number): Promise<number> {
    return (await this.sql.one<{ live: number }>('SELECT live FROM account_line_counts WHERE account_id = $1', [accountId]))?.live ?? 0;
  }

  async liveCounts(): Promise<Map<number, number>> {
    const rows = await this.sql.rows<{ id: number; live: number }>('SELECT account_id AS id, live FROM account_line_counts');
    return new Map(rows.map((r) => [r.id, r.live]));
  }

  async sumThrough(accountId: number, date: string, currency?: string): Promise<number> {
    const r = await this.sql.one<{ s: number }>(
      `SELECT coalesce(sum(amount_minor), 0) AS s FROM transactions WHERE account_id = $1 AND booking_date <= $2 AND removed_at IS NULL${currency ? ' AND currency = $3' : ''}`,
      currency ? [accountId, date, currency] : [accountId, date],
    );
    return r!.s;
  }

  /** Booked rows in statement order (account, date, arrival), in pages through a cursor. */
  async *iterate(q: TransactionQuery): AsyncIterable<Transaction[]> {
    const where = ['removed_at IS NULL'];
    const params: unknown[] = [];
    if (q.accountIds) {
      params.push(q.accountIds);
      where.push(`account_id = ANY($${params.length}::bigint[])`);
    }
    if (q.from) {
      params.push(q.from);
      where.push(`booking_date >= $${params.length}`);
    }
    if (q.to) {
      params.push(q.to);
      where.push(`booking_date <= $${params.length}`);
    }
    if (q.ignored) where.push(q.ignored === 'hide' ? 'ignored_at IS NULL' : 'ignored_at IS NOT NULL');
    const pages = this.sql.pages<Parameters<typeof transactionFromRow>[0]>(`SELECT ${LINE_COLUMNS} FROM transactions WHERE ${where.join(' AND ')} ORDER BY account_id, booking_date, seq`, params);
    for await (const page of pages) yield page.map(transactionFromRow);
  }

  async isStored(id: string): Promise<boolean> {
    return (await this.sql.one('SELECT 1 FROM transactions WHERE id = $1', [id])) !== undefined;
  }

  async byId(id: string): Promise<StoredLine | undefined> {
    const r = await this.sql.one<StoredLineRow>('SELECT * FROM transactions WHERE id = $1', [id]);
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

  async history(id: string): Promise<Awaited<ReturnType<TransactionRepo['history']>>> {
    return this.sql.rows(
      `SELECT revision, booking_date AS "bookingDate", value_date AS "valueDate", amount_minor AS "amountMinor", payee, memo, type,
              counterparty_iban AS "counterpartyIban", replaced_at AS "replacedAt"
       FROM transaction_history WHERE transaction_id = $1 ORDER BY revision`,
      [id],
    );
  }

  async inWindow(accountId: number, from: string, to: string): Promise<Transaction[]> {
    const rows = await this.sql.rows<Parameters<typeof transactionFromRow>[0]>(
      `SELECT ${LINE_COLUMNS} FROM transactions WHERE account_id = $1 AND booking_date BETWEEN $2 AND $3 AND removed_at IS NULL ORDER BY booking_date, seq`,
      [accountId, from, to],
    );
    return rows.map(transactionFromRow);
  }

  async sameDateAndAmount(accountId: number, date: string, amountMinor: number): Promise<StoredCandidate[]> {
    return this.sql.rows<StoredCandidate>(`SELECT ${CANDIDATE_COLUMNS} FROM transactions WHERE account_id = $1 AND booking_date = $2 AND amount_minor = $3 AND removed_at IS NULL ORDER BY seq`, [
      accountId,
      date,
      amountMinor,
    ]);
  }

  async sourceOf(id: string): Promise<string | undefined> {
    return (await this.sql.one<{ source: string }>('SELECT source FROM transactions WHERE id = $1', [id]))?.source;
  }

  /** One statement for the whole batch: the ids as one array parameter. */
  async sourcesOf(ids: readonly string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows = await this.sql.rows<{ k: string; v: string }>('SELECT id AS k, source AS v FROM transactions WHERE id = ANY($1::text[])', [distinct(ids)]);
    return new Map(rows.map((r) => [r.k, r.v]));
  }

  async externalIdsStored(accountId: number, externalIds: readonly string[]): Promise<Set<string>> {
    if (!externalIds.length) return new Set();
    const rows = await this.sql.rows<{ k: string }>('SELECT external_id AS k FROM transactions WHERE account_id = $1 AND external_id = ANY($2::text[])', [accountId, distinct(externalIds)]);
    return new Set(rows.map((r) => r.k));
  }

  async fingerprintCounts(accountId: number, fingerprints: readonly string[]): Promise<Map<string, number>> {
    if (!fingerprints.length) return new Map();
    const rows = await this.sql.rows<{ k: string; n: number }>(
      'SELECT fingerprint AS k, count(*) AS n FROM transactions WHERE account_id = $1 AND external_id IS NULL AND fingerprint = ANY($2::text[]) GROUP BY fingerprint',
      [accountId, distinct(fingerprints)],
    );
    return new Map(rows.map((r) => [r.k, r.n]));
  }

  async hasExternalId(accountId: number, externalId: string): Promise<boolean> {
    return (await this.sql.one('SELECT 1 FROM transactions WHERE account_id = $1 AND external_id = $2', [accountId, externalId])) !== undefined;
  }

  async fingerprintCount(accountId: number, fingerprint: string): Promise<number> {
    return (await this.sql.one<{ n: number }>('SELECT count(*) AS n FROM transactions WHERE account_id = $1 AND fingerprint = $2 AND external_id IS NULL', [accountId, fingerprint]))!.n;
  }

  async isEmpty(accountId: number): Promise<boolean> {
    return (await this.sql.one('SELECT 1 FROM transactions WHERE account_id = $1 LIMIT 1', [accountId])) === undefined;
  }

  /** Every live line booked FROM..TO in arrival order, in pages; `otherThan` leaves out one source's. */
  async *candidatesBetween(accountId: number, from: string, to: string, otherThan?: string): AsyncIterable<(StoredCandidate & { bookingDate: string; amountMinor: number })[]> {
    yield* this.sql.pages<StoredCandidate & { bookingDate: string; amountMinor: number }>(
      `SELECT ${CANDIDATE_COLUMNS}, booking_date AS "bookingDate", amount_minor AS "amountMinor" FROM transactions
       WHERE account_id = $1 AND booking_date BETWEEN $2 AND $3 AND removed_at IS NULL${otherThan === undefined ? '' : ' AND source <> $4'} ORDER BY seq`,
      otherThan === undefined ? [accountId, from, to] : [accountId, from, to, otherThan],
    );
  }
}

/** Each key once: the array parameter of an `= ANY(…)` needs no repeats. */
const distinct = (keys: readonly string[]): string[] => [...new Set(keys)];
