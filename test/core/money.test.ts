import { describe, expect, it } from 'vitest';
import { currencyDigits, formatMinor, parseDecimalToMinor } from '../../src/domain/money.js';

describe('money as integer minor units', () => {
  it.each([
    ['12.30', 'EUR', 1230, '12.30'],
    ['-0.05', 'EUR', -5, '-0.05'],
    ['0', 'EUR', 0, '0.00'],
    ['1500', 'JPY', 1500, '1500'],
    ['-1.234', 'KWD', -1234, '-1.234'],
  ])('%s %s ⇄ %i', (text, cur, minor, formatted) => {
    expect(parseDecimalToMinor(text, cur)).toBe(minor);
    expect(formatMinor(minor, cur)).toBe(formatted);
  });
  it('refuses more decimals than the currency has, and non-numbers', () => {
    expect(() => parseDecimalToMinor('1.5', 'JPY')).toThrow(/decimals/);
    expect(() => parseDecimalToMinor('1,50', 'EUR')).toThrow(/decimal/);
  });
  it('formats by arithmetic exactly as by padding the digits, at every size and for 0, 2 and 3 decimals', () => {
    const byPadding = (minor: number, digits: number) => {
      const abs = String(Math.abs(minor));
      if (digits === 0) return (minor < 0 ? '-' : '') + abs;
      const padded = abs.padStart(digits + 1, '0');
      return `${minor < 0 ? '-' : ''}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
    };
    const samples = [0, 1, 5, 9, 10, 99, 100, 101, 999, 1000, 1001, 123456, 999_999_999_999, 1e12, 1e12 + 1, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER];
    for (let i = 0; i < 2000; i++) samples.push(Math.floor((i * 7919.37) ** 1.7) % 1e13);
    for (const [cur, digits] of [
      ['EUR', 2],
      ['JPY', 0],
      ['KWD', 3],
    ] as const) {
      for (const m of samples) {
        expect(formatMinor(m, cur)).toBe(byPadding(m, digits));
        expect(formatMinor(-m, cur)).toBe(byPadding(-m, digits));
      }
    }
  });
  it("gives ICU's digits for every currency ICU lists (the table that spares building an Intl.NumberFormat), for unlisted codes, and refuses malformed ones", () => {
    const icu = (c: string) => new Intl.NumberFormat('en', { style: 'currency', currency: c }).resolvedOptions().maximumFractionDigits;
    for (const c of [...Intl.supportedValuesOf('currency'), 'XYZ', 'CLF', 'ESP', 'eur', 'jpy']) expect([c, currencyDigits(c)]).toEqual([c, icu(c)]);
    expect(() => currencyDigits('EURO')).toThrow(/unknown currency code "EURO"/);
  });
});
