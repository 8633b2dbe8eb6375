import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BanksyncError } from '../../src/domain/errors.js';
import { expandQifDate } from '../../src/import/dates.js';
import { parseBytes } from '../../src/import/parse.js';
import type { ParseOptions } from '../../src/import/types.js';

const DIR = resolve(__dirname, '../../fixtures/import/qif');
const parse = (f: string, o: ParseOptions = {}) => parseBytes(readFileSync(join(DIR, f)), f, 'auto', { currency: 'USD', ...o });
const dates = (f: string, o: ParseOptions = {}) => parse(f, o).statements[0]!.lines.map((l) => l.bookingDate);
const refusal = (f: string, o: ParseOptions = {}) => {
  try {
    parse(f, o);
  } catch (e) {
    expect(e).toBeInstanceOf(BanksyncError);
    return e as BanksyncError;
  }
  throw new Error(`${f} was not refused`);
};

describe('QIF two-digit years', () => {
  it('Quicken 1990s dates (10/11/97, padded " 1/ 5/98"): month-first settled by 10/24/97, years placed by the pivot, with a warning', () => {
    const r = parse('quicken-two-digit-years.qif');
    expect(r.statements[0]!.lines.map((l) => l.bookingDate)).toEqual(['1997-10-11', '1997-10-24', '1997-11-03', '1998-01-05']);
    expect(r.warnings).toEqual(['4 dates with a two-digit year, placed in 1950-2049 (line 2: "10/11/97" is 1997-10-11)']);
  });

  it('day-first two-digit years (15/08/97) are settled by the file too, no --date-format asked', () => {
    expect(dates('two-digit-years-day-first.qif')).toEqual(['1997-08-15', '1997-09-03', '1997-09-30']);
  });

  it("Quicken's apostrophe (8/15'13) says the century: no pivot, no warning", () => {
    const r = parse('apostrophe-years.qif');
    expect(r.statements[0]!.lines.map((l) => l.bookingDate)).toEqual(['2013-08-15', '2013-08-02', '2013-09-30']);
    expect(r.warnings).toEqual([]);
  });

  it("a file across 2000: 12/31/99 is 1999, 1/ 3'00 is 2000", () => {
    expect(dates('quicken-y2k-apostrophe.qif')).toEqual(['1999-12-28', '1999-12-31', '2000-01-03', '2000-01-14']);
  });

  it('no day above 12 still stops and asks (the stance on ambiguity holds)', () => {
    const e = refusal('two-digit-years-ambiguous.qif');
    expect(e.message).toBe('two-digit-years-ambiguous.qif: its dates could be month-first or day-first');
    expect(e.hint).toMatch(/--date-format us \(MM\/DD\/YYYY\) or uk \(DD\/MM\/YYYY\)/);
    expect(dates('two-digit-years-ambiguous.qif', { dateFormat: 'uk' })).toEqual(['1997-11-10', '1998-02-01']);
  });

  it('dates that need different orders are named, not answered with "give --date-format"', () => {
    const e = refusal('mixed-date-orders.qif');
    expect(e.message).toBe('mixed-date-orders.qif: line 2: "10/13/97" reads only month-first, but line 6: "13/10/97" reads only day-first: the file mixes date orders');
  });

  it('a date no order reads is named as such', () => {
    const bytes = Buffer.from('!Type:Bank\nD10/11/97\nT-1.00\n^\nD13/13/97\nT-2.00\n^\n');
    expect(() => parseBytes(bytes, 'bad.qif', 'auto', { currency: 'USD' })).toThrow('bad.qif: line 5: date "13/13/97" is not a date in any day/month order');
  });

  it('the pivot: 00-49 are 2000s, 50-99 are 1900s; other shapes are left to readDate', () => {
    expect(expandQifDate('1/2/49')).toEqual({ date: '1/2/2049', windowed: true });
    expect(expandQifDate('1/2/50')).toEqual({ date: '1/2/1950', windowed: true });
    expect(expandQifDate(" 1/ 2' 4")).toEqual({ date: '1/2/2004', windowed: false });
    expect(expandQifDate('01.02.2024')).toEqual({ date: '01/02/2024', windowed: false });
    expect(expandQifDate('2024-01-02')).toEqual({ date: '2024-01-02', windowed: false });
    expect(expandQifDate('1/2/024')).toEqual({ date: '1/2/024', windowed: false });
  });
});
