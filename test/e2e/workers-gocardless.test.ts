import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/core/connect.js';
import type { Services } from '../../src/core/context.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { DEFAULT_MAX_IN_FLIGHT } from '../../src/providers/limits.js';
import { BIN, CliSandbox, dumpTransactionsAsync } from '../helpers/cli.js';
import { freshPgUrl } from '../helpers/stores.js';
import { answerConsentPage } from '../mocks/consent-driver.js';
import { type RecordedRequest, startGoCardlessMock } from '../mocks/gocardless/server.js';

/**
 * Issue 16 step 4, "prove it", small: 4 worker processes on one PostgreSQL against the GoCardless
 * mock. Each connection synced exactly once, no line doubled, the provider's limit on requests in
 * flight held across the workers, and a worker killed outright loses nothing. The bench
 * (bench/workers.mjs) runs the same with 200 connections and measures it.
 */
const CONNECTIONS = 20;
const WORKERS = 4;
const NOW = new Date('2026-11-20T10:00:00Z');
const KEY = randomBytes(32).toString('base64');
const SECRETS = { BANKSYNC_GOCARDLESS_SECRET_ID: 'sandbox-secret-id', BANKSYNC_GOCARDLESS_SECRET_KEY: 'sandbox-secret-key' };

interface Summary {
  rounds: number;
  synced: number;
  failed: number;
  connections: string[];
}

