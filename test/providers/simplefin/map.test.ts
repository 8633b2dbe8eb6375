import { describe, expect, it } from 'vitest';
import { kindOf, mapTransactions, placeAccounts, readWarnings, splitExternalId, toAccount, warningsFor } from '../../../src/providers/simplefin/map.js';

describe('SimpleFIN mapping', () => {
  it('dates posted lines by the UTC date of posted, keeps the sign, and quarantines what it cannot read', () => {
    const lines = mapTransactions(
      [
        { id: 'a', posted: Date.parse('2026-03-01T23:59:30Z') / 1000, amount: '-12.30', description: 'CAFE', payee: 'Cafe' },
        { id: 'b', posted: Date.parse('2026-03-02T00:00:10Z') / 1000, amount: 1500, description: 'PAYROLL' },
        { id: 'c', posted: 0, amount: '-4.00', description: 'PENDING', transacted_at: Date.parse('2026-03-02T12:00:00Z') / 1000 },
        { id: 'd', posted: 0, amount: '-5.00', description: 'NO DATE', pending: true },
        { id: 'e', posted: 1772400000, amount: 'twelve', description: 'BAD' },
        { id: 'f', amount: '-1.00', description: 'NO POSTED' },
        { id: 'g', posted: Date.parse('2026-03-02T10:00:00Z') / 1000, amount: '-7.77', description: 'STILL PENDING', pending: true },
      ],
      'USD',
      '2026-03-03',
    );
    expect(lines.booked.map((t) => [t.externalId, t.bookingDate, t.amountMinor, t.payee, t.memo, t.pendingRef])).toEqual([
      ['a', '2026-03-01', -1230, 'Cafe', 'CAFE', 'a'],
      ['b', '2026-03-02', 150000, 'PAYROLL', undefined, 'b'],
    ]);
    expect(lines.pending.map((p) => [p.externalId, p.date, p.amountMinor])).toEqual([
      ['c', '2026-03-02', -400],
      ['d', '2026-03-03', -500],
      ['g', '2026-03-02', -777],
    ]);
    expect(lines.rejected.map((r) => r.externalId)).toEqual(['e', 'f']);
    expect(lines.rejected[0]!.reason).toMatch(/not a decimal number/);
  });

  it('a custom currency (a URL) is never stored as money', () => {
    const set = { accounts: [{ org: { domain: 'miles.example', 'sfin-url': 'https://x' }, id: '1', name: 'Miles', currency: 'https://miles.example/currency', balance: '100', 'balance-date': 1 }] };
    const [placed] = placeAccounts(set).placed;
    expect(toAccount(placed!)).toMatchObject({ currency: 'XXX', balance: undefined });
    const lines = mapTransactions([{ id: 'x', posted: 1, amount: '5', description: 'flight' }], placed!.wire.currency, '2026-01-01');
    expect(lines.booked).toEqual([]);
    expect(lines.rejected[0]!.reason).toMatch(/custom currency/);
  });

  it('v1 answers are scoped by organisation (domain first); v2 by connection, named by the org', () => {
    const v1 = placeAccounts({
      accounts: [
        { org: { domain: 'a.example', name: 'Bank A', 'sfin-url': 'https://a' }, id: '1', name: 'Checking', currency: 'USD', balance: '1', 'balance-date': 1 },
        { org: { name: 'Bank B', 'sfin-url': 'https://b' }, id: '1', name: 'Card', currency: 'USD', balance: '1', 'balance-date': 1 },
      ],
    });
    expect(v1.placed.map((p) => [p.externalId, p.institutionId, p.institutionName])).toEqual([
      ['a.example/1', 'a.example', 'Bank A'],
      ['Bank%20B/1', 'Bank B', 'Bank B'],
    ]);
    expect(splitExternalId('Bank%20B/1')).toEqual({ scope: 'Bank B', accountId: '1' });
    const v2 = placeAccounts({
      connections: [{ conn_id: 'C/1', name: 'Bank C - Jo', org_id: 'ORG-C', org_url: 'https://c.example' }],
      accounts: [
        { conn_id: 'C/1', id: 'x/y', name: 'Savings', currency: 'USD', balance: '1', 'balance-date': 1 },
        { id: 'z', name: 'Orphan', currency: 'USD', balance: '1', 'balance-date': 1 },
      ],
    });
    expect(v2.placed.map((p) => [p.externalId, p.institutionId, p.institutionName])).toEqual([['C%2F1/x%2Fy', 'ORG-C', 'Bank C - Jo']]);
    expect(splitExternalId('C%2F1/x%2Fy')).toEqual({ scope: 'C/1', accountId: 'x/y' });
    expect(v2.problems).toEqual(['SimpleFIN sent account Orphan with neither a connection nor an organisation; it was left out']);
  });

  it('warnings: errlist placed by account and connection, errors read too (once), control characters gone', () => {
    const w = readWarnings({
      accounts: [],
      errlist: [
        { code: 'gen.auth', msg: 'No credentials' },
        { code: 'con.auth', msg: 'Sign in to Bank C\u001b[31m', conn_id: 'C1' },
        { code: 'act.failed', msg: 'Try later', account_id: '7', conn_id: 'C2' },
      ],
      errors: ['No credentials', 'You made 30 requests today'],
    });
    expect(warningsFor(w, { wire: { id: '7' }, connId: 'C1' })).toEqual([
      'SimpleFIN gen.auth: No credentials (authentication problem at the SimpleFIN server)',
      'SimpleFIN: You made 30 requests today',
      'SimpleFIN con.auth: Sign in to Bank C [31m (the bank connection needs you to sign in again at the SimpleFIN Bridge)',
    ]);
    expect(warningsFor(w, { wire: { id: '7' }, connId: 'C2' }).at(-1)).toBe('SimpleFIN act.failed: Try later (the account could not be read this time; it is tried again on the next sync)');
  });

  it('reads the kind from the name only when it is unmistakable', () => {
    expect(['Everyday Checking', 'High Yield Savings', 'Rewards Visa Card', 'Auto Loan', 'Brokerage', 'Discover Savings'].map(kindOf)).toEqual([
      'checking',
      'savings',
      'credit_card',
      'loan',
      'other',
      'savings',
    ]);
  });
});
