import { Option, type Command } from 'commander';
import type { ExportOptions } from '../../core/export.js';
import { badInput } from '../../domain/errors.js';
import { EXPORT_FORMATS } from '../../export/registry.js';
import { localTime, plural } from '../format.js';
import { table } from '../output.js';
import { collectAccountRefs, parseConnectionRef, parseDate } from '../parse.js';
import type { RuntimeOf } from '../runtime.js';
import { databaseSettings } from '../settings.js';

interface Flags {
  format?: string;
  account?: number[];
  connection?: number;
  from?: string;
  to?: string;
  output?: string;
  target?: string;
  full?: boolean;
  listTargets?: boolean;
  byStatement?: boolean;
  columns?: string;
  delimiter?: string;
  decimalComma?: boolean;
  changes?: boolean;
  spreadsheetSafe: boolean;
  ofxVersion?: string;
  qifDates?: 'us' | 'uk';
  expenseAccount?: string;
  incomeAccount?: string;
}

const EXAMPLES = `
Examples:
  $ banksync export --format csv --account a1 > checking.csv
  $ banksync export --format ofx --account a1 --output checking.ofx
  $ banksync export --format hledger --from 2026-01-01 --output 2026.journal
  $ banksync export --format ofx --target gnucash --output new.ofx    # only what gnucash has not had yet
  $ banksync export --list-targets`;

export function registerExport(program: Command, runtimeOf: RuntimeOf): void {
  program
    .command('export')
    .description('write booked transactions for other tools (CSV, OFX, QIF, ledger, hledger, beancount); stdout by default')
    .option('--format <format>', Object.keys(EXPORT_FORMATS).join(' | '))
    .option('--account <id>', 'only these accounts (repeatable or a1,a2)', collectAccountRefs)
    .option('--connection <id>', 'only the accounts of this connection', parseConnectionRef)
    .option('--from <date>', 'booking date from (YYYY-MM-DD)', parseDate)
    .option('--to <date>', 'booking date to (YYYY-MM-DD)', parseDate)
    .option('-o, --output <file>', 'write to this file atomically instead of stdout')
    .option('--target <name>', 'incremental: write only what this named target has not received yet')
    .option('--full', 'with --target: write everything again and start the target over')
    .option('--list-targets', 'show the incremental export targets')
    .option('--by-statement', 'OFX: one statement per statement period, each with its balances')
    .option('--columns <list>', 'CSV columns, comma-separated (see README)')
    .option('--delimiter <char>', 'CSV field delimiter (default ",", or ";" with --decimal-comma)')
    .option('--decimal-comma', 'CSV amounts with a decimal comma, for spreadsheet locales')
    .option('--changes', 'CSV: add a change column (new, changed, removed) and write removals')
    .option('--no-spreadsheet-safe', 'CSV: keep text starting with = + - @ as is (default: prefix a quote)')
    .addOption(new Option('--ofx-version <n>', 'OFX 1 (1.0.2 SGML, default) or 2 (2.1.1 XML, ASCII text)').choices(['1', '2']))
    .addOption(new Option('--qif-dates <order>', 'QIF date order: us (MM/DD/YYYY, default) or uk (DD/MM/YYYY)').choices(['us', 'uk']))
    .option('--expense-account <name>', 'journals: other side of money out (default: `config expense-account` of this database, else Expenses:Unknown)')
    .option('--income-account <name>', 'journals: other side of money in (default: `config income-account` of this database, else Income:Unknown)')
    .addHelpText('after', EXAMPLES)
    .action(async (o: Flags, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const { exportTransactions, listTargets } = await import('../../core/export.js');
      if (o.listTargets) {
        const targets = await listTargets(rt.services());
        rt.out.result({ targets }, (v) =>
          v.targets.length === 0
            ? 'no export targets yet: export with --target NAME'
            : table([['TARGET', 'FORMAT', 'SCOPE', 'LAST EXPORT', 'LINES'], ...v.targets.map((t) => [t.name, t.format, t.scope, localTime(t.exportedAt), String(t.lastCount ?? '-')])]),
        );
        return;
      }
      // stdout carries the export itself; a JSON summary needs the data to go to a file.
      if (rt.out.json && !o.output) throw badInput('--json with export needs --output FILE (stdout carries the exported data)');
      // This database's own journal accounts (config expense-account / income-account).
      const settings = o.expenseAccount && o.incomeAccount ? {} : await databaseSettings(rt, ['expense-account', 'income-account']);
      const columns = o.columns
        ?.split(',')
        .map((c) => c.trim())
        .filter(Boolean);
      const options: ExportOptions = {
        format: o.format,
        accountIds: o.account,
        connectionId: o.connection,
        from: o.from,
        to: o.to,
        output: o.output,
        target: o.target,
        full: o.full,
        byStatement: o.byStatement,
        columns,
        delimiter: o.delimiter === '\\t' ? '\t' : o.delimiter,
        decimalComma: o.decimalComma,
        changes: o.changes,
        spreadsheetSafe: o.spreadsheetSafe,
        ofxVersion: o.ofxVersion === '2' ? 2 : 1,
        qifDates: o.qifDates,
        expenseAccount: o.expenseAccount ?? settings['expense-account'],
        incomeAccount: o.incomeAccount ?? settings['income-account'],
      };
      const r = await exportTransactions(rt.services(), options, rt.io.stdout);
      if (r.count === 0) rt.out.warn(r.incremental ? `nothing new for target "${r.target}" since its last export` : 'no transactions matched; the export is empty');
      if (r.skipped > 0) rt.out.warn(`${plural(r.skipped, 'removal')} reported by the bank cannot be written in ${r.format}${r.format === 'csv' ? ' without --changes' : ''}`);
      if (r.raced) rt.out.warn(`another export of target "${r.target}" finished first; this file repeats some of its lines`);
      const what = r.incremental ? `${r.new} new, ${r.changed} changed, ${r.removed} removed` : plural(r.count, 'transaction');
      // stdout is the export's (or empty when it went to a file): what was written is a note on stderr.
      if (r.output) rt.out.summary(r, (v) => `wrote ${what} to ${v.output}`);
      else rt.out.info(`exported ${what}`);
    });
}
