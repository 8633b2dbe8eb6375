import type { Command } from 'commander';
import { parseAccountList, parseConnectionRef } from '../parse.js';
import type { RuntimeOf } from '../program.js';

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
      rt.out.result(r, () =>
        r.added.length === 0
          ? `${r.connection}: no new accounts (${r.kept.length} kept)`
          : [`${r.connection}: added ${r.added.length} account(s), kept ${r.kept.length}`, ...r.added.map((a) => `  ${a.id}  ${a.name} (${a.currency})`)].join('\n'),
      );
    });
}
