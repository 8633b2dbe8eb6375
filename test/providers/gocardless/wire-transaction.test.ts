import { describe, expect, it } from 'vitest';
import { toBooked, toPending, undated } from '../../../src/providers/gocardless/map.js';
import { isWireTransaction, isWireTransactions, Transaction, Transactions } from '../../../src/providers/gocardless/schema.js';

// The hand check must accept exactly what the zod schema accepts, and the lines it lets through
// unparsed must map to what zod's parsed copy maps to.
const full = {
  transactionId: 'T1',
  internalTransactionId: 'i1',
  bookingDate: '2026-11-02',
  bookingDateTime: '2026-11-02T10:00:00Z',
  valueDate: '2026-11-03',
  valueDateTime: '2026-11-03T00:00:00Z',
  transactionAmount: { amount: '-12.30', currency: 'EUR' },
  creditorName: ' Shop ',
  creditorAccount: { iban: 'NL91ABNA0417164300' },
  debtorName: 'Me',
  debtorAccount: { bban: '123', extra: 1 },
  remittanceInformationUnstructured: 'memo',
  remittanceInformationUnstructuredArray: ['a', 'b'],
  remittanceInformationStructured: 's',
  additionalInformation: 'x',
  proprietaryBankTransactionCode: 'PMNT',
  unknownField: { any: 1 },
};
const values = [
  undefined,
  'text',
  '',
  12,
  0,
  null,
  true,
  {},
  [],
  ['a'],
  { iban: 'DE1' },
  { iban: 3 },
  { bban: null },
  { iban: 'DE1', more: [1] },
  ['a', 2],
  { amount: '1.00', currency: 'EUR' },
  { amount: 1, currency: 'EUR' },
  { amount: '1.00' },
  { amount: '1.00', currency: 'EUR', x: 1 },
];

function variants(): unknown[] {
  const out: unknown[] = [null, 'x', 3, [], [full], {}, full, { transactionAmount: { amount: '5', currency: 'EUR' } }];
  for (const key of [...Object.keys(full), 'other']) {
    for (const v of values) {
      const t: Record<string, unknown> = { ...full };
      if (v === undefined) delete t[key];
      else t[key] = v;
      out.push(t, { transactionAmount: full.transactionAmount, [key]: v });
    }
  }
  return out;
}

describe('GoCardless transaction check without zod', () => {
  const all = variants();

  it('accepts exactly what the zod schema accepts', () => {
    const disagree = all.filter((raw) => isWireTransaction(raw) !== Transaction.safeParse(raw).success);
    expect(disagree).toEqual([]);
    // Both outcomes are covered.
    expect(all.filter((raw) => isWireTransaction(raw)).length).toBeGreaterThan(50);
    expect(all.filter((raw) => !isWireTransaction(raw)).length).toBeGreaterThan(50);
  });

  it('maps an unparsed line as it maps zod’s copy of it', () => {
    for (const raw of all.filter((r) => isWireTransaction(r))) {
      const parsed = Transaction.parse(raw);
      const t = raw as Transaction;
      const tryMap = <T>(f: () => T) => {
        try {
          return { value: f() };
        } catch (err) {
          return { error: (err as Error).message };
        }
      };
      expect(tryMap(() => toBooked(t))).toEqual(tryMap(() => toBooked(parsed)));
      expect(tryMap(() => toPending(t))).toEqual(tryMap(() => toPending(parsed)));
      expect(tryMap(() => undated(t, 'booked'))).toEqual(tryMap(() => undated(parsed, 'booked')));
    }
  });
});

describe('GoCardless transactions answer check without zod', () => {
  const lists = [undefined, null, [], [full], [1, 'x', null], {}, 'x', 0, { 0: full }];
  const answers: unknown[] = [undefined, null, 'x', 3, [], {}, { transactions: null }, { transactions: [] }, { transactions: 'x' }];
  for (const booked of lists) {
    for (const pending of lists) {
      const inner: Record<string, unknown> = { other: 1 };
      if (booked !== undefined) inner.booked = booked;
      if (pending !== undefined) inner.pending = pending;
      answers.push({ transactions: inner }, { transactions: inner, extra: true }, [{ transactions: inner }]);
    }
  }

  it('accepts exactly what the zod schema accepts, and gives its reader what zod’s copy gives', () => {
    expect(answers.filter((raw) => isWireTransactions(raw) !== Transactions.safeParse(raw).success)).toEqual([]);
    const accepted = answers.filter((raw) => isWireTransactions(raw));
    expect(accepted.length).toBeGreaterThan(5);
    expect(answers.length - accepted.length).toBeGreaterThan(20);
    for (const raw of accepted) {
      const parsed = Transactions.parse(raw);
      expect(raw.transactions.booked).toEqual(parsed.transactions.booked);
      expect(raw.transactions.pending).toEqual(parsed.transactions.pending);
    }
  });
});
