import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BanksyncError } from '../../src/domain/errors.js';
import { openDatabase } from '../../src/store/sqlite/db.js';
import { LATEST_VERSION, MIGRATIONS } from '../../src/store/sqlite/migrations/index.js';
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';

describe('database open and migrations (M18)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'banksync-mig-'));
  afterEach(() => rmSync(join(dir), { recursive: true, force: true }));
  const path = () => join(mkdtempSync(join(tmpdir(), 'banksync-mig-')), 'b.db');

  it('numbers migrations by their place in the list, and each file by its version', () => {
    const files = readdirSync(join(__dirname, '../../src/store/sqlite/migrations'))
      .filter((f) => /^\d{3}-.*\.ts$/.test(f))
      .sort();
    expect(files).toHaveLength(MIGRATIONS.length);
    MIGRATIONS.forEach((m, i) => {
      expect(m.version).toBe(i + 1);
      expect(files[i]!.slice(0, 3)).toBe(String(m.version).padStart(3, '0'));
    });
  });

  it('creates a new database at the latest schema, mode 0600, and reopens it unchanged', () => {
    const p = path();
    const db = openDatabase(p);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    db.prepare("INSERT INTO connections (provider_id, institution_id, institution_name, created_at, updated_at) VALUES ('sandbox','x','X','t','t')").run();
    db.close();
    expect(statSync(p).mode & 0o777).toBe(0o600);
    const again = openDatabase(p);
    expect((again.prepare('SELECT count(*) AS n FROM connections').get() as { n: number }).n).toBe(1);
    again.close();
  });

  it('refuses a database written by a newer banksync', () => {
    const p = path();
    openDatabase(p).close();
    const raw = new Database(p);
    raw.pragma(`user_version = ${LATEST_VERSION + 1}`);
    raw.close();
    expect(() => openDatabase(p)).toThrow(/newer banksync/);
  });

  it('refuses SQLite files that are not ours and files that are not SQLite, without touching them', () => {
    const other = path();
    const raw = new Database(other);
    raw.exec('CREATE TABLE notes (x TEXT)');
    raw.close();
    expect(() => openDatabase(other)).toThrow(/not a banksync database/);
    const garbage = path();
    writeFileSync(garbage, 'this is not a database, just text that is long enough to be looked at by sqlite');
    let error: unknown;
    try {
      openDatabase(garbage);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BanksyncError);
    // SQLite cannot tell a stray file from a damaged header: "not a database, or damaged", exit 7.
    expect((error as BanksyncError).code).toBe('ENVIRONMENT');
    expect((error as BanksyncError).message).toMatch(/is not a database, or its first page is damaged/);
  });

  it('upgrades a version-1 database in place after keeping a backup copy, data intact (M18)', () => {
    const p = path();
    const v1 = new Database(p);
    MIGRATIONS[0]!.up(v1);
    v1.pragma('application_id = 0x42534e43');
    v1.pragma('user_version = 1');
    v1.prepare("INSERT INTO connections (provider_id, institution_id, institution_name, created_at, updated_at) VALUES ('sandbox','x','X','t','t')").run();
    v1.prepare("INSERT INTO accounts (connection_id, provider_id, institution_id, name, currency, kind, created_at) VALUES (1,'sandbox','x','A','EUR','checking','t')").run();
    v1.prepare(
      "INSERT INTO transactions (id, account_id, external_id, fingerprint, ordinal, booking_date, amount_minor, currency, type, source, first_seen_at, updated_at) VALUES ('t1', 1, 'e1', 'f', 0, '2026-01-01', -500, 'EUR', 'pos', 'sandbox', 't', 't')",
    ).run();
    v1.close();

    const db = openDatabase(p);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    const backups = readdirSync(dirname(p)).filter((f) => f.startsWith('b.db.bak-v1-'));
    expect(backups).toHaveLength(1);
    const backup = new Database(join(dirname(p), backups[0]!), { readonly: true });
    expect(backup.pragma('user_version', { simple: true })).toBe(1);
    expect((backup.prepare('SELECT count(*) AS n FROM transactions').get() as { n: number }).n).toBe(1);
    backup.close();
    // The v2 history trigger keeps the version a correction replaces.
    db.prepare("UPDATE transactions SET amount_minor = -550, revision = revision + 1, updated_at = 'u' WHERE id = 't1'").run();
    expect(db.prepare('SELECT revision, amount_minor FROM transaction_history').all()).toEqual([{ revision: 0, amount_minor: -500 }]);
    db.close();
  });
});
