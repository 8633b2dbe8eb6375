import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { BanksyncError } from '../../../src/domain/errors.js';
import { openPostgresStore } from '../../../src/store/postgres/index.js';
import { PG_LATEST_VERSION } from '../../../src/store/postgres/migrations/index.js';
import { freshPgUrl, STORE_KINDS, testKeySource, useStore } from '../../helpers/stores.js';

const T = '2026-11-30T10:00:00.000Z';

/** Units of work behave the same on both stores (see StorePort). Settings serve as the rows. */
describe.each(STORE_KINDS)('units of work on %s', (kind) => {
  const store = useStore(kind);

  it('keeps all of a write or, when it throws, none of it', async () => {
    const { db } = store();
    await db.write(async () => {
      await db.settings.set('a', '1', T);
      await db.settings.set('b', '2', T);
    });
    await expect(
      db.write(async () => {
        await db.settings.set('a', 'changed', T);
        await db.settings.set('c', '3', T);
        throw new Error('half-way');
      }),
    ).rejects.toThrow('half-way');
    expect((await db.settings.all()).map((s) => [s.key, s.value])).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
  });

  it('rolls a dry run back (keep: false) and returns its result', async () => {
    const { db } = store();
    const n = await db.write(
      async () => {
        await db.settings.set('dry', 'x', T);
        return (await db.settings.all()).length;
      },
      { keep: false },
    );
    expect(n).toBe(1);
    expect(await db.settings.get('dry')).toBeUndefined();
  });

  it('undoes a nested unit that throws and keeps the outer one', async () => {
    const { db } = store();
    await db.write(async () => {
      await db.settings.set('outer', '1', T);
      await db
        .write(async () => {
          await db.settings.set('inner', '1', T);
          throw new Error('inner fails');
        })
        .catch(() => undefined);
      await db.settings.set('after', '1', T);
    });
    expect((await db.settings.all()).map((s) => s.key)).toEqual(['after', 'outer']);
  });

  it('shows no other process a unit before it commits, and a snapshot nothing committed after it began', async () => {
    const { db, reopen } = store();
    const other = reopen();
    await db.settings.set('seen', 'before', T);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inside!: () => void;
    const entered = new Promise<void>((r) => (inside = r));
    const writing = db.write(async () => {
      await db.settings.set('seen', 'during', T);
      inside();
      await gate;
    });
    await entered;
    expect(await other.settings.get('seen')).toBe('before');
    release();
    await writing;
    expect(await other.settings.get('seen')).toBe('during');

    const seenInSnapshot = await other.snapshot(async () => {
      const first = await other.settings.get('seen');
      await db.settings.set('seen', 'after', T); // another process commits meanwhile
      return [first, await other.settings.get('seen')];
    });
    expect(seenInSnapshot).toEqual(['during', 'during']);
    expect(await other.settings.get('seen')).toBe('after');
  });

  it('joins a helper that calls the store inside a unit to that unit (ambient units)', async () => {
    const { db } = store();
    const helper = async () => db.settings.set('helper', 'x', T);
    await expect(
      db.write(async () => {
        await helper();
        throw new Error('undo all');
      }),
    ).rejects.toThrow('undo all');
    expect(await db.settings.get('helper')).toBeUndefined();
  });
});

describe('PostgreSQL store: opening and migrating', () => {
  const key = testKeySource();

  it('migrates once when several workers open a new database at the same moment', async () => {
    const pgdb = await freshPgUrl();
    const ports = Array.from({ length: 6 }, () => openPostgresStore(pgdb.url, key));
    try {
      await Promise.all(ports.map((p) => p.ensureIntact()));
      await Promise.all(ports.map((p, i) => p.settings.set(`worker-${i}`, 'up', T)));
      const client = new pg.Client({ connectionString: pgdb.url });
      await client.connect();
      const rows = (await client.query('SELECT version FROM schema_migrations ORDER BY version')).rows;
      await client.end();
      expect(rows.map((r) => Number(r.version))).toEqual(Array.from({ length: PG_LATEST_VERSION }, (_, i) => i + 1));
      expect(await ports[0]!.settings.all()).toHaveLength(6);
    } finally {
      for (const p of ports) await p.close();
      await pgdb.drop();
    }
  });

  it('refuses a schema newer than this banksync, and a database holding tables of someone else, without touching them', async () => {
    const newer = await freshPgUrl();
    const first = openPostgresStore(newer.url, key);
    await first.ensureIntact();
    await first.close();
    const client = new pg.Client({ connectionString: newer.url });
    await client.connect();
    await client.query("INSERT INTO schema_migrations VALUES ($1, 'from the future', 'now')", [PG_LATEST_VERSION + 1]);
    await client.end();
    const again = openPostgresStore(newer.url, key);
    await expect(again.settings.get('x')).rejects.toThrow(/written by a newer banksync \(schema \d+, this one knows \d+\)/);
    await again.close();
    await newer.drop();

    const foreign = await freshPgUrl();
    const c2 = new pg.Client({ connectionString: foreign.url });
    await c2.connect();
    await c2.query('CREATE TABLE invoices (id int)');
    const store = openPostgresStore(foreign.url, key);
    const err = await store.settings.get('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BanksyncError);
    expect((err as BanksyncError).message).toMatch(/is not a banksync database/);
    const tables = (await c2.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).rows.map((r) => r.tablename);
    expect(tables).toEqual(['invoices']);
    await c2.end();
    await store.close();
    await foreign.drop();
  });

  it('says in one line that the server cannot be reached, never showing the password', async () => {
    const store = openPostgresStore('postgres://someone:hunter2secret@localhost/none?host=/nonexistent-banksync-socket-dir', key);
    const err = await store.settings.get('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BanksyncError);
    expect((err as BanksyncError).code).toBe('ENVIRONMENT');
    expect((err as BanksyncError).message).toMatch(/cannot reach the PostgreSQL server/);
    expect((err as BanksyncError).message).not.toContain('hunter2secret');
    expect(store.location).not.toContain('hunter2secret');
    await store.close();
  });

  it('refuses to stream rows outside a unit of work, at once', async () => {
    const pgdb = await freshPgUrl();
    const store = openPostgresStore(pgdb.url, key);
    expect(() => store.transactions.iterate({})).toThrow(/inside db.snapshot\(\) or db.write\(\)/);
    await store.close();
    await pgdb.drop();
  });
});
