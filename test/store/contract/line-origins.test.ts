import { describe, expect, it } from 'vitest';
import type { StorePort } from '../../../src/store/port.js';
import type { OriginInput } from '../../../src/store/sqlite/line-origins.js';
import type { TransactionRow } from '../../../src/store/sqlite/transactions.js';
import { STORE_KINDS, useStore } from '../../helpers/stores.js';
import { account } from './arrange.js';

const T0 = '2026-11-22T07:00:00.000Z';
const T1 = '2026-11-23T07:00:00.000Z';

const line = (accountId: number, id: string, over: Partial<TransactionRow> = {}): TransactionRow => ({
  id,
  accountId,
  externalId: `p-${id}`,
  fingerprint: 'fp',
  ordinal: 0,
  bookingDate: '2026-11-02',
  valueDate: null,
  amountMinor: -1000,
  currency: 'EUR',
  payee: 'Shop',
  memo: null,
  type: 'debit',
  counterpartyIban: null,
  source: 'provider:fake',
  ...over,
});

const origin = (transactionId: string, over: Partial<OriginInput> = {}): OriginInput => ({
  transactionId,
  role: 'stored',
  source: 'provider:fake',
  sourceKey: 'provider:fake:p1',
  fileId: null,
  record: null,
  rawId: 'p1',
  rung: 'new',
  why: null,
  candidates: null,
  observation: { payee: 'Shop', amountMinor: -1000 },
  ...over,
});

async function lines(db: StorePort, ...rows: TransactionRow[]): Promise<void> {
  await db.transactions.writeBatch(rows, T0);
}

