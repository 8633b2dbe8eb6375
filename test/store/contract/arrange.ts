import type { StorePort } from '../../../src/store/port.js';
import type { PgPort } from '../../../src/store/postgres/port.js';
import { sqliteOf } from '../../../src/store/sqlite/file.js';

/**
 * Raw SQL on either store, for the set-up and the few checks the port has no method for yet.
 * TEMPORARY: the accounts and connections repositories are being written in parallel; once they
 * are, `account` goes through the port (db.connections.create, db.accounts.create) like the rest.
 * Statements use `?` placeholders (SQLite's); PostgreSQL gets them as `$1..$n`.
 */
const numbered = (sql: string): string => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

/** Runs one statement; the rows it affected. */
export async function exec(db: StorePort, sql: string, params: unknown[] = []): Promise<number> {
  if (db.kind === 'sqlite')
    return sqliteOf(db)
      .db.prepare(sql)
      .run(...params).changes;
  return (db as PgPort).sql.run(numbered(sql), params);
}

/** The rows of one query, each column by name. */
export async function query<T = Record<string, unknown>>(db: StorePort, sql: string, params: unknown[] = []): Promise<T[]> {
  if (db.kind === 'sqlite')
    return sqliteOf(db)
      .db.prepare(sql)
      .all(...params) as T[];
  return (db as PgPort).sql.rows<T>(numbered(sql), params);
}

const NOW = '2026-11-20T09:00:00.000Z';

/** A connection and an account under it (currency EUR); the account's id. */
export async function account(db: StorePort, name: string): Promise<number> {
  await exec(db, 'INSERT INTO connections (provider_id, institution_id, institution_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', ['fake', 'inst', 'Inst', NOW, NOW]);
  const [c] = await query<{ id: number }>(db, 'SELECT max(id) AS id FROM connections');
  await exec(db, 'INSERT INTO accounts (connection_id, provider_id, institution_id, external_id, name, currency, kind, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
    c!.id,
    'fake',
    'inst',
    name,
    name,
    'EUR',
    'checking',
    NOW,
  ]);
  const [a] = await query<{ id: number }>(db, 'SELECT id FROM accounts WHERE external_id = ?', [name]);
  return a!.id;
}
