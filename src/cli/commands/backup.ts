import type { Command } from 'commander';
import { badInput } from '../../domain/errors.js';
import type { RuntimeOf } from '../runtime.js';

export function registerBackup(program: Command, runtimeOf: RuntimeOf): void {
  program
    .command('backup')
    .description('copy the database to FILE, consistent even while a sync runs (credentials stay sealed with your secret key)')
    .argument('<file>', 'where to write the copy (a new file)')
    .option('--force', 'replace FILE if it exists')
    .addHelpText('after', '\nExamples:\n  $ banksync backup ~/backups/banksync-$(date +%F).db\n  $ banksync restore ~/backups/banksync-2026-11-30.db')
    .action(async (file: string, o: { force?: boolean }, cmd: Command) => {
      const rt = runtimeOf(cmd);
      if (file === '-') throw badInput('backup writes a file, not standard output', 'give a file name');
      const { backupDatabase } = await import('../../core/backup.js');
      const r = await backupDatabase(rt.services().db, file, { overwrite: !!o.force });
      rt.out.result(r, (v) => v.path);
    });
}
