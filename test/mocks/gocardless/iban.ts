// Builds IBANs with correct ISO 13616 check digits, so clients that validate
// account numbers accept the mock's data.
import { between } from './random.js';

function mod97(digits: string): number {
  let rest = 0;
  for (let i = 0; i < digits.length; i += 7) rest = Number(`${rest}${digits.slice(i, i + 7)}`) % 97;
  return rest;
}

function lettersToDigits(text: string): string {
  return text.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
}

export function ibanFromBban(country: string, bban: string): string {
  const check = 98 - mod97(lettersToDigits(`${bban}${country}00`));
  return `${country}${String(check).padStart(2, '0')}${bban}`;
}

export function isValidIban(iban: string): boolean {
  return mod97(lettersToDigits(`${iban.slice(4)}${iban.slice(0, 4)}`)) === 1;
}

function digits(rand: () => number, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += String(between(rand, 0, 9));
  return out;
}

// Digits after the bank code; other countries fill up to a 14-character BBAN (FI, GL).
const ACCOUNT_DIGITS: Record<string, number> = { DE: 10, NL: 10, GB: 8 };

/** Country-shaped BBAN: bank code + random account digits (+ national check for BE). */
export function makeBban(rand: () => number, country: string, bankCode: string): string {
  if (country === 'BE') {
    const base = `${bankCode}${digits(rand, 7)}`;
    const check = Number(base) % 97 || 97;
    return `${base}${String(check).padStart(2, '0')}`;
  }
  return `${bankCode}${digits(rand, ACCOUNT_DIGITS[country] ?? 14 - bankCode.length)}`;
}
