import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeySource } from '../../../src/secrets/index.js';
import type { StorePort } from '../../../src/store/port.js';
import { openPostgresStore } from '../../../src/store/postgres/index.js';
import { failure } from '../../helpers/failure.js';
import { freshPgUrl, openTestStore, STORE_KINDS, type StoreKind, type TestStore, useStore } from '../../helpers/stores.js';
import { forgetAllSecrets, sealedBytes, storeSealedBytes } from './arrange-secrets.js';

const NOW = '2026-11-22T07:00:00.000Z';
const LATER = '2026-11-23T07:00:00.000Z';

/** The command each store's hint gives for forgetting every sealed value. */
const forgetCommand = (db: StorePort) => (db.kind === 'sqlite' ? `sqlite3 ${db.location} 'DELETE FROM secrets'` : `psql '${db.location}' -c 'DELETE FROM secrets'`);
const lostForGood = (db: StorePort) => `if it is lost for good: ${forgetCommand(db)}, then enter the credentials again (banksync providers setup, banksync update-credentials <connection>)`;

/** Stores opened with a key source of the test's own (a key file), disposed after each test. */
const opened: (TestStore | { dispose(): Promise<void> })[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.dispose();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
async function storeWithKey(kind: StoreKind, keySource: KeySource): Promise<TestStore> {
  const store = await openTestStore(kind, keySource);
  opened.push(store);
  return store;
}
function keyFileSource(): KeySource {
  const dir = mkdtempSync(join(tmpdir(), 'banksync-secrets-'));
  dirs.push(dir);
  return { keyFile: join(dir, 'config', 'secret.key') };
}

describe.each(STORE_KINDS)('secrets on %s', (kind) => {
  const store = useStore(kind);

  it('seals a value per owner, replaces it on a second put, lists owners bytewise, and forgets a deleted one', async () => {
    const { db } = store();
    expect(await db.secrets.get('connection:1')).toBeUndefined();
    expect(await db.secrets.owners()).toEqual([]);
    await db.secrets.put('connection:1', { access_token: 'tok-1', expires: 3600, nested: { refresh: ['a', 'b'] } }, NOW);
    await db.secrets.put('provider:gocardless', { secret_id: 'id', secret_key: 'key-1' }, NOW);
    await db.secrets.put('connection:10', { access_token: 'tok-10' }, NOW);
    await db.secrets.put('Provider:Upper', { secret: 'u' }, NOW);
    await db.secrets.put('connection:1', { access_token: 'tok-1b' }, LATER);
    expect(await db.secrets.get('connection:1')).toEqual({ access_token: 'tok-1b' });
    expect(await db.secrets.get('provider:gocardless')).toEqual({ secret_id: 'id', secret_key: 'key-1' });
    expect(await db.secrets.owners()).toEqual(['Provider:Upper', 'connection:1', 'connection:10', 'provider:gocardless']);
    await db.secrets.delete('connection:1');
    await db.secrets.delete('connection:404'); // nothing there: no error
    expect(await db.secrets.get('connection:1')).toBeUndefined();
    expect(await db.secrets.owners()).toEqual(['Provider:Upper', 'connection:10', 'provider:gocardless']);
    // Another process (another worker) opens what this one sealed.
    expect(await store().reopen().secrets.get('connection:10')).toEqual({ access_token: 'tok-10' });
  });

  it('a put inside a unit that is rolled back leaves the earlier value', async () => {
    const { db } = store();
    await db.secrets.put('connection:1', { access_token: 'before' }, NOW);
    await db.write(async () => db.secrets.put('connection:1', { access_token: 'after' }, LATER), { keep: false });
    expect(await db.secrets.get('connection:1')).toEqual({ access_token: 'before' });
  });

  it('the table holds iv ‖ tag ‖ ciphertext, never the text, and a new iv each time', async () => {
    const { db } = store();
    const value = { access_token: 'tok-visible-if-not-sealed' };
    await db.secrets.put('connection:1', value, NOW);
    const first = (await sealedBytes(db, 'connection:1'))!;
    expect(first).toBeInstanceOf(Buffer);
    expect(first).toHaveLength(12 + 16 + JSON.stringify(value).length);
    expect(first.includes('tok-visible')).toBe(false);
    expect(first.includes(JSON.stringify(value))).toBe(false);
    await db.secrets.put('connection:1', value, NOW);
    const second = (await sealedBytes(db, 'connection:1'))!;
    expect(second.subarray(0, 12).equals(first.subarray(0, 12))).toBe(false);
    expect(second.equals(first)).toBe(false);
  });

  it("a value sealed for one owner does not open as another's (the owner is bound in): wrong key, named by its owner", async () => {
    const { db } = store();
    await db.secrets.put('connection:1', { access_token: 'tok-1' }, NOW);
    await storeSealedBytes(db, 'connection:2', (await sealedBytes(db, 'connection:1'))!);
    const e = await failure(db.secrets.get('connection:2'));
    expect(e.code).toBe('NOT_CONFIGURED');
    expect(e.reason).toBe('wrong-key');
    expect(e.message).toBe('the stored credentials of connection c2 cannot be decrypted: BANKSYNC_SECRET_KEY is not the key they were sealed with (wrong key)');
    expect(e.hint).toBe(`restore the key they were sealed with (/nonexistent/banksync-test.key from your backup, or unset BANKSYNC_SECRET_KEY if that file holds it); ${lostForGood(db)}`);
    expect(await db.secrets.get('connection:1')).toEqual({ access_token: 'tok-1' });
  });

  it('another key does not open them (wrong key), the key they were sealed with does', async () => {
    const key = randomBytes(32).toString('base64');
    const sealing = await storeWithKey(kind, { envKey: key, keyFile: '/nonexistent/banksync-test.key' });
    await sealing.db.secrets.put('provider:plaid', { secret: 'plaid-secret' }, NOW);
    const bytes = (await sealedBytes(sealing.db, 'provider:plaid'))!;
    const other = await storeWithKey(kind, { envKey: randomBytes(32).toString('base64'), keyFile: '/nonexistent/banksync-test.key' });
    await storeSealedBytes(other.db, 'provider:plaid', bytes);
    expect((await failure(other.db.secrets.get('provider:plaid'))).message).toBe(
      'the stored credentials of provider plaid cannot be decrypted: BANKSYNC_SECRET_KEY is not the key they were sealed with (wrong key)',
    );
    expect(await other.db.secrets.owners()).toEqual(['provider:plaid']); // listed without opening
    const same = await storeWithKey(kind, { envKey: key, keyFile: '/nonexistent/banksync-test.key' });
    await storeSealedBytes(same.db, 'provider:plaid', bytes);
    expect(await same.db.secrets.get('provider:plaid')).toEqual({ secret: 'plaid-secret' });
  });

  it('the key file: made 0600 on first use; missing while values are sealed, refused with the way out and no new key made', async () => {
    const keySource = keyFileSource();
    const { db, reopen } = await storeWithKey(kind, keySource);
    await db.secrets.put('connection:1', { access_token: 'tok-1234' }, NOW);
    await db.secrets.put('connection:2', { access_token: 'tok-5678' }, NOW);
    expect(statSync(keySource.keyFile).mode & 0o777).toBe(0o600);
    rmSync(keySource.keyFile);

    const fresh = reopen(); // a new process: the key is read again
    const e = await failure(fresh.secrets.get('connection:1'));
    expect(e.code).toBe('NOT_CONFIGURED');
    expect(e.message).toBe(`the key file ${keySource.keyFile} is missing, and the database holds 2 credentials sealed with it; no new key was made`);
    expect(e.hint).toBe(`restore ${keySource.keyFile} from your backup (or give its contents as BANKSYNC_SECRET_KEY); ${lostForGood(fresh)}`);
    // Writing a new secret must not mint a key either: that would orphan the old ones for good.
    expect((await failure(fresh.secrets.put('provider:gocardless', { secret_key: 'x' }, NOW))).message).toMatch(/is missing, and the database holds 2 credentials/);
    expect(existsSync(keySource.keyFile)).toBe(false);
    expect(await fresh.secrets.owners()).toEqual(['connection:1', 'connection:2']);

    // Lost for good: once the hint's command has forgotten them, a new key is made.
    await forgetAllSecrets(fresh);
    await fresh.secrets.put('connection:1', { access_token: 'new' }, LATER);
    expect(existsSync(keySource.keyFile)).toBe(true);
    expect(await reopen().secrets.get('connection:1')).toEqual({ access_token: 'new' });
  });
});

describe('secrets sealed the same way on both stores', () => {
  it('a value sealed by one store opens in the other with the same key, its bytes copied', async () => {
    const keySource: KeySource = { envKey: randomBytes(32).toString('base64'), keyFile: '/nonexistent/banksync-test.key' };
    const sqlite = await storeWithKey('sqlite', keySource);
    const postgres = await storeWithKey('postgres', keySource);
    const session = { access_token: 'tok-é-✓', refresh_token: 'r', expires_at: '2026-12-01T00:00:00Z', accounts: [1, 2] };

    await sqlite.db.secrets.put('connection:7', session, NOW);
    await storeSealedBytes(postgres.db, 'connection:7', (await sealedBytes(sqlite.db, 'connection:7'))!);
    expect(await postgres.db.secrets.get('connection:7')).toEqual(session);

    await postgres.db.secrets.put('provider:enablebanking', { app_key: 'pem' }, NOW);
    await storeSealedBytes(sqlite.db, 'provider:enablebanking', (await sealedBytes(postgres.db, 'provider:enablebanking'))!);
    expect(await sqlite.db.secrets.get('provider:enablebanking')).toEqual({ app_key: 'pem' });
  });

  it('the PostgreSQL way out names the database, never its password', async () => {
    const pg = await freshPgUrl();
    const url = pg.url.replace('postgres://banksync@', 'postgres://banksync:hunter2@'); // the test server trusts any password
    const keySource = keyFileSource();
    const db = openPostgresStore(url, keySource);
    opened.push({ dispose: async () => (await db.close(), await pg.drop()) });
    await db.secrets.put('connection:1', { access_token: 'tok-1234' }, NOW);
    rmSync(keySource.keyFile);
    const again = openPostgresStore(url, keySource);
    opened.unshift({ dispose: () => again.close() });
    const e = await failure(again.secrets.get('connection:1'));
    expect(e.hint).toContain(`if it is lost for good: psql '${pg.url}' -c 'DELETE FROM secrets'`);
    expect(`${e.message} ${e.hint}`).not.toContain('hunter2');
  });
});
