import { BanksyncError } from '../../domain/errors.js';
import { PG_LATEST_VERSION, PG_MIGRATIONS } from './migrations/index.js';
import type { PgPool, PgSession } from './session.js';

/** Held by the one process that migrates; the others wait, then find the schema current. */
export const MIGRATION_LOCK = 0x42534e43_02;

/** The schema version a database is at: 0 when it has no banksync tables yet. */
async function versionOf(session: PgSession): Promise<number | null> {
  const table = await session.rows<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
  if (!table[0]?.t) return null;
  const rows = await session.rows<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  return rows[0]?.v ?? 0;
}

/**
 * Brings the database to this banksync's schema, exactly once however many workers start at the
 * same moment: each migrates inside one transaction under an advisory lock, and one that waited
 * finds the work done. Refuses a schema newer than this banksync, and a database that holds
 * tables of someone else's (never migrated over).
 */
export async function migrate(pool: PgPool, location: string): Promise<void> {
  const seen = await versionOf(pool);
  if (seen === PG_LATEST_VERSION) return;
  if (seen !== null && seen > PG_LATEST_VERSION) throw newer(location, seen);
  const session = await pool.reserve();
  try {
    await session.run('BEGIN');
    await session.run('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    let version = await versionOf(session);
    if (version === null) {
      const others = await session.rows<{ n: number }>('SELECT count(*) AS n FROM pg_catalog.pg_tables WHERE schemaname = current_schema()');
      if ((others[0]?.n ?? 0) > 0) {
        throw new BanksyncError('BAD_INPUT', `${location} is not a banksync database: its schema holds other tables`, {
          hint: 'point --db (or BANKSYNC_DB) at an empty database, or at a schema of its own (?options=-c%20search_path%3Dbanksync)',
        });
      }
      await session.run(`CREATE TABLE schema_migrations (
        version bigint PRIMARY KEY, description text NOT NULL, applied_at text NOT NULL)`);
      version = 0;
    }
    if (version > PG_LATEST_VERSION) throw newer(location, version);
    for (const m of PG_MIGRATIONS.filter((m) => m.version > (version ?? 0))) {
      await session.run(m.sql);
      await session.run('INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)', [m.version, m.description, new Date().toISOString()]);
    }
    await session.run('COMMIT');
  } catch (err) {
    await session.run('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    session.release();
  }
}

function newer(location: string, version: number): BanksyncError {
  return new BanksyncError('BAD_INPUT', `the database ${location} was written by a newer banksync (schema ${version}, this one knows ${PG_LATEST_VERSION})`, {
    hint: 'upgrade banksync (npm install -g banksync@latest) before using this database',
  });
}