describe.each(STORE_KINDS)('line origins on %s', (kind) => {
  const store = useStore(kind);

  it('records an observation once; a repeat only refreshes when it was last seen; reads them in recording order with their file', async () => {
    const { db } = store();
    const a = await account(db, 'a');
    await lines(db, line(a, 't1'));
    const file = await db.lineOrigins.fileId({ name: 'jan.csv', sha256: 'abcdef0123', size: 120, format: 'csv' }, T0);
    expect(await db.lineOrigins.fileId({ name: 'jan.csv', sha256: 'abcdef0123', size: 999, format: 'csv' }, T1)).toBe(file);
    const other = await db.lineOrigins.fileId({ name: 'copy.csv', sha256: 'abcdef0123', size: 120, format: 'csv' }, T1);
    expect(other).not.toBe(file);

    expect(await db.lineOrigins.has('t1', 'provider:fake:p1')).toBe(false);
    await db.lineOrigins.record(origin('t1'), T0);
    const candidates = [{ id: 't1', source: 'provider:fake', text: 'Shop', verdict: 'accepted' as const, why: 'same text' }];
    await db.lineOrigins.record(
      origin('t1', {
        role: 'merged',
        source: 'file:jan.csv#abcdef',
        sourceKey: 'file:jan.csv:3',
        fileId: file,
        record: '3',
        rawId: null,
        rung: 'text',
        why: 'one candidate',
        candidates,
        observation: null,
      }),
      T0,
    );
    await db.lineOrigins.record(origin('t1', { rung: 'own-id', why: 'ignored on a repeat' }), T1);
    expect(await db.lineOrigins.has('t1', 'provider:fake:p1')).toBe(true);
    expect(await db.lineOrigins.has('t1', 'provider:fake:p2')).toBe(false);

    const found = await db.lineOrigins.of('t1');
    expect(found).toHaveLength(2);
    expect(found[0]).toEqual({
      ref: `o${found[0]!.rowId}`,
      rowId: found[0]!.rowId,
      transactionId: 't1',
      role: 'stored',
      source: 'provider:fake',
      sourceKey: 'provider:fake:p1',
      fileId: null,
      file: null,
      record: null,
      rawId: 'p1',
      rung: 'new',
      why: null,
      candidates: null,
      observation: { payee: 'Shop', amountMinor: -1000 },
      unmergedFrom: null,
      firstSeenAt: T0,
      lastSeenAt: T1,
    });
    expect(found[1]).toMatchObject({
      role: 'merged',
      fileId: file,
      file: { name: 'jan.csv', sha256: 'abcdef0123', size: 120, format: 'csv' },
      record: '3',
      rung: 'text',
      candidates,
      observation: null,
      lastSeenAt: T0,
    });
    expect(found[1]!.rowId).toBeGreaterThan(found[0]!.rowId);
    expect(await db.lineOrigins.of('nothing')).toEqual([]);
  });

  it('detach makes a merged observation the stored origin of a new line', async () => {
    const { db } = store();
    const a = await account(db, 'a');
    await lines(db, line(a, 't1'), line(a, 't2'));
    await db.lineOrigins.record(origin('t1', { role: 'merged', sourceKey: 'k2' }), T0);
    const [o] = await db.lineOrigins.of('t1');
    await db.lineOrigins.detach(o!.rowId, 't2', 't1', T1);
    expect(await db.lineOrigins.of('t1')).toEqual([]);
    expect(await db.lineOrigins.of('t2')).toMatchObject([{ rowId: o!.rowId, role: 'stored', rung: 'unmerged', unmergedFrom: 't1', lastSeenAt: T1, firstSeenAt: T0 }]);
  });

  it('finds a file line by its record, through the line source naming the file', async () => {
    const { db } = store();
    const jan = await db.lineOrigins.fileId({ name: 'jan.csv', sha256: 'abcdef0123', size: 10, format: 'csv' }, T0);
    const again = await db.lineOrigins.fileId({ name: 'jan.csv', sha256: 'abff000000', size: 10, format: 'csv' }, T1);
    await db.lineOrigins.addFileRecords(jan, { t1: '2', t2: '5' });
    await db.lineOrigins.addFileRecords(jan, { t3: '9' });
    await db.lineOrigins.addFileRecords(again, { t1: '7' });
    expect(await db.lineOrigins.fileRecord('t3', 'file:jan.csv#abcdef')).toEqual({
      fileId: jan,
      record: '9',
      file: { name: 'jan.csv', sha256: 'abcdef0123', size: 10, format: 'csv' },
      firstSeenAt: T0,
    });
    // Both files match a short prefix: the first recorded one answers.
    expect(await db.lineOrigins.fileRecord('t1', 'file:jan.csv#ab')).toMatchObject({ fileId: jan, record: '2' });
    expect(await db.lineOrigins.fileRecord('t1', 'file:jan.csv#abff')).toMatchObject({ fileId: again, record: '7' });
    expect(await db.lineOrigins.fileRecord('t2', 'file:jan.csv#abff')).toBeUndefined();
    expect(await db.lineOrigins.fileRecord('t1', 'file:feb.csv#abcdef')).toBeUndefined();
    expect(await db.lineOrigins.fileRecord('t1', 'provider:fake')).toBeUndefined();
  });

  it('keeps refusals per account, once each', async () => {
    const { db } = store();
    const a = await account(db, 'a');
    const b = await account(db, 'b');
    await lines(db, line(a, 't1'), line(b, 't2'));
    await db.lineOrigins.refuse('t1', 'obs1', T0);
    await db.lineOrigins.refuse('t1', 'obs1', T1);
    await db.lineOrigins.refuse('t1', 'obs|2', T0);
    await db.lineOrigins.refuse('t2', 'obs3', T0);
    expect(await db.lineOrigins.refusals(a)).toEqual(new Set(['t1|obs1', 't1|obs|2']));
    expect(await db.lineOrigins.refusals(b)).toEqual(new Set(['t2|obs3']));
  });

  it('lists decisions in the order taken', async () => {
    const { db } = store();
    await db.lineOrigins.decide('t1', 'ignored', { reason: 'dup' }, T0);
    await db.lineOrigins.decide('t1', 'unignored', null, T1);
    await db.lineOrigins.decide('t2', 'unmerged', { from: 't1' }, T1);
    expect(await db.lineOrigins.decisions('t1')).toEqual([
      { kind: 'ignored', detail: { reason: 'dup' }, at: T0 },
      { kind: 'unignored', detail: null, at: T1 },
    ]);
  });

  it('setIgnored tombstones a line once (a new revision), keeps a new reason, and clears it once', async () => {
    const { db } = store();
    const a = await account(db, 'a');
    await lines(db, line(a, 't1'));
    expect(await db.lineOrigins.setIgnored('t1', 'duplicate', true, T0)).toBe(true);
    expect(await db.transactions.byId('t1')).toMatchObject({ ignoredAt: T0, ignoredReason: 'duplicate', revision: 1, updatedAt: T0 });
    expect(await db.lineOrigins.setIgnored('t1', 'other reason', true, T1)).toBe(false);
    expect(await db.transactions.byId('t1')).toMatchObject({ ignoredAt: T0, ignoredReason: 'other reason', revision: 1 });
    expect(await db.lineOrigins.setIgnored('t1', null, false, T1)).toBe(true);
    expect(await db.transactions.byId('t1')).toMatchObject({ ignoredAt: null, ignoredReason: null, revision: 2, updatedAt: T1 });
    expect(await db.lineOrigins.setIgnored('t1', null, false, T1)).toBe(false);
    expect(await db.transactions.history('t1')).toHaveLength(2);
    // A tombstone is not a removal: the line stays counted.
    expect(await db.transactions.count(a)).toBe(1);
  });
});
