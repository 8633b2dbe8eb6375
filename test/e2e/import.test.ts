import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli.js';
import { VALIDATORS } from '../helpers/tools.js';

const NOW = { BANKSYNC_NOW: '2026-11-20T09:00:00Z' };
const SAMPLES = join(VALIDATORS, 'samples');

type Tx = { account: string; date: string; amountMinor: number; payee: string | null };
const lines = async (cli: CliSandbox, account: string) =>
  (await cli.jsonAsync<{ transactions: Tx[] }>(['transactions', '--account', account], NOW)).transactions.map((t) => `${t.date} ${t.amountMinor} ${t.payee ?? ''}`).sort();

describe('banksync import (the file provider) through the CLI', () => {
  const synced = new CliSandbox({ inProcess: true });
  const out = (name: string) => join(synced.dir, name);
  beforeAll(async () => {
    expect((await synced.runAsync(['connect', '--provider', 'sandbox', '--institution', 'sandbox-bank', '--accounts', 'all', '--yes'], NOW)).code).toBe(0);
    expect((await synced.runAsync(['sync'], NOW)).code).toBe(0);
  });
  afterAll(() => synced.cleanup());

  it('creates the account from the file, and a second import (or an overlapping one) adds nothing', async () => {
    const cli = new CliSandbox({ inProcess: true });
    try {
      const first = await cli.jsonAsync(['import', join(SAMPLES, 'good/bank-102-utf8.ofx')], NOW);
      expect(first.files[0].statements[0]).toMatchObject({ account: 'a1', created: true, added: 4, duplicates: 0 });
      expect((await cli.jsonAsync(['import', join(SAMPLES, 'good/bank-102-utf8.ofx')], NOW)).files[0].statements[0]).toMatchObject({ added: 0, duplicates: 4 });
      // The same statement as CSV and QIF: other formats, other ids, same payments.
      const csv = await cli.jsonAsync(['import', join(SAMPLES, 'good/transactions.csv'), join(SAMPLES, 'good/bank.qif'), '--account', 'a1'], NOW);
      expect(csv.files.map((f: any) => f.statements[0].added)).toEqual([0, 0]);
      expect(await lines(cli, 'a1')).toHaveLength(4);
      // Each stored line says where it came from.
      const sources = (await cli.jsonAsync<{ transactions: { source: string }[] }>(['transactions', '--account', 'a1'], NOW)).transactions.map((t) => t.source);
      expect(new Set(sources)).toEqual(new Set([expect.stringMatching(/^file:bank-102-utf8\.ofx#[0-9a-f]{12}$/)]));
    } finally {
      cli.cleanup();
    }
  });

  it('a statement balance that disagrees with banksync is reported, naming both figures (M11)', async () => {
    const cli = new CliSandbox({ inProcess: true });
    try {
      expect((await cli.runAsync(['import', join(SAMPLES, 'good/bank-102-utf8.ofx')], NOW)).code).toBe(0);
      const wrong = join(cli.dir, 'wrong-balance.ofx');
      writeFileSync(wrong, readFileSync(join(SAMPLES, 'good/bank-102-utf8.ofx'), 'utf8').replace(/<BALAMT>[^\n<]+/, '<BALAMT>3400.00'));
      const r = await cli.runAsync(['import', wrong], NOW);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/wrong-balance\.ofx: the statement balance on 2024-01-31 is 3400\.00, banksync computes 3435\.51 for a1/);
    } finally {
      cli.cleanup();
    }
  });

  it('two identical lines in one file both stay, once', async () => {
    const cli = new CliSandbox({ inProcess: true });
    try {
      const csv = join(cli.dir, 'twins.csv');
      writeFileSync(csv, 'date,amount,payee\n2026-11-02,-3.80,Coffee Corner\n2026-11-02,-3.80,Coffee Corner\n2026-11-03,-1.00,Kiosk\n');
      expect((await cli.jsonAsync(['import', csv, '--new-account', 'Cash', '--currency', 'EUR'], NOW)).files[0].statements[0].added).toBe(3);
      expect((await cli.jsonAsync(['import', csv, '--account', 'a1'], NOW)).files[0].statements[0]).toMatchObject({ added: 0, duplicates: 3 });
    } finally {
      cli.cleanup();
    }
  });

  it('a bank file overlapping what the provider sync brought adds nothing (other ids, other spelling)', async () => {
    expect((await synced.runAsync(['export', '--format', 'ofx', '--account', 'a1', '--from', '2026-10-01', '--output', out('a1.ofx')], NOW)).code).toBe(0);
    // What the bank's own download looks like: its own FITIDs, payees in capitals.
    const bankFile = readFileSync(out('a1.ofx'), 'utf8')
      .replace(/<FITID>t([0-9a-f]+)/g, '<FITID>BANK-$1')
      .replace(/<NAME>([^\n]+)/g, (_m, n: string) => `<NAME>${n.toUpperCase()} AMSTERDAM`);
    writeFileSync(out('bank.ofx'), bankFile);
    const before = await lines(synced, 'a1');
    const r = await synced.jsonAsync(['import', out('bank.ofx'), '--account', 'a1'], NOW);
    expect(r.files[0].statements[0].added).toBe(0);
    expect(r.files[0].statements[0].duplicates).toBeGreaterThan(20);
    expect(r.files[0].statements[0].balances[0].differs).toBe(false);
    expect(await lines(synced, 'a1')).toEqual(before);
    // Every merge by text is recorded, with the two texts and why, for the user to check.
    const merged = r.files[0].statements[0].matchedByText;
    expect(merged).toBeGreaterThan(20);
    const { warnings } = await synced.jsonAsync<{ warnings: { kind: string; message: string }[] }>(['warnings', '--account', 'a1', '--kind', 'fuzzy-merge'], NOW);
    expect(warnings).toHaveLength(merged);
    expect(warnings[0]!.message).toMatch(/taken as t[0-9a-f]{24} from provider:sandbox .*words shared/);
  });

  it.each([
    ['ofx', ['--format', 'ofx']],
    ['csv', ['--format', 'csv']],
    ['qif', ['--format', 'qif', '--qif-dates', 'uk']],
  ])('export → import round trip (%s) gives the same set', async (name, args) => {
    expect((await synced.runAsync(['export', ...args, '--account', 'a3', '--output', out(`rt.${name}`)], NOW)).code).toBe(0);
    const fresh = new CliSandbox({ inProcess: true });
    try {
      const r = await fresh.runAsync(['--json', 'import', out(`rt.${name}`), '--new-account', 'Card', '--currency', 'EUR', ...(name === 'qif' ? ['--date-format', 'uk'] : [])], NOW);
      expect(r.code, r.stderr).toBe(0);
      expect(await lines(fresh, 'a1')).toEqual(await lines(synced, 'a3'));
    } finally {
      fresh.cleanup();
    }
  });

  it('backfills history older than the provider gave, keeping every later balance (M1)', async () => {
    const cli = new CliSandbox({ inProcess: true });
    try {
      expect((await cli.runAsync(['connect', '--provider', 'sandbox', '--institution', 'sandbox-bank', '--accounts', 'all', '--yes'], NOW)).code).toBe(0);
      expect((await cli.runAsync(['accounts', 'set', 'a1', '--lock-date', '2026-06-01'], NOW)).code).toBe(0);
      expect((await cli.runAsync(['sync'], NOW)).code).toBe(0);
      const closing = async () => (await cli.jsonAsync<{ statements: { account: string; closingMinor: number }[] }>(['statements', '--account', 'a1'], NOW)).statements.at(-1)!.closingMinor;
      const before = await closing();
      expect((await synced.runAsync(['export', '--format', 'ofx', '--account', 'a1', '--from', '2026-03-01', '--to', '2026-05-31', '--output', out('older.ofx')], NOW)).code).toBe(0);
      const r = await cli.jsonAsync(['import', out('older.ofx'), '--account', 'a1'], NOW);
      expect(r.files[0].statements[0].added).toBeGreaterThan(100);
      // The file's own closing balance (31 May) agrees with banksync's after the backfill.
      expect(r.files[0].statements[0].balances[0]).toMatchObject({ date: '2026-05-31', differs: false });
      expect(await closing()).toBe(before);
      expect((await lines(cli, 'a1')).filter((l) => l >= '2026-03-01' && l < '2026-06-01')).toEqual((await lines(synced, 'a1')).filter((l) => l >= '2026-03-01' && l < '2026-06-01'));
    } finally {
      cli.cleanup();
    }
  });

  it('--dry-run shows what would happen and writes nothing', async () => {
    const cli = new CliSandbox({ inProcess: true });
    try {
      const r = await cli.runAsync(['import', join(SAMPLES, 'good/camt053-v02.xml'), '--dry-run'], NOW);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/would add 4, 0 already there/);
      expect(r.stderr).toMatch(/dry run: nothing was written/); // a note: stdout holds only the report
      expect((await cli.jsonAsync(['accounts'], NOW)).accounts).toEqual([]);
    } finally {
      cli.cleanup();
    }
  });

  it('a bad file among good ones: one line naming it, exit 2, nothing written from any file', async () => {
    const cli = new CliSandbox({ inProcess: true });
    try {
      const r = await cli.runAsync(['import', join(SAMPLES, 'good/bank-102-utf8.ofx'), join(SAMPLES, 'bad/truncated.ofx')], NOW);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/truncated\.ofx: ends inside <STMTTRN>/);
      expect((await cli.jsonAsync(['accounts'], NOW)).accounts).toEqual([]);
      for (const args of [
        ['import', join(cli.dir, 'missing.ofx')],
        ['import', join(SAMPLES, 'good/transactions.csv')],
        ['import', join(SAMPLES, 'good/bank.qif'), '--account', 'a9'],
      ]) {
        const bad = await cli.runAsync(args, NOW);
        expect(bad.code, bad.stderr).toBe(2);
        expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      }
    } finally {
      cli.cleanup();
    }
  });
});
