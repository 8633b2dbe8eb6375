import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store, sqlitePort } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations/index.js';
import type { TransactionRow } from '../../src/store/sqlite/transactions.js';

const NOW = '2026-11-22T07:00:00.000Z';

/** Stored counts against counted lines, for every account. */
function countsOf(db: Database.Database): { kept: unknown[]; counted: unknown[] } {
  return {
    kept: db.prepare('SELECT account_id AS id, live FROM account_line_counts ORDER BY account_id').all(),
    counted: db.prepare('SELECT a.id, (SELECT count(*) FROM transactions t WHERE t.account_id = a.id AND t.removed_at IS NULL) AS live FROM accounts a ORDER BY a.id').all(),
  };
}

describe('live line counts per account (migration 012)', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'banksync-v12-'));
    dirs.push(dir);
    return dir;
  };

  it('fills the counts of a database holding lines, removed ones left out and ignored ones in', async () => {
    const dir = tempDir();
    const path = join(dir, 'b.db');
    const v11 = new Database(path);
    for (const m of MIGRATIONS.slice(0, 11)) m.up(v11);
    v11.pragma('application_id = 0x42534e43');
    v11.pragma('user_version = 11');
    v11.prepare("INSERT INTO connections (provider_id, institution_id, institution_name, created_at, updated_at) VALUES ('sandbox','x','X','t','t')").run();
    for (const ext of ['acc1', 'acc2', 'acc3']) {
      v11.prepare("INSERT INTO accounts (connection_id, provider_id, institution_id, external_id, name, currency, kind, created_at) VALUES (1,'sandbox','x',?,'A','EUR','checking','t')").run(ext);
    }
    const line = v11.prepare(
      "INSERT INTO transactions (id, account_id, external_id, fingerprint, ordinal, booking_date, amount_minor, currency, type, source, first_seen_at, updated_at, removed_at, ignored_at) VALUES (?, ?, ?, 'fp', 0, '2024-03-01', -100, 'EUR', 'debit', 'provider:sandbox', 't', 't', ?, ?)",
    );
    for (let i = 0; i < 5; i++) line.run(`t1-${i}`, 1, `e1-${i}`, null, null);
    line.run('t1-removed', 1, 'e1-r', 't', null);
    line.run('t1-ignored', 1, 'e1-i', null, 't');
    line.run('t2-0', 2, 'e2-0', null, null);
    v11.close();

    const store = Store.open(path, { keyFile: join(dir, 'k') });
    expect(countsOf(store.db).kept).toEqual([
      { id: 1, live: 6 },
      { id: 2, live: 1 },
      { id: 3, live: 0 },
    ]);
    expect([store.transactions.count(1), store.transactions.count(2), store.transactions.count(3), store.transactions.count(99)]).toEqual([6, 1, 0, 0]);
    // Every account's count in one query (accounts, disconnect), through the port as core reads it.
    expect(await sqlitePort(store).transactions.liveCounts()).toEqual(
      new Map([
        [1, 6],
        [2, 1],
        [3, 0],
      ]),
    );
    store.close();
  });

  it('follows every kind of write: insert, repeated insert, bank removal and its return, a move, a hand-written delete, an account deleted and its id reused', () => {
    const dir = tempDir();
    const store = Store.open(join(dir, 'b.db'), { keyFile: join(dir, 'k') });
    const db = store.db;
    const exact = () => {
      const { kept, counted } = countsOf(db);
      expect(kept).toEqual(counted);
      return Object.fromEntries((counted as { id: number; live: number }[]).map((r) => [r.id, r.live]));
    };
    const conn = store.connections.create({ providerId: 'sandbox', institutionId: 'x', institutionName: 'X', now: NOW });
    const account = (ext: string) =>
      store.accounts.create({ connectionId: conn, providerId: 'sandbox', institutionId: 'x', externalId: ext, name: ext, currency: 'EUR', kind: 'checking', stableIds: true, now: NOW });
    const a = account('a');
    const b = account('b');
    expect(exact()).toEqual({ [a]: 0, [b]: 0 });
    const row = (accountId: number, ext: string | null, amountMinor = -100, fingerprint = `fp-${ext}`): TransactionRow => ({
      id: `t-${accountId}-${ext ?? fingerprint}`,
      accountId,
      externalId: ext,
      fingerprint,
      ordinal: 0,
      bookingDate: '2026-11-01',
      valueDate: null,
      amountMinor,
      currency: 'EUR',
      payee: 'P',
      memo: null,
      type: 'debit',
      counterpartyIban: null,
      source: 'provider:sandbox',
    });
    store.tx(() => {
      for (const ext of ['1', '2', '3']) store.transactions.write(row(a, ext), NOW);
      store.transactions.write(row(a, null, -5, 'fp-x'), NOW);
    });
    expect(exact()).toEqual({ [a]: 4, [b]: 0 });
    // The same lines again: an unchanged upsert, an ignored insert, a correction.
    store.tx(() => {
      expect(store.transactions.write(row(a, '1'), NOW)).toBe('unchanged');
      store.transactions.write(row(a, null, -5, 'fp-x'), NOW);
      expect(store.transactions.write(row(a, '2', -200), NOW)).toBe('updated');
    });
    expect(exact()).toEqual({ [a]: 4, [b]: 0 });
    // The bank drops a line, then sends it again.
    expect(store.transactions.markRemoved(a, ['3'], NOW)).toBe(1);
    expect(exact()).toEqual({ [a]: 3, [b]: 0 });
    expect(store.transactions.markRemoved(a, ['3'], NOW)).toBe(0);
    expect(exact()).toEqual({ [a]: 3, [b]: 0 });
    expect(store.transactions.write(row(a, '3', -300), NOW)).toBe('updated');
    expect(exact()).toEqual({ [a]: 4, [b]: 0 });
    // A line moved to another account (accounts merge moves lines this way), and a removed one moved.
    db.prepare("UPDATE transactions SET account_id = ? WHERE external_id = '1'").run(b);
    expect(exact()).toEqual({ [a]: 3, [b]: 1 });
    store.transactions.markRemoved(a, ['2'], NOW);
    db.prepare("UPDATE transactions SET account_id = ? WHERE external_id = '2'").run(b);
    expect(exact()).toEqual({ [a]: 2, [b]: 1 });
    // Columns the count does not depend on leave it alone.
    db.prepare("UPDATE transactions SET ignored_at = 't', payee = 'Q'").run();
    expect(exact()).toEqual({ [a]: 2, [b]: 1 });
    // By hand: a deleted line, then the account (its lines go by cascade); a new account may get its id back.
    db.prepare("DELETE FROM transactions WHERE external_id = '3'").run();
    expect(exact()).toEqual({ [a]: 1, [b]: 1 });
    store.accounts.delete(b);
    expect(exact()).toEqual({ [a]: 1 });
    const c = account('c');
    expect(exact()).toEqual({ [a]: 1, [c]: 0 });
    // An id given back by hand (rows copied with their ids) starts from what it holds.
    db.prepare(
      "INSERT INTO accounts (id, connection_id, provider_id, institution_id, external_id, name, currency, kind, created_at) VALUES (?, ?, 'sandbox', 'x', 'b2', 'b2', 'EUR', 'checking', 't')",
    ).run(b, conn);
    expect(exact()).toEqual({ [a]: 1, [b]: 0, [c]: 0 });
    expect(store.transactions.count(a)).toBe(1);
    store.close();
  });
});
