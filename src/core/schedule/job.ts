import { resolve } from 'node:path';
import { badInput } from '../../domain/errors.js';

/** What the schedule runs: absolute paths, because neither systemd nor cron has the user's PATH. */
export interface ScheduledJob {
  node: string;
  script: string;
  /** Global flags first (--db), then the sync itself. */
  args: string[];
  /** The environment the user's own runs had that says where things are (never a secret). */
  env: Record<string, string>;
}

/** Where banksync finds its database and key when the user's shell sets them; the secret key itself never goes into a file. */
const CARRIED_ENV = ['BANKSYNC_DB', 'BANKSYNC_CONFIG_DIR', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME'];

export const SYNC_ARGS = ['sync', '--all', '--due', '--quiet'];

export function scheduledJob(o: { node: string; script: string; db?: string; env: NodeJS.ProcessEnv }): ScheduledJob {
  const env: Record<string, string> = {};
  // Absolute: the scheduled run does not start in the directory the user typed them in.
  for (const k of CARRIED_ENV) if (o.env[k]) env[k] = resolve(o.env[k]!);
  const job = { node: o.node, script: o.script, args: [...(o.db ? ['--db', resolve(o.db)] : []), ...SYNC_ARGS], env };
  for (const v of [job.node, job.script, ...job.args, ...Object.values(env)]) {
    // Neither a unit file nor a crontab line can hold one: it would end the line.
    if (/[\n\r\0]/.test(v)) throw badInput(`a path with a line break cannot be scheduled: ${JSON.stringify(v)}`);
  }
  return job;
}
