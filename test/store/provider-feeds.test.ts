import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations/index.js';

describe('migration 005: feed cursors and requests per connection', () => {
  it('upgrades a version-4 database: accounts keep their data and start without a cursor', () => {
    const dir = mkdtempSync(join(tmpdir(), 'banksync-v5-'));
    const path = join(dir, 'b.db');
    const v4 = new Database(path);
    for (const m of MIGRATIONS.slice(0, 4)) m.up(v4);
    v4.pragma('application_id = 0x42534e43');
    v4.pragma('user_version = 4');
    v4.prepare("INSERT INTO connections (provider_id, institution_id, institution_name, created_at, updated_at) VALUES ('plaid','x','X','t','t')").run();
    v4.prepare(
      "INSERT INTO accounts (connection_id, provider_id, institution_id, external_id, name, currency, kind, watermark_date, created_at) VALUES (1,'plaid','x','acc','A','USD','checking','2026-11-01','t')",
    ).run();
    v4.close();

    const store = Store.open(path, { keyFile: join(dir, 'k') });
    expect(store.accounts.get(1)).toMatchObject({ name: 'A', watermarkDate: '2026-11-01' });
    expect(store.accounts.feedCursor(1)).toBeUndefined();
    store.accounts.setFeedCursor(1, 'CURSOR==');
    expect(store.accounts.feedCursor(1)).toBe('CURSOR==');
    store.accounts.setFeedCursor(1, null);
    expect(store.accounts.feedCursor(1)).toBeUndefined();
    // A renewed consent that keeps the account id keeps its cursor; a new id starts the feed afresh.
    store.accounts.setFeedCursor(1, 'C1');
    store.accounts.updateExternalId(1, 'acc');
    expect(store.accounts.feedCursor(1)).toBe('C1');
    store.accounts.updateExternalId(1, 'acc-2');
    expect(store.accounts.feedCursor(1)).toBeUndefined();

    store.syncState.recordConnectionRequest(1, '2026-11-21T23:59:59.000Z');
    store.syncState.recordConnectionRequest(1, '2026-11-22T00:00:00.000Z');
    store.syncState.recordConnectionRequest(1, '2026-11-22T10:00:00.000Z');
    expect(store.syncState.connectionRequestsSince(1, '2026-11-22T00:00:00.000Z')).toBe(2);
    store.connections.delete(1); // forgotten with their connection
    expect((store.db.prepare('SELECT count(*) AS n FROM connection_requests').get() as { n: number }).n).toBe(0);
    store.close();
  });
});
