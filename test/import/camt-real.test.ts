import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBytes } from '../../src/import/parse.js';

const DIR = resolve(__dirname, '../../fixtures/import/camt');

describe('CAMT.053 from real banks', () => {
  it('an IBAN with bad check digits is a warning: the entries import, the number is kept as written but not as an IBAN', () => {
    const r = parseBytes(readFileSync(join(DIR, 'bad-iban-check-digits.xml')), 'bad-iban-check-digits.xml', 'auto', {});
    expect(r.statements).toHaveLength(1);
    expect(r.statements[0]).toMatchObject({ accountId: 'DE89370400440532013001', iban: undefined, currency: 'EUR' });
    expect(r.statements[0]!.lines.map((l) => [l.bookingDate, l.amountMinor])).toEqual([['2024-02-06', -6_420]]);
    expect(r.warnings).toEqual(['Stmt 1: IBAN DE89370400440532013001 fails its check digits; kept as the account number as written']);
  });
});
