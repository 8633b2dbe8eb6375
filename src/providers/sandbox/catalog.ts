import type { AccountKind } from '../../domain/model.js';
import type { Institution } from '../types.js';

/** A sandbox account template. `opensAfterDays` models an account authorized later (M6). */
export interface SandboxAccountSpec {
  key: string;
  institutionId: string;
  name: string;
  iban: string;
  currency: string;
  kind: AccountKind;
  openingMinor: number;
  opensAfterDays?: number;
}

const inst = (i: Partial<Institution> & Pick<Institution, 'id' | 'name' | 'country'>): Institution => ({
  providerId: 'sandbox',
  beta: false,
  scaEveryFetch: false,
  stableTransactionIds: true,
  ...i,
});

/** Each institution exercises one rule of the sync engine; README.md lists them. */
export const SANDBOX_INSTITUTIONS: readonly Institution[] = [
  inst({ id: 'sandbox-bank', name: 'Sandbox Bank', country: 'NL', consentDays: 180 }),
  inst({ id: 'sandbox-beta', name: 'Sandbox Beta Bank', country: 'US', beta: true, consentDays: 180 }),
  inst({ id: 'sandbox-sca', name: 'Sandbox SCA Bank', country: 'DE', scaEveryFetch: true, consentDays: 180 }),
  inst({ id: 'sandbox-daily', name: 'Sandbox Once-a-Day Bank', country: 'BE', refreshesPerDay: 1, consentDays: 90 }),
  inst({ id: 'sandbox-short', name: 'Sandbox Short-History Bank', country: 'FR', historyDays: 90, consentDays: 90 }),
  inst({ id: 'sandbox-expiring', name: 'Sandbox Expiring Bank', country: 'FI', consentDays: 10 }),
  inst({ id: 'sandbox-lapsed', name: 'Sandbox Lapsed Bank', country: 'ES', consentDays: 180 }),
  inst({ id: 'sandbox-yen', name: 'Sandbox Tokyo Bank', country: 'JP', stableTransactionIds: false }),
  inst({ id: 'sandbox-partner', name: 'Sandbox Partner Bank', country: 'NL', consentDays: 180 }),
];

/** Sandbox Lapsed Bank hands out consent that has already expired; renewing it gives 180 days. */
export const LAPSED_INSTITUTION = 'sandbox-lapsed';

/**
 * Consent at Sandbox Partner Bank authorizes only accounts held at Sandbox Bank, so connect
 * must say "no account of Sandbox Partner Bank was authorized" (M3).
 */
export const CONSENT_GRANTS: Readonly<Record<string, readonly string[]>> = {
  'sandbox-bank': ['sandbox-bank', 'sandbox-beta'],
  'sandbox-partner': ['sandbox-bank'],
};

export const SANDBOX_ACCOUNTS: readonly SandboxAccountSpec[] = [
  { key: 'nl-checking', institutionId: 'sandbox-bank', name: 'Checking', iban: 'NL66SBOX0417164300', currency: 'EUR', kind: 'checking', openingMinor: 250_000 },
  { key: 'nl-savings', institutionId: 'sandbox-bank', name: 'Savings', iban: 'NL74SBOX0123456789', currency: 'EUR', kind: 'savings', openingMinor: 1_000_000 },
  { key: 'nl-card', institutionId: 'sandbox-bank', name: 'Credit Card', iban: 'NL08SBOX0000000451', currency: 'EUR', kind: 'credit_card', openingMinor: -45_000 },
  { key: 'nl-goals', institutionId: 'sandbox-bank', name: 'Savings Goals', iban: 'NL26SBOX0987654321', currency: 'EUR', kind: 'savings', openingMinor: 50_000, opensAfterDays: 2 },
  { key: 'us-checking', institutionId: 'sandbox-beta', name: 'Everyday Checking', iban: 'US00SBOX0000012345', currency: 'USD', kind: 'checking', openingMinor: 420_000 },
  { key: 'de-giro', institutionId: 'sandbox-sca', name: 'Girokonto', iban: 'DE89370400440532013000', currency: 'EUR', kind: 'checking', openingMinor: 180_000 },
  { key: 'be-zicht', institutionId: 'sandbox-daily', name: 'Zichtrekening', iban: 'BE68539007547034', currency: 'EUR', kind: 'checking', openingMinor: 90_000 },
  { key: 'fr-courant', institutionId: 'sandbox-short', name: 'Compte courant', iban: 'FR1420041010050500013M02606', currency: 'EUR', kind: 'checking', openingMinor: 130_000 },
  { key: 'fi-kaytto', institutionId: 'sandbox-expiring', name: 'Käyttötili', iban: 'FI2112345600000785', currency: 'EUR', kind: 'checking', openingMinor: 75_000 },
  { key: 'es-corriente', institutionId: 'sandbox-lapsed', name: 'Cuenta corriente', iban: 'ES9121000418450200051332', currency: 'EUR', kind: 'checking', openingMinor: 60_000 },
  { key: 'jp-futsu', institutionId: 'sandbox-yen', name: 'Futsu Yokin', iban: 'JP00SBOX1234567', currency: 'JPY', kind: 'checking', openingMinor: 350_000 },
];

/**
 * Money the sandbox's own accounts move between themselves, so both legs exist (M: transfers): the
 * paying account books the debit, the receiving one the credit, each naming the other's IBAN like
 * real banks do. Checking saves into both savings accounts on the same day with the same amount:
 * only the IBANs tell the two transfers apart.
 */
export interface SandboxOwnTransfer {
  from: string;
  to: string;
  dayOfMonth: number;
  whole: number;
  /** The paying side's text; the receiving side keeps the text it always had. */
  payee: string;
  memo: string;
}

export const SANDBOX_OWN_TRANSFERS: readonly SandboxOwnTransfer[] = [
  { from: 'nl-checking', to: 'nl-savings', dayOfMonth: 2, whole: 200, payee: 'Own transfer', memo: 'To savings' },
  { from: 'nl-checking', to: 'nl-goals', dayOfMonth: 2, whole: 200, payee: 'Own transfer', memo: 'To savings goals' },
  { from: 'nl-checking', to: 'nl-card', dayOfMonth: 20, whole: 500, payee: 'Credit card repayment', memo: 'Sandbox Bank card' },
];

/** First day of sandbox data: every account was opened then. */
export const SANDBOX_EPOCH = '2024-01-01';
/** The sandbox serves two years of history unless the institution says less. */
export const SANDBOX_HISTORY_DAYS = 730;
/** The one SCA code Sandbox SCA Bank accepts. */
export const SANDBOX_SCA_CODE = '123456';
