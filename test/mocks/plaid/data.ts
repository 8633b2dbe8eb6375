// The mock's bank data: user_good's accounts (Plaid's sandbox masks) and a deterministic change
// log per account, generated day by day from a seed, so the truth at any simulated date is known.
import { rng } from '../../helpers/rng.js';

export interface MockAccount {
  account_id: string;
  name: string;
  official_name: string | null;
  mask: string;
  type: 'depository' | 'credit' | 'loan';
  subtype: string;
  /** Plaid's sign: current balance (owed, for credit and loan). */
  current: number;
}

export interface PlaidTx {
  transaction_id: string;
  account_id: string;
  /** Plaid's sign: positive = money out. */
  amount: number;
  date: string;
  pending: boolean;
  pending_transaction_id: string | null;
  name: string;
  merchant_name: string | null;
}

export type ChangeEvent = { at: string; type: 'added' | 'modified'; tx: PlaidTx } | { at: string; type: 'removed'; tx: Pick<PlaidTx, 'transaction_id' | 'account_id'> };

const ACCOUNT_SHAPES: Omit<MockAccount, 'account_id'>[] = [
  { name: 'Plaid Checking', official_name: 'Plaid Gold Standard 0% Interest Checking', mask: '0000', type: 'depository', subtype: 'checking', current: 110.94 },
  { name: 'Plaid Saving', official_name: 'Plaid Silver Standard 0.1% Interest Saving', mask: '1111', type: 'depository', subtype: 'savings', current: 210.17 },
  { name: 'Plaid Credit Card', official_name: 'Plaid Diamond 12.5% APR Interest Credit Card', mask: '3333', type: 'credit', subtype: 'credit card', current: 410.5 },
  { name: 'Plaid Student Loan', official_name: null, mask: '7777', type: 'loan', subtype: 'student', current: 65262 },
];

const MERCHANTS = ['Walmart', 'DoorDash', 'Starbucks', 'Uber', 'Shell', 'Target', 'Costco', 'Amazon', 'Chipotle', 'Whole Foods'];

export function makeAccounts(itemId: string): MockAccount[] {
  return ACCOUNT_SHAPES.map((a, i) => ({ ...a, account_id: `${itemId.slice(0, 12)}acc${i}${a.mask}` }));
}

export const addDays = (iso: string, n: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const dollars = (cents: number) => Math.round(cents) / 100;

/** Everything that happens to lines that start on `day` (an ISO date), in order of `at`. */
export function eventsOfDay(seed: string, a: MockAccount, day: string): ChangeEvent[] {
  const r = rng(`${seed}:${a.account_id}:${day}`);
  const out: ChangeEvent[] = [];
  const dom = Number(day.slice(8));
  // Unique across the Item's accounts, like Plaid's ids (they share the Item's prefix here).
  const id = (k: number, suffix = '') => `${a.account_id}${day.replace(/-/g, '')}${k}${suffix}`;
  const post = (k: number, amountCents: number, name: string, merchant: string | null, withPending: boolean) => {
    const posted: PlaidTx = { transaction_id: id(k), account_id: a.account_id, amount: dollars(amountCents), date: day, pending: false, pending_transaction_id: null, name, merchant_name: merchant };
    let postedAt = day;
    if (withPending) {
      const pend: PlaidTx = { ...posted, transaction_id: id(k, 'p'), pending: true };
      out.push({ at: day, type: 'added', tx: pend });
      postedAt = addDays(day, 2);
      // Card lines settle a day later, tips included: the posted line differs from the pending one.
      const tip = r() < 0.3 ? Math.round(r() * 500) : 0;
      Object.assign(posted, { date: addDays(day, 1), amount: dollars(amountCents + tip), pending_transaction_id: pend.transaction_id });
      out.push({ at: postedAt, type: 'removed', tx: { transaction_id: pend.transaction_id, account_id: a.account_id } });
    }
    out.push({ at: postedAt, type: 'added', tx: posted });
    const fate = r();
    if (fate < 0.08) out.push({ at: addDays(postedAt, 3), type: 'modified', tx: { ...posted, name: `${name} (corrected)`, amount: dollars(Math.round(posted.amount * 100) + 100) } });
    else if (fate < 0.12) out.push({ at: addDays(postedAt, 4), type: 'removed', tx: { transaction_id: posted.transaction_id, account_id: a.account_id } });
  };
  if (a.type === 'loan') {
    if (dom === 15) post(0, -25000, 'Student loan payment', null, false);
    return out;
  }
  if (a.subtype === 'savings') {
    if (dom === 1) post(0, -Math.round(r() * 300 + 1), 'Interest payment', null, false);
    if (dom === 20) post(1, -20000, 'Transfer from checking', null, false);
    return out;
  }
  if (a.type === 'depository' && (dom === 1 || dom === 15)) post(9, -250000, 'Payroll ACME Corp', 'ACME Corp', false);
  const n = Math.floor(r() * 3);
  for (let k = 0; k < n; k++) {
    const merchant = MERCHANTS[Math.floor(r() * MERCHANTS.length)]!;
    const refund = r() < 0.05;
    post(k, (refund ? -1 : 1) * Math.round(r() * 15000 + 99), `${merchant.toUpperCase()} #${Math.floor(r() * 9000 + 1000)}`, merchant, r() < 0.5);
  }
  return out;
}
