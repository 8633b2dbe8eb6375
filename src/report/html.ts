import { createHash } from 'node:crypto';
import { formatMinor } from '../domain/money.js';
import type { AccountBalances, CurrencyFlows, Report } from '../core/report/types.js';
import { bankText, esc } from './html-text.js';
import { lines, stackedBars, type Series } from './svg-chart.js';

/** Categories drawn apart in the chart; the rest share one colour (the table lists them all). */
const CHART_CATEGORIES = 8;
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const OTHER_COLOUR = '#8c8c8c';

const STYLE = `
:root{color-scheme:light dark;--fg:#1d1d1f;--muted:#6e6e73;--line:#d2d2d7;--bg:#fff}
@media (prefers-color-scheme:dark){:root{--fg:#f5f5f7;--muted:#a1a1a6;--line:#424245;--bg:#1d1d1f}}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:2rem auto;max-width:60rem;padding:0 1rem}
h1{font-size:1.6rem;margin:0 0 .25rem}h2{margin-top:2.5rem;border-bottom:1px solid var(--line)}h3{margin-top:1.75rem}
.muted,.note{color:var(--muted)}
dl.totals{display:flex;flex-wrap:wrap;gap:.5rem 2rem;margin:0}dl.totals div{display:flex;flex-direction:column}dt{color:var(--muted);font-size:.85rem}dd{margin:0;font-size:1.2rem;font-variant-numeric:tabular-nums}
.scroll{overflow-x:auto}
table{border-collapse:collapse;margin:.5rem 0;font-variant-numeric:tabular-nums}
th,td{padding:.2rem .6rem;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
td.n,th.n{text-align:right}
figure{margin:.5rem 0}svg.chart{width:100%;height:auto;max-width:760px}
svg .grid{stroke:var(--line);stroke-width:1}svg .zero{stroke:var(--muted);stroke-width:1}svg .tick{fill:var(--muted);font-size:11px}
ul.legend{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1rem;padding:0;margin:.25rem 0;font-size:.85rem}
`;

export interface HtmlOptions {
  /** When the page was made (ISO instant), printed in it. */
  generatedAt: string;
}

/**
 * The report as one self-contained HTML page: styles inline, charts as inline SVG, no script and
 * no address of anything to fetch. Its Content Security Policy says so to the browser as well
 * (default-src 'none'; the one style block allowed by its hash), so even text that escaped
 * escaping could neither run nor load anything. Every figure carries data attributes naming what
 * it is (currency, month, category, account), so a test can read the page back and compare.
 */
