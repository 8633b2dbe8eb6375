// Deterministic data of the Yodlee mock: DAG-style sites, accounts per container, and a year of
// lines per account that grows with the mock's clock (pending for two days, then posted under a new id).
import { createHash } from 'node:crypto';

export interface MockAccount {
  id: number;
  CONTAINER: 'bank' | 'creditCard' | 'investment';
  accountName: string;
  accountNumber: string;
  accountType: string;
  providerAccountId: number;
  providerId: number;
  providerName: string;
  balance: number;
}

export interface MockTransaction {
  id: number;
  accountId: number;
  CONTAINER: string;
  amount: number;
  baseType: 'DEBIT' | 'CREDIT';
  status: 'POSTED' | 'PENDING';
  date: string;
  description: string;
  merchant?: string;
}

export const DAG_SITE = { providerId: 16441, providerName: 'Dag Site' };

const h = (s: string) => createHash('sha256').update(s).digest().readUInt32BE(0);

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

const MERCHANTS = ['Corner Grocery', 'City Transit', 'Coffee Cart', 'Book Nook', 'Hardware Hub'];

/**
 * The lines of one account as they stand on `today`: one to three a day from `from`; a line of
 * the last two days is PENDING (id + 900000000), older ones are POSTED under their own id.
 * Amounts are cents / 100 as JSON numbers, so values like 0.3 or 1234.05 travel as floats.
 */
export function linesOf(a: MockAccount, from: string, today: string): MockTransaction[] {
  if (a.CONTAINER === 'investment') return [];
  const out: MockTransaction[] = [];
  for (let d = from; d <= today; d = addDays(d, 1)) {
    const n = h(`${a.id}:${d}`) % 3;
    for (let i = 0; i < n; i++) {
      const seed = h(`${a.id}:${d}:${i}`);
      const credit = seed % 7 === 0;
      const cents = credit ? 10_000 + (seed % 200_000) : 1 + (seed % 9_000);
      const base = Number(`${a.id % 100_000}${d.replace(/-/g, '').slice(2)}${i}`);
      const pending = d >= addDays(today, -1);
      const merchant = credit ? undefined : MERCHANTS[seed % MERCHANTS.length];
      out.push({
        id: pending ? base + 900_000_000 : base,
        accountId: a.id,
        CONTAINER: a.CONTAINER,
        // A JSON number, as Yodlee sends it (19.99, 0.3: not exact binary fractions).
        amount: cents / 100,
        baseType: credit ? 'CREDIT' : 'DEBIT',
        status: pending ? 'PENDING' : 'POSTED',
        date: d,
        description: credit ? 'PAYROLL DEPOSIT' : `POS ${merchant!.toUpperCase()} ${d}`,
        ...(merchant ? { merchant } : {}),
      });
    }
  }
  return out;
}
