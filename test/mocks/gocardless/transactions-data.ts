// Transaction history generator. Each calendar day of each account has a fixed,
// seeded set of transactions, so moving the mock clock forward reveals new
// lines and turns pending ones into booked ones, like a real bank feed.
import type { AccountTemplate } from './accounts-data.js';
import { DAY_MS, isoDay } from './time.js';
import { between, hexId, pick, prng } from './random.js';

type Kind = 'card' | 'atm' | 'transfer-in' | 'transfer-out' | 'direct-debit' | 'salary' | 'interest';

interface GenTx {
  valueDay: number;
  bookDay: number;
  seq: number;
  cents: number;
  kind: Kind;
  counterparty?: string;
  counterpartyIban?: string;
  remittance: string;
  mandateId?: string;
}

/** Card payments take up to this many days to book; older lines are always booked. */
const MAX_LAG = 3;

const BANK_CODES: Record<Kind, string> = {
  card: 'PMNT-CCRD-POSD',
  atm: 'PMNT-CCRD-CWDL',
  'transfer-in': 'PMNT-RCDT-ESCT',
  'transfer-out': 'PMNT-ICDT-ESCT',
  'direct-debit': 'PMNT-RDDT-ESDD',
  salary: 'PMNT-RCDT-ESCT',
  interest: 'ACMT-MCOP-INTR',
};

