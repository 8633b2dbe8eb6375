import { describe, expect, it } from 'vitest';
import type { StorePort } from '../../../src/store/port.js';
import type { TransactionRow } from '../../../src/store/sqlite/transactions.js';
import { STORE_KINDS, useStore } from '../../helpers/stores.js';
import { account, exec, query } from './arrange.js';

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

/** An export target (the exports repository is another's): its id. */
async function target(db: StorePort, name: string): Promise<number> {
  await exec(db, 'INSERT INTO export_targets (name, format, scope, created_at) VALUES (?, ?, ?, ?)', [name, 'csv', '{}', T0]);
  return (await query<{ id: number }>(db, 'SELECT id FROM export_targets WHERE name = ?', [name]))[0]!.id;
}

const count = async (db: StorePort, table: string): Promise<number> => (await query<{ n: number }>(db, `SELECT count(*) AS n FROM ${table}`))[0]!.n;

describe.each(STORE_KINDS)('account moves on %s', (kind) => {
  const store = useStore(kind);

  it('lists an account’s lines in seq order, removed ones included, and answers ids and ordinals', async () => {
    const { db } = store();
    const a = await account(db, 'a');
    const b = await account(db, 'b');
    await db.transactions.writeBatch(
      [
        line(a, 't1', { bookingDate: '2026-11-09' }),
        line(b, 'b1'),
        line(a, 't2', { externalId: null, fingerprint: 'fz', ordinal: 0 }),
        line(a, 't3', { externalId: null, fingerprint: 'fz', ordinal: 4 }),
        line(b, 'b2', { externalId: null, fingerprint: 'fz', ordinal: 7 }),
      ],
      T0,
    );
    await db.transactions.markRemoved(a, ['p-t1'], T1);
    const lines = await db.accountMoves.lines(a);
    expect(lines.map((l) => [l.id, l.removed])).toEqual([
      ['t1', true],
      ['t2', false],
      ['t3', false],
    ]);
    expect(lines[0]).toEqual({
      seq: lines[0]!.seq,
      id: 't1',
      externalId: 'p-t1',
      fingerprint: 'fp',
      bookingDate: '2026-11-09',
      amountMinor: -1000,
      payee: 'Shop',
      memo: null,
      source: 'provider:fake',
      removed: true,
    });
    expect(await db.accountMoves.idOfExternal(a, 'p-t1')).toBe('t1');
    expect(await db.accountMoves.idOfExternal(a, 'p-b1')).toBeUndefined();
    expect(await db.accountMoves.nextOrdinal(a, 'fz')).toBe(5);
    expect(await db.accountMoves.nextOrdinal(a, 'fp')).toBe(0); // t1 has a provider id
    expect(await db.accountMoves.nextOrdinal(b, 'none')).toBe(0);
  });

  it('moves a line to another account after every stored line, keeping its id; a later line comes after it', async () => {
    const { db } = store();
    const a = await account(db, 'a');
    const b = await account(db, 'b');
    await db.transactions.writeBatch([line(a, 't1'), line(a, 't2'), line(b, 'b1')], T0);
    const [t1] = await db.accountMoves.lines(a);
    const moved = await db.write(() => db.accountMoves.moveLine(t1!.seq, b, 3));
    expect((await db.accountMoves.lines(b)).map((l) => [l.id, l.seq])).toEqual([
      ['b1', expect.any(Number)],
      ['t1', moved],
    ]);
    expect(moved).toBeGreaterThan(Math.max(...(await query<{ seq: number }>(db, 'SELECT seq FROM transactions WHERE id <> ?', ['t1'])).map((r) => r.seq)));
    expect(await db.transactions.byId('t1')).toMatchObject({ accountId: b, ordinal: 3 });
    expect(await db.transactions.count(a)).toBe(1);
    expect(await db.transactions.count(b)).toBe(2);

    const [t2] = await db.accountMoves.lines(a);
    const renumbered = await db.accountMoves.renumber(t2!.seq);
    expect(renumbered).toBeGreaterThan(moved);
    expect(await db.accountMoves.lines(a)).toMatchObject([{ id: 't2', seq: renumbered }]);
    // New lines arrive after the renumbered ones (a store with a sequence must not hand out their seq again).
    expect(await db.transactions.write(line(a, 't3'), T1)).toBe('inserted');
    const after = await db.accountMoves.lines(a);
    expect(after.map((l) => l.id)).toEqual(['t2', 't3']);
    expect(after[1]!.seq).toBeGreaterThan(renumbered);
  });

  it('deleteLine hands pending links to the kept line and forgets what refers to the deleted one', async () => {
    const { db } = store();
    const a = await account(db, 'a');
    const b = await account(db, 'b');
    await db.transactions.writeBatch([line(a, 'gone'), line(b, 'kept'), line(a, 'other')], T0);
    await db.pending.upsert({ accountId: a, dedupeKey: 'k', externalId: null, date: '2026-11-01', amountMinor: -1000, currency: 'EUR', payee: null, memo: null }, T0);
    const [p] = await db.pending.open(a);
    await db.pending.link(p!.rowId, 'gone');
    const tg = await target(db, 'csv');
    await db.accountMoves.markSent(tg, 'gone');
    await db.accountMoves.markSent(tg, 'other');
    await db.transactions.write(line(a, 'gone', { amountMinor: 5 }), T1); // a history row
    await db.lineOrigins.record(
      { transactionId: 'gone', role: 'stored', source: 's', sourceKey: 'k', fileId: null, record: null, rawId: null, rung: 'new', why: null, candidates: null, observation: null },
      T0,
    );
    await db.lineOrigins.refuse('gone', 'obs', T0);
    await db.lineOrigins.decide('gone', 'ignored', null, T0);
    await db.lineOrigins.decide('other', 'ignored', null, T0);
    await exec(db, 'INSERT INTO export_annotations (target_id, transaction_id, annotation) VALUES (?, ?, ?)', [tg, 'gone', 'x']);

    await db.write(() => db.accountMoves.deleteLine('gone', 'kept'));
    expect(await db.transactions.isStored('gone')).toBe(false);
    expect((await db.pending.linkedTo('kept')).map((x) => x.dedupeKey)).toEqual(['k']);
    expect(await db.transactions.history('gone')).toEqual([]);
    expect(await db.lineOrigins.of('gone')).toEqual([]);
    expect(await db.lineOrigins.decisions('gone')).toEqual([]);
    expect(await db.lineOrigins.decisions('other')).toHaveLength(1);
    expect(await db.lineOrigins.refusals(a)).toEqual(new Set());
    expect(await query(db, 'SELECT transaction_id FROM export_sent')).toEqual([{ transaction_id: 'other' }]);
    expect(await count(db, 'export_annotations')).toBe(0);
    expect(await db.transactions.count(a)).toBe(1);
  });

  it('markSent records a line once, at revision 0, and keeps a later record', async () => {
    const { db } = store();
    const tg = await target(db, 'csv');
    await exec(db, 'INSERT INTO export_sent (target_id, transaction_id, revision, removed) VALUES (?, ?, 4, 1)', [tg, 'b']);
    await db.accountMoves.markSent(tg, 'a');
    await db.accountMoves.markSent(tg, 'a');
    await db.accountMoves.markSent(tg, 'b');
    expect(await query(db, 'SELECT transaction_id, revision, removed FROM export_sent ORDER BY transaction_id')).toEqual([
      { transaction_id: 'a', revision: 0, removed: 0 },
      { transaction_id: 'b', revision: 4, removed: 1 },
    ]);
  });

  it('forgetAccount removes the account’s error records and its lines’ history, nothing of another account', async () => {
    const { db } = store();
    const a = await account(db, 'a');
    const b = await account(db, 'b');
    await db.transactions.writeBatch([line(a, 't1'), line(b, 'b1')], T0);
    await db.transactions.writeBatch([line(a, 't1', { amountMinor: 1 }), line(b, 'b1', { amountMinor: 1 })], T1);
    for (const [ref, acc] of [
      ['e1', a],
      ['e2', b],
    ] as const)
      await exec(db, 'INSERT INTO errors (ref, at, account_id, code, message) VALUES (?, ?, ?, ?, ?)', [ref, T0, acc, 'X', 'm']);
    await db.write(() => db.accountMoves.forgetAccount(a));
    expect(await db.transactions.history('t1')).toEqual([]);
    expect(await db.transactions.history('b1')).toHaveLength(1);
    expect(await query(db, 'SELECT ref FROM errors')).toEqual([{ ref: 'e2' }]);
  });

  it('moveSideRows moves the pending lines, findings and balances the other account lacks', async () => {
    const { db } = store();
    const from = await account(db, 'from');
    const into = await account(db, 'into');
    const p = (accountId: number, dedupeKey: string, amountMinor: number) =>
      db.pending.upsert({ accountId, dedupeKey, externalId: null, date: '2026-11-01', amountMinor, currency: 'EUR', payee: null, memo: null }, T0);
    await p(from, 'k1', 1);
    await p(from, 'k2', 2);
    await p(into, 'k2', 20);
    const issue = (accountId: number, key: string, message: string) =>
      exec(db, 'INSERT INTO input_issues (account_id, kind, key, severity, source, message, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
        accountId,
        'gap',
        key,
        'warning',
        's',
        message,
        T0,
        T0,
      ]);
    await issue(from, 'i1', 'from');
    await issue(from, 'i2', 'from');
    await issue(into, 'i2', 'into');
    const balance = (accountId: number, date: string, amount: number) =>
      exec(db, 'INSERT INTO balances (account_id, as_of_date, amount_minor, fetched_at) VALUES (?, ?, ?, ?)', [accountId, date, amount, T0]);
    await balance(from, '2026-11-01', 1);
    await balance(from, '2026-11-02', 2);
    await balance(into, '2026-11-02', 20);

    await db.write(() => db.accountMoves.moveSideRows(from, into));
    expect(await query(db, 'SELECT account_id, dedupe_key, amount_minor FROM pending_transactions ORDER BY account_id, dedupe_key')).toEqual([
      { account_id: from, dedupe_key: 'k2', amount_minor: 2 },
      { account_id: into, dedupe_key: 'k1', amount_minor: 1 },
      { account_id: into, dedupe_key: 'k2', amount_minor: 20 },
    ]);
    expect(await query(db, 'SELECT account_id, key, message FROM input_issues ORDER BY account_id, key')).toEqual([
      { account_id: from, key: 'i2', message: 'from' },
      { account_id: into, key: 'i1', message: 'from' },
      { account_id: into, key: 'i2', message: 'into' },
    ]);
    expect(await query(db, 'SELECT as_of_date, amount_minor FROM balances WHERE account_id = ? ORDER BY as_of_date', [into])).toEqual([
      { as_of_date: '2026-11-01', amount_minor: 1 },
      { as_of_date: '2026-11-02', amount_minor: 20 },
    ]);
    expect(await count(db, 'balances')).toBe(4); // copied: the merged account's own go with it
  });

  it('rewrites a target’s scope and deletes a target', async () => {
    const { db } = store();
    const t1 = await target(db, 'one');
    const t2 = await target(db, 'two');
    await db.accountMoves.setTargetScope(t1, { accountIds: [3, 4], from: '2026-01-01' });
    await db.accountMoves.deleteTarget(t2);
    const rows = await query<{ id: number; scope: string }>(db, 'SELECT id, scope FROM export_targets');
    expect(rows.map((r) => [r.id, JSON.parse(r.scope)])).toEqual([[t1, { accountIds: [3, 4], from: '2026-01-01' }]]);
  });
});
