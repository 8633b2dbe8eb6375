import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store, sqlitePort } from '../../src/store/index.js';
import type { TransactionRow } from '../../src/store/sqlite/transactions.js';

// TransactionRepo.write: a new line, the same line again, a correction, a removed line coming
// back. Pins what the single INSERT … DO UPDATE … RETURNING did before it became an insert that
// does nothing on a stored id followed by an update (no statement journal for new lines).
describe('TransactionRepo.write', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  function setup() {
    const dir = mkdtempSync(join(tmpdir(), 'banksync-write-'));
    dirs.push(dir);
    const store = Store.open(join(dir, 'b.db'), { keyFile: join(dir, 'k') });
    const now = '2026-11-22T07:00:00.000Z';
    const c = store.connections.create({ providerId: 'fake', institutionId: 'i', institutionName: 'I', now });
    const account = (name: string) =>
      store.accounts.create({ connectionId: c, providerId: 'fake', institutionId: 'i', externalId: name, name, currency: 'EUR', kind: 'checking', stableIds: true, now });
    return { store, a1: account('a1'), a2: account('a2') };
  }

  const row = (accountId: number, over: Partial<TransactionRow> = {}): TransactionRow => ({
    id: 't000000000000000000000001',
    accountId,
    externalId: 'p1',
    fingerprint: 'fp1',
    ordinal: 0,
    bookingDate: '2026-11-02',
    valueDate: null,
    amountMinor: -1000,
    currency: 'EUR',
    payee: 'Shop',
    memo: null,
    type: 'debit',
    counterpartyIban: null,
    source: 'provider:fake',
    ...over,
  });
  const T0 = '2026-11-22T07:00:00.000Z';
  const T1 = '2026-11-23T07:00:00.000Z';
  const stored = (s: Store) => s.db.prepare('SELECT * FROM transactions').all() as Record<string, unknown>[];
  const history = (s: Store) => s.db.prepare('SELECT transaction_id, revision, amount_minor, payee, replaced_at FROM transaction_history').all();
  const dirty = (s: Store) => s.db.prepare('SELECT line_id FROM transfer_dirty').all();

  it('no trigger fires on inserting a line: SQLite would keep a statement journal for every line written', () => {
    // A trigger on INSERT (any migration's) makes each insert journal the pages it touches, spilled
    // to a temporary file in a large transaction: 2.5× the CPU of a million-line sync. Counters
    // that need new lines are kept by the writer itself (migration 012's live counts).
    const { store, a1 } = setup();
    const onInsert = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'transactions' AND sql LIKE '%INSERT ON transactions%'").all();
    expect(onInsert).toEqual([]);
    store.transactions.write(row(a1), T0);
    store.transactions.write(row(a1, { id: 't000000000000000000000002', externalId: null, fingerprint: 'fp2' }), T0);
    expect(store.transactions.count(a1)).toBe(2);
  });

  it('inserts a new line, and the same line again changes nothing', () => {
    const { store, a1 } = setup();
    expect(store.transactions.write(row(a1), T0)).toBe('inserted');
    const before = stored(store);
    expect(before).toMatchObject([{ id: 't000000000000000000000001', revision: 0, removed_at: null, first_seen_at: T0, updated_at: T0 }]);
    expect(store.transactions.write(row(a1), T1)).toBe('unchanged');
    expect(stored(store)).toEqual(before);
    expect(history(store)).toEqual([]);
    expect(dirty(store)).toEqual([]);
  });

  it('a correction under the same provider id updates the line in place, keeps its history and queues it for transfer detection', () => {
    const { store, a1 } = setup();
    store.transactions.write(row(a1), T0);
    expect(store.transactions.write(row(a1, { amountMinor: -1050, fingerprint: 'fp2', id: 'tignored', currency: 'USD', source: 'other', ordinal: 3 }), T1)).toBe('updated');
    // Only the provider's fields change: the id, currency, source, ordinal and first sighting stay.
    expect(stored(store)).toMatchObject([
      { seq: 1, id: 't000000000000000000000001', amount_minor: -1050, fingerprint: 'fp2', currency: 'EUR', source: 'provider:fake', ordinal: 0, revision: 1, first_seen_at: T0, updated_at: T1 },
    ]);
    expect(history(store)).toEqual([{ transaction_id: 't000000000000000000000001', revision: 0, amount_minor: -1000, payee: 'Shop', replaced_at: T1 }]);
    expect(dirty(store)).toEqual([{ line_id: 't000000000000000000000001' }]);
  });

  it('each field a provider may correct counts as a change, NULLs included', () => {
    const { store, a1 } = setup();
    store.transactions.write(row(a1), T0);
    const changes: Partial<TransactionRow>[] = [
      { bookingDate: '2026-11-03' },
      { valueDate: '2026-11-04' },
      { valueDate: null },
      { payee: null },
      { payee: 'Shop' },
      { memo: 'card' },
      { type: 'pos' },
      { counterpartyIban: 'NL66SBOX0417164300' },
    ];
    let current = row(a1);
    for (const [i, change] of changes.entries()) {
      current = { ...current, ...change };
      expect(store.transactions.write(current, T1), JSON.stringify(change)).toBe('updated');
      expect(store.transactions.write(current, T1), JSON.stringify(change)).toBe('unchanged');
      expect(stored(store)[0]).toMatchObject({ revision: i + 1 });
    }
  });

  it('a removed line the provider sends again comes back as an update', () => {
    const { store, a1 } = setup();
    store.transactions.write(row(a1), T0);
    expect(store.transactions.markRemoved(a1, ['p1'], T0)).toBe(1);
    expect(store.transactions.write(row(a1), T1)).toBe('updated');
    expect(stored(store)).toMatchObject([{ removed_at: null, revision: 2, updated_at: T1 }]);
    expect(store.transactions.count(a1)).toBe(1);
  });

  it('the same provider id in another account is another line; an id already stored elsewhere is refused as before', () => {
    const { store, a1, a2 } = setup();
    store.transactions.write(row(a1), T0);
    expect(store.transactions.write(row(a2, { id: 't000000000000000000000002' }), T0)).toBe('inserted');
    // A line moved between accounts keeps its id: the old account's provider id then names nothing there.
    expect(() => store.transactions.write(row(a2, { externalId: 'p9' }), T0)).toThrow(/UNIQUE constraint failed: transactions\.id/);
    expect(stored(store)).toHaveLength(2);
  });

  it('lines without a provider id are inserted once by fingerprint and ordinal', () => {
    const { store, a1 } = setup();
    const line = row(a1, { externalId: null, id: 't000000000000000000000003' });
    expect(store.transactions.write(line, T0)).toBe('inserted');
    expect(store.transactions.write({ ...line, amountMinor: -5 }, T1)).toBe('unchanged');
    expect(store.transactions.write({ ...line, ordinal: 1, id: 't000000000000000000000004' }, T1)).toBe('inserted');
    expect(stored(store).map((r) => [r.ordinal, r.amount_minor])).toEqual([
      [0, -1000],
      [1, -1000],
    ]);
  });

  it('the batch methods answer as their per-line versions would, through the port too', async () => {
    const { store, a1, a2 } = setup();
    const db = sqlitePort(store);
    const r1 = row(a1);
    const r2 = row(a1, { id: 't000000000000000000000002', externalId: null, fingerprint: 'fp2' });
    const r3 = row(a1, { id: 't000000000000000000000003', externalId: null, fingerprint: 'fp2', ordinal: 1 });
    // A row repeated in one batch is written in order: the second is its correction.
    const outcomes = await db.write(() => db.transactions.writeBatch([r1, r2, r3, { ...r1, amountMinor: -1200 }, r2], T0));
    expect(outcomes).toEqual(['inserted', 'inserted', 'inserted', 'updated', 'unchanged']);
    expect(store.transactions.count(a1)).toBe(3);
    expect(await db.transactions.sourcesOf([r1.id, 'tnot', r3.id, r1.id])).toEqual(
      new Map([
        [r1.id, 'provider:fake'],
        [r3.id, 'provider:fake'],
      ]),
    );
    expect(await db.transactions.sourcesOf([r2.id, 'tnot'])).toEqual(new Map([[r2.id, 'provider:fake']]));
    expect(await db.transactions.externalIdsStored(a1, ['p1', 'p2'])).toEqual(new Set(['p1']));
    expect(await db.transactions.externalIdsStored(a2, ['p1'])).toEqual(new Set());
    expect(await db.transactions.fingerprintCounts(a1, ['fp1', 'fp2', 'fp3'])).toEqual(new Map([['fp2', 2]]));
    expect(store.transactions.fingerprintCount(a1, 'fp2')).toBe(2);
    // More keys than one IN (…) query takes.
    const many = Array.from({ length: 1_234 }, (_, i) => `tmany${i}`);
    expect(await db.transactions.sourcesOf([...many, r2.id])).toEqual(new Map([[r2.id, 'provider:fake']]));
  });
});
