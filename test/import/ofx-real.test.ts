import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BanksyncError } from '../../src/domain/errors.js';
import { parseBytes, type ReadFile } from '../../src/import/parse.js';
import type { ParseOptions } from '../../src/import/types.js';

const DIR = resolve(__dirname, '../../fixtures/import/ofx');
const text = (f: string) => readFileSync(join(DIR, f), 'latin1');
const parse = (f: string, o: ParseOptions = {}, content?: string): ReadFile => parseBytes(content !== undefined ? Buffer.from(content, 'latin1') : readFileSync(join(DIR, f)), f, 'auto', o);
const refused = (f: string, o: ParseOptions = {}, content?: string): BanksyncError => {
  try {
    parse(f, o, content);
  } catch (e) {
    expect(e).toBeInstanceOf(BanksyncError);
    expect((e as BanksyncError).code).toBe('BAD_INPUT');
    expect((e as Error).message.startsWith(`${f}: `)).toBe(true);
    return e as BanksyncError;
  }
  throw new Error(`${f} was not refused`);
};
/** The line (1-based) of the first occurrence of a string in a fixture. */
const lineOf = (content: string, needle: string) => content.slice(0, content.indexOf(needle)).split('\n').length;

/** The four lines of the Lakeside fixtures (February 2024). */
const AMOUNTS = [150_000, -6_420, -25_000, -529];
const DATES = ['2024-02-01', '2024-02-06', '2024-02-14', '2024-02-29'];
const FITIDS = ['LCB202402010001', 'LCB202402060001', 'LCB202402140001', 'LCB202402290001'];
const amounts = (r: ReadFile) => r.statements.flatMap((s) => s.lines.map((l) => l.amountMinor));

