import { sqlitePort } from '../../../src/store/index.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Prompts, Services } from '../../../src/core/context.js';
import { BanksyncError } from '../../../src/domain/errors.js';
import { redact } from '../../../src/secrets/index.js';
import { sync } from '../../../src/core/sync/engine.js';
import type { FetchRequest, Provider, ProviderCapabilities, RefreshOutcome, RequestInput } from '../../../src/providers/types.js';
import { connectionSecretOwner, Store } from '../../../src/store/index.js';

/** The provider the engine gets: each test sets its own. */
let current: Provider;
vi.mock('../../../src/core/providers.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/core/providers.js')>();
  return { ...real, getProvider: async () => current };
});

const NOW = '2026-11-22T07:00:00.000Z';

function setup(connections: string[][], prompts: Prompts = { interactive: false } as Prompts) {
  const dir = mkdtempSync(join(tmpdir(), 'banksync-refresh-'));
  const store = Store.open(join(dir, 'b.db'), { keyFile: join(dir, 'k') });
  const progress: string[] = [];
  const s: Services = {
    db: sqlitePort(store),
    clock: () => new Date(NOW),
    env: {},
    prompts,
    openBrowser: async () => false,
    notify: {
      info() {},
      warn() {},
      always() {},
      progress: (m) => (progress.push(`start ${m}`), { update: (u) => void progress.push(u), stop: () => void progress.push('stop') }),
    },
  };
  const ids = connections.map((exts, i) => {
    const c = store.connections.create({ providerId: 'fake', institutionId: 'bank', institutionName: `Bank ${i + 1}`, now: NOW });
    store.secrets.put(connectionSecretOwner(c), { token: `t${c}` }, NOW);
    return exts.map((ext) =>
      store.accounts.create({
        connectionId: c,
        providerId: 'fake',
        institutionId: 'bank',
        externalId: ext,
        name: ext,
        currency: 'EUR',
        kind: 'checking',
        stableIds: true,
        now: NOW,
        meta: { container: `box-${ext}` },
      }),
    );
  });
  return { s, store, ids: ids.flat(), progress };
}

const caps = (): ProviderCapabilities => ({
  regions: ['XF'],
  remote: false,
  consent: 'redirect',
  institutionChoice: 'provider',
  feed: 'window',
  betaInstitutions: false,
  credentialFields: [],
  pending: true,
  scaEveryFetch: false,
  stableTransactionIds: true,
  maxConcurrentRequests: 4,
  historyDays: 30,
});

/** A provider whose refresh answers come from `answers` in turn (the last one repeats); every call is logged in order. */
function refreshing(answers: (RefreshOutcome | Error | ((input: RequestInput) => Promise<RefreshOutcome>))[]) {
  const log: string[] = [];
  const fetched: FetchRequest[] = [];
  const refreshedWith: unknown[] = [];
  let n = 0;
  const p = {
    id: 'fake',
    displayName: 'Fake Aggregator',
    capabilities: caps(),
    getInstitution: async () => undefined,
    async refreshConnection(h: { data: Record<string, unknown> }, o: { requestInput: RequestInput; accounts: unknown[] }) {
      log.push(`refresh ${String(h.data.token)}`);
      refreshedWith.push(o.accounts);
      const a = answers[Math.min(n++, answers.length - 1)]!;
      if (a instanceof Error) throw a;
      return typeof a === 'function' ? a(o.requestInput) : a;
    },
    async *fetchTransactions(_h: unknown, req: FetchRequest) {
      log.push(`fetch ${req.account.externalId}`);
      fetched.push(req);
      yield { booked: [{ externalId: `x-${req.account.externalId}`, bookingDate: '2026-11-21', amountMinor: -100, currency: 'EUR', payee: 'Shop' }] };
    },
  } as unknown as Provider;
  return { p, log, fetched, refreshedWith };
}

const all = { target: { kind: 'all' as const, due: false }, unattended: true };

