import type { Migration } from './migration.js';

export const v1Initial: Migration = {
  version: 1,
  description: 'connections, accounts, transactions, pending lines, balances, coverage, errors, locks, secrets',
  up(db) {
    db.exec(`
      CREATE TABLE connections (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        provider_id TEXT NOT NULL,
        institution_id TEXT NOT NULL,
        institution_name TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'needs_human', 'disconnected')),
        status_detail TEXT,
        consent_expires_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      CREATE TABLE accounts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        connection_id INTEGER REFERENCES connections(id) ON DELETE SET NULL,
        provider_id TEXT NOT NULL,
        institution_id TEXT NOT NULL,
        external_id TEXT,
        name TEXT NOT NULL,
        iban TEXT,
        number TEXT,
        currency TEXT NOT NULL,
        kind TEXT NOT NULL,
        enabled INTEGER NOT NULL DEFAULT 1,
        statement_period TEXT NOT NULL DEFAULT 'month'
          CHECK (statement_period IN ('day', 'week', 'fortnight', 'month', 'none')),
        lock_date TEXT,
        sync_interval_hours INTEGER NOT NULL DEFAULT 12,
        history_days INTEGER,
        stable_ids INTEGER NOT NULL DEFAULT 1,
        ledger_name TEXT,
        state TEXT NOT NULL DEFAULT 'not_synced'
          CHECK (state IN ('not_synced', 'synced', 'skipped', 'failed', 'syncing')),
        state_detail TEXT,
        last_error_code TEXT,
        last_error_ref TEXT,
        last_attempt_at TEXT,
        last_success_at TEXT,
        last_new_count INTEGER,
        last_pending_count INTEGER,
        next_refresh_at TEXT,
        watermark_date TEXT,
        -- balance before the first stored line, anchored on the first provider balance
        opening_balance_minor INTEGER,
        -- provider balance minus computed balance at the last sync; non-zero means a gap
        balance_drift_minor INTEGER,
        created_at TEXT NOT NULL,
        UNIQUE (connection_id, external_id)
      );

      -- seq gives a stable streaming order; id is banksync's stable transaction id (FITID).
      CREATE TABLE transactions (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        external_id TEXT,
        fingerprint TEXT NOT NULL,
        ordinal INTEGER NOT NULL,
        booking_date TEXT NOT NULL,
        value_date TEXT,
        amount_minor INTEGER NOT NULL,
        currency TEXT NOT NULL,
        payee TEXT,
        memo TEXT,
        type TEXT NOT NULL,
        counterparty_iban TEXT,
        source TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        -- bumped on every provider correction, so exports can send each change once
        revision INTEGER NOT NULL DEFAULT 0,
        removed_at TEXT
      );
      CREATE UNIQUE INDEX transactions_by_external ON transactions (account_id, external_id)
        WHERE external_id IS NOT NULL;
      CREATE UNIQUE INDEX transactions_by_fingerprint ON transactions (account_id, fingerprint, ordinal)
        WHERE external_id IS NULL;
      CREATE INDEX transactions_by_date ON transactions (account_id, booking_date);

      CREATE TABLE pending_transactions (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        dedupe_key TEXT NOT NULL,
        external_id TEXT,
        date TEXT NOT NULL,
        amount_minor INTEGER NOT NULL,
        currency TEXT NOT NULL,
        payee TEXT,
        memo TEXT,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'booked', 'vanished')),
        transaction_id TEXT REFERENCES transactions(id) ON DELETE SET NULL,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        UNIQUE (account_id, dedupe_key)
      );

      CREATE TABLE balances (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        as_of_date TEXT NOT NULL,
        amount_minor INTEGER NOT NULL,
        fetched_at TEXT NOT NULL,
        PRIMARY KEY (account_id, as_of_date)
      );

      -- Date ranges fetched successfully, merged, so gaps can be shown.
      CREATE TABLE coverage (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        from_date TEXT NOT NULL,
        to_date TEXT NOT NULL,
        PRIMARY KEY (account_id, from_date)
      );

      -- Refreshes made, for providers that allow only a few per day (M14).
      CREATE TABLE refreshes (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        at TEXT NOT NULL
      );
      CREATE INDEX refreshes_by_account ON refreshes (account_id, at);

      CREATE TABLE errors (
        ref TEXT PRIMARY KEY,
        at TEXT NOT NULL,
        connection_id INTEGER,
        account_id INTEGER,
        code TEXT NOT NULL,
        message TEXT NOT NULL
      );

      CREATE TABLE sync_locks (
        account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
        owner TEXT NOT NULL,
        pid INTEGER NOT NULL,
        expires_at TEXT NOT NULL
      );

      CREATE TABLE secrets (
        owner TEXT PRIMARY KEY,
        ciphertext BLOB NOT NULL,
        updated_at TEXT NOT NULL
      );
    `);
  },
};
