import type { Migration } from './migration.js';

/**
 * What came in but was not taken as is: lines quarantined at the boundary (an impossible or
 * far-future date, another currency than the account's), provider ids reused for different
 * lines (both kept), and fuzzy dedupe merges. Stored so `status` and `warnings` can show them:
 * nothing is ever dropped without a record. One row per (account, kind, key): a line the
 * provider sends again on every sync updates its row instead of piling up.
 */
export const v4InputIssues: Migration = {
  version: 4,
  description: 'input issues: quarantined lines, id conflicts, fuzzy merges',
  up(db) {
    db.exec(`
      CREATE TABLE input_issues (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        -- what makes the same finding the same on a later run (provider id, fingerprint)
        key TEXT NOT NULL,
        severity TEXT NOT NULL CHECK (severity IN ('warning', 'info')),
        source TEXT NOT NULL,
        message TEXT NOT NULL,
        -- JSON: the line as received (quarantined lines) or the pair (merges, conflicts)
        detail TEXT,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        times INTEGER NOT NULL DEFAULT 1,
        UNIQUE (account_id, kind, key)
      );
    `);
  },
};
