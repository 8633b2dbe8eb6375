import type { Command } from 'commander';
import { badInput } from '../../core/errors.js';
import { parseConnectionRef } from '../parse.js';
import type { RuntimeOf } from '../program.js';

export function registerDisconnect(program: Command, runtimeOf: RuntimeOf): void {
  program
    .command('disconnect')
    .description("revoke a connection's consent at the provider and remove its credentials; keep or delete its history")
    .argument('<connection>', 'connection id, e.g. c1', parseConnectionRef)
    .option('--keep-history', 'keep accounts and transactions (sync stops)')
    .option('--delete-history', 'delete the accounts and all their transactions')
    .addHelpText('after', '\nExamples:\n  $ banksync disconnect c1 --keep-history')
    .action(async (connectionId: number, o: { keepHistory?: boolean; deleteHistory?: boolean }, cmd: Command) => {
      const rt = runtimeOf(cmd);
      if (o.keepHistory && o.deleteHistory) throw badInput('choose one of --keep-history and --delete-history');
      const history = o.keepHistory ? 'keep' : o.deleteHistory ? 'delete' : undefined;
      const { disconnect } = await import('../../core/maintain-connection.js');
      const r = await disconnect(rt.services(), connectionId, { history });
      rt.out.result(r, (v) =>
        (v.history === 'kept'
          ? `${v.connection} disconnected; credentials removed, ${v.accounts} account(s) and ${v.transactions} transaction(s) kept`
          : `${v.connection} removed with ${v.accounts} account(s) and ${v.transactions} transaction(s)`) + (v.revoked === 'revoked' ? '; consent revoked at the provider' : ''),
      );
    });
}
