import type { StorePort } from '../store/index.js';
import { readPreferences, type ConfigFile, type DatabaseSettingKey } from './preferences.js';
import type { Runtime } from './runtime.js';

/** Where a per-database setting's value came from. */
export type SettingSource = 'database' | 'config.json' | 'default';

export interface ResolvedSetting {
  key: DatabaseSettingKey;
  /** null: the default applies */
  value: string | null;
  source: SettingSource;
  /** A value an earlier version left in config.json that this database overrides (not used here). */
  ignored?: string;
}

/**
 * Per-database settings as a command uses them: this database's own value, else one an earlier
 * version left in config.json, else the default. The config.json value keeps working so an
 * upgrade changes nothing in what is fetched or exported, but never silently: every command
 * that uses it says on stderr (also under --quiet, so cron mails it) that it now belongs to a
 * database, and which command moves it. Nothing is moved on its own: banksync cannot know which
 * of the databases on this machine (the real books, a copy, the demo's) the value was meant for.
 */
export async function resolveDatabaseSettings(db: StorePort | undefined, file: ConfigFile, keys: readonly DatabaseSettingKey[]): Promise<ResolvedSetting[]> {
  const out: ResolvedSetting[] = [];
  for (const key of keys) out.push(resolved(key, await db?.settings.get(key), file));
  return out;
}

function resolved(key: DatabaseSettingKey, own: string | undefined, file: ConfigFile): ResolvedSetting {
  const old = typeof file[key] === 'string' && file[key] !== '' ? (file[key] as string) : undefined;
  if (own !== undefined) return { key, value: own, source: 'database', ...(old !== undefined && old !== own ? { ignored: old } : {}) };
  if (old !== undefined) return { key, value: old, source: 'config.json' };
  return { key, value: null, source: 'default' };
}

/** `banksync [--db PATH] config KEY VALUE`, as the person would type it for this database. */
export function configCommand(rt: Runtime, key: DatabaseSettingKey, value: string): string {
  return `banksync ${rt.flags.db ? `--db ${shellWord(rt.flags.db)} ` : ''}config ${key} ${shellWord(value)}`;
}

/** The one warning a command gives about per-database settings still in config.json, if any. */
export function legacyWarning(rt: Runtime, resolved: readonly ResolvedSetting[]): string | undefined {
  const applied = resolved.filter((r) => r.source === 'config.json');
  const ignored = resolved.filter((r) => r.ignored !== undefined);
  if (applied.length === 0 && ignored.length === 0) return undefined;
  const parts: string[] = [];
  if (applied.length > 0) {
    const one = applied.length === 1;
    parts.push(
      `${applied.map((r) => `${r.key} ${r.value}`).join(', ')} ${one ? 'comes' : 'come'} from config.json, which earlier versions applied to every database; ${one ? 'it now belongs' : 'these now belong'} to one database.` +
        ` Applied to ${rt.dbLabel} for now; to keep ${one ? 'it' : 'them'} there: ${applied.map((r) => configCommand(rt, r.key, r.value!)).join(' && ')}` +
        ` (this removes ${one ? 'it' : 'them'} from config.json; another database that needs ${one ? 'it' : 'them'}: the same with --db FILE)`,
    );
  }
  if (ignored.length > 0) {
    parts.push(
      `config.json also holds ${ignored.map((r) => `${r.key} ${r.ignored}`).join(', ')}, not used here: ${rt.dbLabel} has its own (${ignored.map((r) => `${r.key} ${r.value}`).join(', ')});` +
        ` ${ignored.map((r) => configCommand(rt, r.key, r.value!)).join(' && ')} removes the old value`,
    );
  }
  return parts.join('; ');
}

/**
 * The per-database settings `keys` of the database this command works on, with the default
 * left out (undefined); warns once if any still comes from config.json.
 */
export async function databaseSettings(rt: Runtime, keys: readonly DatabaseSettingKey[]): Promise<{ [K in DatabaseSettingKey]?: string }> {
  const resolved = await resolveDatabaseSettings(rt.services().db, await readPreferences(rt.configDir), keys);
  const warning = legacyWarning(rt, resolved);
  if (warning) rt.out.warn(warning);
  return Object.fromEntries(resolved.filter((r) => r.value !== null).map((r) => [r.key, r.value]));
}

/** Quotes a word for a POSIX shell only when it needs it. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9_:./@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
