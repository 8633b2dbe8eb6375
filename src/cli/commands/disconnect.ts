import type { Command } from 'commander';
import { badInput } from '../../domain/errors.js';
import { plural } from '../format.js';
import { parseConnectionRef } from '../parse.js';
import type { RuntimeOf } from '../runtime.js';

export function registerDisconnect(program: Command, runtimeOf: RuntimeOf): void {
  program
    .command('disconnect')
    .description("revoke a connection's consent at the provider and remove its credentials; keep or delete its history")
    .argument('<connection>', 'connection id, e.g. c1', parseConnectionRef)
    .option('--keep-history', 'keep accounts and transactions (sync stops)')
    .option('--delete-history', 'delete the accounts and all their transactions (asks to type the connection id; a backup copy is kept first)')
    .option('--yes', 'with --delete-history: delete without asking to type the connection id')
    .addHelpText('after', '\nExamples:\n  $ banksync disconnect c1 --keep-history\n  $ banksync disconnect c2 --delete-history --yes')
    .action(async (connectionId: number, o: { keepHistory?: boolean; deleteHistory?: boolean; yes?: boolean }, cmd: Command) => {
      const rt = runtimeOf(cmd);
      if (o.keepHistory && o.deleteHistory) throw badInput('choose one of --keep-history and --delete-history');
      const history = o.keepHistory ? 'keep' : o.deleteHistory ? 'delete' : undefined;
      const { disconnect } = await import('../../core/maintain-connection.js');
      const r = await disconnect(rt.services(), connectionId, { history, yes: o.yes });
      rt.out.result(r, (v) =>
        [
          (v.history === 'kept'
            ? `${v.connection} disconnected; credentials removed, ${plural(v.accounts, 'account')} and ${plural(v.transactions, 'transaction')} kept`
            : `${v.connection} removed with ${plural(v.accounts, 'account')} and ${plural(v.transactions, 'transaction')}`) + (v.revoked === 'revoked' ? '; consent revoked at the provider' : ''),
          v.backup ? `backup kept at ${v.backup} (banksync restore ${v.backup} brings it back)` : '',
          ...v.targets.map((t) => (t.change === 'deleted' ? `export target "${t.target}" had nothing left to export: removed` : `export target "${t.target}" now exports ${t.accounts.join(', ')}`)),
        ]
          .filter(Boolean)
          .join('\n'),
      );
    });
}
