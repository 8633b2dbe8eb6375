import { createHash } from 'node:crypto';
import { addDays, daysBetween } from '../../domain/clock.js';
import { currencyDigits } from '../../domain/money.js';
import type { TransactionType } from '../../domain/model.js';
import { SANDBOX_ACCOUNTS, SANDBOX_EPOCH, SANDBOX_OWN_TRANSFERS, type SandboxAccountSpec } from './catalog.js';

/**
 * The sandbox bank's deterministic transaction stream: a pure function of (account, day), so
 * every process, fetch window and test sees the same bank. It contains what real banks do to
 * a sync engine: lines booked late with an earlier date, pending lines that book under another
 * id with a tip added, and two identical purchases on the same day.
 */
export interface SandboxLine {
  id: string;
  bookingDate: string;
  valueDate: string;
  /** First day the bank reports the booked line. */
  visibleFrom: string;
  amountMinor: number;
  payee: string;
  memo: string;
  type: TransactionType;
  pending?: { id: string; date: string; amountMinor: number };
  /** Whether the booked line names the pending line it replaces. */
  linksPending: boolean;
  /** The other account's IBAN, on both legs of an own transfer. */
  counterpartyIban?: string;
}

const SHOPS = ['Albert Heijn', 'Bakkerij Jansen', 'Café de Zon', 'Books & Co', 'Garage Müller', 'Pharmacy 24', 'Rail Tickets'];
const RESTAURANTS = ['Trattoria Roma', 'Sushi Kō', 'Brasserie <Le Coin>'];

function rng(seed: string): () => number {
  let block = createHash('sha256').update(seed).digest();
  let i = 0;
  return () => {
    if (i + 4 > block.length) {
      block = createHash('sha256').update(block).digest();
      i = 0;
    }
    const v = block.readUInt32BE(i);
    i += 4;
    return v / 0x1_0000_0000;
  };
}

const units = (spec: SandboxAccountSpec, whole: number) => Math.round(whole * 10 ** currencyDigits(spec.currency));

