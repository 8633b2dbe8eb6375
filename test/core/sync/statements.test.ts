import { describe, expect, it } from 'vitest';
import { buildStatements, periodOf } from '../../../src/core/statement-periods.js';

describe('statements (M11)', () => {
  it.each([
    ['day', '2026-11-18', '2026-11-18', '2026-11-18'],
    ['week', '2026-11-18', '2026-11-16', '2026-11-22'],
    ['fortnight', '2024-01-15', '2024-01-15', '2024-01-28'],
    ['month', '2024-02-10', '2024-02-01', '2024-02-29'],
    ['month', '2026-12-31', '2026-12-01', '2026-12-31'],
  ] as const)('%s period of %s is %s..%s', (period, date, start, end) => {
    expect(periodOf(date, period)).toEqual({ start, end });
  });

  it('chains opening and closing balances across periods', () => {
    const lines = [
      { bookingDate: '2026-10-30', amountMinor: -500 },
      { bookingDate: '2026-11-01', amountMinor: 1000 },
      { bookingDate: '2026-11-20', amountMinor: -200 },
    ];
    const st = buildStatements(1, 'EUR', 'month', lines, 10_000);
    expect(st.map((s) => [s.start, s.end, s.openingMinor, s.closingMinor, s.count])).toEqual([
      ['2026-10-01', '2026-10-31', 10_000, 9_500, 1],
      ['2026-11-01', '2026-11-30', 9_500, 10_300, 2],
    ]);
    expect(buildStatements(1, 'EUR', 'none', lines, null)).toMatchObject([{ start: '2026-10-30', end: '2026-11-20', openingMinor: null, closingMinor: null, count: 3 }]);
  });
});
