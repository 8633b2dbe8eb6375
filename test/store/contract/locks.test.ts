import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { StorePort } from '../../../src/store/port.js';
import { PgLockRepo } from '../../../src/store/postgres/locks.js';
import type { PgPort } from '../../../src/store/postgres/port.js';
import { STORE_KINDS, useStore } from '../../helpers/stores.js';

/** A test clock years from the real one: leases are on the caller's clock, never the machine's. */
const NOW = new Date('2031-03-01T12:00:00.000Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);
/** Past the lease of both stores (SQLite 10 minutes, PostgreSQL 2). */
const PAST_LEASES = later(11 * 60_000);

async function accounts(db: StorePort, n: number): Promise<number[]> {
  const connection = await db.connections.create({ providerId: 'fake', institutionId: 'BANK', institutionName: 'Bank', now: NOW.toISOString() });
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(
      await db.accounts.create({
        connectionId: connection,
        providerId: 'fake',
        institutionId: 'BANK',
        externalId: `e${i}`,
        name: `A${i}`,
        currency: 'EUR',
        kind: 'checking',
        stableIds: true,
        now: NOW.toISOString(),
      }),
    );
  }
  return ids;
}

/** Polls until `check` is true: as long as the machine needs, bounded only by the test's timeout. */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await sleep(10);
}

describe.each(STORE_KINDS)('sync locks on %s', (kind) => {
  const store = useStore(kind);

  it('a lock held by one process refuses another, which is told who holds it; the holder may take it again', async () => {
    const { db } = store();
    const other = store().reopen(); // another worker on the same store
    const [a, b] = (await accounts(db, 2)) as [number, number];
    expect(await db.locks.acquire(a, NOW)).toBeNull();
    expect(await db.locks.acquire(a, later(1_000))).toBeNull(); // ours already
    const holder = await other.locks.acquire(a, later(60_000));
    expect(holder).toEqual({ pid: process.pid, owner: expect.any(String) });
    expect(await other.locks.acquire(a, later(60_000))).toEqual(holder);
    expect(await other.locks.isHeld(a, later(60_000))).toBe(true);
    expect(await db.locks.isHeld(b, NOW)).toBe(false);
    expect(await other.locks.acquire(b, NOW)).toBeNull(); // another account is free
    expect((await db.locks.acquire(b, NOW))?.owner).not.toBe(holder?.owner);
    expect(await db.locks.heldAccounts(later(60_000))).toEqual(new Set([a, b]));
  });

  it('an expired lease is taken over, and its old holder is then refused', async () => {
    const { db } = store();
    const other = store().reopen();
    const [a] = (await accounts(db, 1)) as [number];
    expect(await db.locks.acquire(a, NOW)).toBeNull();
    expect(await db.locks.isHeld(a, PAST_LEASES)).toBe(false);
    expect(await db.locks.heldAccounts(PAST_LEASES)).toEqual(new Set());
    expect(await other.locks.acquire(a, PAST_LEASES)).toBeNull();
    expect(await db.locks.acquire(a, PAST_LEASES)).toMatchObject({ pid: process.pid });
    await db.locks.release(a); // not its lock any more: nothing happens
    expect(await db.locks.isHeld(a, PAST_LEASES)).toBe(true);
  });

  it('release frees one lock of its holder; releaseAll every lock of its holder, and says how many', async () => {
    const { db } = store();
    const other = store().reopen();
    const [a, b, c, d] = (await accounts(db, 4)) as [number, number, number, number];
    for (const id of [a, b, c]) expect(await db.locks.acquire(id, NOW)).toBeNull();
    expect(await other.locks.acquire(d, NOW)).toBeNull();
    await other.locks.release(a); // not the holder
    expect(await db.locks.isHeld(a, NOW)).toBe(true);
    await db.locks.release(a);
    expect(await db.locks.isHeld(a, NOW)).toBe(false);
    expect(await other.locks.acquire(a, NOW)).toBeNull();
    expect(await db.locks.releaseAll()).toBe(2);
    expect(await db.locks.heldAccounts(NOW)).toEqual(new Set([a, d]));
    expect(await db.locks.releaseAll()).toBe(0);
    expect(await other.locks.releaseAll()).toBe(2);
    expect(await db.locks.heldAccounts(NOW)).toEqual(new Set());
  });

  it('two workers asking at once: exactly one gets the lock', async () => {
    const { db } = store();
    const workers = [db, store().reopen(), store().reopen()];
    const [a] = (await accounts(db, 1)) as [number];
    const answers = await Promise.all(workers.map((w) => w.locks.acquire(a, NOW)));
    expect(answers.filter((x) => x === null)).toHaveLength(1);
  });

  it('a lock taken in a unit of work that is rolled back is not held; one of a deleted account is gone', async () => {
    const { db } = store();
    const [a, b] = (await accounts(db, 2)) as [number, number];
    await expect(
      db.write(async () => {
        expect(await db.locks.acquire(a, NOW)).toBeNull();
        throw new Error('the merge failed');
      }),
    ).rejects.toThrow('the merge failed');
    expect(await db.locks.isHeld(a, NOW)).toBe(false);
    await db.write(
      async () => {
        await db.locks.acquire(a, NOW);
      },
      { keep: false },
    );
    expect(await store().reopen().locks.acquire(a, NOW)).toBeNull();
    expect(await db.locks.acquire(b, NOW)).toBeNull();
    await db.accounts.delete(b);
    expect(await db.locks.heldAccounts(NOW)).toEqual(new Set([a]));
    await db.locks.releaseAll();
  });
});