describe('refreshConnection before fetching', () => {
  it('is called once per connection before any of its accounts is fetched, with the accounts and their meta', async () => {
    const { s } = setup([['a', 'b']]);
    const { p, log, fetched, refreshedWith } = refreshing([{ status: 'done' }]);
    current = p;
    const r = await sync(s, all);
    expect(log).toEqual(['refresh t1', 'fetch a', 'fetch b']);
    expect(refreshedWith[0]).toEqual([
      { externalId: 'a', institutionId: 'bank', meta: { container: 'box-a' } },
      { externalId: 'b', institutionId: 'bank', meta: { container: 'box-b' } },
    ]);
    // Meta stored at connect comes back with every fetch.
    expect(fetched.map((f) => f.account.meta)).toEqual([{ container: 'box-a' }, { container: 'box-b' }]);
    expect(r.accounts.map((a) => [a.result, a.message])).toEqual([
      ['synced', undefined],
      ['synced', undefined],
    ]);
    expect(r.outcome).toBe('ok');
  });

  it('polls a pending refresh again after pollAfterMs, with progress, until it is done', async () => {
    const { s, progress } = setup([['a']]);
    const { p, log } = refreshing([{ status: 'pending', pollAfterMs: 1 }, { status: 'pending', pollAfterMs: 1 }, { status: 'done' }]);
    current = p;
    const r = await sync(s, { ...all, refreshWaitMs: 60_000 });
    expect(log).toEqual(['refresh t1', 'refresh t1', 'refresh t1', 'fetch a']);
    expect(progress.filter((m) => m.includes('is refreshing at Fake Aggregator'))).toHaveLength(2);
    expect(r.accounts[0]).toMatchObject({ result: 'synced', newCount: 1 });
    expect(r.accounts[0]!.message).toBeUndefined();
  });

  it('stops waiting at the bound and fetches what the provider holds, saying so', async () => {
    const { s } = setup([['a']]);
    const { p, log } = refreshing([{ status: 'pending', pollAfterMs: 1_000 }]);
    current = p;
    const r = await sync(s, { ...all, refreshWaitMs: 0 });
    expect(log).toEqual(['refresh t1', 'fetch a']);
    expect(r.accounts[0]).toMatchObject({ result: 'synced', message: expect.stringMatching(/Bank 1 was still refreshing at Fake Aggregator after \d+ s: synced what Fake Aggregator holds now/) });
    expect(r.outcome).toBe('ok');
  });

  it('deferred without a cached copy: every account of the connection is deferred to the next possible time (exit 0)', async () => {
    const { s, store, ids } = setup([['a', 'b']]);
    const { p, log } = refreshing([{ status: 'deferred', nextPossibleAt: '2026-11-22T09:00:00.000Z', message: 'the bank allows a refresh every 2 hours', fetchCached: false }]);
    current = p;
    const r = await sync(s, all);
    expect(log).toEqual(['refresh t1']);
    expect(r.accounts.map((a) => [a.result, a.nextRefreshAt, a.message])).toEqual([
      ['deferred', '2026-11-22T09:00:00.000Z', 'the bank allows a refresh every 2 hours; next refresh possible at 2026-11-22T09:00:00.000Z'],
      ['deferred', '2026-11-22T09:00:00.000Z', 'the bank allows a refresh every 2 hours; next refresh possible at 2026-11-22T09:00:00.000Z'],
    ]);
    expect(store.accounts.get(ids[0]!)!.nextRefreshAt).toBe('2026-11-22T09:00:00.000Z');
    expect(r.outcome).toBe('ok');
  });

  it("deferred with a cached copy: fetches it and notes that the data is not the bank's latest", async () => {
    const { s } = setup([['a']]);
    const { p, log } = refreshing([{ status: 'deferred', message: 'refreshed 3 minutes ago', fetchCached: true }]);
    current = p;
    const r = await sync(s, all);
    expect(log).toEqual(['refresh t1', 'fetch a']);
    expect(r.accounts[0]).toMatchObject({ result: 'synced', message: 'Fake Aggregator did not refresh from Bank 1 now (refreshed 3 minutes ago): synced what it already holds' });
  });

  it('maps its errors as fetch errors: needs a human → skipped with the update-credentials command (exit 3); a rate limit → deferred', async () => {
    const { s, store } = setup([['a', 'b']]);
    const { p, log } = refreshing([new BanksyncError('CONSENT_EXPIRED', 'Fake: the consent has expired')]);
    current = p;
    const r = await sync(s, all);
    expect(log).toEqual(['refresh t1']);
    expect(r.accounts.map((a) => [a.result, a.code, a.hint])).toEqual([
      ['skipped', 'CONSENT_EXPIRED', 'renew it: banksync update-credentials c1'],
      ['skipped', 'CONSENT_EXPIRED', 'renew it: banksync update-credentials c1'],
    ]);
    expect(store.connections.get(1)!.status).toBe('needs_human');
    expect(r.outcome).toBe('needs-human');

    const later = setup([['a']]);
    current = refreshing([new BanksyncError('RATE_LIMITED', 'Fake: background-fetch limit reached', { retryAt: '2026-11-23T00:00:00.000Z' })]).p;
    const r2 = await sync(later.s, all);
    expect(r2.accounts[0]).toMatchObject({ result: 'deferred', code: 'RATE_LIMITED', nextRefreshAt: '2026-11-23T00:00:00.000Z' });
    expect(r2.outcome).toBe('ok');
  });
});

