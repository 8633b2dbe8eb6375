// The driver's type, not the store's: the store opens secrets, so secrets must not import the store.
import type { Database as Db } from 'better-sqlite3';
import { Sealer, type KeySource } from './sealer.js';

/**
 * The one module that handles secrets (provider sessions, tokens, app keys).
 * Values are sealed (sealer.ts) before they reach the store. The key lives apart from the
 * database (a 0600 key file under the config dir, or BANKSYNC_SECRET_KEY), so a copied
 * database alone reveals nothing.
 */

export { forgetSecrets, redact, registerSecret } from './redact.js';
export { keyProblem, Sealer, type KeySource, type SealedValues } from './sealer.js';

/** The sealed values of an SQLite database, by owner. */
export class SecretStore {
  private readonly sealer: Sealer;

  constructor(
    private readonly db: Db,
    keySource: KeySource,
  ) {
    this.sealer = new Sealer(keySource, {
      count: () => (db.prepare('SELECT count(*) AS n FROM secrets').get() as { n: number }).n,
      forgetCommand: `sqlite3 ${db.name} 'DELETE FROM secrets'`,
    });
  }

  put(owner: string, value: Record<string, unknown>, now: string): void {
    const sealed = this.sealer.seal(owner, value);
    this.db
      .prepare(
        `INSERT INTO secrets (owner, ciphertext, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (owner) DO UPDATE SET ciphertext = excluded.ciphertext, updated_at = excluded.updated_at`,
      )
      .run(owner, sealed, now);
  }

  get(owner: string): Record<string, unknown> | undefined {
    const row = this.db.prepare('SELECT ciphertext FROM secrets WHERE owner = ?').get(owner) as { ciphertext: Buffer } | undefined;
    return row && this.sealer.open(owner, row.ciphertext);
  }

  delete(owner: string): void {
    this.db.prepare('DELETE FROM secrets WHERE owner = ?').run(owner);
  }

  /** Whose values are sealed here, in order (doctor opens each); never the values. */
  owners(): string[] {
    return (this.db.prepare('SELECT owner FROM secrets ORDER BY owner').all() as { owner: string }[]).map((r) => r.owner);
  }
}
