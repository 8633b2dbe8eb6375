import type { Command } from 'commander';
import { listTransactions } from '../../core/transactions.js';
import { table } from '../output.js';
import { collectAccountRefs, parseDate, parsePositiveInt } from '../parse.js';
import type { RuntimeOf } from '../program.js';

export function registerTransactions(program: Command, runtimeOf: RuntimeOf): void {
  program
    .command('transactions')
    .description('show stored booked transactions (or pending lines with --pending)')
    .option('--account <id>', 'only these accounts (repeatable or a1,a2)', collectAccountRefs)
    .option('--from <date>', 'booking date from (YYYY-MM-DD)', parseDate)
    .option('--to <date>', 'booking date to (YYYY-MM-DD)', parseDate)
    .option('--pending', 'pending lines: still pending, booked (with the booked id) or vanished')
    .option('--limit <n>', 'only the last n lines', parsePositiveInt)
    .addHelpText('after', '\nExamples:\n  $ banksync transactions --account a1 --from 2026-11-01\n  $ banksync transactions --pending')
    .action(async (o: { account?: number[]; from?: string; to?: string; pending?: boolean; limit?: number }, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const rows = listTransactions(rt.services(), { accountIds: o.account, from: o.from, to: o.to, pending: !!o.pending, limit: o.limit });
      await rt.out.result({ transactions: rows }, ({ transactions }) => {
        if (transactions.length === 0) return o.pending ? 'no pending lines' : 'no transactions';
        const head = o.pending ? ['ACCOUNT', 'DATE', 'AMOUNT', 'CUR', 'PAYEE', 'STATUS', 'BOOKED AS'] : ['ACCOUNT', 'DATE', 'AMOUNT', 'CUR', 'PAYEE', 'MEMO', 'ID'];
        return table([
          head,
          ...transactions.map((r) =>
            o.pending
              ? [r.account, r.date, r.amount.padStart(10), r.currency, r.payee ?? '', r.status, r.bookedAs ?? '']
              : [r.account, r.date, r.amount.padStart(10), r.currency, r.payee ?? '', r.memo ?? '', r.id ?? ''],
          ),
        ]);
      }, { page: true });
    });
}
