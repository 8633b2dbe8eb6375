import { digits, iban, type BankAccount } from './accounts.js';
import { addDays, centsToAmount, centsToSigned, digest, rng } from './util.js';

/** How far back the sandbox bank keeps history (facts §5.11: bank-dependent). */
export const HISTORY_DAYS = 180;

/**
 * One bank entry. Generated per calendar day from (identification_hash, day) only, so a transaction
 * keeps its entry_reference, amount and dates however the mock clock moves; only its status
 * (PDNG until its booking date has passed) depends on "today".
 */
export interface BankEntry {
  /** `${initiated}:${index}`, used to rebuild a transaction_id for the details call. */
  key: string;
  initiated: string;
  booking: string;
  /** Signed cents: positive = CRDT, negative = DBIT. */
  cents: number;
  entryReference?: string;
  counterparty: { name: string; iban?: string };
  remittance: string[];
  mcc?: string;
  reference?: { number: string; schema: string };
  foreign?: { currency: string; cents: number; rate: string };
}

const MERCHANTS: [string, string][] = [
  ['K-Market Kamppi', '5411'],
  ['Prisma Itäkeskus', '5411'],
  ['Alko Kluuvi', '5921'],
  ['HSL Mobiili', '4111'],
  ['Neste Helsinki', '5541'],
  ['Café Regatta', '5812'],
  ['Apteekki Kaisaniemi', '5912'],
  ['Stockmann', '5311'],
  ['Spotify AB', '5815'],
  ['VR Matkat', '4112'],
];
const PEOPLE = ['Liisa Laine', 'Juha Nieminen', 'Sari Mäkinen', 'Pekka Heikkinen', 'Anna Koskinen'];

const counterpartyIban = (seed: string) => iban('FI', digits(`counterparty|${seed}`, 14));

function nextBusinessDay(day: string): string {
  let next = addDays(day, 1);
  while ([0, 6].includes(new Date(`${next}T00:00:00Z`).getUTCDay())) next = addDays(next, 1);
  return next;
}

/** Every entry the bank has for one account on one initiation day, independent of the clock. */
export function entriesOn(account: BankAccount, day: string): BankEntry[] {
  const r = rng(`${account.identificationHash}|${day}`);
  const scale = account.currency === 'SEK' ? 10 : 1;
  const dom = Number(day.slice(8, 10));
  const drafts: Omit<BankEntry, 'key' | 'entryReference'>[] = [];
  const between = (lo: number, hi: number) => Math.round((lo + r() * (hi - lo)) * 100) * scale;

  if (account.kind === 'current') {
    if (dom === 25) drafts.push({ initiated: day, booking: day, cents: 285_000 * scale, counterparty: { name: 'Acme Oy', iban: counterpartyIban('acme') }, remittance: [`Palkka ${day.slice(0, 7)}`] });
    if (dom === 1) {
      const ref = `RF${digest('rent', account.identificationHash).replace(/\D/g, '').slice(0, 12)}`;
      drafts.push({
        initiated: day,
        booking: day,
        cents: -95_000 * scale,
        counterparty: { name: 'Kiinteistö Oy Kotikulma', iban: counterpartyIban('landlord') },
        remittance: [ref, 'Vuokra'],
        reference: { number: ref, schema: 'INTL' },
      });
    }
    // A card purchase on five days of seven (never two days off in a row), booked the next
    // business day: so at any moment at least one line is still pending.
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    if (weekday !== 0 && weekday !== 3) {
      const [name, mcc] = MERCHANTS[Math.floor(r() * MERCHANTS.length)]!;
      drafts.push({ initiated: day, booking: nextBusinessDay(day), cents: -between(3, 120), counterparty: { name }, remittance: ['CARD PURCHASE', name], mcc });
    }
    if (r() < 0.08) {
      const person = PEOPLE[Math.floor(r() * PEOPLE.length)]!;
      const incoming = r() < 0.4;
      drafts.push({
        initiated: day,
        booking: day,
        cents: incoming ? between(10, 150) : -between(20, 200),
        counterparty: { name: person, iban: counterpartyIban(person) },
        remittance: [incoming ? 'Kiitos!' : 'Lounas'],
      });
    }
  } else if (account.kind === 'savings') {
    if (dom === 26) drafts.push({ initiated: day, booking: day, cents: 20_000 * scale, counterparty: { name: account.user.holder }, remittance: ['Monthly savings'] });
    if (['03-31', '06-30', '09-30', '12-31'].includes(day.slice(5)))
      drafts.push({ initiated: day, booking: day, cents: between(5, 15), counterparty: { name: account.aspsp.name }, remittance: ['Interest'] });
  } else {
    if (dom === 5) drafts.push({ initiated: day, booking: day, cents: 85_000 * scale, counterparty: { name: account.user.holder }, remittance: ['Payment, thank you'] });
    const draw = r();
    const count = draw < 0.55 ? 0 : draw < 0.9 ? 1 : 2;
    for (let i = 0; i < count; i++) {
      const [name, mcc] = MERCHANTS[Math.floor(r() * MERCHANTS.length)]!;
      const cents = -between(2, 90);
      const abroad = r() < 0.1;
      drafts.push({
        initiated: day,
        booking: r() < 0.7 ? nextBusinessDay(day) : nextBusinessDay(nextBusinessDay(day)),
        cents,
        counterparty: { name: abroad ? 'AMZN Mktp US' : name },
        remittance: [abroad ? 'AMZN Mktp US' : name],
        mcc: abroad ? '5942' : mcc,
        ...(abroad ? { foreign: { currency: 'USD', cents: Math.round(Math.abs(cents) * 1.08), rate: '0.925926' } } : {}),
      });
    }
  }

  return drafts.map((d, i) => ({
    ...d,
    key: `${day}:${i}`,
    // A few banks' lines come without an archive id; the sync engine must cope (facts §0.3).
    entryReference: r() < 0.04 ? undefined : digest('entry', account.identificationHash, day, i).replace(/\D/g, '').slice(0, 12),
  }));
}

