import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli.js';

const BEFORE = { BANKSYNC_NOW: '2026-11-20T10:00:00Z' };
const AFTER = { BANKSYNC_NOW: '2026-11-30T10:00:00Z' };

interface Synced {
  accounts: { account: string; result: string; newCount: number; matchedCount?: number; driftMinor: number | null }[];
}
interface Lines {
  transactions: { id: string; date: string; amountMinor: number; payee: string | null; source: string }[];
}

/**
 * A statement imported before the bank delivers its lines (this week's lines from the bank's
 * website, then the sync): the sync must take each provider line as the imported one, not store
 * it twice. Sync and import climb the same ladder: id, fingerprint, then mostly agreeing text.
 */
describe('a sync meeting lines imported from a statement', () => {
  const cli = new CliSandbox();
  let csv: string;
  let imported: number;
  const a1Late = async () => (await cli.jsonAsync<Lines>(['transactions', '--account', 'a1', '--from', '2026-11-21'], AFTER)).transactions;

  beforeAll(async () => {
    // What the bank's website shows for 21–30 November: another database synced on the 30th.
    const bank = new CliSandbox();
    try {
      await bank.runAsync(['connect', '--provider', 'sandbox', '--institution', 'sandbox-bank', '--accounts', 'all', '--yes'], AFTER);
      await bank.runAsync(['sync'], AFTER);
      const out = await bank.runAsync(['export', '--format', 'csv', '--account', 'a1', '--from', '2026-11-21', '--columns', 'date,amount,currency,payee,memo'], AFTER);
      expect(out.code).toBe(0);
      const rows = out.stdout.trim().split('\n');
      // The statement words one payee its own way: the same payment, matched by its text.
      const first = rows.findIndex((r) => r.includes(',Rail Tickets,'));
      expect(first).toBeGreaterThan(0);
      rows[first] = rows[first]!.replace(',Rail Tickets,', ',Rail Tickets NS,');
      imported = rows.length - 1;
      csv = join(cli.dir, 'statement.csv');
      writeFileSync(csv, `${rows.join('\n')}\n`);
    } finally {
      bank.cleanup();
    }
    await cli.runAsync(['connect', '--provider', 'sandbox', '--institution', 'sandbox-bank', '--accounts', 'all', '--yes'], BEFORE);
    expect((await cli.runAsync(['sync', 'c1'], BEFORE)).code).toBe(0);
  }, 300_000);
  afterAll(() => cli.cleanup());

  it('the statement imports as new lines (the bank has not sent them yet)', async () => {
    const r = await cli.jsonAsync<{ files: { statements: { added: number }[] }[] }>(['import', csv, '--account', 'a1'], AFTER);
    expect(imported).toBeGreaterThan(5);
    expect(r.files[0]!.statements[0]!.added).toBe(imported);
  });

  it('the sync takes every provider line as the imported one: nothing twice, no balance drift', async () => {
    const r = await cli.jsonAsync<Synced>(['sync', 'c1'], AFTER);
    const a1 = r.accounts.find((a) => a.account === 'a1')!;
    expect(a1).toMatchObject({ result: 'synced', newCount: 0, matchedCount: imported, driftMinor: 0 });
    const lines = await a1Late();
    expect(lines).toHaveLength(imported);
    expect(new Set(lines.map((l) => l.source.split('#')[0]))).toEqual(new Set(['file:statement.csv']));
  });

  it('the text merge is listed, and a sync again counts nothing new and nothing matched', async () => {
    const w = await cli.runAsync(['warnings', '--kind', 'fuzzy-merge'], AFTER);
    expect(w.stdout).toMatch(/"Rail Tickets Card payment"\) taken as t[0-9a-f]{24} from file:statement\.csv#[0-9a-f]+ \("Rail Tickets NS Card payment"\): same date and amount, 4 of 4 words shared/);
    const again = await cli.jsonAsync<Synced>(['sync', 'c1'], AFTER);
    const a1 = again.accounts.find((a) => a.account === 'a1')!;
    expect(a1.newCount).toBe(0);
    expect(a1.matchedCount).toBeUndefined();
    expect(await a1Late()).toHaveLength(imported);
  });

  it('unmerge makes the provider line its own again, under the id the next sync finds it by', async () => {
    const ns = (await a1Late()).find((l) => l.payee === 'Rail Tickets NS')!;
    const u = await cli.jsonAsync<{ line: string; source: string }>(['unmerge', ns.id], AFTER);
    expect(u.source).toBe('provider:sandbox');
    expect(await a1Late()).toHaveLength(imported + 1);
    // A sync whose window holds that day again: the line is found by its own id, neither merged nor added.
    const r = await cli.jsonAsync<Synced & { accounts: { window: { from: string } }[] }>(['sync', '--account', 'a1', '--overlap-days', '15'], AFTER);
    expect(r.accounts[0]!.window.from <= '2026-11-21').toBe(true);
    expect(r.accounts[0]).toMatchObject({ newCount: 0 });
    expect(r.accounts[0]!.matchedCount).toBeUndefined();
    const lines = await a1Late();
    expect(lines).toHaveLength(imported + 1);
    expect(lines.filter((l) => l.id === u.line)).toHaveLength(1);
  });
});
