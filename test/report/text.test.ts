import { describe, expect, it } from 'vitest';
import { renderReportText } from '../../src/report/text.js';
import { bar, sparkline } from '../../src/report/text-chart.js';
import { HOSTILE, sampleReport } from './fixture.js';

const PLAIN = { charts: false, width: Infinity, heading: (s: string) => s };
const CHARTS = { charts: true, width: 120, heading: (s: string) => s };
const BLOCKS = /[\u2580-\u259f]/; // Unicode block elements: bars and sparklines

describe('report text', () => {
  it('plain: the numbers alone, ASCII of our own, balances as a month-by-account table', () => {
    const text = renderReportText(sampleReport(), PLAIN);
    expect(text).not.toMatch(BLOCKS);
    expect(text).toContain('EUR: income 3000.00, spending 180.00, net +2820.00; transfers between own accounts, left out: in 0.00, out 200.00');
    expect(text).toMatch(/^2026-02 +0\.00 +30\.00 +-30\.00$/m);
    expect(text).toMatch(/^2026-02 +2720\.00 +unknown +3500$/m);
    expect(text).toMatch(/^start +100\.00 +unknown +5000$/m);
    expect(text).toContain('(no payee)');
    expect(text).toContain('a3: 2 lines in another currency than JPY left out of its balance');
  });

  it('on a terminal: bars per month and payee, a sparkline per account', () => {
    const text = renderReportText(sampleReport(), CHARTS);
    expect(text).toMatch(/^2026-01 +3000\.00 +150\.00 +\+2850\.00 +█{24}$/m);
    expect(text).toMatch(/^a1 +Checking +EUR +100\.00 +→ 2720\.00 +▁██$/m);
    expect(text).toMatch(/^a2 .* unknown .*no opening balance; moved \+200\.00$/m);
    // A long name is cut to keep the figures on screen (plain text and --json keep it whole).
    expect(text).toContain(`a2  ${HOSTILE.slice(0, 35)}…  EUR`);
    expect(renderReportText(sampleReport(), PLAIN)).toContain(`a2: ${HOSTILE} (EUR)`);
  });

  it('drops the earliest months of the category table on a narrow terminal, and says so', () => {
    const text = renderReportText(sampleReport(), { ...CHARTS, width: 40 });
    expect(text).toMatch(/^CATEGORY +2026-02 +TOTAL$/m);
    expect(text).toContain('(2026-01 to 2026-01 do not fit this width: see --json or --html)');
  });

  it('bars and sparklines scale to the largest value', () => {
    expect(bar(50, 100, 4)).toBe('██');
    expect(bar(1, 100, 4)).toBe('▏');
    expect(bar(0, 100, 4)).toBe('');
    expect(sparkline([1, 2, 3])).toBe('▁▅█');
    expect(sparkline([5, 5])).toBe('▄▄');
  });
});
