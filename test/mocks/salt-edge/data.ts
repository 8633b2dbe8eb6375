// The fake banks of country XF and their generated history: deterministic from the day number,
// so the truth a test compares with is a pure function of the mock clock.
export interface MockProvider {
  code: string;
  name: string;
  interactive: boolean;
  accounts: { suffix: string; name: string; nature: string; currency: string; iban?: string }[];
}

export const PROVIDERS: MockProvider[] = [
  {
    code: 'fakebank_simple_xf',
    name: 'Fake Bank Simple',
    interactive: false,
    accounts: [
      { suffix: 'eur', name: 'Fake checking', nature: 'account', currency: 'EUR', iban: 'XF00 0000 0000 0001' },
      { suffix: 'bhd', name: 'Fake savings (BHD)', nature: 'savings', currency: 'BHD' },
    ],
  },
  {
    code: 'fakebank_interactive_xf',
    name: 'Fake Bank Interactive',
    interactive: true,
    accounts: [{ suffix: 'jpy', name: 'Fake card (JPY)', nature: 'credit_card', currency: 'JPY' }],
  },
];

/** The OTP fakebank_interactive_xf asks for at every refresh. */
export const FAKE_OTP = '123456';

/** Amounts as the JSON text Salt Edge writes them (the bank's decimals); 0.1 and 0.2 on purpose. */
const AMOUNTS: Record<string, string[]> = {
  EUR: ['-12.3', '0.1', '0.2', '-45.67', '1500', '-0.99', '-100.05'],
  BHD: ['-1.234', '0.5', '12.005', '-0.001', '250'],
  JPY: ['-1200', '-85', '30000', '-1', '-999'],
};
const PAYEES = ['Grocer', 'Café', 'Rail', 'Employer', 'Bookshop', 'Pharmacy'];

export interface MockLine {
  id: string;
  account: string;
  made_on: string;
  /** The JSON number text, written raw into the answer. */
  amount: string;
  currency: string;
  description: string;
  payee: string;
}

const DAY_MS = 86_400_000;
export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Lines of one account on one day (0–2 a day, by a fixed pattern). */
export function linesOn(accountId: string, currency: string, day: number, salt: number): MockLine[] {
  const n = (day * 7 + salt) % 3;
  const out: MockLine[] = [];
  for (let i = 0; i < n; i++) {
    const list = AMOUNTS[currency]!;
    const amount = list[(day + i * 3 + salt) % list.length]!;
    out.push({
      id: `${accountId}-${day}-${i}`,
      account: accountId,
      made_on: isoDay(day * DAY_MS),
      amount,
      currency,
      description: `${PAYEES[(day + i) % PAYEES.length]} ${day}/${i}`,
      payee: PAYEES[(day + i) % PAYEES.length]!,
    });
  }
  return out;
}

export const dayNumber = (d: Date) => Math.floor(d.getTime() / DAY_MS);
