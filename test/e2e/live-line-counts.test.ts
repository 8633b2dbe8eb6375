import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONNECT_SANDBOX, sandboxPerTest, type CliSandbox } from '../helpers/cli.js';

const DAY1 = { BANKSYNC_NOW: '2026-11-20T09:00:00Z' };
const DAY2 = { BANKSYNC_NOW: '2026-11-23T09:00:00Z' };

/** The stored per-account counts (migration 012) against a count of the lines, for every account. */
function expectExactCounts(cli: CliSandbox): Map<number, number> {
  const db = new Database(cli.db, { readonly: true });
  try {
    const kept = db.prepare('SELECT account_id AS id, live FROM account_line_counts ORDER BY account_id').all();
    const counted = db.prepare('SELECT a.id, (SELECT count(*) FROM transactions t WHERE t.account_id = a.id AND t.removed_at IS NULL) AS live FROM accounts a ORDER BY a.id').all() as {
      id: number;
      live: number;
    }[];
    expect(kept).toEqual(counted);
    return new Map(counted.map((r) => [r.id, r.live]));
  } finally {
    db.close();
  }
}

const csv = (cli: CliSandbox, name: string, rows: string[]) => {
  const path = join(cli.dir, name);
  writeFileSync(path, ['date,amount,currency,payee,memo', ...rows, ''].join('\n'));
  return path;
};

describe('stored line counts through every writer of the built CLI', () => {
  const fresh = sandboxPerTest({ inProcess: true });

  it('sync, import, unmerge, ignore and unignore, accounts merge, a later sync, replay, restore and account delete keep each count exact', async () => {
    const cli = fresh();
    const ok = async (args: string[], env = DAY1) => {
      const r = await cli.runAsync(args, env);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r;
    };
    await ok(CONNECT_SANDBOX);
    await ok(['sync', '--all']);
    const synced = expectExactCounts(cli);
    expect(synced.get(1)).toBeGreaterThan(0);

    // Import: a line merged into a synced one by its text (no new line), and a file account of its own.
    const merged = (await cli.jsonAsync<{ transactions: { id: string; amount: string }[] }>(['transactions', '--account', 'a1', '--from', '2026-11-18', '--to', '2026-11-18'])).transactions.find(
      (t) => t.amount === '-29.91',
    )!;
    await ok(['import', csv(cli, 'a.csv', ['2026-11-18,-29.91,EUR,PHARMACY 24 AMSTERDAM,card payment']), '--account', 'a1']);
    const file = (
      await cli.jsonAsync(['import', csv(cli, 'own.csv', ['2026-11-02,-12.00,EUR,Bakery,bread', '2026-11-03,-8.50,EUR,Kiosk,paper']), '--new-account', 'Cash book', '--currency', 'EUR'], DAY1)
    ).files[0].statements[0].account as string;
    let counts = expectExactCounts(cli);
    expect(counts.get(1)).toBe(synced.get(1));
    expect(counts.get(Number(file.slice(1)))).toBe(2);

    // Unmerge writes the file's line of its own.
    await ok(['unmerge', merged.id]);
    counts = expectExactCounts(cli);
    expect(counts.get(1)).toBe(synced.get(1)! + 1);

    // Ignored lines still count (as `transactions.count` always did); both ways stay exact.
    await ok(['transactions', 'ignore', merged.id, '--reason', 'test']);
    expect(expectExactCounts(cli)).toEqual(counts);
    await ok(['transactions', 'unignore', merged.id]);
    expect(expectExactCounts(cli)).toEqual(counts);

    // accounts merge moves the file account's lines into a1 and deletes it.
    await ok(['accounts', 'merge', file, 'a1', '--yes']);
    counts = expectExactCounts(cli);
    expect(counts.get(1)).toBe(synced.get(1)! + 3);
    expect(counts.has(Number(file.slice(1)))).toBe(false);

    await ok(['sync', '--all'], DAY2);
    expectExactCounts(cli);
    await ok(['replay'], DAY2);
    const replayed = expectExactCounts(cli);

    const backup = join(cli.dir, 'copy.db');
    await ok(['backup', backup], DAY2);
    await ok(['accounts', 'delete', 'a2', '--yes'], DAY2);
    counts = expectExactCounts(cli);
    expect(counts.has(2)).toBe(false);
    await ok(['restore', backup, '--yes'], DAY2);
    expect(expectExactCounts(cli)).toEqual(replayed);
  }, 300_000); // a few dozen CLI runs: sized for a loaded 2-core machine
});
