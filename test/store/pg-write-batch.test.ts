import { describe, expect, it } from 'vitest';
import type { PgPort, Sql } from '../../src/store/postgres/port.js';
import { writeBatch } from '../../src/store/postgres/write-batch.js';
import type { TransactionRow } from '../../src/store/sqlite/transactions.js';
import { useStore } from '../helpers/stores.js';
import { account } from './contract/arrange.js';

// What the outcomes cannot show: a batch costs a few statements on PostgreSQL, not one per line
// (every statement is a round trip to the server). The outcomes themselves are the contract
// suite's (test/store/contract/transactions.test.ts).
describe('PostgreSQL writeBatch', () => {
  const store = useStore('postgres');

  /** The port's executor, counting the statements run through it. */
  function counting(sql: Sql): { sql: Sql; statements: string[] } {
    const statements: string[] = [];
    return {
      statements,
      sql: {
        rows: (text, params) => (statements.push(text), sql.rows(text, params)),
        run: (text, params) => (statements.push(text), sql.run(text, params)),
        one: (text, params) => (statements.push(text), sql.one(text, params)),
        pages: (text, params, size) => (statements.push(text), sql.pages(text, params, size)),
      },
    };
  }

  const row = (accountId: number, i: number, over: Partial<TransactionRow> = {}): TransactionRow => ({
    id: `t${i}`,
    accountId,
    externalId: `p${i}`,
    fingerprint: `fp${i}`,
    ordinal: 0,
    bookingDate: '2026-11-02',
    valueDate: null,
    amountMinor: -i,
    currency: 'EUR',
    payee: 'Shop',
    memo: null,
    type: 'debit',
    counterpartyIban: null,
    source: 'provider:fake',
    ...over,
  });

  it('a sync batch of 250 lines is three statements: what it meets, the inserts, the corrections', async () => {
    const { db } = store();
    const a = await account(db, 'a');
    const port = db as PgPort;
    await db.write(() => writeBatch(port.sql, [row(a, 1), row(a, 2)], '2026-11-20T00:00:00.000Z'));
    const rows = Array.from({ length: 250 }, (_, i) => (i < 2 ? row(a, i + 1, { amountMinor: 99 }) : row(a, i + 1, { externalId: i % 3 ? `p${i + 1}` : null })));
    const c = counting(port.sql);
    const outcomes = await db.write(() => writeBatch(c.sql, rows, '2026-11-21T00:00:00.000Z'));
    expect(outcomes.filter((o) => o === 'updated')).toHaveLength(2);
    expect(outcomes.filter((o) => o === 'inserted')).toHaveLength(248);
    expect(c.statements).toHaveLength(3);
  });

  it('a line corrected k times in one batch costs k correction statements, not one per line', async () => {
    const { db } = store();
    const a = await account(db, 'a');
    const port = db as PgPort;
    const rows = [...Array.from({ length: 100 }, (_, i) => row(a, i)), row(a, 5, { amountMinor: 1 }), row(a, 5, { amountMinor: 2 }), row(a, 6, { amountMinor: 1 })];
    const c = counting(port.sql);
    await db.write(() => writeBatch(c.sql, rows, '2026-11-21T00:00:00.000Z'));
    expect(c.statements).toHaveLength(1 + 1 + 2);
    expect(await db.transactions.count(a)).toBe(100);
    expect((await db.transactions.history('t5')).map((h) => h.amountMinor)).toEqual([-5, 1]);
  });
});
