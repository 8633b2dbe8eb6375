import { describe, expect, it } from 'vitest';
import type { StorePort } from '../../../src/store/port.js';
import type { TransactionRow, WriteResult } from '../../../src/store/sqlite/transactions.js';
import { rng } from '../../helpers/rng.js';
import { openTestStore, STORE_KINDS, useStore } from '../../helpers/stores.js';
import { account, query } from './arrange.js';

const T0 = '2026-11-22T07:00:00.000Z';
const T1 = '2026-11-23T07:00:00.000Z';

const row = (accountId: number, over: Partial<TransactionRow> = {}): TransactionRow => ({
  id: 't1',
  accountId,
  externalId: 'p1',
  fingerprint: 'fp1',
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

/** Every row of a stream, its pages joined (a stream is read inside a unit). */
async function all<T>(db: StorePort, pages: () => AsyncIterable<T[]>): Promise<T[]> {
  return db.snapshot(async () => {
    const out: T[] = [];
    for await (const page of pages()) out.push(...page);
    return out;
  });
}

/**
 * What a write leaves behind, every column: lines in seq order, their history, the transfer
 * queue, the live counts. The seq values themselves are left out: only their order means
 * anything (PostgreSQL's sequence skips the values of inserts a conflict left out).
 */
async function dump(db: StorePort) {
  const lines = await query<Record<string, unknown>>(db, 'SELECT * FROM transactions ORDER BY seq');
  return {
    lines: lines.map(({ seq, ...line }) => line),
    history: await query(db, 'SELECT * FROM transaction_history ORDER BY transaction_id, revision'),
    dirty: await query(db, 'SELECT line_id FROM transfer_dirty ORDER BY line_id'),
    counts: await query(db, 'SELECT account_id, live FROM account_line_counts ORDER BY account_id'),
  };
}

describe.each(STORE_KINDS)('transactions on %s', (kind) => {
  const store = useStore(kind);

  describe('write', () => {
    it('inserts a new line; the same line again changes nothing', async () => {
      const { db } = store();
      const a = await account(db, 'a');
      expect(await db.transactions.write(row(a), T0)).toBe('inserted');
      const before = await dump(db);
      expect(before.lines).toMatchObject([{ id: 't1', revision: 0, removed_at: null, first_seen_at: T0, updated_at: T0 }]);
      expect(await db.transactions.write(row(a), T1)).toBe('unchanged');
      expect(await dump(db)).toEqual(before);
      expect(await db.transactions.count(a)).toBe(1);
    });

    it('a correction under the same provider id updates the provider fields in place, keeps the old version and queues the line for transfers', async () => {
      const { db } = store();
      const a = await account(db, 'a');
      await db.transactions.write(row(a), T0);
      const correction = row(a, { amountMinor: -1050, fingerprint: 'fp2', id: 'tother', currency: 'USD', source: 'other', ordinal: 3 });
      expect(await db.transactions.write(correction, T1)).toBe('updated');
      expect(await db.transactions.byId('t1')).toMatchObject({
        amountMinor: -1050,
        fingerprint: 'fp2',
        currency: 'EUR',
        source: 'provider:fake',
        ordinal: 0,
        revision: 1,
        firstSeenAt: T0,
        updatedAt: T1,
      });
      expect(await db.transactions.isStored('tother')).toBe(false);
      expect(await db.transactions.history('t1')).toEqual([
        { revision: 0, bookingDate: '2026-11-02', valueDate: null, amountMinor: -1000, payee: 'Shop', memo: null, type: 'debit', counterpartyIban: null, replacedAt: T1 },
      ]);
      expect((await dump(db)).dirty).toEqual([{ line_id: 't1' }]);
      expect(await db.transactions.count(a)).toBe(1);
    });

    it('each field a provider may correct counts as a change, NULLs included; the fingerprint alone does not', async () => {
      const { db } = store();
      const a = await account(db, 'a');
      await db.transactions.write(row(a), T0);
      const changes: Partial<TransactionRow>[] = [
        { bookingDate: '2026-11-03' },
        { valueDate: '2026-11-04' },
        { valueDate: null },
        { payee: null },
        { payee: 'Shop' },
        { memo: 'card' },
        { type: 'pos' },
        { counterpartyIban: 'NL66SBOX0417164300' },
        { amountMinor: 7 },
      ];
      let current = row(a);
      for (const [i, change] of changes.entries()) {
        current = { ...current, ...change };
        expect(await db.transactions.write(current, T1), JSON.stringify(change)).toBe('updated');
        expect(await db.transactions.write(current, T1), JSON.stringify(change)).toBe('unchanged');
        expect((await db.transactions.byId('t1'))?.revision).toBe(i + 1);
      }
      expect(await db.transactions.write({ ...current, fingerprint: 'another' }, T1)).toBe('unchanged');
      expect((await db.transactions.history('t1')).map((h) => h.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    });

    it('a removed line the provider sends again comes back as an update, and is counted again', async () => {
      const { db } = store();
      const a = await account(db, 'a');
      await db.transactions.write(row(a), T0);
      expect(await db.transactions.markRemoved(a, ['p1', 'p1', 'nothing'], T0)).toBe(1);
      expect(await db.transactions.count(a)).toBe(0);
      expect(await db.transactions.markRemoved(a, ['p1'], T0)).toBe(0);
      expect(await db.transactions.write(row(a), T1)).toBe('updated');
      expect(await db.transactions.byId('t1')).toMatchObject({ removedAt: null, revision: 2, updatedAt: T1 });
      expect(await db.transactions.count(a)).toBe(1);
    });

    it('the same provider id in another account is another line; a line id stored elsewhere is refused', async () => {
      const { db } = store();
      const a = await account(db, 'a');
      const b = await account(db, 'b');
      await db.transactions.write(row(a), T0);
      expect(await db.transactions.write(row(b, { id: 't2' }), T0)).toBe('inserted');
      await expect(db.transactions.write(row(b, { externalId: 'p9' }), T0)).rejects.toThrow();
      expect((await dump(db)).lines).toHaveLength(2);
    });

    it('lines without a provider id are inserted once by fingerprint and ordinal; a stored line id is ignored, not refused', async () => {
      const { db } = store();
      const a = await account(db, 'a');
      const line = row(a, { externalId: null, id: 't3' });
      expect(await db.transactions.write(line, T0)).toBe('inserted');
      expect(await db.transactions.write({ ...line, amountMinor: -5, id: 't9' }, T1)).toBe('unchanged');
      expect(await db.transactions.write({ ...line, ordinal: 1, id: 't4' }, T1)).toBe('inserted');
      expect(await db.transactions.write({ ...line, ordinal: 2, id: 't4' }, T1)).toBe('unchanged');
      expect((await dump(db)).lines.map((r) => [r.id, r.ordinal, r.amount_minor])).toEqual([
        ['t3', 0, -1000],
        ['t4', 1, -1000],
      ]);
      expect(await db.transactions.count(a)).toBe(2);
      expect(await db.transactions.fingerprintCount(a, 'fp1')).toBe(2);
    });
  });

  describe('writeBatch', () => {
    it('answers per row in order: repeats, corrections, unchanged rows, fingerprint rows, a removed line back', async () => {
      const { db } = store();
      const a = await account(db, 'a');
      const b = await account(db, 'b');
      await db.transactions.writeBatch([row(a, { id: 'old', externalId: 'gone' }), row(a, { id: 'keep', externalId: 'keep' })], T0);
      await db.transactions.markRemoved(a, ['gone'], T0);
      const r1 = row(a);
      const f1 = row(a, { id: 'f1', externalId: null, fingerprint: 'fpx' });
      const f2 = row(a, { id: 'f2', externalId: null, fingerprint: 'fpx', ordinal: 1 });
      const batch = [
        r1,
        f1,
        f2,
        { ...r1, amountMinor: -1200 }, // a newer version of a line written above
        f2, // the same fingerprint row again
        row(a, { id: 'keep', externalId: 'keep' }), // stored, the same
        row(a, { id: 'old', externalId: 'gone' }), // removed, sent again
        { ...r1, amountMinor: -1200 }, // the newer version again
        { ...r1, amountMinor: -1300, payee: null }, // and a third one
        row(b, { id: 'b1' }), // the same provider id in another account
        row(a, { id: 'f1', externalId: null, fingerprint: 'fpy' }), // a line id written above, without provider id: ignored
        row(a, { id: 'keep2', externalId: 'keep', memo: 'fixed' }), // a correction of a stored line
      ];
      const outcomes = await db.write(() => db.transactions.writeBatch(batch, T1));
      expect(outcomes).toEqual<WriteResult[]>(['inserted', 'inserted', 'inserted', 'updated', 'unchanged', 'unchanged', 'updated', 'unchanged', 'updated', 'inserted', 'unchanged', 'updated']);
      expect(await db.transactions.byId('t1')).toMatchObject({ amountMinor: -1300, payee: null, revision: 2 });
      expect((await db.transactions.history('t1')).map((h) => [h.revision, h.amountMinor])).toEqual([
        [0, -1000],
        [1, -1200],
      ]);
      expect(await db.transactions.count(a)).toBe(5);
      expect(await db.transactions.count(b)).toBe(1);
      expect(await db.transactions.liveCounts()).toEqual(
        new Map([
          [a, 5],
          [b, 1],
        ]),
      );
      // Arrival order is batch order.
      expect((await dump(db)).lines.map((r) => r.id)).toEqual(['old', 'keep', 't1', 'f1', 'f2', 'b1']);
    });

    it('leaves exactly what writing the rows one by one leaves (random batches over stored lines)', async () => {
      const { db } = store();
      const other = await openTestStore(kind);
      try {
        const next = rng(`writeBatch ${kind}`);
        const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
        const accounts = [await account(db, 'a'), await account(db, 'b')];
        expect([await account(other.db, 'a'), await account(other.db, 'b')]).toEqual(accounts);
        let ids = 0;
        const randomRow = (): TransactionRow => {
          const withId = next() < 0.6;
          return row(pick(accounts), {
            id: next() < 0.1 ? `t${Math.floor(next() * 5)}` : `n${++ids}`, // now and then an id already written
            externalId: withId ? `p${Math.floor(next() * 12)}` : null,
            fingerprint: `fp${Math.floor(next() * 3)}`,
            ordinal: Math.floor(next() * 3),
            bookingDate: pick(['2026-11-01', '2026-11-02']),
            valueDate: pick([null, '2026-11-03']),
            amountMinor: pick([-100, 250]),
            payee: pick([null, 'Shop', 'shop']),
            memo: pick([null, 'm']),
            type: pick(['debit', 'pos'] as const),
          });
        };
        const seen: WriteResult[] = [];
        let twice = false; // a line corrected twice in one batch
        for (let round = 0; round < 6; round++) {
          const batch = Array.from({ length: 40 }, randomRow).filter((r) => r.externalId === null || !r.id.startsWith('t')); // a provider line with a taken id throws
          const now = `2026-11-2${round}T07:00:00.000Z`;
          const batched = await db.write(() => db.transactions.writeBatch(batch, now));
          const single = await other.db.write(async () => {
            const out: WriteResult[] = [];
            for (const r of batch) out.push(await other.db.transactions.write(r, now));
            return out;
          });
          expect(batched).toEqual(single);
          seen.push(...batched);
          const corrected = new Map<string, number>();
          for (const [i, r] of batch.entries()) if (batched[i] === 'updated') corrected.set(`${r.accountId}|${r.externalId}`, (corrected.get(`${r.accountId}|${r.externalId}`) ?? 0) + 1);
          twice ||= [...corrected.values()].some((n) => n > 1);
          if (round === 2) await Promise.all([db, other.db].map((d) => d.transactions.markRemoved(accounts[0]!, ['p1', 'p2', 'p3'], now)));
        }
        expect(await dump(db)).toEqual(await dump(other.db));
        // The batches met every case: new lines, corrections (one line twice in a batch), repeats.
        expect(new Set(seen)).toEqual(new Set(['inserted', 'updated', 'unchanged']));
        expect(twice).toBe(true);
        const d = await dump(db);
        expect(d.history.length).toBeGreaterThan(0);
        expect(d.lines.some((l) => l.external_id === null)).toBe(true);
      } finally {
        await other.dispose();
      }
    });

    it('a batch of thousands of lines is written whole and read back in pages, in order', async () => {
      const { db } = store();
      const a = await account(db, 'a');
      const rows = Array.from({ length: 2600 }, (_, i) =>
        row(a, { id: `x${i}`, externalId: i % 2 ? `e${i}` : null, fingerprint: `f${i}`, bookingDate: `2026-10-${String(28 - (i % 28)).padStart(2, '0')}` }),
      );
      const outcomes = await db.write(() => db.transactions.writeBatch(rows, T0));
      expect(new Set(outcomes)).toEqual(new Set(['inserted']));
      expect(await db.transactions.count(a)).toBe(2600);
      const lines = await all(db, () => db.transactions.iterate({ accountIds: [a] }));
      expect(lines).toHaveLength(2600);
      const expected = rows.map((r, i) => ({ date: r.bookingDate, i })).sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : x.i - y.i));
      expect(lines.map((l) => l.id)).toEqual(expected.map((e) => `x${e.i}`));
    });

    it('an empty batch writes nothing', async () => {
      const { db } = store();
      expect(await db.transactions.writeBatch([], T0)).toEqual([]);
    });
  });

  describe('reads', () => {
    async function arrange(db: StorePort) {
      const a = await account(db, 'a');
      const b = await account(db, 'b');
      await db.transactions.writeBatch(
        [
          row(a, { id: 'a3', externalId: 'p3', bookingDate: '2026-11-03', amountMinor: 300 }),
          row(a, { id: 'a1', externalId: 'p1', bookingDate: '2026-11-01', amountMinor: 100 }),
          row(b, { id: 'b1', externalId: 'p1', bookingDate: '2026-11-01', amountMinor: 50, currency: 'USD', source: 'file:x.csv#ab12' }),
          row(a, { id: 'a2', externalId: null, fingerprint: 'fz', bookingDate: '2026-11-03', amountMinor: 300, source: 'file:y.csv#cd34' }),
          row(a, { id: 'a4', externalId: null, fingerprint: 'fz', ordinal: 1, bookingDate: '2026-11-02', amountMinor: -20, currency: 'USD' }),
          row(a, { id: 'a5', externalId: 'p5', bookingDate: '2026-11-05', amountMinor: 9 }),
        ],
        T0,
      );
      await db.transactions.markRemoved(a, ['p5'], T1);
      return { a, b };
    }

    it('iterate streams live lines by account, date and arrival, with its filters', async () => {
      const { db } = store();
      const { a, b } = await arrange(db);
      const ids = async (q: Parameters<StorePort['transactions']['iterate']>[0]) => (await all(db, () => db.transactions.iterate(q))).map((t) => t.id);
      expect(await ids({})).toEqual(['a1', 'a4', 'a3', 'a2', 'b1']);
      expect(await ids({ accountIds: [b] })).toEqual(['b1']);
      expect(await ids({ accountIds: [a, b], from: '2026-11-02', to: '2026-11-03' })).toEqual(['a4', 'a3', 'a2']);
      await db.lineOrigins.setIgnored('a3', 'duplicate', true, T1);
      expect(await ids({ accountIds: [a], ignored: 'hide' })).toEqual(['a1', 'a4', 'a2']);
      expect(await ids({ accountIds: [a], ignored: 'only' })).toEqual(['a3']);
      const [first] = await all(db, () => db.transactions.iterate({ accountIds: [b] }));
      expect(first).toEqual({
        id: 'b1',
        accountId: b,
        externalId: 'p1',
        bookingDate: '2026-11-01',
        valueDate: null,
        amountMinor: 50,
        currency: 'USD',
        payee: 'Shop',
        memo: null,
        type: 'debit',
        counterpartyIban: null,
        source: 'file:x.csv#ab12',
      });
    });

    it('answers the dedupe questions for one line and for a batch', async () => {
      const { db } = store();
      const { a, b } = await arrange(db);
      expect(await db.transactions.isStored('a5')).toBe(true);
      expect(await db.transactions.isStored('zz')).toBe(false);
      expect(await db.transactions.sourceOf('b1')).toBe('file:x.csv#ab12');
      expect(await db.transactions.sourceOf('zz')).toBeUndefined();
      expect(await db.transactions.sourcesOf(['a2', 'zz', 'a5', 'a2'])).toEqual(
        new Map([
          ['a2', 'file:y.csv#cd34'],
          ['a5', 'provider:fake'],
        ]),
      );
      expect(await db.transactions.sourcesOf([])).toEqual(new Map());
      expect(await db.transactions.hasExternalId(a, 'p5')).toBe(true);
      expect(await db.transactions.hasExternalId(b, 'p3')).toBe(false);
      expect(await db.transactions.externalIdsStored(a, ['p1', 'p3', 'p1', 'p9', 'p5'])).toEqual(new Set(['p1', 'p3', 'p5']));
      expect(await db.transactions.externalIdsStored(b, ['p3'])).toEqual(new Set());
      expect(await db.transactions.fingerprintCount(a, 'fz')).toBe(2);
      expect(await db.transactions.fingerprintCount(a, 'fp1')).toBe(0); // only lines without a provider id
      expect(await db.transactions.fingerprintCounts(a, ['fz', 'fp1', 'fz', 'none'])).toEqual(new Map([['fz', 2]]));
      expect(await db.transactions.isEmpty(a)).toBe(false);
      expect(await db.transactions.isEmpty(await account(db, 'c'))).toBe(true);
    });

    it('counts, sums and dates leave removed lines out', async () => {
      const { db } = store();
      const { a, b } = await arrange(db);
      expect(await db.transactions.count(a)).toBe(4);
      expect(await db.transactions.count(9999)).toBe(0);
      expect(await db.transactions.liveCounts()).toEqual(
        new Map([
          [a, 4],
          [b, 1],
        ]),
      );
      expect(await db.transactions.latestBookingDate(a)).toBe('2026-11-03');
      expect(await db.transactions.latestBookingDate(9999)).toBeNull();
      expect(await db.transactions.sumThrough(a, '2026-11-02')).toBe(80);
      expect(await db.transactions.sumThrough(a, '2026-11-30')).toBe(680);
      expect(await db.transactions.sumThrough(a, '2026-11-30', 'USD')).toBe(-20);
      expect(await db.transactions.sumThrough(a, '2026-10-01')).toBe(0);
    });

    it('finds candidates by date and amount, in a window, in arrival order', async () => {
      const { db } = store();
      const { a } = await arrange(db);
      expect(await db.transactions.sameDateAndAmount(a, '2026-11-03', 300)).toEqual([
        { id: 'a3', externalId: 'p3', fingerprint: 'fp1', payee: 'Shop', memo: null, source: 'provider:fake' },
        { id: 'a2', externalId: null, fingerprint: 'fz', payee: 'Shop', memo: null, source: 'file:y.csv#cd34' },
      ]);
      expect(await db.transactions.sameDateAndAmount(a, '2026-11-05', 9)).toEqual([]);
      expect((await db.transactions.inWindow(a, '2026-11-01', '2026-11-05')).map((t) => t.id)).toEqual(['a1', 'a4', 'a3', 'a2']);
      const between = await all(db, () => db.transactions.candidatesBetween(a, '2026-11-02', '2026-11-05'));
      expect(between).toEqual([
        { id: 'a3', externalId: 'p3', fingerprint: 'fp1', payee: 'Shop', memo: null, source: 'provider:fake', bookingDate: '2026-11-03', amountMinor: 300 },
        { id: 'a2', externalId: null, fingerprint: 'fz', payee: 'Shop', memo: null, source: 'file:y.csv#cd34', bookingDate: '2026-11-03', amountMinor: 300 },
        { id: 'a4', externalId: null, fingerprint: 'fz', payee: 'Shop', memo: null, source: 'provider:fake', bookingDate: '2026-11-02', amountMinor: -20 },
      ]);
      expect((await all(db, () => db.transactions.candidatesBetween(a, '2026-11-01', '2026-11-05', 'provider:fake'))).map((c) => c.id)).toEqual(['a2']);
    });

    it('byId reads a line with its bookkeeping, removed or not', async () => {
      const { db } = store();
      const { a } = await arrange(db);
      expect(await db.transactions.byId('a5')).toEqual({
        id: 'a5',
        accountId: a,
        externalId: 'p5',
        bookingDate: '2026-11-05',
        valueDate: null,
        amountMinor: 9,
        currency: 'EUR',
        payee: 'Shop',
        memo: null,
        type: 'debit',
        counterpartyIban: null,
        source: 'provider:fake',
        fingerprint: 'fp1',
        ordinal: 0,
        revision: 1,
        removedAt: T1,
        ignoredAt: null,
        ignoredReason: null,
        firstSeenAt: T0,
        updatedAt: T1,
      });
      expect(await db.transactions.byId('zz')).toBeUndefined();
      expect(await db.transactions.history('a5')).toHaveLength(1);
      expect(await db.transactions.history('a1')).toEqual([]);
    });
  });
});
