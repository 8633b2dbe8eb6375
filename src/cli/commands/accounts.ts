import type { Command } from 'commander';
import { listAccounts, mapLedgerAccount, updateAccount, type AccountRow } from '../../core/accounts.js';
import { badInput } from '../../domain/errors.js';
import { maskIban, type StatementPeriod } from '../../domain/model.js';
import { table } from '../output.js';
import { parseAccountRef, parseDate, parsePeriod, parsePositiveInt } from '../parse.js';
import type { RuntimeOf } from '../runtime.js';
import type { Runtime } from '../runtime.js';
import { registerAccountEdits } from './account-edits.js';

/** `page`: the full list may be long; the one or two rows a change shows are not. */
function render(rt: Runtime, rows: AccountRow[], page = false): Promise<void> {
  return rt.out.result(
    { accounts: rows },
    ({ accounts }) =>
      accounts.length === 0
        ? 'no accounts yet: run `banksync connect`'
        : table([
            ['ID', 'CONN', 'INSTITUTION', 'NAME', 'IBAN', 'CUR', 'KIND', 'SYNC', 'PERIOD', 'LOCK', 'TXNS'],
            ...accounts.map((r) => [
              r.id,
              r.connection ?? '-',
              r.institution,
              r.name,
              r.iban ? maskIban(r.iban) : '-',
              r.currency,
              r.kind,
              syncColumn(r),
              r.statementPeriod,
              r.lockDate ?? '-',
              String(r.transactions),
            ]),
          ]),
    { page },
  );
}

/** Only an account its bank syncs has an interval; the others say where their lines come from. */
const syncColumn = (r: AccountRow) => (r.sync === 'file' ? 'file' : r.sync === 'not_syncing' ? 'not syncing' : r.enabled ? `every ${r.syncIntervalHours}h` : 'off');

export function registerAccounts(program: Command, runtimeOf: RuntimeOf): void {
  const accounts = program
    .command('accounts')
    .description('list accounts; switch sync on/off; set statement period, lock date, sync interval; map to ledger accounts; rename, delete, merge')
    .addHelpText('after', '\nExamples:\n  $ banksync accounts\n  $ banksync accounts disable a4\n  $ banksync accounts set a1 --period week --lock-date 2025-01-01')
    .action(async (_o: unknown, cmd: Command) => render(runtimeOf(cmd), await listAccounts(runtimeOf(cmd).services()), true));

  for (const [name, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    accounts
      .command(name)
      .description(`switch syncing ${enabled ? 'on' : 'off'} for accounts (history is kept)`)
      .argument('<accounts...>', 'account ids, e.g. a1 a2')
      .action(async (ids: string[], _o: unknown, cmd: Command) => {
        const rt = runtimeOf(cmd);
        const refs = ids.map((v) => parseAccountRef(v));
        // One after another, as given: an unknown id stops the run with the ones before it done.
        const rows: AccountRow[] = [];
        for (const id of refs) rows.push(await updateAccount(rt.services(), id, { enabled }));
        await render(rt, rows);
      });
  }

  accounts
    .command('set')
    .description("change an account's settings")
    .argument('<account>', 'account id, e.g. a1', parseAccountRef)
    .option('--period <p>', 'statement period: day, week, fortnight, month, none', parsePeriod)
    .option('--lock-date <date>', 'never fetch before this date (YYYY-MM-DD)', parseDate)
    .option('--no-lock-date', 'remove the lock date')
    .option('--interval <hours>', 'sync interval for `sync --all --due` (default 12)', parsePositiveInt)
    .action(async (id: number, o: { period?: StatementPeriod; lockDate?: string | false; interval?: number }, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const settings = { statementPeriod: o.period, lockDate: o.lockDate === false ? null : o.lockDate, syncIntervalHours: o.interval };
      if (Object.values(settings).every((v) => v === undefined)) throw badInput('nothing to set', 'give --period, --lock-date, --no-lock-date or --interval');
      await render(rt, [await updateAccount(rt.services(), id, settings)]);
    });

  accounts
    .command('map')
    .description('name the ledger account used for this account in ledger/hledger/beancount exports')
    .argument('<account>', 'account id, e.g. a1', parseAccountRef)
    .argument('[ledger-account]', 'e.g. "Assets:Bank:Checking"')
    .option('--reset', 'go back to the name derived from institution and account name')
    .addHelpText('after', '\nExamples:\n  $ banksync accounts map a1 Assets:Bank:Checking\n  $ banksync accounts map a1 --reset')
    .action(async (id: number, name: string | undefined, o: { reset?: boolean }, cmd: Command) => {
      const rt = runtimeOf(cmd);
      if (!!o.reset === (name !== undefined)) throw badInput('give either a ledger account name or --reset');
      const row = await mapLedgerAccount(rt.services(), id, o.reset ? null : name!);
      await rt.out.result({ accounts: [row] }, ({ accounts: [v] }) => `${v!.id} → ${v!.ledgerAccount}`);
    });

  registerAccountEdits(accounts, runtimeOf);
}