describe('4 workers, one PostgreSQL, the GoCardless mock', () => {
  let mock: Awaited<ReturnType<typeof startGoCardlessMock>>;
  const cli = new CliSandbox();
  const drops: (() => Promise<void>)[] = [];
  let reference: string[];
  let accountsPerConnection: number;

  const env = (url: string): NodeJS.ProcessEnv => ({ ...SECRETS, BANKSYNC_DB: url, BANKSYNC_SECRET_KEY: KEY, BANKSYNC_GOCARDLESS_BASE_URL: mock.url, BANKSYNC_NOW: NOW.toISOString() });

  /**
   * The mock as the workers meet it: 429 past the provider's limit (excess shows, it is not hidden
   * by waits), and a latency that keeps requests in flight long enough for the workers' to
   * overlap: each may put the whole limit in flight, so only a limit shared between them keeps
   * the sum under it. Set after connecting (a connect is a dozen requests one after the other).
   */
  const underLoad = () => {
    mock.control.tune({ latencyMs: 150, maxConcurrency: DEFAULT_MAX_IN_FLIGHT });
    mock.control.resetMaxConcurrent();
  };

  /** A new database with CONNECTIONS GoCardless connections, made in this process through connect (a spawned connect each would take most of the test's time). */
  const connected = async (): Promise<string> => {
    const { url, drop } = await freshPgUrl();
    drops.push(drop);
    mock.control.tune({ latencyMs: 0 });
    const db = openPostgresStore(url, { envKey: KEY, keyFile: '/nonexistent/banksync-test.key' });
    const answers: Promise<unknown>[] = [];
    const quiet = () => undefined;
    const s: Services = {
      db,
      clock: () => NOW,
      env: env(url),
      prompts: { interactive: false } as Services['prompts'],
      notify: {
        info: quiet,
        warn: quiet,
        always: (line) => void (/^https?:\/\/\S+$/.test(line) && answers.push(answerConsentPage(line))),
        progress: () => ({ update: quiet, stop: quiet }),
      },
      openBrowser: async () => false,
    };
    try {
      for (let i = 0; i < CONNECTIONS; i++) {
        await connect(s, { providerId: 'gocardless', institutionId: 'SANDBOXFINANCE_SFIN0000', accounts: 'all', yes: true, redirectPort: 0, allowDuplicate: true });
      }
      await Promise.all(answers);
    } finally {
      await db.close();
    }
    return url;
  };

  beforeAll(async () => {
    mock = await startGoCardlessMock({ now: () => NOW, apiRateLimits: false, accountDailyLimit: 1_000_000 });
    // The reference: one `sync --all` of its own store, no workers.
    const url = await connected();
    const r = await cli.spawnAsync(['--json', 'sync', '--all'], env(url));
    expect(r.code, r.stderr).toBe(0);
    const accounts = JSON.parse(r.stdout).accounts as { result: string }[];
    expect(accounts.every((a) => a.result === 'synced')).toBe(true);
    accountsPerConnection = accounts.length / CONNECTIONS;
    reference = await dumpTransactionsAsync(cli, env(url));
    expect(reference.length).toBeGreaterThan(CONNECTIONS);
  }, 120_000);
  afterAll(async () => {
    await mock?.close();
    for (const drop of drops.splice(0)) await drop();
    cli.cleanup();
  });

  /** A `banksync worker` process that loops until SIGTERM; its --json summary once it exits. */
  const startWorker = (url: string, ...args: string[]) => {
    const child = spawn(process.execPath, [BIN, '--json', 'worker', '--idle-seconds', '1', '--concurrency', String(DEFAULT_MAX_IN_FLIGHT), ...args], { env: cli.env(env(url)) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('close', (code, signal) => done({ code, signal })));
    return {
      child,
      exited,
      /** SIGTERM (the round under way finishes), then its summary. */
      async stop(): Promise<Summary> {
        child.kill('SIGTERM');
        const { code } = await exited;
        expect(code, stderr).toBe(0);
        return JSON.parse(stdout) as Summary;
      },
    };
  };

  const since = (from: number) => mock.requests.slice(from).filter((q) => q.path.startsWith('/api/'));
  /** The provider's limit held across the workers together: never more in flight, so no 429. */
  const expectWithinLimit = (api: RecordedRequest[]) => {
    const refused = api.filter((q) => q.status === 429).length;
    expect({ refused, mostInFlight: mock.maxConcurrent }).toEqual({ refused: 0, mostInFlight: expect.any(Number) });
    expect(mock.maxConcurrent).toBeLessThanOrEqual(DEFAULT_MAX_IN_FLIGHT);
  };

  it(`${WORKERS} workers started together sync each of ${CONNECTIONS} connections exactly once, within the provider's limit, the same lines as one sync --all`, async () => {
    const url = await connected();
    underLoad();
    const from = mock.requests.length;
    const workers = Array.from({ length: WORKERS }, () => startWorker(url));
    await until(async () => (await unsettled(url)) === 0);
    const summaries = await Promise.all(workers.map((w) => w.stop()));
    expectWithinLimit(since(from)); // first: past the limit, 429s leave accounts deferred

    const all = summaries.flatMap((w) => w.connections);
    expect(all.sort()).toEqual(connectionRefs().sort()); // every one, none by two workers
    // And none twice by one worker: every account synced once over every round of every worker.
    expect(summaries.reduce((n, w) => n + w.synced, 0)).toBe(CONNECTIONS * accountsPerConnection);
    expect(summaries.map((w) => w.failed)).toEqual(summaries.map(() => 0));
    expect(summaries.filter((w) => w.connections.length > 0).length).toBeGreaterThan(1); // the work was shared

    expect(since(from).filter((q) => q.path.endsWith('/token/new/')).length).toBeLessThanOrEqual(WORKERS); // one per worker at most
    expect(await dumpTransactionsAsync(cli, env(url))).toEqual(reference);
    expect(await claimed(url)).toEqual([]);
  });

  it('a worker killed with SIGKILL mid-sync loses nothing: the others take its connections and finish them', async () => {
    const url = await connected();
    underLoad();
    const from = mock.requests.length;
    const victim = startWorker(url);
    // Mid-sync: it holds claims and its account requests have begun.
    await until(async () => since(from).some((q) => q.path.endsWith('/transactions/')) && (await claimed(url)).length > 0);
    victim.child.kill('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');
    const orphaned = await claimed(url);
    expect(orphaned.length).toBeGreaterThan(0); // left behind, their lease still running
    const left = await notSynced(url);
    expect(left).toBeGreaterThan(0);

    const others = Array.from({ length: WORKERS - 1 }, () => startWorker(url));
    // Before the fix in dueAt, the accounts it left 'syncing' waited --retry-minutes as if failed.
    await until(async () => (await unsettled(url)) === 0);
    const summaries = await Promise.all(others.map((w) => w.stop()));
    expectWithinLimit(since(from));
    const taken = summaries.flatMap((w) => w.connections);
    expect(new Set(taken).size).toBe(taken.length); // none synced by two of them
    for (const c of orphaned) expect(taken).toContain(c);
    expect(summaries.reduce((n, w) => n + w.synced, 0)).toBe(left); // only what the killed one had not finished
    expect(summaries.map((w) => w.failed)).toEqual(summaries.map(() => 0));
    expect(await dumpTransactionsAsync(cli, env(url))).toEqual(reference);
    expect(await claimed(url)).toEqual([]);
  });
});

const connectionRefs = () => Array.from({ length: CONNECTIONS }, (_, i) => `c${i + 1}`);

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** The connections some worker holds a claim on (c1, c2, …), read straight from the server. */
async function claimed(url: string): Promise<string[]> {
  const rows = await query<{ id: string }>(url, 'SELECT connection_id AS id FROM connection_claims WHERE owner IS NOT NULL ORDER BY connection_id');
  return rows.map((r) => `c${r.id}`);
}

/** Accounts never synced yet. */
async function notSynced(url: string): Promise<number> {
  const [row] = await query<{ n: string }>(url, 'SELECT count(*) AS n FROM accounts WHERE last_success_at IS NULL');
  return Number(row?.n);
}

/**
 * Accounts neither synced nor given up on for now: never tried, or under way. One deferred (a
 * 429's Retry-After, on the tests' fixed clock never over) or failed is settled, so a broken
 * limit fails the assertions instead of the test waiting for its timeout.
 */
async function unsettled(url: string): Promise<number> {
  const [row] = await query<{ n: string }>(url, `SELECT count(*) AS n FROM accounts WHERE last_success_at IS NULL AND (last_attempt_at IS NULL OR state = 'syncing')`);
  return Number(row?.n);
}

/** Polls until `check` is true: as long as the machine needs, bounded only by the test's timeout. */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await sleep(50);
}
