import type { Command } from 'commander';
import type { SyncReport } from '../../core/sync/engine.js';
import { parsePositiveInt } from '../parse.js';
import { plural } from '../format.js';
import { concurrency, readPreferences } from '../preferences.js';
import type { RuntimeOf } from '../runtime.js';
import { databaseSettings } from '../settings.js';

const EXAMPLES = `
Examples:
  $ BANKSYNC_DB=postgres://banksync@db/banksync banksync worker                 # one per host, under systemd
  $ banksync worker --concurrency 8       # up to 8 connections at a time in this worker
  $ banksync worker --once --quiet        # one round, then exit (cron)

Several workers on several hosts share one PostgreSQL database: each connection is synced by one
of them at a time, and a stopped worker's connections are taken over once its claims lapse
(2 minutes). SIGTERM (systemd stop) finishes the round under way, then exits 0; a second one
stops at once.`;

interface WorkerFlags {
  concurrency?: number;
  retryMinutes?: number;
  idleSeconds?: number;
  once?: boolean;
}

export function registerWorker(program: Command, runtimeOf: RuntimeOf): void {
  program
    .command('worker')
    .description('sync due connections in a loop, sharing the work with other workers on the same database')
    .option('--concurrency <n>', 'connections synced at once by this worker (default 4)', concurrency)
    .option('--retry-minutes <n>', 'how long an account whose sync failed waits before this worker tries again (default 30)', parsePositiveInt)
    .option('--idle-seconds <n>', 'the longest sleep between rounds (default 60)', parsePositiveInt)
    .option('--once', 'one round, then exit')
    .addHelpText('after', EXAMPLES)
    .action(async (o: WorkerFlags, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const prefs = await readPreferences(rt.configDir);
      const settings = await databaseSettings(rt, ['lock-date', 'archive-days']);
      const { runWorker } = await import('../../core/worker.js');
      let stop = false;
      let wake: (() => void) | undefined;
      // The first SIGTERM or Ctrl-C lets the round under way finish (run.ts); a second one stops at once.
      rt.finishBeforeStopping = () => {
        stop = true;
        wake?.();
        rt.out.info('stopping after this round…');
        return true;
      };
      const s = rt.services();
      const summary = await runWorker(
        s,
        {
          connectionsAtOnce: o.concurrency ?? 4,
          retryAfterMs: (o.retryMinutes ?? 30) * 60_000,
          maxIdleMs: (o.idleSeconds ?? 60) * 1_000,
          once: !!o.once,
          overlapDays: prefs['overlap-days'],
          globalLockDate: settings['lock-date'],
          ...(settings['archive-days'] !== undefined ? { archiveDays: Number(settings['archive-days']) } : {}),
          concurrency: prefs.concurrency,
          consentWarnDays: prefs['consent-warn-days'],
        },
        {
          stopping: () => stop,
          sleep: (ms) =>
            new Promise<void>((done) => {
              const timer = setTimeout(done, ms);
              wake = () => {
                clearTimeout(timer);
                done();
              };
            }),
          round: (report) => rt.out.info(roundLine(report)),
        },
      );
      rt.out.result(summary, (v) => (rt.out.quiet ? '' : `worker stopped after ${plural(v.rounds, 'round')}: ${plural(v.synced, 'account')} synced, ${v.failed} failed`));
    });
}

function roundLine(r: SyncReport): string {
  const count = (kind: string) => r.accounts.filter((a) => a.result === kind).length;
  const connections = new Set(r.accounts.filter((a) => a.result !== 'skipped').map((a) => a.connection)).size;
  return `${new Date().toISOString()} ${plural(connections, 'connection')}: ${count('synced')} synced, ${count('deferred')} deferred, ${count('failed')} failed, ${count('busy')} busy`;
}
