import { existsSync } from 'node:fs';
import { isOurLine, readCrontab } from './schedule/cron.js';
import { everyInFile, systemdAvailable, timerState, unitFiles } from './schedule/systemd.js';
import { MARKER } from './schedule/systemd.js';

export { parseEvery, DEFAULT_EVERY, type Interval } from './schedule/interval.js';
export { scheduledJob, type ScheduledJob } from './schedule/job.js';
export { installSystemd, removeSystemd, systemdAvailable, serviceUnit, timerUnit, unitFiles } from './schedule/systemd.js';
export { cronLine, installCron, removeCron } from './schedule/cron.js';

/**
 * Whether banksync's unattended sync is scheduled on this machine (systemd user timer or a
 * crontab line). CONTRACT for issue 15: the schedule helper implements install/remove/status here
 * (or in src/core/schedule/ re-exported from this file); `doctor` reads scheduleStatus().
 */
export interface ScheduleStatus {
  installed: boolean;
  /** How it is scheduled, when it is. */
  via: 'systemd' | 'cron' | null;
  /** The interval as written in the timer or crontab ("12h"), when known. */
  every: string | null;
  /** One line for a person: where it is, or why it is not. */
  detail: string;
  /** systemd only, when systemctl answers: whether the timer is running, and its last and next run (ISO). */
  active?: boolean | null;
  lastRunAt?: string | null;
  nextRunAt?: string | null;
  /** The last scheduled run's exit code (see README "Exit codes"), when systemd knows it. */
  lastExitCode?: number | null;
  /** The unit files or the crontab line. */
  files?: string[];
  cronLine?: string;
}

export async function scheduleStatus(env: NodeJS.ProcessEnv): Promise<ScheduleStatus> {
  const files = unitFiles(env);
  if (existsSync(files.timer)) {
    const every = everyInFile(files.timer);
    const state = systemdAvailable(env) ? timerState(env) : { active: null, lastRunAt: null, nextRunAt: null, lastExitCode: null };
    const detail =
      state.active === false
        ? `systemd timer ${files.timer} is installed but not running: banksync schedule install starts it again`
        : state.active === null
          ? `systemd timer ${files.timer} (systemctl --user does not answer here, so whether it runs is unknown)`
          : `systemd user timer banksync-sync.timer, every ${every ?? '?'}`;
    return { installed: true, via: 'systemd', every, detail, ...state, files: [files.service, files.timer] };
  }
  let lines: string[] | null = null;
  try {
    lines = readCrontab(env);
  } catch {
    lines = null;
  }
  const line = lines?.find(isOurLine);
  if (line) {
    const every = line.slice(line.indexOf(MARKER) + MARKER.length).trim() || null;
    return { installed: true, via: 'cron', every, detail: `crontab line, every ${every ?? '?'}`, cronLine: line };
  }
  return { installed: false, via: null, every: null, detail: 'unattended sync is not scheduled: banksync schedule install' };
}
