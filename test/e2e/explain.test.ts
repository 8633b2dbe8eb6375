import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONNECT_SANDBOX, sandboxPerTest, type CliSandbox } from '../helpers/cli.js';
import { requireTools, toolAsync } from '../helpers/tools.js';

const DAY1 = { BANKSYNC_NOW: '2026-11-20T09:00:00Z' };
// A later sync fetches the last days again (2026-11-18 included): the lines below are re-fetched.
const DAY2 = { BANKSYNC_NOW: '2026-11-23T09:00:00Z' };

/** The sandbox's checking account books these two on 2026-11-18 (Pharmacy 24, card payments). */
const MERGED_AMOUNT = '-29.91';
const OTHER_AMOUNT = '-56.94';

async function synced(fresh: () => CliSandbox): Promise<CliSandbox> {
  const cli = fresh();
  expect((await cli.runAsync(CONNECT_SANDBOX, DAY1)).code).toBe(0);
  expect((await cli.runAsync(['sync', '--all'], DAY1)).code).toBe(0);
  return cli;
}

const csv = (cli: CliSandbox, name: string, rows: string[]) => {
  const path = join(cli.dir, name);
  writeFileSync(path, ['date,amount,currency,payee,memo', ...rows, ''].join('\n'));
  return path;
};

async function lineOf(cli: CliSandbox, amount: string, env = DAY1): Promise<{ id: string; source: string }[]> {
  const { transactions } = await cli.jsonAsync<{ transactions: { id: string; amount: string; source: string }[] }>(
    ['transactions', '--account', 'a1', '--from', '2026-11-18', '--to', '2026-11-18'],
    env,
  );
  return transactions.filter((t) => t.amount === amount);
}

