// Fixture data shaped like Ponto's (facts §1.4–1.6): institutions, one organization's bank
// accounts, ~200 booked + 2 pending transactions per account, all dated relative to `now`.
import { createHash } from 'node:crypto';
import { createRng, type Rng } from './rng.js';

const DAY_MS = 86_400_000;

export interface InstitutionAttributes {
  name: string;
  bic: string | null;
  country: string | null;
  status: 'experimental' | 'beta' | 'stable';
  deprecated: boolean;
  maintenanceType: 'internal' | 'financialInstitution' | null;
  maintenanceFrom: string | null;
  maintenanceTo: string | null;
  logoUrl: string;
  primaryColor: string;
  secondaryColor: string;
  sharedBrandName: string | null;
  sharedBrandReference: string | null;
  timeZone: string;
  paymentsEnabled: boolean;
  paymentsProductTypes: string[];
  bulkPaymentsEnabled: boolean;
  periodicPaymentsEnabled: boolean;
  futureDatedPaymentsAllowed: boolean;
}

export interface Institution {
  id: string;
  attributes: InstitutionAttributes;
}

export interface TransactionAttributes {
  amount: number;
  currency: string;
  valueDate: string;
  executionDate: string;
  description: string;
  remittanceInformation: string | null;
  remittanceInformationType: 'structured' | 'unstructured' | null;
  counterpartName: string | null;
  counterpartReference: string | null;
  bankTransactionCode: string | null;
  proprietaryBankTransactionCode: string | null;
  purposeCode: string | null;
  endToEndId: string | null;
  mandateId: string | null;
  creditorId: string | null;
  additionalInformation: string | null;
  cardReference: string | null;
  cardReferenceType: 'PAN' | 'MASKEDPAN' | null;
  fee: number | null;
  internalReference: string | null;
  digest: string;
  createdAt: string;
  updatedAt: string;
}

export interface Transaction {
  id: string;
  /** Creation order; breaks ties between same-day lines so "newest first" is total. */
  seq: number;
  cents: number;
  attributes: TransactionAttributes;
}

/** What the bank itself says about a line; `digest` is a hash of exactly this. */
type BankLine = Omit<TransactionAttributes, 'digest' | 'createdAt' | 'updatedAt'>;

export interface Account {
  id: string;
  institutionId: string;
  reference: string;
  subtype: 'checking' | 'savings';
  description: string;
  product: string;
  holderName: string;
  currency: string;
  internalReference: string;
  openingCents: number;
  /** Balance as of the last `accountDetails` synchronization. */
  balance: { cents: number; referenceDate: string; changedAt: string };
  authorizedAt: Date | null;
  authorizationExpiresAt: Date | null;
  /** Last successful synchronization, and the latest one whatever its outcome (account `meta`). */
  synchronizedAt: string | null;
  latestSynchronizationId: string | null;
  /** Visible in the API (provider-side store), oldest first. */
  booked: Transaction[];
  /** Known to the bank but not yet fetched by a synchronization. */
  queued: Transaction[];
  pending: Transaction[];
}

const iso = (ms: number): string => new Date(ms).toISOString();
const utcMidnight = (d: Date): number => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());

/** ISO 13616 check digits over a BBAN. */
function iban(country: string, bban: string): string {
  const digits = (bban + country + '00').replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rem = 0;
  for (const ch of digits) rem = (rem * 10 + Number(ch)) % 97;
  return country + String(98 - rem).padStart(2, '0') + bban;
}

/** Belgian BBAN: 10 digits + (those digits mod 97, 97 when 0). */
function belgianIban(rng: Rng): string {
  const base = String(rng.int(100, 999)) + String(rng.int(0, 9_999_999)).padStart(7, '0');
  const check = Number(BigInt(base) % 97n) || 97;
  return iban('BE', base + String(check).padStart(2, '0'));
}

