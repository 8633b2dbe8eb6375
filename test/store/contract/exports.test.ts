import { describe, expect, it } from 'vitest';
import type { StorePort } from '../../../src/store/port.js';
import type { PgPort } from '../../../src/store/postgres/port.js';
import { type ExportSourceRow, LINE } from '../../../src/store/sqlite/exports.js';
import { STORE_KINDS, useStore } from '../../helpers/stores.js';
import { arrange } from './arrange-exports.js';

const T0 = '2026-11-01T09:00:00.000Z';
const T1 = '2026-11-02T09:00:00.000Z';
const T2 = '2026-11-03T09:00:00.000Z';

/** Every row of a stream, its pages joined (page sizes differ by store; the rows must not). */
async function all<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

interface ExportRead {
  name: string;
  accountId: number;
  lastSeq: number;
  snapshotSeq: number;
  /** The ids sent as new. */
  sent: string[];
}

/**
 * The reading half of an incremental export run of a target over one account, as core's export
 * does it: inside a snapshot, the watermark to reach (maxSeq) and the lines stored after the
 * target's last one.
 */
async function exportRead(db: StorePort, name: string, accountId: number): Promise<ExportRead> {
  const existing = await db.exports.target(name);
  const run: ExportRead = { name, accountId, lastSeq: existing?.lastSeq ?? 0, snapshotSeq: 0, sent: [] };
  await db.snapshot(async () => {
    run.snapshotSeq = await db.exports.maxSeq();
    for await (const page of db.exports.lines(accountId, undefined, undefined, existing !== undefined)) {
      for (const l of page) if (l[LINE.seq] > run.lastSeq && l[LINE.removedAt] === null) run.sent.push(l[LINE.id]);
    }
  });
  return run;
}

/** The recording half: the compare-and-set that moves the target to the snapshot's watermark (a writer: it waits for the open ones). */
async function exportRecord(db: StorePort, run: ExportRead): Promise<string[]> {
  const moved = await db.write(async () => {
    const t = (await db.exports.target(run.name)) ?? (await db.exports.defineTarget(run.name, 'csv', { accountIds: [run.accountId] }, T0));
    return db.exports.recordSent(t.id, run.lastSeq, run.snapshotSeq, run.sent.length, T1, []);
  });
  expect(moved).toBe(true);
  return run.sent;
}

/** One incremental export run: the ids it sends as new. */
async function exportRun(db: StorePort, name: string, accountId: number): Promise<string[]> {
  return exportRecord(db, await exportRead(db, name, accountId));
}

