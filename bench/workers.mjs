// Bench 6: `banksync worker` processes sharing one PostgreSQL (issue 16 step 4), against the
// GoCardless mock with a fixed latency and the provider's limit on requests in flight (the mock
// answers 429 past it): 1 worker vs 4 workers started together, and `sync --all` on SQLite over
// the same connections. Each worker runs until every account is synced, then gets SIGTERM.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from 'esbuild';
import pg from 'pg';
import { BIN, ROOT } from './lib.mjs';
import { buildMocks, connectMany } from './sync-scale.mjs';

const MOCKS = join(ROOT, 'dist-bench/test/mocks');
const HELPERS = join(ROOT, 'dist-bench/test/helpers');
const SECRETS = { BANKSYNC_GOCARDLESS_SECRET_ID: 'sandbox-secret-id', BANKSYNC_GOCARDLESS_SECRET_KEY: 'sandbox-secret-key' };

/** The tests' throwaway PostgreSQL (initdb + pg_ctl in a temp dir, socket only), built to plain JS like the mocks. */
async function startCluster() {
  await build({ entryPoints: [join(ROOT, 'test/helpers/pg-cluster.ts')], outdir: HELPERS, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' });
  const { startCluster: start } = await import(join(HELPERS, 'pg-cluster.js'));
  return start();
}

async function admin(socketDir, statement) {
  const client = new pg.Client({ host: socketDir, user: 'banksync', database: 'postgres' });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

const pgUrl = (socketDir, name) => `postgres://banksync@localhost/${name}?host=${encodeURIComponent(socketDir)}`;

/** n connections made through connect into a PostgreSQL store, the consent page answered as a user would (connectMany's, on the other store). */
async function connectManyPg(n, url, key, mockUrl) {
  const { openPostgresStore } = await import(join(ROOT, 'dist/store/postgres/index.js'));
  const { connect } = await import(join(ROOT, 'dist/core/connect.js'));
  const { answerConsentPage } = await import(join(MOCKS, 'consent-page.js'));
  const db = openPostgresStore(url, { envKey: key, keyFile: '/nonexistent/banksync-bench.key' });
  const answers = [];
  const quiet = () => undefined;
  const services = {
    db,
    clock: () => new Date(),
    env: { ...SECRETS, BANKSYNC_GOCARDLESS_BASE_URL: mockUrl },
    prompts: { interactive: false },
    notify: { info: quiet, warn: quiet, always: (line) => (/^https?:\/\/\S+$/.test(line) ? answers.push(answerConsentPage(line)) : undefined), progress: () => ({ update: quiet, stop: quiet }) },
    openBrowser: async () => false,
  };
  try {
    for (let i = 0; i < n; i++) {
      await connect(services, { providerId: 'gocardless', institutionId: 'SANDBOXFINANCE_SFIN0000', accounts: 'all', yes: true, redirectPort: 0, allowDuplicate: true });
    }
    await Promise.all(answers);
  } finally {
    await db.close();
  }
}

/** Accounts not synced yet, whose last attempt failed, and left for another day. */
async function progress(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Stranded: deferred past the next 10 minutes (a day's refresh budget spent), so no worker of this run gets to it.
    const later = new Date(Date.now() + 10 * 60_000).toISOString();
    const r = await client.query(
      `SELECT count(*) FILTER (WHERE last_success_at IS NULL) AS left, count(*) FILTER (WHERE state = 'failed') AS failed,
         count(*) FILTER (WHERE last_success_at IS NULL AND next_refresh_at > $1) AS stranded FROM accounts`,
      [later],
    );
    return { left: Number(r.rows[0].left), failed: Number(r.rows[0].failed), stranded: Number(r.rows[0].stranded) };
  } finally {
    await client.end();
  }
}

function child(args, env) {
  const c = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  c.stdout.on('data', (d) => (stdout += d));
  c.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve, reject) => {
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`banksync ${args.join(' ')} exited ${code}: ${stderr.slice(-500)}`))));
  });
  return { c, exited };
}

/**
 * @param {{ connections: number, latencyMs: number, limit: number, workers: number, scratch: string, log: (m: string) => void }} o
 */
