import { z } from 'zod';

/** Wire shapes, checked at the boundary; unknown fields pass through untouched. */
export const Token = z.object({ access: z.string(), access_expires: z.number() });

export const Institution = z.object({
  id: z.string(),
  name: z.string(),
  bic: z.string().optional(),
  transaction_total_days: z.string().optional(),
  max_access_valid_for_days: z.string().optional(),
  countries: z.array(z.string()),
});
export type Institution = z.infer<typeof Institution>;

export const Agreement = z.object({
  id: z.string(),
  max_historical_days: z.number().optional(),
  access_valid_for_days: z.number().optional(),
  accepted: z.string().nullable().optional(),
});

export const Requisition = z.object({
  id: z.string(),
  status: z.string(),
  link: z.string(),
  institution_id: z.string(),
  agreement: z.string().nullable().optional(),
  accounts: z.array(z.string()),
});
export type Requisition = z.infer<typeof Requisition>;

export const AccountMeta = z.object({
  id: z.string(),
  iban: z.string().nullable().optional(),
  bban: z.string().nullable().optional(),
  status: z.string().optional(),
  institution_id: z.string(),
  owner_name: z.string().nullable().optional(),
  name: z.string().nullable().optional(),
});

export const Details = z.object({
  account: z.object({
    iban: z.string().optional(),
    bban: z.string().optional(),
    maskedPan: z.string().optional(),
    currency: z.string().optional(),
    name: z.string().optional(),
    displayName: z.string().optional(),
    product: z.string().optional(),
    cashAccountType: z.string().optional(),
    ownerName: z.string().optional(),
  }),
});

const Amount = z.object({ amount: z.string(), currency: z.string() });

export const Balances = z.object({
  balances: z.array(z.object({ balanceAmount: Amount, balanceType: z.string(), referenceDate: z.string().optional() })),
});

const AccountRef = z.object({ iban: z.string().optional(), bban: z.string().optional() }).passthrough();

/** Berlin Group transaction; everything but the amount may be missing at some bank. */
export const Transaction = z.object({
  transactionId: z.string().optional(),
  internalTransactionId: z.string().optional(),
  bookingDate: z.string().optional(),
  bookingDateTime: z.string().optional(),
  valueDate: z.string().optional(),
  valueDateTime: z.string().optional(),
  transactionAmount: Amount,
  creditorName: z.string().optional(),
  creditorAccount: AccountRef.optional(),
  debtorName: z.string().optional(),
  debtorAccount: AccountRef.optional(),
  remittanceInformationUnstructured: z.string().optional(),
  remittanceInformationUnstructuredArray: z.array(z.string()).optional(),
  remittanceInformationStructured: z.string().optional(),
  additionalInformation: z.string().optional(),
  proprietaryBankTransactionCode: z.string().optional(),
});
export type Transaction = z.infer<typeof Transaction>;

export const Transactions = z.object({
  transactions: z.object({ booked: z.array(z.unknown()), pending: z.array(z.unknown()).optional() }),
});
export type Transactions = z.infer<typeof Transactions>;

const optionalString = (v: unknown) => v === undefined || typeof v === 'string';
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isAccountRef = (v: unknown) => v === undefined || (isRecord(v) && optionalString(v.iban) && optionalString(v.bban));
const TEXT_FIELDS = [
  'transactionId',
  'internalTransactionId',
  'bookingDate',
  'bookingDateTime',
  'valueDate',
  'valueDateTime',
  'creditorName',
  'debtorName',
  'remittanceInformationUnstructured',
  'remittanceInformationStructured',
  'additionalInformation',
  'proprietaryBankTransactionCode',
] as const;

/**
 * Exactly what `Transaction` accepts (answers are parsed JSON: plain objects, no undefined values),
 * checked by hand: zod's parse of every line was ~4 % of a large sync's CPU. A line that passes is
 * used as it came (the mapping reads the schema's fields only); zod still words a refusal.
 */
export function isWireTransaction(raw: unknown): raw is Transaction {
  if (!isRecord(raw)) return false;
  for (const f of TEXT_FIELDS) if (!optionalString(raw[f])) return false;
  const amount = raw.transactionAmount;
  if (!isRecord(amount) || typeof amount.amount !== 'string' || typeof amount.currency !== 'string') return false;
  if (!isAccountRef(raw.creditorAccount) || !isAccountRef(raw.debtorAccount)) return false;
  const lines = raw.remittanceInformationUnstructuredArray;
  return lines === undefined || (Array.isArray(lines) && lines.every((l) => typeof l === 'string'));
}

/**
 * Exactly what `Transactions` accepts, checked by hand: zod copies the `booked` array element by
 * element (~3 % of a 200-connection sync's CPU: 40,000 lines). An answer that passes is used as it
 * came; its reader takes `transactions.booked` and `transactions.pending` only, which zod's copy
 * holds unchanged (the lines themselves are checked one by one: isWireTransaction).
 */
export function isWireTransactions(raw: unknown): raw is Transactions {
  if (!isRecord(raw) || !isRecord(raw.transactions)) return false;
  const { booked, pending } = raw.transactions;
  return Array.isArray(booked) && (pending === undefined || Array.isArray(pending));
}

/** The transactions answer: the hand check, zod to word a refusal. */
export const CheckedTransactions = { zod: Transactions, accepts: isWireTransactions };
