import { describe, expect, it } from 'vitest';
import { exportFixture, exportToString } from '../helpers/export-fixture.js';
import { stableTransactionId } from '../../src/core/dedupe.js';
import { tool, requireTools } from '../helpers/tools.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Fixture = ReturnType<typeof exportFixture>;
const NOW = '2026-03-05T08:30:00.000Z';

/** The bank corrects c8's amount, drops c5 and books a new line c9. */
function bankChanges(f: Fixture, amount = -5_500, removeC5 = true) {
  const row = (ext: string, date: string, amountMinor: number, payee: string) => ({
    id: stableTransactionId(f.checking, `ext:${ext}`),
    accountId: f.checking,
    externalId: ext,
    fingerprint: ext,
    ordinal: 0,
    bookingDate: date,
    valueDate: null,
    amountMinor,
    currency: 'EUR',
    payee,
    memo: null,
    type: 'pos' as const,
    counterpartyIban: null,
    source: 'sandbox',
  });
  f.store.tx(() => {
    expect(f.store.transactions.write(row('c8', '2026-03-02', amount, '=HYPERLINK("http://x")'), NOW)).toBe('updated');
    if (removeC5) expect(f.store.transactions.markRemoved(f.checking, ['c5'], NOW)).toBe(1);
    f.store.transactions.write(row('c9', '2026-03-04', -2_000, 'Bakery'), NOW);
  });
}

const idOf = (f: Fixture, ext: string) => stableTransactionId(f.checking, `ext:${ext}`);

describe('incremental export to a named target (M19)', () => {
  it('OFX: new lines plain, corrections and removals as CORRECTFITID lines, each change once', async () => {
    const f = exportFixture();
    const first = await exportToString(f.services, { format: 'ofx', accountIds: [f.checking], target: 'gnucash' });
    expect([first.result.count, first.result.incremental]).toEqual([8, false]);
    const again = await exportToString(f.services, { target: 'gnucash' });
    expect([again.result.count, again.result.incremental]).toEqual([0, true]);
    expect(again.text).toMatch(/<LEDGERBAL>\n<BALAMT>3141.75/);

    bankChanges(f);
    const inc = await exportToString(f.services, { target: 'gnucash' });
    expect([inc.result.new, inc.result.changed, inc.result.removed]).toEqual([1, 1, 1]);
    const c8 = idOf(f, 'c8');
    const c5 = idOf(f, 'c5');
    expect(inc.text).toContain(`<FITID>${c8}.r1\n<CORRECTFITID>${c8}\n<CORRECTACTION>REPLACE`);
    expect(inc.text).toContain(`<FITID>${c5}.r1\n<CORRECTFITID>${c5}\n<CORRECTACTION>DELETE`);
    expect(inc.text).toContain(`<FITID>${idOf(f, 'c9')}\n`);
    expect(inc.text).not.toContain(`<FITID>${idOf(f, 'c1')}`);
    expect(inc.text).toMatch(/<BALAMT>3120.55/); // 3141.75 - 5.00 (correction) + 3.80 (removal) - 20.00 (new)

    expect((await exportToString(f.services, { target: 'gnucash' })).result.count).toBe(0);
    // A second correction replaces the first one's FITID.
    bankChanges(f, -6_000, false);
    const second = await exportToString(f.services, { target: 'gnucash' });
    expect([second.result.new, second.result.changed, second.result.removed]).toEqual([0, 1, 0]);
    expect(second.text).toContain(`<FITID>${c8}.r2\n<CORRECTFITID>${c8}.r1\n<CORRECTACTION>REPLACE`);

    // A full export is what a new reader needs: current lines under their plain FITIDs only.
    const full = await exportToString(f.services, { target: 'gnucash', full: true });
    expect(full.result.count).toBe(8);
    expect(full.text).not.toMatch(/CORRECTFITID/);
    expect(full.text).not.toContain(c5);
  });

  it('CSV --changes marks each line; plain CSV skips removals and says so', async () => {
    const f = exportFixture();
    await exportToString(f.services, { format: 'csv', accountIds: [f.checking], target: 'sheet', changes: true });
    await exportToString(f.services, { format: 'csv', accountIds: [f.checking], target: 'plain' });
    bankChanges(f);
    const withChanges = await exportToString(f.services, { target: 'sheet', changes: true });
    const rows = withChanges.text.trim().split('\n');
    expect(rows[0]).toBe('date,amount,currency,payee,memo,id,type,balance,category,clean_payee,change');
    expect(rows.slice(1).map((r) => r.split(',').pop())).toEqual(['removed', 'changed', 'new']);
    const plain = await exportToString(f.services, { target: 'plain' });
    expect([plain.result.count, plain.result.skipped]).toEqual([2, 1]);
  });

  it('journals reverse what the reader holds and re-post the correction; the appended journal still checks', async () => {
    requireTools('hledger');
    const f = exportFixture();
    const dir = mkdtempSync(join(tmpdir(), 'banksync-inc-'));
    const base = await exportToString(f.services, { format: 'hledger', accountIds: [f.checking], target: 'books' });
    bankChanges(f, -5_500, false); // a correction in the open period (March) and a new line
    const inc = await exportToString(f.services, { target: 'books' });
    expect(inc.text).not.toContain('Opening balance');
    expect(inc.text).toContain(`; reverses: ${idOf(f, 'c8')}`);
    const journal = join(dir, 'books.journal');
    writeFileSync(journal, base.text + inc.text);
    const check = tool('hledger', ['-f', journal, 'check']);
    expect(check.code, check.out).toBe(0);
    expect(tool('hledger', ['-f', journal, 'bal', '-I', 'Assets', '--flat', '-N']).out).toMatch(/3116\.75 EUR/);
  });

  it('a removal in a closed period is reversed on its own date: the old assertion then points at it', async () => {
    requireTools('hledger');
    const f = exportFixture();
    const dir = mkdtempSync(join(tmpdir(), 'banksync-inc-'));
    const base = await exportToString(f.services, { format: 'hledger', accountIds: [f.checking], target: 'books' });
    bankChanges(f);
    const inc = await exportToString(f.services, { target: 'books' });
    expect(inc.text).toMatch(/2026-02-02 \* Reversal: Coffee Corner\n {4}; id: \S+\n {4}; reverses: \S+\n {4}; memo: removed by the bank\n {4}Assets:\S+ {2}3\.80 EUR/);
    const journal = join(dir, 'books.journal');
    writeFileSync(journal, base.text + inc.text);
    // February's closing assertion no longer holds: the bank rewrote a closed period.
    expect(tool('hledger', ['-f', journal, 'check']).out).toMatch(/balance assertion[\s\S]*3191\.75/i);
    // The books still end where the bank does.
    expect(tool('hledger', ['-f', journal, 'bal', '-I', 'Assets', '--flat', '-N']).out).toMatch(/3120\.55 EUR/);
  });

  it('refuses to reuse a target with another format or other filters, unless --full', async () => {
    const f = exportFixture();
    await exportToString(f.services, { format: 'ofx', accountIds: [f.checking], target: 't' });
    await expect(exportToString(f.services, { format: 'csv', target: 't' })).rejects.toThrow(/receives ofx/);
    await expect(exportToString(f.services, { accountIds: [f.card], target: 't' })).rejects.toThrow(/other filters/);
    const redefined = await exportToString(f.services, { format: 'csv', accountIds: [f.card], target: 't', full: true });
    expect(redefined.result.count).toBe(3);
    expect(f.store.exports.target('t')!.format).toBe('csv');
  });
});
