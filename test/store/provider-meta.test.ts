import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations/index.js';

describe('migration 006: provider data per account (ProviderAccount.meta)', () => {
  it('upgrades a version-5 database: accounts keep their data and start without meta; meta round-trips as an object of strings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'banksync-v6-'));
    const path = join(dir, 'b.db');
    const v5 = new Database(path);
    for (const m of MIGRATIONS.slice(0, 5)) m.up(v5);
    v5.pragma('application_id = 0x42534e43');
    v5.pragma('user_version = 5');
    v5.prepare("INSERT INTO connections (provider_id, institution_id, institution_name, created_at, updated_at) VALUES ('yodlee','x','X','t','t')").run();
    v5.prepare(
      "INSERT INTO accounts (connection_id, provider_id, institution_id, external_id, name, currency, kind, watermark_date, created_at) VALUES (1,'yodlee','x','acc','A','USD','checking','2026-11-01','t')",
    ).run();
    v5.close();

    const store = Store.open(path, { keyFile: join(dir, 'k') });
    expect(store.accounts.get(1)).toMatchObject({ name: 'A', watermarkDate: '2026-11-01', providerMeta: null });
    store.accounts.setProviderMeta(1, { container: 'bank', providerAccountId: '10022' });
    expect(store.accounts.get(1)!.providerMeta).toEqual({ container: 'bank', providerAccountId: '10022' });
    // Replaced whole; nothing (or an empty object) clears it.
    store.accounts.setProviderMeta(1, { container: 'creditCard' });
    expect(store.accounts.get(1)!.providerMeta).toEqual({ container: 'creditCard' });
    store.accounts.setProviderMeta(1, {});
    expect(store.accounts.get(1)!.providerMeta).toBeNull();
    const id = store.accounts.create({
      connectionId: 1,
      providerId: 'yodlee',
      institutionId: 'x',
      externalId: 'acc2',
      name: 'B',
      currency: 'USD',
      kind: 'checking',
      stableIds: true,
      meta: { container: 'bank' },
      now: 't',
    });
    expect(store.accounts.get(id)!.providerMeta).toEqual({ container: 'bank' });
    // A value that is not an object of strings (hand-edited) reads as none rather than breaking the account.
    store.db.prepare('UPDATE accounts SET provider_meta = ? WHERE id = ?').run('[1,2]', id);
    expect(store.accounts.get(id)!.providerMeta).toBeNull();
    store.close();
  });
});
