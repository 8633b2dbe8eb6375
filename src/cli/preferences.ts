import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { badInput } from '../core/errors.js';
import { parseIsoDate } from '../core/clock.js';
import { ledgerNameProblem } from '../export/text.js';

/**
 * Non-secret preferences, kept by conf in the config dir (config.json). Secrets never go here.
 * conf is imported lazily: most commands never read preferences.
 */
export const PREFERENCES = {
  'overlap-days': { description: 'days re-fetched before the last stored booking (default 7)', parse: (v: string) => nonNegative(v) },
  concurrency: { description: 'sync: requests in flight at once per provider (1-64; default: each provider\'s own, 8)', parse: (v: string) => concurrency(v) },
  'lock-date': { description: 'global lock date: nothing before it is fetched (YYYY-MM-DD, empty to clear)', parse: (v: string) => (v === '' ? null : parseIsoDate(v, 'lock-date')) },
  'expense-account': { description: 'journal exports: other side of money out (default Expenses:Unknown)', parse: (v: string) => ledgerAccount(v) },
  'income-account': { description: 'journal exports: other side of money in (default Income:Unknown)', parse: (v: string) => ledgerAccount(v) },
  'consent-warn-days': { description: 'warn on every sync this many days before a consent ends (default 14)', parse: (v: string) => warnDays(v) },
  'notify-command': { description: 'shell command run after an unattended sync that failed or needs you; JSON summary on its stdin ("" to clear)', parse: (v: string) => (v.trim() === '' ? null : v) },
} as const;

export type PreferenceKey = keyof typeof PREFERENCES;
export type Preferences = {
  concurrency?: number;
  'overlap-days'?: number;
  'lock-date'?: string | null;
  'expense-account'?: string;
  'income-account'?: string;
  'consent-warn-days'?: number;
  'notify-command'?: string | null;
};

function ledgerAccount(v: string): string {
  const problem = ledgerNameProblem(v, 'ledger');
  if (problem) throw badInput(`"${v}" is not a ledger account name: ${problem}`);
  return v;
}

function nonNegative(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 365) throw badInput(`overlap-days must be a whole number from 0 to 365, got "${v}"`);
  return Number(v);
}

function warnDays(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 180) throw badInput(`consent-warn-days must be a whole number from 0 to 180, got "${v}"`);
  return Number(v);
}

/** Requests in flight per provider: 1 syncs one connection at a time. */
export function concurrency(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 64) throw badInput(`concurrency must be a whole number from 1 to 64, got "${v}"`);
  return Number(v);
}

export function isPreferenceKey(key: string): key is PreferenceKey {
  return Object.hasOwn(PREFERENCES, key);
}

/** conf keeps the preferences in <config dir>/<CONFIG_NAME>.json. */
const CONFIG_NAME = 'config';

export async function openPreferences(dir: string) {
  const { default: Conf } = await import('conf');
  return new Conf<Preferences>({ cwd: dir, configName: CONFIG_NAME, projectName: 'banksync' });
}

/**
 * Reads config.json as conf wrote it (plain JSON, no encryption). Loading conf itself takes about
 * as long as a whole `banksync --version`, and sync and export only read.
 */
export async function readPreferences(dir: string): Promise<Preferences> {
  const file = join(dir, `${CONFIG_NAME}.json`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw badInput(`cannot read the preferences in ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Preferences) : {};
  } catch {
    throw badInput(`the preferences in ${file} are not valid JSON`, 'fix or delete the file, then set them again with banksync config');
  }
}
