import type { KeySource } from '../../secrets/index.js';
import { openPool, printableUrl } from './driver.js';
import { newLockOwner } from './lock-owner.js';
import { migrate } from './migrate.js';
import { PgPort } from './port.js';
import { pgRepositories } from './repositories.js';

export { PgPort } from './port.js';
export { printableUrl } from './driver.js';

/** `--db postgres://…` (or postgresql://) selects PostgreSQL; anything else is a SQLite file path. */
export const isPostgresUrl = (location: string): boolean => /^postgres(ql)?:\/\//i.test(location);

/**
 * A PostgreSQL store. Opens without a round trip: the first call connects and migrates (under an
 * advisory lock, so workers starting together migrate once) and reports a failure as one line.
 */
export function openPostgresStore(url: string, keySource: KeySource): PgPort {
  const location = printableUrl(url);
  const pool = openPool(url);
  // Names this process's sync locks: workers on several hosts share one store.
  const owner = newLockOwner();
  return new PgPort(
    pool,
    location,
    (sql) => pgRepositories(sql, keySource, owner, location),
    (p) => migrate(p, location),
  );
}
