import type { Command } from 'commander';
import type { TargetChange } from '../../core/account-edit.js';
import { plural } from '../format.js';
import { parseAccountRef } from '../parse.js';
import type { RuntimeOf } from '../runtime.js';

/** What became of export targets that listed the account, in words. */
const targetLines = (targets: TargetChange[]) =>
  targets.map((t) => (t.change === 'deleted' ? `export target "${t.target}" exported only this account: removed` : `export target "${t.target}" now exports ${t.accounts.join(', ')}`));

/** `accounts rename|delete|merge`: the account subcommands that change or remove history. */
export function registerAccountEdits(accounts: Command, runtimeOf: RuntimeOf): void {
  accounts
    .command('rename')
    .description("change an account's name (history and transaction ids stay)")
    .argument('<account>', 'account id, e.g. a1', parseAccountRef)
    .argument('<name>', 'the new name')
    .addHelpText('after', '\nExamples:\n  $ banksync accounts rename a1 "Joint checking"')
    .action(async (id: number, name: string, _o: unknown, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const { renameAccount } = await import('../../core/account-edit.js');
      const r = await renameAccount(rt.services(), id, name);
      rt.out.result(r, (v) =>
        [
          `${v.account} renamed: "${v.previousName}" → "${v.name}"`,
          v.previousLedgerAccount
            ? `journal exports (ledger, hledger, beancount) now post it to ${v.ledgerAccount}; lines exported before stay under ${v.previousLedgerAccount} (keep that name: banksync accounts map ${v.account} ${v.previousLedgerAccount})`
            : `journal exports keep posting it to ${v.ledgerAccount}`,
        ].join('\n'),
      );
    });

  accounts
    .command('delete')
    .description('delete an account and all its transactions (on SQLite, a backup copy is kept first)')
    .argument('<account>', 'account id, e.g. a3', parseAccountRef)
    .option('--yes', 'delete without asking to type the account id')
    .addHelpText('after', '\nExamples:\n  $ banksync accounts delete a3\n  $ banksync accounts disable a3     keeps the history but stops syncing it')
    .action(async (id: number, o: { yes?: boolean }, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const { deleteAccount } = await import('../../core/account-edit.js');
      const r = await deleteAccount(rt.services(), id, o);
      rt.out.result(r, (v) =>
        [
          `${v.account} (${v.name}) deleted with ${plural(v.transactions, 'transaction')}`,
          v.backup ? `backup kept at ${v.backup} (banksync restore ${v.backup} brings it back)` : '',
          ...targetLines(v.targets),
          v.connection && v.connection.accountsLeft === 0
            ? `${v.connection.id} has no accounts left; its consent stays until: banksync disconnect ${v.connection.id} (banksync fetch-accounts ${v.connection.id} would add the account again)`
            : v.connection
              ? `banksync fetch-accounts ${v.connection.id} would add it again; banksync accounts disable stops syncing an account and keeps its history`
              : '',
        ]
          .filter(Boolean)
          .join('\n'),
      );
    });

  accounts
    .command('merge')
    .description('move the transactions of FROM into INTO (lines INTO already holds are not duplicated), then delete FROM')
    .argument('<from>', 'the account to merge and remove, e.g. a4', parseAccountRef)
    .argument('<into>', 'the account that keeps the history, e.g. a1', parseAccountRef)
    .option('--yes', 'merge without asking to type the account id')
    .addHelpText('after', '\nExamples:\n  $ banksync accounts merge a4 a1    a4 was a second copy of a1 (connected twice, or imported from a file first)')
    .action(async (from: number, into: number, o: { yes?: boolean }, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const { mergeAccounts } = await import('../../core/account-merge.js');
      const r = await mergeAccounts(rt.services(), from, into, o);
      rt.out.result(r, (v) =>
        [
          `${v.from} merged into ${v.into}: ${plural(v.moved, 'transaction')} moved, ${v.duplicates} already in ${v.into}${v.matchedByText ? ` (${v.matchedByText} matched by their text: banksync warnings --kind fuzzy-merge)` : ''}; ${v.from} removed`,
          v.backup ? `backup kept at ${v.backup} (banksync restore ${v.backup} brings it back)` : '',
          ...targetLines(v.targets),
          v.connection && v.connection.accountsLeft === 0 ? `${v.connection.id} has no accounts left; its consent stays until: banksync disconnect ${v.connection.id}` : '',
        ]
          .filter(Boolean)
          .join('\n'),
      );
    });
}
