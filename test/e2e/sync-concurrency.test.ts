import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, dumpTransactionsAsync } from '../helpers/cli.js';
import { answerConsentPage, runLive } from '../mocks/consent-driver.js';
import { startGoCardlessMock } from '../mocks/gocardless/server.js';

const CONNECTIONS = 6;

/**
 * `sync --all` over several connections of one provider: connections run side by side, the
 * requests in flight never pass the concurrency limit (the mock answers 429 past it), one app
 * token serves the whole run, and nothing is lost or doubled.
 */
describe('sync --all runs connections side by side within the provider limit', () => {
  const now = new Date('2026-11-20T10:00:00Z');
  let mock: Awaited<ReturnType<typeof startGoCardlessMock>>;
  const cli = new CliSandbox();
  const env = () => ({ BANKSYNC_GOCARDLESS_BASE_URL: mock.url, BANKSYNC_NOW: now.toISOString() });

  beforeAll(async () => {
    mock = await startGoCardlessMock({ now: () => now, maxConcurrency: 3, latencyMs: 40 });
    const setup = await cli.runAsync(['providers', 'setup', 'gocardless', '--secret-id', 'sandbox-secret-id'], { ...env(), BANKSYNC_GOCARDLESS_SECRET_KEY: 'sandbox-secret-key' });
    expect(setup.code, setup.stderr).toBe(0);
    for (let i = 0; i < CONNECTIONS; i++) {
      const run = runLive(cli, ['connect', '--provider', 'gocardless', '--institution', 'SANDBOXFINANCE_SFIN0000', '--accounts', 'all', '--redirect-port', '0', '--allow-duplicate'], env());
      await answerConsentPage(await run.line(/^https?:\/\/\S+$/));
      const r = await run.done;
      expect(r.code, r.stderr).toBe(0);
    }
  }, 60_000);
  afterAll(async () => {
    await mock.close();
    cli.cleanup();
  });

  const since = (from: number) => mock.requests.slice(from);
  const accountCalls = (from: number) => since(from).filter((r) => r.path.includes('/accounts/')).length;

  it('--concurrency 1 keeps one request in flight', async () => {
    const from = mock.requests.length;
    const r = await cli.runAsync(['--json', 'sync', '--all', '--concurrency', '1'], env());
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.accounts).toHaveLength(CONNECTIONS * 2);
    expect(report.accounts.every((a: { result: string }) => a.result === 'synced')).toBe(true);
    // Reported in connection order, whatever order they finished in.
    expect(report.accounts.map((a: { connection: string }) => a.connection)).toEqual(Array.from({ length: CONNECTIONS }, (_, i) => [`c${i + 1}`, `c${i + 1}`]).flat());
    expect(accountCalls(from)).toBeGreaterThan(0);
    expect(mock.maxConcurrent).toBe(1);
  });

  it('config concurrency 3 runs three at once, never more, with one token for the run', async () => {
    const before = await dumpTransactionsAsync(cli, env());
    expect((await cli.runAsync(['config', 'concurrency', '3'], env())).code).toBe(0);
    const from = mock.requests.length;
    const r = await cli.runAsync(['--json', 'sync', '--all'], env());
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.accounts.every((a: { result: string; newCount: number }) => a.result === 'synced' && a.newCount === 0)).toBe(true);
    // The mock answers 429 past 3 in flight: none came back, and more than one was in flight.
    expect(mock.maxConcurrent).toBe(3);
    expect(since(from).filter((q) => q.path.endsWith('/token/new/'))).toHaveLength(1);
    expect(await dumpTransactionsAsync(cli, env())).toEqual(before);
    expect(new Set(before.map((row) => JSON.parse(row).id)).size).toBe(before.length);
    expect(mock.openApiViolations).toEqual([]);
  });

  it('rejects a concurrency outside 1-64 with one line', async () => {
    const r = await cli.runAsync(['sync', '--all', '--concurrency', '0'], env());
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/concurrency must be a whole number from 1 to 64, got "0"/)]);
  });
});