/** Belgian structured communication (OGM/VCS) with a valid mod-97 check. */
function structuredReference(rng: Rng): string {
  const base = String(rng.int(0, 9_999_999_999)).padStart(10, '0');
  const check = Number(BigInt(base) % 97n) || 97;
  const all = base + String(check).padStart(2, '0');
  return `+++${all.slice(0, 3)}/${all.slice(3, 7)}/${all.slice(7)}+++`;
}

function institution(rng: Rng, { name, ...a }: Partial<InstitutionAttributes> & Pick<InstitutionAttributes, 'name'>): Institution {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return {
    id: rng.uuid(),
    attributes: {
      name,
      bic: null,
      country: 'BE',
      status: 'stable',
      deprecated: false,
      maintenanceType: null,
      maintenanceFrom: null,
      maintenanceTo: null,
      logoUrl: `https://static.myponto.com/logos/${slug}.png`,
      primaryColor: '#1a73e8',
      secondaryColor: '#ffffff',
      sharedBrandName: null,
      sharedBrandReference: null,
      timeZone: 'Europe/Brussels',
      paymentsEnabled: true,
      paymentsProductTypes: ['sepa-credit-transfer'],
      bulkPaymentsEnabled: false,
      periodicPaymentsEnabled: false,
      futureDatedPaymentsAllowed: true,
      ...a,
    },
  };
}

/** Sandbox institutions first (the ones that hold accounts), then a few real Belgian names. */
export function buildInstitutions(now: Date): Institution[] {
  const rng = createRng(1);
  const start = utcMidnight(now) + 2 * DAY_MS;
  return [
    institution(rng, { name: 'Sandbox Bank BE', bic: 'SNDBBEB1' }),
    institution(rng, { name: 'Sandbox Bank NL', bic: 'SNDBNL2A', country: 'NL', status: 'beta', timeZone: 'Europe/Amsterdam' }),
    institution(rng, {
      name: 'Sandbox Bank FR',
      bic: 'SNDBFRPP',
      country: 'FR',
      status: 'experimental',
      timeZone: 'Europe/Paris',
      // a scheduled maintenance window, so clients can show it
      maintenanceType: 'financialInstitution',
      maintenanceFrom: iso(start),
      maintenanceTo: iso(start + 4 * 3_600_000),
    }),
    institution(rng, { name: 'KBC', bic: 'KREDBEBB', sharedBrandName: 'KBC', sharedBrandReference: 'kbc' }),
    institution(rng, { name: 'KBC Brussels', bic: 'KREDBEBB', sharedBrandName: 'KBC', sharedBrandReference: 'kbc' }),
    institution(rng, { name: 'BNP Paribas Fortis', bic: 'GEBABEBB', bulkPaymentsEnabled: true }),
    institution(rng, { name: 'ING Belgium', bic: 'BBRUBEBB', bulkPaymentsEnabled: true }),
    institution(rng, { name: 'Belfius', bic: 'GKCCBEBB' }),
    institution(rng, { name: 'Argenta', bic: 'ARSPBE22', status: 'beta' }),
    institution(rng, { name: 'Crelan', bic: 'NICABEBB', status: 'beta' }),
    institution(rng, { name: 'Beobank', bic: 'CTBKBEBX', deprecated: true, paymentsEnabled: false, paymentsProductTypes: [] }),
    institution(rng, { name: 'Wise', bic: 'TRWIBEB1', country: null, status: 'experimental', paymentsEnabled: false, paymentsProductTypes: [] }),
  ];
}

const SHOPS = [
  ['DELHAIZE', 'BRUSSEL'],
  ['COLRUYT', 'HALLE'],
  ['CARREFOUR MARKET', 'GENT'],
  ['ALDI', 'LEUVEN'],
  ['SHELL', 'MECHELEN'],
  ['PHARMACIE CENTRALE', 'NAMUR'],
  ['BOL.COM', 'UTRECHT'],
  ['EXKI', 'ANTWERPEN'],
] as const;

