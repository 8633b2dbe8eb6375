import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { BanksyncError } from '../core/errors.js';
import type { Db } from '../store/db.js';

/**
 * The one module that handles secrets (provider sessions, tokens, app keys).
 * Values are sealed with AES-256-GCM before they reach SQLite. The key lives apart from the
 * database (a 0600 key file under the config dir, or BANKSYNC_SECRET_KEY), so a copied
 * database file alone reveals nothing.
 */

const known = new Set<string>();

/** Names of stored fields whose values are secrets (tokens, keys, passwords, app secrets). */
const SECRET_KEY = /token|secret|key|password|passphrase|certificate|access|refresh|code_verifier|verifier/i;

/** Remembers a secret value so redact() can scrub it from any text we print or log. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) known.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const s of known) out = out.split(s).join('[redacted]');
  return out;
}

export interface KeySource {
  /** BANKSYNC_SECRET_KEY: 32 bytes, base64. */
  envKey?: string;
  keyFile: string;
}

function loadKey(src: KeySource): Buffer {
  if (src.envKey) {
    const key = Buffer.from(src.envKey, 'base64');
    if (key.length !== 32) throw new BanksyncError('BAD_INPUT', 'BANKSYNC_SECRET_KEY must be 32 bytes in base64');
    return key;
  }
  if (!existsSync(src.keyFile)) {
    mkdirSync(dirname(src.keyFile), { recursive: true, mode: 0o700 });
    try {
      const fd = openSync(src.keyFile, 'wx', 0o600);
      writeSync(fd, randomBytes(32).toString('base64'));
      closeSync(fd);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const key = Buffer.from(readFileSync(src.keyFile, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new BanksyncError('BAD_INPUT', `the key file ${src.keyFile} is damaged`);
  return key;
}

export class SecretStore {
  private key: Buffer | undefined;

  constructor(
    private readonly db: Db,
    private readonly keySource: KeySource,
  ) {}

  private getKey(): Buffer {
    this.key ??= loadKey(this.keySource);
    return this.key;
  }

  put(owner: string, value: Record<string, unknown>, now: string): void {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.getKey(), iv);
    cipher.setAAD(Buffer.from(owner));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    const sealed = Buffer.concat([iv, cipher.getAuthTag(), body]);
    this.db
      .prepare(
        `INSERT INTO secrets (owner, ciphertext, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (owner) DO UPDATE SET ciphertext = excluded.ciphertext, updated_at = excluded.updated_at`,
      )
      .run(owner, sealed, now);
  }

  get(owner: string): Record<string, unknown> | undefined {
    const row = this.db.prepare('SELECT ciphertext FROM secrets WHERE owner = ?').get(owner) as
      | { ciphertext: Buffer }
      | undefined;
    if (!row) return undefined;
    try {
      const sealed = row.ciphertext;
      const decipher = createDecipheriv('aes-256-gcm', this.getKey(), sealed.subarray(0, 12));
      decipher.setAAD(Buffer.from(owner));
      decipher.setAuthTag(sealed.subarray(12, 28));
      const text = Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
      const value = JSON.parse(text) as Record<string, unknown>;
      // Only values that are secrets: ids (institution, requisition) stay readable in messages and URLs.
      for (const [k, v] of Object.entries(value)) if (typeof v === 'string' && SECRET_KEY.test(k)) registerSecret(v);
      return value;
    } catch {
      throw new BanksyncError('NOT_CONFIGURED', `stored credentials for ${owner} cannot be decrypted with this key`, {
        hint: `the key file (${this.keySource.keyFile}) or BANKSYNC_SECRET_KEY changed; run banksync update-credentials`,
      });
    }
  }

  delete(owner: string): void {
    this.db.prepare('DELETE FROM secrets WHERE owner = ?').run(owner);
  }
}
