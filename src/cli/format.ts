/**
 * One way to show instants and counts to a person. Instants are stored and printed in --json as
 * UTC ISO strings; a person reads them in their own zone, with the zone named: "2026-12-01 07:00 CET".
 * The zone is the process's (TZ env or the system's), so cron mail and the terminal agree.
 */

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-12-01 07:00 CET" for an ISO instant; `-` for null. `seconds` adds ":SS". */
export function localTime(iso: string | null | undefined, opts: { seconds?: boolean; timeZone?: string } = {}): string {
  if (!iso) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  // The process runs in UTC (servers, cron, containers): no Intl formatter, whose first
  // construction loads ICU's locale data (tens of ms of a `status`).
  if (opts.timeZone === undefined && inUtc(d)) {
    const s = d.toISOString();
    return `${s.slice(0, 10)} ${s.slice(11, opts.seconds ? 19 : 16)} UTC`;
  }
  const parts = partsOf(d, opts.timeZone);
  const time = `${parts.hour}:${parts.minute}${opts.seconds ? `:${parts.second}` : ''}`;
  return `${parts.year}-${parts.month}-${parts.day} ${time} ${zoneName(d, opts.timeZone)}`;
}

/** The process's zone is UTC itself at this instant (not merely at offset 0, like London in winter). */
const inUtc = (d: Date) => d.getTimezoneOffset() === 0 && d.toString().endsWith('(Coordinated Universal Time)');

function partsOf(d: Date, timeZone: string | undefined): Record<string, string> {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(d)) out[p.type] = p.value;
  // Some ICU builds print midnight as 24 even with h23.
  if (out.hour === '24') out.hour = '00';
  return out;
}

/**
 * The zone's short name as people write it: CET/CEST in Europe, EST/PDT in America, UTC; ICU
 * knows the European names only under en-GB and the American ones only under en-US, so ask both
 * and fall back to an offset ("GMT+9") where neither has a name.
 */
function zoneName(d: Date, timeZone: string | undefined): string {
  const names = ['en-US', 'en-GB'].map((locale) => new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? '');
  const named = names.find((n) => n && !/^(GMT|UTC)[+-]/.test(n));
  if (named) return named === 'GMT' && isUtc(timeZone) ? 'UTC' : named;
  return names[0] || offsetName(d);
}

const isUtc = (tz: string | undefined) => (tz ?? Intl.DateTimeFormat().resolvedOptions().timeZone).toUpperCase().replace('ETC/', '') === 'UTC';

function offsetName(d: Date): string {
  const m = -d.getTimezoneOffset();
  return `UTC${m >= 0 ? '+' : '-'}${pad(Math.floor(Math.abs(m) / 60))}:${pad(Math.abs(m) % 60)}`;
}

// Counts read the same in core's messages and the CLI's.
export { plural } from '../domain/plural.js';