function digestOf(line: BankLine): string {
  return createHash('sha256').update(JSON.stringify(line)).digest('hex');
}

function cardLine(_rng: Rng, execMs: number, currency: string, shop: readonly [string, string], cents: number, card: string): BankLine {
  return {
    amount: cents / 100,
    currency,
    valueDate: iso(execMs - DAY_MS),
    executionDate: iso(execMs),
    description: `Card payment ${shop[0]} ${shop[1]}`,
    remittanceInformation: `${shop[0]} ${shop[1]}`,
    remittanceInformationType: 'unstructured',
    counterpartName: shop[0],
    counterpartReference: null,
    bankTransactionCode: 'PMNT-CCRD-POSD',
    proprietaryBankTransactionCode: null,
    purposeCode: null,
    endToEndId: null,
    mandateId: null,
    creditorId: null,
    additionalInformation: null,
    cardReference: card,
    cardReferenceType: 'MASKEDPAN',
    fee: null,
    internalReference: null,
  };
}

function transferLine(
  execMs: number,
  currency: string,
  cents: number,
  t: {
    name: string;
    reference: string;
    remittance: string;
    structured?: boolean;
    code: string;
    purposeCode?: string;
    endToEndId?: string;
    mandateId?: string;
    creditorId?: string;
  },
): BankLine {
  return {
    amount: cents / 100,
    currency,
    valueDate: iso(execMs),
    executionDate: iso(execMs),
    description: cents > 0 ? `SEPA credit transfer from ${t.name}` : `SEPA ${t.mandateId ? 'direct debit' : 'credit transfer'} to ${t.name}`,
    remittanceInformation: t.remittance,
    remittanceInformationType: t.structured ? 'structured' : 'unstructured',
    counterpartName: t.name,
    counterpartReference: t.reference,
    bankTransactionCode: t.code,
    proprietaryBankTransactionCode: null,
    purposeCode: t.purposeCode ?? null,
    endToEndId: t.endToEndId ?? null,
    mandateId: t.mandateId ?? null,
    creditorId: t.creditorId ?? null,
    additionalInformation: null,
    cardReference: null,
    cardReferenceType: null,
    fee: null,
    internalReference: null,
  };
}

/** One bank line for a given booking day; the kind follows the day of the month like a real budget. */
function lineFor(rng: Rng, execMs: number, currency: string, card: string): BankLine {
  const d = new Date(execMs);
  const dom = d.getUTCDate();
  const month = d.toISOString().slice(0, 7);
  if (dom === 25) {
    return transferLine(execMs, currency, 285_000, {
      name: 'Mock Employer NV',
      reference: 'BE71096123456769',
      remittance: `Salary ${month}`,
      code: 'PMNT-RCDT-ESCT',
      purposeCode: 'SALA',
      endToEndId: `SAL-${month}`,
    });
  }
  if (dom === 1) {
    return transferLine(execMs, currency, -95_000, {
      name: 'Immo Mock BV',
      reference: 'BE68539007547034',
      remittance: `Rent ${month}`,
      code: 'PMNT-ICDT-STDO',
    });
  }
  if (dom === 5) {
    return transferLine(execMs, currency, -5_599, {
      name: 'Proximus',
      reference: 'BE03310063090184',
      remittance: `Invoice ${month}`,
      code: 'PMNT-IDDT-ESDD',
      mandateId: 'PXM-0042-7781',
      creditorId: 'BE69ZZZ0202239201',
    });
  }
  if (dom === 12) {
    return transferLine(execMs, currency, -rng.int(4_000, 14_000), {
      name: 'Engie Electrabel',
      reference: 'BE46000325448336',
      remittance: structuredReference(rng),
      structured: true,
      code: 'PMNT-ICDT-ESCT',
      endToEndId: `ENG-${month}`,
    });
  }
  return cardLine(rng, execMs, currency, rng.pick(SHOPS), -rng.int(250, 12_000), card);
}