export async function workersAtScale(o) {
  await buildMocks();
  const { startGoCardlessMock } = await import(join(MOCKS, 'gocardless/server.js'));
  const mock = await startGoCardlessMock({ apiRateLimits: false, accountDailyLimit: 1_000_000 });
  const cluster = await startCluster();
  const key = randomBytes(32).toString('base64');
  const sqliteDir = join(o.scratch, 'workers-sqlite');
  mkdirSync(sqliteDir, { recursive: true });
  let databases = 0;
  try {
    o.log(`  connecting ${o.connections} connections on SQLite and on PostgreSQL…`);
    await connectMany(o.connections, sqliteDir, mock.url);
    await admin(cluster.socketDir, 'CREATE DATABASE seeded');
    await connectManyPg(o.connections, pgUrl(cluster.socketDir, 'seeded'), key, mock.url);
    mock.control.tune({ latencyMs: o.latencyMs, maxConcurrency: o.limit });

    /** What the mock saw since `from`: requests, 429s, token/new, the most in flight. */
    const seen = (from) => {
      const api = mock.requests.slice(from).filter((q) => q.path.startsWith('/api/'));
      const tokens = api.filter((q) => q.path.endsWith('/token/new/'));
      return {
        requests: api.length,
        refused: api.filter((q) => q.status === 429).length,
        tokens: tokens.filter((q) => q.status === 200).length,
        tokenRequests: tokens.length,
        maxInFlight: mock.maxConcurrent,
      };
    };

    // (a) One `sync --all` on a copy of the SQLite store, the provider's own limit in flight.
    const dir = join(o.scratch, 'workers-sqlite-run');
    mkdirSync(dir, { recursive: true });
    for (const f of ['banksync.db', 'secret.key']) copyFileSync(join(sqliteDir, f), join(dir, f));
    o.log('  sync --all on SQLite…');
    mock.control.resetMaxConcurrent();
    const from = mock.requests.length;
    const t = process.hrtime.bigint();
    const report = JSON.parse(
      await child(['--json', 'sync', '--all'], { ...SECRETS, BANKSYNC_GOCARDLESS_BASE_URL: mock.url, BANKSYNC_DB: join(dir, 'banksync.db'), BANKSYNC_CONFIG_DIR: dir, NO_COLOR: '1' }).exited,
    );
    const sqlite = { ms: Number(process.hrtime.bigint() - t) / 1e6, accounts: report.accounts.length, failed: report.accounts.filter((a) => a.result !== 'synced').length, ...seen(from) };
    rmSync(dir, { recursive: true, force: true });

    /**
     * n `banksync worker` processes started together on a fresh copy of the seeded database, run
     * until every account is synced (polled every 50 ms: the wall time), then stopped with SIGTERM
     * (finishes the round under way: nothing left by then). Long-running workers, not `--once`
     * rounds in a loop: that is how they are deployed, and a loop would add a process start-up per
     * round. `--concurrency` 2 × the requests in flight, as `sync --all` keeps under way
     * (engine.ts). The provider's limit holds for the workers together (slots in the database).
     */
    const workers = async (n) => {
      const name = `run_${++databases}`;
      await admin(cluster.socketDir, `CREATE DATABASE ${name} TEMPLATE seeded`);
      const url = pgUrl(cluster.socketDir, name);
      const configDir = join(o.scratch, name);
      mkdirSync(configDir, { recursive: true });
      const env = { ...SECRETS, BANKSYNC_GOCARDLESS_BASE_URL: mock.url, BANKSYNC_DB: url, BANKSYNC_SECRET_KEY: key, BANKSYNC_CONFIG_DIR: configDir, NO_COLOR: '1' };
      mock.control.resetMaxConcurrent();
      const from = mock.requests.length;
      const t = process.hrtime.bigint();
      const running = Array.from({ length: n }, () => child(['--json', 'worker', '--concurrency', String(2 * o.limit), '--idle-seconds', '1', '--retry-minutes', '1'], env));
      let failedSeen = 0;
      let stranded = 0;
      let exited = false;
      const watch = Promise.all(running.map((r) => r.exited)).finally(() => (exited = true));
      for (;;) {
        const p = await progress(url);
        failedSeen = Math.max(failedSeen, p.failed);
        stranded = p.stranded;
        if (p.left === stranded || exited) break;
        await sleep(50);
      }
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      for (const r of running) r.c.kill('SIGTERM');
      const summaries = (await watch).map((out) => JSON.parse(out));
      const tried = summaries.flatMap((s) => s.connections);
      // A connection in two workers' lists is one whose account was deferred (a 429) and finished
      // by another worker; an account synced twice would show in the synced sum.
      const synced = summaries.reduce((k, s) => k + s.synced, 0);
      await admin(cluster.socketDir, `DROP DATABASE ${name} WITH (FORCE)`);
      return {
        ms,
        connections: new Set(tried).size,
        synced,
        stranded,
        retried: tried.length - new Set(tried).size,
        failed: summaries.reduce((k, s) => k + s.failed, 0),
        failedSeen,
        perWorker: summaries.map((s) => s.connections.length),
        ...seen(from),
      };
    };
    o.log('  1 worker on PostgreSQL…');
    const one = await workers(1);
    o.log(`  ${o.workers} workers on PostgreSQL…`);
    const many = await workers(o.workers);
    for (const [label, r] of [
      ['1 worker', one],
      [`${o.workers} workers`, many],
    ]) {
      // Stranded accounts are reported, not thrown: they are what exceeding the limit costs.
      if (r.connections !== o.connections || r.synced + r.stranded !== sqlite.accounts)
        throw new Error(`workers at scale, ${label}: ${r.connections} of ${o.connections} connections, ${r.synced} account syncs for ${sqlite.accounts} accounts`);
    }
    o.log(
      `    SQLite ${Math.round(sqlite.ms)} ms, 1 worker ${Math.round(one.ms)} ms, ${o.workers} workers ${Math.round(many.ms)} ms (${many.perWorker.join(' / ')} connections each, ${many.refused} answered 429, ${many.retried} connections finished by a second worker, ${many.stranded} accounts left for tomorrow)`,
    );
    return { sqlite, one, many };
  } finally {
    await mock.close();
    cluster.stop();
    rmSync(sqliteDir, { recursive: true, force: true });
  }
}