describe('explain, unmerge, ignore through the built CLI', () => {
  const fresh = sandboxPerTest({ inProcess: true });

  it('a file line merged into a synced line by its text: explain shows rung and candidates; unmerge separates them for good', async () => {
    const cli = await synced(fresh);
    const [synced1] = await lineOf(cli, MERGED_AMOUNT);
    const a = csv(cli, 'a.csv', [`2026-11-18,${MERGED_AMOUNT},EUR,PHARMACY 24 AMSTERDAM,card payment`]);
    const b = csv(cli, 'b.csv', [`2026-11-18,${MERGED_AMOUNT},EUR,Pharmacy 24,Card payment NL`]);
    for (const f of [a, b]) expect((await cli.jsonAsync(['import', f, '--account', 'a1'], DAY1)).files[0].statements[0]).toMatchObject({ added: 0, matchedByText: 1 });
    expect(await lineOf(cli, MERGED_AMOUNT)).toHaveLength(1);

    const e = await cli.jsonAsync(['explain', synced1!.id], DAY1);
    expect(e.origin).toMatchObject({ kind: 'provider', provider: 'sandbox', rung: 'provider-id' });
    expect(e.origin.rawId).toBeTruthy();
    expect(e.merged).toHaveLength(2);
    const fromA = e.merged.find((m: { file: { name: string } }) => m.file.name === 'a.csv');
    expect(fromA).toMatchObject({ rung: 'text', record: 'line 2', undoable: true, why: 'same date and amount, 3 of 3 words shared' });
    expect(fromA.file.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fromA.candidates).toEqual([expect.objectContaining({ id: synced1!.id, verdict: 'accepted', source: 'provider:sandbox' })]);
    const human = await cli.runAsync(['explain', synced1!.id], DAY1);
    expect(human.stdout).toContain('a.csv, line 2');
    expect(human.stdout).toContain('rung: text');

    // Two merges: without a terminal, unmerge names the flag that chooses.
    const ambiguous = await cli.runAsync(['unmerge', synced1!.id], DAY1);
    expect(ambiguous.code).toBe(4);
    expect(ambiguous.stderr).toContain(`--source ${e.merged.map((m: { ref: string }) => m.ref).join('|')}`);

    const u = await cli.jsonAsync(['unmerge', synced1!.id, '--source', fromA.ref], DAY1);
    expect(u).toMatchObject({ from: synced1!.id, ref: fromA.ref });
    const after = await lineOf(cli, MERGED_AMOUNT);
    expect(after.map((t) => t.id).sort()).toEqual([synced1!.id, u.line].sort());
    const own = await cli.jsonAsync(['explain', u.line], DAY1);
    expect(own.origin).toMatchObject({ rung: 'unmerged', unmergedFrom: synced1!.id, record: 'line 2' });

    // The next import of the same file and the next sync leave the two apart.
    expect((await cli.jsonAsync(['import', a, '--account', 'a1'], DAY1)).files[0].statements[0]).toMatchObject({ added: 0, matchedByText: 0, duplicates: 1 });
    expect((await cli.runAsync(['sync', '--all'], DAY2)).code).toBe(0);
    expect((await lineOf(cli, MERGED_AMOUNT, DAY2)).map((t) => t.id).sort()).toEqual([synced1!.id, u.line].sort());
    const again = await cli.jsonAsync(['explain', synced1!.id], DAY2);
    expect(again.merged.map((m: { file: { name: string } }) => m.file.name)).toEqual(['b.csv']);
    expect(again.decisions).toEqual([expect.objectContaining({ kind: 'unmerged' })]);
  }, 240_000); // a dozen CLI runs: sized for a loaded 2-core machine

  it('an ignored line leaves every export, stays hidden after a re-fetch, reaches an incremental target as removed; unignore brings it back', async () => {
    const cli = await synced(fresh);
    const [line] = await lineOf(cli, OTHER_AMOUNT);
    const id = line!.id;
    const out = (name: string) => join(cli.dir, name);
    expect((await cli.runAsync(['export', '--format', 'csv', '--target', 'books', '-o', out('full.csv')], DAY1)).code).toBe(0);

    const ignored = await cli.jsonAsync(['transactions', 'ignore', id, '--reason', 'paid back in cash'], DAY1);
    expect(ignored).toMatchObject({ id, ignored: true, changed: true });
    const plain = await cli.runAsync(['export', '--format', 'csv', '--account', 'a1'], DAY1);
    expect(plain.stdout).not.toContain(id);
    // The journal leaves it out of its balance assertions too: hledger still checks.
    requireTools('hledger');
    const journal = out('books.journal');
    expect((await cli.runAsync(['export', '--format', 'hledger', '--account', 'a1', '-o', journal], DAY1)).code).toBe(0);
    expect(readFileSync(journal, 'utf8')).not.toContain(id);
    const checked = await toolAsync('hledger', ['-f', journal, 'check']);
    expect(checked.code, checked.out).toBe(0);

    // A re-fetch of that day finds the line again and adds nothing.
    expect((await cli.runAsync(['sync', '--all'], DAY2)).code).toBe(0);
    expect((await cli.runAsync(['export', '--format', 'csv', '--account', 'a1'], DAY2)).stdout).not.toContain(id);
    expect(await lineOf(cli, OTHER_AMOUNT, DAY2)).toEqual([]);
    const listed = await cli.jsonAsync(['transactions', '--ignored'], DAY2);
    expect(listed.transactions).toEqual([expect.objectContaining({ id, ignored: expect.objectContaining({ reason: 'paid back in cash' }) })]);

    const changes = await cli.runAsync(['export', '--target', 'books', '--changes'], DAY2);
    const removal = changes.stdout.split('\n').filter((l) => l.includes(id));
    expect(removal).toHaveLength(1);
    expect(removal[0]).toMatch(/,removed$/);
    expect((await cli.runAsync(['export', '--target', 'books', '--changes'], DAY2)).stdout).not.toContain(id);

    const e = await cli.jsonAsync(['explain', id], DAY2);
    expect(e.line.ignored).toMatchObject({ reason: 'paid back in cash' });
    expect(e.decisions.map((d: { kind: string }) => d.kind)).toEqual(['ignored']);

    expect(await cli.jsonAsync(['transactions', 'unignore', id], DAY2)).toMatchObject({ id, ignored: false, changed: true });
    expect((await cli.runAsync(['export', '--format', 'csv', '--account', 'a1'], DAY2)).stdout).toContain(id);
    const back = (await cli.runAsync(['export', '--target', 'books', '--changes'], DAY2)).stdout.split('\n').filter((l) => l.includes(id));
    expect(back).toHaveLength(1);
    expect(back[0]).toMatch(/,changed$/);
  }, 240_000);

  it('explain and unmerge of an unknown id exit 2; unmerge of a line nothing was merged into exits 2', async () => {
    const cli = await synced(fresh);
    for (const args of [
      ['explain', 't000000000000000000000000'],
      ['unmerge', 't000000000000000000000000'],
      ['explain', 'nope'],
      ['transactions', 'ignore', 't000000000000000000000000'],
    ]) {
      const r = await cli.runAsync(args, DAY1);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: /);
    }
    const [line] = await lineOf(cli, OTHER_AMOUNT);
    const r = await cli.runAsync(['unmerge', line!.id], DAY1);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nothing was merged into');
  });
});
