import Database from 'better-sqlite3';
import { gunzipSync } from 'node:zlib';

/**
 * What a sync derives, per table, as ordered rows: for "replay equals fetch" comparisons.
 * Left out: transactions.seq (the row number; the order of the rows by seq is kept, so the
 * insertion order is compared) and pending_transactions.id / input_issues.id (row numbers).
 * Every timestamp stays in: replay writes each fetch at the instant it was made.
 */
export type DerivedDump = Record<'transactions' | 'transaction_history' | 'pending' | 'balances' | 'coverage' | 'input_issues' | 'accounts', unknown[]>;

export function derivedDump(path: string): DerivedDump {
  const db = new Database(path, { readonly: true });
  try {
    const all = (sql: string) => db.prepare(sql).all();
    return {
      transactions: all(
        `SELECT id, account_id, external_id, fingerprint, ordinal, booking_date, value_date, amount_minor, currency, payee, memo, type,
           counterparty_iban, source, first_seen_at, updated_at, revision, removed_at FROM transactions ORDER BY seq`,
      ),
      transaction_history: all('SELECT * FROM transaction_history ORDER BY transaction_id, revision'),
      pending: all(
        `SELECT account_id, dedupe_key, external_id, date, amount_minor, currency, payee, memo, status, transaction_id, first_seen_at, last_seen_at
         FROM pending_transactions ORDER BY account_id, dedupe_key`,
      ),
      balances: all('SELECT * FROM balances ORDER BY account_id, as_of_date'),
      coverage: all('SELECT * FROM coverage ORDER BY account_id, from_date'),
      input_issues: all('SELECT account_id, kind, key, severity, source, message, detail, first_seen_at, last_seen_at, times FROM input_issues ORDER BY account_id, kind, key'),
      accounts: all('SELECT id, watermark_date, opening_balance_minor, balance_drift_minor, feed_cursor FROM accounts ORDER BY id'),
    };
  } finally {
    db.close();
  }
}

/** Every archive body, decompressed, as text: for looking for secrets. */
export function archiveTexts(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT body FROM raw_archive ORDER BY id').all() as { body: Buffer }[]).map((r) => gunzipSync(r.body).toString('utf8'));
  } finally {
    db.close();
  }
}

/** Runs SQL against a database file (a test changing stored rows behind banksync's back). */
export function execSql(path: string, sql: string): void {
  const db = new Database(path);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}
