import type { Command } from 'commander';
import type { TransferLineView, TransfersList } from '../../core/transfers/manage.js';
import { table } from '../output.js';
import type { RuntimeOf } from '../runtime.js';

const leg = (l: TransferLineView) => `${l.account} ${l.date} ${l.amount.padStart(10)} ${l.currency}`;

function render(v: TransfersList): string {
  const parts: string[] = [];
  parts.push(
    v.pairs.length === 0
      ? 'no transfers between your accounts found'
      : table([['TRANSFER', 'FROM', 'TO', 'HOW', 'PAYEE', 'LINES'], ...v.pairs.map((p) => [p.id, leg(p.from), leg(p.to), p.how, p.from.payee ?? p.from.memo ?? '', `${p.from.id} ${p.to.id}`])]),
  );
  if (v.candidates.length) {
    parts.push(
      `\n${v.candidates.length} line(s) look like a transfer but have no pair (link one with: banksync transfers link LINE OTHER-LINE)\n` +
        table([
          ['LINE', 'ACCOUNT', 'DATE', 'AMOUNT', 'CUR', 'PAYEE', 'WHY', 'COULD PAIR WITH'],
          ...v.candidates.map((c) => [c.id, c.account, c.date, c.amount.padStart(10), c.currency, c.payee ?? c.memo ?? '', c.reason, c.partners.join(' ') || '-']),
        ]),
    );
  }
  return parts.join('\n');
}

export function registerTransfers(program: Command, runtimeOf: RuntimeOf): void {
  const transfers = program
    .command('transfers')
    .description('transfers between your own accounts: the pairs found (exports post each as one transaction) and lines that look like one but have no pair')
    .addHelpText(
      'after',
      '\nA pair is found after each sync and import: opposite amounts in two of your accounts, booked within\n`config transfer-days` (3) of each other, one side naming the other\'s IBAN or both texts reading like a\ntransfer (`config transfer-pattern`). Equal candidates are left unpaired rather than guessed.\n\nExamples:\n  $ banksync transfers\n  $ banksync transfers link t0a1… t9f2…\n  $ banksync transfers unlink t0a1… t9f2…\n  $ banksync transfers --json | jq ".pairs[].id"',
    )
    .action(async (_o: unknown, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const { listTransfers } = await import('../../core/transfers/manage.js');
      await rt.out.result(await listTransfers(rt.services()), render, { page: true });
    });

  transfers
    .command('link')
    .description('pair two lines as one transfer (remembered: re-syncs and re-detection keep it)')
    .argument('<line>', 'transaction id of one leg')
    .argument('<other>', 'transaction id of the other leg')
    .addHelpText('after', '\nExample:\n  $ banksync transfers link t0a1… t9f2…')
    .action(async (a: string, b: string, _o: unknown, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const { linkTransfer } = await import('../../core/transfers/manage.js');
      await rt.out.result(await linkTransfer(rt.services(), a, b), (r) =>
        [`linked ${r.from} → ${r.to} as transfer ${r.transfer}`, ...r.replaced.map((id) => `replaced the detected pair ${id}`)].join('\n'),
      );
    });

  transfers
    .command('unlink')
    .description('say two lines are not one transfer (remembered: detection never pairs them again)')
    .argument('<line>', 'transaction id of one leg')
    .argument('<other>', 'transaction id of the other leg')
    .addHelpText('after', '\nExample:\n  $ banksync transfers unlink t0a1… t9f2…')
    .action(async (a: string, b: string, _o: unknown, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const { unlinkTransfer } = await import('../../core/transfers/manage.js');
      await rt.out.result(await unlinkTransfer(rt.services(), a, b), (r) =>
        r.transfer ? `unlinked transfer ${r.transfer}; the two lines will not be paired again` : 'they were not paired; detection will not pair them',
      );
    });

  transfers
    .command('detect')
    .description('look for transfers now (sync and import do it themselves); --full forgets detected pairs and reads every line again')
    .option('--full', 'start over (links and unlinks you made stay)')
    .addHelpText('after', '\nExamples:\n  $ banksync transfers detect\n  $ banksync transfers detect --full')
    .action(async (o: { full?: boolean }, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const { detectNow } = await import('../../core/transfers/manage.js');
      await rt.out.result(await detectNow(rt.services(), !!o.full), (r) => `read ${r.scanned} line(s): ${r.paired} pair(s) made, ${r.dissolved} undone`);
    });
}
