import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli.js';

const NOW = { BANKSYNC_NOW: '2026-11-20T09:00:00Z' };
const FIXTURES = join(__dirname, '../../fixtures/import/trust');
const fixture = (name: string) => join(FIXTURES, name);
type Tx = { date: string; amountMinor: number; payee: string | null };
const txs = async (cli: CliSandbox, account: string, env = NOW) => (await cli.jsonAsync<{ transactions: Tx[] }>(['transactions', '--account', account], env)).transactions;

describe('what comes in is evidence, not truth (files)', () => {
  const cli = new CliSandbox({ inProcess: true });
  beforeAll(async () => {
    expect((await cli.runAsync(['connect', '--provider', 'sandbox', '--institution', 'sandbox-bank', '--accounts', 'all', '--yes'], NOW)).code).toBe(0);
    expect((await cli.runAsync(['sync'], NOW)).code).toBe(0);
  });
  afterAll(() => cli.cleanup());

  it('a line dated 9999-12-31 is quarantined with a warning; the next syncs still fetch the days before today', async () => {
    const r = await cli.runAsync(['import', fixture('future-dated.csv'), '--account', 'a1'], NOW);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: future-dated\.csv: line 3: not imported: its date 9999-12-31 is more than 5 days after today \(2026-11-20\)/);
    expect(r.stdout).toMatch(/added 2, .*1 not imported \(banksync warnings\)/);
    expect((await txs(cli, 'a1')).map((t) => t.date).filter((d) => d > '2026-11-25')).toEqual([]);
    // Before the check, the stored 9999 line moved the watermark: every later sync asked for "today" only.
    const later = { BANKSYNC_NOW: '2026-11-23T09:00:00Z' };
    const sync = await cli.jsonAsync<{ accounts: { account: string; window: { from: string } }[] }>(['sync', '--account', 'a1'], later);
    expect(sync.accounts[0]!.window.from < '2026-11-20').toBe(true);
    const { warnings } = await cli.jsonAsync<{ warnings: { kind: string; detail: { line: { bookingDate: string } } }[] }>(['warnings', '--account', 'a1'], later);
    expect(warnings.map((w) => [w.kind, w.detail.line.bookingDate])).toEqual([['quarantined', '9999-12-31']]);
    expect((await cli.runAsync(['status'], later)).stdout).toMatch(/1 line warning, latest: line 3: not imported: its date 9999-12-31.*banksync warnings --account a1/);
  });

  it('--account refuses a file that names another account, names it, and --force-account overrides', async () => {
    const before = (await txs(cli, 'a1')).length;
    const r = await cli.runAsync(['import', fixture('savings-statement.ofx'), '--account', 'a1'], NOW);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: savings-statement\.ofx is a statement of account (NL74)?…6789, which is a2 Savings, not of a1 Checking/m);
    expect(r.stderr).toMatch(/--force-account/);
    expect(await txs(cli, 'a1')).toHaveLength(before);
    const forced = await cli.runAsync(['import', fixture('savings-statement.ofx'), '--account', 'a1', '--force-account', '--dry-run'], NOW);
    expect(forced.code, forced.stderr).toBe(0);
    // Without --account the file finds its own account.
    const own = await cli.jsonAsync<{ files: { statements: { account: string }[] }[] }>(['import', fixture('savings-statement.ofx'), '--dry-run'], NOW);
    expect(own.files[0]!.statements[0]!.account).toBe('a2');
  });

  it('two different payments with one shared word are not merged ("Evil Corp refund" vs "Evil Twin Bakery")', async () => {
    const r1 = await cli.jsonAsync<{ files: { statements: { account: string }[] }[] }>(['import', fixture('evil-twin.csv'), '--new-account', 'Card'], NOW);
    const card = r1.files[0]!.statements[0]!.account;
    const r2 = await cli.jsonAsync<{ files: { statements: { added: number; matchedByText: number }[] }[] }>(['import', fixture('evil-corp.ofx'), '--account', card], NOW);
    expect(r2.files[0]!.statements[0]).toMatchObject({ added: 1, matchedByText: 0 });
    expect((await txs(cli, card)).map((t) => t.payee).sort()).toEqual(['Evil Corp refund', 'Evil Twin Bakery']);
  });
});

describe('what comes in is evidence, not truth (providers)', () => {
  const cli = new CliSandbox({ inProcess: true });
  const odd = { ...NOW, BANKSYNC_SANDBOX_FAULTS: 'odd-lines=nl-checking' };
  afterAll(() => cli.cleanup());

  it('odd provider lines are quarantined or kept twice, each said once on stderr and listed in status and warnings', async () => {
    expect((await cli.runAsync(['connect', '--provider', 'sandbox', '--institution', 'sandbox-bank', '--accounts', 'all', '--yes'], NOW)).code).toBe(0);
    const r = await cli.runAsync(['sync', '--account', 'a1'], odd);
    expect(r.code, r.stderr).toBe(0);
    const warned = r.stderr.split('\n').filter((l) => l.startsWith('warning: a1 Checking: '));
    expect(warned).toHaveLength(5);
    expect(r.stderr).toMatch(/line odd-future not imported: its date 9999-12-31 is more than 5 days after today/);
    expect(r.stderr).toMatch(/line odd-impossible not imported: its date "2026-02-30" is not a calendar date/);
    expect(r.stderr).toMatch(/line odd-currency not imported: it is in USD, but the account is in EUR/);
    expect(r.stderr).toMatch(/line odd-undated not imported: sandbox sent a booked line without a date/);
    expect(r.stderr).toMatch(/provider id odd-twice came with two different lines .*both are kept/);
    const payees = (await txs(cli, 'a1')).map((t) => t.payee);
    expect(payees.filter((p) => p?.startsWith('Twin'))).toEqual(['Twin One', 'Twin Two']);
    expect(payees).not.toContain('Typo Year Ltd');
    const { connections } = await cli.jsonAsync<{ connections: { accounts: { id: string; inputWarnings: { count: number } }[] }[] }>(['status'], NOW);
    expect(connections[0]!.accounts.find((a) => a.id === 'a1')!.inputWarnings.count).toBe(5);

    // Cron the next day: the same answer again stores nothing twice and says nothing new.
    const next = { ...odd, BANKSYNC_NOW: '2026-11-21T09:00:00Z' };
    const again = await cli.runAsync(['sync', '--all', '--quiet'], next);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toBe('');
    expect((await txs(cli, 'a1', next)).map((t) => t.payee).filter((p) => p?.startsWith('Twin'))).toEqual(['Twin One', 'Twin Two']);
    const { warnings } = await cli.jsonAsync<{ warnings: { kind: string; times: number }[] }>(['warnings', '--account', 'a1'], next);
    expect(warnings.map((w) => w.kind).sort()).toEqual(['id-conflict', 'quarantined', 'quarantined', 'quarantined', 'quarantined']);
  });
});
