import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { collectAccountRefs, parseDate, parsePositiveInt } from '../parse.js';
import type { RuntimeOf } from '../runtime.js';
import { databaseSettings } from '../settings.js';

interface Flags {
  account?: number[];
  from?: string;
  to?: string;
  top?: number;
  html?: string;
  /** commander turns --no-open into open: false */
  open: boolean;
  /** commander turns --no-color into color: false */
  color: boolean;
}

const EXAMPLES = `
Examples:
  $ banksync report
  $ banksync report --from 2026-01-01 --account a1
  $ banksync report --html report.html              # one page with charts, opened in your browser
  $ banksync report --json | jq '.currencies[0].months'`;

export function registerReport(program: Command, runtimeOf: RuntimeOf): void {
  program
    .command('report')
    .description('where the money went: income, spending by category, top payees and balances, month by month')
    .option('--account <id>', 'only these accounts (repeatable or a1,a2)', collectAccountRefs)
    .option('--from <date>', 'booking date from (YYYY-MM-DD)', parseDate)
    .option('--to <date>', 'booking date to (YYYY-MM-DD)', parseDate)
    .option('--top <n>', 'payees listed per currency (default 10)', parsePositiveInt)
    .option('--html <file>', 'write one self-contained HTML page with charts to this file (atomically) instead')
    .option('--no-open', 'with --html: do not open the page in a browser')
    .option('--no-color', 'plain text: no colour, bars or sparklines (also NO_COLOR, or when stdout is not a terminal)')
    .addHelpText('after', EXAMPLES)
    .action(async (o: Flags, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const { buildReport } = await import('../../core/report/index.js');
      // Lines no rule categorises fall under this database's journal accounts, as in an export.
      const settings = await databaseSettings(rt, ['expense-account', 'income-account']);
      const report = await buildReport(rt.services(), {
        accountIds: o.account,
        from: o.from,
        to: o.to,
        topPayees: o.top,
        expenseAccount: settings['expense-account'],
        incomeAccount: settings['income-account'],
      });
      if (o.html !== undefined) {
        const { writeReportHtml } = await import('../../core/report/html-file.js');
        await writeReportHtml(rt.services(), report, o.html);
        rt.out.summary({ ...report, html: o.html }, (v) => `wrote the report to ${v.html}`);
        if (shouldOpenPage({ open: o.open, interactive: rt.interactive, json: rt.out.json })) {
          if (!(await rt.services().openBrowser(pathToFileURL(resolve(o.html)).href))) rt.out.info(`(no browser could be opened: open ${o.html} yourself)`);
        }
        return;
      }
      const { renderReportText } = await import('../../report/text.js');
      // Bars and sparklines only where colour would be shown: a terminal, no NO_COLOR, no --no-color.
      const charts = o.color && rt.out.c.level > 0;
      const style = { charts, width: charts ? rt.io.stdout.columns || 80 : Infinity, heading: charts ? rt.out.c.bold : (s: string) => s };
      await rt.out.result(report, (v) => renderReportText(v, style), { page: true });
    });
}

/** The page opens in a browser only for a person at a terminal (never in a script, cron, CI or under --json). */
export function shouldOpenPage(o: { open: boolean; interactive: boolean; json: boolean }): boolean {
  return o.open && o.interactive && !o.json;
}
