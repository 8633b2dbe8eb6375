import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { badInput } from '../domain/errors.js';
import { parseIsoDate } from '../domain/clock.js';
import { ledgerNameProblem } from '../export/text.js';

/**
 * Two kinds of settings, each kept where it belongs (`banksync config` shows and sets both):
 *
 * - Per-database settings describe one set of books: the lock date, the journal's other
 *   sides, and how long the raw archive in it keeps provider answers (archive-days). They live in that database (table `settings`, migration 007, store/settings.ts), so
 *   the demo's database, a test copy or a second household's books never pick up this one's
 *   lock date. Defaults when unset: no lock date, Expenses:Unknown, Income:Unknown.
 * - User preferences say how this person wants banksync to run, whatever the database: kept by
 *   conf in the config dir (config.json). Secrets are neither: they are sealed in the database.
 *
 * Earlier versions kept the per-database settings in config.json as well; settings.ts says how
 * such a value keeps working (with a warning) until it is moved into a database.
 */
export const PREFERENCES = {
  'overlap-days': { description: 'days re-fetched before the last stored booking (default 7)', parse: (v: string) => nonNegative(v) },
  concurrency: { description: "sync: requests in flight at once per provider (1-64; default: each provider's own, 8)", parse: (v: string) => concurrency(v) },
  'consent-warn-days': { description: 'warn on every sync this many days before a consent ends (default 14)', parse: (v: string) => warnDays(v) },
  'notify-command': { description: 'shell command run after an unattended sync that failed or needs you; JSON summary on its stdin ("" to clear)', parse: (v: string) => (v.trim() === '' ? null : v) },
} as const;

/** Stored as text in the database; "" (parsed to null) removes one, back to its default. */
export const DATABASE_SETTINGS = {
  'lock-date': { description: 'lock date of this database: nothing before it is fetched (YYYY-MM-DD, "" to clear)', parse: (v: string) => (v === '' ? null : parseIsoDate(v, 'lock-date')) },
  'expense-account': { description: 'journal exports: other side of money out (default Expenses:Unknown; "" to reset)', parse: (v: string) => (v === '' ? null : ledgerAccount(v)) },
  'income-account': { description: 'journal exports: other side of money in (default Income:Unknown; "" to reset)', parse: (v: string) => (v === '' ? null : ledgerAccount(v)) },
  // The archive is part of this database (and of its backups), so how long it keeps is too.
  'archive-days': { description: 'days the raw archive keeps provider answers for replay (default 400; 0 = off, emptied on the next sync)', parse: (v: string) => (v === '' ? null : archiveDays(v)) },
  'transfer-days': {
    description: 'transfers between own accounts: most days between the two legs (0-30, default 3; "" to reset)',
    parse: (v: string) => (v === '' ? null : wholeNumber(v, 'transfer-days', 30)),
  },
  'transfer-fx-tolerance': {
    description: 'transfers between two currencies: most difference of the amounts in percent (0-20, default 0: never paired by themselves)',
    parse: (v: string) => (v === '' ? null : percent(v)),
  },
  'transfer-pattern': {
    description: 'transfers: words (a regular expression, any case) both legs\' texts have when no IBAN is named ("" for the default)',
    parse: (v: string) => (v === '' ? null : regex(v)),
  },
} as const;

export type PreferenceKey = keyof typeof PREFERENCES;
export type DatabaseSettingKey = keyof typeof DATABASE_SETTINGS;
export type SettingKey = PreferenceKey | DatabaseSettingKey;
/** Where a setting lives: this database, or the user's config.json. */
export type SettingScope = 'database' | 'preferences';

export type Preferences = {
  concurrency?: number;
  'overlap-days'?: number;
  'consent-warn-days'?: number;
  'notify-command'?: string | null;
};

/**
 * config.json as found: the preferences, and per-database settings an earlier version may have
 * left there. Read those only through settings.ts, which says that they must move.
 */
export type ConfigFile = Preferences & { [K in DatabaseSettingKey]?: string | null };

function ledgerAccount(v: string): string {
  const problem = ledgerNameProblem(v, 'ledger');
  if (problem) throw badInput(`"${v}" is not a ledger account name: ${problem}`);
  return v;
}

function archiveDays(v: string): string {
  if (!/^\d+$/.test(v) || Number(v) > 36_500) throw badInput(`archive-days must be a whole number of days from 0 (off) to 36500, got "${v}"`);
  return String(Number(v));
}

function wholeNumber(v: string, key: string, max: number): string {
  if (!/^\d+$/.test(v) || Number(v) > max) throw badInput(`${key} must be a whole number from 0 to ${max}, got "${v}"`);
  return String(Number(v));
}

function percent(v: string): string {
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) > 20) throw badInput(`transfer-fx-tolerance must be a percentage from 0 to 20, got "${v}"`);
  return String(Number(v));
}

function regex(v: string): string {
  try {
    new RegExp(v, 'iu');
  } catch (err) {
    throw badInput(`transfer-pattern is not a regular expression: ${(err as Error).message}`);
  }
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

export function isDatabaseSettingKey(key: string): key is DatabaseSettingKey {
  return Object.hasOwn(DATABASE_SETTINGS, key);
}

export const scopeOf = (key: SettingKey): SettingScope => (isDatabaseSettingKey(key) ? 'database' : 'preferences');

/** Every key `banksync config` knows, database settings first (they matter most per database). */
export const SETTING_KEYS: readonly SettingKey[] = [...(Object.keys(DATABASE_SETTINGS) as DatabaseSettingKey[]), ...(Object.keys(PREFERENCES) as PreferenceKey[])];

export const describeSetting = (key: SettingKey): string => (isDatabaseSettingKey(key) ? DATABASE_SETTINGS[key] : PREFERENCES[key]).description;

/** conf keeps the preferences in <config dir>/<CONFIG_NAME>.json. */
const CONFIG_NAME = 'config';

export const preferencesFile = (dir: string) => join(dir, `${CONFIG_NAME}.json`);

export async function openPreferences(dir: string) {
  const { default: Conf } = await import('conf');
  return new Conf<ConfigFile>({ cwd: dir, configName: CONFIG_NAME, projectName: 'banksync' });
}

/**
 * Reads config.json as conf wrote it (plain JSON, no encryption). Loading conf itself takes about
 * as long as a whole `banksync --version`, and sync and export only read.
 */
export async function readPreferences(dir: string): Promise<ConfigFile> {
  const file = preferencesFile(dir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw badInput(`cannot read the preferences in ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as ConfigFile) : {};
  } catch {
    throw badInput(`the preferences in ${file} are not valid JSON`, 'fix or delete the file, then set them again with banksync config');
  }
}
