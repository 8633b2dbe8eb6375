/**
 * Sandbox ASPSP catalogue (facts §5.4, §5.12). ASPSPs are identified by (name, country); each
 * lists sandbox users the consent page shows pre-filled. Names and credentials are invented.
 */
export type AccountKind = 'current' | 'savings' | 'card';

export interface SandboxUser {
  username: string;
  password: string;
  otp: string;
  /** Account holder name shown on accounts. */
  holder: string;
}

export interface Aspsp {
  name: string;
  country: string;
  bic: string;
  currency: string;
  psuTypes: ('personal' | 'business')[];
  maximumConsentValidity: number;
  beta: boolean;
  requiredPsuHeaders: string[];
  users: SandboxUser[];
  /** Accounts every sandbox user of this ASPSP holds. */
  accounts: AccountKind[];
}

const DAY = 86_400;

export const ASPSPS: Aspsp[] = [
  {
    name: 'Mock ASPSP',
    country: 'FI',
    bic: 'MOCKFIHH',
    currency: 'EUR',
    psuTypes: ['personal', 'business'],
    maximumConsentValidity: 180 * DAY,
    beta: false,
    requiredPsuHeaders: ['Psu-Ip-Address', 'Psu-User-Agent'],
    users: [
      { username: 'mockuser', password: 'mockpass', otp: '123456', holder: 'Maija Mallikas' },
      { username: 'mockuser2', password: 'mockpass2', otp: '654321', holder: 'Matti Meikäläinen' },
    ],
    accounts: ['current', 'savings', 'card'],
  },
  {
    name: 'Nordea',
    country: 'FI',
    bic: 'NDEAFIHH',
    currency: 'EUR',
    psuTypes: ['personal', 'business'],
    maximumConsentValidity: 180 * DAY,
    beta: false,
    requiredPsuHeaders: ['Psu-Ip-Address'],
    users: [{ username: 'nordea-user', password: 'nordea-pass', otp: '111111', holder: 'Aino Virtanen' }],
    accounts: ['current', 'card'],
  },
  {
    name: 'S-Pankki',
    country: 'FI',
    bic: 'SBANFIHH',
    currency: 'EUR',
    psuTypes: ['personal'],
    maximumConsentValidity: 90 * DAY,
    beta: true,
    requiredPsuHeaders: [],
    users: [{ username: 's-user', password: 's-pass', otp: '222222', holder: 'Eero Korhonen' }],
    accounts: ['current'],
  },
  {
    name: 'Swedbank',
    country: 'SE',
    bic: 'SWEDSESS',
    currency: 'SEK',
    psuTypes: ['personal', 'business'],
    maximumConsentValidity: 180 * DAY,
    beta: false,
    requiredPsuHeaders: ['Psu-Ip-Address', 'Psu-User-Agent'],
    users: [{ username: 'swed-user', password: 'swed-pass', otp: '333333', holder: 'Sven Svensson' }],
    accounts: ['current', 'savings'],
  },
  {
    name: 'Deutsche Bank',
    country: 'DE',
    bic: 'DEUTDEFF',
    currency: 'EUR',
    psuTypes: ['personal'],
    maximumConsentValidity: 90 * DAY,
    beta: false,
    requiredPsuHeaders: ['Psu-Ip-Address'],
    users: [{ username: 'db-user', password: 'db-pass', otp: '444444', holder: 'Erika Mustermann' }],
    accounts: ['current', 'card'],
  },
];

export function findAspsp(name: unknown, country: unknown): Aspsp | undefined {
  return ASPSPS.find((a) => a.name === name && a.country === country);
}

/** GET /aspsps entry (ASPSPData). */
export function aspspData(a: Aspsp) {
  return {
    name: a.name,
    country: a.country,
    logo: `https://enablebanking.com/brands/${a.country}/${encodeURIComponent(a.name)}/`,
    bic: a.bic,
    psu_types: a.psuTypes,
    auth_methods: a.psuTypes.map((psu_type) => ({
      name: `${psu_type}-redirect`,
      title: 'Online banking',
      psu_type,
      approach: 'REDIRECT',
      credentials: [],
      hidden_method: false,
    })),
    maximum_consent_validity: a.maximumConsentValidity,
    beta: a.beta,
    required_psu_headers: a.requiredPsuHeaders,
    sandbox: { users: a.users.map(({ username, password, otp }) => ({ username, password, otp })) },
  };
}