const MERCHANTS: ReadonlyArray<{ name: string; min: number; max: number }> = [
  { name: 'Colruyt', min: 800, max: 12_000 },
  { name: 'Delhaize', min: 500, max: 9_000 },
  { name: 'Aldi', min: 700, max: 8_000 },
  { name: 'Lidl', min: 600, max: 7_500 },
  { name: 'Starbucks', min: 350, max: 1_200 },
  { name: 'Shell', min: 4_000, max: 9_000 },
  { name: 'bol.com', min: 1_000, max: 15_000 },
  { name: 'Amazon EU SARL', min: 900, max: 12_000 },
  { name: 'Pizza Hut', min: 1_800, max: 6_500 },
  { name: 'Apotheek Centrum', min: 450, max: 4_000 },
  { name: 'NMBS/SNCB', min: 290, max: 2_600 },
];
const FRIENDS = ['Marie Peeters', 'Jonas Maes', 'Emma Claes', 'Lucas Willems'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function counterpartyIban(seed: string): string {
  // Shaped like a Belgian IBAN; counterparties are never validated by clients.
  const digits = String(BigInt(`0x${hexId(seed, 12)}`))
    .padStart(12, '0')
    .slice(0, 12);
  return `BE${String(between(prng(seed), 10, 99))}${digits}`;
}

function currentAccountDay(t: AccountTemplate, day: number): GenTx[] {
  const date = new Date(day * DAY_MS);
  const dom = date.getUTCDate();
  const month = `${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
  const rand = prng(`${t.key}:day:${day}`);
  const out: GenTx[] = [];
  const add = (tx: Omit<GenTx, 'valueDay' | 'seq'>) => out.push({ ...tx, valueDay: day, seq: out.length });

  if (dom === 1) {
    add({ bookDay: day, cents: -95_000, kind: 'transfer-out', counterparty: 'Immo Residentie BV', counterpartyIban: counterpartyIban('landlord'), remittance: `Rent ${month}` });
    if (t.siblingIban) {
      add({ bookDay: day, cents: -20_000, kind: 'transfer-out', counterparty: t.ownerName, counterpartyIban: t.siblingIban, remittance: 'Monthly savings' });
    }
  }
  if (dom === 5) {
    add({
      bookDay: day,
      cents: -between(rand, 7_500, 12_500),
      kind: 'direct-debit',
      counterparty: 'Luminus Energy',
      counterpartyIban: counterpartyIban('energy'),
      remittance: `Energy advance ${month}`,
      mandateId: 'LUM-448812',
    });
  }
  if (dom === 12) {
    add({
      bookDay: day,
      cents: -between(rand, 2_999, 4_599),
      kind: 'direct-debit',
      counterparty: 'Proximus',
      counterpartyIban: counterpartyIban('phone'),
      remittance: `Mobile subscription ${month}`,
      mandateId: 'PXS-90211',
    });
  }
  if (dom === 20) {
    add({
      bookDay: day,
      cents: -4_250,
      kind: 'direct-debit',
      counterparty: 'AG Insurance',
      counterpartyIban: counterpartyIban('insurance'),
      remittance: 'Home insurance premium',
      mandateId: 'AGI-17730',
    });
  }
  if (dom === 8 || dom === 22) {
    add({ bookDay: day + 1, cents: -pick(rand, [2_000, 5_000, 10_000]), kind: 'atm', remittance: `ATM withdrawal ${pick(rand, ['Brussels Central', 'Gent Korenmarkt', 'Leuven Station'])}` });
  }
  if (dom === 25) {
    add({ bookDay: day, cents: 275_000, kind: 'salary', counterparty: 'ACME Europe NV', counterpartyIban: counterpartyIban('employer'), remittance: `Salary ${month}` });
  }

  // Everyday spending: about 1.1 lines a day on top of the fixed monthly ones,
  // which makes ~120 booked lines per 90 days. The first is always a card
  // payment, and card payments book 1-3 days later, so there is always pending.
  const r = rand();
  const count = r < 0.9 ? 1 : r < 0.99 ? 2 : 3;
  for (let i = 0; i < count; i++) {
    const k = i === 0 ? 1 : rand();
    if (k < 0.1) {
      const friend = pick(rand, FRIENDS);
      add({
        bookDay: day,
        cents: between(rand, 500, 6_000),
        kind: 'transfer-in',
        counterparty: friend,
        counterpartyIban: counterpartyIban(`friend:${friend}`),
        remittance: pick(rand, ['Dinner', 'Concert tickets', 'Thanks!', 'Gift']),
      });
    } else {
      const merchant = pick(rand, MERCHANTS);
      const lagRoll = rand();
      const lag = lagRoll < 0.1 ? 1 : lagRoll < 0.5 ? 2 : MAX_LAG;
      add({ bookDay: day + lag, cents: -between(rand, merchant.min, merchant.max), kind: 'card', counterparty: merchant.name, remittance: `Card payment ${merchant.name} ${isoDay(day)}` });
    }
  }
  return out;
}

function savingsAccountDay(t: AccountTemplate, day: number): GenTx[] {
  const date = new Date(day * DAY_MS);
  const out: GenTx[] = [];
  if (date.getUTCDate() === 1 && t.siblingIban) {
    out.push({ valueDay: day, bookDay: day, seq: 0, cents: 20_000, kind: 'transfer-in', counterparty: t.ownerName, counterpartyIban: t.siblingIban, remittance: 'Monthly savings' });
  }
  const tomorrow = new Date((day + 1) * DAY_MS);
  if (tomorrow.getUTCDate() === 1 && tomorrow.getUTCMonth() % 3 === 0) {
    const quarter = Math.floor(date.getUTCMonth() / 3) + 1;
    out.push({
      valueDay: day,
      bookDay: day,
      seq: out.length,
      cents: between(prng(`${t.key}:interest:${day}`), 100, 900),
      kind: 'interest',
      remittance: `Interest Q${quarter} ${date.getUTCFullYear()}`,
    });
  }
  return out;
}

const dayCache = new Map<string, GenTx[]>();

function dayTransactions(t: AccountTemplate, day: number): GenTx[] {
  const key = `${t.key}:${day}`;
  let txs = dayCache.get(key);
  if (!txs) {
    txs = t.kind === 'current' ? currentAccountDay(t, day) : savingsAccountDay(t, day);
    dayCache.set(key, txs);
  }
  return txs;
}

function amount(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Booked lines of ATM withdrawals carry only a valueDate: the mock's bank quirk (facts §2.6). */
function bookedDay(tx: GenTx): number {
  return tx.kind === 'atm' ? tx.valueDay : tx.bookDay;
}

function toBooked(t: AccountTemplate, tx: GenTx): Record<string, unknown> {
  const seed = `${t.key}:${tx.valueDay}:${tx.seq}`;
  const line: Record<string, unknown> = {};
  // Banks omit their own id on some lines; ~1 in 8 here (facts §0.3, §2.6).
  if (prng(`${seed}:has-id`)() >= 0.125) line.transactionId = hexId(`${seed}:bank-id`, 16).toUpperCase();
  line.internalTransactionId = hexId(`${seed}:internal`);
  if (tx.kind !== 'atm') line.bookingDate = isoDay(tx.bookDay);
  line.valueDate = isoDay(tx.valueDay);
  line.transactionAmount = { amount: amount(tx.cents), currency: t.currency };
  if (tx.counterparty) line[tx.cents < 0 ? 'creditorName' : 'debtorName'] = tx.counterparty;
  if (tx.counterpartyIban) line[tx.cents < 0 ? 'creditorAccount' : 'debtorAccount'] = { iban: tx.counterpartyIban };
  if (tx.mandateId) line.mandateId = tx.mandateId;
  line.remittanceInformationUnstructured = tx.remittance;
  line.bankTransactionCode = BANK_CODES[tx.kind];
  return line;
}

function toPending(t: AccountTemplate, tx: GenTx): Record<string, unknown> {
  // Shape of the spec's pending example: no ids, no bookingDate.
  const line: Record<string, unknown> = {
    transactionAmount: { amount: amount(tx.cents), currency: t.currency },
    valueDate: isoDay(tx.valueDay),
    remittanceInformationUnstructured: tx.remittance,
  };
  if (tx.counterparty) line.creditorName = tx.counterparty;
  return line;
}

export interface TransactionWindow {
  today: number;
  /** Oldest day the agreement's max_historical_days allows. */
  floor: number;
  from: number;
  to: number;
}

/** Booked and pending lines as of `today`, newest first. */
export function listTransactions(t: AccountTemplate, w: TransactionWindow) {
  const first = Math.max(w.floor, w.from);
  const last = Math.min(w.today, w.to);
  const booked: Record<string, unknown>[] = [];
  const pending: Record<string, unknown>[] = [];
  for (let day = w.today; day >= first - MAX_LAG; day--) {
    for (const tx of [...dayTransactions(t, day)].reverse()) {
      const isBooked = tx.bookDay <= w.today;
      const date = isBooked ? bookedDay(tx) : tx.valueDay;
      if (date < first || date > last) continue;
      if (isBooked) booked.push(toBooked(t, tx));
      else pending.push(toPending(t, tx));
    }
  }
  booked.sort((a, b) => String(b.bookingDate ?? b.valueDate).localeCompare(String(a.bookingDate ?? a.valueDate)));
  return t.reportsPending ? { booked, pending } : { booked };
}

/** The generator starts at this day; balances are computed from here on. */
const ANCHOR_DAY = Date.UTC(2020, 0, 1) / DAY_MS;
const prefixCache = new Map<string, number[]>();

/** Sum of all lines with valueDay in [ANCHOR_DAY, day], booked or not. */
function valueSumThrough(t: AccountTemplate, day: number): number {
  if (day < ANCHOR_DAY) return 0;
  let prefix = prefixCache.get(t.key);
  if (!prefix) prefixCache.set(t.key, (prefix = []));
  for (let d = ANCHOR_DAY + prefix.length; d <= day; d++) {
    const sum = dayTransactions(t, d).reduce((s, tx) => s + tx.cents, 0);
    prefix.push((prefix[prefix.length - 1] ?? 0) + sum);
  }
  return prefix[day - ANCHOR_DAY] ?? 0;
}

export function balances(t: AccountTemplate, today: number) {
  if (today < ANCHOR_DAY + MAX_LAG) throw new Error('mock clock is before the data generator anchor (2020)');
  const bookedThrough = (day: number) => {
    let cents = t.openingCents + valueSumThrough(t, day - MAX_LAG);
    for (let d = day - MAX_LAG + 1; d <= day; d++) {
      for (const tx of dayTransactions(t, d)) if (tx.bookDay <= day) cents += tx.cents;
    }
    return cents;
  };
  let pendingCents = 0;
  for (let d = today - MAX_LAG + 1; d <= today; d++) {
    for (const tx of dayTransactions(t, d)) if (tx.bookDay > today) pendingCents += tx.cents;
  }
  return {
    balances: [
      {
        balanceAmount: { amount: amount(bookedThrough(today) + pendingCents), currency: t.currency },
        balanceType: 'interimAvailable',
        referenceDate: isoDay(today),
      },
      {
        balanceAmount: { amount: amount(bookedThrough(today - 1)), currency: t.currency },
        balanceType: 'closingBooked',
        referenceDate: isoDay(today - 1),
      },
    ],
  };
}
