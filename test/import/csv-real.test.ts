import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BanksyncError } from '../../src/domain/errors.js';
import { detectFormat } from '../../src/import/detect.js';
import { parseBytes } from '../../src/import/parse.js';
import type { ParsedFile, ParseOptions } from '../../src/import/types.js';

/** CSV shapes real banks and tools write (fixtures/import/csv/README.md says which is which). */
const FIXTURES = resolve(__dirname, '../../fixtures/import/csv');

const fixture = (name: string, o: ParseOptions = {}) => parseBytes(readFileSync(join(FIXTURES, name)), name, 'auto', o);
const text = (csv: string, o: ParseOptions = {}, name = 'inline.csv') => parseBytes(Buffer.from(csv), name, 'auto', o);
const amounts = (p: ParsedFile) => p.statements[0]!.lines.map((l) => l.amountMinor);
const dates = (p: ParsedFile) => p.statements[0]!.lines.map((l) => l.bookingDate);

function refusal(run: () => unknown): BanksyncError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(BanksyncError);
    expect((e as BanksyncError).code).toBe('BAD_INPUT');
    expect((e as Error).message).not.toContain('\n');
    return e as BanksyncError;
  }
  throw new Error('expected the file to be refused');
}

describe('a CSV without a header row (silent loss: the first line was taken as the header)', () => {
  it('is detected when its first row reads as a transaction, and every row is imported, with a warning', () => {
    const p = fixture('headerless-signed.csv', { currency: 'USD', map: 'date=0,amount=1,payee=4' });
    expect(amounts(p)).toEqual([-750, 250_000, -4_210]);
    expect(p.statements[0]!.lines[0]).toMatchObject({ bookingDate: '2024-01-16', payee: 'PURCHASE AUTHORIZED ON 01/13 CORNER COFFEE', where: 'line 1' });
    expect(p.warnings.join('\n')).toMatch(/has no header row: line 1 reads as a transaction/);
  });

  it('--no-header says so: the same lines, no warning', () => {
    const p = fixture('headerless-signed.csv', { currency: 'USD', map: 'date=0,amount=1,payee=4', header: false });
    expect(amounts(p)).toEqual([-750, 250_000, -4_210]);
    expect(p.warnings).toEqual([]);
  });

  it('--header overrides the detection: the first row is the header, as the user says', () => {
    const p = fixture('headerless-signed.csv', { currency: 'USD', map: 'date=0,amount=1', header: true });
    expect(amounts(p)).toEqual([250_000, -4_210]);
  });

  it('without --map it stops, showing the first row by column number and a map to start from', () => {
    const e = refusal(() => fixture('headerless-signed.csv', { currency: 'USD' }));
    expect(e.message).toMatch(/^headerless-signed\.csv: has no header row \(line 1 is a transaction: 0=01\/16\/2024 1=-7\.50 2=\* 3= 4=PURCHASE/);
    expect(e.hint).toMatch(/0-based column numbers, e\.g\. --map date=0,amount=1/);
  });

  it('a --map naming header columns cannot work without a header', () => {
    expect(refusal(() => fixture('headerless-signed.csv', { currency: 'USD', map: 'date=Date,amount=1' })).message).toMatch(/has no header row, so --map cannot name columns by header \(date\)/);
  });

  it('a header whose names are not known is still a header (the row above the first transaction, words where the data has numbers)', () => {
    const p = text('Kiedy;Ile;Komu\n2024-01-03;-45,20;Sklep\n2024-01-10;5200,00;Firma\n', { currency: 'PLN', map: 'date=0,amount=1,payee=2' });
    expect(amounts(p)).toEqual([-4_520, 520_000]);
    expect(p.warnings).toEqual([]);
  });

  it('a broken transaction above headerless data is an error, not a skipped title line', () => {
    const e = refusal(() => text('2024-02-30,-1.00,Kiosk\n2024-03-01,-2.00,Bakery\n', { currency: 'EUR', map: 'date=0,amount=1' }));
    expect(e.message).toMatch(/line 1: neither a header nor a transaction/);
  });
});

describe('a sign in its own column (silent loss: every amount was stored as money in)', () => {
  it('ING "Af Bij" is found by its header and signs the amounts', () => {
    expect(amounts(fixture('ing-af-bij.csv', { currency: 'EUR' }))).toEqual([-2_345, 250_000, -195]);
  });

  it('a named sign column is used even when --map leaves it out', () => {
    expect(amounts(fixture('ing-af-bij.csv', { currency: 'EUR', map: 'date=0,amount=6,payee=1' }))).toEqual([-2_345, 250_000, -195]);
  });

  it('German "Soll/Haben" with S/H, below a title block', () => {
    expect(amounts(fixture('soll-haben.csv'))).toEqual([-8_500, 312_050, -105_000]);
  });

  it('camt-style CdtDbtInd with DBIT/CRDT', () => {
    expect(amounts(fixture('cdtdbtind.csv'))).toEqual([-12_000, 245_000, -1_599]);
  });

  it('--map direction=N on a headerless file (Dutch Debet/Credit)', () => {
    const p = fixture('headerless-direction.csv', { currency: 'EUR', map: 'date=0,amount=2,direction=3,payee=4,counterparty_iban=5,memo=7' });
    expect(amounts(p)).toEqual([123_456, -4_520, -85_000]);
    expect(p.statements[0]!.lines.map((l) => l.type)).toEqual(['credit', 'debit', 'debit']);
  });

  it.each([
    ['D', 'C'],
    ['d', 'c'],
    ['DR', 'CR'],
    ['Dr', 'Cr'],
    ['Debit', 'Credit'],
    ['DEBIT', 'CREDIT'],
    ['Debet', 'Credit'],
    ['S', 'H'],
    ['Soll', 'Haben'],
    ['Af', 'Bij'],
    ['DBIT', 'CRDT'],
    ['Dare', 'Avere'],
    ['Cargo', 'Abono'],
    ['-', '+'],
  ])('%s / %s read case-insensitively', (debit, credit) => {
    const p = text(`Date,Amount,Sign\n2024-01-03,12.50,${debit}\n2024-01-04,7.00,${credit}\n`, { currency: 'EUR', map: 'date=0,amount=1,direction=2' });
    expect(amounts(p)).toEqual([-1_250, 700]);
  });

  it('an unknown direction value is an error naming the line', () => {
    const e = refusal(() => text('Date,Amount,Sign\n2024-01-03,12.50,D\n2024-01-04,7.00,X\n', { currency: 'EUR', map: 'date=0,amount=1,direction=2' }));
    expect(e.message).toMatch(/^inline\.csv: line 3: direction "X" is not a debit\/credit marker I know/);
    expect(e.hint).toMatch(/--debit-values/);
  });

  it('--debit-values names the debit markers; every other value is a credit', () => {
    expect(() => fixture('direction-custom-values.csv', { currency: 'PLN', map: 'date=0,payee=1,amount=2,direction=3' })).toThrow(/line 2: direction "Obciążenie"/);
    const p = fixture('direction-custom-values.csv', { currency: 'PLN', map: 'date=0,payee=1,amount=2,direction=3', debitValues: 'obciążenie' });
    expect(amounts(p)).toEqual([-4_520, 520_000, -180_000]);
  });

  it('--debit-values without a direction column is an error', () => {
    expect(refusal(() => fixture('savings-deposits-only.csv', { currency: 'EUR', debitValues: 'D' })).message).toMatch(/--debit-values needs a direction column/);
  });

  it('an amount whose own sign agrees with its direction keeps it; one that contradicts it is an error', () => {
    const agree = text('Date,Amount,Details\n2024-01-03,-12.50,DEBIT\n2024-01-04,7.00,CREDIT\n', { currency: 'USD', map: 'date=0,amount=1,direction=2' });
    expect(amounts(agree)).toEqual([-1_250, 700]);
    const e = refusal(() => text('Date,Amount,Details\n2024-01-03,-12.50,CREDIT\n', { currency: 'USD', map: 'date=0,amount=1,direction=2' }));
    expect(e.message).toMatch(/line 2: amount "-12.50" is negative, but its direction "CREDIT" says credit/);
  });
});

describe('an unsigned amount column next to an unmapped sign column is refused', () => {
  it('a column of D/C markers that disagrees with the amounts is named, with the --map to use', () => {
    const e = refusal(() => fixture('direction-unmapped.csv', { currency: 'EUR' }));
    expect(e.message).toMatch(/^direction-unmapped\.csv: line 2: the amount has no sign of its own, but column 3 \("Indicator"\) says "D"/);
    expect(e.hint).toBe('add it to --map, e.g. --map date=0,amount=2,payee=1,direction=3');
    expect(amounts(fixture('direction-unmapped.csv', { currency: 'EUR', map: 'date=0,payee=1,amount=2,direction=3' }))).toEqual([-12_000, 245_000, -1_599]);
  });

  it('also with a --map that leaves the sign column out (headerless Triodos shape)', () => {
    expect(refusal(() => fixture('headerless-direction.csv', { currency: 'EUR', map: 'date=0,amount=2,payee=4' })).message).toMatch(
      /line 2: the amount has no sign of its own, but column 3 says "Debet"/,
    );
  });

  it('a savings account with only deposits and no sign column imports', () => {
    expect(amounts(fixture('savings-deposits-only.csv', { currency: 'EUR' }))).toEqual([20_000, 20_000, 137]);
  });

  it('a marker column that agrees with signed amounts (Chase "Details") imports as signed', () => {
    const p = text('Details,Posting Date,Description,Amount\nDEBIT,01/16/2024,Coffee,-4.50\nCREDIT,01/17/2024,Payroll,2500.00\n', { currency: 'USD' });
    expect(amounts(p)).toEqual([-450, 250_000]);
  });

  it('a signed amount column keeps its own signs, even where a marker column disagrees (a refund marked DEBIT)', () => {
    const p = text('Details,Posting Date,Description,Amount\nDEBIT,01/16/2024,Coffee,-4.50\nDEBIT,01/17/2024,Coffee refund,4.50\n', { currency: 'USD' });
    expect(amounts(p)).toEqual([-450, 450]);
  });

  it('a column where only some values are markers is not a sign column (transaction codes D, GT, BA)', () => {
    expect(amounts(text('Date,Amount,Code\n2024-01-03,12.50,D\n2024-01-04,7.00,GT\n2024-01-05,3.00,BA\n', { currency: 'EUR' }))).toEqual([1_250, 700, 300]);
  });

  it('a column of credit markers only (a "cleared" C) signs nothing', () => {
    expect(amounts(text('Date,Amount,Payee,Cleared\n2024-01-03,12.50,Refund,C\n2024-01-04,7.00,Refund,C\n', { currency: 'EUR' }))).toEqual([1_250, 700]);
  });

  it('a column of credit markers only next to signed amounts imports', () => {
    const p = text('Date,Amount,Payee,Cleared\n2024-01-03,-12.50,Kiosk,C\n2024-01-04,-7.00,Bakery,C\n', { currency: 'EUR' });
    expect(amounts(p)).toEqual([-1_250, -700]);
  });
});

describe('thousands separators, decided per file from its own numbers', () => {
  it('1.500,00 (decimal comma)', () => {
    expect(amounts(fixture('thousands-dot.csv', { currency: 'EUR' }))).toEqual([-150_000, 325_075, -1_230]);
  });

  it('1,500.00 (decimal point)', () => {
    expect(amounts(fixture('thousands-comma.csv', { currency: 'USD' }))).toEqual([-150_000, 325_075, -1_230]);
  });

  it('"1,500" with nothing to settle it is refused (it was read as 1.50), and --decimal settles it', () => {
    const e = refusal(() => fixture('thousands-ambiguous.csv', { currency: 'EUR' }));
    expect(e.message).toMatch(/line 2: amount "-1,500" reads as a thousands or a decimal separator, and no amount in the file settles which/);
    expect(e.hint).toMatch(/--decimal \./);
    expect(amounts(fixture('thousands-ambiguous.csv', { currency: 'EUR', decimal: '.' }))).toEqual([-150_000, 25_000]);
    expect(amounts(fixture('thousands-ambiguous.csv', { currency: 'EUR', decimal: ',' }))).toEqual([-150, 25_000]);
  });

  it('"1,500" beside "12.50" is 1500: the other line settles the mark', () => {
    expect(amounts(text('Date,Amount\n2024-01-03,"-1,500"\n2024-01-04,12.50\n', { currency: 'EUR' }))).toEqual([-150_000, 1_250]);
  });

  it('a file with both decimal marks is refused naming the odd line', () => {
    const e = refusal(() => text('Date;Amount\n2024-01-03;-12,50\n2024-01-04;-3,10\n2024-01-05;7.25\n', { currency: 'EUR' }));
    expect(e.message).toMatch(/line 4: amount "7.25" has a decimal point, but line 2 \("-12,50"\) has a decimal comma/);
  });

  it.each([
    ['1 234,50', 123_450],
    ['1\u00a0234,50', 123_450],
    ['1\u202f234,50', 123_450],
    ["1'234.50", 123_450],
    ['1.234.567,89', 123_456_789],
    ['1,234,567.00', 123_456_700],
  ])('%s', (raw, minor) => {
    expect(amounts(text(`Date;Amount\n2024-01-03;${raw}\n`, { currency: 'EUR' }))).toEqual([minor]);
  });

  it('a broken grouping is not an amount', () => {
    expect(refusal(() => text('Date;Amount\n2024-01-03;"1,23,456.00"\n', { currency: 'EUR' })).message).toMatch(/line 2: amount "1,23,456.00" is missing or not a plain/);
  });
});

describe('a currency symbol or code next to the number', () => {
  it('"$" is taken with a dollar currency, refused with another, and asks for --currency when none is given', () => {
    expect(amounts(fixture('currency-dollar.csv', { currency: 'USD' }))).toEqual([-797_139, 325_000, -450]);
    expect(amounts(fixture('currency-dollar.csv', { currency: 'CAD' }))).toEqual([-797_139, 325_000, -450]);
    expect(refusal(() => fixture('currency-dollar.csv', { currency: 'EUR' })).message).toMatch(/line 2: amount "-\$7,971.39" is in "\$", but the line's currency is EUR/);
    const e = refusal(() => fixture('currency-dollar.csv'));
    expect(e.message).toMatch(/line 2: "\$" in amount "-\$7,971.39" could be USD, CAD, AUD, NZD or another currency/);
    expect(e.hint).toMatch(/--currency/);
  });

  it('"€" names the currency when the file gives none (Postbank "-85,00 €")', () => {
    const p = fixture('currency-euro-symbol.csv');
    expect(amounts(p)).toEqual([-8_500, 312_050, -105_000]);
    expect(p.statements[0]!.currency).toBe('EUR');
    expect(p.statements[0]!.balances.find((b) => b.kind === 'closing')).toEqual({ kind: 'closing', date: '2024-01-29', amountMinor: 398_550 });
  });

  it('an ISO code before or after the number', () => {
    const p = fixture('currency-code.csv');
    expect(amounts(p)).toEqual([-85_000, 325_000, -1_230]);
    expect(p.statements[0]!.lines[0]!.currency).toBe('EUR');
  });

  it("a code that contradicts the line's currency is an error", () => {
    expect(refusal(() => fixture('currency-code-conflict.csv', { currency: 'EUR' })).message).toMatch(/line 3: amount "-210.00 USD" is in USD, but the line's currency is EUR/);
    expect(refusal(() => text('Date,Amount,Currency\n2024-01-03,-12.50 GBP,EUR\n')).message).toMatch(/line 2: amount "-12.50 GBP" is in GBP, but the line's currency is EUR/);
  });

  it.each([
    ['€ 12,50', 1_250],
    ['€-12,50', -1_250],
    ['-€12,50', -1_250],
    ['12,50 €', 1_250],
    ['-12,50 €', -1_250],
    ['12,50-', -1_250],
    ['EUR 12,50', 1_250],
    ['12,50EUR', 1_250],
    ['(€12,50)', -1_250],
    ['−12,50', -1_250],
  ])('%s', (raw, minor) => {
    expect(amounts(text(`Date;Amount\n2024-01-03;${raw}\n2024-01-04;0,10\n`, { currency: 'EUR' }))[0]).toBe(minor);
  });

  it('an unknown code, or a sign both ways, is not an amount', () => {
    expect(refusal(() => text('Date;Amount\n2024-01-03;XYZ 12,50\n', { currency: 'EUR' })).message).toMatch(/line 2: "XYZ" in amount "XYZ 12,50" is not a currency code/);
    expect(refusal(() => text('Date;Amount\n2024-01-03;(-12,50)\n', { currency: 'EUR' })).message).toMatch(/line 2: amount "\(-12,50\)" is missing or not a plain/);
  });
});

describe('amounts in parentheses', () => {
  it('are negative, also with thousands separators (the separators were refused before)', () => {
    expect(amounts(fixture('parentheses.csv', { currency: 'USD' }))).toEqual([-125_000, 325_000, -1_230]);
  });
});

describe('date-times are taken by the calendar day written', () => {
  it('"2022-01-02 12:16:54" (Revolut shape; its "Completed Date" is the booking date)', () => {
    const p = fixture('datetime.csv');
    expect(dates(p)).toEqual(['2022-01-03', '2022-01-04', '2022-01-06']);
    expect(amounts(p)).toEqual([-380, 10_000, -250]);
    expect(p.warnings).toEqual([]);
  });

  it('ISO with T and a zone: the day as printed, never shifted to UTC', () => {
    expect(dates(fixture('datetime-iso-zone.csv'))).toEqual(['2022-01-02', '2022-01-03', '2022-01-05']);
  });

  it('day-first with a time, and a date-time in the value date column', () => {
    const p = text('Buchungstag;Valuta;Betrag\n15.01.2024 12:16;16.01.2024 00:00:00;-12,50\n', { currency: 'EUR' });
    expect(p.statements[0]!.lines[0]).toMatchObject({ bookingDate: '2024-01-15', valueDate: '2024-01-16' });
  });

  it('a file whose dates could be day-first or month-first still stops and asks', () => {
    const e = refusal(() => fixture('ambiguous-dates.csv', { currency: 'EUR' }));
    expect(e.message).toMatch(/could be day-first or month-first/);
    expect(e.hint).toMatch(/--date-format DD\/MM\/YYYY or MM\/DD\/YYYY/);
  });
});

describe('title lines before the header', () => {
  it('DKB shape: account, period and balance lines, blank lines, then the header; every row ends with ";"', () => {
    const p = fixture('preamble-dkb.csv', { currency: 'EUR' });
    expect(amounts(p)).toEqual([-8_500, 312_050, -105_000]);
    expect(p.warnings).toEqual(['skipped 6 lines before the header (lines 1-6): a title block, not transactions']);
    expect(p.statements[0]!.lines.map((l) => l.where)).toEqual(['line 8', 'line 9', 'line 10']);
  });

  it('a bank name line with no delimiter is still CSV by content', () => {
    const bytes = readFileSync(join(FIXTURES, 'preamble-bank-name.csv'));
    expect(detectFormat(bytes.toString('utf8'))).toBe('csv');
    const p = fixture('preamble-bank-name.csv', { currency: 'EUR' });
    expect(amounts(p)).toEqual([-4_520, 250_000, -85_000]);
    expect(p.warnings).toEqual(['skipped 3 lines before the header (lines 1-3): a title block, not transactions']);
  });

  it('messages name the line in the file, not in the table', () => {
    const bytes = readFileSync(join(FIXTURES, 'preamble-dkb.csv'), 'utf8').replace('"-1.050,00"', '"-1.050,0x"');
    expect(refusal(() => text(bytes, { currency: 'EUR' }, 'dkb.csv')).message).toMatch(/^dkb\.csv: line 10: amount "-1.050,0x"/);
  });

  it('line numbers count quoted line breaks, blank lines, CRLF and old-Mac CR endings', () => {
    const csv = 'Date,Amount,Memo\n2024-01-03,-1.00,"two\nlines"\n\n2024-01-04,-2.00,x\n2024-01-05,-3.00,"three\n\nlines"\n2024-01-06,-4.00,y\n';
    const where = (t: string) => text(t, { currency: 'EUR' }).statements[0]!.lines.map((l) => l.where);
    expect(where(csv)).toEqual(['line 2', 'line 5', 'line 6', 'line 9']);
    expect(where(csv.replace(/\n/g, '\r\n'))).toEqual(['line 2', 'line 5', 'line 6', 'line 9']);
    expect(where(csv.replace(/\n/g, '\r'))).toEqual(['line 2', 'line 5', 'line 6', 'line 9']);
  });

  it('blank lines alone above the header are skipped without a word', () => {
    const p = text('\n\nDate,Amount\n2024-01-03,-1.00\n', { currency: 'EUR' });
    expect(p.warnings).toEqual([]);
    expect(p.statements[0]!.lines[0]!.where).toBe('line 4');
  });

  it('a QIF file without !Type is still not CSV', () => {
    expect(detectFormat('D01/15/2024\nT2,500.00\nPACME\n^\nD01/20/2024\nT-19.99\nPSmith, Sons\n^\n')).toBeNull();
  });

  it('balance lines under the data (Volksbank "Anfangssaldo"/"Endsaldo") are left out with a warning; between transactions they are an error', () => {
    const head = 'Buchungstag;Valuta;Vorgang/Verwendungszweck;Währung;Umsatz;Soll/Haben\n02.01.2024;02.01.2024;Strom;EUR;85,00;S\n15.01.2024;15.01.2024;Gehalt;EUR;3.120,50;H\n';
    const p = text(`${head};;;;;\n01.01.2024;;Anfangssaldo;EUR;1.000,00;H\n31.01.2024;;Endsaldo;EUR;4.035,50;H\n`);
    expect(amounts(p)).toEqual([-8_500, 312_050]);
    expect(p.warnings).toEqual(['line 5: left out "anfangssaldo", a balance line, not a transaction', 'line 6: left out "endsaldo", a balance line, not a transaction']);
    expect(refusal(() => text(`${head}20.01.2024;;Endsaldo;EUR;4.035,50;H\n21.01.2024;21.01.2024;Miete;EUR;1.050,00;S\n`)).message).toMatch(
      /line 4: "endsaldo" is a balance line between transactions/,
    );
  });
});

describe('rows wider than the header', () => {
  it('with trailing empty fields import', () => {
    expect(amounts(fixture('trailing-empty-fields.csv', { currency: 'EUR' }))).toEqual([-4_520, 250_000, -85_000]);
  });

  it('with an extra field that holds something are still an error naming the line', () => {
    expect(refusal(() => text('Date,Description,Amount\n2024-01-03,Smith, Sons,-45.20\n', { currency: 'EUR' })).message).toMatch(/not valid CSV: line 2 has 4 fields, the header has 3/);
  });

  it('with a missing field are an error', () => {
    expect(refusal(() => text('Date,Description,Amount\n2024-01-03,-45.20\n', { currency: 'EUR' })).message).toMatch(/not valid CSV: line 2 has 2 fields, the header has 3/);
  });
});

describe('newest-first files', () => {
  it('balance checks follow the file order: no false warnings; opening before the oldest line, closing after the newest', () => {
    const p = fixture('newest-first.csv', { currency: 'EUR' });
    expect(p.warnings).toEqual([]);
    expect(p.statements[0]!.balances).toEqual([
      { kind: 'opening', date: '2024-01-03', amountMinor: 100_000 },
      { kind: 'closing', date: '2024-01-29', amountMinor: 260_480 },
    ]);
  });

  it('the same file oldest-first gives the same balances', () => {
    expect(fixture('preamble-bank-name.csv', { currency: 'EUR' }).statements[0]!.balances).toEqual(fixture('newest-first.csv', { currency: 'EUR' }).statements[0]!.balances);
  });

  it('a wrong balance in a newest-first file is named by its line', () => {
    const csv = readFileSync(join(FIXTURES, 'newest-first.csv'), 'utf8').replace('2500.00,3454.80', '2500.00,3454.90');
    const p = text(csv, { currency: 'EUR' });
    expect(p.warnings).toEqual(['line 3: the balance column says 3454.90, the amounts give 3454.80', 'line 2: the balance column says 2604.80, the amounts give 2604.90']);
  });

  it('lines all on one day: the balance column decides the order', () => {
    const p = text('Date,Amount,Balance\n2024-01-05,-10.00,80.00\n2024-01-05,-10.00,90.00\n2024-01-05,-10.00,100.00\n', { currency: 'EUR' });
    expect(p.warnings).toEqual([]);
    expect(p.statements[0]!.balances).toEqual([
      { kind: 'opening', date: '2024-01-05', amountMinor: 11_000 },
      { kind: 'closing', date: '2024-01-05', amountMinor: 8_000 },
    ]);
  });
});

describe('what a newcomer feeds it', () => {
  it('a date no layout reads (30-02) is named with its line, not taken for a day/month question', () => {
    const e = refusal(() => text('Datum;Naam;Bedrag;Af Bij\n30-02-2026;Bakker;12,50;Af\n', { currency: 'EUR' }));
    expect(e.message).toBe('inline.csv: line 2: date "30-02-2026" is not a calendar date in any layout');
  });

  it('an impossible ISO date after the layout is known is named as one, not as a layout question', () => {
    const e = refusal(() => text('Date,Amount,Payee\n2026-02-27,-1.00,Kiosk\n2026-02-30,-2.00,Bakery\n', { currency: 'EUR' }));
    expect(e.message).toBe('inline.csv: line 3: date "2026-02-30" is not a calendar date in any layout');
    expect(e.hint).toBe('fix the date in the file');
  });

  it('a Dutch "Naam" column is the payee', () => {
    const p = text('Datum;Naam;Bedrag;Af Bij\n28-02-2026;Bakker Jansen;12,50;Af\n01-03-2026;Werkgever BV;1.500,00;Bij\n', { currency: 'EUR' });
    expect(p.statements[0]!.lines.map((l) => [l.payee, l.amountMinor])).toEqual([
      ['Bakker Jansen', -1250],
      ['Werkgever BV', 150000],
    ]);
  });
});