describe('requestInput during a refresh', () => {
  const asksOtp = (input: RequestInput) =>
    input({ field: 'otp', label: 'the code sent by SMS', secret: true }).then((code): RefreshOutcome => {
      if (code !== '123456') throw new BanksyncError('CREDENTIALS_INVALID', 'wrong code');
      return { status: 'done' };
    });

  it('unattended: the connection needs a human, with the command to run at a terminal (exit 3), and nothing is fetched', async () => {
    const { s, store } = setup([['a', 'b']]);
    const { p, log } = refreshing([asksOtp]);
    current = p;
    const r = await sync(s, all);
    expect(log).toEqual(['refresh t1']);
    expect(r.accounts.map((a) => [a.result, a.code, a.message, a.hint])).toEqual([
      ['skipped', 'SCA_REQUIRED', 'Bank 1 asks for the code sent by SMS during its refresh, so it cannot sync unattended', 'sync it by hand at a terminal: banksync sync c1'],
      ['skipped', 'SCA_REQUIRED', 'Bank 1 asks for the code sent by SMS during its refresh, so it cannot sync unattended', 'sync it by hand at a terminal: banksync sync c1'],
    ]);
    // Like SCA-every-fetch banks: the connection itself is fine.
    expect(store.connections.get(1)!.status).toBe('active');
    expect(r.outcome).toBe('needs-human');
  });

  it('at a terminal: asks masked, one question at a time across connections, with the spinner stopped', async () => {
    let open = 0;
    let most = 0;
    const asked: { message: string; secret?: boolean }[] = [];
    const prompts = {
      interactive: true,
      async input(message: string, _flag: string, o?: { secret?: boolean }) {
        asked.push({ message, secret: o?.secret });
        most = Math.max(most, ++open);
        await new Promise((r) => setTimeout(r, 5));
        open--;
        return '123456';
      },
    } as unknown as Prompts;
    const { s, progress } = setup([['a'], ['b'], ['c']], prompts);
    const { p, log } = refreshing([asksOtp]);
    current = p;
    const r = await sync(s, { ...all, unattended: false });
    expect(most).toBe(1);
    expect(asked).toHaveLength(3);
    expect(asked[0]).toEqual({ message: 'Bank 1 (c1) asks: the code sent by SMS', secret: true });
    expect(progress.filter((m) => m === 'stop').length).toBeGreaterThanOrEqual(3);
    expect(log.filter((l) => l.startsWith('fetch')).sort()).toEqual(['fetch a', 'fetch b', 'fetch c']);
    expect(r.accounts.map((a) => a.result)).toEqual(['synced', 'synced', 'synced']);
    // A secret answer never reaches any output: it is registered for redaction.
    expect(redact('the bank took 123456')).not.toContain('123456');
  });
});
