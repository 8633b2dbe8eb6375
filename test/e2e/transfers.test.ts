import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, CONNECT_SANDBOX } from '../helpers/cli.js';
import { requireTools, toolAsync as tool } from '../helpers/tools.js';

const DAY1 = { BANKSYNC_NOW: '2026-11-20T09:00:00Z' };
const DAY3 = { BANKSYNC_NOW: '2026-11-22T09:00:00Z' };

interface Leg {
  id: string;
  account: string;
  date: string;
  amount: string;
  payee: string | null;
}
interface Listing {
  pairs: { id: string; how: string; from: Leg; to: Leg }[];
  candidates: (Leg & { reason: string; partners: string[] })[];
}

/** The sandbox bank's own transfers, found after a sync, exported as transfers, corrected by hand. */
describe('banksync transfers on a synced sandbox bank', () => {
  const cli = new CliSandbox({ inProcess: true });
  const list = (env = DAY1) => cli.jsonAsync<Listing>(['transfers'], env);
  beforeAll(async () => {
    requireTools('hledger', 'ledger', 'bean-check');
    expect((await cli.runAsync(CONNECT_SANDBOX, DAY1)).code).toBe(0);
    expect((await cli.runAsync(['sync', 'c1'], DAY1)).code).toBe(0);
  });
  afterAll(() => cli.cleanup());

  it('lists the monthly saving (checking → savings) and the card repayment (checking → card) as pairs, found by IBAN', async () => {
    const { pairs, candidates } = await list();
    const saving = pairs.find((p) => p.from.date === '2026-11-02' && p.to.account === 'a2')!;
    expect(saving).toMatchObject({ how: 'iban', from: { account: 'a1', amount: '-200.00', payee: 'Own transfer' }, to: { account: 'a2', amount: '200.00', payee: 'Own transfer' } });
    const repayment = pairs.find((p) => p.from.date === '2026-11-20')!;
    expect(repayment).toMatchObject({ how: 'iban', from: { account: 'a1', amount: '-500.00', payee: 'Credit card repayment' }, to: { account: 'a3', amount: '500.00', payee: 'Payment received' } });
    // Two years of both, each line in one pair at most.
    expect(pairs.filter((p) => p.to.account === 'a2').length).toBeGreaterThanOrEqual(24);
    expect(pairs.filter((p) => p.to.account === 'a3').length).toBeGreaterThanOrEqual(24);
    const legs = pairs.flatMap((p) => [p.from.id, p.to.id]);
    expect(new Set(legs).size).toBe(legs.length);
    // Checking also pays into Savings Goals, which consent authorizes only later: no partner yet.
    expect(candidates.find((c) => c.date === '2026-11-02')).toMatchObject({ account: 'a1', amount: '-200.00', reason: 'no-partner', partners: [] });
    const human = await cli.runAsync(['transfers'], DAY1);
    expect(human.stdout).toMatch(/^TRANSFER +FROM +TO +HOW/);
    expect(human.stdout).toMatch(/look like a transfer but have no pair/);
  });

  it('journals post each pair as one transaction to both accounts; hledger check, ledger and bean-check pass', async () => {
    const { pairs } = await list();
    const out = (f: string) => join(cli.dir, `all.${f}`);
    for (const format of ['hledger', 'ledger', 'beancount']) {
      const r = await cli.runAsync(['--json', 'export', '--format', format, '--output', out(format)], DAY1);
      expect(r.code, r.stderr).toBe(0);
    }
    const [h, l, b] = await Promise.all([tool('hledger', ['-f', out('hledger'), 'check']), tool('ledger', ['-f', out('ledger'), 'bal']), tool('bean-check', [out('beancount')])]);
    expect(h.code, h.out).toBe(0);
    expect(l.code, l.out).toBe(0);
    expect(b.code, b.out).toBe(0);
    const txns = readFileSync(out('hledger'), 'utf8').split('\n\n');
    for (const p of pairs) {
      const holding = txns.filter((t) => t.includes(`; id: ${p.from.id}`) || t.includes(`; id: ${p.to.id}`));
      expect(holding, p.id).toHaveLength(1);
      expect(holding[0]).toContain(`; transfer: ${p.id}`);
      expect(holding[0]).not.toMatch(/Unknown/);
    }
    // hledger sees the money move between the accounts, not out to Expenses and in from Income.
    const saving = pairs.find((p) => p.from.date === '2026-11-02' && p.to.account === 'a2')!;
    const reg = await tool('hledger', ['-f', out('hledger'), 'reg', `tag:transfer=${saving.id}`, '-O', 'csv']);
    expect(reg.out).toMatch(/"Assets:SandboxBank:Checking","-200\.00 EUR"[\s\S]*"Assets:SandboxBank:Savings","200\.00 EUR"/);
  });

  it('unlink and link are remembered across a re-sync and a full re-detection', async () => {
    const before = await list();
    const saving = before.pairs.find((p) => p.from.date === '2026-11-02' && p.to.account === 'a2')!;
    const toGoals = before.candidates.find((c) => c.date === '2026-11-02')!;
    const unlinked = await cli.jsonAsync(['transfers', 'unlink', saving.from.id, saving.to.id], DAY1);
    expect(unlinked).toMatchObject({ transfer: saving.id });
    // A deliberate correction: the savings line came from the goals transfer, says the user.
    const linked = await cli.jsonAsync(['transfers', 'link', saving.to.id, toGoals.id], DAY1);
    expect(linked).toMatchObject({ from: toGoals.id, to: saving.to.id, replaced: [] });

    expect((await cli.runAsync(['sync', 'c1', '--overlap-days', '30'], DAY3)).code).toBe(0);
    expect((await cli.runAsync(['transfers', 'detect', '--full'], DAY3)).code).toBe(0);
    const after = await list(DAY3);
    expect(after.pairs.find((p) => p.from.id === saving.from.id)).toBeUndefined();
    expect(after.pairs.find((p) => p.to.id === saving.to.id)).toMatchObject({ how: 'manual', from: { id: toGoals.id } });
    expect(after.candidates.map((c) => c.id)).toContain(saving.from.id);
    // One pair undone, one made by hand; the other months untouched.
    expect(after.pairs.filter((p) => p.from.date <= '2026-11-20').length).toBe(before.pairs.length);
  });

  it('refuses bad input with exit 2 and one line', async () => {
    const r = await cli.runAsync(['transfers', 'link', 'tnope', 'tnada'], DAY3);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')[0]).toMatch(/^error: no transaction tnope/);
  });
});
