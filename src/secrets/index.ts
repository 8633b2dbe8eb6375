import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { BanksyncError } from '../domain/errors.js';
// The driver's type, not the store's: the store opens secrets, so secrets must not import the store.
import type { Database as Db } from 'better-sqlite3';
import { plural } from '../domain/plural.js';

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

/** A new run of the CLI in the same process (the in-process test runner) starts knowing none. */
export function forgetSecrets(): void {
  known.clear();
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

/** 32 bytes in base64 (or base64url), or why not: Buffer.from would silently skip stray characters. */
function decodeKey(text: string): Buffer | string {
  const t = text.trim();
  if (t === '') return 'it is empty';
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) return `it is not base64 (${t.length} characters)`;
  const key = Buffer.from(t, 'base64');
  return key.length === 32 ? key : `it decodes to ${key.length} bytes, not 32`;
}

/** Why a key text is unusable ("it is empty", "it decodes to 16 bytes, not 32"), or null: for doctor. */
export function keyProblem(text: string): string | null {
  const key = decodeKey(text);
  return typeof key === 'string' ? key : null;
}

function loadKey(src: KeySource, db: Db): Buffer {
  if (src.envKey) {
    const key = decodeKey(src.envKey);
    if (typeof key === 'string') {
      throw new BanksyncError('NOT_CONFIGURED', `BANKSYNC_SECRET_KEY is malformed: ${key}; it must be 32 bytes in base64`, {
        hint: `set it to the key your credentials were sealed with (the contents of ${src.keyFile}), or unset it to use that file`,
      });
    }
    return key;
  }
  if (!existsSync(src.keyFile)) {
    // A new key would make every credential sealed with the old one unreadable, for good.
    const sealed = sealedCount(db);
    if (sealed > 0) {
      throw new BanksyncError('NOT_CONFIGURED', `the key file ${src.keyFile} is missing, and the database holds ${plural(sealed, 'credential')} sealed with it; no new key was made`, {
        hint: `restore ${src.keyFile} from your backup (or give its contents as BANKSYNC_SECRET_KEY); ${lostForGood(db)}`,
      });
    }
    createKeyFile(src.keyFile);
  }
  const key = decodeKey(readFileSync(src.keyFile, 'utf8'));
  if (typeof key === 'string') {
    throw new BanksyncError('NOT_CONFIGURED', `the key file ${src.keyFile} is damaged: ${key}; it must hold 32 bytes in base64`, {
      hint: `restore it from your backup; ${lostForGood(db)}`,
    });
  }
  return key;
}

/** The way out when the key is gone: forget what it sealed, then enter the credentials again. */
const lostForGood = (db: Db) =>
  `if it is lost for good: sqlite3 ${db.name} 'DELETE FROM secrets', then enter the credentials again (banksync providers setup, banksync update-credentials <connection>)`;

/** 'connection:3' → 'connection c3', as the commands name it. */
const ownerName = (owner: string) =>
  owner
    .replace(/^connection:(\d+)$/, 'connection c$1')
    .replace(/^provider:/, 'provider ')
    .replace(/^provider-state:/, 'the state of provider ');

function sealedCount(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM secrets').get() as { n: number }).n;
}

function createKeyFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return; // another process made it first
    throw err;
  }
  try {
    writeSync(fd, randomBytes(32).toString('base64'));
  } catch (err) {
    rmSync(path, { force: true }); // half a key (disk full) would pass for a damaged one next time
    throw err;
  } finally {
    closeSync(fd);
  }
}

export class SecretStore {
  private key: Buffer | undefined;

  constructor(
    private readonly db: Db,
    private readonly keySource: KeySource,
  ) {}

  private getKey(): Buffer {
    this.key ??= loadKey(this.keySource, this.db);
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
    const row = this.db.prepare('SELECT ciphertext FROM secrets WHERE owner = ?').get(owner) as { ciphertext: Buffer } | undefined;
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
    } catch (err) {
      if (err instanceof BanksyncError) throw err;
      // GCM's check failed: a key of the right shape, but not the one these were sealed with.
      const used = this.keySource.envKey ? 'BANKSYNC_SECRET_KEY' : `the key in ${this.keySource.keyFile}`;
      throw new BanksyncError('NOT_CONFIGURED', `the stored credentials of ${ownerName(owner)} cannot be decrypted: ${used} is not the key they were sealed with (wrong key)`, {
        hint: `restore the key they were sealed with (${this.keySource.keyFile} from your backup${this.keySource.envKey ? ', or unset BANKSYNC_SECRET_KEY if that file holds it' : ''}); ${lostForGood(this.db)}`,
        reason: 'wrong-key',
      });
    }
  }

  delete(owner: string): void {
    this.db.prepare('DELETE FROM secrets WHERE owner = ?').run(owner);
  }

  /** Whose values are sealed here, in order (doctor opens each); never the values. */
  owners(): string[] {
    return (this.db.prepare('SELECT owner FROM secrets ORDER BY owner').all() as { owner: string }[]).map((r) => r.owner);
  }
}
