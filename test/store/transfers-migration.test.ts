import { sqlitePort } from '../../src/store/index.js';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Services } from '../../src/core/context.js';
import { detectTransfers } from '../../src/core/transfers/detect.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations/index.js';
import { Store } from '../../src/store/index.js';

describe('migration 009 (transfers)', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('a version-8 database with lines: the first detection after the upgrade reads them all and pairs the transfer; corrections are queued', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'banksync-m9-'));
    dirs.push(dir);
    const path = join(dir, 'b.db');
    const v8 = new Database(path);
    for (const m of MIGRATIONS.slice(0, 8)) m.up(v8);
    v8.pragma('application_id = 0x42534e43');
    v8.pragma('user_version = 8');
    v8.prepare(
      "INSERT INTO accounts (provider_id, institution_id, name, iban, currency, kind, created_at) VALUES ('sandbox','x','Checking','NL66SBOX0417164300','EUR','checking','t'), ('sandbox','x','Savings','NL74SBOX0123456789','EUR','savings','t')",
    ).run();
    const line = v8.prepare(
      "INSERT INTO transactions (id, account_id, external_id, fingerprint, ordinal, booking_date, amount_minor, currency, payee, type, counterparty_iban, source, first_seen_at, updated_at) VALUES (?, ?, ?, 'f', 0, '2026-01-02', ?, 'EUR', 'Own transfer', 'transfer', ?, 'sandbox', 't', 't')",
    );
    line.run('t1', 1, 'e1', -20_000, 'NL74SBOX0123456789');
    line.run('t2', 2, 'e2', 20_000, null);
    v8.close();

    const store = Store.open(path, { keyFile: join(dir, 'key') });
    const s = { db: sqlitePort(store), store, clock: () => new Date('2026-01-05T00:00:00Z') } as unknown as Services;
    expect(await detectTransfers(s)).toEqual({ scanned: 2, paired: 1, dissolved: 0 });
    expect(store.transfers.pairs()).toMatchObject([{ outId: 't1', inId: 't2', how: 'iban' }]);
    // The bank corrects the savings leg: queued once (the trigger), and the pair is undone.
    store.db.prepare("UPDATE transactions SET amount_minor = 19000, revision = revision + 1 WHERE id = 't2'").run();
    store.db.prepare("UPDATE transactions SET memo = 'x', revision = revision + 1 WHERE id = 't2'").run();
    expect(store.db.prepare('SELECT line_id FROM transfer_dirty').all()).toEqual([{ line_id: 't2' }]);
    expect(await detectTransfers(s)).toMatchObject({ scanned: 0, dissolved: 1 });
    expect(store.transfers.pairs()).toEqual([]);
    store.close();
  });
});
