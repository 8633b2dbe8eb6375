// Institutions the mock knows. Ids/BICs follow GoCardless's <NAME>_<BIC> pattern
// and are ids seen in public integrations (facts §2.4); day counts are plausible
// values within the documented ranges (90…730 history, 90/180 access).
import { COUNTRY_CHOICES } from './openapi.js';

/** The feature names behind the `<feature>_supported` list filters (facts §2.4). */
export const FEATURES = [
  'access_scopes',
  'account_selection',
  'business_accounts',
  'card_accounts',
  'corporate_accounts',
  'pending_transactions',
  'private_accounts',
  'read_debtor_account',
  'read_refund_account',
  'separate_continuous_history_consent',
  'ssn_verification',
] as const;

export interface Institution {
  id: string;
  name: string;
  bic: string;
  transaction_total_days: string;
  max_access_valid_for_days: string;
  countries: string[];
  logo: string;
  supported_features: string[];
  identification_codes: string[];
}

/** Mock-only facts used to build believable account numbers. */
export interface BankProfile {
  ibanCountry: string;
  bankCode: string;
  currency: string;
}

interface Entry {
  institution: Institution;
  bank: BankProfile;
}

function entry(id: string, name: string, days: { history: number; access: number }, countries: string[], features: string[], bank: BankProfile): Entry {
  const bic = id.slice(id.lastIndexOf('_') + 1);
  return {
    institution: {
      id,
      name,
      bic,
      transaction_total_days: String(days.history),
      max_access_valid_for_days: String(days.access),
      countries,
      logo: `https://cdn-logos.gocardless.com/ais/${id}.png`,
      supported_features: features,
      identification_codes: [],
    },
    bank,
  };
}

const EUR = 'EUR';
const STD = ['account_selection', 'business_accounts', 'card_accounts', 'pending_transactions', 'private_accounts'];
// N26's countries and features are copied from the spec's example.
const N26_COUNTRIES = [
  'GB',
  'NO',
  'SE',
  'FI',
  'DK',
  'EE',
  'LV',
  'LT',
  'NL',
  'CZ',
  'ES',
  'PL',
  'BE',
  'DE',
  'AT',
  'BG',
  'HR',
  'CY',
  'FR',
  'GR',
  'HU',
  'IS',
  'IE',
  'IT',
  'LI',
  'LU',
  'MT',
  'PT',
  'RO',
  'SK',
  'SI',
];

const ENTRIES: Entry[] = [
  // The sandbox is listed for every supported country (and without a country filter)
  // so a CLI user can find it whatever country they pick. The real one reports ["XX"].
  entry('SANDBOXFINANCE_SFIN0000', 'Sandbox Finance', { history: 90, access: 90 }, [...COUNTRY_CHOICES], ['access_scopes', 'account_selection', 'pending_transactions', 'private_accounts'], {
    ibanCountry: 'GL',
    bankCode: '',
    currency: EUR,
  }),
  entry('BELFIUS_GKCCBEBB', 'Belfius', { history: 540, access: 180 }, ['BE'], [...STD, 'separate_continuous_history_consent'], { ibanCountry: 'BE', bankCode: '068', currency: EUR }),
  entry('KBC_KREDBEBB', 'KBC', { history: 730, access: 180 }, ['BE'], [...STD, 'corporate_accounts'], { ibanCountry: 'BE', bankCode: '734', currency: EUR }),
  entry('ING_BBRUBEBB', 'ING', { history: 365, access: 180 }, ['BE'], ['account_selection', 'card_accounts', 'private_accounts'], { ibanCountry: 'BE', bankCode: '310', currency: EUR }),
  entry('BNP_BE_GEBABEBB', 'BNP Paribas Fortis', { history: 730, access: 90 }, ['BE'], STD, { ibanCountry: 'BE', bankCode: '001', currency: EUR }),
  entry('CBC_CREGBEBB', 'CBC', { history: 730, access: 180 }, ['BE'], STD, { ibanCountry: 'BE', bankCode: '742', currency: EUR }),
  entry(
    'N26_NTSBDEB1',
    'N26 Bank',
    { history: 90, access: 180 },
    N26_COUNTRIES,
    ['account_selection', 'business_accounts', 'card_accounts', 'private_accounts', 'separate_continuous_history_consent'],
    { ibanCountry: 'DE', bankCode: '10011001', currency: EUR },
  ),
  entry('COMMERZBANK_COBADEFF', 'Commerzbank', { history: 730, access: 180 }, ['DE'], STD, { ibanCountry: 'DE', bankCode: '10040000', currency: EUR }),
  entry('ING_INGDDEFF', 'ING', { history: 730, access: 180 }, ['DE'], ['card_accounts', 'pending_transactions', 'private_accounts'], { ibanCountry: 'DE', bankCode: '50010517', currency: EUR }),
  entry('ING_INGBNL2A', 'ING', { history: 730, access: 180 }, ['NL'], STD, { ibanCountry: 'NL', bankCode: 'INGB', currency: EUR }),
  entry('ABNAMRO_ABNANL2A', 'ABN AMRO', { history: 540, access: 180 }, ['NL'], STD, { ibanCountry: 'NL', bankCode: 'ABNA', currency: EUR }),
  entry('RABOBANK_RABONL2U', 'Rabobank', { history: 730, access: 180 }, ['NL'], [...STD, 'ssn_verification'], { ibanCountry: 'NL', bankCode: 'RABO', currency: EUR }),
  entry('NORDEA_NDEAFIHH', 'Nordea', { history: 730, access: 180 }, ['FI'], [...STD, 'access_scopes'], { ibanCountry: 'FI', bankCode: '1', currency: EUR }),
  entry('S_PANKKI_SBANFIHH', 'S-Pankki', { history: 730, access: 90 }, ['FI'], ['pending_transactions', 'private_accounts'], { ibanCountry: 'FI', bankCode: '39', currency: EUR }),
  entry('REVOLUT_REVOGB21', 'Revolut', { history: 730, access: 90 }, ['GB'], STD, { ibanCountry: 'GB', bankCode: 'REVO040075', currency: 'GBP' }),
  entry('MONZO_MONZGB2L', 'Monzo', { history: 730, access: 90 }, ['GB'], STD, { ibanCountry: 'GB', bankCode: 'MONZ040004', currency: 'GBP' }),
  entry('NATIONWIDE_NAIAGB21', 'Nationwide', { history: 730, access: 90 }, ['GB'], ['private_accounts'], { ibanCountry: 'GB', bankCode: 'NAIA070040', currency: 'GBP' }),
];

const BY_ID = new Map(ENTRIES.map((e) => [e.institution.id, e]));

export const SANDBOX_ID = 'SANDBOXFINANCE_SFIN0000';

export function allInstitutions(): Institution[] {
  return ENTRIES.map((e) => e.institution);
}

export function findInstitution(id: string): Institution | undefined {
  return BY_ID.get(id)?.institution;
}

export function bankProfile(id: string): BankProfile {
  const found = BY_ID.get(id);
  if (!found) throw new Error(`no bank profile for ${id}`);
  return found.bank;
}

export function supports(institution: Institution, feature: string): boolean {
  return institution.supported_features.includes(feature);
}