/** Turns a bank line into the stored resource; Ponto stamps createdAt when it first fetched it. */
export function storeLine(rng: Rng, seq: number, line: BankLine, fetchedAt: string): Transaction {
  const cents = Math.round(line.amount * 100);
  return { id: rng.uuid(), seq, cents, attributes: { ...line, digest: digestOf(line), createdAt: fetchedAt, updatedAt: fetchedAt } };
}

/** A new bank-side line booked today (mock clock) for `control.addTransactions`. */
export function newBankLine(rng: Rng, account: Account, now: Date): BankLine {
  return cardLine(rng, utcMidnight(now), account.currency, rng.pick(SHOPS), -rng.int(250, 12_000), `XXXX XXXX XXXX ${account.reference.slice(-4)}`);
}

interface AccountSeed {
  institution: number;
  subtype: Account['subtype'];
  description: string;
  product: string;
  openingCents: number;
  nl?: boolean;
}

const ACCOUNT_SEEDS: AccountSeed[] = [
  { institution: 0, subtype: 'checking', description: 'Business current account', product: 'Business Account', openingCents: 400_000 },
  { institution: 0, subtype: 'savings', description: 'Savings account', product: 'Business Savings', openingCents: 1_500_000 },
  { institution: 1, subtype: 'checking', description: 'Zakelijke rekening', product: 'Zakelijk Betalen', openingCents: 250_000, nl: true },
];

export const ORGANIZATION = { id: 'a0f2b6c4-6d1e-4c3a-9b7e-5d2f8e1a9c30', name: 'Mock Organization BV' };

/** 200 booked lines over 200 days (one duplicate pair sharing a digest) and 2 pending, per account. */
export function buildAccounts(now: Date, institutions: Institution[]): Account[] {
  const today = utcMidnight(now);
  let seq = 0;
  return ACCOUNT_SEEDS.map((seed, index) => {
    const rng = createRng(100 + index);
    const id = rng.uuid();
    const reference = seed.nl ? iban('NL', 'SNDB' + String(rng.int(0, 9_999_999_999)).padStart(10, '0')) : belgianIban(rng);
    const card = `XXXX XXXX XXXX ${reference.slice(-4)}`;
    const booked: Transaction[] = [];
    for (let day = 199; day >= 1; day--) {
      const execMs = today - day * DAY_MS;
      const fetched = iso(execMs + 6 * 3_600_000);
      if (day === 17) {
        // Two identical coffees on one day: same bank payload, so the same digest (facts §1.6).
        const coffee = cardLine(rng, execMs, 'EUR', ['MOCK COFFEE BAR', 'BRUSSEL'], -320, card);
        booked.push(storeLine(rng, seq++, coffee, fetched), storeLine(rng, seq++, coffee, fetched));
      } else {
        booked.push(storeLine(rng, seq++, lineFor(rng, execMs, 'EUR', card), fetched));
      }
    }
    const pending = [1, 0].map((day) => storeLine(rng, seq++, cardLine(rng, today - day * DAY_MS, 'EUR', rng.pick(SHOPS), -rng.int(250, 9_000), card), iso(now.getTime())));
    const cents = seed.openingCents + booked.reduce((sum, t) => sum + t.cents, 0);
    const institution = institutions[seed.institution];
    if (!institution) throw new Error('fixture institution missing');
    return {
      id,
      institutionId: institution.id,
      reference,
      subtype: seed.subtype,
      description: seed.description,
      product: seed.product,
      holderName: ORGANIZATION.name,
      currency: 'EUR',
      internalReference: `${seed.subtype}-${index + 1}`,
      openingCents: seed.openingCents,
      balance: { cents, referenceDate: iso(now.getTime()), changedAt: iso(today - DAY_MS) },
      authorizedAt: null,
      authorizationExpiresAt: null,
      synchronizedAt: null,
      latestSynchronizationId: null,
      booked,
      queued: [],
      pending,
    };
  });
}
