import type { PgMigration } from './migration.js';
import { v1Initial } from './001-initial.js';
import { v2ConnectionClaims } from './002-connection-claims.js';
import { v3ProviderSlots } from './003-provider-slots.js';

export type { PgMigration } from './migration.js';

/** Ordered list; append only. Each migration's version is its position + 1. */
export const PG_MIGRATIONS: readonly PgMigration[] = [v1Initial, v2ConnectionClaims, v3ProviderSlots];

export const PG_LATEST_VERSION = PG_MIGRATIONS.length;

PG_MIGRATIONS.forEach((m, i) => {
  if (m.version !== i + 1) throw new Error(`migration ${m.description} says version ${m.version} at position ${i + 1}`);
});