export function renderReportHtml(r: Report, o: HtmlOptions): string {
  const styleHash = createHash('sha256').update(STYLE).digest('base64');
  const range = r.from && r.to ? `${r.from} to ${r.to}` : 'no booked lines';
  const body = [
    `<h1>Where the money went</h1>`,
    `<p class="muted">${esc(range)} · ${r.lines} ${r.lines === 1 ? 'line' : 'lines'} in ${r.accounts.length} ${r.accounts.length === 1 ? 'account' : 'accounts'} · made by banksync on ${esc(r0(o.generatedAt))}</p>`,
    ...r.currencies.map((c) => currencySection(c)),
    balancesSection(r),
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-${styleHash}'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>banksync report: ${esc(range)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

function currencySection(c: CurrencyFlows): string {
  const m = (v: number) => formatMinor(v, c.currency);
  const cur = esc(c.currency);
  const totals = [
    ['income', 'Income', c.income],
    ['spending', 'Spending', c.spending],
    ['net', 'Net', c.net],
    ...(c.transfersIn || c.transfersOut ? [['transfersIn', 'Own transfers in (left out)', c.transfersIn] as const, ['transfersOut', 'Own transfers out (left out)', c.transfersOut] as const] : []),
  ] as const;
  const spentIn = c.categories.filter((x) => x.spending > 0);
  return `<section class="currency" data-currency="${cur}">
<h2>${cur}</h2>
<dl class="totals">${totals.map(([k, label, v]) => `<div><dt>${label}</dt><dd data-field="${k}">${m(v)}</dd></div>`).join('')}</dl>
<h3>Spending by category per month</h3>
${spentIn.length ? stackedBars({ xLabels: c.months.map((x) => x.month), series: categorySeries(c), format: m, title: `Spending by category per month, ${c.currency}` }) : '<p class="note">No spending in this period.</p>'}
<div class="scroll"><table class="months">
<thead><tr><th>Month</th><th class="n">Income</th><th class="n">Spending</th><th class="n">Net</th><th class="n">Own transfers in</th><th class="n">Own transfers out</th></tr></thead>
<tbody>${c.months
    .map(
      (x) =>
        `<tr data-month="${esc(x.month)}"><th>${esc(x.month)}</th><td class="n" data-field="income">${m(x.income)}</td><td class="n" data-field="spending">${m(x.spending)}</td><td class="n" data-field="net">${m(x.net)}</td><td class="n" data-field="transfersIn">${m(x.transfersIn)}</td><td class="n" data-field="transfersOut">${m(x.transfersOut)}</td></tr>`,
    )
    .join('\n')}</tbody>
</table></div>
${spentIn.length ? categoryTable(c, m) : ''}
${c.topPayees.length ? payeeTable(c, m) : ''}
</section>`;
}

function categorySeries(c: CurrencyFlows): Series[] {
  const spentIn = c.categories.filter((x) => x.spending > 0);
  const drawn = spentIn.length > CHART_CATEGORIES + 1 ? spentIn.slice(0, CHART_CATEGORIES) : spentIn;
  const series: Series[] = drawn.map((cat, i) => ({
    label: cat.category,
    color: PALETTE[i % PALETTE.length]!,
    values: c.months.map((x) => x.categories.find((y) => y.category === cat.category)?.spending ?? 0),
  }));
  if (drawn.length < spentIn.length) {
    const apart = new Set(drawn.map((x) => x.category));
    series.push({
      label: `${spentIn.length - drawn.length} other categories`,
      color: OTHER_COLOUR,
      values: c.months.map((x) => x.categories.filter((y) => !apart.has(y.category)).reduce((t, y) => t + y.spending, 0)),
    });
  }
  return series;
}

function categoryTable(c: CurrencyFlows, m: (v: number) => string): string {
  const rows = c.categories
    .filter((x) => x.spending > 0)
    .map((cat) => {
      const cells = c.months.map((x) => {
        const v = x.categories.find((y) => y.category === cat.category)?.spending ?? 0;
        return `<td class="n" data-month="${esc(x.month)}">${m(v)}</td>`;
      });
      return `<tr data-category="${esc(cat.category)}"><th>${bankText(cat.category)}</th>${cells.join('')}<td class="n" data-field="total">${m(cat.spending)}</td></tr>`;
    });
  return `<div class="scroll"><table class="categories">
<thead><tr><th>Category</th>${c.months.map((x) => `<th class="n">${esc(x.month)}</th>`).join('')}<th class="n">Total</th></tr></thead>
<tbody>${rows.join('\n')}</tbody>
</table></div>`;
}

function payeeTable(c: CurrencyFlows, m: (v: number) => string): string {
  const rows = c.topPayees.map(
    (p, i) =>
      `<tr data-rank="${i + 1}"><td data-field="payee">${p.payee === null ? '<span class="muted">(no payee)</span>' : bankText(p.payee)}</td><td class="n" data-field="spending">${m(p.spending)}</td><td class="n" data-field="lines">${p.lines}</td></tr>`,
  );
  return `<h3>Top payees by spending</h3>
<table class="payees"><thead><tr><th>Payee</th><th class="n">Spent</th><th class="n">Lines</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}

/** Per currency: a line per account with a known balance, and the table of every account. */
function balancesSection(r: Report): string {
  if (r.accounts.length === 0) return '';
  const currencies = [...new Set(r.accounts.map((a) => a.currency))].sort();
  const parts = currencies.map((currency) => {
    const accounts = r.accounts.filter((a) => a.currency === currency);
    const m = (v: number) => formatMinor(v, currency);
    const known = accounts.filter((a) => a.opening !== null);
    const chart = known.length
      ? lines({
          xLabels: ['start', ...r.months],
          series: known.map((a, i) => ({ label: `${a.account} ${a.name}`, color: PALETTE[i % PALETTE.length]!, values: [a.opening, ...a.months.map((x) => x.closing)] })),
          format: m,
          title: `Balance per account over time, ${currency}`,
        })
      : '';
    const unknown = accounts.filter((a) => a.opening === null);
    const note = unknown.length ? `<p class="note">Balance unknown (no opening balance known) for ${unknown.map((a) => `${esc(a.account)} ${bankText(a.name)}`).join(', ')}.</p>` : '';
    const cell = (a: AccountBalances, month: string, v: number | null) => `<td class="n" data-account="${esc(a.account)}" data-month="${esc(month)}">${v === null ? 'unknown' : m(v)}</td>`;
    const rows = [
      `<tr><th>Start</th>${accounts.map((a) => cell(a, 'opening', a.opening)).join('')}</tr>`,
      ...r.months.map((month, i) => `<tr><th>${esc(month)}</th>${accounts.map((a) => cell(a, month, a.months[i]!.closing)).join('')}</tr>`),
    ];
    return `<h3>${esc(currency)}</h3>
${chart}${note}
<div class="scroll"><table class="balances" data-currency="${esc(currency)}">
<thead><tr><th>Month end</th>${accounts.map((a) => `<th class="n">${esc(a.account)} ${bankText(a.name)}</th>`).join('')}</tr></thead>
<tbody>${rows.join('\n')}</tbody>
</table></div>`;
  });
  return `<section class="balances">
<h2>Balance per account over time</h2>
${parts.join('\n')}
</section>`;
}

/** "2026-11-30 09:30 UTC" from an ISO instant. */
const r0 = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
