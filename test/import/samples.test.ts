import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BanksyncError } from '../../src/domain/errors.js';
import { parseBytes } from '../../src/import/parse.js';
import { VALIDATORS } from '../helpers/tools.js';

const SAMPLES = join(VALIDATORS, 'samples');
const read = (dir: string, f: string) => parseBytes(readFileSync(join(SAMPLES, dir, f)), f, 'auto', { currency: 'USD' });

/** The four lines every bank sample holds (a card sample holds a purchase and its payment). */
const BANK = [250_000, -1_999, -4_250, -200];

describe('sample statement files (test/validators/samples)', () => {
  it.each(readdirSync(join(SAMPLES, 'good')).concat(readdirSync(join(SAMPLES, 'warn')).map((f) => `warn/${f}`)))('%s imports with the right lines and amounts', (name) => {
    const [dir, f] = name.startsWith('warn/') ? ['warn', name.slice(5)] : ['good', name];
    const parsed = read(dir, f);
    expect(parsed.statements).toHaveLength(1);
    const lines = parsed.statements[0]!.lines;
    if (f.startsWith('cc-')) {
      expect(lines.map((l) => l.amountMinor).sort((a, b) => a - b)).toEqual([-6_420, 6_420]);
      expect(parsed.statements[0]!.kind).toBe('credit_card');
    } else {
      expect(lines.map((l) => l.amountMinor)).toEqual(BANK);
      expect(lines.map((l) => l.bookingDate)).toEqual(['2024-01-15', '2024-01-20', '2024-01-31', '2024-01-31']);
    }
    // Text survives every charset: the café is never mojibake.
    if (!f.includes('211-ascii')) expect(JSON.stringify(lines)).not.toMatch(/Ã|\ufffd/);
  });

  // Each broken sample: rejected (with what the message must say), imported with a warning (the
  // data is still unambiguous), or imported as is (the defect only matters to another consumer).
  const BAD: [string, 'rejected' | 'warned' | 'imported', RegExp | null][] = [
    ['amount-thousands-sep.ofx', 'rejected', /STMTTRN 1: TRNAMT "2,500.00"/],
    ['amount-typo.ofx', 'rejected', /TRNAMT "-2.0O"/],
    ['bad-trntype.ofx', 'warned', /unknown TRNTYPE PURCHASE/],
    ['camt-bad-iban.xml', 'warned', /IBAN .* fails its check digits; kept as the account number/],
    ['camt-balance-mismatch.xml', 'warned', /closing balance says/],
    ['camt-dup-ref.xml', 'rejected', /AcctSvcrRef .* used twice/],
    ['camt-element-order.xml', 'imported', null],
    ['camt-missing-bktxcd.xml', 'imported', null],
    ['camt-negative-amount.xml', 'rejected', /negative; camt amounts are unsigned/],
    ['camt-not-wellformed.xml', 'rejected', /line \d+: not well-formed XML/],
    ['cc-with-bankacctfrom.ofx', 'rejected', /no CCACCTFROM/],
    ['charset-mismatch-1252-as-utf8.ofx', 'rejected', /declared UTF-8 but holds bytes that are not UTF-8/],
    ['charset-mismatch-utf8-as-1252.ofx', 'warned', /its text is UTF-8/],
    ['csv-balance-mismatch.csv', 'warned', /line 3: the balance column says 3480.00, the amounts give 3480.01/],
    ['csv-date-format.csv', 'rejected', /line 3: date "20\/01\/2024"/],
    ['csv-decimal-comma.csv', 'rejected', /line 4: amount "-42,50"/],
    ['csv-dup-id.csv', 'rejected', /id 20240131-0001 appears twice/],
    ['csv-extra-column.csv', 'rejected', /not valid CSV: .*line 3/],
    ['csv-latin1.csv', 'warned', /read as Windows-1252/],
    ['csv-missing-amount.csv', 'rejected', /line 3: amount "" is missing/],
    ['csv-unbalanced-quote.csv', 'rejected', /Quote Not Closed/],
    ['dup-fitid.ofx', 'rejected', /FITID 20240115-0001 is used twice/],
    ['element-order.ofx', 'imported', null],
    ['header-space.ofx', 'imported', null],
    ['iso-date.ofx', 'rejected', /STMTTRN 3: "2024-01-31T12:00:00-05:00" is not an OFX date/],
    ['missing-fitid.ofx', 'warned', /1 STMTTRN without FITID, REFNUM or CHECKNUM: deduplicated by date, amount and text/],
    ['name-too-long.ofx', 'imported', null],
    ['no-ledgerbal.ofx', 'imported', null],
    ['no-signon.ofx', 'imported', null],
    ['ofx2-mismatched-tag.ofx', 'rejected', /line 41: not well-formed XML/],
    ['ofx2-raw-ampersand.ofx', 'rejected', /line 48: not well-formed XML/],
    ['ofx2-utf8-nonascii.ofx', 'imported', null],
    ['qif-blank-line.qif', 'warned', /blank line/],
    ['qif-iso-date.qif', 'warned', /ISO dates/],
    ['qif-missing-amount.qif', 'rejected', /record 2 has no amount/],
    ['qif-missing-final-caret.qif', 'rejected', /no closing "\^": the file looks truncated/],
    ['qif-no-type.qif', 'rejected', /not OFX, QFX, CAMT.053, CSV or QIF/],
    ['qif-unknown-code.qif', 'warned', /unknown QIF field "X"/],
    ['raw-ampersand.ofx', 'warned', /bare "&"/],
    ['truncated.ofx', 'rejected', /ends inside <STMTTRN>: the file is truncated/],
  ];

  it('every bad sample has a stated outcome', () => {
    expect(BAD.map(([f]) => f).sort()).toEqual(readdirSync(join(SAMPLES, 'bad')).sort());
  });

  it.each(BAD)('bad/%s is %s', (f, outcome, pattern) => {
    if (outcome === 'rejected') {
      let error: unknown;
      try {
        read('bad', f);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BanksyncError);
      expect((error as BanksyncError).code).toBe('BAD_INPUT');
      expect((error as Error).message.startsWith(`${f}: `)).toBe(true);
      expect((error as Error).message).toMatch(pattern!);
      return;
    }
    const parsed = read('bad', f);
    expect(parsed.statements[0]!.lines.map((l) => l.amountMinor)).toEqual(BANK);
    if (outcome === 'warned') expect(parsed.warnings.join('\n')).toMatch(pattern!);
    else expect(parsed.warnings).toEqual([]);
  });
});

