import { describe, expect, it } from 'vitest';
import type { StorePort } from '../../../src/store/port.js';
import type { NewAccount } from '../../../src/store/sqlite/accounts.js';
import { STORE_KINDS, useStore } from '../../helpers/stores.js';

const T1 = '2026-11-20T09:00:00.000Z';
const T2 = '2026-11-21T10:30:00.000Z';

const account = (connectionId: number | null, externalId: string | null, more: Partial<NewAccount> = {}): NewAccount => ({
  connectionId,
  providerId: connectionId === null ? 'file' : 'fake',
  institutionId: 'BANK',
  externalId,
  name: `Account ${externalId ?? 'file'}`,
  currency: 'EUR',
  kind: 'checking',
  stableIds: true,
  now: T1,
  ...more,
});

const connection = (db: StorePort, name = 'Bank') => db.connections.create({ providerId: 'fake', institutionId: 'BANK', institutionName: name, now: T1 });

describe.each(STORE_KINDS)('accounts on %s', (kind) => {
  const store = useStore(kind);

  it('creates an account with its defaults and reads every field back', async () => {
    const { db } = store();
    const c = await connection(db);
    const id = await db.accounts.create(
      account(c, 'ext-1', { iban: 'DE89370400440532013000', number: '0532013000', matchKey: 'hash-1', kind: 'savings', historyDays: 730, stableIds: false, meta: { product: 'Giro', b: 'x' } }),
    );
    expect(await db.accounts.get(id)).toEqual({
      id,
      connectionId: c,
      providerId: 'fake',
      institutionId: 'BANK',
      externalId: 'ext-1',
      name: 'Account ext-1',
      iban: 'DE89370400440532013000',
      number: '0532013000',
      matchKey: 'hash-1',
      currency: 'EUR',
      kind: 'savings',
      enabled: true,
      statementPeriod: 'month',
      lockDate: null,
      syncIntervalHours: 12,
      historyDays: 730,
      stableIds: false,
      ledgerName: null,
      state: 'not_synced',
      stateDetail: null,
      lastErrorCode: null,
      lastErrorRef: null,
      lastAttemptAt: null,
      lastSuccessAt: null,
      lastNewCount: null,
      lastPendingCount: null,
      nextRefreshAt: null,
      watermarkDate: null,
      openingBalanceMinor: null,
      balanceDriftMinor: null,
      providerMeta: { product: 'Giro', b: 'x' },
      createdAt: T1,
    });
    const bare = await db.accounts.create(account(null, null, { meta: {} }));
    expect(await db.accounts.get(bare)).toMatchObject({ connectionId: null, externalId: null, iban: null, number: null, matchKey: null, historyDays: null, stableIds: true, providerMeta: null });
    expect(await db.accounts.get(bare + 1000)).toBeUndefined();
  });

  it('lists accounts by id, and those of one connection', async () => {
    const { db } = store();
    const c1 = await connection(db, 'One');
    const c2 = await connection(db, 'Two');
    const a = await db.accounts.create(account(c1, 'a'));
    const b = await db.accounts.create(account(c2, 'b'));
    const f = await db.accounts.create(account(null, null));
    const d = await db.accounts.create(account(c1, 'd'));
    expect((await db.accounts.list()).map((x) => x.id)).toEqual([a, b, f, d]);
    expect((await db.accounts.byConnection(c1)).map((x) => x.id)).toEqual([a, d]);
    expect((await db.accounts.byConnection(c2)).map((x) => x.externalId)).toEqual(['b']);
    expect(await db.accounts.byConnection(c2 + 1000)).toEqual([]);
  });

  it('refuses a second account with the same provider id on one connection', async () => {
    const { db } = store();
    const c = await connection(db);
    await db.accounts.create(account(c, 'same'));
    await expect(db.accounts.create(account(c, 'same'))).rejects.toThrow();
    await db.accounts.create(account(await connection(db, 'Other'), 'same')); // another connection may
    expect(await db.accounts.list()).toHaveLength(2);
  });

  it('re-points a renewed account: a new provider id forgets the feed cursor, the same id keeps it', async () => {
    const { db } = store();
    const c = await connection(db);
    const id = await db.accounts.create(account(c, 'old', { matchKey: 'mk' }));
    expect(await db.accounts.feedCursor(id)).toBeUndefined();
    await db.accounts.setFeedCursor(id, 'cursor-1');
    expect(await db.accounts.feedCursor(id)).toBe('cursor-1');
    await db.accounts.updateExternalId(id, 'old');
    expect(await db.accounts.feedCursor(id)).toBe('cursor-1');
    expect(await db.accounts.get(id)).toMatchObject({ externalId: 'old', matchKey: 'mk' });
    await db.accounts.updateExternalId(id, 'new');
    expect(await db.accounts.feedCursor(id)).toBeUndefined();
    expect(await db.accounts.get(id)).toMatchObject({ externalId: 'new', matchKey: 'mk' });
    await db.accounts.setFeedCursor(id, 'cursor-2');
    await db.accounts.updateExternalId(id, 'newer', 'mk-2');
    expect(await db.accounts.get(id)).toMatchObject({ externalId: 'newer', matchKey: 'mk-2' });
    expect(await db.accounts.feedCursor(id)).toBeUndefined();
    // an account with no provider id yet (imported files first) takes one
    const file = await db.accounts.create(account(c, null));
    await db.accounts.setFeedCursor(file, 'c');
    await db.accounts.updateExternalId(file, 'given');
    expect(await db.accounts.feedCursor(file)).toBeUndefined();
    await db.accounts.setFeedCursor(id, null);
    expect(await db.accounts.feedCursor(id)).toBeUndefined();
  });

  it('replaces the provider meta whole, and an empty one clears it', async () => {
    const { db } = store();
    const id = await db.accounts.create(account(await connection(db), 'x', { meta: { a: '1', b: '2' } }));
    await db.accounts.setProviderMeta(id, { c: '3' });
    expect((await db.accounts.get(id))?.providerMeta).toEqual({ c: '3' });
    await db.accounts.setProviderMeta(id, {});
    expect((await db.accounts.get(id))?.providerMeta).toBeNull();
    await db.accounts.setProviderMeta(id, { d: '4' });
    await db.accounts.setProviderMeta(id, undefined);
    expect((await db.accounts.get(id))?.providerMeta).toBeNull();
  });

  it('changes only the settings given; null clears one', async () => {
    const { db } = store();
    const c = await connection(db);
    const id = await db.accounts.create(account(c, 'x'));
    const other = await db.accounts.create(account(c, 'y'));
    await db.accounts.updateSettings(id, { enabled: false, statementPeriod: 'week', lockDate: '2025-12-31', syncIntervalHours: 6, ledgerName: 'Assets:Bank' });
    expect(await db.accounts.get(id)).toMatchObject({ enabled: false, statementPeriod: 'week', lockDate: '2025-12-31', syncIntervalHours: 6, ledgerName: 'Assets:Bank' });
    await db.accounts.updateSettings(id, { lockDate: null, enabled: true });
    expect(await db.accounts.get(id)).toMatchObject({ enabled: true, statementPeriod: 'week', lockDate: null, syncIntervalHours: 6, ledgerName: 'Assets:Bank' });
    await db.accounts.updateSettings(id, {});
    await db.accounts.updateSettings(id, { ledgerName: null, statementPeriod: 'none' });
    expect(await db.accounts.get(id)).toMatchObject({ enabled: true, statementPeriod: 'none', ledgerName: null, syncIntervalHours: 6 });
    expect(await db.accounts.get(other)).toMatchObject({ enabled: true, statementPeriod: 'month', lockDate: null, syncIntervalHours: 12, ledgerName: null });
  });

  it('records a sync: an outcome keeps what it does not mention and clears what it sets to null', async () => {
    const { db } = store();
    const id = await db.accounts.create(account(await connection(db), 'x'));
    await db.accounts.markSyncing(id, T1);
    expect(await db.accounts.get(id)).toMatchObject({ state: 'syncing', lastAttemptAt: T1 });
    await db.accounts.recordOutcome(id, { state: 'synced', detail: null, attemptAt: T1, successAt: T1, newCount: 5, pendingCount: 2, nextRefreshAt: '2026-11-20T21:00:00.000Z' });
    expect(await db.accounts.get(id)).toMatchObject({
      state: 'synced',
      stateDetail: null,
      lastAttemptAt: T1,
      lastSuccessAt: T1,
      lastNewCount: 5,
      lastPendingCount: 2,
      nextRefreshAt: '2026-11-20T21:00:00.000Z',
      lastErrorCode: null,
      lastErrorRef: null,
    });
    await db.accounts.recordOutcome(id, { state: 'failed', detail: 'bank down', errorCode: 'PROVIDER_DOWN', errorRef: 'E-1', attemptAt: T2 });
    expect(await db.accounts.get(id)).toMatchObject({
      state: 'failed',
      stateDetail: 'bank down',
      lastAttemptAt: T2,
      lastSuccessAt: T1,
      lastNewCount: 5,
      lastPendingCount: 2,
      nextRefreshAt: '2026-11-20T21:00:00.000Z',
      lastErrorCode: 'PROVIDER_DOWN',
      lastErrorRef: 'E-1',
    });
    await db.accounts.recordOutcome(id, {
      state: 'synced',
      detail: null,
      errorCode: null,
      errorRef: null,
      attemptAt: '2026-11-22T00:00:00.000Z',
      successAt: '2026-11-22T00:00:00.000Z',
      newCount: 0,
      pendingCount: 0,
      nextRefreshAt: null,
    });
    expect(await db.accounts.get(id)).toMatchObject({
      state: 'synced',
      lastErrorCode: null,
      lastErrorRef: null,
      lastNewCount: 0,
      lastPendingCount: 0,
      nextRefreshAt: null,
      lastSuccessAt: '2026-11-22T00:00:00.000Z',
    });
  });

  it('keeps the watermark, the balance check and the name; deletes an account', async () => {
    const { db } = store();
    const c = await connection(db);
    const id = await db.accounts.create(account(c, 'x'));
    const other = await db.accounts.create(account(c, 'y'));
    await db.accounts.setWatermark(id, '2026-11-01');
    await db.accounts.setBalanceCheck(id, -12_345_678_901, 250);
    await db.accounts.rename(id, 'Everyday');
    expect(await db.accounts.get(id)).toMatchObject({ watermarkDate: '2026-11-01', openingBalanceMinor: -12_345_678_901, balanceDriftMinor: 250, name: 'Everyday' });
    await db.accounts.setWatermark(id, null);
    await db.accounts.setBalanceCheck(id, null, null);
    expect(await db.accounts.get(id)).toMatchObject({ watermarkDate: null, openingBalanceMinor: null, balanceDriftMinor: null });
    expect(await db.accounts.get(other)).toMatchObject({ name: 'Account y', watermarkDate: null });
    await db.accounts.delete(id);
    expect(await db.accounts.get(id)).toBeUndefined();
    expect((await db.accounts.list()).map((a) => a.id)).toEqual([other]);
  });
});
