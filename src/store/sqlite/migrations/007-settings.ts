import type { Migration } from './migration.js';

/**
 * Settings that describe one set of books (the lock date, the journal's expense and income
 * accounts) live in the database they describe. In config.json they applied to every database
 * on the machine, the demo's and a test copy's alike. User preferences stay in config.json.
 */
export const v7Settings: Migration = {
  version: 7,
  description: 'per-database settings',
  up(db) {
    db.exec(`
      -- One row per setting that is set; a setting without a row has its default.
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `);
  },
};
