import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/domain/clock.js';
import { SANDBOX_ACCOUNTS } from '../../src/providers/sandbox/catalog.js';
import { bookedLines } from '../../src/providers/sandbox/generator.js';
import { CliSandbox } from '../helpers/cli.js';

/**
 * Thirty simulated days of `sync --all --due` twice a day (cron at 06:00 and 18:00) must end
 * with exactly the sandbox's booked set: no line lost (late bookings, pending→booked with a new
 * id and a tip), none doubled (overlapping windows, identical purchases, id-less bank).
 */
describe('a month of unattended syncs', () => {
  const cli = new CliSandbox({ inProcess: true });
  const start = '2026-10-01';
  const end = addDays(start, 29);
  const at = (day: string, hour: string) => ({ BANKSYNC_NOW: `${day}T${hour}:00:00Z` });
  const firstFrom: Record<string, string> = {};

  // 4 connects and 60 syncs, one after another (each starts where the last left off): seconds
  // each on a loaded 2-core machine. Async spawns keep vitest's worker answering meanwhile.
  beforeAll(async () => {
    for (const inst of ['sandbox-bank', 'sandbox-yen', 'sandbox-daily', 'sandbox-short']) {
      const r = await cli.runAsync(['connect', '--provider', 'sandbox', '--institution', inst, '--accounts', 'all', '--yes'], at(start, '05'));
      expect(r.code, r.stderr).toBe(0);
    }
    for (let day = start; day <= end; day = addDays(day, 1)) {
      for (const hour of ['06', '18']) {
        const r = await cli.runAsync(['--json', 'sync', '--all', '--due'], at(day, hour));
        expect(r.code, r.stderr).toBe(0);
        for (const a of JSON.parse(r.stdout).accounts) if (a.window && !firstFrom[a.account]) firstFrom[a.account] = a.window.from;
      }
    }
  }, 600_000);
  afterAll(() => cli.cleanup());

  it('stores exactly the booked lines the bank reported, per account', async () => {
    const { accounts } = await cli.jsonAsync<{ accounts: { id: string; name: string; currency: string; institution: string }[] }>(['accounts'], at(end, '20'));
    expect(accounts.length).toBe(6);
    const { transactions } = await cli.jsonAsync<{ transactions: { account: string; date: string; amountMinor: number; payee: string; memo: string }[] }>(['transactions'], at(end, '20'));
    for (const a of accounts) {
      const spec = SANDBOX_ACCOUNTS.find((s) => s.name === a.name && s.currency === a.currency)!;
      const expected = bookedLines(spec, firstFrom[a.id]!, end, end)
        .map((l) => `${l.bookingDate}|${l.amountMinor}|${l.payee}|${l.memo}`)
        .sort();
      const stored = transactions
        .filter((t) => t.account === a.id)
        .map((t) => `${t.date}|${t.amountMinor}|${t.payee}|${t.memo}`)
        .sort();
      expect(stored.length, `${a.id} ${a.name}`).toBe(expected.length);
      expect(stored).toEqual(expected);
    }
  });

  it('keeps both identical same-day purchases, also at the bank without stable ids', async () => {
    const { transactions } = await cli.jsonAsync<{ transactions: { account: string; date: string; payee: string; id: string }[] }>(['transactions'], at(end, '20'));
    const coffee = transactions.filter((t) => t.payee === 'Coffee Corner' && t.date >= start);
    const perDay = new Map<string, number>();
    for (const t of coffee) perDay.set(`${t.account}|${t.date}`, (perDay.get(`${t.account}|${t.date}`) ?? 0) + 1);
    expect(perDay.size).toBeGreaterThan(4);
    for (const n of perDay.values()) expect(n).toBe(2);
    expect(new Set(transactions.map((t) => t.id)).size).toBe(transactions.length);
  });

  it('links pending lines to the booked lines that replaced them, tip included', async () => {
    const { transactions: pending } = await cli.jsonAsync<{ transactions: { status: string; bookedAs: string | null; amountMinor: number }[] }>(['transactions', '--pending'], at(end, '20'));
    const { transactions: booked } = await cli.jsonAsync<{ transactions: { id: string; amountMinor: number }[] }>(['transactions'], at(end, '20'));
    const byId = new Map(booked.map((t) => [t.id, t]));
    const linked = pending.filter((p) => p.status === 'booked');
    expect(linked.length).toBeGreaterThan(5);
    for (const p of linked) {
      const b = byId.get(p.bookedAs!)!;
      expect(b, 'linked booked line exists').toBeDefined();
      expect(b.amountMinor).toBe(-Math.round(-p.amountMinor * 1.15));
    }
    expect(pending.filter((p) => p.status === 'vanished')).toEqual([]);
  });

  it('exports every booked line once and no pending line', async () => {
    const r = await cli.runAsync(['export', '--format', 'csv'], at(end, '20'));
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n');
    const { transactions } = await cli.jsonAsync<{ transactions: unknown[] }>(['transactions'], at(end, '20'));
    expect(rows[0]).toBe('account,date,amount,currency,payee,memo,id,type,balance,category,clean_payee');
    expect(rows.length - 1).toBe(transactions.length);
  });

  it('shows no balance drift and no coverage gaps', async () => {
    const st = await cli.jsonAsync<{ connections: { accounts: { id: string; gaps: unknown[]; balance: { driftMinor: number } | null; state: string }[] }[] }>(['status'], at(end, '20'));
    for (const a of st.connections.flatMap((c) => c.accounts)) {
      expect(a.state, a.id).toBe('synced');
      expect(a.gaps, a.id).toEqual([]);
      expect(a.balance?.driftMinor, a.id).toBe(0);
    }
  });
});
