import type { Async } from '../port.js';
import type { SettingsRepo, StoredSetting } from '../sqlite/settings.js';
import type { Sql } from './port.js';

/** Per-database settings: plain text by key (see the SQLite SettingsRepo). */
export class PgSettingsRepo implements Async<SettingsRepo> {
  constructor(private readonly sql: Sql) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.sql.one<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]))?.value;
  }

  async all(): Promise<StoredSetting[]> {
    const rows = await this.sql.rows<{ key: string; value: string; updated_at: string }>('SELECT key, value, updated_at FROM settings ORDER BY key');
    return rows.map((r) => ({ key: r.key, value: r.value, updatedAt: r.updated_at }));
  }

  /** null removes the setting, so it falls back to its default. */
  async set(key: string, value: string | null, now: string): Promise<void> {
    if (value === null) {
      await this.sql.run('DELETE FROM settings WHERE key = $1', [key]);
      return;
    }
    await this.sql.run('INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at', [key, value, now]);
  }
}
