import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { CliSandbox } from '../helpers/cli.js';
import { archiveTexts, derivedDump } from '../helpers/derived-dump.js';
import { runLive } from '../mocks/consent-driver.js';
import { startPlaidMock, type PlaidMockHandle } from '../mocks/plaid/server.js';
import { startSimpleFinMock, type SimpleFinMock } from '../mocks/simplefin/server.js';

const DAY_MS = 86_400_000;

/** Replay equals fetch for the two other shapes of fetch: one answer for a whole connection, and a changes feed with a cursor. */
describe('replay equals fetch: SimpleFIN (connection-level answers)', () => {
  let now = new Date('2026-10-01T06:00:00Z');
  let mock: SimpleFinMock;
  const cli = new CliSandbox({ inProcess: true });
  const env = () => ({ BANKSYNC_NOW: now.toISOString() });

  beforeAll(async () => {
    mock = await startSimpleFinMock({ now: () => now });
  });
  afterAll(async () => {
    await mock.close();
    cli.cleanup();
  });

  it('sync for a week, replay into a new file: the same rows, no request to the Bridge, no Access URL in the archive', async () => {
    const token = mock.control.newSetupToken();
    expect((await cli.runAsync(['connect', '--provider', 'simplefin', '--setup-token', token, '--accounts', 'all', '--no-input'], env())).code).toBe(0);
    for (let day = 0; day < 7; day++) {
      now = new Date(now.getTime() + DAY_MS);
      const r = await cli.runAsync(['sync', '--all'], env());
      expect(r.code, r.stderr).toBe(0);
    }
    const synced = derivedDump(cli.db);
    expect(synced.transactions.length).toBeGreaterThan(0);
    const asked = mock.requests.length;
    const into = join(cli.dir, 'rebuilt.db');
    const r = await cli.jsonAsync(['replay', '--into', into], env());
    expect(mock.requests.length).toBe(asked);
    expect(r).toMatchObject({ fetches: 7, failures: [] });
    expect(r.answeredFromArchive).toBeGreaterThanOrEqual(7);
    expect(derivedDump(into)).toEqual(synced);
    const texts = archiveTexts(cli.db).join('\n');
    for (const user of mock.control.accessUsers()) expect(texts).not.toContain(user);
  });
});

describe('replay equals fetch: Plaid (cursor feed, one URL for every page)', () => {
  let now = new Date('2026-10-01T09:00:00Z');
  let mock: PlaidMockHandle;
  const cli = new CliSandbox({ inProcess: true });
  const env = () => ({ BANKSYNC_PLAID_BASE_URL: mock.url, BANKSYNC_NOW: now.toISOString() });

  beforeAll(async () => {
    mock = await startPlaidMock({ now: () => now, pageLimit: 10 });
  });
  afterAll(async () => {
    await mock.close();
    cli.cleanup();
  });

  it('sync for a week, replay into a new file: the same rows and cursors, no request to Plaid, no secret or access token in the archive', async () => {
    expect((await cli.runAsync(['providers', 'setup', 'plaid', '--client-id', 'test-client-id', '--env', 'sandbox'], { ...env(), BANKSYNC_PLAID_SECRET: 'test-sandbox-secret' })).code).toBe(0);
    const run = runLive(cli, ['--json', 'connect', '--provider', 'plaid', '--accounts', 'all', '--no-input', '--no-browser'], env());
    await mock.control.completeLink(await run.line(/^https?:\/\/\S+$/));
    expect((await run.done).code).toBe(0);
    for (let day = 0; day < 7; day++) {
      now = new Date(now.getTime() + DAY_MS);
      const r = await cli.runAsync(['sync', '--all'], env());
      expect(r.code, r.stderr).toBe(0);
    }
    const synced = derivedDump(cli.db);
    expect(synced.accounts.every((a) => (a as { feed_cursor: string | null }).feed_cursor)).toBe(true);
    const asked = mock.requests.length;
    const into = join(cli.dir, 'rebuilt.db');
    const r = await cli.jsonAsync(['replay', '--into', into], env());
    expect(mock.requests.length).toBe(asked);
    expect(r.failures).toEqual([]);
    expect(derivedDump(into)).toEqual(synced);
    const texts = archiveTexts(cli.db).join('\n');
    for (const secret of ['test-sandbox-secret', ...mock.control.items().map((i) => i.access_token)]) expect(texts).not.toContain(secret);
  });
});
