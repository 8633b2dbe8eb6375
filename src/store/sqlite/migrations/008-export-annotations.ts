import type { Migration } from './migration.js';

/**
 * What each incremental export target received beyond the bank's line: the annotation key
 * (src/core/annotate.ts: category, clean payee, tags, transfer leg). A line whose annotation now
 * differs (a rule changed, a transfer was paired) is sent again as a change, and a journal
 * reverses the posting the target holds. Only non-empty annotations have a row: most lines have
 * none, and a missing row means the target received none.
 */
export const v8ExportAnnotations: Migration = {
  version: 8,
  description: 'what export targets received of categories and transfers',
  up(db) {
    db.exec(`
      CREATE TABLE export_annotations (
        target_id INTEGER NOT NULL REFERENCES export_targets(id) ON DELETE CASCADE,
        transaction_id TEXT NOT NULL,
        annotation TEXT NOT NULL,
        PRIMARY KEY (target_id, transaction_id)
      ) WITHOUT ROWID;

      -- Accounts a target's beancount files opened beyond the standard ones (a rule's category,
      -- the other side of a transfer): a later increment opens only what is new, never twice.
      CREATE TABLE export_opened (
        target_id INTEGER NOT NULL REFERENCES export_targets(id) ON DELETE CASCADE,
        account TEXT NOT NULL,
        PRIMARY KEY (target_id, account)
      ) WITHOUT ROWID;
    `);
  },
};
