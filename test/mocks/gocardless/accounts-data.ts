// The bank accounts behind each institution: who owns them, their numbers and
// products. Stable per institution (seeded by its id), so re-consenting yields
// the same IBANs under new account UUIDs (facts §2.7).
import { bankProfile, findInstitution, SANDBOX_ID, supports } from './institutions.js';
import { ibanFromBban, makeBban } from './iban.js';
import { between, hexId, pick, prng } from './random.js';

export interface AccountTemplate {
  /** Seed for everything generated for this account. */
  key: string;
  institutionId: string;
  kind: 'current' | 'savings';
  iban: string;
  currency: string;
  ownerName: string;
  name: string;
  product: string;
  cashAccountType: 'CACC' | 'SVGS';
  resourceId: string;
  /** Booked balance at the generator's anchor day, in minor units. */
  openingCents: number;
  /** The owner's other account, counterpart of the monthly savings transfer. */
  siblingIban?: string;
  /** Whether the institution reports pending transactions at all. */
  reportsPending: boolean;
}

const OWNERS = ['Lotte Janssens', 'Pieter De Smet', 'Anna Schmidt', 'Sanne de Vries', 'Mikko Virtanen', 'Olivia Brown'];

function sandboxTemplates(): AccountTemplate[] {
  // IBANs, owner, name, product and resourceId of the real sandbox's first
  // account as seen in public client test suites; the savings account is the mock's.
  const current: AccountTemplate = {
    key: `${SANDBOX_ID}#0`,
    institutionId: SANDBOX_ID,
    kind: 'current',
    iban: 'GL3343697694912188',
    currency: 'EUR',
    ownerName: 'John Doe',
    name: 'Main Account',
    product: 'Checkings',
    cashAccountType: 'CACC',
    resourceId: '01F3NS4YV94RA29YCH8R0F6BMF',
    openingCents: 191_312,
    siblingIban: 'GL0865354374424724',
    reportsPending: true,
  };
  const savings: AccountTemplate = {
    ...current,
    key: `${SANDBOX_ID}#1`,
    kind: 'savings',
    iban: 'GL0865354374424724',
    name: 'Savings Account',
    product: 'Savings',
    cashAccountType: 'SVGS',
    resourceId: '01F3NS5ASCNMVCTEJDT0G215YE',
    openingCents: 500_000,
    siblingIban: current.iban,
  };
  return [current, savings];
}

function generatedTemplates(institutionId: string): AccountTemplate[] {
  const institution = findInstitution(institutionId);
  if (!institution) throw new Error(`unknown institution ${institutionId}`);
  const bank = bankProfile(institutionId);
  const rand = prng(`accounts:${institutionId}`);
  const ownerName = pick(rand, OWNERS);
  const iban = () => ibanFromBban(bank.ibanCountry, makeBban(rand, bank.ibanCountry, bank.bankCode));
  const base = {
    institutionId,
    currency: bank.currency,
    ownerName,
    reportsPending: supports(institution, 'pending_transactions'),
  };
  const current: AccountTemplate = {
    ...base,
    key: `${institutionId}#0`,
    kind: 'current',
    iban: iban(),
    name: `${institution.name} Current Account`,
    product: 'Current account',
    cashAccountType: 'CACC',
    resourceId: hexId(`${institutionId}#0:resource`, 24),
    openingCents: between(rand, 50_000, 400_000),
  };
  if (rand() < 0.4) return [current];
  const savings: AccountTemplate = {
    ...base,
    key: `${institutionId}#1`,
    kind: 'savings',
    iban: iban(),
    name: `${institution.name} Savings Account`,
    product: 'Savings account',
    cashAccountType: 'SVGS',
    resourceId: hexId(`${institutionId}#1:resource`, 24),
    openingCents: between(rand, 100_000, 2_000_000),
    siblingIban: current.iban,
  };
  current.siblingIban = savings.iban;
  return [current, savings];
}

const cache = new Map<string, AccountTemplate[]>();

export function accountTemplates(institutionId: string): AccountTemplate[] {
  let templates = cache.get(institutionId);
  if (!templates) {
    templates = institutionId === SANDBOX_ID ? sandboxTemplates() : generatedTemplates(institutionId);
    cache.set(institutionId, templates);
  }
  return templates;
}