describe.each(STORE_KINDS)('exports on %s', (kind) => {
  const store = useStore(kind);

  it('defines targets, lists them by name bytewise, and a redefinition starts the target over', async () => {
    const { db } = store();
    const a = await arrange(db).account();
    await arrange(db).line(a, { id: 'x1', bookingDate: '2026-03-01', amountMinor: -100 });
    expect(await db.exports.targets()).toEqual([]);
    expect(await db.exports.target('books')).toBeUndefined();
    const books = await db.exports.defineTarget('books', 'ofx', { accountIds: [a], from: '2026-01-01' }, T0);
    expect(books).toEqual({ id: books.id, name: 'books', format: 'ofx', scope: { accountIds: [a], from: '2026-01-01' }, lastSeq: 0, lastCount: null, exportedAt: null, createdAt: T0 });
    await db.exports.defineTarget('Zeta', 'csv', {}, T0);
    await db.exports.defineTarget('alpha', 'csv', { connectionId: 3 }, T0);
    expect((await db.exports.targets()).map((t) => t.name)).toEqual(['Zeta', 'alpha', 'books']);

    const seq = await db.exports.maxSeq();
    await arrange(db).correct('x1', { amountMinor: -150 }, T1);
    await db.write(async () => {
      expect(await db.exports.recordSent(books.id, 0, seq, 1, T1, [{ id: 'x1', revision: 1, removed: false }], new Map([['food', ['x1']]]))).toBe(true);
      await db.exports.recordOpened(books.id, ['Expenses:Food']);
    });
    expect(await db.exports.target('books')).toMatchObject({ lastSeq: seq, lastCount: 1, exportedAt: T1 });
    expect(await db.exports.changedSince(books.id, a, seq)).toEqual(new Map());

    // --full: same target (id, creation time), new definition, nothing sent, nothing opened, no annotation held.
    const again = await db.exports.defineTarget('books', 'hledger', { accountIds: [a] }, T2);
    expect(again).toEqual({ id: books.id, name: 'books', format: 'hledger', scope: { accountIds: [a] }, lastSeq: 0, lastCount: null, exportedAt: null, createdAt: T0 });
    expect(await db.exports.openedAccounts(books.id)).toEqual(new Set());
    const rows = await db.snapshot(() => all(db.exports.lines(a, undefined, undefined, false, books.id)));
    expect(rows.map((r) => r[LINE.sentAnnotation])).toEqual([null]);
    // Sent nothing any more: the correction is a change from the version the target never had (revision 0).
    expect(await db.exports.changedSince(books.id, a, seq)).toEqual(
      new Map([['x1', { revision: 0, removed: false, previous: { bookingDate: '2026-03-01', amountMinor: -100, payee: null, memo: null } }]]),
    );
  });

  it('moves a target by compare-and-set: an export that started from an older watermark records nothing', async () => {
    const { db } = store();
    const a = await arrange(db).account();
    await arrange(db).line(a, { id: 'x1', bookingDate: '2026-03-01', amountMinor: -100 });
    await arrange(db).line(a, { id: 'x2', bookingDate: '2026-03-02', amountMinor: -200 });
    const t = await db.exports.defineTarget('books', 'ofx', { accountIds: [a] }, T0);
    expect(await db.exports.recordSent(t.id, 0, 1, 1, T1, [])).toBe(true);
    // A second export that also read last_seq = 0 finishes later: refused, and none of its sent lines kept.
    await arrange(db).correct('x1', { amountMinor: -120 }, T1);
    expect(await db.exports.recordSent(t.id, 0, 2, 2, T2, [{ id: 'x1', revision: 1, removed: false }], new Map([['rent', ['x1']]]))).toBe(false);
    expect(await db.exports.target('books')).toMatchObject({ lastSeq: 1, lastCount: 1, exportedAt: T1 });
    expect([...(await db.exports.changedSince(t.id, a, 1)).keys()]).toEqual(['x1']);
    const rows = await db.snapshot(() => all(db.exports.lines(a, undefined, undefined, true, t.id)));
    expect(rows.map((r) => r[LINE.sentAnnotation])).toEqual([null, null]);
    // The one from the current watermark moves it.
    expect(await db.exports.recordSent(t.id, 1, 2, 2, T2, [{ id: 'x1', revision: 1, removed: false }])).toBe(true);
    expect(await db.exports.target('books')).toMatchObject({ lastSeq: 2, lastCount: 2, exportedAt: T2 });
    expect(await db.exports.changedSince(t.id, a, 2)).toEqual(new Map());
  });

  it('two exports of one target finishing at once: exactly one moves it', async () => {
    const { db } = store();
    const other = store().reopen();
    const a = await arrange(db).account();
    await arrange(db).line(a, { id: 'x1', bookingDate: '2026-03-01', amountMinor: -100 });
    const t = await db.exports.defineTarget('books', 'csv', {}, T0);
    // Each call a transaction of its own (on SQLite two units of one process on two connections would wait on each other's file lock).
    const results = await Promise.all([
      db.exports.recordSent(t.id, 0, 1, 1, T1, [{ id: 'x1', revision: 0, removed: false }]),
      other.exports.recordSent(t.id, 0, 1, 1, T2, [{ id: 'x1', revision: 0, removed: false }]),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await db.exports.target('books'))!.exportedAt).toBe(results[0] ? T1 : T2);
  });

  it('remembers the accounts a target opened, once each, per target', async () => {
    const { db } = store();
    const t = await db.exports.defineTarget('books', 'beancount', {}, T0);
    const u = await db.exports.defineTarget('other', 'beancount', {}, T0);
    await db.exports.recordOpened(t.id, ['Expenses:Food', 'Income:Salary', 'Expenses:Food']);
    await db.exports.recordOpened(t.id, ['Expenses:Food', 'Expenses:Rent']);
    await db.exports.recordOpened(t.id, []);
    expect(await db.exports.openedAccounts(t.id)).toEqual(new Set(['Expenses:Food', 'Income:Salary', 'Expenses:Rent']));
    expect(await db.exports.openedAccounts(u.id)).toEqual(new Set());
  });

  it('summarises an account in a range: live lines only, bounds included; sumThrough is the opening of a range', async () => {
    const { db } = store();
    const ar = arrange(db);
    const a = await ar.account();
    const b = await ar.account();
    expect(await db.exports.maxSeq()).toBe(0);
    expect(await db.exports.summary(a)).toEqual({ count: 0, firstDate: null, lastDate: null, sum: 0 });
    await ar.line(a, { id: 'a1', bookingDate: '2026-02-28', amountMinor: 100_000 });
    await ar.line(a, { id: 'a2', bookingDate: '2026-03-01', amountMinor: -2_500 });
    await ar.line(a, { id: 'a3', bookingDate: '2026-03-31', amountMinor: -1_000 });
    await ar.line(a, { id: 'a4', bookingDate: '2026-03-15', amountMinor: -7_000 });
    await ar.line(a, { id: 'a5', bookingDate: '2026-03-16', amountMinor: -9_000 });
    const last = await ar.line(b, { id: 'b1', bookingDate: '2026-03-10', amountMinor: 5_000_000_000_000 });
    await ar.remove('a4', T1);
    await ar.ignore('a5', T1);
    expect(await db.exports.maxSeq()).toBe(last);
    expect(await db.exports.summary(a)).toEqual({ count: 3, firstDate: '2026-02-28', lastDate: '2026-03-31', sum: 96_500 });
    expect(await db.exports.summary(a, '2026-03-01', '2026-03-31')).toEqual({ count: 2, firstDate: '2026-03-01', lastDate: '2026-03-31', sum: -3_500 });
    expect(await db.exports.summary(a, '2026-03-02')).toEqual({ count: 1, firstDate: '2026-03-31', lastDate: '2026-03-31', sum: -1_000 });
    expect(await db.exports.summary(b, undefined, '2026-03-10')).toEqual({ count: 1, firstDate: '2026-03-10', lastDate: '2026-03-10', sum: 5_000_000_000_000 });
    expect(await db.exports.sumThrough(a, '2026-02-27')).toBe(0);
    expect(await db.exports.sumThrough(a, '2026-03-01')).toBe(97_500);
    expect(await db.exports.sumThrough(a, '2026-03-30')).toBe(97_500);
  });

  it('streams an account in statement order (date, then arrival), the same raw rows on both stores', async () => {
    const { db } = store();
    const ar = arrange(db);
    const a = await ar.account();
    const b = await ar.account();
    const s1 = await ar.line(a, {
      id: 'l1',
      bookingDate: '2026-03-02',
      amountMinor: -450,
      payee: 'Bakery',
      memo: 'bread',
      type: 'pos',
      externalId: 'e1',
      valueDate: '2026-03-03',
      counterpartyIban: 'DE89370400440532013000',
      source: 'gocardless',
    });
    const s2 = await ar.line(a, { id: 'l2', bookingDate: '2026-03-01', amountMinor: 250_000, payee: 'Salary', type: 'credit' });
    const s3 = await ar.line(a, { id: 'l3', bookingDate: '2026-03-02', amountMinor: -99 });
    const s4 = await ar.line(a, { id: 'l4', bookingDate: '2026-03-05', amountMinor: -10 });
    const s5 = await ar.line(a, { id: 'l5', bookingDate: '2026-03-06', amountMinor: -20 });
    await ar.line(a, { id: 'l6', bookingDate: '2026-04-01', amountMinor: -30 });
    await ar.line(b, { id: 'other', bookingDate: '2026-03-02', amountMinor: 1 });
    await ar.remove('l4', T1);
    await ar.ignore('l5', T2);
    const t = await db.exports.defineTarget('books', 'beancount', { accountIds: [a] }, T0);
    await db.exports.recordSent(t.id, 0, 1, 1, T1, [], new Map([['Expenses:Food', ['l1']]]));

    const read = (withRemoved: boolean, targetId?: number, detail?: boolean, range: { from?: string; to?: string } = { to: '2026-03-31' }) =>
      db.snapshot(() => all(db.exports.lines(a, range.from, range.to, withRemoved, targetId, detail)));
    const base = (seq: number, id: string, date: string, amount: number, payee: string | null, memo: string | null, type: string, revision: number, removedAt: string | null) =>
      [seq, id, a, date, amount, 'EUR', payee, memo, type, revision, removedAt] as unknown[];
    const l2 = base(s2, 'l2', '2026-03-01', 250_000, 'Salary', null, 'credit', 0, null);
    const l1 = base(s1, 'l1', '2026-03-02', -450, 'Bakery', 'bread', 'pos', 0, null);
    const l3 = base(s3, 'l3', '2026-03-02', -99, null, null, 'transfer', 0, null);
    const l4 = base(s4, 'l4', '2026-03-05', -10, null, null, 'transfer', 1, T1);
    const l5 = base(s5, 'l5', '2026-03-06', -20, null, null, 'transfer', 1, T2);
    const details = (ext: string | null, value: string | null, iban: string | null, source: string) => [ext, value, iban, source];
    const l1d = details('e1', '2026-03-03', 'DE89370400440532013000', 'gocardless');
    const plain = details(null, null, null, 'sandbox');

    // Without a target nor details: the row ends at the removal time.
    expect(await read(false, undefined, false)).toEqual([l2, l1, l3]);
    // The details without a target: a null annotation stands before them.
    expect(await read(false)).toEqual([
      [...l2, null, ...plain],
      [...l1, null, ...l1d],
      [...l3, null, ...plain],
    ]);
    // With a target: the annotation it holds; with the removed and ignored lines (their tombstone time).
    expect(await read(true, t.id, false)).toEqual([
      [...l2, null],
      [...l1, 'Expenses:Food'],
      [...l3, null],
      [...l4, null],
      [...l5, null],
    ]);
    expect(await read(true, t.id)).toEqual([
      [...l2, null, ...plain],
      [...l1, 'Expenses:Food', ...l1d],
      [...l3, null, ...plain],
      [...l4, null, ...plain],
      [...l5, null, ...plain],
    ]);
    // A range, bounds included; no bound at all reads the whole account.
    expect((await read(false, undefined, false, { from: '2026-03-02', to: '2026-03-02' })).map((r) => r[LINE.id])).toEqual(['l1', 'l3']);
    expect((await read(false, undefined, false, {})).map((r) => r[LINE.id])).toEqual(['l2', 'l1', 'l3', 'l6']);
  });

  it('streams many pages in order, and only inside a unit of work', async () => {
    const { db } = store();
    const ar = arrange(db);
    const a = await ar.account();
    const n = 1_234;
    await db.write(async () => {
      // Dates descending against arrival: the stream must sort, not follow the insertion.
      for (let i = 0; i < n; i++) await ar.line(a, { id: `p${String(i).padStart(5, '0')}`, bookingDate: `2026-0${1 + (i % 3)}-15`, amountMinor: i });
    });
    const rows = await db.snapshot(() => all(db.exports.lines(a, undefined, undefined, false)));
    expect(rows).toHaveLength(n);
    const key = (r: ExportSourceRow) => `${r[LINE.bookingDate]}#${String(r[LINE.seq]).padStart(8, '0')}`;
    expect(rows.map(key)).toEqual(rows.map(key).sort());
    expect(new Set(rows.map((r) => r[LINE.id])).size).toBe(n);
    await expect((async () => all(db.exports.lines(a, undefined, undefined, false)))()).rejects.toThrow(/inside db.snapshot/);
  });

  it('several accounts streamed side by side in one snapshot (the interleaving formats), each whole', async () => {
    const { db } = store();
    const ar = arrange(db);
    const a = await ar.account();
    const b = await ar.account();
    for (let i = 0; i < 5; i++) {
      await ar.line(a, { id: `a${i}`, bookingDate: `2026-03-0${i + 1}`, amountMinor: -i });
      await ar.line(b, { id: `b${i}`, bookingDate: `2026-03-0${5 - i}`, amountMinor: i });
    }
    const ids = await db.snapshot(async () => {
      const first = db.exports.lines(a, undefined, undefined, false)[Symbol.asyncIterator]();
      const second = db.exports.lines(b, undefined, undefined, false)[Symbol.asyncIterator]();
      const out: string[] = [];
      // Both open before either is used up: the first page of each, then the rest.
      const pages = [await first.next(), await second.next()];
      for (const p of pages) if (!p.done) out.push(...p.value.map((r) => r[LINE.id]));
      for (let p = await first.next(); !p.done; p = await first.next()) out.push(...p.value.map((r) => r[LINE.id]));
      for (let p = await second.next(); !p.done; p = await second.next()) out.push(...p.value.map((r) => r[LINE.id]));
      return out;
    });
    expect(ids).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'b4', 'b3', 'b2', 'b1', 'b0']);
  });

  it('a stream left early does not spoil the unit it ran in', async () => {
    const { db } = store();
    const ar = arrange(db);
    const a = await ar.account();
    await db.write(async () => {
      for (let i = 0; i < 1_100; i++) await ar.line(a, { id: `q${i}`, bookingDate: '2026-03-01', amountMinor: 1 });
    });
    const total = await db.snapshot(async () => {
      for await (const page of db.exports.lines(a, undefined, undefined, false)) if (page.length) break;
      return db.exports.summary(a);
    });
    expect(total.count).toBe(1_100);
  });

  it('changedSince: what a target holds of each line corrected, removed or ignored since it was sent', async () => {
    const { db } = store();
    const ar = arrange(db);
    const a = await ar.account();
    const b = await ar.account();
    for (const [id, date] of [
      ['c1', '2026-03-01'],
      ['c2', '2026-03-02'],
      ['c3', '2026-03-03'],
      ['c4', '2026-03-04'],
      ['c5', '2026-03-05'],
      ['c6', '2026-03-06'],
    ] as const) {
      await ar.line(a, { id, bookingDate: date, amountMinor: -100, payee: `Shop ${id}`, memo: 'm' });
    }
    await ar.line(b, { id: 'b1', bookingDate: '2026-03-01', amountMinor: -1 });
    const t = await db.exports.defineTarget('books', 'ofx', { accountIds: [a] }, T0);
    const firstSeq = await db.exports.maxSeq();
    await ar.correct('c2', { amountMinor: -150 }, T0); // revised before the first export: sent at revision 1
    await ar.correct('b1', { amountMinor: -2 }, T0);
    expect(await db.exports.recordSent(t.id, 0, firstSeq, 6, T0, [{ id: 'c2', revision: 1, removed: false }])).toBe(true);
    expect(await db.exports.changedSince(t.id, a, firstSeq)).toEqual(new Map());

    await ar.correct('c1', { amountMinor: -110, payee: 'Shop one' }, T1); // sent at 0, now 1
    await ar.correct('c1', { amountMinor: -120 }, T1); // and 2: the target still holds revision 0
    await ar.correct('c2', { bookingDate: '2026-03-12' }, T1); // sent at 1, now 2
    await ar.remove('c3', T1); // sent at 0, now removed
    await ar.ignore('c4', T1);
    const late = await ar.line(a, { id: 'c7', bookingDate: '2026-03-07', amountMinor: -5 });
    await ar.correct('c7', { amountMinor: -6 }, T1); // never sent, after the watermark: new to the target, not a change
    expect(await db.exports.changedSince(t.id, a, firstSeq)).toEqual(
      new Map([
        ['c1', { revision: 0, removed: false, previous: { bookingDate: '2026-03-01', amountMinor: -100, payee: 'Shop c1', memo: 'm' } }],
        ['c2', { revision: 1, removed: false, previous: { bookingDate: '2026-03-02', amountMinor: -150, payee: 'Shop c2', memo: 'm' } }],
        ['c3', { revision: 0, removed: false, previous: { bookingDate: '2026-03-03', amountMinor: -100, payee: 'Shop c3', memo: 'm' } }],
        ['c4', { revision: 0, removed: false, previous: { bookingDate: '2026-03-04', amountMinor: -100, payee: 'Shop c4', memo: 'm' } }],
      ]),
    );
    // The second export sends them; the target then holds c3 as removed. The bank brings c3 back.
    await db.exports.recordSent(t.id, firstSeq, late, 3, T2, [
      { id: 'c1', revision: 2, removed: false },
      { id: 'c2', revision: 2, removed: false },
      { id: 'c3', revision: 1, removed: true },
      { id: 'c4', revision: 1, removed: true },
      { id: 'c7', revision: 1, removed: false },
    ]);
    expect(await db.exports.changedSince(t.id, a, late)).toEqual(new Map());
    await ar.correct('c3', { memo: 'back' }, T2);
    expect(await db.exports.changedSince(t.id, a, late)).toEqual(new Map([['c3', { revision: 1, removed: true, previous: null }]]));
    // Another account's lines are not this account's.
    expect(await db.exports.changedSince(t.id, b, late)).toEqual(new Map([['b1', { revision: 0, removed: false, previous: { bookingDate: '2026-03-01', amountMinor: -1, payee: null, memo: null } }]]));
  });

  it('sentAhead and changedSince follow a line a merge moved past the watermark', async () => {
    const { db } = store();
    const ar = arrange(db);
    const from = await ar.account();
    const into = await ar.account();
    await ar.line(from, { id: 'm1', bookingDate: '2026-03-01', amountMinor: -100 });
    await ar.line(from, { id: 'm2', bookingDate: '2026-03-02', amountMinor: -200 });
    await ar.line(into, { id: 'k1', bookingDate: '2026-03-01', amountMinor: -300 });
    const t = await db.exports.defineTarget('both', 'csv', { accountIds: [from, into] }, T0);
    const seq = await db.exports.maxSeq();
    await db.exports.recordSent(t.id, 0, seq, 3, T0, [{ id: 'm1', revision: 0, removed: false }]);
    const moved = await ar.move('m1', into);
    await ar.move('m2', into);
    expect(moved).toBeGreaterThan(seq);
    // m1 the target received (recorded as sent), m2 it received as a plain new line (not recorded): only m1 is ahead.
    expect(await db.exports.sentAhead(t.id, into, seq)).toEqual(new Set(['m1']));
    expect(await db.exports.sentAhead(t.id, from, seq)).toEqual(new Set());
    await ar.correct('m1', { amountMinor: -101 }, T1);
    expect(await db.exports.changedSince(t.id, into, seq)).toEqual(
      new Map([['m1', { revision: 0, removed: false, previous: { bookingDate: '2026-03-01', amountMinor: -100, payee: null, memo: null } }]]),
    );
  });

  it('recordGoneAsSent: a new target is not sent the removal of lines gone before it', async () => {
    const { db } = store();
    const ar = arrange(db);
    const a = await ar.account();
    const b = await ar.account();
    await ar.line(a, { id: 'g1', bookingDate: '2026-03-01', amountMinor: -1 });
    await ar.line(a, { id: 'g2', bookingDate: '2026-03-02', amountMinor: -2 });
    await ar.line(a, { id: 'g3', bookingDate: '2026-03-03', amountMinor: -3 });
    await ar.line(b, { id: 'g4', bookingDate: '2026-03-04', amountMinor: -4 });
    await ar.remove('g1', T0);
    await ar.ignore('g2', T0);
    await ar.remove('g4', T0);
    await ar.correct('g3', { amountMinor: -33 }, T0);
    const snapshot = await db.exports.maxSeq();
    const t = await db.exports.defineTarget('new', 'ofx', { accountIds: [a, b] }, T1);
    await db.exports.recordSent(t.id, 0, snapshot, 1, T1, [{ id: 'g3', revision: 1, removed: false }]);
    await db.exports.recordGoneAsSent(t.id, [a], snapshot);
    await db.exports.recordGoneAsSent(t.id, [], snapshot);
    expect(await db.exports.changedSince(t.id, a, snapshot)).toEqual(new Map());
    // b was not named: its removal is still to send.
    expect([...(await db.exports.changedSince(t.id, b, snapshot)).keys()]).toEqual(['g4']);
    // A line gone after the snapshot is not taken for sent.
    await ar.line(a, { id: 'g5', bookingDate: '2026-03-05', amountMinor: -5 });
    await ar.remove('g5', T2);
    await db.exports.recordGoneAsSent(t.id, [a], snapshot);
    expect(await db.exports.sentAhead(t.id, a, snapshot)).toEqual(new Set());
  });

  it('annotations: the key a target holds per line, replaced, dropped by an empty key, the last word winning', async () => {
    const { db } = store();
    const ar = arrange(db);
    const a = await ar.account();
    for (const id of ['n1', 'n2', 'n3']) await ar.line(a, { id, bookingDate: '2026-03-01', amountMinor: -1 });
    const t = await db.exports.defineTarget('books', 'hledger', {}, T0);
    const u = await db.exports.defineTarget('other', 'hledger', {}, T0);
    const held = async (target: number) => (await db.snapshot(() => all(db.exports.lines(a, undefined, undefined, false, target, false)))).map((r) => [r[LINE.id], r[LINE.sentAnnotation]]);
    await db.exports.recordSent(
      t.id,
      0,
      3,
      3,
      T0,
      [],
      new Map([
        ['Expenses:Food', ['n1', 'n2']],
        ['Expenses:Rent', ['n3', 'n2']],
      ]),
    );
    await db.exports.recordSent(u.id, 0, 3, 3, T0, [], new Map([['Income', ['n1']]]));
    expect(await held(t.id)).toEqual([
      ['n1', 'Expenses:Food'],
      ['n2', 'Expenses:Rent'],
      ['n3', 'Expenses:Rent'],
    ]);
    await db.exports.recordSent(
      t.id,
      3,
      3,
      0,
      T1,
      [],
      new Map([
        ['', ['n1']],
        ['Expenses:Misc', ['n3']],
      ]),
    );
    expect(await held(t.id)).toEqual([
      ['n1', null],
      ['n2', 'Expenses:Rent'],
      ['n3', 'Expenses:Misc'],
    ]);
    expect(await held(u.id)).toEqual([
      ['n1', 'Income'],
      ['n2', null],
      ['n3', null],
    ]);
  });

  it('the sent lines of a batch: a repeated line keeps its last state', async () => {
    const { db } = store();
    const ar = arrange(db);
    const a = await ar.account();
    await ar.line(a, { id: 'r1', bookingDate: '2026-03-01', amountMinor: -1 });
    await ar.correct('r1', { amountMinor: -2 }, T0);
    await ar.correct('r1', { amountMinor: -3 }, T0);
    const t = await db.exports.defineTarget('books', 'ofx', {}, T0);
    await db.exports.recordSent(t.id, 0, 1, 1, T0, [
      { id: 'r1', revision: 2, removed: false },
      { id: 'r1', revision: 1, removed: true },
    ]);
    await ar.correct('r1', { amountMinor: -4 }, T1);
    expect(await db.exports.changedSince(t.id, a, 1)).toEqual(new Map([['r1', { revision: 1, removed: true, previous: null }]]));
  });

  it('the incremental watermark: each line is sent once, across runs, whatever its booking date', async () => {
    const { db } = store();
    const ar = arrange(db);
    const a = await ar.account();
    await ar.line(a, { id: 'w1', bookingDate: '2026-03-05', amountMinor: -1 });
    await ar.line(a, { id: 'w2', bookingDate: '2026-03-01', amountMinor: -2 });
    expect(await exportRun(db, 'books', a)).toEqual(['w2', 'w1']);
    expect(await exportRun(db, 'books', a)).toEqual([]);
    await ar.line(a, { id: 'w3', bookingDate: '2026-02-01', amountMinor: -3 }); // booked before everything sent
    await ar.line(a, { id: 'w4', bookingDate: '2026-03-09', amountMinor: -4 });
    await ar.correct('w1', { amountMinor: -10 }, T1); // a correction is not a new line
    expect(await exportRun(db, 'books', a)).toEqual(['w3', 'w4']);
    expect(await exportRun(db, 'books', a)).toEqual([]);
  });

  it.runIf(kind === 'postgres')('the watermark never passes a line a slower writer commits later: writers are serialized (two processes)', async () => {
    const { db } = store();
    const writerB = store().reopen();
    const a = await arrange(db).account();
    await db.exports.defineTarget('books', 'csv', { accountIds: [a] }, T0);
    let releaseA!: () => void;
    const gate = new Promise<void>((resolve) => (releaseA = resolve));
    let insertedA!: () => void;
    const aInserted = new Promise<void>((resolve) => (insertedA = resolve));
    // Writer A stores a line and keeps its unit open (a sync still fetching its next page).
    const unitA = db.write(async () => {
      await arrange(db).line(a, { id: 'line-a', bookingDate: '2026-03-01', amountMinor: -1 });
      insertedA();
      await gate;
    });
    await aInserted;
    // Writer B, another process, starts after A and stores a line of its own.
    let finishedB = false;
    const unitB = writerB
      .write(async () => {
        await arrange(writerB).line(a, { id: 'line-b', bookingDate: '2026-03-01', amountMinor: -2 });
      })
      .then(() => {
        finishedB = true;
      });
    // B is either waiting for the writer lock (as it must) or, without it, already committed.
    const waiters = "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";
    const waitingOnLock = async () => (await (db as PgPort).sql.one<{ n: number }>(waiters))!.n > 0;
    for (let waited = 0; !finishedB && !(await waitingOnLock()); waited += 10) {
      if (waited > 10_000) throw new Error('writer B neither waits for the writer lock nor finishes');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const waitedForA = !finishedB;
    // An export reads while A is still open (and records once it may write); another runs once both have committed.
    const reading = await exportRead(db, 'books', a);
    releaseA();
    const between = await exportRecord(db, reading);
    await unitA;
    await unitB;
    const after = await exportRun(db, 'books', a);
    expect([...between, ...after]).toEqual(['line-a', 'line-b']);
    expect(waitedForA).toBe(true);
    expect(await arrange(db).seqOf('line-b')).toBeGreaterThan(await arrange(db).seqOf('line-a'));
    // Values taken one at a time: a session caching a block of seqs would hand a later writer a smaller one.
    const cache = await (db as PgPort).sql.one<{ n: number }>("SELECT seqcache AS n FROM pg_sequence WHERE seqrelid = pg_get_serial_sequence('transactions', 'seq')::regclass");
    expect(cache!.n).toBe(1);
  });
});
