import type { Command } from 'commander';
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ScheduleStatus } from '../../core/schedule.js';
import { localTime } from '../format.js';
import type { RuntimeOf } from '../runtime.js';
import type { Runtime } from '../runtime.js';

interface InstallFlags {
  every?: string;
  crontab?: boolean;
}

export function registerSchedule(program: Command, runtimeOf: RuntimeOf): void {
  const schedule = program
    .command('schedule')
    .description('run `sync --all --due --quiet` unattended: a systemd user timer, or a crontab line')
    .addHelpText(
      'after',
      '\nExamples:\n  $ banksync schedule install               # every 12h\n  $ banksync schedule install --every 6h\n  $ banksync schedule install --crontab     # no systemd: add the line to your crontab\n  $ banksync schedule status\n  $ banksync schedule remove',
    );

  schedule
    .command('install')
    .description('write and enable a systemd user timer where systemd runs, else print a crontab line')
    .option('--every <interval>', 'how often: 1h 2h 3h 4h 6h 8h 12h 24h, or 1d to 7d (default 12h); only what is due is synced')
    .option('--crontab', 'use cron: add the line to your crontab (other lines are kept)')
    .action(async (o: InstallFlags, cmd: Command) => install(runtimeOf(cmd), o));

  schedule
    .command('remove')
    .description('disable and delete the timer, or remove the crontab line banksync added')
    .action(async (_o: unknown, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const { removeSystemd, removeCron } = await import('../../core/schedule.js');
      const systemd = removeSystemd(rt.env);
      if (systemd.warning) rt.out.warn(systemd.warning);
      const cronLines = removeCron(rt.env);
      rt.out.result({ removed: systemd.removed, cronLines }, (v) => {
        const said = [
          ...(v.removed.length ? [`disabled the systemd timer and deleted ${v.removed.join(' and ')}`] : []),
          ...(v.cronLines.length ? ['removed the banksync line from your crontab'] : []),
        ];
        return said.length ? said.join('\n') : 'nothing was scheduled';
      });
    });

  schedule
    .command('status')
    .description('whether unattended sync is scheduled, how often, its last and next run')
    .action(async (_o: unknown, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const { scheduleStatus } = await import('../../core/schedule.js');
      rt.out.result(await scheduleStatus(rt.env), statusText);
    });
}

async function install(rt: Runtime, o: InstallFlags): Promise<void> {
  const s = await import('../../core/schedule.js');
  const every = s.parseEvery(o.every ?? s.DEFAULT_EVERY);
  // The node running now and this very script: neither systemd nor cron has the user's PATH (or nvm).
  const job = s.scheduledJob({ node: process.execPath, script: realpathSync(resolve(rt.io.argv[1]!)), db: rt.flags.db, env: rt.env });
  if (rt.env.BANKSYNC_SECRET_KEY) {
    rt.out.warn(
      'BANKSYNC_SECRET_KEY is set here but is not written into the schedule (a secret never goes into a file): the scheduled run reads secret.key in the config directory, or give the timer the key yourself',
    );
  }
  const before = await s.scheduleStatus(rt.env);
  const useSystemd = !o.crontab && s.systemdAvailable(rt.env);
  // Two schedules would sync twice as often as asked, and remove would leave one behind unnoticed.
  if (before.installed && before.via !== (useSystemd ? 'systemd' : 'cron')) {
    rt.out.warn(`a ${before.via === 'systemd' ? 'systemd timer' : 'crontab line'} for banksync is installed too: banksync schedule remove removes both, then install again`);
  }
  if (useSystemd) {
    const done = s.installSystemd(rt.env, job, every);
    rt.out.result({ installed: true, via: 'systemd', every: every.text, files: [done.service, done.timer], replaced: done.replaced }, (v) =>
      [
        `${v.replaced ? 'updated' : 'installed'} the systemd user timer banksync-sync.timer: sync --all --due --quiet every ${v.every}`,
        ...v.files.map((f) => `  ${f}`),
        'check it: banksync schedule status; its output: journalctl --user -u banksync-sync',
        'it runs while you are logged in; to run it also when you are not: loginctl enable-linger',
      ].join('\n'),
    );
    return;
  }
  const line = s.cronLine(job, every, Math.floor(Math.random() * 60));
  if (o.crontab) {
    const done = s.installCron(rt.env, line);
    rt.out.result(
      { installed: true, via: 'cron', every: every.text, cronLine: line, replaced: done.replaced },
      (v) => `${v.replaced ? 'replaced the banksync line in' : 'added to'} your crontab (your other lines are kept):\n${v.cronLine}`,
    );
    return;
  }
  // Not edited silently: the crontab is the user's; the line is the data, how to add it goes to stderr.
  rt.out.info('systemd user timers are not available here (systemctl --user does not answer). Add this line to your crontab with `crontab -e`,');
  rt.out.info('or let banksync add it, keeping your other lines: banksync schedule install --crontab');
  rt.out.result({ installed: false, via: 'cron', every: every.text, cronLine: line }, (v) => v.cronLine);
}

function statusText(v: ScheduleStatus): string {
  if (!v.installed) return v.detail;
  const when = (iso: string | null | undefined) => (iso && /^\d{4}-\d\d-\d\dT/.test(iso) ? localTime(iso) : (iso ?? '-'));
  const lines = [`scheduled: ${v.detail}`];
  if (v.via === 'systemd') {
    if (v.lastRunAt !== undefined) lines.push(`last run:  ${when(v.lastRunAt)}${v.lastExitCode != null ? ` (exit ${v.lastExitCode})` : ''}`);
    if (v.nextRunAt !== undefined) lines.push(`next run:  ${when(v.nextRunAt)}`);
    for (const f of v.files ?? []) lines.push(`file:      ${f}`);
  }
  if (v.cronLine) lines.push(`line:      ${v.cronLine}`);
  return lines.join('\n');
}
