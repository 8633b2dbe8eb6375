import type { Migration } from './migration.js';

/**
 * Transfers between the user's own accounts (issue 18): the pairs the detector or the user made,
 * the user's link/unlink decisions, the lines that look like a transfer but have no pair yet, and
 * how far detection has read. Pairs are derived data (detection can rebuild them); decisions are
 * not, so they keep no foreign key: a line that leaves and comes back under its stable id finds
 * its decision again.
 */
export const v9Transfers: Migration = {
  version: 9,
  description: 'transfers between own accounts',
  up(db) {
    db.exec(`
      -- One row per pair; a line is in at most one pair (the UNIQUE columns), its direction fixed by its sign.
      CREATE TABLE transfer_pairs (
        id TEXT PRIMARY KEY,
        out_id TEXT NOT NULL UNIQUE REFERENCES transactions(id) ON DELETE CASCADE,
        in_id TEXT NOT NULL UNIQUE REFERENCES transactions(id) ON DELETE CASCADE,
        how TEXT NOT NULL CHECK (how IN ('iban', 'pattern', 'manual')),
        found_at TEXT NOT NULL
      );

      -- What the user said about two lines; the newest word wins. line_a < line_b.
      CREATE TABLE transfer_decisions (
        line_a TEXT NOT NULL,
        line_b TEXT NOT NULL,
        decision TEXT NOT NULL CHECK (decision IN ('link', 'unlink')),
        decided_at TEXT NOT NULL,
        PRIMARY KEY (line_a, line_b)
      );

      -- Lines that look like a transfer and were left unpaired (no partner, or several equal ones).
      CREATE TABLE transfer_candidates (
        line_id TEXT PRIMARY KEY REFERENCES transactions(id) ON DELETE CASCADE,
        booking_date TEXT NOT NULL,
        reason TEXT NOT NULL CHECK (reason IN ('no-partner', 'ambiguous'))
      );
      CREATE INDEX transfer_candidates_by_date ON transfer_candidates (booking_date);

      -- How far detection has read: every line stored (or moved) after seq is new to it.
      CREATE TABLE transfer_scan (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL
      );
      INSERT INTO transfer_scan (id, seq) VALUES (1, 0);

      -- Lines corrected or removed by the bank since detection last ran: their pairs are checked again.
      CREATE TABLE transfer_dirty (line_id TEXT PRIMARY KEY) WITHOUT ROWID;
      CREATE TRIGGER transfer_line_revised AFTER UPDATE OF revision ON transactions
      WHEN new.revision > old.revision
      BEGIN
        -- Not OR IGNORE: a trigger takes the conflict policy of the statement that fired it (an upsert).
        INSERT INTO transfer_dirty (line_id) SELECT new.id WHERE NOT EXISTS (SELECT 1 FROM transfer_dirty WHERE line_id = new.id);
      END;

      -- The other leg of a line: the opposite amount within a few days.
      CREATE INDEX transactions_by_amount ON transactions (amount_minor, booking_date) WHERE removed_at IS NULL;
    `);
  },
};
