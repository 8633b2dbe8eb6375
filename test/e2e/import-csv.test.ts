import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli.js';

const NOW = { BANKSYNC_NOW: '2026-11-20T09:00:00Z' };
const FIXTURES = resolve(__dirname, '../../fixtures/import/csv');
const f = (name: string) => join(FIXTURES, name);

type Tx = { date: string; amountMinor: number; payee: string | null };
const stored = async (cli: CliSandbox) => (await cli.jsonAsync<{ transactions: Tx[] }>(['transactions'], NOW)).transactions.map((t) => `${t.date} ${t.amountMinor}`).sort();

describe('banksync import: the CSV flags on the built CLI', () => {
  let cli: CliSandbox;
  afterEach(() => cli.cleanup());

  it('a headerless file: without --map one clear line and nothing stored; --no-header --map imports every row', async () => {
    cli = new CliSandbox({ inProcess: true });
    const refused = await cli.runAsync(['import', f('headerless-signed.csv'), '--new-account', 'Checking', '--currency', 'USD'], NOW);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/headerless-signed\.csv: has no header row \(line 1 is a transaction: 0=01\/16\/2024 1=-7\.50.*--map date=0,amount=1/);
    expect((await cli.jsonAsync(['accounts'], NOW)).accounts).toEqual([]);

    const r = await cli.runAsync(['import', f('headerless-signed.csv'), '--new-account', 'Checking', '--currency', 'USD', '--no-header', '--map', 'date=0,amount=1,payee=4'], NOW);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(await stored(cli)).toEqual(['2024-01-16 -750', '2024-01-17 250000', '2024-01-22 -4210']);
  });

  it('auto-detected headerless: a warning that the first row was read as data; --header takes it as the header instead', async () => {
    cli = new CliSandbox({ inProcess: true });
    const auto = await cli.runAsync(['import', f('headerless-signed.csv'), '--new-account', 'Checking', '--currency', 'USD', '--map', 'date=0,amount=1', '--dry-run'], NOW);
    expect(auto.code).toBe(0);
    expect(auto.stderr).toMatch(/warning: headerless-signed\.csv: has no header row: line 1 reads as a transaction/);
    expect(auto.stdout).toMatch(/would add 3/);
    const header = await cli.runAsync(['import', f('headerless-signed.csv'), '--new-account', 'Checking', '--currency', 'USD', '--map', 'date=0,amount=1', '--header', '--dry-run'], NOW);
    expect(header.code).toBe(0);
    expect(header.stdout).toMatch(/would add 2/);
  });

  it('--map direction=N signs unsigned amounts; --debit-values names the debit markers', async () => {
    cli = new CliSandbox({ inProcess: true });
    const unknown = await cli.runAsync(['import', f('direction-custom-values.csv'), '--new-account', 'Konto', '--currency', 'PLN', '--map', 'date=0,payee=1,amount=2,direction=3'], NOW);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/line 2: direction "Obciążenie" is not a debit\/credit marker I know/);
    const r = await cli.runAsync(
      ['import', f('direction-custom-values.csv'), '--new-account', 'Konto', '--currency', 'PLN', '--map', 'date=0,payee=1,amount=2,direction=3', '--debit-values', 'Obciążenie'],
      NOW,
    );
    expect(r.code).toBe(0);
    expect(await stored(cli)).toEqual(['2024-01-03 -4520', '2024-01-10 520000', '2024-01-15 -180000']);
  });

  it('an unmapped sign column is refused with the --map that fixes it, and nothing is stored', async () => {
    cli = new CliSandbox({ inProcess: true });
    const r = await cli.runAsync(['import', f('headerless-direction.csv'), '--new-account', 'Triodos', '--currency', 'EUR', '--map', 'date=0,amount=2,payee=4'], NOW);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/line 2: the amount has no sign of its own, but column 3 says "Debet".*--map date=0,amount=2,payee=4,direction=3/);
    expect((await cli.jsonAsync(['accounts'], NOW)).accounts).toEqual([]);
    expect((await cli.runAsync(['import', f('headerless-direction.csv'), '--new-account', 'Triodos', '--currency', 'EUR', '--map', 'date=0,amount=2,payee=4,direction=3'], NOW)).code).toBe(0);
    expect(await stored(cli)).toEqual(['2024-01-02 123456', '2024-01-05 -4520', '2024-01-15 -85000']);
  });

  it('ING "Af Bij" imports signed with no flags but the currency', async () => {
    cli = new CliSandbox({ inProcess: true });
    expect((await cli.runAsync(['import', f('ing-af-bij.csv'), '--new-account', 'ING', '--currency', 'EUR'], NOW)).code).toBe(0);
    expect(await stored(cli)).toEqual(['2024-01-02 -2345', '2024-01-25 250000', '2024-01-31 -195']);
  });

  it('--decimal settles "1,500" either way', async () => {
    cli = new CliSandbox({ inProcess: true });
    const refused = await cli.runAsync(['import', f('thousands-ambiguous.csv'), '--new-account', 'A', '--currency', 'EUR'], NOW);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/"-1,500" reads as a thousands or a decimal separator.*--decimal/);
    expect((await cli.runAsync(['import', f('thousands-ambiguous.csv'), '--new-account', 'A', '--currency', 'EUR', '--decimal', '.'], NOW)).code).toBe(0);
    expect(await stored(cli)).toEqual(['2024-01-05 -150000', '2024-01-25 25000']);
    expect((await cli.runAsync(['import', f('thousands-ambiguous.csv'), '--account', 'a1', '--decimal', 'x'], NOW)).code).toBe(2);
  });

  it("a newest-first file: no false balance warnings, and the closing balance is the newest line's", async () => {
    cli = new CliSandbox({ inProcess: true });
    const r = await cli.runAsync(['--json', 'import', f('newest-first.csv'), '--new-account', 'Checking', '--currency', 'EUR'], NOW);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout).files[0];
    expect(report.warnings).toEqual([]);
    expect(report.statements[0].balances).toEqual([{ date: '2024-01-29', file: '2604.80', banksync: '2604.80', differs: false }]);
    // The oldest-first twin of the file adds nothing and agrees with the balance already stored.
    const twin = (await cli.jsonAsync(['import', f('preamble-bank-name.csv'), '--account', 'a1'], NOW)).files[0];
    expect(twin.statements[0]).toMatchObject({ added: 0, duplicates: 3, balances: [{ date: '2024-01-29', differs: false }] });
  });

  it('--help lists the new flags', async () => {
    cli = new CliSandbox({ inProcess: true });
    const help = (await cli.runAsync(['import', '--help'])).stdout;
    for (const flag of ['--header', '--no-header', '--debit-values <values>', '--decimal <mark>', 'direction=9']) expect(help).toContain(flag);
  });
});
