import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { CONNECT_SANDBOX, sandboxPerTest } from '../helpers/cli.js';
import { derivedDump } from '../helpers/derived-dump.js';

const at = (day: string) => ({ BANKSYNC_NOW: `${day}T10:00:00Z` });
const byId = (rows: unknown[]) => [...rows].sort((a, b) => String((a as { id: string }).id).localeCompare(String((b as { id: string }).id)));

describe('archive retention and partial replay (sandbox)', () => {
  const fresh = sandboxPerTest({ inProcess: true });

  it('config archive-days: old fetches go on the next sync; 0 turns the archive off and empties it', async () => {
    const cli = fresh();
    const bad = await cli.runAsync(['config', 'archive-days', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: archive-days must be a whole number of days/m);
    expect((await cli.runAsync(CONNECT_SANDBOX, at('2026-10-01'))).code).toBe(0);
    const nothing = await cli.runAsync(['replay'], at('2026-10-01'));
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/the archive holds no provider answers: nothing to replay/);

    expect((await cli.runAsync(['sync'], at('2026-10-01'))).code).toBe(0);
    expect((await cli.jsonAsync(['status'], at('2026-10-01'))).archive).toMatchObject({ entries: 3, days: 400, oldest: '2026-10-01T10:00:00.000Z' });
    expect((await cli.runAsync(['config', 'archive-days', '30'])).code).toBe(0);
    expect((await cli.runAsync(['sync'], at('2026-11-10'))).code).toBe(0);
    const pruned = (await cli.jsonAsync(['status'], at('2026-11-10'))).archive;
    expect(pruned).toMatchObject({ entries: 3, days: 30, oldest: '2026-11-10T10:00:00.000Z' });
    expect((await cli.runAsync(['status'], at('2026-11-10'))).stdout).toMatch(/raw archive: 3 fetches since .*, keeps 30 days; banksync replay rebuilds from it/);

    // The archive now starts at the last sync's window: what it cannot rebuild (two years of older lines) stays as it is.
    const before = derivedDump(cli.db);
    const into = join(cli.dir, 'pruned.db');
    expect((await cli.jsonAsync(['replay', '--into', into], at('2026-11-10'))).fetches).toBe(3);
    const rebuilt = derivedDump(into);
    expect(byId(rebuilt.transactions)).toEqual(byId(before.transactions));
    for (const table of ['pending', 'balances', 'coverage', 'accounts'] as const) expect(rebuilt[table], table).toEqual(before[table]);
    expect((await cli.jsonAsync(['replay'], at('2026-11-10'))).changes).toEqual({ added: 0, corrected: 0, removed: 0 });
    expect(derivedDump(cli.db)).toEqual(before);

    expect((await cli.runAsync(['config', 'archive-days', '0'])).code).toBe(0);
    expect((await cli.runAsync(['sync'], at('2026-11-11'))).code).toBe(0);
    expect((await cli.jsonAsync(['status'], at('2026-11-11'))).archive).toMatchObject({ entries: 0, days: 0 });
  });

  it('replay --account --from rebuilds one account from a date on and leaves the rest as it was', async () => {
    const cli = fresh();
    expect((await cli.runAsync(CONNECT_SANDBOX, at('2026-11-20'))).code).toBe(0);
    for (const day of ['2026-11-20', '2026-11-24']) expect((await cli.runAsync(['sync'], at(day))).code).toBe(0);
    const before = derivedDump(cli.db);
    const into = join(cli.dir, 'part.db');
    const r = await cli.jsonAsync(['replay', '--account', 'a1', '--from', '2026-11-01', '--into', into], at('2026-11-25'));
    expect(r).toMatchObject({ accounts: ['a1'], fetches: 2, failures: [] });
    const after = derivedDump(into);
    expect(byId(after.transactions)).toEqual(byId(before.transactions));
    expect(after.pending).toEqual(before.pending);
    expect(after.balances).toEqual(before.balances);
    expect(after.accounts).toEqual(before.accounts);
    expect(after.coverage).toEqual(before.coverage);
    // Only a1's lines from 2026-11-01 on were written again: they come last in row order now.
    const rebuilt = after.transactions.filter((t) => (t as { account_id: number }).account_id === 1 && (t as { booking_date: string }).booking_date >= '2026-11-01');
    expect(rebuilt.length).toBeGreaterThan(0);
    expect(after.transactions.slice(after.transactions.length - rebuilt.length)).toEqual(rebuilt);
    expect(after.transactions.slice(0, after.transactions.length - rebuilt.length)).toEqual(
      before.transactions.filter((t) => !rebuilt.includes(t as never) && !rebuilt.some((x) => (x as { id: string }).id === (t as { id: string }).id)),
    );
  });
});
