import type { TransactionRow, WriteResult } from '../sqlite/transactions.js';
import type { Sql } from './port.js';

/**
 * `TransactionRepo.writeBatch` on PostgreSQL in a few statements whatever the batch's size,
 * with the outcomes SQLite's per-row `write` gives, in order.
 *
 * A write unit holds the writer lock (port.ts), so nothing changes between our statements: one
 * query reads what the batch's keys meet in the store, the dedupe ladder then runs here over the
 * rows in batch order (a row may repeat an id written earlier in the batch: a provider's newer
 * version), and what it decided is written by
 *  - one INSERT of the new lines, in batch order (their seq is their arrival order), which also
 *    counts them in account_line_counts (the insert itself counts nothing, as on SQLite);
 *  - one UPDATE per round of corrections: round k holds each line's k-th correction, so a line
 *    corrected twice in the batch is updated twice and the trigger keeps both earlier versions.
 *    A batch without repeats has at most one round.
 * Every statement still carries its own condition (no conflict; a field IS DISTINCT FROM), and
 * the rows each one touches are checked against the plan: a plan the store disagrees with fails
 * loudly rather than answering wrong outcomes.
 */
export async function writeBatch(sql: Sql, rows: readonly TransactionRow[], now: string): Promise<WriteResult[]> {
  if (!rows.length) return [];
  const plan = planBatch(rows, await readMet(sql, rows));
  if (plan.inserts.length) {
    const added = await insertLines(sql, plan.inserts, now);
    if (added !== plan.inserts.length) throw new Error(`writeBatch: ${added} of ${plan.inserts.length} new lines inserted`);
  }
  for (const round of plan.rounds) {
    const corrected = await correctLines(sql, round, now);
    if (corrected !== round.length) throw new Error(`writeBatch: ${corrected} of ${round.length} corrections applied`);
  }
  return plan.outcomes;
}

/** The fields a correction compares and sets: a stored line's as the ladder tracks it. */
interface Version {
  bookingDate: string;
  valueDate: string | null;
  amountMinor: number;
  payee: string | null;
  memo: string | null;
  type: string;
  counterpartyIban: string | null;
  removed: boolean;
}

/** What the store holds that the batch's rows may meet: line ids, provider ids with their version, fingerprint slots. */
interface Met {
  ids: Set<string>;
  byExternal: Map<string, Version>;
  slots: Set<string>;
}

const externalKey = (accountId: number, externalId: string): string => `${accountId}|${externalId}`;
const slotKey = (accountId: number, fingerprint: string, ordinal: number): string => `${accountId}|${ordinal}|${fingerprint}`;

const versionOf = (r: TransactionRow): Version => ({
  bookingDate: r.bookingDate,
  valueDate: r.valueDate ?? null,
  amountMinor: r.amountMinor,
  payee: r.payee ?? null,
  memo: r.memo ?? null,
  type: r.type,
  counterpartyIban: r.counterpartyIban ?? null,
  removed: false,
});

/** SQLite's correction condition: a provider field differs (NULLs included), or the line was removed. */
const differs = (stored: Version, next: Version): boolean =>
  stored.removed ||
  stored.bookingDate !== next.bookingDate ||
  stored.valueDate !== next.valueDate ||
  stored.amountMinor !== next.amountMinor ||
  stored.payee !== next.payee ||
  stored.memo !== next.memo ||
  stored.type !== next.type ||
  stored.counterpartyIban !== next.counterpartyIban;

interface MetRow {
  id: string;
  account_id: number;
  external_id: string | null;
  fingerprint: string;
  ordinal: number;
  booking_date: string;
  value_date: string | null;
  amount_minor: number;
  payee: string | null;
  memo: string | null;
  type: string;
  counterparty_iban: string | null;
  removed_at: string | null;
}

const MET_COLUMNS = 't.id, t.account_id, t.external_id, t.fingerprint, t.ordinal, t.booking_date, t.value_date, t.amount_minor, t.payee, t.memo, t.type, t.counterparty_iban, t.removed_at';