/** Lines that originate on `date` for one account, in a fixed order. */
export function linesOn(spec: SandboxAccountSpec, date: string): SandboxLine[] {
  const n = daysBetween(SANDBOX_EPOCH, date);
  if (n < 0) return [];
  const r = rng(`${spec.key}|${date}`);
  const dom = Number(date.slice(8, 10));
  const yen = currencyDigits(spec.currency) === 0;
  const scale = yen ? 150 : 1;
  const out: SandboxLine[] = [];
  const add = (l: Omit<SandboxLine, 'id' | 'valueDate' | 'visibleFrom' | 'linksPending'> & Partial<SandboxLine>) =>
    out.push({ id: `${spec.key}-${date}-${out.length}`, valueDate: date, visibleFrom: l.bookingDate, linksPending: false, ...l });

  if (spec.kind === 'checking') {
    // Pays the own transfers below too (900.00 a month), so checking stays in credit.
    if (dom === 1) add({ bookingDate: date, amountMinor: units(spec, 4200 * scale), payee: 'ACME Payroll', memo: `Salary ${date.slice(0, 7)}`, type: 'credit' });
    if (dom === 3) add({ bookingDate: date, amountMinor: -units(spec, 1250 * scale), payee: 'Housing Co', memo: 'Rent', type: 'transfer' });
  }
  if (spec.kind === 'savings') {
    if (dom === 2) add({ bookingDate: date, amountMinor: units(spec, 200 * scale), payee: 'Own transfer', memo: 'Monthly saving', type: 'transfer', counterpartyIban: payerIban(spec, dom) });
    if (dom === 28 && Number(date.slice(5, 7)) % 3 === 0) add({ bookingDate: date, amountMinor: units(spec, 12.34 * scale), payee: 'Sandbox Bank', memo: 'Interest', type: 'interest' });
    return out;
  }
  if (spec.kind === 'credit_card' && dom === 20) {
    add({ bookingDate: date, amountMinor: units(spec, 500 * scale), payee: 'Payment received', memo: 'Thank you', type: 'payment', counterpartyIban: payerIban(spec, dom) });
  }
  const purchases = Math.floor(r() * 3);
  for (let i = 0; i < purchases; i++) {
    const payee = SHOPS[Math.floor(r() * SHOPS.length)]!;
    const late = r() < 0.1;
    add({
      bookingDate: date,
      visibleFrom: late ? addDays(date, 3) : date,
      amountMinor: -Math.max(1, Math.round(r() * (yen ? 9_000 : 6_000))),
      payee,
      memo: late ? 'Card payment (booked late)' : 'Card payment',
      type: 'pos',
    });
  }
  if (n % 9 === 4) {
    // Two real, identical purchases: both must be kept, and never a third.
    for (let i = 0; i < 2; i++) add({ bookingDate: date, amountMinor: -units(spec, 3.8 * scale), payee: 'Coffee Corner', memo: 'Espresso', type: 'pos' });
  }
  if (n % 5 === 2) {
    // Pending today, booked two days later under a new id with a 15 % tip.
    const base = units(spec, (20 + Math.floor(r() * 60)) * scale);
    const booked = addDays(date, 2);
    add({
      bookingDate: booked,
      valueDate: date,
      visibleFrom: booked,
      amountMinor: -Math.round(base * 1.15),
      payee: RESTAURANTS[n % RESTAURANTS.length]!,
      memo: 'Card payment incl. tip',
      type: 'pos',
      pending: { id: `${spec.key}-${date}-p`, date, amountMinor: -base },
      linksPending: n % 10 === 2,
    });
  }
  // The paying legs of own transfers come last in the day, so every older line keeps its id.
  for (const t of SANDBOX_OWN_TRANSFERS) {
    if (t.from !== spec.key || t.dayOfMonth !== dom) continue;
    add({ bookingDate: date, amountMinor: -units(spec, t.whole * scale), payee: t.payee, memo: t.memo, type: 'transfer', counterpartyIban: ibanOf(t.to) });
  }
  return out;
}

const ibanOf = (key: string) => SANDBOX_ACCOUNTS.find((a) => a.key === key)?.iban;

/** The account that pays into `spec` on this day of the month, if the sandbox has one. */
const payerIban = (spec: SandboxAccountSpec, dom: number) => {
  const t = SANDBOX_OWN_TRANSFERS.find((x) => x.to === spec.key && x.dayOfMonth === dom);
  return t ? ibanOf(t.from) : undefined;
};

/** Booked lines with booking date in [from, to] that the bank reports on `today`. */
export function bookedLines(spec: SandboxAccountSpec, from: string, to: string, today: string): SandboxLine[] {
  const out: SandboxLine[] = [];
  for (let d = addDays(from, -2); d <= to && d <= today; d = addDays(d, 1)) {
    for (const l of linesOn(spec, d)) {
      if (l.bookingDate >= from && l.bookingDate <= to && l.visibleFrom <= today) out.push(l);
    }
  }
  return out.sort((a, b) => (a.bookingDate < b.bookingDate ? -1 : a.bookingDate > b.bookingDate ? 1 : a.id < b.id ? -1 : 1));
}

/** Pending lines on `today`: shown from their date until their booked line appears. */
export function pendingLines(spec: SandboxAccountSpec, today: string): SandboxLine[] {
  const out: SandboxLine[] = [];
  for (let d = addDays(today, -3); d <= today; d = addDays(d, 1)) {
    for (const l of linesOn(spec, d)) if (l.pending && l.pending.date <= today && l.visibleFrom > today) out.push(l);
  }
  return out;
}

/** Booked balance on `today`: opening plus every line reported so far. */
export function balanceOn(spec: SandboxAccountSpec, today: string): number {
  let sum = spec.openingMinor;
  for (const l of bookedLines(spec, SANDBOX_EPOCH, today, today)) sum += l.amountMinor;
  return sum;
}
