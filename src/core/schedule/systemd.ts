import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BanksyncError } from '../../domain/errors.js';
import type { Interval } from './interval.js';
import type { ScheduledJob } from './job.js';
import { runTool, said } from './tools.js';

export const UNIT = 'banksync-sync';
/** Marks the files as ours and keeps the interval as the user wrote it (status reads it back). */
export const MARKER = '# banksync-schedule every=';

export function unitDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'systemd', 'user');
}

export const unitFiles = (env: NodeJS.ProcessEnv) => ({ service: join(unitDir(env), `${UNIT}.service`), timer: join(unitDir(env), `${UNIT}.timer`) });

/** A user manager answering: `systemctl --user` works here (not in most containers, nor over plain ssh without lingering). */
export function systemdAvailable(env: NodeJS.ProcessEnv): boolean {
  return runTool(env, 'systemctl', ['--user', 'show-environment']).code === 0;
}

/**
 * One argument of ExecStart= or value of Environment=, double-quoted: backslash and quote
 * escaped, `%` doubled (systemd specifiers) and, in ExecStart, `$` doubled (variable expansion).
 */
export function systemdQuote(value: string, exec: boolean): string {
  let v = value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%');
  if (exec) v = v.replace(/\$/g, '$$$$');
  return `"${v}"`;
}

export function serviceUnit(job: ScheduledJob, every: Interval): string {
  const env = Object.entries(job.env)
    .map(([k, v]) => `Environment=${systemdQuote(`${k}=${v}`, false)}\n`)
    .join('');
  return `${MARKER}${every.text}
# Written by \`banksync schedule install\`; \`banksync schedule remove\` deletes it.
[Unit]
Description=banksync: sync the bank accounts that are due

[Service]
Type=oneshot
${env}ExecStart=${[job.node, job.script, ...job.args].map((a) => systemdQuote(a, true)).join(' ')}
`;
}

export function timerUnit(every: Interval): string {
  return `${MARKER}${every.text}
# Written by \`banksync schedule install\`; \`banksync schedule remove\` deletes it.
[Unit]
Description=banksync: sync the bank accounts that are due, every ${every.text}

[Timer]
OnCalendar=${every.onCalendar}
# Not every machine on the hour at once; a run missed while the machine was off happens at boot.
RandomizedDelaySec=15min
Persistent=true

[Install]
WantedBy=timers.target
`;
}

function systemctl(env: NodeJS.ProcessEnv, args: string[]): void {
  const r = runTool(env, 'systemctl', ['--user', ...args]);
  if (r.code !== 0) {
    throw new BanksyncError('ENVIRONMENT', `systemctl --user ${args.join(' ')} failed: ${said(r)}`, {
      hint: 'see journalctl --user -u banksync-sync; or schedule with cron: banksync schedule install --crontab',
    });
  }
}

export function installSystemd(env: NodeJS.ProcessEnv, job: ScheduledJob, every: Interval): { service: string; timer: string; replaced: boolean } {
  const files = unitFiles(env);
  const replaced = existsSync(files.timer);
  mkdirSync(unitDir(env), { recursive: true });
  writeFileSync(files.service, serviceUnit(job, every));
  writeFileSync(files.timer, timerUnit(every));
  systemctl(env, ['daemon-reload']);
  systemctl(env, ['enable', '--now', `${UNIT}.timer`]);
  // A running timer keeps its old calendar until restarted.
  if (replaced) systemctl(env, ['restart', `${UNIT}.timer`]);
  return { ...files, replaced };
}

/** Disables and deletes the timer; false when there was none. */
export function removeSystemd(env: NodeJS.ProcessEnv): { removed: string[]; warning?: string } {
  const files = unitFiles(env);
  const present = [files.timer, files.service].filter((f) => existsSync(f));
  if (present.length === 0) return { removed: [] };
  const r = runTool(env, 'systemctl', ['--user', 'disable', '--now', `${UNIT}.timer`]);
  for (const f of present) rmSync(f, { force: true });
  runTool(env, 'systemctl', ['--user', 'daemon-reload']);
  return { removed: present, ...(r.code === 0 ? {} : { warning: `systemctl --user disable --now ${UNIT}.timer: ${said(r)}` }) };
}

export function everyInFile(file: string): string | null {
  try {
    const line = readFileSync(file, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(MARKER));
    return line ? line.slice(MARKER.length).trim() : null;
  } catch {
    return null;
  }
}

export interface TimerState {
  active: boolean | null;
  lastRunAt: string | null;
  nextRunAt: string | null;
  /** The last run's exit status, when it ran. */
  lastExitCode: number | null;
}

/**
 * What systemd says of the timer: `systemctl show` is the machine-readable face of
 * `list-timers`. --timestamp=unix (systemd 248+) gives instants we can parse; older ones say
 * "Mon 2026-11-30 12:00:00 CET", shown as it is.
 */
export function timerState(env: NodeJS.ProcessEnv): TimerState {
  const props = ['ActiveState', 'LastTriggerUSec', 'NextElapseUSecRealtime'];
  let r = runTool(env, 'systemctl', ['--user', 'show', `${UNIT}.timer`, '--timestamp=unix', ...props.map((p) => `--property=${p}`)]);
  if (r.code !== 0) r = runTool(env, 'systemctl', ['--user', 'show', `${UNIT}.timer`, ...props.map((p) => `--property=${p}`)]);
  const none: TimerState = { active: null, lastRunAt: null, nextRunAt: null, lastExitCode: null };
  if (r.code !== 0) return none;
  const v = keyValues(r.stdout);
  const svc = keyValues(runTool(env, 'systemctl', ['--user', 'show', `${UNIT}.service`, '--property=ExecMainStatus', '--property=ExecMainStartTimestampMonotonic']).stdout);
  const ran = svc.ExecMainStartTimestampMonotonic !== undefined && svc.ExecMainStartTimestampMonotonic !== '0';
  return {
    active: v.ActiveState === undefined ? null : v.ActiveState === 'active',
    lastRunAt: instant(v.LastTriggerUSec),
    nextRunAt: instant(v.NextElapseUSecRealtime),
    lastExitCode: ran && svc.ExecMainStatus !== undefined && /^\d+$/.test(svc.ExecMainStatus) ? Number(svc.ExecMainStatus) : null,
  };
}

function keyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

function instant(v: string | undefined): string | null {
  if (!v || v === 'n/a' || v === '0') return null;
  const unix = /^@(\d+)$/.exec(v);
  return unix ? new Date(Number(unix[1]) * 1000).toISOString() : v;
}
