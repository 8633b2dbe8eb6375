import type { StorePort } from '../../../src/store/port.js';
import type { PgPort } from '../../../src/store/postgres/port.js';
import { sqliteOf } from '../../../src/store/sqlite/file.js';

/**
 * Rows the exports, archive and transfers contract tests stand on (connections, accounts, stored
 * lines and their corrections), written with raw SQL on either store: the repositories that own
 * them (connections, accounts, transactions) are ported separately, and these tests must not
 * depend on them. Inside a unit of work (`db.write`) a statement joins that unit on both stores.
 *
 * Lines are inserted without touching `account_line_counts`: nothing here reads it, and on
 * PostgreSQL two writers updating one count row would wait on each other's row lock, which
 * would hide what the writer lock alone does (exports.test.ts, the concurrent writers).
 */
export interface NewLine {
  id: string;
  bookingDate: string;
  amountMinor: number;
  currency?: string;
  payee?: string | null;
  memo?: string | null;
  type?: string;
  externalId?: string | null;
  valueDate?: string | null;
  counterpartyIban?: string | null;
  source?: string;
}

export interface LineChange {
  bookingDate?: string;
  amountMinor?: number;
  payee?: string | null;
  memo?: string | null;
}

export interface Arrange {
  /** A connection and one account in it; the account's id. */
  account(name?: string): Promise<number>;
  /** A stored line (revision 0, live); its seq. */
  line(accountId: number, l: NewLine): Promise<number>;
  /** The bank corrected a line: a new revision (its former version goes to the history). */
  correct(id: string, change: LineChange, now: string): Promise<void>;
  /** The bank removed a line: a tombstone at a new revision. */
  remove(id: string, now: string): Promise<void>;
  /** `transactions ignore`: a tombstone of the user's at a new revision. */
  ignore(id: string, now: string): Promise<void>;
  /** `accounts merge`: the line moves to another account under a new seq, after every line stored so far; the new seq. */
  move(id: string, accountId: number): Promise<number>;
  seqOf(id: string): Promise<number>;
  /** An account deleted with its history (its lines, its share of the archive). */
  dropAccount(accountId: number): Promise<void>;
}

const NOW = '2026-11-01T00:00:00.000Z';

/** The statements of both stores in one dialect: `?` parameters, numbered for PostgreSQL. */
type Run = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

function runnerOf(db: StorePort): Run {
  if (db.kind === 'sqlite') {
    const raw = sqliteOf(db).db;
    return async (sql, params = []) => {
      const stmt = raw.prepare(sql);
      return stmt.reader ? (stmt.all(...params) as Record<string, unknown>[]) : (stmt.run(...params), []);
    };
  }
  const pg = (db as PgPort).sql;
  return (sql, params = []) => {
    let n = 0;
    return pg.rows(
      sql.replace(/\?/g, () => `$${++n}`),
      params,
    );
  };
}

export function arrange(db: StorePort): Arrange {
  const run = runnerOf(db);
  const one = async (sql: string, params?: unknown[]) => (await run(sql, params))[0]!;
  /** A new seq after every line stored so far: SQLite's max + 1 (as account-moves does), PostgreSQL's identity sequence. */
  const nextSeq = db.kind === 'sqlite' ? '(SELECT coalesce(max(seq), 0) + 1 FROM transactions)' : "nextval(pg_get_serial_sequence('transactions', 'seq'))";
  const seqOf = async (id: string) => (await one('SELECT seq FROM transactions WHERE id = ?', [id])).seq as number;
  let accounts = 0;
  return {
    async account(name = `Account ${++accounts}`) {
      const c = await one("INSERT INTO connections (provider_id, institution_id, institution_name, created_at, updated_at) VALUES ('sandbox', 'SANDBOX', 'Sandbox Bank', ?, ?) RETURNING id", [
        NOW,
        NOW,
      ]);
      const a = await one(
        "INSERT INTO accounts (connection_id, provider_id, institution_id, external_id, name, currency, kind, created_at) VALUES (?, 'sandbox', 'SANDBOX', ?, ?, 'EUR', 'checking', ?) RETURNING id",
        [c.id, name, name, NOW],
      );
      return a.id as number;
    },
    async line(accountId, l) {
      const r = await one(
        `INSERT INTO transactions (id, account_id, external_id, fingerprint, ordinal, booking_date, value_date, amount_minor, currency, payee, memo, type, counterparty_iban, source, first_seen_at, updated_at)
         VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
        [
          l.id,
          accountId,
          l.externalId ?? null,
          `fp:${l.id}`,
          l.bookingDate,
          l.valueDate ?? null,
          l.amountMinor,
          l.currency ?? 'EUR',
          l.payee ?? null,
          l.memo ?? null,
          l.type ?? 'transfer',
          l.counterpartyIban ?? null,
          l.source ?? 'sandbox',
          NOW,
          NOW,
        ],
      );
      return r.seq as number;
    },
    async correct(id, change, now) {
      const r = await one('SELECT booking_date, amount_minor, payee, memo FROM transactions WHERE id = ?', [id]);
      await run('UPDATE transactions SET booking_date = ?, amount_minor = ?, payee = ?, memo = ?, revision = revision + 1, updated_at = ? WHERE id = ?', [
        change.bookingDate ?? r.booking_date,
        change.amountMinor ?? r.amount_minor,
        change.payee === undefined ? r.payee : change.payee,
        change.memo === undefined ? r.memo : change.memo,
        now,
        id,
      ]);
    },
    async remove(id, now) {
      await run('UPDATE transactions SET removed_at = ?, revision = revision + 1, updated_at = ? WHERE id = ?', [now, now, id]);
    },
    async ignore(id, now) {
      await run("UPDATE transactions SET ignored_at = ?, ignored_reason = 'duplicate', revision = revision + 1, updated_at = ? WHERE id = ?", [now, now, id]);
    },
    async move(id, accountId) {
      await run(`UPDATE transactions SET account_id = ?, seq = ${nextSeq} WHERE id = ?`, [accountId, id]);
      return seqOf(id);
    },
    seqOf,
    async dropAccount(accountId) {
      await run('DELETE FROM accounts WHERE id = ?', [accountId]);
    },
  };
}
