import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type StorePort, openSqliteStore } from '../../src/store/index.js';
import { PAGE_ROWS } from '../../src/store/sqlite/port.js';

/** The SQLite adapter of the persistence port: units of work over one connection shared by concurrent tasks. */
describe('the SQLite store behind the port', () => {
  const now = '2026-11-22T07:00:00.000Z';
  const setup = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'banksync-port-'));
    const path = join(dir, 'b.db');
    const db = openSqliteStore(path, { keyFile: join(dir, 'k') });
    const c = await db.connections.create({ providerId: 'fake', institutionId: 'i', institutionName: 'I', now });
    return { db, c, path, dir };
  };
  const add = (db: StorePort, c: number, name: string) =>
    db.accounts.create({ connectionId: c, providerId: 'fake', institutionId: 'i', externalId: name, name, currency: 'EUR', kind: 'checking', stableIds: true, now });
  const names = async (db: StorePort) => (await db.accounts.list()).map((a) => a.name);
  /** `n` lines in account `a`, written in one unit. */
  const addLines = (db: StorePort, a: number, n: number) =>
    db.write(async () => {
      for (let i = 0; i < n; i++)
        await db.transactions.write(
          {
            id: `t${i}`,
            accountId: a,
            externalId: `e${i}`,
            bookingDate: '2026-01-02',
            valueDate: null,
            amountMinor: -i,
            currency: 'EUR',
            payee: null,
            memo: null,
            type: 'debit',
            counterpartyIban: null,
            source: 'sync:fake',
            fingerprint: `f${i}`,
            ordinal: 0,
          },
          now,
        );
    });
  const tick = () => new Promise((r) => setImmediate(r));

  it('a write unit lands whole, or not at all when it throws', async () => {
    const { db, c } = await setup();
    await db.write(async () => {
      await add(db, c, 'a');
      await add(db, c, 'b');
    });
    await expect(
      db.write(async () => {
        await add(db, c, 'c');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await names(db)).toEqual(['a', 'b']);
  });

  it('keep: false rolls back (a dry run); a nested unit is a savepoint of its own', async () => {
    const { db, c } = await setup();
    await db.write(async () => add(db, c, 'dry'), { keep: false });
    await db.write(async () => {
      await add(db, c, 'outer');
      await db.write(async () => add(db, c, 'inner-dry'), { keep: false });
      await expect(db.write(async () => Promise.reject(new Error('inner')))).rejects.toThrow('inner');
    });
    expect(await names(db)).toEqual(['outer']);
  });

  it("another task's calls wait for an open unit: they neither join it nor see it half-done", async () => {
    const { db, c } = await setup();
    const order: string[] = [];
    const unit = db.write(async () => {
      await add(db, c, 'x');
      order.push('unit wrote x');
      await tick(); // a real await: the other task gets to run meanwhile
      await tick();
      order.push('unit ends');
      throw new Error('abandon');
    });
    const other = (async () => {
      await tick();
      order.push('other asks');
      const seen = await names(db);
      await add(db, c, 'y');
      order.push(`other saw [${seen.join(',')}]`);
    })();
    await expect(unit).rejects.toThrow('abandon');
    await other;
    expect(order).toEqual(['unit wrote x', 'other asks', 'unit ends', 'other saw []']);
    expect(await names(db)).toEqual(['y']); // y was not rolled back with the unit it would have joined
  });

  it('a helper called inside a unit joins it instead of waiting for it (units are ambient)', async () => {
    const { db, c } = await setup();
    const helper = async () => {
      await add(db, c, 'from-helper');
      return db.inUnit;
    };
    const inside = await db.write(async () => helper());
    expect(inside).toBe(true);
    expect(db.inUnit).toBe(false);
    expect(await names(db)).toEqual(['from-helper']);
  });

  it('streams come in pages, and a snapshot holds still while another connection commits', async () => {
    const { db, c, path, dir } = await setup();
    const other = openSqliteStore(path, { keyFile: join(dir, 'k') });
    const a = await add(db, c, 'a');
    await addLines(db, a, 2_500);
    const sizes = await db.snapshot(async () => {
      const pages: number[] = [];
      for await (const page of db.transactions.iterate({ accountIds: [a] })) {
        pages.push(page.length);
        await other.accounts.create({ connectionId: c, providerId: 'fake', institutionId: 'i', externalId: `n${pages.length}`, name: 'n', currency: 'EUR', kind: 'checking', stableIds: true, now });
      }
      return { pages, accounts: (await db.accounts.list()).length };
    });
    const full = Math.floor(2_500 / PAGE_ROWS);
    expect(sizes).toEqual({ pages: [...Array(full).fill(PAGE_ROWS), 2_500 - full * PAGE_ROWS], accounts: 1 });
    expect((await db.accounts.list()).length).toBe(1 + full + 1);
  });

  it('a stream left early ends its unit: the next write is not stuck behind it', async () => {
    const { db, c } = await setup();
    const a = await add(db, c, 'a');
    await addLines(db, a, 1_500);
    await db.snapshot(async () => {
      for await (const page of db.transactions.iterate({ accountIds: [a] })) {
        expect(page.length).toBe(PAGE_ROWS);
        break;
      }
    });
    await add(db, c, 'b');
    expect(await names(db)).toEqual(['a', 'b']);
  });
  it('a stream outside a unit of work is refused at once, not left to wait on its own reader', async () => {
    const { db, c } = await setup();
    const a = await add(db, c, 'a');
    const read = async () => {
      for await (const page of db.transactions.iterate({ accountIds: [a] })) expect(page).toBeDefined();
    };
    await expect(read()).rejects.toThrow('inside db.snapshot() or db.write()');
    await db.snapshot(read);
    await add(db, c, 'b'); // nothing left holding the lock
  });

  it('work a unit started and left running is outside the unit once it has ended', async () => {
    const { db, c } = await setup();
    let late: Promise<boolean> | undefined;
    await db.write(async () => {
      late = (async () => {
        await new Promise((r) => setTimeout(r, 20));
        return db.inUnit;
      })();
      await add(db, c, 'inside');
    });
    expect(await late).toBe(false);
  });
});
