import type { Command } from 'commander';
import { listStatements } from '../../core/statements.js';
import { formatMinor } from '../../domain/money.js';
import { table } from '../output.js';
import { collectAccountRefs } from '../parse.js';
import type { RuntimeOf } from '../runtime.js';

export function registerStatements(program: Command, runtimeOf: RuntimeOf): void {
  program
    .command('statements')
    .description("booked lines grouped by each account's statement period, with opening and closing balances")
    .option('--account <id>', 'only these accounts (repeatable or a1,a2)', collectAccountRefs)
    .addHelpText('after', '\nExamples:\n  $ banksync statements --account a1\n  $ banksync accounts set a1 --period week && banksync statements --account a1')
    .action(async (o: { account?: number[] }, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const rows = await listStatements(rt.services(), o.account);
      const money = (v: number | null, cur: string) => (v === null ? '?' : formatMinor(v, cur));
      await rt.out.result(
        { statements: rows },
        ({ statements }) =>
          statements.length === 0
            ? 'no statements yet: sync first'
            : table([
                ['ACCOUNT', 'PERIOD', 'FROM', 'TO', 'LINES', 'OPENING', 'CLOSING', 'CUR'],
                ...statements.map((r) => [
                  r.account,
                  r.period,
                  r.start,
                  r.end,
                  String(r.count),
                  money(r.openingMinor, r.currency).padStart(12),
                  money(r.closingMinor, r.currency).padStart(12),
                  r.currency,
                ]),
              ]),
        { page: true },
      );
    });
}
