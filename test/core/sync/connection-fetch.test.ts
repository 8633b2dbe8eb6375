import { sqlitePort } from '../../../src/store/index.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Services } from '../../../src/core/context.js';
import { BanksyncError } from '../../../src/domain/errors.js';
import { status } from '../../../src/core/status.js';
import { sync, type AccountResult } from '../../../src/core/sync/engine.js';
import { listWarnings } from '../../../src/core/warnings.js';
import type { ConnectionFetchRequest, ConnectionPage, FetchRequest, Provider, ProviderCapabilities, ProviderTransaction, TransactionPage } from '../../../src/providers/types.js';
import { connectionSecretOwner, Store } from '../../../src/store/index.js';

/** The provider the engine gets: each test sets its own (the registry is not the subject here). */
let current: Provider;
vi.mock('../../../src/core/providers.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/core/providers.js')>();
  // The registry loads adapters lazily once interface v2 lands whole: getProvider may be async.
  const isAsync = (real.getProvider as unknown as { constructor: { name: string } }).constructor.name === 'AsyncFunction';
  return { ...real, getProvider: isAsync ? async () => current : () => current };
});

const quiet = { info() {}, warn() {}, always() {}, progress: () => ({ update() {}, stop() {} }) };
const prompts = { interactive: false } as Services['prompts'];

function setup(accounts: { ext: string; watermark?: string; enabled?: boolean }[]) {
  const dir = mkdtempSync(join(tmpdir(), 'banksync-conn-'));
  const store = Store.open(join(dir, 'b.db'), { keyFile: join(dir, 'k') });
  let now = '2026-11-22T07:00:00.000Z';
  const s: Services = { db: sqlitePort(store), clock: () => new Date(now), env: {}, prompts, notify: quiet, openBrowser: async () => false };
  const c = store.connections.create({ providerId: 'fake', institutionId: 'bridge', institutionName: 'Fake Bridge', now });
  store.secrets.put(connectionSecretOwner(c), { token: 'x' }, now);
  const ids = accounts.map((a) => {
    const id = store.accounts.create({
      connectionId: c,
      providerId: 'fake',
      institutionId: 'bridge',
      externalId: a.ext,
      name: a.ext.toUpperCase(),
      currency: 'USD',
      kind: 'checking',
      stableIds: true,
      now,
    });
    if (a.watermark) store.accounts.setWatermark(id, a.watermark);
    if (a.enabled === false) store.accounts.updateSettings(id, { enabled: false });
    return id;
  });
  return { s, store, c, ids, setNow: (iso: string) => (now = iso) };
}

const caps = (extra: Partial<ProviderCapabilities> = {}): ProviderCapabilities => ({
  regions: ['US'],
  remote: false,
  consent: 'token',
  institutionChoice: 'provider',
  feed: 'window',
  betaInstitutions: false,
  credentialFields: [],
  pending: true,
  scaEveryFetch: false,
  stableTransactionIds: true,
  maxConcurrentRequests: 1,
  historyDays: 60,
  ...extra,
});

const t = (externalId: string, bookingDate: string, amountMinor: number): ProviderTransaction => ({ externalId, bookingDate, amountMinor, currency: 'USD', payee: 'Shop' });

function connectionProvider(answer: (req: ConnectionFetchRequest) => ConnectionPage[], extra: Partial<ProviderCapabilities> = {}, spendPerFetch = 1) {
  const calls: ConnectionFetchRequest[] = [];
  const p = {
    id: 'fake',
    displayName: 'Fake Bridge',
    capabilities: caps(extra),
    getInstitution: async () => undefined,
    fetchTransactions: () => {
      throw new Error('the engine must use fetchConnection');
    },
    async *fetchConnection(_s: unknown, req: ConnectionFetchRequest) {
      calls.push(req);
      for (let i = 0; i < spendPerFetch; i++) await req.budget?.spend();
      yield* answer(req);
    },
  } as unknown as Provider;
  return { p, calls };
}

const all = { target: { kind: 'all' as const, due: false }, unattended: true };
const byRef = (r: AccountResult[]) => Object.fromEntries(r.map((x) => [x.account, x]));
const amounts = (store: Store, id: number) => [...store.transactions.iterate({ accountIds: [id] })].map((x) => x.amountMinor);

