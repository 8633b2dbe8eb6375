import { describe, expect, it } from 'vitest';
import type { Transaction } from '../../../src/domain/model.js';
import { matchPending } from '../../../src/core/sync/pending-link.js';

const tx = (id: string, bookingDate: string, amountMinor: number, payee = 'Trattoria Roma', currency = 'EUR'): Transaction => ({
  id,
  accountId: 1,
  externalId: null,
  bookingDate,
  valueDate: null,
  amountMinor,
  currency,
  payee,
  memo: null,
  type: 'pos',
  counterpartyIban: null,
  source: 't',
});
const pending = { externalId: null, date: '2026-11-10', amountMinor: -4000, currency: 'EUR', payee: 'Trattoria Roma' };

describe('matchPending', () => {
  it('links a tipped booking from the same payee over a closer amount from another payee', () => {
    const booked = [tx('other', '2026-11-11', -4100, 'Pharmacy'), tx('tip', '2026-11-12', -4600)];
    expect(matchPending(pending, booked, new Set())?.id).toBe('tip');
  });
  it('rejects amounts outside the tolerance, other currencies, other signs and other dates', () => {
    expect(matchPending(pending, [tx('far', '2026-11-12', -6000)], new Set())).toBeUndefined();
    expect(matchPending(pending, [tx('usd', '2026-11-12', -4000, 'Trattoria Roma', 'USD')], new Set())).toBeUndefined();
    expect(matchPending(pending, [tx('refund', '2026-11-12', 4000)], new Set())).toBeUndefined();
    expect(matchPending(pending, [tx('late', '2026-11-25', -4000)], new Set())).toBeUndefined();
  });
  it('skips booked lines already claimed and prefers the closest amount', () => {
    const booked = [tx('a', '2026-11-11', -4000), tx('b', '2026-11-11', -4200)];
    expect(matchPending(pending, booked, new Set())?.id).toBe('a');
    expect(matchPending(pending, booked, new Set(['a']))?.id).toBe('b');
  });
});
