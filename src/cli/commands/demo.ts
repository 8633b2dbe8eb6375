import { exitCodeOfOutcome } from '../exit-codes.js';
import type { Command } from 'commander';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { plural } from '../format.js';
import type { RuntimeOf } from '../runtime.js';

export function registerDemo(program: Command, runtimeOf: RuntimeOf): void {
  program
    .command('demo')
    .description('try banksync offline: connect the sandbox bank, sync it, show status and exported lines')
    .addHelpText('after', '\nExamples:\n  $ npx banksync demo\n  $ banksync --db ./try.db demo     # keep the demo database to explore')
    .action(async (_o: unknown, cmd: Command) => {
      const rt = runtimeOf(cmd);
      // Never mix the sandbox into someone's real database unless they ask for it with --db. A
      // temporary database also gets its own secret key beside it: nothing outside that directory
      // is written (no secret.key in the real config dir), and config.json is never read.
      const tempDir = !rt.flags.db && !rt.env.BANKSYNC_DB ? mkdtempSync(join(tmpdir(), 'banksync-demo-')) : undefined;
      const keyFile = tempDir && join(tempDir, 'secret.key');
      if (tempDir) {
        rt.flags.db = join(tempDir, 'demo.db');
        rt.keySource = { keyFile: keyFile! };
      }
      const s = rt.services();
      const [{ connect }, { exportTransactions }, { status }, { sync }] = await Promise.all([
        import('../../core/connect.js'),
        import('../../core/export.js'),
        import('../../core/status.js'),
        import('../../core/sync/engine.js'),
      ]);
      rt.out.info(`demo database: ${rt.dbLabel}`);
      const connection = await connect(s, { providerId: 'sandbox', institutionId: 'sandbox-bank', accounts: 'all', yes: true });
      const id = Number(connection.connection.slice(1));
      // Only this database's own settings apply (none in a temporary one), never a user preference.
      const lockDate = await s.db.settings.get('lock-date');
      const report = await sync(s, { target: { kind: 'connection', connectionId: id }, unattended: true, ...(lockDate ? { globalLockDate: lockDate } : {}) });
      const st = await status(s);
      const sink = new PassThrough();
      const chunks: Buffer[] = [];
      sink.on('data', (c: Buffer) => chunks.push(c));
      const firstAccount = Number(connection.accounts[0]!.id.slice(1));
      await exportTransactions(s, { format: 'csv', accountIds: [firstAccount] }, sink);
      const csv = Buffer.concat(chunks).toString('utf8').split('\n');
      const sample = [csv[0]!, ...csv.slice(-6, -1)];
      rt.exitCode = exitCodeOfOutcome(report.outcome);
      rt.out.result({ db: rt.dbLabel, ...(keyFile ? { secretKeyFile: keyFile } : {}), connection, sync: report, status: st, exportSample: sample }, (v) =>
        [
          `1. connected ${v.connection.connection}: ${v.connection.institution.name} with ${plural(v.connection.accounts.length, 'account')}`,
          `2. synced: ${v.sync.accounts.map((r) => `${r.account} ${r.name} +${r.newCount ?? 0}`).join(', ')}`,
          `3. status:`,
          ...v.status.connections.flatMap((c) =>
            c.accounts.map((a) => `   ${a.id} ${a.name.padEnd(14)} ${a.state.padEnd(8)} ${plural(a.transactions, 'transaction')}, ${a.pendingCount ?? 0} pending`),
          ),
          `4. last lines of: banksync export --format csv --account ${v.connection.accounts[0]!.id}`,
          ...v.exportSample.map((l) => `   ${l}`),
        ].join('\n'),
      );
      // A hint, not part of the walk-through's data: stderr, like the database line above.
      rt.out.info(`explore this database: banksync --db ${rt.dbLabel} status`);
      // Its credentials are sealed with the key beside it, not with yours.
      if (keyFile) rt.out.info(`sync it again: BANKSYNC_SECRET_KEY=$(cat ${keyFile}) banksync --db ${rt.dbLabel} sync`);
    });
}
