import { describe, expect, it } from 'vitest';
import type { StorePort } from '../../../src/store/port.js';
import type { TransferLine } from '../../../src/store/sqlite/transfers.js';
import { STORE_KINDS, useStore } from '../../helpers/stores.js';
import { arrange, type NewLine } from './arrange-exports.js';

const T0 = '2026-11-01T09:00:00.000Z';
const T1 = '2026-11-02T09:00:00.000Z';

async function all<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

/** The detector's view of a line arranged with `l` in account `accountId`. */
const lineOf = (seq: number, accountId: number, l: NewLine, removed = false): TransferLine => ({
  id: l.id,
  seq,
  accountId,
  bookingDate: l.bookingDate,
  amountMinor: l.amountMinor,
  currency: l.currency ?? 'EUR',
  payee: l.payee ?? null,
  memo: l.memo ?? null,
  counterpartyIban: l.counterpartyIban ?? null,
  removed,
});

/** Two accounts and a few lines: `out` and `in` legs of a transfer, and others around them. */
async function setUp(db: StorePort) {
  const ar = arrange(db);
  const checking = await ar.account();
  const savings = await ar.account();
  const lines = {
    out: { id: 'out', bookingDate: '2026-03-02', amountMinor: -50_000, payee: 'To savings', memo: 'monthly', counterpartyIban: 'DE02120300000000202051' },
    in: { id: 'in', bookingDate: '2026-03-03', amountMinor: 50_000, payee: 'From checking' },
    rent: { id: 'rent', bookingDate: '2026-03-01', amountMinor: -50_000, payee: 'Landlord' },
    fee: { id: 'fee', bookingDate: '2026-03-02', amountMinor: -49_999 },
    late: { id: 'late', bookingDate: '2026-03-20', amountMinor: 50_000 },
  } satisfies Record<string, NewLine>;
  const seq = {
    out: await ar.line(checking, lines.out),
    in: await ar.line(savings, lines.in),
    rent: await ar.line(checking, lines.rent),
    fee: await ar.line(checking, lines.fee),
    late: await ar.line(savings, lines.late),
  };
  const view = {
    out: lineOf(seq.out, checking, lines.out),
    in: lineOf(seq.in, savings, lines.in),
    rent: lineOf(seq.rent, checking, lines.rent),
    fee: lineOf(seq.fee, checking, lines.fee),
    late: lineOf(seq.late, savings, lines.late),
  };
  return { ar, checking, savings, lines, seq, view };
}

