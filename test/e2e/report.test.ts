import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report/types.js';
import { CliSandbox } from '../helpers/cli.js';
import { expectReportMatchesCsv, NOW, REPORT_CHECK_COLUMNS, reportSandbox } from '../helpers/report-check.js';
import { onTerminal } from '../helpers/terminal.js';

// Anything a terminal may obey; \n (our own line breaks) aside.
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
const BLOCKS = /[\u2580-\u259f]/; // bars and sparklines

async function exportCsv(cli: CliSandbox, filters: string[]): Promise<string> {
  const r = await cli.runAsync(['export', '--format', 'csv', '--columns', REPORT_CHECK_COLUMNS.join(','), '--no-spreadsheet-safe', ...filters], NOW);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

describe('banksync report', () => {
  const cli = new CliSandbox({ inProcess: true });
  beforeAll(() => reportSandbox(cli));
  afterAll(() => cli.cleanup());

  it('--json: every figure equals the sums of a CSV export of the same lines', async () => {
    const report = await cli.jsonAsync<Report>(['report', '--top', '1000'], NOW);
    expect(report.currencies.map((c) => c.currency)).toEqual(['EUR', 'USD']);
    expect(report.lines).toBeGreaterThan(3000);
    expect(report.accounts.find((a) => a.name.startsWith('Cash'))).toMatchObject({ opening: null, closing: null });
    expectReportMatchesCsv(report, await exportCsv(cli, []));
  });

  it('--from/--to/--account and the configured expense account: still the export, sum for sum', async () => {
    expect((await cli.runAsync(['config', 'expense-account', 'Expenses:Misc'], NOW)).code).toBe(0);
    try {
      const filters = ['--from', '2026-02-15', '--to', '2026-07-10', '--account', 'a1,a3,a4'];
      const report = await cli.jsonAsync<Report>(['report', '--top', '1000', ...filters], NOW);
      expect(report).toMatchObject({ from: '2026-02-15', to: '2026-07-10', months: ['2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07'] });
      expect(report.accounts.map((a) => a.account)).toEqual(['a1', 'a3', 'a4']);
      expect(report.currencies[0]!.categories.map((c) => c.category)).toContain('Expenses:Misc');
      expectReportMatchesCsv(report, await exportCsv(cli, filters), { spending: 'Expenses:Misc', income: 'Income:Unknown' });
    } finally {
      await cli.runAsync(['config', 'expense-account', ''], NOW);
    }
  });

  it('without a terminal: plain text, no bars or sparklines, bank text neutralised', async () => {
    const r = await cli.runAsync(['report', '--top', '1000'], NOW);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(BLOCKS);
    expect(r.stdout).not.toMatch(RAW);
    expect(r.stdout).toMatch(/^EUR: income \d+\.\d\d, spending \d+\.\d\d, net [+-]?\d+\.\d\d(; transfers between own accounts, left out: in \d+\.\d\d, out \d+\.\d\d)$/m);
    expect(r.stdout).toMatch(/^MONTH +a1 +a2 +a3 +a4 +a5$/m);
    expect(r.stdout).toMatch(/^2026-11 .* unknown$/m);
    expect(r.stdout).toContain('<script>alert(1)</script>" onmouseover="x\'\\u202eevil');
  });

  it('on a terminal: bars and sparklines; NO_COLOR or --no-color: plain text', async () => {
    const tty = await onTerminal(cli, 'node bin/banksync.js report --from 2026-09-01', { ...NOW, NO_COLOR: undefined, BANKSYNC_PAGER: '', TERM: 'xterm' });
    expect(tty.code, tty.output).toBe(0);
    expect(tty.output).toMatch(/^a1 +Checking +EUR +\d+\.\d\d +→ \d+\.\d\d +[▁-█]{4}\s*$/mu);
    expect(tty.output).toMatch(/^2026-09 .*█/m);
    for (const [env, flag] of [
      [{ NO_COLOR: '1' }, ''],
      [{ NO_COLOR: undefined }, ' --no-color'],
    ] as const) {
      const plain = await onTerminal(cli, `node bin/banksync.js report --from 2026-09-01${flag}`, { ...NOW, ...env, BANKSYNC_PAGER: '', TERM: 'xterm' });
      expect(plain.code, plain.output).toBe(0);
      expect(plain.output, `${JSON.stringify(env)}${flag}`).not.toMatch(BLOCKS);
      expect(plain.output).toMatch(/^MONTH +INCOME +SPENDING +NET\s*$/m);
    }
  });

  it('--html writes the page; a browser opens only for a person at a terminal, and never with --no-open', async () => {
    const opened = join(cli.dir, 'opened');
    const browser = join(cli.dir, 'browser.sh');
    writeFileSync(browser, `#!/bin/sh\necho "$@" >> '${opened}'\n`, { mode: 0o755 });
    const env = { ...NOW, BROWSER: browser };
    const page = join(cli.dir, 'report.html');

    const script = await cli.runAsync(['report', '--html', page], env);
    expect(script.code, script.stderr).toBe(0);
    expect(script.stdout).toBe('');
    expect(script.stderr).toContain(`wrote the report to ${page}`);
    expect(readFileSync(page, 'utf8')).toMatch(/^<!doctype html>[\s\S]*<\/html>\n$/);
    const json = await cli.jsonAsync<Report & { html: string }>(['report', '--html', page], env);
    expect(json.html).toBe(page);
    expect(existsSync(opened), 'no terminal: no browser').toBe(false);

    const noOpen = await onTerminal(cli, `node bin/banksync.js report --html '${page}' --no-open`, env);
    expect(noOpen.code, noOpen.output).toBe(0);
    expect(existsSync(opened), '--no-open: no browser').toBe(false);

    const person = await onTerminal(cli, `node bin/banksync.js report --html '${page}'`, env);
    expect(person.code, person.output).toBe(0);
    expect(readFileSync(opened, 'utf8').trim()).toBe(`file://${page}`);
  });

  it('bad input: one line on stderr, exit 2', async () => {
    for (const args of [
      ['report', '--from', '2026-02-30'],
      ['report', '--from', '2026-03-01', '--to', '2026-02-01'],
      ['report', '--account', 'a99'],
      ['report', '--top', '0'],
    ]) {
      const r = await cli.runAsync(args, NOW);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    // A page that cannot be written names the flag that gave its path.
    const unwritable = await cli.runAsync(['report', '--html', join(cli.dir, 'no-such-dir', 'r.html')], NOW);
    expect(unwritable.code).toBe(2);
    expect(unwritable.stderr).toMatch(/^error: cannot write .*r\.html: ENOENT — choose a writable --html path\n$/);
  });
});
