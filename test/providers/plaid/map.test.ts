import { describe, expect, it } from 'vitest';
import { mapPlaidError } from '../../../src/providers/plaid/errors.js';
import { kindOf, toLine } from '../../../src/providers/plaid/map.js';

const tx = (over: Record<string, unknown> = {}) => ({
  transaction_id: 'tx1',
  account_id: 'acc',
  amount: 72.1,
  iso_currency_code: 'USD',
  unofficial_currency_code: null,
  date: '2026-10-02',
  pending: false,
  pending_transaction_id: null,
  name: 'WALMART #1234',
  merchant_name: 'Walmart',
  ...over,
});

describe('Plaid lines', () => {
  it('stores the opposite of Plaid sign, for every account type, and never -0', () => {
    expect(toLine(tx())).toMatchObject({ kind: 'booked', line: { amountMinor: -7210, bookingDate: '2026-10-02', payee: 'Walmart', memo: 'WALMART #1234', type: 'debit' } });
    expect(toLine(tx({ amount: -2500 }))).toMatchObject({ line: { amountMinor: 250000, type: 'credit' } });
    expect(Object.is((toLine(tx({ amount: 0 })).line as { amountMinor: number }).amountMinor, 0)).toBe(true);
  });

  it('links a posted line to its pending one and keeps pending lines apart', () => {
    expect(toLine(tx({ pending_transaction_id: 'p1' }))).toMatchObject({ kind: 'booked', line: { pendingRef: 'p1' } });
    expect(toLine(tx({ pending: true, transaction_id: 'p1' }))).toMatchObject({ kind: 'pending', line: { externalId: 'p1', date: '2026-10-02', amountMinor: -7210 } });
  });

  it('quarantines what it cannot store exactly, naming why', () => {
    expect(toLine(tx({ iso_currency_code: null }))).toMatchObject({ kind: 'rejected', line: { externalId: 'tx1', reason: expect.stringMatching(/no currency/) } });
    expect(toLine(tx({ amount: 1.005 }))).toMatchObject({ kind: 'rejected', line: { reason: expect.stringMatching(/cannot be stored exactly/) } });
    expect(toLine(tx({ date: '10/02/2026' }))).toMatchObject({ kind: 'rejected' });
    expect(toLine({ transaction_id: 'x' })).toMatchObject({ kind: 'rejected', id: 'x' });
  });

  it('maps account types to our kinds', () => {
    expect([
      kindOf('depository', 'checking'),
      kindOf('depository', 'savings'),
      kindOf('depository', 'money market'),
      kindOf('credit', 'credit card'),
      kindOf('loan', 'student'),
      kindOf('investment', 'ira'),
    ]).toEqual(['checking', 'savings', 'savings', 'credit_card', 'loan', 'other']);
  });
});

describe('Plaid errors without a Plaid body', () => {
  it('a bare 503 is an outage, a bare 429 a rate limit with a retry time', () => {
    const now = new Date('2026-10-01T00:00:00Z');
    expect(mapPlaidError({ status: 503, headers: {}, body: '<html>', method: 'POST', path: '/accounts/get' }, now).code).toBe('PROVIDER_UNAVAILABLE');
    const limited = mapPlaidError({ status: 429, headers: {}, body: undefined, method: 'POST', path: '/transactions/sync' }, now);
    expect([limited.code, limited.retryAt]).toEqual(['RATE_LIMITED', '2026-10-01T00:01:00.000Z']);
  });
});