describe.each(STORE_KINDS)('transfers on %s', (kind) => {
  const store = useStore(kind);

  it('the read position: starts at 0, moves, and linesAfter streams the live lines stored after it in arrival order', async () => {
    const { db } = store();
    expect(await db.transfers.scannedSeq()).toBe(0);
    expect(await db.transfers.maxSeq()).toBe(0);
    const { ar, savings, seq, view } = await setUp(db);
    expect(await db.transfers.maxSeq()).toBe(seq.late);
    await ar.remove('fee', T0);
    expect(await db.write(() => all(db.transfers.linesAfter(0)))).toEqual([view.out, view.in, view.rent, view.late]);
    await db.transfers.setScannedSeq(seq.rent);
    expect(await db.transfers.scannedSeq()).toBe(seq.rent);
    expect(await db.write(() => all(db.transfers.linesAfter(seq.rent)))).toEqual([view.late]);
    // A line moved to another account comes again, after every line stored so far.
    const moved = await ar.move('out', savings);
    expect(await db.write(() => all(db.transfers.linesAfter(seq.rent)))).toEqual([view.late, { ...view.out, seq: moved, accountId: savings }]);
    await expect((async () => all(db.transfers.linesAfter(0)))()).rejects.toThrow(/inside db.snapshot/);
  });

  it('linesAfter in many pages: every line once, in seq order', async () => {
    const { db } = store();
    const ar = arrange(db);
    const a = await ar.account();
    await db.write(async () => {
      for (let i = 0; i < 1_150; i++) await ar.line(a, { id: `x${i}`, bookingDate: `2026-03-${String(28 - (i % 28)).padStart(2, '0')}`, amountMinor: -i });
    });
    const lines = await db.write(() => all(db.transfers.linesAfter(100)));
    expect(lines).toHaveLength(1_050);
    expect(lines.map((l) => l.seq)).toEqual(lines.map((l) => l.seq).sort((x, y) => x - y));
    expect(lines[0]!.id).toBe('x100');
  });

  it('takeRevised: the lines the bank corrected or removed since, each once, by id; the queue is emptied', async () => {
    const { db } = store();
    const { ar } = await setUp(db);
    expect(await db.transfers.takeRevised()).toEqual([]);
    await ar.correct('rent', { amountMinor: -51_000 }, T0);
    await ar.remove('in', T0);
    await ar.correct('rent', { amountMinor: -52_000 }, T1);
    await ar.ignore('fee', T1);
    expect(await db.transfers.takeRevised()).toEqual(['fee', 'in', 'rent']);
    expect(await db.transfers.takeRevised()).toEqual([]);
  });

  it('reads one line, and the lines of an amount window (bounds included, live only, in seq order)', async () => {
    const { db } = store();
    const { ar, checking, savings, view } = await setUp(db);
    expect(await db.transfers.line('out')).toEqual(view.out);
    expect(await db.transfers.line('nope')).toBeUndefined();
    expect(await db.transfers.amountWindow(-50_000, -49_999, '2026-03-01', '2026-03-02')).toEqual([view.out, view.rent, view.fee]);
    expect(await db.transfers.amountWindow(-50_000, -50_000, '2026-03-02', '2026-03-31')).toEqual([view.out]);
    expect(await db.transfers.amountWindow(50_000, 50_000, '2026-03-01', '2026-03-31')).toEqual([view.in, view.late]);
    expect(await db.transfers.amountsBetween(50_000, 50_000, '2026-02-27', '2026-03-09', checking)).toEqual([view.in]);
    expect(await db.transfers.amountsBetween(50_000, 50_000, '2026-02-27', '2026-03-09', savings)).toEqual([]);
    await ar.remove('rent', T0);
    expect(await db.transfers.line('rent')).toEqual({ ...view.rent, removed: true });
    expect(await db.transfers.amountWindow(-50_000, -50_000, '2026-03-01', '2026-03-02')).toEqual([view.out]);
  });

  it('pairs: made, found by either leg, relabelled, listed by time found, undone once; a line is in one pair only', async () => {
    const { db } = store();
    const { ar, checking } = await setUp(db);
    await ar.line(checking, { id: 'late-out', bookingDate: '2026-03-19', amountMinor: -50_000 });
    await db.transfers.setCandidate('out', '2026-03-02', 'ambiguous');
    await db.transfers.setCandidate('rent', '2026-03-01', 'no-partner');
    await db.write(async () => {
      await db.transfers.addPair({ id: 'p2', outId: 'late-out', inId: 'late', how: 'pattern', foundAt: T0 });
      await db.transfers.addPair({ id: 'p1', outId: 'out', inId: 'in', how: 'iban', foundAt: T0 });
    });
    // The legs are no longer candidates.
    expect(await db.transfers.candidateIdsBetween('2026-01-01', '2026-12-31')).toEqual(['rent']);
    const p1 = { id: 'p1', outId: 'out', inId: 'in', how: 'iban', foundAt: T0 };
    expect(await db.transfers.pairOf('out')).toEqual(p1);
    expect(await db.transfers.pairOf('in')).toEqual(p1);
    expect(await db.transfers.pairOf('rent')).toBeUndefined();
    expect((await db.transfers.pairs()).map((p) => p.id)).toEqual(['p1', 'p2']);
    await db.transfers.setHow('p1', 'manual');
    expect((await db.transfers.pairOf('in'))!.how).toBe('manual');
    await expect(db.transfers.addPair({ id: 'p3', outId: 'rent', inId: 'in', how: 'pattern', foundAt: T1 })).rejects.toThrow();
    expect(await db.transfers.removePair('p2')).toBe(true);
    expect(await db.transfers.removePair('p2')).toBe(false);
    await db.transfers.addPair({ id: 'p0', outId: 'late-out', inId: 'late', how: 'pattern', foundAt: '2026-10-01T00:00:00.000Z' });
    expect((await db.transfers.pairs()).map((p) => p.id)).toEqual(['p0', 'p1']);
  });

  it('livePairsOf: pairs touching the accounts with both legs live in two accounts, by the out leg date', async () => {
    const { db } = store();
    const { ar, checking, savings } = await setUp(db);
    const third = await ar.account();
    const s2 = await ar.line(third, { id: 'in2', bookingDate: '2026-03-01', amountMinor: 49_999 });
    expect(await db.transfers.livePairsOf([checking, savings])).toEqual([]);
    await db.transfers.addPair({ id: 'p1', outId: 'out', inId: 'in', how: 'iban', foundAt: T0 });
    await db.transfers.addPair({ id: 'p2', outId: 'rent', inId: 'late', how: 'pattern', foundAt: T1 });
    await db.transfers.addPair({ id: 'p3', outId: 'fee', inId: 'in2', how: 'manual', foundAt: T1 });
    const seq = { out: await ar.seqOf('out'), in: await ar.seqOf('in'), rent: await ar.seqOf('rent'), late: await ar.seqOf('late'), fee: await ar.seqOf('fee') };
    const leg = (id: string, s: number, accountId: number, bookingDate: string, amountMinor: number) => ({ id, seq: s, accountId, bookingDate, amountMinor, currency: 'EUR' });
    const p1 = { id: 'p1', how: 'iban', foundAt: T0, out: leg('out', seq.out, checking, '2026-03-02', -50_000), in: leg('in', seq.in, savings, '2026-03-03', 50_000) };
    const p2 = { id: 'p2', how: 'pattern', foundAt: T1, out: leg('rent', seq.rent, checking, '2026-03-01', -50_000), in: leg('late', seq.late, savings, '2026-03-20', 50_000) };
    const p3 = { id: 'p3', how: 'manual', foundAt: T1, out: leg('fee', seq.fee, checking, '2026-03-02', -49_999), in: leg('in2', s2, third, '2026-03-01', 49_999) };
    expect(await db.transfers.livePairsOf([checking])).toEqual([p2, p1, p3]);
    expect(await db.transfers.livePairsOf([savings])).toEqual([p2, p1]);
    expect(await db.transfers.livePairsOf([third])).toEqual([p3]);
    expect(await db.transfers.livePairsOf([])).toEqual([]);
    await ar.remove('late', T1);
    // A pair whose legs ended in one account (a merge) is no transfer any more.
    await ar.move('in2', checking);
    expect(await db.transfers.livePairsOf([checking, savings, third])).toEqual([p1]);
  });

  it("decisions: one per two lines whichever way round, the newest word wins; links lists the user's links", async () => {
    const { db } = store();
    await setUp(db);
    expect(await db.transfers.decision('out', 'in')).toBeUndefined();
    await db.transfers.decide('out', 'in', 'unlink', T0);
    expect(await db.transfers.decision('in', 'out')).toBe('unlink');
    await db.transfers.decide('in', 'out', 'link', T1);
    expect(await db.transfers.decision('out', 'in')).toBe('link');
    await db.transfers.decide('rent', 'late', 'link', T0);
    await db.transfers.decide('fee', 'late', 'unlink', T0);
    // The order is not part of the contract (SQLite gives first-decided order, PostgreSQL by time decided).
    const links = (await db.transfers.links()).map((l) => `${l.a}|${l.b}`).sort();
    expect(links).toEqual(['in|out', 'late|rent']);
  });

  it('candidates: set or replaced, by date then id, only live lines listed with their reason; dropped and cleared', async () => {
    const { db } = store();
    const { ar, view } = await setUp(db);
    await db.transfers.setCandidate('late', '2026-03-20', 'no-partner');
    await db.transfers.setCandidate('out', '2026-03-02', 'no-partner');
    await db.transfers.setCandidate('fee', '2026-03-02', 'ambiguous');
    await db.transfers.setCandidate('rent', '2026-03-01', 'no-partner');
    await db.transfers.setCandidate('late', '2026-03-19', 'ambiguous'); // replaced: new date and reason
    expect(await db.transfers.candidateIdsBetween('2026-03-02', '2026-03-19')).toEqual(['fee', 'out', 'late']);
    expect(await db.transfers.candidateIdsBetween('2026-03-03', '2026-03-18')).toEqual([]);
    await ar.remove('fee', T0);
    expect(await db.transfers.candidates()).toEqual([
      { ...view.rent, reason: 'no-partner' },
      { ...view.out, reason: 'no-partner' },
      { ...view.late, reason: 'ambiguous' },
    ]);
    await db.transfers.dropCandidate('out');
    await db.transfers.dropCandidate('nope');
    expect(await db.transfers.candidateIdsBetween('2026-01-01', '2026-12-31')).toEqual(['rent', 'fee', 'late']);
    await db.transfers.clearCandidates();
    expect(await db.transfers.candidates()).toEqual([]);
    expect(await db.transfers.candidateIdsBetween('2026-01-01', '2026-12-31')).toEqual([]);
  });
});
