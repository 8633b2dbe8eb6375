import { z } from 'zod';

/**
 * Enable Banking wire shapes (facts §5), checked at the boundary. The API is FastAPI-generated and
 * sends `null` for absent fields, so everything optional is `nullish`; unknown fields pass through.
 */
const text = z.string().nullish();
const Amount = z.object({ currency: z.string(), amount: z.union([z.string(), z.number()]) });
const Aspsp = z.object({ name: z.string(), country: z.string() });

export const Application = z.object({ kid: text, active: z.boolean().nullish() }).passthrough();

export const AspspData = Aspsp.extend({
  beta: z.boolean().nullish(),
  maximum_consent_validity: z.number().nullish(),
}).passthrough();
export type AspspData = z.infer<typeof AspspData>;
export const AspspList = z.object({ aspsps: z.array(AspspData) });

export const AuthStarted = z.object({ url: z.string(), authorization_id: text }).passthrough();

export const AccountResource = z
  .object({
    uid: text,
    identification_hash: text,
    account_id: z
      .object({ iban: text, other: z.object({ identification: z.string(), scheme_name: text }).passthrough().nullish() })
      .passthrough()
      .nullish(),
    name: text,
    details: text,
    product: text,
    cash_account_type: text,
    currency: z.string(),
  })
  .passthrough();
export type AccountResource = z.infer<typeof AccountResource>;

export const SessionCreated = z.object({
  session_id: z.string(),
  accounts: z.array(z.unknown()),
  aspsp: Aspsp.passthrough().nullish(),
  access: z.object({ valid_until: text }).passthrough().nullish(),
});

export const SessionInfo = z.object({
  status: z.string(),
  accounts: z.array(z.string()).nullish(),
  aspsp: Aspsp.passthrough().nullish(),
});

export const Balances = z.object({
  balances: z.array(z.object({ balance_amount: Amount, balance_type: z.string(), reference_date: text, last_change_date_time: text }).passthrough()),
});
export type Balances = z.infer<typeof Balances>;

const Party = z.object({ name: text }).passthrough().nullish();
const PartyAccount = z.object({ iban: text }).passthrough().nullish();

export const Transaction = z
  .object({
    entry_reference: text,
    transaction_id: text,
    transaction_amount: Amount,
    credit_debit_indicator: text,
    status: text,
    booking_date: text,
    value_date: text,
    transaction_date: text,
    creditor: Party,
    creditor_account: PartyAccount,
    debtor: Party,
    debtor_account: PartyAccount,
    remittance_information: z.array(z.string()).nullish(),
  })
  .passthrough();
export type Transaction = z.infer<typeof Transaction>;

export const TransactionList = z.object({ transactions: z.array(z.unknown()), continuation_key: text });
