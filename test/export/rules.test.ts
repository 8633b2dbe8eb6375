import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { saveRules } from '../../src/core/rules/manage.js';
import { exportFixture, exportToString } from '../helpers/export-fixture.js';
import { requireTools, tool } from '../helpers/tools.js';

type Fixture = ReturnType<typeof exportFixture>;

const DIR = mkdtempSync(join(tmpdir(), 'banksync-rules-test-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));
let files = 0;
const tmpFile = (name: string) => join(DIR, `${++files}-${name}`);

const COFFEE = (category: string) => `[[rule]]\ncontains = "coffee corner"\nfield = "payee"\ncategory = "${category}"\npayee = "Coffee Corner BV"\n`;

const annotationRows = (f: Fixture) =>
  f.store.db.prepare('SELECT transaction_id, annotation FROM export_annotations ORDER BY transaction_id').all() as { transaction_id: string; annotation: string }[];

function checkJournal(format: 'hledger' | 'ledger' | 'beancount', text: string): { code: number | null; out: string } {
  const file = tmpFile(`books.${format}`);
  writeFileSync(file, text);
  if (format === 'beancount') return tool('bean-check', [file]);
  return format === 'hledger' ? tool('hledger', ['-f', file, 'check']) : tool('ledger', ['-f', file, '--strict', 'bal']);
}

describe('rules in exports', () => {
  it.each(['hledger', 'ledger', 'beancount'] as const)('%s posts a matched line to its category, described by the clean payee', async (format) => {
    requireTools(format === 'beancount' ? 'bean-check' : format);
    const f = exportFixture();
    await saveRules(f.services, COFFEE('Expenses:Food:Coffee'));
    const { text } = await exportToString(f.services, { format, accountIds: [f.checking] });
    expect(text.match(/^ +Expenses:Food:Coffee$/gm)).toHaveLength(2);
    expect(text).toContain(format === 'beancount' ? '* "Coffee Corner BV"' : '* Coffee Corner BV\n');
    expect(text).toContain(format === 'beancount' ? 'bank-payee: "Coffee Corner"' : '; bank-payee: Coffee Corner');
    if (format === 'beancount') expect(text).toMatch(/ open Expenses:Food:Coffee\n/);
    const check = checkJournal(format, text);
    // ledger --strict only warns about undeclared accounts: the journal must still read and balance.
    expect(check.code, check.out).toBe(0);
  });

  it('beancount refuses a category it cannot hold, naming the rule', async () => {
    const f = exportFixture();
    await saveRules(f.services, `[[rule]]\nmatch = "x"\ncategory = "Expenses:A"\n\n${COFFEE('Expenses:food coffee')}`);
    await expect(exportToString(f.services, { format: 'beancount' })).rejects.toThrow(/rule 2's category "Expenses:food coffee" does not work in beancount/);
    // ledger takes the name as it is.
    expect((await exportToString(f.services, { format: 'hledger', accountIds: [f.checking] })).text).toContain('Expenses:food coffee\n');
  });

  it('CSV default columns end with category and clean_payee; OFX and QIF keep the bank text', async () => {
    const f = exportFixture();
    await saveRules(f.services, COFFEE('Expenses:Food:Coffee'));
    const csv = (await exportToString(f.services, { format: 'csv', accountIds: [f.checking] })).text.split('\n');
    expect(csv[0]).toBe('date,amount,currency,payee,memo,id,type,balance,category,clean_payee');
    expect(csv.filter((l) => l.endsWith(',Coffee Corner,Espresso,') || l.includes('Expenses:Food:Coffee,Coffee Corner BV'))).toHaveLength(2);
    expect(csv[1]).toMatch(/,,ACME Payroll$/);
    for (const format of ['ofx', 'qif']) {
      const { text } = await exportToString(f.services, { format, accountIds: [f.checking] });
      expect(text).toContain('Coffee Corner');
      expect(text).not.toContain('Coffee Corner BV');
      expect(text).not.toContain('Expenses:Food:Coffee');
    }
  });
});

describe('incremental targets and changed rules', () => {
  it('a re-categorised line goes out again as changed: the old posting reversed, the new one posted, the journal balanced', async () => {
    requireTools('hledger');
    const f = exportFixture();
    await saveRules(f.services, COFFEE('Expenses:Food:Coffee'));
    const base = await exportToString(f.services, { format: 'hledger', accountIds: [f.checking], target: 'books' });
    expect(annotationRows(f)).toHaveLength(2);
    expect((await exportToString(f.services, { target: 'books' })).result.count).toBe(0);

    await saveRules(f.services, COFFEE('Expenses:Drinks'));
    const inc = await exportToString(f.services, { target: 'books' });
    expect([inc.result.new, inc.result.changed, inc.result.removed]).toEqual([0, 2, 0]);
    expect(inc.text.match(/Reversal: Coffee Corner\n[\s\S]*?Expenses:Food:Coffee\n/g)).toHaveLength(2);
    expect(inc.text.match(/\* Coffee Corner BV\n[\s\S]*?Expenses:Drinks\n/g)).toHaveLength(2);
    expect(inc.text).toContain('; memo: posted again: its category or transfer changed');
    expect((await exportToString(f.services, { target: 'books' })).result.count).toBe(0);

    // No rule any more: back to the default side; the target then holds no annotation rows.
    await saveRules(f.services, '');
    const back = await exportToString(f.services, { target: 'books' });
    expect(back.result.changed).toBe(2);
    expect(back.text.match(/\* Coffee Corner\n[\s\S]*?Expenses:Unknown\n/g)).toHaveLength(2);
    expect(annotationRows(f)).toEqual([]);

    const all = base.text + inc.text + back.text;
    const check = checkJournal('hledger', all);
    expect(check.code, check.out).toBe(0);
    const file = tmpFile('all.journal');
    writeFileSync(file, all);
    const bal = tool('hledger', ['-f', file, 'bal', '--flat', '-N', 'Expenses']).out;
    // Food:Coffee and Drinks reversed to zero; every debit of the account on the default side.
    expect(bal).toBe('         1320.59 EUR  Expenses:Unknown\n');
  });

  it('beancount increments open a category first used after the target began, once, and bean-check reads all files together', async () => {
    requireTools('bean-check');
    const f = exportFixture();
    await saveRules(f.services, COFFEE('Expenses:Food:Coffee'));
    const base = await exportToString(f.services, { format: 'beancount', accountIds: [f.checking], target: 'bean' });
    await saveRules(f.services, COFFEE('Expenses:Drinks'));
    const inc = await exportToString(f.services, { target: 'bean' });
    expect(inc.result.changed).toBe(2);
    expect(inc.text.match(/ open Expenses:Drinks\n/g)).toHaveLength(1);
    expect(inc.text).not.toMatch(/ open Expenses:(Food:Coffee|Unknown)\n/);
    // Back to the first category: opened by the first file already, so not again.
    await saveRules(f.services, COFFEE('Expenses:Food:Coffee'));
    const again = await exportToString(f.services, { target: 'bean' });
    expect(again.result.changed).toBe(2);
    expect(again.text).not.toMatch(/ open /);
    const check = checkJournal('beancount', base.text + inc.text + again.text);
    expect(check.code, check.out).toBe(0);
  });

  it('CSV --changes marks a re-categorised line as changed with its new category', async () => {
    const f = exportFixture();
    await exportToString(f.services, { format: 'csv', accountIds: [f.checking], target: 'sheet', changes: true });
    await saveRules(f.services, COFFEE('Expenses:Food:Coffee'));
    const inc = await exportToString(f.services, { target: 'sheet', changes: true });
    const rows = inc.text.trim().split('\n').slice(1);
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r).toMatch(/,Expenses:Food:Coffee,Coffee Corner BV,changed$/);
  });

  it('OFX targets do not get a line again for a rule change (they carry the bank text only)', async () => {
    const f = exportFixture();
    await exportToString(f.services, { format: 'ofx', accountIds: [f.checking], target: 'gnucash' });
    await saveRules(f.services, COFFEE('Expenses:Food:Coffee'));
    expect((await exportToString(f.services, { target: 'gnucash' })).result.count).toBe(0);
    expect(annotationRows(f)).toEqual([]);
  });

  it('a removal reverses the posting the target holds, even when the rule changed since; --full starts over', async () => {
    requireTools('hledger');
    const f = exportFixture();
    await saveRules(f.services, COFFEE('Expenses:Food:Coffee'));
    const base = await exportToString(f.services, { format: 'hledger', accountIds: [f.checking], target: 'books' });
    await saveRules(f.services, '');
    f.store.tx(() => f.store.transactions.markRemoved(f.checking, ['c5'], '2026-03-05T09:00:00.000Z'));
    const inc = await exportToString(f.services, { target: 'books' });
    expect([inc.result.changed, inc.result.removed]).toEqual([1, 1]);
    expect(inc.text).toMatch(/Reversal: Coffee Corner\n[\s\S]*?memo: removed by the bank\n[\s\S]*?Expenses:Food:Coffee\n/);
    // February's assertion no longer holds (the bank rewrote a closed period); the category does:
    // c5's posting was reversed, c6's moved to the default side.
    const file = tmpFile('books.journal');
    writeFileSync(file, base.text + inc.text);
    expect(tool('hledger', ['-f', file, 'bal', '-I', '--flat', '-N', 'Expenses']).out).toBe('         1316.79 EUR  Expenses:Unknown\n');
    expect(annotationRows(f)).toEqual([]);

    await saveRules(f.services, COFFEE('Expenses:Food:Coffee'));
    await exportToString(f.services, { target: 'books' });
    expect(annotationRows(f)).toHaveLength(1);
    await exportToString(f.services, { format: 'hledger', accountIds: [f.card], target: 'books', full: true });
    expect(annotationRows(f)).toEqual([]);
  });
});
