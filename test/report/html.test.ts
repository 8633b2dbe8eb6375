import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { esc } from '../../src/report/html-text.js';
import { renderReportHtml } from '../../src/report/html.js';
import { niceScale } from '../../src/report/svg-chart.js';
import { HOSTILE, sampleReport } from './fixture.js';

const page = (payee?: string) => renderReportHtml(sampleReport(payee), { generatedAt: '2026-11-30T09:30:00.000Z' });

describe('report HTML', () => {
  it('escapes every text from outside: markup, quotes, bidi controls', () => {
    expect(esc(HOSTILE)).toBe('&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover=&quot;x&#39;\\u202eevil');
    const html = page(HOSTILE);
    // The only tags are ours: no script element, no attribute a payee opened.
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/onmouseover="/);
    expect(html).not.toContain('\u202e');
    expect(html).toContain('<bdi>&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover=&quot;x&#39;\\u202eevil</bdi>');
    expect(html).toContain(`data-category="${esc(HOSTILE)}"`);
  });

  it('is self-contained: no address to fetch, and a policy that forbids fetching and scripts', () => {
    const html = page();
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/url\(|@import/i);
    // The SVG namespace is a name, never fetched; nothing else looks like an address.
    expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/https?:|\/\//);
    const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!;
    expect(policy).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(policy).toContain(`'sha256-${createHash('sha256').update(style).digest('base64')}'`);
  });

  it('labels every figure with what it is, formatted in its currency', () => {
    const html = page();
    expect(html).toContain('<tr data-month="2026-02"><th>2026-02</th><td class="n" data-field="income">0.00</td><td class="n" data-field="spending">30.00</td>');
    expect(html).toContain('<td class="n" data-account="a3" data-month="2026-02">3500</td>');
    expect(html).toContain('<td class="n" data-account="a2" data-month="opening">unknown</td>');
    expect(html).toMatch(/<svg class="chart"[^>]*aria-label="Spending by category per month, EUR"/);
    expect(html).toMatch(/<svg class="chart"[^>]*aria-label="Balance per account over time, JPY"/);
  });
});

describe('chart scale', () => {
  it('steps of 1, 2 or 5 times a power of ten, bounds on whole steps, 0 included', () => {
    expect(niceScale(-2_574_337, 2_312_853)).toEqual({ lo: -4_000_000, hi: 4_000_000, step: 2_000_000 });
    expect(niceScale(0, 408_048)).toEqual({ lo: 0, hi: 600_000, step: 200_000 });
    expect(niceScale(0, 1)).toEqual({ lo: 0, hi: 1, step: 1 });
  });
});
