import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { nowIso } from '../../core/context.js';
import { badInput } from '../../domain/errors.js';
import {
  DATABASE_SETTINGS,
  describeSetting,
  isDatabaseSettingKey,
  isPreferenceKey,
  openPreferences,
  PREFERENCES,
  preferencesFile,
  readPreferences,
  scopeOf,
  SETTING_KEYS,
  type DatabaseSettingKey,
  type SettingKey,
  type SettingScope,
} from '../preferences.js';
import { table } from '../output.js';
import type { RuntimeOf } from '../runtime.js';
import type { Runtime } from '../runtime.js';
import { legacyWarning, resolveDatabaseSettings, type SettingSource } from '../settings.js';

interface ShownSetting {
  key: SettingKey;
  /** null: the default applies */
  value: string | number | null;
  scope: SettingScope;
  source: SettingSource;
}

interface ConfigView {
  /** the database whose settings are shown (scope "database") */
  db: string;
  dbExists: boolean;
  /** config.json, the user's preferences (scope "preferences") */
  path: string;
  /** key → value in effect (null: default), as earlier versions printed it */
  config: Record<string, unknown>;
  settings: ShownSetting[];
  /** per-database settings this command moved out of config.json into the database */
  removedFromConfigJson?: DatabaseSettingKey[];
}

export function registerConfig(program: Command, runtimeOf: RuntimeOf): void {
  program
    .command('config')
    .description("show or set settings (never secrets): this database's (lock date, journal accounts) and your preferences")
    .argument('[key]', SETTING_KEYS.join(' | '))
    .argument('[value]', 'new value; "" clears lock-date, notify-command and resets expense-account, income-account')
    .addHelpText(
      'after',
      '\nlock-date, expense-account, income-account and archive-days belong to the database (--db); the others\nare your preferences in config.json, for every database.\n\nExamples:\n  $ banksync config\n  $ banksync config lock-date 2025-01-01\n  $ banksync --db ~/books/family.db config expense-account Expenses:Uncategorized\n  $ banksync config overlap-days 10\n  $ banksync config archive-days 0        # keep no raw answers',
    )
    .action(async (key: string | undefined, value: string | undefined, _o: unknown, cmd: Command) => {
      const rt = runtimeOf(cmd);
      if (key !== undefined && !isPreferenceKey(key) && !isDatabaseSettingKey(key)) throw badInput(`unknown setting "${key}"`, `settings: ${SETTING_KEYS.join(', ')}`);
      let removed: DatabaseSettingKey[] | undefined;
      if (key !== undefined && value !== undefined) {
        if (isDatabaseSettingKey(key)) removed = await setDatabaseSetting(rt, key, value);
        else (await openPreferences(rt.configDir)).set(key, PREFERENCES[key].parse(value));
      }
      const keys = key === undefined ? SETTING_KEYS : [key as SettingKey];
      const view = await show(rt, keys);
      if (removed) view.removedFromConfigJson = removed;
      rt.out.result(view, render);
    });
}

/** Writes into the database; a value an earlier version left in config.json goes, as the warning said it would. */
async function setDatabaseSetting(rt: Runtime, key: DatabaseSettingKey, value: string): Promise<DatabaseSettingKey[] | undefined> {
  const parsed = DATABASE_SETTINGS[key].parse(value);
  const s = rt.services();
  await s.db.settings.set(key, parsed, nowIso(s));
  if ((await readPreferences(rt.configDir))[key] === undefined) return undefined;
  (await openPreferences(rt.configDir)).delete(key);
  rt.out.info(`${key} is now a setting of ${rt.dbLabel} and was removed from config.json; other databases no longer get it from there`);
  return [key];
}

async function show(rt: Runtime, keys: readonly SettingKey[]): Promise<ConfigView> {
  const file = await readPreferences(rt.configDir);
  // Showing settings never creates a database: a fresh machine has none yet.
  const dbExists = rt.onPostgres || rt.dbPath === ':memory:' || existsSync(rt.dbPath);
  const dbKeys = keys.filter(isDatabaseSettingKey);
  const resolved = await resolveDatabaseSettings(dbKeys.length > 0 && dbExists ? rt.services().db : undefined, file, dbKeys);
  const warning = legacyWarning(rt, resolved);
  if (warning) rt.out.warn(warning);
  const settings: ShownSetting[] = keys.map((k) => {
    if (isDatabaseSettingKey(k)) {
      const r = resolved.find((x) => x.key === k)!;
      return { key: k, value: r.value, scope: 'database', source: r.source };
    }
    const v = file[k];
    return { key: k, value: v ?? null, scope: scopeOf(k), source: v === undefined || v === null ? 'default' : 'config.json' };
  });
  return { db: rt.dbLabel, dbExists, path: preferencesFile(rt.configDir), config: Object.fromEntries(settings.map((x) => [x.key, x.value])), settings };
}

function render(v: ConfigView): string {
  const rows = (scope: SettingScope) =>
    v.settings
      .filter((x) => x.scope === scope)
      .map((x) => [`  ${x.key}`, x.value === null ? '(default)' : `${x.value}${scope === 'database' && x.source === 'config.json' ? ' (from config.json)' : ''}`, describeSetting(x.key)]);
  const db = rows('database');
  const prefs = rows('preferences');
  // One table so both sections line up; a heading above each says whose the settings are.
  const lines = table([...db, ...prefs]).split('\n');
  return [
    ...(db.length ? [`this database: ${v.db}${v.dbExists ? '' : ' (not created yet)'}`, ...lines.slice(0, db.length)] : []),
    ...(db.length && prefs.length ? [''] : []),
    ...(prefs.length ? [`your preferences, for every database: ${v.path}`, ...lines.slice(db.length)] : []),
  ].join('\n');
}
