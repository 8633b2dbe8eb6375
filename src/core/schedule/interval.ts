import { badInput } from '../../domain/errors.js';

/**
 * How often the scheduled `sync --all --due` runs. It only starts what is due (each account's own
 * interval), so the schedule need not be exact, but it must be expressible the same way in a
 * systemd calendar and a crontab line, and not waste requests: banks allow about 4 refreshes a
 * day (GoCardless), so less than an hour buys nothing. Hours divide a day; days run at midnight
 * on every Nth day of the month (7d: Mondays).
 */
export interface Interval {
  /** As the user wrote it, normalised: "12h", "1d". */
  text: string;
  hours: number;
  /** systemd OnCalendar= */
  onCalendar: string;
  /** The five crontab time fields, at `minute` past (chosen at install, to spread the load). */
  cron(minute: number): string;
}

const HOURS = [1, 2, 3, 4, 6, 8, 12, 24];
export const DEFAULT_EVERY = '12h';

export function parseEvery(value: string): Interval {
  const m = /^\s*(\d+)\s*(m|min|h|d)\s*$/i.exec(value);
  const problem = badInput(
    `--every takes hours that divide a day (${HOURS.map((h) => `${h}h`).join(' ')}) or days (1d to 7d), got "${value}"`,
    'banks allow a few refreshes a day, so more often than hourly buys nothing; e.g. --every 12h',
  );
  if (!m) throw problem;
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  let hours = unit === 'd' ? n * 24 : unit === 'h' ? n : n / 60;
  if (unit === 'd' && (n < 1 || n > 7)) throw problem;
  if (unit !== 'd' && !HOURS.includes(hours)) throw problem;
  if (hours === 24) return { text: '1d', hours, onCalendar: '*-*-* 00:00:00', cron: (min) => `${min} 0 * * *` };
  if (hours < 24) {
    const h = hours;
    return { text: `${h}h`, hours, onCalendar: `*-*-* 00/${h}:00:00`, cron: (min) => `${min} ${h === 1 ? '*' : `*/${h}`} * * *` };
  }
  const days = hours / 24;
  hours = days * 24;
  if (days === 7) return { text: '7d', hours, onCalendar: 'Mon *-*-* 00:00:00', cron: (min) => `${min} 0 * * 1` };
  return { text: `${days}d`, hours, onCalendar: `*-*-01/${days} 00:00:00`, cron: (min) => `${min} 0 */${days} * *` };
}
