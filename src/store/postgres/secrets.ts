import { Sealer, type KeySource, type SecretStore } from '../../secrets/index.js';
import type { Async } from '../port.js';
import type { Sql } from './port.js';

/** A word for a shell command line, whatever it holds. */
const shellWord = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The sealed values of a PostgreSQL database, by owner: sealed by the same Sealer as on SQLite,
 * so a value copied from one store opens in the other with the same key.
 */
export class PgSecretStore implements Async<SecretStore> {
  private readonly sealer: Sealer;

  constructor(
    private readonly sql: Sql,
    keySource: KeySource,
    /** Where the data lives, as printed (no password): named in the command that forgets the values. */
    location: string,
  ) {
    this.sealer = new Sealer(keySource, {
      count: async () => (await sql.one<{ n: number }>('SELECT count(*) AS n FROM secrets'))?.n ?? 0,
      // psql asks for the password itself (or finds it in ~/.pgpass); the printed URL's *** would be taken for one.
      forgetCommand: `psql ${shellWord(location.replace(/:\*\*\*@/, '@'))} -c 'DELETE FROM secrets'`,
    });
  }

  async put(owner: string, value: Record<string, unknown>, now: string): Promise<void> {
    await this.sealer.ready();
    await this.sql.run(
      `INSERT INTO secrets (owner, ciphertext, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (owner) DO UPDATE SET ciphertext = excluded.ciphertext, updated_at = excluded.updated_at`,
      [owner, this.sealer.seal(owner, value), now],
    );
  }

  async get(owner: string): Promise<Record<string, unknown> | undefined> {
    const row = await this.sql.one<{ ciphertext: Buffer }>('SELECT ciphertext FROM secrets WHERE owner = $1', [owner]);
    if (!row) return undefined;
    await this.sealer.ready();
    return this.sealer.open(owner, row.ciphertext);
  }

  async delete(owner: string): Promise<void> {
    await this.sql.run('DELETE FROM secrets WHERE owner = $1', [owner]);
  }

  /** Whose values are sealed here, in order (doctor opens each); never the values. */
  async owners(): Promise<string[]> {
    return (await this.sql.rows<{ owner: string }>('SELECT owner FROM secrets ORDER BY owner')).map((r) => r.owner);
  }
}
