import { badInput } from '../../domain/errors.js';
import type { Command } from 'commander';
import { join } from 'node:path';
import { plural } from '../format.js';
import type { RuntimeOf } from '../runtime.js';
import { createPrompts } from '../prompts.js';

export function registerRestore(program: Command, runtimeOf: RuntimeOf): void {
  program
    .command('restore')
    .description('replace the database with a backup copy (checked first); the current file is kept aside')
    .argument('<file>', 'a file written by `banksync backup`, or a copy kept beside the database')
    .option('--yes', 'replace without asking')
    .addHelpText(
      'after',
      '\nExamples:\n  $ banksync restore ~/backups/banksync-2026-11-30.db\n\nThe stored credentials open only with the secret key they were sealed with: on another\nmachine, set BANKSYNC_SECRET_KEY or copy secret.key from the old one.',
    )
    .action(async (file: string, o: { yes?: boolean }, cmd: Command) => {
      const rt = runtimeOf(cmd);
      if (rt.onPostgres) {
        throw badInput(`restore replaces an SQLite file; this database is on PostgreSQL (${rt.dbLabel})`, "restore a PostgreSQL database with the server's own tools: pg_restore, or psql < DUMP");
      }
      const { restoreDatabase } = await import('../../core/restore.js');
      // Never through rt.services(): that would open (and migrate) the database being replaced, which may be corrupt.
      const r = await restoreDatabase(createPrompts(rt.interactive, rt.io.stderr), {
        file,
        dbPath: rt.dbPath,
        keySource: { envKey: rt.env.BANKSYNC_SECRET_KEY, keyFile: join(rt.configDir, 'secret.key') },
        yes: !!o.yes,
        createDirs: !rt.flags.db && !rt.env.BANKSYNC_DB,
      });
      if (r.secrets.message) rt.out.warn(r.secrets.message);
      rt.out.result(r, (v) =>
        [`restored ${v.database} from ${v.restored} (${plural(v.accounts, 'account')}, ${plural(v.transactions, 'transaction')})`, v.previous ? `the replaced database is kept at ${v.previous}` : '']
          .filter(Boolean)
          .join('\n'),
      );
    });
}
