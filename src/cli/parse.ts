import { InvalidArgumentError } from 'commander';
import { parseIsoDate } from '../domain/clock.js';
import { STATEMENT_PERIODS, type StatementPeriod } from '../domain/model.js';

/** Commander argument parsers: each turns bad input into one clear usage line. */

function refParser(prefix: 'c' | 'a', what: string) {
  return (value: string): number => {
    const m = new RegExp(`^${prefix}?(\\d+)$`, 'i').exec(value.trim());
    if (!m || Number(m[1]) < 1) throw new InvalidArgumentError(`expected a ${what} id like ${prefix}1, got "${value}"`);
    return Number(m[1]);
  };
}

export const parseConnectionRef = refParser('c', 'connection');
export const parseAccountRef = refParser('a', 'account');

export function parseDate(value: string): string {
  try {
    return parseIsoDate(value);
  } catch {
    throw new InvalidArgumentError(`expected a date as YYYY-MM-DD, got "${value}"`);
  }
}

export function parsePeriod(value: string): StatementPeriod {
  if (!(STATEMENT_PERIODS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${STATEMENT_PERIODS.join(', ')}, got "${value}"`);
  }
  return value as StatementPeriod;
}

export function parsePositiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`expected a whole number ≥ 1, got "${value}"`);
  return Number(value);
}

export function parseNonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a whole number ≥ 0, got "${value}"`);
  return Number(value);
}

export function parseCountry(value: string): string {
  if (!/^[A-Za-z]{2}$/.test(value)) throw new InvalidArgumentError(`expected a two-letter country code, got "${value}"`);
  return value.toUpperCase();
}

/** --accounts all | id,id,... */
export function parseAccountList(value: string): 'all' | string[] {
  if (value.trim().toLowerCase() === 'all') return 'all';
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) throw new InvalidArgumentError('expected "all" or a comma-separated list of account ids');
  return list;
}

/** Repeatable --account a1 --account a2 (or a1,a2). */
export function collectAccountRefs(value: string, previous: number[] = []): number[] {
  return [...previous, ...value.split(',').map((v) => parseAccountRef(v))];
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65_535) throw new InvalidArgumentError(`expected a port number 0-65535, got "${value}"`);
  return n;
}
