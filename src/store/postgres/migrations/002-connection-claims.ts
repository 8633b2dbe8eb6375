import type { PgMigration } from './migration.js';

/**
 * Claims on connections (issue 16, several workers): a worker takes a due connection with a
 * lease, renews it while it syncs, and drops it when done; a dead worker's claim is taken over
 * once its lease has passed. A row per connection ever claimed, kept (owner NULL when free), so a
 * claim is one UPDATE … FOR UPDATE SKIP LOCKED over existing rows.
 */
export const v2ConnectionClaims: PgMigration = {
  version: 2,
  description: 'claims on connections for several workers',
  sql: `
    CREATE TABLE connection_claims (
      connection_id bigint PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
      owner text COLLATE "C",
      expires_at text COLLATE "C"
    );
  `,
};
