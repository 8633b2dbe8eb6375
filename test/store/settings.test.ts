import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations/index.js';

describe('migration 007: per-database settings', () => {
  it('upgrades a version-6 database: data intact, a backup kept, no setting set; settings round-trip and clear', () => {
    const dir = mkdtempSync(join(tmpdir(), 'banksync-v7-'));
    const path = join(dir, 'b.db');
    const v6 = new Database(path);
    for (const m of MIGRATIONS.slice(0, 6)) m.up(v6);
    v6.pragma('application_id = 0x42534e43');
    v6.pragma('user_version = 6');
    v6.prepare("INSERT INTO connections (provider_id, institution_id, institution_name, created_at, updated_at) VALUES ('sandbox','x','X','t','t')").run();
    v6.prepare(
      "INSERT INTO accounts (connection_id, provider_id, institution_id, external_id, name, currency, kind, lock_date, created_at) VALUES (1,'sandbox','x','acc','A','EUR','checking','2026-01-01','t')",
    ).run();
    v6.close();

    const store = Store.open(path, { keyFile: join(dir, 'k') });
    expect(store.db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(7);
    expect(readdirSync(dir).filter((f) => f.startsWith('b.db.bak-v6-'))).toHaveLength(1);
    expect(store.accounts.get(1)).toMatchObject({ name: 'A', lockDate: '2026-01-01' });
    expect(store.settings.all()).toEqual([]);
    expect(store.settings.get('lock-date')).toBeUndefined();

    store.settings.set('lock-date', '2025-01-01', '2026-11-20T09:00:00.000Z');
    store.settings.set('expense-account', 'Expenses:Misc', '2026-11-20T09:00:00.000Z');
    store.settings.set('lock-date', '2025-06-01', '2026-11-21T09:00:00.000Z'); // replaced, one row per key
    expect(store.settings.all()).toEqual([
      { key: 'expense-account', value: 'Expenses:Misc', updatedAt: '2026-11-20T09:00:00.000Z' },
      { key: 'lock-date', value: '2025-06-01', updatedAt: '2026-11-21T09:00:00.000Z' },
    ]);
    store.settings.set('lock-date', null, '2026-11-22T09:00:00.000Z');
    expect(store.settings.get('lock-date')).toBeUndefined();
    store.close();

    // Kept in the file: another process (or tomorrow's cron run) sees the same books.
    const again = Store.open(path, { keyFile: join(dir, 'k') });
    expect(again.settings.get('expense-account')).toBe('Expenses:Misc');
    again.close();
  });
});
