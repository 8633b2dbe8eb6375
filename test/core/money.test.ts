import { describe, expect, it } from 'vitest';
import { formatMinor, parseDecimalToMinor } from '../../src/core/money.js';

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
});