/** Lines are booked in the bank's nightly run: pending until their booking date has passed. */
export const isPending = (e: BankEntry, today: string) => e.booking >= today;

/** The date a filter or sort applies to: booking date once booked, else the initiation date. */
export const entryDate = (e: BankEntry, today: string) => (isPending(e, today) ? e.initiated : e.booking);

/** Everything visible today: booked within the history window plus not-yet-booked (pending). */
export function visibleEntries(account: BankAccount, today: string): BankEntry[] {
  const start = addDays(today, -(HISTORY_DAYS - 1));
  const out: BankEntry[] = [];
  // Lines book up to four days after they start (Friday → Tuesday), so look a little earlier.
  for (let day = addDays(start, -4); day <= today; day = addDays(day, 1)) {
    for (const e of entriesOn(account, day)) if (isPending(e, today) || e.booking >= start) out.push(e);
  }
  // Newest first, a common bank ordering; ties keep generation order.
  return out.sort((a, b) => (entryDate(b, today) < entryDate(a, today) ? -1 : entryDate(b, today) > entryDate(a, today) ? 1 : 0));
}

/** Transaction as the API sends it: unsigned amount + CRDT/DBIT (facts §5.6). */
export function toWire(account: BankAccount, e: BankEntry, today: string, transactionId: string) {
  const credit = e.cents > 0;
  const pending = isPending(e, today);
  const party = { name: e.counterparty.name };
  const partyAccount = e.counterparty.iban ? { iban: e.counterparty.iban } : undefined;
  const own = account.iban ? { iban: account.iban } : { other: { identification: account.maskedPan!, scheme_name: 'CPAN' } };
  return {
    ...(pending || !e.entryReference ? {} : { entry_reference: e.entryReference }),
    ...(e.mcc ? { merchant_category_code: e.mcc } : {}),
    transaction_amount: { currency: account.currency, amount: centsToAmount(e.cents) },
    ...(credit
      ? { debtor: party, ...(partyAccount ? { debtor_account: partyAccount } : {}), creditor: { name: account.user.holder }, creditor_account: own }
      : { creditor: party, ...(partyAccount ? { creditor_account: partyAccount } : {}), debtor: { name: account.user.holder }, debtor_account: own }),
    credit_debit_indicator: credit ? 'CRDT' : 'DBIT',
    status: pending ? 'PDNG' : 'BOOK',
    ...(pending ? {} : { booking_date: e.booking, value_date: e.booking }),
    transaction_date: e.initiated,
    ...(e.reference ? { reference_number: e.reference.number, reference_number_schema: e.reference.schema } : {}),
    remittance_information: e.remittance,
    ...(e.foreign
      ? { exchange_rate: { unit_currency: 'USD', exchange_rate: e.foreign.rate, rate_type: 'SALE', instructed_amount: { currency: e.foreign.currency, amount: centsToAmount(e.foreign.cents) } } }
      : {}),
    transaction_id: transactionId,
  };
}

const OPENING_CENTS = { current: 120_000, savings: 500_000, card: 0 };

/**
 * Balances: CLBD = opening + booked lines in the window, ITAV = CLBD + pending. An approximation
 * (lines leaving the 180-day window move the balance), good enough for a mock.
 */
export function balances(account: BankAccount, today: string, now: Date) {
  const entries = visibleEntries(account, today);
  const opening = OPENING_CENTS[account.kind] * (account.currency === 'SEK' ? 10 : 1);
  const booked = entries.filter((e) => !isPending(e, today));
  const closing = opening + booked.reduce((s, e) => s + e.cents, 0);
  const available = closing + entries.filter((e) => isPending(e, today)).reduce((s, e) => s + e.cents, 0);
  const lastCommitted = booked.find((e) => e.entryReference)?.entryReference;
  const amount = (cents: number) => ({ currency: account.currency, amount: centsToSigned(cents) });
  return [
    { name: 'Booked balance', balance_amount: amount(closing), balance_type: 'CLBD', reference_date: today, ...(lastCommitted ? { last_committed_transaction: lastCommitted } : {}) },
    { name: 'Available balance', balance_amount: amount(available), balance_type: 'ITAV', last_change_date_time: now.toISOString(), reference_date: today },
  ];
}
