import type { Migration } from './migration.js';

/**
 * The raw archive: each provider fetch that stored data, kept compressed with its requests
 * (credentials taken out), so `replay` can map it again after an upgrade without asking the
 * provider. In the database rather than beside it: a backup, a restore or `replay --into` carries
 * it with the rows it produced, and the retention prune is one DELETE in the sync's transaction.
 */
export const v11RawArchive: Migration = {
  version: 11,
  description: 'raw provider answers kept for replay',
  up(db) {
    db.exec(`
      CREATE TABLE raw_archive (
        id INTEGER PRIMARY KEY,
        provider_id TEXT NOT NULL,
        connection_id INTEGER REFERENCES connections(id) ON DELETE SET NULL,
        -- 'http': the adapter's HTTP exchanges (replay runs the adapter's mapping again);
        -- 'pages': the pages an adapter without HTTP (the sandbox) handed the engine
        level TEXT NOT NULL CHECK (level IN ('http', 'pages')),
        fetched_at TEXT NOT NULL,
        window_from TEXT NOT NULL,
        window_to TEXT NOT NULL,
        codec TEXT NOT NULL DEFAULT 'gzip',
        raw_bytes INTEGER NOT NULL,
        -- JSON (see src/core/archive/entry.ts), compressed with codec
        body BLOB NOT NULL
      );
      CREATE INDEX raw_archive_by_time ON raw_archive (fetched_at);

      -- The accounts a fetch wrote to (several for a connection-level fetch).
      CREATE TABLE raw_archive_accounts (
        entry_id INTEGER NOT NULL REFERENCES raw_archive(id) ON DELETE CASCADE,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        PRIMARY KEY (entry_id, account_id)
      ) WITHOUT ROWID;
      CREATE INDEX raw_archive_accounts_by_account ON raw_archive_accounts (account_id);
    `);
  },
};
