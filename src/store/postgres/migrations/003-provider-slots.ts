import type { PgMigration } from './migration.js';

/**
 * Requests in flight per provider across every worker (issue 16): a provider's limit is the
 * number of its slots, and a request holds one while on the wire. A row per slot, kept (owner
 * NULL when free), so taking one is one UPDATE … FOR UPDATE SKIP LOCKED; a lease frees the slots
 * of a worker that died mid-request.
 */
export const v3ProviderSlots: PgMigration = {
  version: 3,
  description: 'slots for the requests in flight per provider, shared by workers',
  sql: `
    CREATE TABLE provider_slots (
      provider_id text COLLATE "C" NOT NULL,
      slot integer NOT NULL,
      owner text COLLATE "C",
      expires_at text COLLATE "C",
      PRIMARY KEY (provider_id, slot)
    );
  `,
};
