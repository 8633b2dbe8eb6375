import { addDays } from '../domain/clock.js';

/** A booked line may carry tomorrow's date (banks book ahead over weekends); never further than this. */
export const MAX_FUTURE_DAYS = 5;
/** Nothing a bank or a file sends predates this; an earlier date is a broken field. */
export const EARLIEST_DATE = '1970-01-01';

const ISO = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written YYYY-MM-DD (2026-02-30 is not). */
export function isCalendarDate(v: unknown): v is string {
  if (typeof v !== 'string' || !ISO.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

/**
 * Why a booking date cannot be taken, or null when it can. A date far in the future would move
 * the account's watermark past today and every later sync would fetch nothing older: lost lines.
 */
export function bookingDateProblem(date: unknown, today: string): string | null {
  if (date === undefined || date === null || date === '') return 'it has no booking date';
  if (!isCalendarDate(date)) return `its date "${String(date).slice(0, 40)}" is not a calendar date`;
  if (date < EARLIEST_DATE) return `its date ${date} is before ${EARLIEST_DATE}`;
  const latest = addDays(today, MAX_FUTURE_DAYS);
  if (date > latest) return `its date ${date} is more than ${MAX_FUTURE_DAYS} days after today (${today})`;
  return null;
}

/** A value date is informative only: an impossible one is dropped (with a warning), never guessed. */
export function valueDateProblem(date: unknown): string | null {
  if (date === undefined || date === null || date === '') return null;
  if (!isCalendarDate(date)) return `its value date "${String(date).slice(0, 40)}" is not a calendar date`;
  if (date < EARLIEST_DATE) return `its value date ${date} is before ${EARLIEST_DATE}`;
  return null;
}

/** The watermark never passes today, whatever is stored: the next window must reach back. */
export const clampToToday = (date: string | null, today: string): string | null => (date !== null && date > today ? today : date);
