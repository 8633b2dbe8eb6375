import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMinor } from '../../src/domain/money.js';
import type { Report } from '../../src/core/report/types.js';
import { CliSandbox } from '../helpers/cli.js';
import { HOSTILE_PAYEE, NOW, reportSandbox } from '../helpers/report-check.js';
import { requireTools } from '../helpers/tools.js';

/** What the page shows, read back from the rendered DOM (textContent of each labelled figure). */
interface Shown {
  currencies: {
    currency: string;
    totals: Record<string, string>;
    months: { month: string; cells: Record<string, string> }[];
    categories: { category: string; months: Record<string, string>; total: string }[];
    payees: { payee: string; spending: string; lines: string }[];
  }[];
  balances: { account: string; month: string; text: string }[];
  scripts: number;
  charts: { width: number; height: number; marks: number }[];
  bodyText: string;
}

// What the page shows for text that held a bidi control: the visible escape, as the terminal shows it.
const visible = (s: string) => s.replace(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

describe('report --html in headless Chromium', () => {
  let browser: Browser;
  const cli = new CliSandbox();
  const file = join(cli.dir, 'report.html');
  let report: Report;

  beforeAll(async () => {
    requireTools('chromium');
    await reportSandbox(cli);
    report = await cli.jsonAsync<Report>(['report', '--html', file, '--top', '1000'], NOW);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    cli.cleanup();
  });

  it('renders its charts with no request beyond the file, no script and no policy violation, and shows the numbers of report --json', async () => {
    const url = pathToFileURL(file).href;
    const context = await browser.newContext({ offline: true });
    const page = await context.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(String(e)));
    await page.goto(url, { waitUntil: 'load' });
    expect(requests).toEqual([url]);
    // A blocked style or image would be a Content-Security-Policy error here.
    expect(problems).toEqual([]);

    const shown: Shown = await page.evaluate(() => {
      const text = (e: Element | null) => e?.textContent ?? '';
      const cells = (row: Element) => Object.fromEntries([...row.querySelectorAll('[data-field]')].map((c) => [c.getAttribute('data-field')!, text(c)]));
      return {
        currencies: [...document.querySelectorAll('section.currency')].map((s) => ({
          currency: s.getAttribute('data-currency')!,
          totals: cells(s.querySelector('dl.totals')!),
          months: [...s.querySelectorAll('table.months tbody tr')].map((tr) => ({ month: tr.getAttribute('data-month')!, cells: cells(tr) })),
          categories: [...s.querySelectorAll('table.categories tbody tr')].map((tr) => ({
            category: text(tr.querySelector('th')),
            months: Object.fromEntries([...tr.querySelectorAll('td[data-month]')].map((td) => [td.getAttribute('data-month')!, text(td)])),
            total: text(tr.querySelector('[data-field=total]')),
          })),
          payees: [...s.querySelectorAll('table.payees tbody tr')].map((tr) => ({
            payee: text(tr.querySelector('[data-field=payee]')),
            spending: text(tr.querySelector('[data-field=spending]')),
            lines: text(tr.querySelector('[data-field=lines]')),
          })),
        })),
        balances: [...document.querySelectorAll('table.balances td[data-account]')].map((td) => ({ account: td.getAttribute('data-account')!, month: td.getAttribute('data-month')!, text: text(td) })),
        scripts: document.scripts.length,
        charts: [...document.querySelectorAll('svg.chart')].map((svg) => {
          const box = svg.getBoundingClientRect();
          return { width: box.width, height: box.height, marks: svg.querySelectorAll('rect, circle').length };
        }),
        // biome-ignore lint/performance/useDomNodeTextContent: the text as rendered, which is what a person reads
        bodyText: document.body.innerText,
      };
    });

    // The charts are drawn: spending by category for EUR and USD, balances over time for EUR and USD.
    expect(shown.charts).toHaveLength(4);
    for (const c of shown.charts) {
      expect(c.width).toBeGreaterThan(300);
      expect(c.height).toBeGreaterThan(100);
      expect(c.marks).toBeGreaterThan(10);
    }

    // Every figure of the JSON, formatted in its currency, is what the page shows.
    expect(shown.currencies.map((c) => c.currency)).toEqual(report.currencies.map((c) => c.currency));
    report.currencies.forEach((c, i) => {
      const m = (v: number) => formatMinor(v, c.currency);
      const s = shown.currencies[i]!;
      expect(s.totals).toMatchObject({ income: m(c.income), spending: m(c.spending), net: m(c.net) });
      expect(s.months).toEqual(
        c.months.map((x) => ({ month: x.month, cells: { income: m(x.income), spending: m(x.spending), net: m(x.net), transfersIn: m(x.transfersIn), transfersOut: m(x.transfersOut) } })),
      );
      const spent = c.categories.filter((x) => x.spending > 0);
      expect(s.categories).toEqual(
        spent.map((cat) => ({
          category: visible(cat.category),
          months: Object.fromEntries(c.months.map((x) => [x.month, m(x.categories.find((y) => y.category === cat.category)?.spending ?? 0)])),
          total: m(cat.spending),
        })),
      );
      expect(s.payees).toEqual(c.topPayees.map((p) => ({ payee: p.payee === null ? '(no payee)' : visible(p.payee), spending: m(p.spending), lines: String(p.lines) })));
    });
    const balances = new Map(shown.balances.map((b) => [`${b.account} ${b.month}`, b.text]));
    expect(balances.size).toBe(shown.balances.length);
    expect(balances).toEqual(
      new Map(
        report.accounts.flatMap((a) => {
          const t = (v: number | null) => (v === null ? 'unknown' : formatMinor(v, a.currency));
          return [[`${a.account} opening`, t(a.opening)], ...a.months.map((x) => [`${a.account} ${x.month}`, t(x.closing)] as const)];
        }),
      ),
    );

    // The hostile payee and account name are text on the page, nothing more.
    expect(shown.scripts).toBe(0);
    expect(shown.bodyText).toContain(visible(HOSTILE_PAYEE));
    expect(shown.bodyText).toContain(`Cash ${visible(HOSTILE_PAYEE)}`);
    await context.close();
  });
});
