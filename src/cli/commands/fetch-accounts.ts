import type { Command } from 'commander';
import { plural } from '../format.js';
import { parseAccountList, parseConnectionRef } from '../parse.js';
import type { RuntimeOf } from '../runtime.js';

export function registerFetchAccounts(program: Command, runtimeOf: RuntimeOf): void {
  program
    .command('fetch-accounts')
    .description('add accounts authorized since connect; existing accounts keep their history and settings')
    .argument('<connection>', 'connection id, e.g. c1', parseConnectionRef)
    .option('--accounts <list>', '"all" (default) or comma-separated account ids of new accounts', parseAccountList)
    .addHelpText('after', '\nExamples:\n  $ banksync fetch-accounts c1')
    .action(async (connectionId: number, o: { accounts?: 'all' | string[] }, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const { fetchNewAccounts } = await import('../../core/maintain-connection.js');
      const r = await fetchNewAccounts(rt.services(), connectionId, o.accounts);
      rt.out.result(r, (v) =>
        v.added.length === 0
          ? `${v.connection}: no new accounts (${v.kept.length} kept)`
          : [`${v.connection}: added ${plural(v.added.length, 'account')}, kept ${v.kept.length}`, ...v.added.map((a) => `  ${a.id}  ${a.name} (${a.currency})`)].join('\n'),
      );
    });
}