/** One query: the stored lines holding one of the batch's line ids, provider ids or fingerprint slots. */
async function readMet(sql: Sql, rows: readonly TransactionRow[]): Promise<Met> {
  const ids = new Set<string>();
  const external = new Map<string, [number, string]>();
  const slots = new Map<string, [number, string, number]>();
  for (const r of rows) {
    ids.add(r.id);
    if (r.externalId !== null) external.set(externalKey(r.accountId, r.externalId), [r.accountId, r.externalId]);
    else slots.set(slotKey(r.accountId, r.fingerprint, r.ordinal), [r.accountId, r.fingerprint, r.ordinal]);
  }
  const ext = [...external.values()];
  const slot = [...slots.values()];
  const found = await sql.rows<MetRow>(
    `SELECT ${MET_COLUMNS} FROM transactions t WHERE t.id = ANY($1::text[])
     UNION ALL
     SELECT ${MET_COLUMNS} FROM transactions t JOIN unnest($2::bigint[], $3::text[]) AS k(account_id, external_id)
       ON t.account_id = k.account_id AND t.external_id = k.external_id AND t.external_id IS NOT NULL
     UNION ALL
     SELECT ${MET_COLUMNS} FROM transactions t JOIN unnest($4::bigint[], $5::text[], $6::bigint[]) AS k(account_id, fingerprint, ordinal)
       ON t.account_id = k.account_id AND t.fingerprint = k.fingerprint AND t.ordinal = k.ordinal AND t.external_id IS NULL`,
    [[...ids], ext.map((k) => k[0]), ext.map((k) => k[1]), slot.map((k) => k[0]), slot.map((k) => k[1]), slot.map((k) => k[2])],
  );
  const met: Met = { ids: new Set(), byExternal: new Map(), slots: new Set() };
  for (const t of found) {
    met.ids.add(t.id);
    if (t.external_id === null) met.slots.add(slotKey(t.account_id, t.fingerprint, t.ordinal));
    else
      met.byExternal.set(externalKey(t.account_id, t.external_id), {
        bookingDate: t.booking_date,
        valueDate: t.value_date,
        amountMinor: t.amount_minor,
        payee: t.payee,
        memo: t.memo,
        type: t.type,
        counterpartyIban: t.counterparty_iban,
        removed: t.removed_at !== null,
      });
  }
  return met;
}

interface Plan {
  outcomes: WriteResult[];
  /** The rows to insert, in batch order. */
  inserts: TransactionRow[];
  /** Corrections: rounds[k] holds each provider id's (k+1)-th correction in the batch. */
  rounds: TransactionRow[][];
}

/**
 * SQLite's `write`, row by row over what the store holds plus what the rows before wrote:
 * - a provider id not held is inserted, else corrected when a field differs (or the line was
 *   removed), else unchanged. A new provider line whose line id is taken stays in the insert,
 *   which then fails as SQLite's does;
 * - a line without provider id is inserted unless its fingerprint slot or its line id is taken
 *   (INSERT OR IGNORE: any unique conflict leaves it out).
 */
function planBatch(rows: readonly TransactionRow[], met: Met): Plan {
  const outcomes = new Array<WriteResult>(rows.length);
  const inserts: TransactionRow[] = [];
  const rounds: TransactionRow[][] = [];
  const corrections = new Map<string, number>();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (r.externalId !== null) {
      const key = externalKey(r.accountId, r.externalId);
      const stored = met.byExternal.get(key);
      const next = versionOf(r);
      if (!stored) {
        inserts.push(r);
        met.byExternal.set(key, next);
        met.ids.add(r.id);
        outcomes[i] = 'inserted';
      } else if (differs(stored, next)) {
        const k = corrections.get(key) ?? 0;
        corrections.set(key, k + 1);
        (rounds[k] ??= []).push(r);
        met.byExternal.set(key, next);
        outcomes[i] = 'updated';
      } else {
        outcomes[i] = 'unchanged';
      }
      continue;
    }
    const slot = slotKey(r.accountId, r.fingerprint, r.ordinal);
    if (met.slots.has(slot) || met.ids.has(r.id)) {
      outcomes[i] = 'unchanged';
      continue;
    }
    inserts.push(r);
    met.slots.add(slot);
    met.ids.add(r.id);
    outcomes[i] = 'inserted';
  }
  return { outcomes, inserts, rounds };
}

