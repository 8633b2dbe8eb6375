import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { CliSandbox, CONNECT_SANDBOX } from '../helpers/cli.js';
import { archiveTexts, derivedDump, execSql } from '../helpers/derived-dump.js';
import { answerConsentPage, runLive } from '../mocks/consent-driver.js';
import { startGoCardlessMock } from '../mocks/gocardless/server.js';

/**
 * Replay equals fetch: the sandbox and GoCardless (its loopback mock) synced over several days
 * into database A; A's archive replayed into B gives A's derived rows exactly, with not one
 * request to the provider. In place, a replay of unchanged data changes nothing an export sees,
 * and one over rows an older mapping left different corrects them as revisions.
 */
describe('raw archive and replay', () => {
  let now = new Date('2026-11-20T10:00:00Z');
  let mock: Awaited<ReturnType<typeof startGoCardlessMock>>;
  const cli = new CliSandbox({ inProcess: true });
  const env = () => ({ BANKSYNC_GOCARDLESS_BASE_URL: mock.url, BANKSYNC_NOW: now.toISOString() });
  const csvLines = (out: string) => out.trim().split('\n').slice(1).filter(Boolean);
  let synced: ReturnType<typeof derivedDump>;

  beforeAll(async () => {
    mock = await startGoCardlessMock({ now: () => now });
  });
  afterAll(async () => {
    await mock.close();
    cli.cleanup();
  });

  it('keeps every fetch of a sync, compressed and without credentials, and shows its size', async () => {
    const setup = await cli.runAsync(['providers', 'setup', 'gocardless', '--secret-id', 'sandbox-secret-id'], { ...env(), BANKSYNC_GOCARDLESS_SECRET_KEY: 'sandbox-secret-key' });
    expect(setup.code, setup.stderr).toBe(0);
    expect((await cli.runAsync(CONNECT_SANDBOX, env())).code).toBe(0);
    const run = runLive(cli, ['--json', 'connect', '--provider', 'gocardless', '--institution', 'SANDBOXFINANCE_SFIN0000', '--accounts', 'all', '--redirect-port', '0'], env());
    await answerConsentPage(await run.line(/^https?:\/\/\S+$/));
    expect((await run.done).code).toBe(0);

    // Three syncs days apart: windows overlap, pending lines come, book and go.
    for (const day of ['2026-11-20', '2026-11-23', '2026-11-27']) {
      now = new Date(`${day}T10:00:00Z`);
      const r = await cli.runAsync(['sync', '--all'], env());
      expect(r.code, r.stderr).toBe(0);
    }
    synced = derivedDump(cli.db);
    const sources = new Set(synced.transactions.map((t) => (t as { source: string }).source));
    expect(sources).toEqual(new Set(['provider:sandbox', 'provider:gocardless']));
    expect(synced.pending.length).toBeGreaterThan(0);

    const status = await cli.jsonAsync(['status'], env());
    // 3 sandbox accounts and 2 GoCardless accounts, three times.
    expect(status.archive).toMatchObject({ entries: 15, days: 400 });
    expect(status.archive.storedBytes).toBeGreaterThan(0);
    expect(status.archive.storedBytes).toBeLessThan(status.archive.rawBytes / 3);
    const doctor = await cli.runAsync(['--json', 'doctor'], env());
    expect(JSON.parse(doctor.stdout).checks.find((c: { id: string }) => c.id === 'archive').message).toMatch(/^raw archive: 15 fetches since .*before compression/);

    const texts = archiveTexts(cli.db).join('\n');
    expect(texts).toContain('/api/v2/accounts/'); // GoCardless kept as HTTP exchanges
    const tokens = mock.requests
      .map((q) => String(q.headers.authorization ?? ''))
      .filter((h) => h.startsWith('Bearer '))
      .map((h) => h.slice(7));
    expect(tokens.length).toBeGreaterThan(0);
    for (const secret of ['sandbox-secret-id', 'sandbox-secret-key', ...new Set(tokens)]) expect(texts).not.toContain(secret);
    expect(texts).not.toMatch(/authorization/i);
  });

  it('replays the archive into a new file: the same rows as the sync, no request sent', async () => {
    // An older mapping's output, say: wrong payees, lost pending lines, balances and coverage.
    execSql(cli.db, `UPDATE transactions SET payee = 'old mapping' WHERE seq % 7 = 0; DELETE FROM pending_transactions; UPDATE balances SET amount_minor = 0; DELETE FROM coverage;`);
    const asked = mock.requests.length;
    const into = join(cli.dir, 'rebuilt.db');
    const r = await cli.jsonAsync(['replay', '--into', into], env());
    expect(mock.requests.length).toBe(asked);
    expect(r).toMatchObject({ into, fetches: 15, failures: [] });
    expect(r.answeredFromArchive).toBeGreaterThan(0);
    expect(derivedDump(into)).toEqual(synced);
    // Written as a new file only.
    const again = await cli.runAsync(['replay', '--into', into], env());
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
  });

  it('in place: corrects what differs as revisions an incremental export carries, and changes nothing more', async () => {
    const wrong = derivedDump(cli.db).transactions.filter((t) => (t as { payee: string }).payee === 'old mapping').length;
    expect(wrong).toBeGreaterThan(0);
    const asked = mock.requests.length;
    const fixed = await cli.jsonAsync(['replay'], env());
    expect(mock.requests.length).toBe(asked);
    expect(fixed.changes).toEqual({ added: 0, corrected: wrong, removed: 0 });
    const after = derivedDump(cli.db);
    expect(after.pending).toEqual(synced.pending);
    expect(after.balances).toEqual(synced.balances);
    expect(after.coverage).toEqual(synced.coverage);
    expect(after.transactions.map((t) => (t as { payee: string }).payee)).toEqual(synced.transactions.map((t) => (t as { payee: string }).payee));

    // An export target that received everything, then a replay of unchanged data: nothing to send.
    const first = await cli.runAsync(['export', '--format', 'csv', '--target', 'books', '--changes'], env());
    expect(first.code, first.stderr).toBe(0);
    expect(csvLines(first.stdout).length).toBe(synced.transactions.length);
    const same = await cli.jsonAsync(['replay'], env());
    expect(same.changes).toEqual({ added: 0, corrected: 0, removed: 0 });
    expect(derivedDump(cli.db)).toEqual(after);
    const next = await cli.runAsync(['export', '--format', 'csv', '--target', 'books', '--changes'], env());
    expect(csvLines(next.stdout)).toEqual([]);
  });
});
