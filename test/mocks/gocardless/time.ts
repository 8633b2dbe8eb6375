// Calendar helpers. The mock works in whole UTC days ("epoch days") so that
// generated data is anchored to the calendar, not to the moment of the call.

export const DAY_MS = 86_400_000;

/** Whole UTC days since 1970-01-01. */
export function epochDay(date: Date): number {
  return Math.floor(date.getTime() / DAY_MS);
}

/** YYYY-MM-DD for an epoch day. */
export function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Parses YYYY-MM-DD to an epoch day; null if it is not a real calendar date. */
export function parseIsoDay(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const ms = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(ms) || isoDay(ms / DAY_MS) !== value) return null;
  return ms / DAY_MS;
}

/** Django REST framework style timestamp: microseconds and a Z suffix. */
export function isoMicro(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Python str(datetime) style, as used in the spec's AccountStateError example. */
export function pythonDateTime(date: Date): string {
  return isoMicro(date).replace('T', ' ').replace('Z', '+00:00');
}

/** Seconds until the next UTC midnight (when per-account daily counters reset). */
export function secondsToUtcMidnight(now: Date): number {
  const next = (epochDay(now) + 1) * DAY_MS;
  return Math.ceil((next - now.getTime()) / 1000);
}
