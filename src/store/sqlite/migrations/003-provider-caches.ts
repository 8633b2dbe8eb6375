import type { Migration } from './migration.js';

/**
 * Real providers: a local copy of each provider's institution list (so `institutions` is fast
 * and works offline), and a provider-stable key per account (Enable Banking's
 * identification_hash) that survives the new account ids a renewed consent hands out.
 */
export const v3ProviderCaches: Migration = {
  version: 3,
  description: 'institution cache, account match keys',
  up(db) {
    db.exec(`
      CREATE TABLE institution_cache (
        provider_id TEXT NOT NULL,
        -- '' for the provider's whole list
        country TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        -- JSON array of institutions in banksync's own shape
        body TEXT NOT NULL,
        PRIMARY KEY (provider_id, country)
      ) WITHOUT ROWID;

      ALTER TABLE accounts ADD COLUMN match_key TEXT;
    `);
  },
};
