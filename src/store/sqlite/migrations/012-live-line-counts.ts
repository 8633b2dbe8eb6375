import type { Migration } from './migration.js';

/**
 * Each account's count of live lines (not removed; ignored ones count, as `count()` always did).
 * `status` read it by counting: a third of a cold `status` at a million lines. Triggers keep it
 * through every change of an existing line (removals, merges and unmerges, `accounts merge` and
 * moves, replay, a hand-written DELETE), so those writers need not know it exists.
 *
 * A new line is counted by the one statement that inserts lines (TransactionRepo.write), not by
 * an INSERT trigger: a trigger on the insert makes SQLite keep a statement journal for every
 * line, spilled to a temporary file (2.5× the CPU of a large sync, measured).
 */
export const v12LiveLineCounts: Migration = {
  version: 12,
  description: 'live line count per account',
  up(db) {
    db.exec(`
      CREATE TABLE account_line_counts (
        account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
        live INTEGER NOT NULL
      );
      INSERT INTO account_line_counts (account_id, live)
        SELECT a.id, (SELECT count(*) FROM transactions t WHERE t.account_id = a.id AND t.removed_at IS NULL) FROM accounts a;

      -- Counted, not assumed zero: a line may already name a new id (rows copied with their ids).
      CREATE TRIGGER account_line_counts_account_added AFTER INSERT ON accounts
      BEGIN
        INSERT OR REPLACE INTO account_line_counts (account_id, live)
          VALUES (new.id, (SELECT count(*) FROM transactions WHERE account_id = new.id AND removed_at IS NULL));
      END;
      -- Also without foreign keys (sqlite3 by hand): a reused id must not inherit the count.
      CREATE TRIGGER account_line_counts_account_gone AFTER DELETE ON accounts
      BEGIN
        DELETE FROM account_line_counts WHERE account_id = old.id;
      END;

      -- Plain UPDATEs of an existing row: nothing here can conflict, so the firing statement's
      -- conflict policy (an upsert, OR IGNORE) never changes what they do.
      CREATE TRIGGER account_line_counts_line_deleted AFTER DELETE ON transactions
      WHEN old.removed_at IS NULL
      BEGIN
        UPDATE account_line_counts SET live = live - 1 WHERE account_id = old.account_id;
      END;
      CREATE TRIGGER account_line_counts_line_changed AFTER UPDATE OF account_id, removed_at ON transactions
      WHEN old.account_id IS NOT new.account_id OR (old.removed_at IS NULL) IS NOT (new.removed_at IS NULL)
      BEGIN
        UPDATE account_line_counts SET live = live - 1 WHERE account_id = old.account_id AND old.removed_at IS NULL;
        UPDATE account_line_counts SET live = live + 1 WHERE account_id = new.account_id AND new.removed_at IS NULL;
      END;
    `);
  },
};
