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
}

export async function scheduleStatus(_env: NodeJS.ProcessEnv): Promise<ScheduleStatus> {
  return { installed: false, via: null, every: null, detail: 'not implemented yet' };
}
