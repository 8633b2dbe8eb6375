import type { StorePort } from '../../../src/store/port.js';
import type { PgPort } from '../../../src/store/postgres/index.js';
import { sqliteOf } from '../../../src/store/sqlite/file.js';

/**
 * Raw rows for the contract tests of secrets, input issues and the institution cache: what the
 * port cannot arrange (the sealed bytes as stored) or what another repository writes (accounts,
 * which input_issues refer to; arranged here while the PostgreSQL accounts repository is written).
 *
 * One statement in PostgreSQL's dialect ($1, $2, … in order); SQLite gets the same with `?`.
 */
async function raw<T>(db: StorePort, text: string, params: unknown[] = []): Promise<T[]> {
  if (db.kind === 'postgres') return (db as PgPort).sql.rows<T>(text, params);
  const stmt = sqliteOf(db).db.prepare(text.replace(/\$\d+/g, '?'));
  return stmt.reader ? (stmt.all(...params) as T[]) : (stmt.run(...params), []);
}

/** A bare account (a file account: no connection); its id. */
export async function addAccount(db: StorePort, name: string): Promise<number> {
  const rows = await raw<{ id: number }>(
    db,
    `INSERT INTO accounts (provider_id, institution_id, name, currency, kind, created_at)
     VALUES ('file', 'file', $1, 'EUR', 'checking', '2026-11-01T00:00:00.000Z') RETURNING id`,
    [name],
  );
  return rows[0]!.id;
}

/** The bytes stored for an owner, as the table holds them. */
export async function sealedBytes(db: StorePort, owner: string): Promise<Buffer | undefined> {
  return (await raw<{ ciphertext: Buffer }>(db, 'SELECT ciphertext FROM secrets WHERE owner = $1', [owner]))[0]?.ciphertext;
}

/** Stores bytes for an owner as they are: a copy from another row or another store. */
export async function storeSealedBytes(db: StorePort, owner: string, bytes: Buffer): Promise<void> {
  await raw(
    db,
    `INSERT INTO secrets (owner, ciphertext, updated_at) VALUES ($1, $2, '2026-11-01T00:00:00.000Z')
     ON CONFLICT (owner) DO UPDATE SET ciphertext = excluded.ciphertext`,
    [owner, bytes],
  );
}

/** What the hint says to run when the key is lost for good: `DELETE FROM secrets`, as the user would. */
export async function forgetAllSecrets(db: StorePort): Promise<void> {
  await raw(db, 'DELETE FROM secrets');
}
