import type { Command } from 'commander';
import { listTransactions } from '../../core/transactions.js';
import { badInput } from '../../domain/errors.js';
import { table } from '../output.js';
import { collectAccountRefs, parseDate, parsePositiveInt } from '../parse.js';
import type { RuntimeOf } from '../runtime.js';

export function registerTransactions(program: Command, runtimeOf: RuntimeOf): void {
  const transactions = program
    .command('transactions')
    .description('show stored booked transactions (or pending lines with --pending, ignored ones with --ignored); ignore or unignore a line')
    .option('--account <id>', 'only these accounts (repeatable or a1,a2)', collectAccountRefs)
    .option('--from <date>', 'booking date from (YYYY-MM-DD)', parseDate)
    .option('--to <date>', 'booking date to (YYYY-MM-DD)', parseDate)
    .option('--pending', 'pending lines: still pending, booked (with the booked id) or vanished')
    .option('--ignored', 'only the lines hidden with `transactions ignore`, with their reasons')
    .option('--limit <n>', 'only the last n lines', parsePositiveInt)
    .addHelpText('after', '\nExamples:\n  $ banksync transactions --account a1 --from 2026-11-01\n  $ banksync transactions --pending\n  $ banksync transactions --ignored')
    .action(async (o: { account?: number[]; from?: string; to?: string; pending?: boolean; ignored?: boolean; limit?: number }, cmd: Command) => {
      const rt = runtimeOf(cmd);
      if (o.pending && o.ignored) throw badInput('give --pending or --ignored, not both');
      const rows = await listTransactions(rt.services(), { accountIds: o.account, from: o.from, to: o.to, pending: !!o.pending, ignored: !!o.ignored, limit: o.limit });
      await rt.out.result(
        { transactions: rows },
        ({ transactions }) => {
          if (transactions.length === 0) return o.pending ? 'no pending lines' : o.ignored ? 'no ignored lines' : 'no transactions';
          const head = o.pending ? ['ACCOUNT', 'DATE', 'AMOUNT', 'CUR', 'PAYEE', 'STATUS', 'BOOKED AS'] : ['ACCOUNT', 'DATE', 'AMOUNT', 'CUR', 'PAYEE', o.ignored ? 'REASON' : 'MEMO', 'ID'];
          return table([
            head,
            ...transactions.map((r) =>
              o.pending
                ? [r.account, r.date, r.amount.padStart(10), r.currency, r.payee ?? '', r.status, r.bookedAs ?? '']
                : [r.account, r.date, r.amount.padStart(10), r.currency, r.payee ?? '', (o.ignored ? r.ignored?.reason : r.memo) ?? '', r.id ?? ''],
            ),
          ]);
        },
        { page: true },
      );
    });

  transactions
    .command('ignore')
    .description('hide a line from every export, for good: it stays hidden after any re-fetch or re-import (a tombstone with a reason)')
    .argument('<txn-id>', 'a transaction id, e.g. t025149c53ae166a19b804bd4')
    .option('--reason <text>', 'why (shown by `transactions --ignored` and `explain`)')
    .addHelpText('after', '\nExamples:\n  $ banksync transactions ignore t025149c53ae166a19b804bd4 --reason "bank booked it twice"')
    .action(async (id: string, o: { reason?: string }, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const { setIgnored } = await import('../../core/explain-ignore.js');
      const r = await setIgnored(rt.services(), id, true, o.reason);
      rt.out.result(r, (v) => (v.changed ? `${v.id} is ignored: no export shows it` : `${v.id} was already ignored`) + (v.reason ? ` (${v.reason})` : ''));
    });

  transactions
    .command('unignore')
    .description('show an ignored line in exports again')
    .argument('<txn-id>', 'a transaction id')
    .addHelpText('after', '\nExamples:\n  $ banksync transactions unignore t025149c53ae166a19b804bd4')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const { setIgnored } = await import('../../core/explain-ignore.js');
      const r = await setIgnored(rt.services(), id, false);
      rt.out.result(r, (v) => (v.changed ? `${v.id} is no longer ignored: exports show it again` : `${v.id} was not ignored`));
    });
}
