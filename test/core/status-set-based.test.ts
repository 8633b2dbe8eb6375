import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { status } from '../../src/core/status.js';
import { Store, type StorePort } from '../../src/store/index.js';
import { testServices } from '../helpers/services.js';

const NOW = '2026-11-22T07:00:00.000Z';

/** A store with `n` accounts on one connection and one imported-files account, each with something for status to show. */
function storeWith(dir: string, n: number): Store {
  const store = Store.open(join(dir, `b${n}.db`), { keyFile: join(dir, 'k') });
  const c = store.connections.create({ providerId: 'fake', institutionId: 'i', institutionName: 'I', now: NOW });
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(store.accounts.create({ connectionId: c, providerId: 'fake', institutionId: 'i', externalId: `e${i}`, name: `A${i}`, currency: 'EUR', kind: 'checking', stableIds: true, now: NOW }));
  }
  ids.push(store.accounts.create({ connectionId: null, providerId: 'file', institutionId: 'file', externalId: 'f', name: 'F', currency: 'EUR', kind: 'checking', stableIds: false, now: NOW }));
  for (const [k, a] of ids.entries()) {
    for (let j = 0; j <= k; j++) {
      store.transactions.write(
        {
          id: `t${a}-${j}`,
          accountId: a,
          externalId: `x${j}`,
          fingerprint: `f${j}`,
          ordinal: 0,
          bookingDate: `2026-01-0${(j % 9) + 1}`,
          valueDate: null,
          amountMinor: -100 * (j + 1),
          currency: 'EUR',
          payee: 'P',
          memo: null,
          type: 'debit',
          counterpartyIban: null,
          source: 'provider:fake',
        },
        NOW,
      );
    }
    store.syncState.addCoverage(a, { from: '2026-01-01', to: '2026-01-10' });
    if (k % 2) store.syncState.addCoverage(a, { from: '2026-02-01', to: '2026-02-10' });
    store.syncState.recordBalance(a, '2026-01-05', 100 * k, NOW);
    store.syncState.recordBalance(a, '2026-01-09', 200 * k, NOW);
    if (k % 2 === 0) {
      store.inputIssues.record({ accountId: a, kind: 'quarantined', key: `q${a}`, severity: 'warning', source: 'provider:fake', message: `older ${a}` }, '2026-11-01T00:00:00.000Z');
      store.inputIssues.record({ accountId: a, kind: 'quarantined', key: `r${a}`, severity: 'warning', source: 'provider:fake', message: `newer ${a}` }, NOW);
    }
    store.inputIssues.record({ accountId: a, kind: 'field-dropped', key: `i${a}`, severity: 'info', source: 'provider:fake', message: 'info only' }, NOW);
  }
  store.syncState.recordError({ ref: 'E1', at: NOW, connectionId: c, accountId: ids[0]!, code: 'RATE_LIMITED', message: 'slow down' });
  store.accounts.recordOutcome(ids[0]!, { state: 'failed', detail: 'rate limited', errorCode: 'RATE_LIMITED', errorRef: 'E1', attemptAt: NOW });
  store.accounts.markSyncing(ids[1]!, NOW); // a sync that died: no lock held
  store.syncState.recordConnectionRequest(c, '2026-11-21T23:59:59.000Z');
  store.syncState.recordConnectionRequest(c, '2026-11-22T01:00:00.000Z');
  store.syncState.recordConnectionRequest(c, '2026-11-22T02:00:00.000Z');
  return store;
}

/** The port with every repository call counted (units of work still run on the port itself). */
function counting(db: StorePort): { db: StorePort; calls: string[] } {
  const calls: string[] = [];
  const wrapped = Object.create(db) as Record<string, unknown>;
  for (const name of ['write', 'snapshot', 'ensureIntact', 'rollbackOpen', 'close'] as const) wrapped[name] = db[name].bind(db);
  for (const [repo, methods] of Object.entries(db)) {
    const face: Record<string, unknown> = {};
    for (const [method, f] of Object.entries(methods as Record<string, (...args: unknown[]) => unknown>)) {
      face[method] = (...args: unknown[]) => {
        calls.push(`${repo}.${method}`);
        return f(...args);
      };
    }
    Object.defineProperty(wrapped, repo, { value: face });
  }
  return { db: wrapped as unknown as StorePort, calls };
}