describe('connection-level fetch (SimpleFIN /accounts answers for every account at once)', () => {
  beforeEach(() => vi.clearAllMocks());

  it("asks once for the union of the accounts' windows and writes each page to its account", async () => {
    const { s, store, ids } = setup([{ ext: 'org1/a', watermark: '2026-11-20' }, { ext: 'org1/b' }]);
    const { p, calls } = connectionProvider(() => [
      { accountExternalId: 'org1/a', booked: [t('1', '2026-11-21', -100)], balance: { amountMinor: 900, date: '2026-11-22' } },
      { accountExternalId: 'org1/b', booked: [t('1', '2026-10-01', -5), t('2', '2026-11-02', -7)] },
    ]);
    current = p;
    const r = await sync(s, all);
    expect(calls).toHaveLength(1);
    // a: from its watermark minus the overlap; b: never synced, 60 days of history: the union is b's.
    expect(calls[0]).toMatchObject({ accounts: [{ externalId: 'org1/a' }, { externalId: 'org1/b' }], from: '2026-09-23', to: '2026-11-22' });
    expect(r.accounts.map((x) => [x.account, x.result, x.newCount])).toEqual([
      ['a1', 'synced', 1],
      ['a2', 'synced', 2],
    ]);
    expect(amounts(store, ids[0]!)).toEqual([-100]);
    expect(amounts(store, ids[1]!)).toEqual([-5, -7]);
    expect(store.accounts.get(ids[1]!)!.watermarkDate).toBe('2026-11-02');
    expect(store.syncState.coverage(ids[0]!)).toEqual([{ from: '2026-09-23', to: '2026-11-22' }]);
    expect(r.accounts[0]!.driftMinor).toBe(0);
  });

  it("the union window never brings lines before an account's own lock date into it", async () => {
    const { s, store, ids } = setup([{ ext: 'a' }, { ext: 'b' }]);
    store.accounts.updateSettings(ids[0]!, { lockDate: '2026-11-01' });
    const { p, calls } = connectionProvider(() => [
      { accountExternalId: 'a', booked: [t('old', '2026-10-15', -1), t('new', '2026-11-05', -2)] },
      { accountExternalId: 'b', booked: [t('old', '2026-10-15', -3)] },
    ]);
    current = p;
    await sync(s, all);
    expect(calls[0]!.from).toBe('2026-09-23');
    expect(amounts(store, ids[0]!)).toEqual([-2]);
    expect(amounts(store, ids[1]!)).toEqual([-3]);
    expect(store.syncState.coverage(ids[0]!)).toEqual([{ from: '2026-11-01', to: '2026-11-22' }]);
  });

  it('an account missing from the answer is neither removed nor marked synced', async () => {
    const { s, store, ids } = setup([{ ext: 'a' }, { ext: 'b' }]);
    current = connectionProvider(() => [
      { accountExternalId: 'a', booked: [t('1', '2026-11-21', -1)] },
      { accountExternalId: 'b', booked: [t('1', '2026-11-21', -2)] },
    ]).p;
    await sync(s, all);
    current = connectionProvider(() => [{ accountExternalId: 'a', booked: [], warnings: ['My Bank needs you to log in again at the Bridge'] }]).p;
    const r = byRef((await sync(s, all)).accounts);
    expect(r.a1).toMatchObject({ result: 'synced', warnings: ['a1 A: Fake Bridge reported: My Bank needs you to log in again at the Bridge'] });
    expect(r.a2).toMatchObject({ result: 'failed', code: 'PROVIDER_ERROR', message: expect.stringMatching(/did not include a2 B; nothing of it was changed/) });
    expect(amounts(store, ids[1]!)).toEqual([-2]);
    expect(store.accounts.get(ids[1]!)!.state).toBe('failed');
  });

  it('ignores pages for accounts it does not sync: silently for its own (switched off), with a warning said once for unknown ones', async () => {
    const { s, store, ids } = setup([{ ext: 'a' }, { ext: 'off', enabled: false }]);
    const answer = () => [
      { accountExternalId: 'a', booked: [t('1', '2026-11-21', -1)] },
      { accountExternalId: 'off', booked: [t('1', '2026-11-21', -2)] },
      { accountExternalId: 'stranger', booked: [t('1', '2026-11-21', -3)] },
    ];
    current = connectionProvider(answer).p;
    const r1 = await sync(s, all);
    expect(r1.accounts).toHaveLength(1);
    expect(r1.accounts[0]!.warnings).toEqual([expect.stringMatching(/Fake Bridge answered for account stranger of c1, which banksync does not sync: ignored/)]);
    expect(amounts(store, ids[1]!)).toEqual([]);
    const r2 = await sync(s, all);
    expect(r2.accounts[0]!.warnings).toBeUndefined();
    expect(await listWarnings(s, { kind: 'provider-warning' })).toHaveLength(1);
  });

  it("spends at most the connection's requests a day, retries included, and defers (not fails) when they are spent", async () => {
    const { s, store, c, setNow } = setup([{ ext: 'a' }, { ext: 'b' }]);
    const answer = () => [
      { accountExternalId: 'a', booked: [] },
      { accountExternalId: 'b', booked: [] },
    ];
    // Two requests per sync (one and a retry, say); three a day.
    const fake = connectionProvider(answer, { connectionRequestsPerDay: 3 }, 2);
    current = fake.p;
    expect((await sync(s, all)).accounts.map((x) => x.result)).toEqual(['synced', 'synced']);
    const second = await sync(s, all); // the third request is allowed, the fourth is not
    expect(second.accounts.map((x) => [x.result, x.nextRefreshAt])).toEqual([
      ['deferred', '2026-11-23T00:00:00.000Z'],
      ['deferred', '2026-11-23T00:00:00.000Z'],
    ]);
    expect(second.accounts[0]!.message).toMatch(/Fake Bridge allows 3 request\(s\) a day per connection and today's are spent; next request possible at 2026-11-23T00:00:00.000Z/);
    expect(second.outcome).toBe('ok');
    expect(store.syncState.connectionRequestsSince(c, '2026-11-22T00:00:00.000Z')).toBe(3);
    expect((await status(s)).connections[0]!.requestsToday).toBe(3);
    const third = await sync(s, all);
    expect(third.accounts.map((x) => x.result)).toEqual(['deferred', 'deferred']);
    expect(fake.calls).toHaveLength(2); // spent: the provider is not even asked
    setNow('2026-11-23T00:00:05.000Z');
    expect((await sync(s, all)).accounts.map((x) => x.result)).toEqual(['synced', 'synced']);
  });

  it('counts a fetch whose adapter never spends as one request', async () => {
    const { s, store, c } = setup([{ ext: 'a' }]);
    current = connectionProvider(() => [{ accountExternalId: 'a', booked: [] }], { connectionRequestsPerDay: 24 }, 0).p;
    await sync(s, all);
    await sync(s, all);
    expect(store.syncState.connectionRequestsSince(c, '2026-11-22T00:00:00.000Z')).toBe(2);
  });

  it('a failure mid-answer keeps the whole pages written and fails every account of the connection', async () => {
    const { s, store, ids } = setup([{ ext: 'a' }, { ext: 'b' }]);
    current = {
      ...connectionProvider(() => []).p,
      async *fetchConnection() {
        yield { accountExternalId: 'a', booked: [t('1', '2026-11-21', -1)] };
        throw new BanksyncError('PROVIDER_UNAVAILABLE', 'the Bridge answered 502');
      },
    } as unknown as Provider;
    const r = await sync(s, all);
    expect(r.accounts.map((x) => [x.result, x.code])).toEqual([
      ['failed', 'PROVIDER_UNAVAILABLE'],
      ['failed', 'PROVIDER_UNAVAILABLE'],
    ]);
    expect(amounts(store, ids[0]!)).toEqual([-1]);
    expect(store.accounts.get(ids[0]!)!.watermarkDate).toBeNull();
  });
});

describe('per-account fetches under a connection budget, cursors and "not ready yet"', () => {
  function accountProvider(fetch: (req: FetchRequest) => TransactionPage[] | Error, extra: Partial<ProviderCapabilities> = {}) {
    const calls: FetchRequest[] = [];
    const p = {
      id: 'fake',
      displayName: 'Fake Plaid',
      capabilities: caps(extra),
      getInstitution: async () => undefined,
      async *fetchTransactions(_s: unknown, req: FetchRequest) {
        calls.push(req);
        const r = fetch(req);
        if (r instanceof Error) throw r;
        yield* r;
      },
    } as unknown as Provider;
    return { p, calls };
  }

  it('the connection budget is shared by its accounts: the one it does not reach is deferred', async () => {
    const { s } = setup([{ ext: 'a' }, { ext: 'b' }]);
    current = accountProvider(() => [{ booked: [] }], { connectionRequestsPerDay: 1 }).p;
    const r = await sync(s, all);
    expect(r.accounts.map((x) => x.result)).toEqual(['synced', 'deferred']);
  });

  it('a cursor feed gets the stored cursor in FetchRequest.cursor', async () => {
    const { s, store, ids } = setup([{ ext: 'a' }]);
    const fake = accountProvider((req) => [{ booked: [t(`l${req.cursor ?? 0}`, '2026-11-21', -1)], pendingMode: 'delta', nextCursor: `${Number(req.cursor ?? 0) + 1}` }], { feed: 'cursor' });
    current = fake.p;
    await sync(s, all);
    await sync(s, all);
    expect(fake.calls.map((c) => c.cursor)).toEqual([undefined, '1']);
    expect(store.accounts.feedCursor(ids[0]!)).toBe('2');
    expect(amounts(store, ids[0]!)).toHaveLength(2);
  });

  it('"not ready yet" defers the account with a clear message, and status says so', async () => {
    const { s, store, ids } = setup([{ ext: 'a' }]);
    current = accountProvider(() => new BanksyncError('NOT_READY', 'Plaid has not finished its first pull of transactions', { retryAt: '2026-11-22T08:00:00.000Z' })).p;
    const r = await sync(s, all);
    expect(r.accounts[0]).toMatchObject({
      result: 'deferred',
      code: 'NOT_READY',
      nextRefreshAt: '2026-11-22T08:00:00.000Z',
      message: 'the provider is still preparing data (Plaid has not finished its first pull of transactions); next try after 2026-11-22T08:00:00.000Z',
    });
    expect(r.outcome).toBe('ok');
    const a = (await status(s)).connections[0]!.accounts[0]!;
    expect(a).toMatchObject({ state: 'not_synced', detail: expect.stringMatching(/still preparing data/), nextRefreshAt: '2026-11-22T08:00:00.000Z' });
    expect(store.syncState.coverage(ids[0]!)).toEqual([]);
  });
});
