import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli.js';

const NOW = { BANKSYNC_NOW: '2026-11-20T09:00:00Z' };

/** What the sync engine stores for interface-v2 providers, as the built CLI shows it. */
describe('provider warnings and request budgets on the built CLI', () => {
  const cli = new CliSandbox();
  beforeAll(async () => {
    expect((await cli.runAsync(['connect', '--provider', 'sandbox', '--institution', 'sandbox-bank', '--accounts', 'all', '--yes'], NOW)).code).toBe(0);
    expect((await cli.runAsync(['sync'], NOW)).code).toBe(0);
    // As a sync of a SimpleFIN connection would leave them (the engine's own tests cover how they get there).
    const db = new Database(cli.db);
    db.prepare(`INSERT INTO input_issues (account_id, kind, key, severity, source, message, detail, first_seen_at, last_seen_at)
                VALUES (1, 'provider-warning', 'x', 'warning', 'provider:simplefin', 'SimpleFIN Bridge reported: My Bank needs attention', '{"text":"x"}', ?, ?)`).run(
      '2026-11-20T09:00:00.000Z',
      '2026-11-20T09:00:00.000Z',
    );
    for (const at of ['2026-11-20T01:00:00.000Z', '2026-11-20T02:00:00.000Z']) db.prepare('INSERT INTO connection_requests (connection_id, at) VALUES (1, ?)').run(at);
    db.close();
  });
  afterAll(() => cli.cleanup());

  it('`warnings --kind provider-warning` lists what the provider reported', async () => {
    const { warnings } = await cli.jsonAsync<{ warnings: { account: string; kind: string; message: string }[] }>(['warnings', '--kind', 'provider-warning'], NOW);
    expect(warnings).toEqual([expect.objectContaining({ account: 'a1', kind: 'provider-warning', message: 'SimpleFIN Bridge reported: My Bank needs attention' })]);
  });

  it('status counts it and shows the requests made today under the connection', async () => {
    const out = (await cli.runAsync(['status'], NOW)).stdout;
    expect(out).toMatch(/^c1 .* · 2 requests today$/m);
    expect(out).toMatch(/1 line warning, latest: SimpleFIN Bridge reported: My Bank needs attention/);
    const json = await cli.jsonAsync<{ connections: { id: string; requestsToday: number }[] }>(['status'], NOW);
    expect(json.connections[0]).toMatchObject({ id: 'c1', requestsToday: 2 });
    expect((await cli.jsonAsync<{ connections: { requestsToday: number }[] }>(['status'], { BANKSYNC_NOW: '2026-11-21T09:00:00Z' })).connections[0]!.requestsToday).toBe(0);
  });
});
