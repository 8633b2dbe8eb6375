import { describe, expect, it } from 'vitest';
import { SANDBOX_ACCOUNTS } from '../../src/providers/sandbox/catalog.js';
import { ibanValid } from '../../src/import/iban.js';

describe('the sandbox bank', () => {
  // Its statements exported and imported again must read as the same accounts, without the
  // import's "fails its check digits" warning: every IBAN it hands out is a valid one.
  it('hands out IBANs with valid check digits (account numbers elsewhere)', () => {
    const ibans = SANDBOX_ACCOUNTS.filter((a) => /^[A-Z]{2}\d{2}/.test(a.iban) && !a.iban.startsWith('US') && !a.iban.startsWith('JP'));
    expect(ibans.length).toBeGreaterThanOrEqual(4);
    for (const a of ibans) expect(ibanValid(a.iban), a.iban).toBe(true);
  });
});
