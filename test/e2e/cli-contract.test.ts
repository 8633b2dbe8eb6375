import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli.js';

const DAY1 = { BANKSYNC_NOW: '2026-11-20T09:00:00Z' };
const DAY3 = { BANKSYNC_NOW: '2026-11-22T09:00:00Z' };

describe('the CLI as scripts and people use it', () => {
  const cli = new CliSandbox({ inProcess: true });
  beforeAll(async () => {
    expect((await cli.runAsync(['connect', '--provider', 'sandbox', '--institution', 'sandbox-bank', '--accounts', 'all', '--yes'], DAY1)).code).toBe(0);
    expect((await cli.runAsync(['sync', 'c1'], DAY1)).code).toBe(0);
  });
  afterAll(() => cli.cleanup());

  it.each([
    [['status']],
    [['accounts']],
    [['institutions', 'sandbox']],
    [['transactions', '--account', 'a1', '--from', '2026-11-01']],
    [['transactions', '--pending']],
    [['statements', '--account', 'a1']],
    [['sync', '--all']],
    [['config']],
  ])('--json %j prints exactly one JSON document on stdout', async (args) => {
    const r = await cli.runAsync(['--json', ...args], DAY1);
    expect(r.code, r.stderr).toBe(0);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
  });

  it('creates the database with mode 0600 and stores no secret in plain text', () => {
    expect(statSync(cli.db).mode & 0o777).toBe(0o600);
    const raw = readFileSync(cli.db);
    expect(raw.includes(Buffer.from('grantedAt'))).toBe(false);
  });

  it('fails without a TTY with the flag that would answer the prompt (exit 4)', async () => {
    const connect = await cli.runAsync(['connect'], DAY1);
    expect(connect.code).toBe(4);
    expect(connect.stderr).toMatch(/--institution/);
    const consent = await cli.runAsync(['connect', '--institution', 'sandbox-beta', '--accounts', 'all'], DAY1);
    expect(consent.code).toBe(4);
    expect(consent.stderr).toMatch(/--yes/);
    const disconnect = await cli.runAsync(['disconnect', 'c1'], DAY1);
    expect(disconnect.code).toBe(4);
    expect(disconnect.stderr).toMatch(/--keep-history/);
  });

  it.each([
    [['sync', '--bogus']],
    [['nope']],
    [['sync', 'x9']],
    [['sync', 'c99']],
    [['export', '--format', 'xml']],
    [['export', '--format', 'csv', '--from', '2026-02-30']],
    [['transactions', '--account', 'a99']],
    [['accounts', 'set', 'a1', '--period', 'year']],
  ])('bad input %j: one line on stderr, exit 2, no stack trace', async (args) => {
    const r = await cli.runAsync(args, DAY1);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('says plainly when no account of the chosen institution was authorized (M3), creating nothing', async () => {
    const before = (await cli.jsonAsync(['status'], DAY1)).connections.length;
    const r = await cli.runAsync(['connect', '--institution', 'sandbox-partner', '--accounts', 'all', '--yes'], DAY1);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no account of Sandbox Partner Bank was authorized/);
    expect((await cli.jsonAsync(['status'], DAY1)).connections.length).toBe(before);
  });

  it('warns about beta institutions (M4)', async () => {
    const r = await cli.runAsync(['connect', '--institution', 'sandbox-beta', '--accounts', 'all', '--yes'], DAY1);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/beta/);
  });

  it('fetch-accounts adds an account authorized later and keeps the others (M6)', async () => {
    const before = (await cli.jsonAsync(['accounts'], DAY3)).accounts.filter((a: { connection: string }) => a.connection === 'c1');
    await cli.runAsync(['accounts', 'set', 'a1', '--period', 'week'], DAY3);
    const r = await cli.jsonAsync(['fetch-accounts', 'c1'], DAY3);
    expect(r.added.map((a: { name: string }) => a.name)).toEqual(['Savings Goals']);
    const after = (await cli.jsonAsync(['accounts'], DAY3)).accounts.filter((a: { connection: string }) => a.connection === 'c1');
    expect(after).toHaveLength(before.length + 1);
    expect(after.find((a: { id: string }) => a.id === 'a1')).toMatchObject({ statementPeriod: 'week', transactions: before[0].transactions });
    expect((await cli.jsonAsync(['fetch-accounts', 'c1'], DAY3)).added).toEqual([]);
  });

  it('renews a lapsed consent keeping accounts and history, even with new provider account ids (M7)', async () => {
    expect((await cli.runAsync(['connect', '--institution', 'sandbox-lapsed', '--accounts', 'all', '--yes'], DAY1)).code).toBe(0);
    const lapsed = (await cli.jsonAsync(['status'], DAY1)).connections.find((c: { institution: string }) => c.institution === 'Sandbox Lapsed Bank');
    const blocked = await cli.runAsync(['sync', lapsed.id], DAY1);
    expect(blocked.code).toBe(3);
    expect(blocked.stdout + blocked.stderr).toContain(`banksync update-credentials ${lapsed.id}`);
    expect((await cli.runAsync(['update-credentials', lapsed.id, '--yes'], DAY1)).code).toBe(0);
    expect((await cli.runAsync(['sync', lapsed.id], DAY1)).code).toBe(0);
    const account = lapsed.accounts[0].id;
    const count = (await cli.jsonAsync(['accounts'], DAY1)).accounts.find((a: { id: string }) => a.id === account).transactions;
    expect(count).toBeGreaterThan(0);
    const renewed = await cli.jsonAsync(['update-credentials', lapsed.id, '--yes'], DAY3);
    expect(renewed.accounts).toEqual([{ id: account, name: 'Cuenta corriente', status: 'kept' }]);
    expect((await cli.runAsync(['sync', lapsed.id], DAY3)).code).toBe(0);
    const after = (await cli.jsonAsync(['accounts'], DAY3)).accounts.filter((a: { connection: string }) => a.connection === lapsed.id);
    expect(after).toHaveLength(1);
    expect(after[0].transactions).toBeGreaterThanOrEqual(count);
  });

  it('export --output writes atomically and leaves nothing behind on failure', async () => {
    const out = join(cli.dir, 'a1.csv');
    const r = await cli.runAsync(['export', '--format', 'csv', '--account', 'a1', '--output', out], DAY1);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('date,amount,currency,payee,memo,id,type,balance,category,clean_payee');
    const bad = await cli.runAsync(['export', '--format', 'csv', '--output', join(cli.dir, 'missing-dir', 'x.csv')], DAY1);
    expect(bad.code).toBe(2);
    expect(existsSync(join(cli.dir, 'missing-dir'))).toBe(false);
    expect(readdirSync(cli.dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('disconnect keeps history when asked, and sync then skips the connection', async () => {
    const r = await cli.jsonAsync(['disconnect', 'c1', '--keep-history'], DAY3);
    expect(r.history).toBe('kept');
    const txns = (await cli.jsonAsync(['transactions', '--account', 'a1'], DAY3)).transactions.length;
    expect(txns).toBeGreaterThan(0);
    const s = await cli.runAsync(['sync', 'c1'], DAY3);
    expect(s.stdout).toMatch(/update-credentials c1/);
  });

  it('sync reads the preferences config wrote; a broken config.json is one line, exit 2', async () => {
    const other = new CliSandbox({ inProcess: true });
    expect((await other.runAsync(['config', 'overlap-days', '3'])).code).toBe(0);
    const file = join(other.dir, 'config', 'config.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))['overlap-days']).toBe(3);
    expect((await other.runAsync(['sync', '--all'])).code).toBe(0);
    writeFileSync(file, '{"overlap-days": 3,');
    const r = await other.runAsync(['sync', '--all']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: the preferences in .*config\.json are not valid JSON — fix or delete the file/)]);
    other.cleanup();
  });

  it('prints the version without touching the database', async () => {
    const other = new CliSandbox({ inProcess: true });
    const r = await other.runAsync(['--version']);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(existsSync(other.db)).toBe(false);
    other.cleanup();
  });
});