describe('the names --help lists match the parsers', () => {
  it('profiles, date layouts and formats', async () => {
    const { CSV_PROFILE_NAMES, DATE_FORMAT_NAMES, FORMAT_NAMES } = await import('../../src/import/options.js');
    const { CSV_PROFILES } = await import('../../src/import/csv.js');
    const { DATE_FORMATS } = await import('../../src/import/dates.js');
    const { FILE_FORMATS } = await import('../../src/import/types.js');
    expect([...CSV_PROFILE_NAMES]).toEqual(Object.keys(CSV_PROFILES));
    expect([...DATE_FORMAT_NAMES]).toEqual(Object.keys(DATE_FORMATS));
    expect([...FORMAT_NAMES]).toEqual([...FILE_FORMATS]);
  });
});

describe('CAMT.053 versions', () => {
  const v02 = readFileSync(join(SAMPLES, 'good/camt053-v02.xml'), 'utf8');
  it.each(['04', '06', '08'])('camt.053.001.%s (with the .08 Sts/Cd form) reads the same lines', (v) => {
    let xml = v02.replace('camt.053.001.02', `camt.053.001.${v}`);
    if (v === '08') xml = xml.replace(/<Sts>BOOK<\/Sts>/g, '<Sts><Cd>BOOK</Cd></Sts>');
    const parsed = parseBytes(Buffer.from(xml), `v${v}.xml`, 'auto', {});
    expect(parsed.statements[0]!.lines.map((l) => l.amountMinor)).toEqual(BANK);
    expect(parsed.statements[0]!.iban).toBe('DE89370400440532013000');
  });

  it('pending (PDNG) entries are not bookings and are left out', () => {
    const xml = v02.replace('<Sts>BOOK</Sts>', '<Sts>PDNG</Sts>');
    const parsed = parseBytes(Buffer.from(xml), 'pending.xml', 'auto', {});
    expect(parsed.statements[0]!.lines).toHaveLength(3);
  });
});