describe('status reads the store set-based', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'banksync-status-'));
    dirs.push(d);
    return d;
  };

  it('each batch method answers what the per-account method answers, for every account', () => {
    const store = storeWith(tempDir(), 4);
    const accounts = store.accounts.list();
    const now = new Date(NOW);
    const balances = store.syncState.latestBalances();
    const coverage = store.syncState.coverageByAccount();
    const counts = store.transactions.liveCounts();
    const warnings = store.inputIssues.countsByAccount();
    const errors = store.syncState.accountErrorMessages();
    for (const a of accounts) {
      expect(balances.get(a.id)).toEqual(store.syncState.latestBalance(a.id));
      expect(coverage.get(a.id) ?? []).toEqual(store.syncState.coverage(a.id));
      expect(counts.get(a.id) ?? 0).toBe(store.transactions.count(a.id));
      expect(warnings.get(a.id) ?? { warnings: 0, latest: null }).toEqual(store.inputIssues.counts(a.id));
      if (a.lastErrorRef) expect(errors.get(a.lastErrorRef)).toBe(store.syncState.errorMessage(a.lastErrorRef));
    }
    expect(errors).toEqual(new Map([['E1', 'slow down']]));
    expect([...warnings.keys()].sort()).toEqual(
      accounts
        .filter((_, k) => k % 2 === 0)
        .map((a) => a.id)
        .sort(),
    );
    for (const c of store.connections.list()) {
      expect(store.syncState.connectionRequestsSinceByConnection('2026-11-22T00:00:00.000Z').get(c.id)).toBe(store.syncState.connectionRequestsSince(c.id, '2026-11-22T00:00:00.000Z'));
    }
    expect(store.locks.heldAccounts(now)).toEqual(new Set());
    store.locks.acquire(accounts[1]!.id, now);
    expect(store.locks.heldAccounts(now)).toEqual(new Set([accounts[1]!.id]));
    expect(store.locks.heldAccounts(new Date(Date.parse(NOW) + 3_600_000))).toEqual(new Set()); // the lease ran out
    store.close();
  });

  it('asks the same number of questions for 2 accounts as for 12, and the answer is the same as before', async () => {
    const dir = tempDir();
    const asked: number[] = [];
    for (const n of [2, 12]) {
      const store = storeWith(dir, n);
      const base = testServices(store, { now: NOW });
      const { db, calls } = counting(base.db);
      const report = await status({ ...base, db });
      asked.push(calls.length);
      const accounts = [...report.connections.flatMap((c) => c.accounts), ...report.files];
      expect(accounts).toHaveLength(n + 1);
      expect(report.connections[0]!.requestsToday).toBe(2);
      expect(accounts[0]).toMatchObject({ state: 'failed', lastError: { code: 'RATE_LIMITED', message: 'slow down', ref: 'E1' }, transactions: 1, balance: { providerMinor: 0, date: '2026-01-09' } });
      expect(accounts[1]).toMatchObject({
        state: 'not_synced',
        detail: expect.stringMatching(/interrupted/),
        transactions: 2,
        gaps: [{ from: '2026-01-11', to: '2026-01-31' }],
        inputWarnings: { count: 0, latest: null },
      });
      expect(accounts[2]).toMatchObject({ transactions: 3, gaps: [], inputWarnings: { count: 2, latest: `newer ${store.accounts.list()[2]!.id}` } });
      expect(report.files[0]).toMatchObject({ sync: 'file', transactions: n + 1 });
      store.close();
    }
    expect(asked[0]).toBe(asked[1]);
    expect(asked[0]).toBeLessThanOrEqual(10);
  });
});
