import { Option, type Command } from 'commander';
import { INPUT_ISSUE_KINDS, type InputIssueKind } from '../../store/sqlite/input-issues.js';
import { localTime } from '../format.js';
import { parseAccountRef } from '../parse.js';
import type { RuntimeOf } from '../runtime.js';

export function registerWarnings(program: Command, runtimeOf: RuntimeOf): void {
  program
    .command('warnings')
    .description('lines that came in but were not taken as is: quarantined (bad date, other currency), ids reused for two lines, fuzzy merges, problems the provider reported')
    .option('--account <id>', 'only this account', parseAccountRef)
    .addOption(new Option('--kind <kind>', 'only this kind').choices([...INPUT_ISSUE_KINDS]))
    .addHelpText('after', '\nExamples:\n  $ banksync warnings\n  $ banksync warnings --account a1 --kind fuzzy-merge\n  $ banksync warnings --json | jq ".warnings[].detail"')
    .action(async (o: { account?: number; kind?: InputIssueKind }, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const { listWarnings } = await import('../../core/warnings.js');
      const rows = await listWarnings(rt.services(), { accountId: o.account, kind: o.kind });
      await rt.out.result(
        { warnings: rows },
        (v) =>
          v.warnings.length === 0
            ? 'nothing: every line that came in was taken as is'
            : v.warnings.map((r) => `${r.account} ${r.accountName} · ${r.kind} · ${localTime(r.lastSeenAt)}${r.times > 1 ? ` (seen ${r.times}×)` : ''}\n  ${r.message}`).join('\n'),
        { page: true },
      );
    });
}
