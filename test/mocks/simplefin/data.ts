import { rng } from '../../helpers/rng.js';

/**
 * The mock Bridge's bank data: two connections at two banks, generated deterministically per
 * (account, day), so the whole truth at any mock instant can be recomputed by tests.
 */

export interface MockConnection {
  conn_id: string;
  name: string;
  org_id: string;
  org_name: string;
  org_url: string;
  sfin_url: string;
  /** v1 org.domain */
  domain: string;
}

export interface MockAccount {
  conn: MockConnection;
  id: string;
  name: string;
  currency: string;
  openingMinor: number;
  profile: 'checking' | 'savings' | 'card';
}

export interface MockLine {
  /** Id of the posted line. */
  id: string;
  /** Id the line carries while pending (a different one: the Bridge links nothing). */
  pendingId: string;
  transactedAt: number;
  posted: number;
  amountMinor: number;
  /** Amount while pending (a restaurant tip changes it when the line posts). */
  pendingAmountMinor: number;
  description: string;
  payee: string;
}

export const CONNECTIONS: MockConnection[] = [
  {
    conn_id: 'CON-4f1c9a0e',
    name: 'Maple Credit Union - Jo',
    org_id: 'ORG-maplecu',
    org_name: 'Maple Credit Union',
    org_url: 'https://maplecu.example',
    sfin_url: 'https://sfin.maplecu.example',
    domain: 'maplecu.example',
  },
  {
    conn_id: 'CON-8b27d3f5',
    name: 'Northern Plains Bank - Jo',
    org_id: 'ORG-npbank',
    org_name: 'Northern Plains Bank',
    org_url: 'https://npbank.example',
    sfin_url: 'https://sfin.npbank.example',
    domain: 'npbank.example',
  },
];

/** Account id "1001" exists at both banks: ids are unique only within their connection. */
export const ACCOUNTS: MockAccount[] = [
  { conn: CONNECTIONS[0]!, id: '1001', name: 'Everyday Checking', currency: 'USD', openingMinor: 184_233, profile: 'checking' },
  { conn: CONNECTIONS[0]!, id: '1002', name: 'High Yield Savings', currency: 'USD', openingMinor: 1_250_000, profile: 'savings' },
  { conn: CONNECTIONS[1]!, id: '1001', name: 'Rewards Visa Card', currency: 'USD', openingMinor: -45_210, profile: 'card' },
];

export const accountKey = (a: MockAccount) => `${a.conn.conn_id}/${a.id}`;

const DAY = 86_400;
const MERCHANTS = ['Corner Grocery', 'Gas N Go', 'Blue Bottle Cafe', 'City Transit', 'Hardware Depot', "Rosa's Trattoria", 'Online Books', 'Pharmacy Plus'];

/** The lines an account transacted on one UTC day (day = UNIX seconds of its midnight). */
export function linesOfDay(a: MockAccount, day: number): MockLine[] {
  const r = rng(`${accountKey(a)}|${day}`);
  const date = new Date(day * 1000);
  const dom = date.getUTCDate();
  const out: MockLine[] = [];
  const push = (n: number, amountMinor: number, payee: string, description: string, opts: { lagDays?: number; tipMinor?: number; at?: number } = {}) => {
    const transactedAt = day + (opts.at ?? Math.floor(r() * DAY));
    // Most lines post the next day or two; some at once; a few land right before or after midnight UTC.
    const lag = opts.lagDays ?? Math.floor(r() * 3);
    const edge = r();
    const postedBase = Math.floor(transactedAt / DAY) * DAY + lag * DAY;
    const posted = lag === 0 ? transactedAt + 60 : postedBase + (edge < 0.15 ? DAY - 90 : edge < 0.3 ? 120 : 6 * 3600 + Math.floor(r() * 12 * 3600));
    const stem = `${a.id}-${day}-${n}`;
    out.push({
      id: `TX-${stem}`,
      pendingId: `PD-${stem}`,
      transactedAt,
      posted: Math.max(posted, transactedAt + 60),
      amountMinor: amountMinor - (opts.tipMinor ?? 0),
      pendingAmountMinor: amountMinor,
      description,
      payee,
    });
  };
  if (a.profile === 'checking') {
    if (dom === 1 || dom === 15) push(0, 250_000, 'Acme Payroll', 'ACME PAYROLL DIRECT DEP', { lagDays: 0, at: 3 * 3600 });
    const n = Math.floor(r() * 3);
    for (let i = 0; i < n; i++) {
      const m = MERCHANTS[Math.floor(r() * MERCHANTS.length)]!;
      const amount = -(200 + Math.floor(r() * 8_000));
      // A restaurant bill posts with a 15–20 % tip on top (the pending line shows the bill).
      push(i + 1, amount, m, `POS PURCHASE ${m.toUpperCase()}`, m === "Rosa's Trattoria" ? { tipMinor: Math.round(-amount * (0.15 + r() * 0.05)), lagDays: 2 } : {});
    }
    // A morning coffee that takes two days to post: the checking account always has a pending line.
    push(8, -(350 + Math.floor(r() * 300)), 'Blue Bottle Cafe', 'BLUE BOTTLE CAFE #12', { lagDays: 2, at: 9 * 3600 });
    if (dom === 5) push(9, -150_000, 'Landlord LLC', 'ACH RENT PAYMENT', { lagDays: 1 });
  } else if (a.profile === 'savings') {
    if (dom === 28) push(0, 1_523 + Math.floor(r() * 100), 'Interest', 'INTEREST PAYMENT', { lagDays: 0, at: 23 * 3600 + 3000 });
    if (dom === 16) push(1, 50_000, 'Transfer', 'TRANSFER FROM CHECKING', { lagDays: 1 });
  } else {
    const n = Math.floor(r() * 3);
    for (let i = 0; i < n; i++) {
      const m = MERCHANTS[Math.floor(r() * MERCHANTS.length)]!;
      push(i + 1, -(300 + Math.floor(r() * 12_000)), m, m.toUpperCase());
    }
    if (dom === 20) push(9, 60_000, 'Payment', 'PAYMENT THANK YOU', { lagDays: 1 });
  }
  return out;
}

/** Every line of an account transacted in [fromDay, toDay] (midnights, UNIX seconds). */
export function linesBetween(a: MockAccount, fromSec: number, toSec: number): MockLine[] {
  const out: MockLine[] = [];
  for (let d = Math.floor(fromSec / DAY) * DAY; d <= toSec; d += DAY) out.push(...linesOfDay(a, d));
  return out;
}

/** Minor units as the protocol's numeric string; whole amounts sometimes without decimals, as servers do. */
export function numeric(minor: number): string {
  const neg = minor < 0;
  const abs = Math.abs(minor);
  const whole = Math.floor(abs / 100);
  const cents = abs % 100;
  return `${neg ? '-' : ''}${whole}${cents === 0 && whole % 2 === 0 ? '' : `.${String(cents).padStart(2, '0')}`}`;
}
