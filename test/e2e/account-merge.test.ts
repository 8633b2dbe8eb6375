import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, CONNECT_SANDBOX } from '../helpers/cli.js';

const NOW = { BANKSYNC_NOW: '2026-11-22T07:00:00Z' };
const LATER = { BANKSYNC_NOW: '2026-11-25T07:00:00Z' };

/** A bank account held twice (its statement imported as a file account, then connected): merged into one. */
describe('accounts merge on the built CLI', () => {
  const cli = new CliSandbox({ inProcess: true });
  const count = async (id: string) => (await cli.jsonAsync<{ accounts: { id: string; transactions: number }[] }>(['accounts'])).accounts.find((a) => a.id === id)?.transactions;
  beforeAll(async () => {
    expect((await cli.runAsync(CONNECT_SANDBOX, NOW)).code).toBe(0);
    expect((await cli.runAsync(['sync', '--all'], NOW)).code).toBe(0);
  });
  afterAll(() => cli.cleanup());

  it('a file account holding the same lines merges into the synced one without a duplicate; a later sync adds none either', async () => {
    const csv = join(cli.dir, 'a1.csv');
    expect((await cli.runAsync(['export', '--format', 'csv', '--account', 'a1', '--to', '2026-10-31', '--output', csv], NOW)).code).toBe(0);
    const imported = (await cli.jsonAsync(['import', csv, '--new-account', 'Checking from file', '--currency', 'EUR'], NOW)).files[0].statements[0];
    const file = imported.account as string;
    const before = await count('a1')!;
    expect(await count(file)).toBeGreaterThan(0);
    expect((await cli.runAsync(['accounts', 'merge', file, 'a1'], NOW)).code).toBe(4); // no terminal, no --yes

    const r = await cli.jsonAsync(['accounts', 'merge', file, 'a1', '--yes'], NOW);
    expect(r).toMatchObject({ from: file, into: 'a1', moved: 0, duplicates: imported.added });
    expect(r.backup).toMatch(/\.backup-\d{8}T\d{6}Z-merge-/);
    expect(await count('a1')).toBe(before);
    expect(await count(file)).toBeUndefined();
    expect((await cli.runAsync(['sync', '--all'], LATER)).code).toBe(0);
    expect((await cli.runAsync(['sync', '--all'], LATER)).code).toBe(0);
    const after = await count('a1')!;
    // Merging the same file again (imported anew) moves nothing.
    const again = (await cli.jsonAsync(['import', csv, '--new-account', 'Again', '--currency', 'EUR'], LATER)).files[0].statements[0].account as string;
    expect(await cli.jsonAsync(['accounts', 'merge', again, 'a1', '--yes'], LATER)).toMatchObject({ moved: 0 });
    expect(await count('a1')).toBe(after);
  });

  it('refuses accounts in other currencies and unknown ids, changing nothing', async () => {
    const file = join(cli.dir, 'usd.csv');
    writeFileSync(file, 'date,amount,payee\n2026-11-01,-5.00,Diner\n');
    const usd = (await cli.jsonAsync(['import', file, '--new-account', 'Dollars', '--currency', 'USD'], NOW)).files[0].statements[0].account as string;
    const r = await cli.runAsync(['accounts', 'merge', usd, 'a1', '--yes'], NOW);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('in USD');
    expect((await cli.runAsync(['accounts', 'merge', 'a99', 'a1', '--yes'], NOW)).code).toBe(2);
  });
});
