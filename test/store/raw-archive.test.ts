import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packEntry, packEntryOffThread, unpackEntry } from '../../src/core/archive/entry.js';
import { pruneArchive } from '../../src/core/archive/retention.js';
import { Store, sqlitePort } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations/index.js';

function v10WithAccounts(): string {
  const dir = mkdtempSync(join(tmpdir(), 'banksync-v11-'));
  const path = join(dir, 'b.db');
  const db = new Database(path);
  for (const m of MIGRATIONS.slice(0, 10)) m.up(db);
  db.pragma('application_id = 0x42534e43');
  db.pragma('user_version = 10');
  db.prepare("INSERT INTO connections (provider_id, institution_id, institution_name, created_at, updated_at) VALUES ('sandbox','x','X','t','t')").run();
  for (const name of ['A', 'B'])
    db.prepare("INSERT INTO accounts (connection_id, provider_id, institution_id, external_id, name, currency, kind, created_at) VALUES (1,'sandbox','x',?,?,'EUR','checking','t')").run(name, name);
  db.close();
  return path;
}

const entry = (accountIds: number[], fetchedAt: string) =>
  packEntry(
    { providerId: 'sandbox', connectionId: 1, accountIds, level: 'pages', fetchedAt, from: '2026-01-01', to: fetchedAt.slice(0, 10) },
    { fetch: { kind: 'account', accounts: accountIds.map((id) => ({ id, externalId: `e${id}`, institutionId: 'x' })), from: '2026-01-01', to: fetchedAt.slice(0, 10) }, pages: [{ booked: [] }] },
  );

describe('migration 011: the raw archive', () => {
  it('upgrades a version-10 database (its accounts untouched) and keeps entries compressed, by account', () => {
    const store = Store.open(v10WithAccounts(), { keyFile: '/nonexistent/k' });
    expect(store.accounts.list().map((a) => a.name)).toEqual(['A', 'B']);
    const id = store.archive.insert(entry([1, 2], '2026-11-20T10:00:00.000Z'));
    store.archive.insert(entry([2], '2026-11-21T10:00:00.000Z'));
    const [row] = store.archive.list({ accountIds: [1] });
    expect(row).toMatchObject({ id, accountIds: [1, 2], level: 'pages', codec: 'gzip' });
    expect(unpackEntry(row!).pages).toEqual([{ booked: [] }]);
    expect(store.archive.list({ toOnOrAfter: '2026-11-21' }).map((r) => r.accountIds)).toEqual([[2]]);
    expect(store.archive.size()).toMatchObject({ entries: 2, oldest: '2026-11-20T10:00:00.000Z', newest: '2026-11-21T10:00:00.000Z' });
    expect(store.archive.size().storedBytes).toBeGreaterThan(0);

    // An account deleted with its history takes its share of the archive with it; an entry left with no account goes at the next prune.
    store.db.prepare('DELETE FROM accounts WHERE id = 2').run();
    expect(store.archive.list().map((r) => r.accountIds)).toEqual([[1], []]);
    expect(store.archive.pruneBefore('2000-01-01')).toBe(1);
    expect(store.archive.size().entries).toBe(1);
    store.close();
  });
});

describe('archive retention', () => {
  it('keeps what was fetched within archive-days; 0 empties the archive', async () => {
    const store = Store.open(v10WithAccounts(), { keyFile: '/nonexistent/k' });
    const db = sqlitePort(store);
    for (const at of ['2025-11-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z', '2026-11-15T00:00:00.000Z', '2026-11-20T09:00:00.000Z']) store.archive.insert(entry([1], at));
    const now = new Date('2026-11-20T10:00:00Z');
    expect(await pruneArchive(db, 400, now)).toBe(0);
    expect(await pruneArchive(db, 30, now)).toBe(2);
    expect(store.archive.list().map((r) => r.fetchedAt)).toEqual(['2026-11-15T00:00:00.000Z', '2026-11-20T09:00:00.000Z']);
    expect(await pruneArchive(db, 0, now)).toBe(2);
    expect(store.archive.size().entries).toBe(0);
    store.close();
  });
});

describe('archive entries packed off the main thread', () => {
  it('are the same bytes as packed on it, and read back the same', async () => {
    const meta = { providerId: 'gocardless', connectionId: 1, accountIds: [1, 2], level: 'http' as const, fetchedAt: '2026-11-22T07:00:00.000Z', from: '2026-11-01', to: '2026-11-22' };
    const text = JSON.stringify({ transactions: { booked: Array.from({ length: 500 }, (_, i) => ({ transactionId: `t${i}`, amount: `${i}.00`, memo: 'Café é ✓' })) } });
    const body = {
      fetch: { kind: 'account' as const, accounts: [{ id: 1, externalId: 'a', institutionId: 'i' }], from: meta.from, to: meta.to },
      exchanges: [{ method: 'GET', url: 'https://x/api', headers: {}, status: 200, responseHeaders: { 'content-type': 'application/json' }, text }],
    };
    const off = await packEntryOffThread(meta, body);
    const on = packEntry(meta, body);
    expect(off).toEqual(on);
    expect(Buffer.compare(off.body, on.body)).toBe(0);
    expect(unpackEntry({ ...off, id: 1, accountIds: '1,2' } as never)).toEqual(body);
  });
});