describe('OFX: silent losses (each test fails without its fix)', () => {
  it.each(['several-banktranlist.ofx', 'several-banktranlist-v2.ofx'])('%s: every <BANKTRANLIST> block is read', (f) => {
    const r = parse(f);
    expect(r.statements).toHaveLength(1);
    expect(r.statements[0]!.lines.map((l) => l.id)).toEqual(FITIDS);
    expect(amounts(r)).toEqual(AMOUNTS);
  });

  it('a STMTTRN after a stray </BANKTRANLIST> belongs to its statement, in file order, with a warning', () => {
    const r = parse('stray-banktranlist-end.qfx');
    expect(r.statements[0]!.lines.map((l) => l.id)).toEqual(FITIDS);
    expect(r.statements[0]!.lines.map((l) => l.bookingDate)).toEqual(DATES);
    const line = lineOf(text('stray-banktranlist-end.qfx'), '<STMTTRN>\r\n<TRNTYPE>FEE');
    expect(r.warnings).toContain(`line ${line}: a STMTTRN stands outside <BANKTRANLIST> (after a stray </BANKTRANLIST>); read as part of statement 1, as libofx and ofxparse do`);
  });

  it('a stray </STMTRS> that drops later STMTTRNs out of the statement refuses the file, naming the first lost one', () => {
    const e = refused('stray-stmtrs-end.ofx');
    const content = text('stray-stmtrs-end.ofx');
    const lost = lineOf(content, '<STMTTRN>\n<TRNTYPE>CHECK');
    expect(e.message).toContain(`line ${lost}: this STMTTRN is not inside a statement's transaction list (4 STMTTRN in the file, 2 in statements)`);
  });

  it('an unknown empty element that swallows the STMTTRNs after it refuses the file (the start-tag count guard)', () => {
    const content = text('several-banktranlist.ofx').replace('<DTEND>20240214\r\n', '<DTEND>20240214\r\n<X.BANK.EXTRA>\r\n');
    const e = refused('swallowed.ofx', {}, content);
    expect(e.message).toMatch(/this STMTTRN is not inside a statement's transaction list \(4 STMTTRN in the file, 2 in statements\)/);
  });

  it('a known leaf left empty (<DTSTART> with no value) stays a leaf and swallows nothing', () => {
    const content = text('several-banktranlist.ofx').replace('<DTSTART>20240201', '<DTSTART>').replace('<MEMO>Salary February', '<MEMO>');
    const r = parse('empty-leaf.ofx', {}, content);
    expect(amounts(r)).toEqual(AMOUNTS);
    expect(r.statements[0]!.lines[0]!.memo).toBeUndefined();
  });

  it('a missing </STMTTRN> (the next one would nest inside it) refuses the file, naming both lines', () => {
    const content = text('stmttrn-end-missing.ofx');
    const e = refused('stmttrn-end-missing.ofx');
    expect(e.message).toContain(
      `line ${lineOf(content, '<STMTTRN>\n<TRNTYPE>CHECK')}: a <STMTTRN> inside the one opened on line ${lineOf(content, '<STMTTRN>\n<TRNTYPE>POS')}: its </STMTTRN> is missing`,
    );
  });

  it('a statement moved out of its message set by a stray end tag refuses the file', () => {
    const content = text('several-banktranlist.ofx').replace('<BANKMSGSRSV1>\r\n<STMTTRNRS>', '<BANKMSGSRSV1>\r\n</BANKMSGSRSV1>\r\n<STMTTRNRS>');
    expect(refused('moved.ofx', {}, content).message).toMatch(/holds 1 statements \(STMTRS\/CCSTMTRS\) but only 0 stand where a statement belongs|holds no bank or credit-card statement/);
  });

  // The guard as a property: stray, missing or doubled end tags anywhere never lose a STMTTRN silently.
  it('400 end-tag mutations: every STMTTRN of the file is imported, or the file is refused', () => {
    const seeds = ['several-banktranlist.ofx', 'several-banktranlist-v2.ofx', 'stray-banktranlist-end.qfx', 'comments.ofx'].map(text);
    const tags = ['</BANKTRANLIST>', '</STMTTRN>', '</STMTRS>', '</STMTTRNRS>', '</BANKMSGSRSV1>', '<BANKTRANLIST>', '<STMTTRN>', '<X.EMPTY>', '</OFX>'];
    let block = createHash('sha256').update('ofx-end-tags').digest();
    let k = 0;
    const r = () => {
      if (k + 4 > block.length) [block, k] = [createHash('sha256').update(block).digest(), 0];
      return block.readUInt32BE((k += 4) - 4) / 2 ** 32;
    };
    const outcomes = { imported: 0, refused: 0 };
    for (let i = 0; i < 400; i++) {
      let content = seeds[i % seeds.length]!;
      for (let s = 0; s < 1 + Math.floor(r() * 3); s++) {
        const lines = content.split('\n');
        const at = Math.floor(r() * lines.length);
        if (r() < 0.5) lines.splice(at, 0, tags[Math.floor(r() * tags.length)]!);
        else if (/^\s*<\/(BANKTRANLIST|STMTTRN|STMTRS)>/.test(lines[at]!)) lines.splice(at, 1);
        content = lines.join('\n');
      }
      const starts = (content.replace(/<!--[\s\S]*?-->/g, '').match(/<STMTTRN\s*>/gi) ?? []).length;
      let parsed: ReadFile;
      try {
        parsed = parse(`mutant-${i}.ofx`, {}, content);
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(BanksyncError);
        outcomes.refused++;
        continue;
      }
      expect(amounts(parsed).length, `mutant ${i}`).toBe(starts);
      outcomes.imported++;
    }
    expect(outcomes.imported).toBeGreaterThan(50);
    expect(outcomes.refused).toBeGreaterThan(50);
  });
});

describe('OFX: real shapes that import', () => {
  it.each([
    ['empty-elements.ofx', 'ofxstatement: OFX 1 header over an XML body, <BANKID/>, <BRANCHID />, <MEMO/>, <BALAMT/>'],
    ['xml-header-sgml-body.ofx', 'an OFX 2 XML declaration over SGML leaves without end tags'],
    ['comments.ofx', 'comments after elements and between them'],
    ['short-dates.ofx', '12- and 10-digit dates, with and without [offset:TZ]'],
  ])('%s (%s)', (f) => {
    const r = parse(f);
    expect(amounts(r)).toEqual(AMOUNTS);
    expect(r.statements[0]!.lines.map((l) => l.bookingDate)).toEqual(DATES);
    expect(r.warnings).toEqual([]);
  });

  it('empty elements: no balance is invented from an empty <BALAMT/>, and <MEMO/> is no memo', () => {
    const r = parse('empty-elements.ofx');
    expect(r.statements[0]!.balances).toEqual([]);
    expect(r.statements[0]!.lines[0]!.memo).toBeUndefined();
    expect(r.statements[0]!.iban).toBe('LT121000011101001000');
  });

  it('short dates: a 12-digit LEDGERBAL DTASOF with a zone gives the balance day', () => {
    expect(parse('short-dates.ofx').statements[0]!.balances).toEqual([{ kind: 'closing', amountMinor: 118_051, date: '2024-02-29' }]);
  });

  it('comments: a comment after an amount is not part of it', () => {
    expect(parse('comments.ofx').statements[0]!.lines[0]!.amountMinor).toBe(150_000);
  });

  it('an xmlns attribute on <OFX> is allowed and ignored', () => {
    const content = text('several-banktranlist-v2.ofx').replace('<OFX>', '<OFX xmlns="http://ofx.net/types/2003/04">');
    expect(amounts(parse('xmlns.ofx', {}, content))).toEqual(AMOUNTS);
  });

  it('an XML-style OFX 2 body with a mismatched end tag is still refused (a broken file, not a style)', () => {
    const content = text('several-banktranlist-v2.ofx').replace('<NAME>Green Grocer</NAME>', '<NAME>Green Grocer</NAMEX>');
    expect(refused('mismatched.ofx', {}, content).message).toMatch(/line \d+: not well-formed XML/);
  });

  it('decimal commas are read when unambiguous, and settle "-1,250" for the rest of the file', () => {
    const r = parse('decimal-comma.ofx');
    expect(amounts(r)).toEqual([150_000, -6_420, -125, -529]);
    expect(r.statements[0]!.balances[0]!.amountMinor).toBe(142_926);
    expect(r.warnings).toEqual(["amounts use a decimal comma (1500,00), not OFX's dot; read as decimals"]);
  });

  it('"-1,250" with nothing else in the file to say what the comma is: refused, never guessed', () => {
    const content = text('decimal-comma-ambiguous.ofx');
    const e = refused('decimal-comma-ambiguous.ofx');
    expect(e.message).toBe(
      `decimal-comma-ambiguous.ofx: line ${lineOf(content, '<TRNAMT>-1,250')}: STMTTRN 3: TRNAMT "-1,250" could be -1250 or -1.250: nothing else in the file says whether its comma is a decimal mark`,
    );
  });

  it('"1.250" in a file whose other amounts use a decimal comma: refused', () => {
    const content = text('decimal-comma.ofx').replace('<TRNAMT>-1,250', '<TRNAMT>-1.250');
    expect(refused('mixed-marks.ofx', {}, content).message).toMatch(/TRNAMT "-1\.250" could be -1250 or -1\.250: the file's other amounts use a decimal comma/);
  });

  it('an empty CURDEF: refused without --currency, read in the given currency with a warning', () => {
    expect(refused('empty-curdef.ofx').message).toBe(`empty-curdef.ofx: line ${lineOf(text('empty-curdef.ofx'), '<CURDEF>')}: statement 1: CURDEF is missing or empty`);
    const r = parse('empty-curdef.ofx', { currency: 'usd' });
    expect(r.statements[0]!.currency).toBe('USD');
    expect(amounts(r)).toEqual(AMOUNTS);
    expect(r.warnings).toEqual(['statement 1 has no CURDEF: read in USD, as --currency (or the account imported into) says']);
  });

  it('no FITID: REFNUM or CHECKNUM is the id (prefixed), a zero CHECKNUM is none, none leaves the id empty', () => {
    const r = parse('no-fitid.ofx');
    expect(r.statements[0]!.lines.map((l) => l.id)).toEqual(['refnum:PR-2024-02-118', undefined, 'checknum:1042', undefined]);
    expect(r.warnings).toEqual(['2 STMTTRN without FITID: their REFNUM or CHECKNUM is used as their id', '2 STMTTRN without FITID, REFNUM or CHECKNUM: deduplicated by date, amount and text']);
  });

  it('a REFNUM on two lines is no id for either (as an id it would merge two payments)', () => {
    const content = text('no-fitid.ofx').replace('<CHECKNUM>1042', '<REFNUM>PR-2024-02-118');
    const r = parse('same-refnum.ofx', {}, content);
    expect(r.statements[0]!.lines.map((l) => l.id)).toEqual([undefined, undefined, undefined, undefined]);
    expect(r.warnings[0]).toMatch(/^REFNUM PR-2024-02-118 is on 2 lines without FITID \(lines \d+, \d+\): they are told apart by their content instead$/);
  });

  it('a line whose <CURRENCY> says another currency is refused, not stored as the statement currency', () => {
    const content = text('several-banktranlist.ofx').replace('<NAME>Green Grocer', '<CURRENCY>\r\n<CURRATE>1.08\r\n<CURSYM>EUR\r\n</CURRENCY>\r\n<NAME>Green Grocer');
    expect(refused('foreign.ofx', {}, content).message).toBe(`foreign.ofx: line ${lineOf(content, '<CURSYM>EUR')}: STMTTRN 2: TRNAMT is in EUR (its CURRENCY), not the statement's USD`);
    const same = text('several-banktranlist.ofx').replace('<NAME>Green Grocer', '<CURRENCY>\r\n<CURRATE>1\r\n<CURSYM>USD\r\n</CURRENCY>\r\n<NAME>Green Grocer');
    expect(amounts(parse('same.ofx', {}, same))).toEqual(AMOUNTS);
  });

  it('a FITID used twice is still refused', () => {
    const content = text('several-banktranlist.ofx').replace('LCB202402290001', 'LCB202402010001');
    expect(refused('dup.ofx', {}, content).message).toMatch(/line \d+: STMTTRN 4: FITID LCB202402010001 is used twice/);
  });
});

describe('OFX: line numbers are lines of the file', () => {
  it('a bad amount names the line of its TRNAMT, header lines counted', () => {
    const content = text('bad-amount-line.ofx');
    const line = lineOf(content, '<TRNAMT>-25O.00');
    expect(line).toBeGreaterThan(50);
    expect(refused('bad-amount-line.ofx').message).toBe(`bad-amount-line.ofx: line ${line}: STMTTRN 3: TRNAMT "-25O.00" is not a plain decimal amount`);
  });

  it('text outside an element names its line in the file (not in the body after the header)', () => {
    const content = text('several-banktranlist.ofx').replace('<BANKTRANLIST>', 'stray text\r\n<BANKTRANLIST>');
    expect(refused('text.ofx', {}, content).message).toBe(`text.ofx: line ${lineOf(content, 'stray text')}: unexpected text after </BANKACCTFROM>`);
    const inLeafPlace = text('several-banktranlist.ofx').replace('<CURDEF>USD\r\n', '<CURDEF>USD\r\n\r\n<  junk\r\n');
    expect(refused('junk.ofx', {}, inLeafPlace).message).toBe(`junk.ofx: line ${lineOf(inLeafPlace, '<  junk')}: unexpected text outside an element`);
  });

  it('a bad date names the line of its DTPOSTED', () => {
    const content = text('short-dates.ofx').replace('<DTPOSTED>2024020617', '<DTPOSTED>2024023017');
    expect(refused('date.ofx', {}, content).message).toMatch(new RegExp(`^date\\.ofx: line ${lineOf(content, '<DTPOSTED>2024023017')}: STMTTRN 2: "2024023017\\[-5:EST\\]" is not an OFX date`));
  });
});

describe('OFX: investment statements', () => {
  it('a file of investment statements only is refused, saying so', () => {
    const e = refused('investment-only.ofx');
    expect(e.message).toBe('investment-only.ofx: holds only investment statements (INVSTMTRS): investment statements are not supported');
  });

  it('bank statements beside an investment statement import in full; the investment part is named as skipped', () => {
    const r = parse('bank-and-investment.ofx');
    expect(r.statements).toHaveLength(1);
    expect(amounts(r)).toEqual(AMOUNTS);
    expect(r.warnings).toEqual(['1 investment statement (INVSTMTRS) skipped: investment statements are not supported; the bank and card statements were read in full']);
  });
});
