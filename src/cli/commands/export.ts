import type { Command } from 'commander';
import { exportTransactions } from '../../core/export.js';
import { badInput } from '../../core/errors.js';
import { collectAccountRefs, parseConnectionRef, parseDate } from '../parse.js';
import type { RuntimeOf } from '../program.js';

export function registerExport(program: Command, runtimeOf: RuntimeOf): void {
  program
    .command('export')
    .description('write booked transactions for other tools (CSV); stdout by default')
    .requiredOption('--format <format>', 'csv')
    .option('--account <id>', 'only these accounts (repeatable or a1,a2)', collectAccountRefs)
    .option('--connection <id>', 'only the accounts of this connection', parseConnectionRef)
    .option('--from <date>', 'booking date from (YYYY-MM-DD)', parseDate)
    .option('--to <date>', 'booking date to (YYYY-MM-DD)', parseDate)
    .option('-o, --output <file>', 'write to this file atomically instead of stdout')
    .addHelpText('after', '\nExamples:\n  $ banksync export --format csv --account a1 > checking.csv\n  $ banksync export --format csv --from 2026-01-01 --output 2026.csv')
    .action(async (o: { format: string; account?: number[]; connection?: number; from?: string; to?: string; output?: string }, cmd: Command) => {
      const rt = runtimeOf(cmd);
      // stdout carries the export itself; a JSON summary needs the data to go to a file.
      if (rt.out.json && !o.output) throw badInput('--json with export needs --output FILE (stdout carries the exported data)');
      const r = await exportTransactions(rt.services(), { format: o.format, accountIds: o.account, connectionId: o.connection, from: o.from, to: o.to, output: o.output }, process.stdout);
      if (r.count === 0) rt.out.warn('no transactions matched; the export is empty');
      if (r.output) rt.out.result(r, () => (rt.out.quiet ? '' : `wrote ${r.count} transaction(s) to ${r.output}`));
      else rt.out.info(`exported ${r.count} transaction(s)`);
    });
}
