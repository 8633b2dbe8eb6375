import { createHash } from 'node:crypto';

/** Hex SHA-256 of the joined parts: the single source of every "random" value in the mock. */
export function digest(...parts: (string | number)[]): string {
  return createHash('sha256').update(parts.join('|')).digest('hex');
}

/** Small seeded PRNG (mulberry32) so generated data is identical on every run. */
export function rng(seed: string): () => number {
  let a = Number.parseInt(digest(seed).slice(0, 8), 16) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** UUID-v4-shaped id derived from a seed, so ids are reproducible yet look like the real ones. */
export function uuidFrom(seed: string): string {
  const h = digest(seed);
  const variant = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** UTC calendar date as YYYY-MM-DD. */
export const isoDate = (d: Date): string => d.toISOString().slice(0, 10);

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return isoDate(d);
}

/** A real calendar date in YYYY-MM-DD form, or undefined. */
export function parseDate(value: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && isoDate(d) === value ? value : undefined;
}

/** The API's timestamp style (Python isoformat with microseconds and an explicit offset). */
export function apiTimestamp(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
}

/** RFC 3339 date-time that carries a timezone (the API rejects naive timestamps). */
export function parseRfc3339(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value)) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Integer cents → unsigned decimal string as the API sends amounts ("12.30"). */
export const centsToAmount = (cents: number): string => (Math.abs(cents) / 100).toFixed(2);

/** Integer cents → signed decimal string, for balances (which may be negative). */
export const centsToSigned = (cents: number): string => (cents < 0 ? '-' : '') + centsToAmount(cents);

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
