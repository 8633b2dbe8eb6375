import { BanksyncError } from '../../domain/errors.js';
import type { Interval } from './interval.js';
import type { ScheduledJob } from './job.js';
import { MARKER } from './systemd.js';
import { runTool, said } from './tools.js';

/** For sh: single quotes, a quote inside closed and reopened; `%` escaped, or cron makes it a newline. */
export function shQuote(value: string): string {
  const q = /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
  return q.replace(/%/g, '\\%');
}

/** One crontab line with absolute paths (cron's PATH is /usr/bin:/bin), tagged so remove and status find it. */
export function cronLine(job: ScheduledJob, every: Interval, minute: number): string {
  const env = Object.entries(job.env)
    .map(([k, v]) => `${k}=${shQuote(v)} `)
    .join('');
  return `${every.cron(minute)} ${env}${[job.node, job.script, ...job.args].map(shQuote).join(' ')} ${MARKER}${every.text}`;
}

export const isOurLine = (line: string) => line.includes(MARKER) && !line.trimStart().startsWith('#');

/** The user's crontab lines; null when there is no crontab program. "no crontab for X" is an empty one. */
export function readCrontab(env: NodeJS.ProcessEnv): string[] | null {
  const r = runTool(env, 'crontab', ['-l']);
  if (r.code === null) return null;
  if (r.code !== 0) {
    if (/no crontab/i.test(r.stderr)) return [];
    throw new BanksyncError('ENVIRONMENT', `crontab -l failed: ${said(r)}`);
  }
  return r.stdout.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
}

function writeCrontab(env: NodeJS.ProcessEnv, lines: string[]): void {
  const r = runTool(env, 'crontab', ['-'], lines.length ? `${lines.join('\n')}\n` : '');
  if (r.code !== 0) throw new BanksyncError('ENVIRONMENT', `crontab - failed: ${said(r)}`, { hint: 'add the line yourself with: crontab -e' });
}

/** Replaces our line (a new interval) or adds it; every other line is kept as it was. */
export function installCron(env: NodeJS.ProcessEnv, line: string): { replaced: boolean } {
  const current = readCrontab(env);
  if (current === null) throw new BanksyncError('ENVIRONMENT', 'there is no crontab program here', { hint: 'install cron, or add the line above to your scheduler' });
  const kept = current.filter((l) => !isOurLine(l));
  writeCrontab(env, [...kept, line]);
  return { replaced: kept.length !== current.length };
}

export function removeCron(env: NodeJS.ProcessEnv): string[] {
  const current = readCrontab(env);
  if (!current) return [];
  const ours = current.filter(isOurLine);
  if (ours.length)
    writeCrontab(
      env,
      current.filter((l) => !isOurLine(l)),
    );
  return ours;
}
