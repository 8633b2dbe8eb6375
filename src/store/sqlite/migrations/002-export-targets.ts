import type { Migration } from './migration.js';

/**
 * Incremental export (M19): what each named target has been sent, and the earlier versions of
 * corrected lines so a journal can reverse exactly what it received before.
 */
export const v2ExportTargets: Migration = {
  version: 2,
  description: 'export targets, transaction history, indexes for counts and corrections',
  up(db) {
    db.exec(`
      CREATE TABLE export_targets (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        format TEXT NOT NULL,
        -- the filters the target was defined with (JSON), reused when a later run gives none
        scope TEXT NOT NULL,
        -- every transaction with seq <= last_seq has been sent (unless it was removed before)
        last_seq INTEGER NOT NULL DEFAULT 0,
        last_count INTEGER,
        exported_at TEXT,
        created_at TEXT NOT NULL
      );

      -- Only lines sent at a revision above 0 or re-sent after a change are listed here, so the
      -- table stays small: a line absent from it was sent (if at all) at revision 0.
      CREATE TABLE export_sent (
        target_id INTEGER NOT NULL REFERENCES export_targets(id) ON DELETE CASCADE,
        transaction_id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        -- the target was last sent this line's removal
        removed INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (target_id, transaction_id)
      ) WITHOUT ROWID;

      -- Counts an account's live lines (status, accounts) from a small index instead of the table.
      CREATE INDEX transactions_live ON transactions (account_id) WHERE removed_at IS NULL;

      -- Finds corrected lines without scanning the whole table.
      CREATE INDEX transactions_revised ON transactions (seq) WHERE revision > 0;

      -- The version of a line before each correction or removal.
      CREATE TABLE transaction_history (
        transaction_id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        booking_date TEXT NOT NULL,
        value_date TEXT,
        amount_minor INTEGER NOT NULL,
        payee TEXT,
        memo TEXT,
        type TEXT NOT NULL,
        counterparty_iban TEXT,
        replaced_at TEXT NOT NULL,
        PRIMARY KEY (transaction_id, revision)
      ) WITHOUT ROWID;

      CREATE TRIGGER transactions_keep_history AFTER UPDATE OF revision ON transactions
      WHEN new.revision > old.revision
      BEGIN
        INSERT OR REPLACE INTO transaction_history (transaction_id, revision, booking_date, value_date,
          amount_minor, payee, memo, type, counterparty_iban, replaced_at)
        VALUES (old.id, old.revision, old.booking_date, old.value_date, old.amount_minor, old.payee,
          old.memo, old.type, old.counterparty_iban, new.updated_at);
      END;
    `);
  },
};
