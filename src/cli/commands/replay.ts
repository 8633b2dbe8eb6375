import type { Command } from 'commander';
import type { ReplayOptions, ReplayReport } from '../../core/replay.js';
import { plural } from '../format.js';
import { parseAccountRef, parseDate } from '../parse.js';
import type { RuntimeOf } from '../runtime.js';

export interface ReplayFlags {
  account?: number[];
  from?: string;
  into?: string;
}

/** argv → what core/replay receives. */
export function replayOptions(o: ReplayFlags): ReplayOptions {
  return { ...(o.account?.length ? { accountIds: o.account } : {}), ...(o.from ? { from: o.from } : {}), ...(o.into ? { into: o.into } : {}) };
}

export function registerReplay(program: Command, runtimeOf: RuntimeOf): void {
  program
    .command('replay')
    .description("rebuild lines, pending links, balances and coverage from the raw archive with this version's mapping: no network, no quota")
    .option('--account <id>', 'only this account (repeatable), e.g. a2', (v: string, prev: number[] = []) => [...prev, parseAccountRef(v)])
    .option('--from <date>', 'only lines booked from this date on (YYYY-MM-DD)', parseDate)
    .option('--into <file>', 'write the rebuilt database to this new file; the books stay as they are')
    .addHelpText(
      'after',
      '\nExamples:\n  $ banksync replay --into /tmp/rebuilt.db   # compare before trusting it\n  $ banksync replay --account a2 --from 2026-01-01\n  $ banksync replay                          # in place, after an upgrade',
    )
    .action(async (o: ReplayFlags, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const { replay } = await import('../../core/replay.js');
      const r = await replay(rt.services(), replayOptions(o));
      for (const f of r.failures) rt.out.warn(`the fetch of ${f.fetchedAt} (${f.accounts.join(', ')}) failed again: ${f.message}; its whole pages were kept, as the sync kept them`);
      rt.out.result(r, summary);
    });
}

function summary(r: ReplayReport): string {
  const head = `replayed ${plural(r.fetches, 'archived fetch', 'archived fetches')} for ${r.accounts.join(', ')} (${plural(r.answeredFromArchive, 'request')} answered from the archive, none sent)`;
  const where = r.into
    ? `rebuilt database written to ${r.into}`
    : `books rebuilt in place: ${plural(r.changes!.added, 'line')} added, ${plural(r.changes!.corrected, 'line')} corrected, ${plural(r.changes!.removed, 'line')} removed`;
  const totals = r.totals.map((t) => `  ${t.account}: ${plural(t.lines, 'line')}, ${t.pending} pending`);
  return [head, where, ...totals].join('\n');
}
