import type { Db } from './db.js';

export interface StoredSetting {
  key: string;
  value: string;
  updatedAt: string;
}

/**
 * Per-database settings (migration 007): plain text by key. Which keys exist and how their
 * values are checked is the CLI's business (src/cli/preferences.ts); this only stores them.
 */
export class SettingsRepo {
  constructor(private readonly db: Db) {}

  get(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  all(): StoredSetting[] {
    const rows = this.db.prepare('SELECT key, value, updated_at FROM settings ORDER BY key').all() as { key: string; value: string; updated_at: string }[];
    return rows.map((r) => ({ key: r.key, value: r.value, updatedAt: r.updated_at }));
  }

  /** null removes the setting, so it falls back to its default. */
  set(key: string, value: string | null, now: string): void {
    if (value === null) {
      this.db.prepare('DELETE FROM settings WHERE key = ?').run(key);
      return;
    }
    this.db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at').run(key, value, now);
  }
}