/** The new lines in one statement, in batch order, counted as live in the same statement; how many were inserted. */
async function insertLines(sql: Sql, rows: readonly TransactionRow[], now: string): Promise<number> {
  const r = await sql.one<{ n: number }>(
    `WITH added AS (
       INSERT INTO transactions (id, account_id, external_id, fingerprint, ordinal, booking_date, value_date, amount_minor, currency,
         payee, memo, type, counterparty_iban, source, first_seen_at, updated_at)
       SELECT id, account_id, external_id, fingerprint, ordinal, booking_date, value_date, amount_minor, currency,
         payee, memo, type, counterparty_iban, source, $15, $15
       FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::bigint[], $9::text[],
         $10::text[], $11::text[], $12::text[], $13::text[], $14::text[]) WITH ORDINALITY
         AS r(id, account_id, external_id, fingerprint, ordinal, booking_date, value_date, amount_minor, currency,
           payee, memo, type, counterparty_iban, source, n)
       ORDER BY n
       RETURNING account_id
     ), counted AS (
       UPDATE account_line_counts c SET live = c.live + a.n
       FROM (SELECT account_id, count(*) AS n FROM added GROUP BY account_id) a WHERE c.account_id = a.account_id
     )
     SELECT count(*) AS n FROM added`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.accountId),
      rows.map((r) => r.externalId),
      rows.map((r) => r.fingerprint),
      rows.map((r) => r.ordinal),
      rows.map((r) => r.bookingDate),
      rows.map((r) => r.valueDate ?? null),
      rows.map((r) => r.amountMinor),
      rows.map((r) => r.currency),
      rows.map((r) => r.payee ?? null),
      rows.map((r) => r.memo ?? null),
      rows.map((r) => r.type),
      rows.map((r) => r.counterpartyIban ?? null),
      rows.map((r) => r.source),
      now,
    ],
  );
  return r!.n;
}

/** One round of corrections (each provider id at most once); how many lines were updated. */
async function correctLines(sql: Sql, rows: readonly TransactionRow[], now: string): Promise<number> {
  return sql.run(
    `UPDATE transactions t SET booking_date = r.booking_date, value_date = r.value_date, amount_minor = r.amount_minor, payee = r.payee,
       memo = r.memo, type = r.type, counterparty_iban = r.counterparty_iban, fingerprint = r.fingerprint, updated_at = $11,
       removed_at = NULL, revision = t.revision + 1
     FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
       AS r(account_id, external_id, booking_date, value_date, amount_minor, payee, memo, type, counterparty_iban, fingerprint)
     WHERE t.account_id = r.account_id AND t.external_id = r.external_id AND t.external_id IS NOT NULL
       AND (t.booking_date IS DISTINCT FROM r.booking_date OR t.value_date IS DISTINCT FROM r.value_date
         OR t.amount_minor IS DISTINCT FROM r.amount_minor OR t.payee IS DISTINCT FROM r.payee OR t.memo IS DISTINCT FROM r.memo
         OR t.type IS DISTINCT FROM r.type OR t.counterparty_iban IS DISTINCT FROM r.counterparty_iban OR t.removed_at IS NOT NULL)`,
    [
      rows.map((r) => r.accountId),
      rows.map((r) => r.externalId),
      rows.map((r) => r.bookingDate),
      rows.map((r) => r.valueDate ?? null),
      rows.map((r) => r.amountMinor),
      rows.map((r) => r.payee ?? null),
      rows.map((r) => r.memo ?? null),
      rows.map((r) => r.type),
      rows.map((r) => r.counterpartyIban ?? null),
      rows.map((r) => r.fingerprint),
      now,
    ],
  );
}
