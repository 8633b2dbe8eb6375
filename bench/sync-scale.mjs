// Bench 4: `banksync sync --all` over many connections against the GoCardless mock with a fixed
// latency per request and a concurrency limit (the mock answers 429 past it), compared with the
// theoretical bound (requests × latency ÷ allowed concurrency) and with a one-at-a-time run.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BIN, median, ROOT } from './lib.mjs';

const MOCKS = join(ROOT, 'dist-bench/test/mocks');
const PROBE = join(ROOT, 'bench/sync-probe.cjs');
const SECRETS = { BANKSYNC_GOCARDLESS_SECRET_ID: 'sandbox-secret-id', BANKSYNC_GOCARDLESS_SECRET_KEY: 'sandbox-secret-key' };

/**
 * Builds the GoCardless mock and the consent page to plain JS: the mocks are TypeScript, the bench
 * is plain Node. esbuild strips the types file by file (~0.1 s) where the project's tsc took ~5 s
 * of every bench run type-checking them; `npm run typecheck` checks them anyway.
 */
export async function buildMocks() {
  const dir = join(ROOT, 'test/mocks/gocardless');
  const entryPoints = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => join(dir, f));
  entryPoints.push(join(ROOT, 'test/mocks/consent-page.ts'));
  rmSync(MOCKS, { recursive: true, force: true });
  await build({ entryPoints, outbase: join(ROOT, 'test/mocks'), outdir: MOCKS, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' });
  copyFileSync(join(ROOT, 'test/mocks/gocardless/openapi.json'), join(MOCKS, 'gocardless/openapi.json'));
}

/** Runs a command without blocking this process (the mock answers from here); wall ms. */
function runAsync(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const child = spawn(cmd, args, { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(0, 500)}`));
      else resolve({ ms, stdout, stderr });
    });
  });
}

/** n connections made through banksync's own connect flow, the consent page answered as a user would. */
export async function connectMany(n, dir, mockUrl) {
  const { Store, sqlitePort } = await import(join(ROOT, 'dist/store/index.js'));
  const { connect } = await import(join(ROOT, 'dist/core/connect.js'));
  const { answerConsentPage } = await import(join(MOCKS, 'consent-page.js'));
  const store = Store.open(join(dir, 'banksync.db'), { keyFile: join(dir, 'secret.key') }, { createDirs: true });
  const answers = [];
  const quiet = () => undefined;
  const services = {
    db: sqlitePort(store),
    store,
    clock: () => new Date(),
    env: { ...SECRETS, BANKSYNC_GOCARDLESS_BASE_URL: mockUrl },
    prompts: { interactive: false },
    notify: {
      info: quiet,
      warn: quiet,
      always: (line) => (/^https?:\/\/\S+$/.test(line) ? answers.push(answerConsentPage(line)) : undefined),
      progress: () => ({ update: quiet, stop: quiet }),
    },
    openBrowser: async () => false,
  };
  try {
    for (let i = 0; i < n; i++) {
      await connect(services, { providerId: 'gocardless', institutionId: 'SANDBOXFINANCE_SFIN0000', accounts: 'all', yes: true, redirectPort: 0, allowDuplicate: true });
    }
    await Promise.all(answers);
  } finally {
    store.close();
  }
}

/**
 * @param {{ connections: number, latencyMs: number, limit: number, runs: number, scratch: string, log: (m: string) => void }} o
 */
export async function syncAtScale(o) {
  await buildMocks();
  const { startGoCardlessMock } = await import(join(MOCKS, 'gocardless/server.js'));
  // Company-wide per-minute limits off: this measures concurrency, not GoCardless's quotas.
  const mock = await startGoCardlessMock({ apiRateLimits: false, accountDailyLimit: 1_000_000 });
  const setup = join(o.scratch, 'sync-scale');
  try {
    o.log(`  connecting ${o.connections} connections…`);
    await connectMany(o.connections, setup, mock.url);
    mock.control.tune({ latencyMs: o.latencyMs, maxConcurrency: o.limit });

    /** One `sync --all` on a fresh copy of the connected database: every run makes the same requests. */
    const once = async (concurrency, i) => {
      const dir = join(o.scratch, `sync-scale-${concurrency}-${i}`);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
      copyFileSync(join(setup, 'banksync.db'), join(dir, 'banksync.db'));
      copyFileSync(join(setup, 'secret.key'), join(dir, 'secret.key'));
      mock.control.resetMaxConcurrent();
      const from = mock.requests.length;
      const probeFile = join(dir, 'probe.json');
      const env = { ...SECRETS, BANKSYNC_GOCARDLESS_BASE_URL: mock.url, BANKSYNC_DB: join(dir, 'banksync.db'), BANKSYNC_CONFIG_DIR: dir, NO_COLOR: '1', SYNC_PROBE_FILE: probeFile };
      // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the syncing process.
      const r = await runAsync(
        process.execPath,
        [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '-r', PROBE, BIN, '--json', 'sync', '--all', '--concurrency', String(concurrency)],
        env,
      );
      // Figures a loaded machine does not blur as much as wall time: CPU, start-up, saturation.
      const probe = JSON.parse(readFileSync(probeFile, 'utf8'));
      const report = JSON.parse(r.stdout);
      const notSynced = report.accounts.filter((a) => a.result !== 'synced');
      if (notSynced.length) throw new Error(`sync at scale: ${notSynced.length} account(s) not synced, e.g. ${JSON.stringify(notSynced[0])}`);
      const api = mock.requests.slice(from).filter((q) => q.path.startsWith('/api/'));
      rmSync(dir, { recursive: true, force: true });
      return { ms: r.ms, accounts: report.accounts.length, requests: api.length, refused: api.filter((q) => q.status === 429).length, maxInFlight: mock.maxConcurrent, probe };
    };

    const parallel = [];
    for (let i = 0; i < o.runs; i++) {
      o.log(`  sync --all, ${o.limit} at once (run ${i + 1})…`);
      parallel.push(await once(o.limit, i));
      const { ms, probe: p } = parallel.at(-1);
      o.log(
        `    ${Math.round(ms)} ms; CPU ${Math.round(p.cpuMs)} ms, first request at ${Math.round(p.firstRequestMs)} ms, ${p.avgInFlight.toFixed(2)} in flight on average (most ${p.mostInFlight}), ${Math.round(p.afterLastMs)} ms after the last answer`,
      );
    }
    o.log('  sync --all, one at a time…');
    const sequential = await once(1, 0);
    const ms = median(parallel.map((p) => p.ms));
    const { requests, accounts } = parallel[0];
    return {
      ms,
      sequentialMs: sequential.ms,
      boundMs: (requests * o.latencyMs) / o.limit,
      requests,
      accounts,
      refused: Math.max(...parallel.map((p) => p.refused)),
      maxInFlight: Math.max(...parallel.map((p) => p.maxInFlight)),
      cpuMs: median(parallel.map((p) => p.probe.cpuMs)),
      firstRequestMs: median(parallel.map((p) => p.probe.firstRequestMs)),
      avgInFlight: median(parallel.map((p) => p.probe.avgInFlight)),
    };
  } finally {
    await mock.close();
    rmSync(setup, { recursive: true, force: true });
  }
}
