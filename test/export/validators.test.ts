import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportFixture, exportToString } from '../helpers/export-fixture.js';
import { checkAsync as check, requireTools, toolAsync as tool } from '../helpers/tools.js';
import { GOLDEN_CASES } from './golden-cases.js';

/**
 * The golden exports read by the third-party parsers real users feed them to (libofx/GnuCash,
 * ofxparse/ledger-autosync, hledger, ledger, Finance::QIF, bean-check), with expected counts.
 */
// The checks only read the exported files (each tampered copy has its own name), so they run
// concurrently: most of their time is the parsers' own start-up (python, perl, Haskell).
describe.concurrent('third-party parsers accept every export of the tricky fixture', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'banksync-validate-'));
  const files = new Map<string, { path: string; count: number }>();
  beforeAll(async () => {
    requireTools('ofxdump', 'onsgmls', 'xmllint', 'hledger', 'ledger', 'ledger-autosync', 'bean-check', 'aqbanking-cli', '/usr/bin/python3');
    const f = exportFixture();
    for (const [name, options, count] of GOLDEN_CASES) {
      const { text } = await exportToString(f.services, options(f));
      const path = join(dir, name);
      writeFileSync(path, text);
      files.set(name, { path, count });
    }
  });
  const file = (name: string) => files.get(name)!;

  // ledger-autosync reads only the first statement of a file, so multi-account OFX skips its step.
  it.each([
    ['checking.ofx', []],
    ['card.ofx', []],
    ['yen.ofx', []],
    ['checking-v2.ofx', []],
    ['card-v2.ofx', []],
    ['checking-by-statement.ofx', ['--no-optional']],
    ['all.ofx', ['--no-optional']],
  ])('check-ofx.sh %s', async (name, flags) => {
    const r = await check('ofx', file(name).path, file(name).count, ['--pedantic', ...flags]);
    expect(r.code, r.out).toBe(0);
    if (flags.length === 0) expect(r.out, 'every optional consumer ran').not.toMatch(/^SKIP/m);
  });

  it.each(['checking.csv', 'card.csv', 'yen.csv'])('check-csv.sh %s (hledger and ledger re-check every running balance)', async (name) => {
    const r = await check('csv', file(name).path, file(name).count);
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toMatch(/^SKIP/m);
    expect(r.out).toMatch(/PASS balance/);
  });

  // qif2json reads one !Type block only, so the multi-account file skips its step.
  it.each([
    ['checking.qif', 'us', []],
    ['yen.qif', 'us', []],
    ['card.qif', 'uk', []],
    ['all.qif', 'us', ['--no-optional']],
  ])('check-qif.sh %s', async (name, order, flags) => {
    const r = await check('qif', file(name).path, file(name).count, ['--date-format', order, ...flags]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toMatch(/^SKIP/m);
  });

  it('the multi-account QIF lists each account once and names it before its block; the lint catches a block without its !Account', async () => {
    const text = readFileSync(file('all.qif').path, 'utf8');
    expect(text.split('\n').slice(0, 3)).toEqual(['!Option:AutoSwitch', '!Account', 'NCompte Chèque']);
    const perl = await tool('perl', [join(__dirname, '../validators/lib/qif-perl-count.pl'), file('all.qif').path]);
    expect(perl.out).toContain('count=14');
    const broken = join(dir, 'broken-all.qif');
    writeFileSync(broken, text.replace('!Account\nNCarte Visa\nTCCard\n^\n!Type:CCard\n', '!Type:CCard\n'));
    const r = await check('qif', broken, 14, ['--no-optional']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/header '!Type:CCard' where !Account was expected/);
  });

  it('hledger check, ledger and bean-check read the journals with every balance assertion', async () => {
    const h = await tool('hledger', ['-f', file('all.hledger').path, 'check']);
    expect(h.code, h.out).toBe(0);
    const l = await tool('ledger', ['-f', file('all.ledger').path, '--permissive', 'bal']);
    expect(l.code, l.out).toBe(0);
    const b = await tool('bean-check', [file('all.beancount').path]);
    expect(b.code, b.out).toBe(0);
    // Each transaction once: the ids in the journal are exactly the exported lines plus openings.
    const ids = readFileSync(file('all.hledger').path, 'utf8').match(/; id: t[0-9a-f]{24}/g)!;
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(file('all.hledger').count);
  });

  it('the same readers fail when an amount is tampered with (the assertions are really checked)', async () => {
    const tamper = (name: string, from: RegExp, to: string) => {
      const path = join(dir, `tampered-${name}`);
      const text = readFileSync(file(name).path, 'utf8');
      expect(text).toMatch(from);
      writeFileSync(path, text.replace(from, to));
      return path;
    };
    expect((await tool('hledger', ['-f', tamper('all.hledger', /-12\.99 EUR/, '-12.98 EUR'), 'check'])).out).toMatch(/balance assertion/i);
    expect((await tool('ledger', ['-f', tamper('all.ledger', /-12\.99 EUR/, '-12.98 EUR'), 'bal'])).out).toMatch(/Balance assertion off/i);
    expect((await tool('bean-check', [tamper('all.beancount', /-12\.99 EUR/, '-12.98 EUR')])).code).not.toBe(0);
  });
});
