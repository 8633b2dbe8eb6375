import { describe, expect, it } from 'vitest';
import type { StorePort } from '../../../src/store/port.js';
import type { PendingRow } from '../../../src/store/sqlite/pending.js';
import { STORE_KINDS, useStore } from '../../helpers/stores.js';
import { account } from './arrange.js';

const T0 = '2026-11-22T07:00:00.000Z';
const T1 = '2026-11-23T07:00:00.000Z';

const pending = (accountId: number, dedupeKey: string, over: Partial<PendingRow> = {}): PendingRow => ({
  accountId,
  dedupeKey,
  externalId: `x-${dedupeKey}`,
  date: '2026-11-05',
  amountMinor: -500,
  currency: 'EUR',
  payee: 'Cafe',
  memo: null,
  ...over,
});

/** A booked line to link pending ones to (pending_transactions.transaction_id refers to it). */
async function booked(db: StorePort, accountId: number, id: string): Promise<void> {
  await db.transactions.write(
    {
      id,
      accountId,
      externalId: `p-${id}`,
      fingerprint: 'fp',
      ordinal: 0,
      bookingDate: '2026-11-06',
      valueDate: null,
      amountMinor: -500,
      currency: 'EUR',
      payee: 'Cafe',
      memo: null,
      type: 'debit',
      counterpartyIban: null,
      source: 'provider:fake',
    },
    T0,
  );
}

describe.each(STORE_KINDS)('pending on %s', (kind) => {
  const store = useStore(kind);

  it('upserts by key, lists open lines by date then arrival, and counts them', async () => {
    const { db } = store();
    const a = await account(db, 'a');
    const b = await account(db, 'b');
    await db.pending.upsert(pending(a, 'k1', { date: '2026-11-07' }), T0);
    await db.pending.upsert(pending(a, 'k2'), T0);
    await db.pending.upsert(pending(b, 'k1'), T0);
    await db.pending.upsert(pending(a, 'k0'), T0);
    // The same key again: the newest amount, text and sighting; the first sighting and external id stay.
    await db.pending.upsert(pending(a, 'k1', { date: '2026-11-04', amountMinor: -550, payee: null, memo: 'tip', externalId: 'changed', currency: 'USD' }), T1);
    const open = await db.pending.open(a);
    expect(open.map((p) => p.dedupeKey)).toEqual(['k1', 'k2', 'k0']);
    expect(open[0]).toEqual({
      rowId: open[0]!.rowId,
      accountId: a,
      dedupeKey: 'k1',
      externalId: 'x-k1',
      date: '2026-11-04',
      amountMinor: -550,
      currency: 'EUR',
      payee: null,
      memo: 'tip',
      status: 'pending',
      transactionId: null,
      lastSeenAt: T1,
    });
    expect(await db.pending.countOpen(a)).toBe(3);
    expect(await db.pending.countOpen(b)).toBe(1);
  });

  it('links a pending line to a booked one; a booked line stays booked when seen again, a vanished one comes back', async () => {
    const { db } = store();
    const a = await account(db, 'a');
    await booked(db, a, 't1');
    await db.pending.upsert(pending(a, 'k1'), T0);
    await db.pending.upsert(pending(a, 'k2'), T0);
    const [p1, p2] = await db.pending.open(a);
    await db.pending.link(p1!.rowId, 't1');
    await db.pending.markVanished(p2!.rowId);
    expect(await db.pending.open(a)).toEqual([]);
    expect(await db.pending.linkedTransactionIds(a)).toEqual(new Set(['t1']));
    expect((await db.pending.linkedTo('t1')).map((p) => [p.dedupeKey, p.status])).toEqual([['k1', 'booked']]);

    await db.pending.upsert(pending(a, 'k1', { amountMinor: -1 }), T1);
    await db.pending.upsert(pending(a, 'k2'), T1);
    expect((await db.pending.list({ accountIds: [a] })).map((p) => [p.dedupeKey, p.status, p.transactionId])).toEqual([
      ['k1', 'booked', 't1'],
      ['k2', 'pending', null],
    ]);
  });

  it('linkByKey links an open or vanished line, never one already booked', async () => {
    const { db } = store();
    const a = await account(db, 'a');
    await booked(db, a, 't1');
    await booked(db, a, 't2');
    await db.pending.upsert(pending(a, 'k1'), T0);
    await db.pending.upsert(pending(a, 'k2'), T0);
    const [, p2] = await db.pending.open(a);
    await db.pending.markVanished(p2!.rowId);
    expect(await db.pending.linkByKey(a, 'k2', 't2')).toBe(true);
    expect(await db.pending.linkByKey(a, 'k1', 't1')).toBe(true);
    expect(await db.pending.linkByKey(a, 'k1', 't2')).toBe(false);
    expect(await db.pending.linkByKey(a, 'none', 't2')).toBe(false);
    expect((await db.pending.linkedTo('t1')).map((p) => p.dedupeKey)).toEqual(['k1']);
    expect((await db.pending.linkedTo('t2')).map((p) => p.dedupeKey)).toEqual(['k2']);
  });

  it('finds the open line a provider names as gone', async () => {
    const { db } = store();
    const a = await account(db, 'a');
    await db.pending.upsert(pending(a, 'k1', { externalId: 'same' }), T0);
    await db.pending.upsert(pending(a, 'k2', { externalId: 'same' }), T0);
    const first = await db.pending.openByExternalId(a, 'same');
    expect(first?.dedupeKey).toBe('k1');
    await db.pending.markVanished(first!.rowId);
    expect((await db.pending.openByExternalId(a, 'same'))?.dedupeKey).toBe('k2');
    expect(await db.pending.openByExternalId(a, 'other')).toBeUndefined();
  });

  it('lists with filters, by account, date and arrival', async () => {
    const { db } = store();
    const a = await account(db, 'a');
    const b = await account(db, 'b');
    await db.pending.upsert(pending(b, 'k1', { date: '2026-11-01' }), T0);
    await db.pending.upsert(pending(a, 'k2', { date: '2026-11-09' }), T0);
    await db.pending.upsert(pending(a, 'k3', { date: '2026-11-02' }), T0);
    await db.pending.upsert(pending(a, 'k4', { date: '2026-11-09' }), T0);
    const [p3] = await db.pending.open(a);
    await db.pending.markVanished(p3!.rowId);
    const keys = async (q: Parameters<StorePort['pending']['list']>[0]) => (await db.pending.list(q)).map((p) => p.dedupeKey);
    expect(await keys({})).toEqual(['k3', 'k2', 'k4', 'k1']);
    expect(await keys({ accountIds: [b] })).toEqual(['k1']);
    expect(await keys({ from: '2026-11-02', to: '2026-11-08' })).toEqual(['k3']);
    expect(await keys({ status: 'pending' })).toEqual(['k2', 'k4', 'k1']);
    expect(await keys({ accountIds: [a, b], status: 'vanished' })).toEqual(['k3']);
  });
});
