import type { Migration } from './migration.js';

/**
 * Per-account provider data an adapter needs again to fetch the account (Yodlee's `container`):
 * ProviderAccount.meta as a JSON object of strings, handed back in FetchRequest.account.meta.
 * Never secrets (those live sealed in the secret store).
 */
export const v6ProviderMeta: Migration = {
  version: 6,
  description: 'provider data per account',
  up(db) {
    db.exec(`
      -- JSON object of strings (ProviderAccount.meta); NULL when the provider gives none.
      ALTER TABLE accounts ADD COLUMN provider_meta TEXT;
    `);
  },
};
