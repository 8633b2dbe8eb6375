import { badInput } from './errors.js';

/**
 * The one source of "now". BANKSYNC_NOW (an ISO instant) pins it, so tests can simulate weeks
 * of daily syncs; it is a testing aid, documented as such in README.md.
 */
export type Clock = () => Date;

export function clockFromEnv(env: NodeJS.ProcessEnv = process.env): Clock {
  const fixed = env.BANKSYNC_NOW;
  if (!fixed) return () => new Date();
  const date = new Date(fixed);
  if (Number.isNaN(date.getTime())) throw badInput(`BANKSYNC_NOW is not an ISO instant: ${fixed}`);
  return () => new Date(date.getTime());
}

/** UTC calendar date of an instant, as YYYY-MM-DD. */
export function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Validates a YYYY-MM-DD string that is a real calendar date. */
export function parseIsoDate(value: string, what = 'date'): string {
  if (!ISO_DATE.test(value)) throw badInput(`${what} must be YYYY-MM-DD, got "${value}"`);
  const d = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || isoDate(d) !== value) throw badInput(`${what} is not a calendar date: "${value}"`);
  return value;
}

/** Adds whole days to a YYYY-MM-DD date (UTC, so no DST surprises). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return isoDate(d);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export const maxDate = (a: string, b: string) => (a > b ? a : b);
export const minDate = (a: string, b: string) => (a < b ? a : b);

/** The instant the next UTC day starts: when per-day provider limits count again. */
export function nextUtcMidnight(now: Date): string {
  const d = new Date(now);
  d.setUTCHours(24, 0, 0, 0);
  return d.toISOString();
}
