import { createHash } from 'node:crypto';
import type { AccountKind, Aspsp, SandboxUser } from './aspsps.js';
import { digest } from './util.js';

/** A bank account as the bank knows it; the same object backs every session that shares it. */
export interface BankAccount {
  aspsp: Aspsp;
  user: SandboxUser;
  kind: AccountKind;
  currency: string;
  iban?: string;
  maskedPan?: string;
  /** Stable across sessions (facts §5.5): derived from the account number only. */
  identificationHash: string;
  identificationHashes: string[];
}

const BBAN_DIGITS: Record<string, number> = { FI: 14, SE: 20, DE: 18 };

/** ISO 13616 check digits, so generated IBANs pass real validators. */
export function iban(country: string, bban: string): string {
  const numeric = `${bban}${country}00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  const check = 98n - (BigInt(numeric) % 97n);
  return `${country}${check.toString().padStart(2, '0')}${bban}`;
}

export function digits(seed: string, n: number): string {
  return BigInt(`0x${digest(seed)}`)
    .toString()
    .slice(0, n)
    .padStart(n, '0');
}

/** Enable-Banking-style hash: base64 of the fields used, a dot, base64 SHA-256 of their values. */
function idHash(fields: string[][], values: string[]): string {
  const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
  return `${b64(JSON.stringify(fields))}.${b64(createHash('sha256').update(values.join('\n')).digest())}`;
}

export function bankAccounts(aspsp: Aspsp, user: SandboxUser): BankAccount[] {
  return aspsp.accounts.map((kind) => {
    const seed = `${aspsp.country}|${aspsp.name}|${user.username}|${kind}`;
    if (kind === 'card') {
      const pan = `492156${digits(seed, 10)}`;
      const maskedPan = `${pan.slice(0, 6)}******${pan.slice(-4)}`;
      const primary = idHash(
        [['aspsp_name'], ['aspsp_country'], ['account', 'account_id', 'other', 'scheme_name'], ['account', 'account_id', 'other', 'identification']],
        [aspsp.name, aspsp.country, 'CPAN', maskedPan],
      );
      return { aspsp, user, kind, currency: aspsp.currency, maskedPan, identificationHash: primary, identificationHashes: [primary] };
    }
    const accountIban = iban(aspsp.country, digits(seed, BBAN_DIGITS[aspsp.country] ?? 14));
    const primary = idHash([['account', 'account_id', 'iban']], [accountIban]);
    const scoped = idHash([['aspsp_name'], ['aspsp_country'], ['account', 'account_id', 'iban']], [aspsp.name, aspsp.country, accountIban]);
    return { aspsp, user, kind, currency: aspsp.currency, iban: accountIban, identificationHash: primary, identificationHashes: [primary, scoped] };
  });
}

const PRODUCT: Record<AccountKind, { cash_account_type: string; product: string; details: string }> = {
  current: { cash_account_type: 'CACC', product: 'Current account', details: 'Everyday account' },
  savings: { cash_account_type: 'SVGS', product: 'Savings account', details: 'Rainy day fund' },
  card: { cash_account_type: 'CARD', product: 'Visa Credit', details: 'Credit card' },
};

/** AccountResource as returned by POST /sessions and GET /accounts/{uid}/details. */
export function accountResource(account: BankAccount, uid: string) {
  const { cash_account_type, product, details } = PRODUCT[account.kind];
  const accountId = account.iban ? { iban: account.iban } : { other: { identification: account.maskedPan!, scheme_name: 'CPAN' } };
  return {
    account_id: accountId,
    all_account_ids: [account.iban ? { identification: account.iban, scheme_name: 'IBAN' } : accountId.other],
    account_servicer: { bic_fi: account.aspsp.bic, name: account.aspsp.name },
    name: account.user.holder,
    details,
    usage: 'PRIV',
    cash_account_type,
    product,
    currency: account.currency,
    psu_status: 'Account Holder',
    ...(account.kind === 'card' ? { credit_limit: { currency: account.currency, amount: '3000.00' } } : {}),
    uid,
    identification_hash: account.identificationHash,
    identification_hashes: account.identificationHashes,
  };
}