describe('sync locks on postgres: a lease kept alive by its holder', () => {
  const store = useStore('postgres');

  it('the heartbeat carries a lock past its first lease, on the clock it was taken by', async () => {
    const { db } = store();
    const [a] = (await accounts(db, 1)) as [number];
    // Another worker with a one-second lease renewed every 20 ms (the real ones: 2 minutes, 30 s).
    const worker = new PgLockRepo((db as PgPort).sql, 'worker-on-another-host', { leaseMs: 1_000, beatMs: 20 });
    try {
      expect(await worker.acquire(a, NOW)).toBeNull();
      const pastFirstLease = later(1_001);
      // Without a beat, the lease ends at NOW + 1 s; a beat on the real clock alone would not move it (years earlier).
      await until(() => db.locks.isHeld(a, pastFirstLease));
      expect(await db.locks.acquire(a, pastFirstLease)).toEqual({ pid: process.pid, owner: 'worker-on-another-host' });
      expect(await db.locks.heldAccounts(pastFirstLease)).toEqual(new Set([a]));
    } finally {
      await worker.releaseAll();
    }
    expect(await db.locks.acquire(a, NOW)).toBeNull();
  });

  it('the heartbeat renews on its own connection, never inside the unit of work that took the first lock', async () => {
    const { db } = store();
    const [a, b] = (await accounts(db, 2)) as [number, number];
    const worker = new PgLockRepo((db as PgPort).sql, 'worker', { leaseMs: 1_000, beatMs: 20 });
    let taken!: () => void;
    let finish!: () => void;
    const inUnit = new Promise<void>((resolve) => (taken = resolve));
    const unitEnds = new Promise<void>((resolve) => (finish = resolve));
    // A long unit (a merge) takes b first, so the heartbeat starts inside it, and stays open.
    const unit = db.write(async () => {
      expect(await worker.acquire(b, NOW)).toBeNull();
      taken();
      await unitEnds;
    });
    try {
      await inUnit;
      expect(await worker.acquire(a, NOW)).toBeNull(); // outside any unit: committed at once
      // Were the beats run in the open unit, the renewal of a would stay invisible until it ends.
      await until(() => db.locks.isHeld(a, later(1_001)));
    } finally {
      finish();
      await unit;
      await worker.releaseAll();
    }
  });

  it('a lease nobody renews ends after its length, and is then taken', async () => {
    const { db } = store();
    const [a] = (await accounts(db, 1)) as [number];
    // A worker killed outright: its first beat (a minute away) never comes.
    const worker = new PgLockRepo((db as PgPort).sql, 'worker-killed', { leaseMs: 1_000, beatMs: 60_000 });
    try {
      expect(await worker.acquire(a, NOW)).toBeNull();
      expect(await db.locks.acquire(a, later(999))).toMatchObject({ owner: 'worker-killed' });
      expect(await db.locks.acquire(a, later(1_000))).toBeNull();
    } finally {
      await worker.releaseAll();
    }
  });

  it('the statement that takes a lock is atomic by itself, without the writer lock of a unit', async () => {
    const { db } = store();
    const [a] = (await accounts(db, 1)) as [number];
    const expired = new PgLockRepo((db as PgPort).sql, 'expired', { leaseMs: 1_000, beatMs: 60_000 });
    // Straight on the pool, several connections at once: free, then over a lease that ran out.
    for (const now of [NOW, later(60_000)]) {
      const workers = Array.from({ length: 6 }, (_, i) => new PgLockRepo((db as PgPort).sql, `w${i}`, { leaseMs: 1_000, beatMs: 60_000 }));
      try {
        const answers = await Promise.all(workers.map((w) => w.acquire(a, now)));
        expect(answers.filter((x) => x === null)).toHaveLength(1);
      } finally {
        for (const w of workers) await w.releaseAll();
      }
      expect(await expired.acquire(a, now)).toBeNull();
    }
    await expired.releaseAll();
  });
});
