import type { Report } from '../../src/core/report/types.js';

/** A small report with text a hostile bank could send: markup, quotes, a right-to-left override. */
export const HOSTILE = `<script>alert(1)</script>" onmouseover="x'\u202eevil`;

export function sampleReport(payee = 'Grocer'): Report {
  return {
    from: '2026-01-01',
    to: '2026-02-28',
    months: ['2026-01', '2026-02'],
    lines: 5,
    defaultCategories: { spending: 'Expenses:Unknown', income: 'Income:Unknown' },
    currencies: [
      {
        currency: 'EUR',
        income: 3000_00,
        spending: 180_00,
        net: 2820_00,
        transfersIn: 0,
        transfersOut: 200_00,
        months: [
          {
            month: '2026-01',
            income: 3000_00,
            spending: 150_00,
            net: 2850_00,
            transfersIn: 0,
            transfersOut: 200_00,
            categories: [
              { category: 'Expenses:Food', spending: 150_00, income: 0 },
              { category: 'Income:Salary', spending: 0, income: 3000_00 },
            ],
          },
          { month: '2026-02', income: 0, spending: 30_00, net: -30_00, transfersIn: 0, transfersOut: 0, categories: [{ category: HOSTILE, spending: 30_00, income: 0 }] },
        ],
        categories: [
          { category: 'Expenses:Food', spending: 150_00, income: 0 },
          { category: HOSTILE, spending: 30_00, income: 0 },
          { category: 'Income:Salary', spending: 0, income: 3000_00 },
        ],
        topPayees: [
          { payee, spending: 150_00, lines: 2 },
          { payee: null, spending: 30_00, lines: 1 },
        ],
      },
      {
        currency: 'JPY',
        income: 0,
        spending: 1500,
        net: -1500,
        transfersIn: 0,
        transfersOut: 0,
        months: [
          { month: '2026-01', income: 0, spending: 0, net: 0, transfersIn: 0, transfersOut: 0, categories: [] },
          { month: '2026-02', income: 0, spending: 1500, net: -1500, transfersIn: 0, transfersOut: 0, categories: [{ category: 'Expenses:Unknown', spending: 1500, income: 0 }] },
        ],
        categories: [{ category: 'Expenses:Unknown', spending: 1500, income: 0 }],
        topPayees: [{ payee: 'Ramen', spending: 1500, lines: 1 }],
      },
    ],
    accounts: [
      {
        account: 'a1',
        name: 'Checking',
        currency: 'EUR',
        opening: 100_00,
        closing: 2720_00,
        months: [
          { month: '2026-01', closing: 2750_00, change: 2650_00 },
          { month: '2026-02', closing: 2720_00, change: -30_00 },
        ],
        otherCurrencyLines: 0,
      },
      {
        account: 'a2',
        name: HOSTILE,
        currency: 'EUR',
        opening: null,
        closing: null,
        months: [
          { month: '2026-01', closing: null, change: 200_00 },
          { month: '2026-02', closing: null, change: 0 },
        ],
        otherCurrencyLines: 0,
      },
      {
        account: 'a3',
        name: 'Yen',
        currency: 'JPY',
        opening: 5000,
        closing: 3500,
        months: [
          { month: '2026-01', closing: 5000, change: 0 },
          { month: '2026-02', closing: 3500, change: -1500 },
        ],
        otherCurrencyLines: 2,
      },
    ],
  };
}
