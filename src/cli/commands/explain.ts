import type { Command } from 'commander';
import type { RuntimeOf } from '../runtime.js';

export function registerExplain(program: Command, runtimeOf: RuntimeOf): void {
  program
    .command('explain')
    .description('where a line came from, how dedupe matched it (rung, candidates), pending lines, corrections and decisions')
    .argument('<txn-id>', 'a transaction id, e.g. t025149c53ae166a19b804bd4')
    .addHelpText('after', '\nExamples:\n  $ banksync explain t025149c53ae166a19b804bd4\n  $ banksync explain t025149c53ae166a19b804bd4 --json | jq .merged')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const [{ explainLine }, { explainText }] = await Promise.all([import('../../core/explain.js'), import('../explain-text.js')]);
      await rt.out.result(await explainLine(rt.services(), id), explainText, { page: true });
    });

  program
    .command('unmerge')
    .description('undo a fuzzy merge: the observation taken as this line becomes its own line again, and is never merged into it again')
    .argument('<txn-id>', 'the line something was merged into')
    .option('--source <ref>', 'which merged observation (oN, as `explain` lists them) when there are several')
    .addHelpText('after', '\nExamples:\n  $ banksync unmerge t025149c53ae166a19b804bd4\n  $ banksync unmerge t025149c53ae166a19b804bd4 --source o12')
    .action(async (id: string, o: { source?: string }, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const { unmergeLine } = await import('../../core/explain-unmerge.js');
      const r = await unmergeLine(rt.services(), id, o);
      rt.out.result(r, (v) => `${v.ref} (${v.source}${v.record ? ` ${v.record}` : ''}) is its own line again: ${v.line}; ${v.from} stays, and the two are no longer merged`);
    });
}
