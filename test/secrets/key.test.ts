import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BanksyncError } from '../../src/domain/errors.js';
import { Store, sqlitePort } from '../../src/store/index.js';

const NOW = '2026-11-22T07:00:00.000Z';

/** A database holding one sealed credential, and the key file that sealed it. */
function sealed() {
  const dir = mkdtempSync(join(tmpdir(), 'banksync-key-'));
  const db = join(dir, 'b.db');
  const keyFile = join(dir, 'config', 'secret.key');
  const store = Store.open(db, { keyFile });
  store.secrets.put('connection:1', { access_token: 'tok-1234' }, NOW);
  store.close();
  const reopen = (envKey?: string) => Store.open(db, { keyFile, envKey });
  return { dir, db, keyFile, key: readFileSync(keyFile, 'utf8'), reopen };
}

function failure(fn: () => unknown): BanksyncError {
  try {
    fn();
  } catch (e) {
    if (e instanceof BanksyncError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

const LOST = (db: string) => `if it is lost for good: sqlite3 ${db} 'DELETE FROM secrets', then enter the credentials again (banksync providers setup, banksync update-credentials <connection>)`;

describe('the secret key', () => {
  it('is created 0600 on first use when nothing is sealed yet', () => {
    const { keyFile } = sealed();
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(keyFile, 'utf8'), 'base64')).toHaveLength(32);
  });

  it('missing while sealed credentials exist: refused, no new key made, the file named with how to restore it', () => {
    const { db, keyFile, reopen } = sealed();
    rmSync(keyFile);
    const store = reopen();
    const e = failure(() => store.secrets.get('connection:1'));
    expect(e.code).toBe('NOT_CONFIGURED');
    expect(e.message).toBe(`the key file ${keyFile} is missing, and the database holds 1 credential sealed with it; no new key was made`);
    expect(e.hint).toBe(`restore ${keyFile} from your backup (or give its contents as BANKSYNC_SECRET_KEY); ${LOST(db)}`);
    // Writing a new secret must not mint a key either: that would orphan the old ones for good.
    expect(() => store.secrets.put('provider:gocardless', { secret_key: 'x' }, NOW)).toThrow(/is missing/);
    expect(existsSync(keyFile)).toBe(false);
    store.close();
  });

  it('restored from a backup: the credentials open again', () => {
    const { keyFile, key, reopen } = sealed();
    rmSync(keyFile);
    const store = reopen();
    expect(() => store.secrets.get('connection:1')).toThrow(/is missing/);
    store.close();
    writeFileSync(keyFile, key, { mode: 0o600 });
    const again = reopen();
    expect(again.secrets.get('connection:1')).toEqual({ access_token: 'tok-1234' });
    again.close();
  });

  it.each([
    ['not base64', 'this is not a key!', 'it is not base64 (18 characters)'],
    ['the wrong length', Buffer.alloc(16).toString('base64'), 'it decodes to 16 bytes, not 32'],
    ['empty', '\n', 'it is empty'],
  ])('key file damaged (%s): says so, not "wrong key"', (_what, content, why) => {
    const { db, keyFile, reopen } = sealed();
    writeFileSync(keyFile, content);
    const store = reopen();
    const e = failure(() => store.secrets.get('connection:1'));
    expect(e.message).toBe(`the key file ${keyFile} is damaged: ${why}; it must hold 32 bytes in base64`);
    expect(e.hint).toBe(`restore it from your backup; ${LOST(db)}`);
    store.close();
  });

  it('BANKSYNC_SECRET_KEY malformed: names the variable, not the file', () => {
    const { keyFile, reopen } = sealed();
    const store = reopen('abc$%^');
    const e = failure(() => store.secrets.get('connection:1'));
    expect(e.message).toBe('BANKSYNC_SECRET_KEY is malformed: it is not base64 (6 characters); it must be 32 bytes in base64');
    expect(e.hint).toBe(`set it to the key your credentials were sealed with (the contents of ${keyFile}), or unset it to use that file`);
    store.close();
  });

  it('wrong key (well-formed, but not the one that sealed them), from the file or the variable', () => {
    const { db, keyFile, key, reopen } = sealed();
    writeFileSync(keyFile, randomBytes(32).toString('base64'));
    const fromFile = reopen();
    const e = failure(() => fromFile.secrets.get('connection:1'));
    expect(e.message).toBe(`the stored credentials of connection c1 cannot be decrypted: the key in ${keyFile} is not the key they were sealed with (wrong key)`);
    expect(e.hint).toBe(`restore the key they were sealed with (${keyFile} from your backup); ${LOST(db)}`);
    fromFile.close();
    writeFileSync(keyFile, key);
    const fromEnv = reopen(randomBytes(32).toString('base64'));
    expect(failure(() => fromEnv.secrets.get('connection:1')).message).toMatch(/: BANKSYNC_SECRET_KEY is not the key they were sealed with \(wrong key\)$/);
    fromEnv.close();
    expect(reopen(key).secrets.get('connection:1')).toEqual({ access_token: 'tok-1234' });
  });

  it('lost for good: once the sealed values are deleted as the hint says, a new key is made', () => {
    const { keyFile, reopen } = sealed();
    rmSync(keyFile);
    const store = reopen();
    store.db.exec('DELETE FROM secrets');
    store.secrets.put('connection:1', { access_token: 'new' }, NOW);
    expect(existsSync(keyFile)).toBe(true);
    store.close();
  });

  it('owners: whose values are sealed, in order, without opening any (doctor counts them, then opens each)', async () => {
    const { key, reopen } = sealed();
    const store = reopen(randomBytes(32).toString('base64'));
    const db = sqlitePort(store);
    expect(await db.secrets.owners()).toEqual(['connection:1']);
    const other = reopen(key);
    other.secrets.put('provider:plaid', { secret: 's' }, NOW);
    other.close();
    expect(await db.secrets.owners()).toEqual(['connection:1', 'provider:plaid']);
    store.close();
  });
});
