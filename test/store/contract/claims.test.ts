import { describe, expect, it } from 'vitest';
import type { PgPort } from '../../../src/store/postgres/port.js';
import { useStore } from '../../helpers/stores.js';

const NOW = '2026-11-30T10:00:00.000Z';
const LATER = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();
const LEASE = 120_000;

async function addConnections(db: PgPort, n: number): Promise<number[]> {
  const rows = await db.sql.rows<{ id: number }>(
    `INSERT INTO connections (provider_id, institution_id, institution_name, created_at, updated_at)
     SELECT 'gocardless', 'BANK_' || g, 'Bank ' || g, $1, $1 FROM generate_series(1, $2::int) g RETURNING id`,
    [NOW, n],
  );
  return rows.map((r) => r.id);
}

describe('claims on connections, PostgreSQL: workers sharing one store', () => {
  const store = useStore('postgres');

  it('gives each connection to one worker at a time, up to the limit asked, in id order', async () => {
    const a = store().db as PgPort;
    const b = store().reopen() as PgPort;
    const ids = await addConnections(a, 5);
    expect(await a.claims.take(ids, NOW, LEASE, 2)).toEqual(ids.slice(0, 2));
    expect(await b.claims.take(ids, NOW, LEASE, 10)).toEqual(ids.slice(2));
    expect(await a.claims.take(ids, NOW, LEASE, 10)).toEqual(ids.slice(0, 2)); // its own again, none of b's
    expect([...(await a.claims.heldByOthers(NOW)).keys()]).toEqual(ids.slice(2));
  });

  it('lets workers asking at the same moment take disjoint sets that cover every connection', async () => {
    const first = store().db as PgPort;
    const ids = await addConnections(first, 40);
    const workers = [first, ...Array.from({ length: 3 }, () => store().reopen() as PgPort)];
    const taken = await Promise.all(workers.map((w) => w.claims.take(ids, NOW, LEASE, 10)));
    const all = taken.flat().sort((x, y) => x - y);
    expect(all).toEqual(ids);
    for (const t of taken) expect(t).toHaveLength(10);
  });

  it("takes over a dead worker's connection once its lease has passed, not before; renew keeps it", async () => {
    const dead = store().db as PgPort;
    const alive = store().reopen() as PgPort;
    const [id] = await addConnections(dead, 1);
    expect(await dead.claims.take([id!], NOW, LEASE, 1)).toEqual([id]);
    expect(await alive.claims.take([id!], LATER(LEASE - 1), LEASE, 1)).toEqual([]);
    expect(await dead.claims.renew(LATER(LEASE - 1), LEASE)).toBe(1);
    expect(await alive.claims.take([id!], LATER(LEASE + 1), LEASE, 1)).toEqual([]); // renewed until 2 × LEASE - 1
    expect(await alive.claims.take([id!], LATER(2 * LEASE), LEASE, 1)).toEqual([id]);
    expect(await dead.claims.renew(LATER(2 * LEASE), LEASE)).toBe(0); // it lost it
  });

  it("frees a connection on release and all of a worker's on releaseAll; a claim goes with its connection", async () => {
    const a = store().db as PgPort;
    const b = store().reopen() as PgPort;
    const ids = await addConnections(a, 3);
    await a.claims.take(ids, NOW, LEASE, 3);
    await a.claims.release(ids[0]!);
    expect(await b.claims.take(ids, NOW, LEASE, 3)).toEqual([ids[0]]);
    expect(await a.claims.releaseAll()).toBe(2);
    expect(await b.claims.take(ids, NOW, LEASE, 3)).toEqual(ids);
    await a.sql.run('DELETE FROM connections WHERE id = $1', [ids[1]]);
    expect(await b.claims.renew(NOW, LEASE)).toBe(2);
  });
});

describe('request slots per provider, PostgreSQL: one in-flight limit for every worker', () => {
  const store = useStore('postgres');

  it('gives out no more slots than the limit across workers; a released one is taken again; other providers count apart', async () => {
    const workers = [store().db as PgPort, ...Array.from({ length: 3 }, () => store().reopen() as PgPort)];
    // Twelve asks at once, four workers, a limit of 5: exactly five get a slot, each a different one.
    const asks = await Promise.all(workers.flatMap((w) => [1, 2, 3].map(() => w.claims.takeSlot('gocardless', 5, NOW, LEASE))));
    const got = asks.filter((x): x is number => x !== null).sort();
    expect(got).toEqual([1, 2, 3, 4, 5]);
    const [w0] = workers as [PgPort];
    expect(await workers[3]!.claims.takeSlot('gocardless', 5, NOW, LEASE)).toBeNull();
    expect(await workers[3]!.claims.takeSlot('plaid', 1, NOW, LEASE)).toBe(1);
    // A slot is given back only by its holder.
    const holderOf = async (slot: number) => (await w0.sql.one<{ owner: string }>('SELECT owner FROM provider_slots WHERE provider_id = $1 AND slot = $2', ['gocardless', slot]))!.owner;
    const owner = await holderOf(3);
    const holder = workers.find((_, i) => asks.slice(i * 3, i * 3 + 3).includes(3))!;
    const stranger = workers.find((w) => w !== holder)!;
    await stranger.claims.releaseSlot('gocardless', 3);
    expect(await holderOf(3)).toBe(owner);
    await holder.claims.releaseSlot('gocardless', 3);
    expect(await stranger.claims.takeSlot('gocardless', 5, NOW, LEASE)).toBe(3);
  });

  it('takes a slot whose lease ran out (a worker that died mid-request elsewhere)', async () => {
    const dead = store().db as PgPort;
    const alive = store().reopen() as PgPort;
    expect(await dead.claims.takeSlot('gocardless', 1, NOW, LEASE)).toBe(1);
    expect(await alive.claims.takeSlot('gocardless', 1, LATER(LEASE - 1), LEASE)).toBeNull();
    expect(await alive.claims.takeSlot('gocardless', 1, LATER(LEASE), LEASE)).toBe(1);
  });
});

describe('claims on connections, SQLite: one host, the account locks keep processes apart', () => {
  const store = useStore('sqlite');

  it('gives every connection asked for, up to the limit, and keeps nothing', async () => {
    const a = store().db;
    const b = store().reopen();
    expect(await a.claims.take([3, 1, 2, 1], NOW, LEASE, 2)).toEqual([1, 2]);
    expect(await b.claims.take([1, 2, 3], NOW, LEASE, 5)).toEqual([1, 2, 3]);
    expect((await a.claims.heldByOthers(NOW)).size).toBe(0);
  });
});
