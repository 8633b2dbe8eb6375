import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { packEntry, unpackEntry } from '../../../src/core/archive/entry.js';
import type { NewArchiveEntry } from '../../../src/store/sqlite/archive.js';
import { STORE_KINDS, useStore } from '../../helpers/stores.js';
import { arrange } from './arrange-exports.js';

const entry = (accountIds: number[], fetchedAt: string, more: Partial<NewArchiveEntry> = {}): NewArchiveEntry => ({
  providerId: 'sandbox',
  connectionId: null,
  accountIds,
  level: 'pages',
  fetchedAt,
  from: '2026-01-01',
  to: fetchedAt.slice(0, 10),
  codec: 'gzip',
  rawBytes: 1_000,
  body: Buffer.from([0x1f, 0x8b, 0x00, 0xff]),
  ...more,
});

describe.each(STORE_KINDS)('archive on %s', (kind) => {
  const store = useStore(kind);

  it('keeps bodies byte for byte, lists entries in fetch order with their accounts by id', async () => {
    const { db } = store();
    const ar = arrange(db);
    const a = await ar.account();
    const b = await ar.account();
    expect(await db.archive.list()).toEqual([]);
    // Binary with every byte value (zeros included), large enough to matter.
    const body = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(300_000)]);
    const first = await db.archive.insert(entry([b, a, b], '2026-11-20T10:00:00.000Z', { body, rawBytes: 900_000, level: 'http', providerId: 'gocardless' }));
    const second = await db.archive.insert(entry([], '2026-11-19T10:00:00.000Z'));
    const third = await db.archive.insert(entry([b], '2026-11-21T10:00:00.000Z', { to: '2026-11-30' }));
    expect(second).toBeGreaterThan(first);
    expect(third).toBeGreaterThan(second);
    const rows = await db.archive.list();
    expect(rows.map((r) => r.id)).toEqual([first, second, third]);
    expect(rows[0]).toEqual({
      id: first,
      providerId: 'gocardless',
      connectionId: null,
      accountIds: [a, b],
      level: 'http',
      fetchedAt: '2026-11-20T10:00:00.000Z',
      from: '2026-01-01',
      to: '2026-11-20',
      codec: 'gzip',
      rawBytes: 900_000,
      body: expect.any(Buffer),
    });
    expect(Buffer.compare(rows[0]!.body, body)).toBe(0);
    expect(rows[1]!.accountIds).toEqual([]);
  });

  it('filters by provider, by any of some accounts, and by the end of the window', async () => {
    const { db } = store();
    const ar = arrange(db);
    const a = await ar.account();
    const b = await ar.account();
    const c = await ar.account();
    const e1 = await db.archive.insert(entry([a, b], '2026-11-01T00:00:00.000Z', { providerId: 'gocardless', to: '2026-10-31' }));
    const e2 = await db.archive.insert(entry([b], '2026-11-02T00:00:00.000Z', { to: '2026-11-02' }));
    const e3 = await db.archive.insert(entry([c], '2026-11-03T00:00:00.000Z', { providerId: 'gocardless', to: '2026-11-03' }));
    const ids = async (filter: Parameters<typeof db.archive.list>[0]) => (await db.archive.list(filter)).map((r) => r.id);
    expect(await ids({ providerId: 'gocardless' })).toEqual([e1, e3]);
    expect(await ids({ accountIds: [b] })).toEqual([e1, e2]);
    expect(await ids({ accountIds: [a, c] })).toEqual([e1, e3]);
    expect(await ids({ accountIds: [] })).toEqual([]);
    expect(await ids({ toOnOrAfter: '2026-11-02' })).toEqual([e2, e3]);
    expect(await ids({ providerId: 'gocardless', accountIds: [b, c], toOnOrAfter: '2026-11-01' })).toEqual([e3]);
    // An entry found by one account still lists every account it wrote to.
    expect((await db.archive.list({ accountIds: [a] }))[0]!.accountIds).toEqual([a, b]);
  });

  it('a packed entry reads back as the fetch it recorded', async () => {
    const { db } = store();
    const a = await arrange(db).account();
    const body = { fetch: { kind: 'account' as const, accounts: [{ id: a, externalId: 'e', institutionId: 'x' }], from: '2026-01-01', to: '2026-11-20' }, pages: [{ booked: [{ memo: 'Café é ✓' }] }] };
    await db.archive.insert(
      packEntry({ providerId: 'sandbox', connectionId: null, accountIds: [a], level: 'pages', fetchedAt: '2026-11-20T10:00:00.000Z', from: '2026-01-01', to: '2026-11-20' }, body as never),
    );
    const [row] = await db.archive.list();
    expect(unpackEntry(row!)).toEqual(body);
  });

  it('sizes the archive: entries, stored and raw bytes, the oldest and newest fetch', async () => {
    const { db } = store();
    const a = await arrange(db).account();
    expect(await db.archive.size()).toEqual({ entries: 0, storedBytes: 0, rawBytes: 0, oldest: null, newest: null });
    await db.archive.insert(entry([a], '2026-11-20T10:00:00.000Z', { body: Buffer.alloc(1_234, 7), rawBytes: 5_000 }));
    await db.archive.insert(entry([a], '2026-11-18T10:00:00.000Z', { body: Buffer.alloc(766), rawBytes: 4_000_000_000 }));
    expect(await db.archive.size()).toEqual({ entries: 2, storedBytes: 2_000, rawBytes: 4_000_005_000, oldest: '2026-11-18T10:00:00.000Z', newest: '2026-11-20T10:00:00.000Z' });
  });

  it('prunes entries fetched before a time, and those whose accounts are all gone; counts both', async () => {
    const { db } = store();
    const ar = arrange(db);
    const a = await ar.account();
    const b = await ar.account();
    await db.archive.insert(entry([a], '2025-11-01T00:00:00.000Z'));
    await db.archive.insert(entry([a, b], '2026-10-01T00:00:00.000Z'));
    await db.archive.insert(entry([b], '2026-11-15T00:00:00.000Z'));
    await db.archive.insert(entry([a], '2026-11-20T09:00:00.000Z'));
    expect(await db.archive.pruneBefore('2025-01-01')).toBe(0);
    // An account deleted with its history takes its share of the archive with it.
    await ar.dropAccount(b);
    expect((await db.archive.list()).map((r) => r.accountIds)).toEqual([[a], [a], [], [a]]);
    expect(await db.archive.pruneBefore('2026-10-01T00:00:00.000Z')).toBe(2); // the old one and b's orphan
    expect((await db.archive.list()).map((r) => r.fetchedAt)).toEqual(['2026-10-01T00:00:00.000Z', '2026-11-20T09:00:00.000Z']);
    expect(await db.archive.pruneBefore('9999')).toBe(2);
    expect((await db.archive.size()).entries).toBe(0);
  });
});
