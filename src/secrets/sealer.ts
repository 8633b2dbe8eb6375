import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { BanksyncError } from '../domain/errors.js';
import { plural } from '../domain/plural.js';
import { registerSecret } from './redact.js';

/**
 * Sealing, the same for every store: AES-256-GCM under a key kept apart from the data (a 0600 key
 * file under the config dir, or BANKSYNC_SECRET_KEY), the owner bound in as associated data so a
 * value moved to another owner's row does not open, stored as iv ‖ tag ‖ body. A value sealed by
 * one store opens in the other with the same key.
 */

export interface KeySource {
  /** BANKSYNC_SECRET_KEY: 32 bytes, base64. */
  envKey?: string;
  keyFile: string;
}

/** What the sealer needs to know of the store that keeps the sealed values. */
export interface SealedValues {
  /**
   * How many values are sealed: a missing key file is replaced by a new key only while there are
   * none, since a new key would make each of them unreadable for good. SQLite answers at once; a
   * store that answers with a promise (PostgreSQL) has the key loaded by `Sealer.ready()` first.
   */
  count(): number | Promise<number>;
  /** The command that forgets them all, for when the key is lost for good; never with a password. */
  readonly forgetCommand: string;
}

/** Names of stored fields whose values are secrets (tokens, keys, passwords, app secrets). */
const SECRET_KEY = /token|secret|key|password|passphrase|certificate|access|refresh|code_verifier|verifier/i;

const IV_BYTES = 12;
const TAG_BYTES = 16;

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

/** 'connection:3' → 'connection c3', as the commands name it. */
const ownerName = (owner: string) =>
  owner
    .replace(/^connection:(\d+)$/, 'connection c$1')
    .replace(/^provider:/, 'provider ')
    .replace(/^provider-state:/, 'the state of provider ');

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

/** Seals and opens the values of one store with its key, loaded once on first use. */
export class Sealer {
  private key: Buffer | undefined;

  constructor(
    private readonly keySource: KeySource,
    private readonly values: SealedValues,
  ) {}

  /**
   * Loads the key now, for a store that counts its sealed values with a round trip: `seal` and
   * `open` then need no wait. Counts whenever the key is not given as a variable, so a key file
   * that vanishes between a look and the load is never replaced while values are sealed.
   */
  async ready(): Promise<void> {
    if (this.key) return;
    const sealed = this.keySource.envKey ? 0 : await this.values.count();
    this.key = this.load(() => sealed);
  }

  seal(owner: string, value: Record<string, unknown>): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.loadedKey(), iv);
    cipher.setAAD(Buffer.from(owner));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  open(owner: string, sealed: Buffer): Record<string, unknown> {
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.loadedKey(), sealed.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(owner));
      decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const text = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      const value = JSON.parse(text) as Record<string, unknown>;
      // Only values that are secrets: ids (institution, requisition) stay readable in messages and URLs.
      for (const [k, v] of Object.entries(value)) if (typeof v === 'string' && SECRET_KEY.test(k)) registerSecret(v);
      return value;
    } catch (err) {
      if (err instanceof BanksyncError) throw err;
      // GCM's check failed: a key of the right shape, but not the one these were sealed with.
      const src = this.keySource;
      const used = src.envKey ? 'BANKSYNC_SECRET_KEY' : `the key in ${src.keyFile}`;
      throw new BanksyncError('NOT_CONFIGURED', `the stored credentials of ${ownerName(owner)} cannot be decrypted: ${used} is not the key they were sealed with (wrong key)`, {
        hint: `restore the key they were sealed with (${src.keyFile} from your backup${src.envKey ? ', or unset BANKSYNC_SECRET_KEY if that file holds it' : ''}); ${this.lostForGood()}`,
        reason: 'wrong-key',
      });
    }
  }

  /** The key, loading it on first use; a store whose count is a promise has called `ready()` before. */
  private loadedKey(): Buffer {
    this.key ??= this.load(() => {
      const sealed = this.values.count();
      if (typeof sealed !== 'number') throw new Error('internal error: the key of a store that counts asynchronously is loaded by ready()');
      return sealed;
    });
    return this.key;
  }

  /** `sealedCount` is asked only when the key file is missing. */
  private load(sealedCount: () => number): Buffer {
    const src = this.keySource;
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
      const sealed = sealedCount();
      if (sealed > 0) {
        throw new BanksyncError('NOT_CONFIGURED', `the key file ${src.keyFile} is missing, and the database holds ${plural(sealed, 'credential')} sealed with it; no new key was made`, {
          hint: `restore ${src.keyFile} from your backup (or give its contents as BANKSYNC_SECRET_KEY); ${this.lostForGood()}`,
        });
      }
      createKeyFile(src.keyFile);
    }
    const key = decodeKey(readFileSync(src.keyFile, 'utf8'));
    if (typeof key === 'string') {
      throw new BanksyncError('NOT_CONFIGURED', `the key file ${src.keyFile} is damaged: ${key}; it must hold 32 bytes in base64`, {
        hint: `restore it from your backup; ${this.lostForGood()}`,
      });
    }
    return key;
  }

  /** The way out when the key is gone: forget what it sealed, then enter the credentials again. */
  private lostForGood(): string {
    return `if it is lost for good: ${this.values.forgetCommand}, then enter the credentials again (banksync providers setup, banksync update-credentials <connection>)`;
  }
}
