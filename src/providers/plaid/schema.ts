import { z } from 'zod';

/** Wire shapes of the Plaid API (2020-09-14), checked at the boundary; unknown fields pass through. */

export const PlaidErrorBody = z.object({
  error_type: z.string(),
  error_code: z.string(),
  error_code_reason: z.string().nullable().optional(),
  error_message: z.string().optional(),
  display_message: z.string().nullable().optional(),
  request_id: z.string().optional(),
});
export type PlaidErrorBody = z.infer<typeof PlaidErrorBody>;

export const Institution = z.object({
  institution_id: z.string(),
  name: z.string(),
  country_codes: z.array(z.string()),
  products: z.array(z.string()).optional(),
  oauth: z.boolean().optional(),
});
export type Institution = z.infer<typeof Institution>;

export const InstitutionsSearchResponse = z.object({ institutions: z.array(Institution) });
export const InstitutionsGetByIdResponse = z.object({ institution: Institution });

export const LinkTokenCreateResponse = z.object({
  link_token: z.string(),
  expiration: z.string(),
  hosted_link_url: z.string().optional(),
});

const SessionInstitution = z.object({ name: z.string().optional(), institution_id: z.string().optional() }).nullable().optional();

export const LinkSession = z.object({
  link_session_id: z.string(),
  finished_at: z.string().nullable().optional(),
  on_success: z
    .object({ public_token: z.string(), metadata: z.object({ institution: SessionInstitution }).nullable().optional() })
    .nullable()
    .optional(),
  results: z
    .object({ item_add_results: z.array(z.object({ public_token: z.string(), institution: SessionInstitution })).optional() })
    .nullable()
    .optional(),
  exit: z
    .object({ error: z.object({ error_code: z.string().optional(), error_message: z.string().optional() }).nullable().optional() })
    .nullable()
    .optional(),
});
export type LinkSession = z.infer<typeof LinkSession>;

export const LinkTokenGetResponse = z.object({ link_token: z.string(), link_sessions: z.array(LinkSession).optional() });

export const PublicTokenExchangeResponse = z.object({ access_token: z.string(), item_id: z.string() });

export const Balances = z.object({
  available: z.number().nullable().optional(),
  current: z.number().nullable().optional(),
  iso_currency_code: z.string().nullable().optional(),
  unofficial_currency_code: z.string().nullable().optional(),
  last_updated_datetime: z.string().nullable().optional(),
});

export const Account = z.object({
  account_id: z.string(),
  balances: Balances,
  mask: z.string().nullable().optional(),
  name: z.string(),
  official_name: z.string().nullable().optional(),
  type: z.string(),
  subtype: z.string().nullable().optional(),
  persistent_account_id: z.string().optional(),
});
export type Account = z.infer<typeof Account>;

export const Item = z.object({
  item_id: z.string(),
  institution_id: z.string().nullable().optional(),
  institution_name: z.string().nullable().optional(),
  consent_expiration_time: z.string().nullable().optional(),
});

export const ItemGetResponse = z.object({ item: Item });

export const AccountsGetResponse = z.object({ accounts: z.array(Account), item: Item });

export const Transaction = z.object({
  transaction_id: z.string(),
  account_id: z.string(),
  amount: z.number(),
  iso_currency_code: z.string().nullable().optional(),
  unofficial_currency_code: z.string().nullable().optional(),
  date: z.string(),
  authorized_date: z.string().nullable().optional(),
  pending: z.boolean(),
  pending_transaction_id: z.string().nullable().optional(),
  name: z.string().nullable().optional(),
  merchant_name: z.string().nullable().optional(),
});
export type Transaction = z.infer<typeof Transaction>;

export const TransactionsSyncResponse = z.object({
  transactions_update_status: z.string().optional(),
  accounts: z.array(Account),
  // Lines are checked one by one (map.ts) so one bad line is quarantined, not the whole page.
  added: z.array(z.unknown()),
  modified: z.array(z.unknown()),
  removed: z.array(z.object({ transaction_id: z.string(), account_id: z.string().optional() })),
  next_cursor: z.string(),
  has_more: z.boolean(),
});
export type TransactionsSyncResponse = z.infer<typeof TransactionsSyncResponse>;

export const RequestIdOnly = z.object({ request_id: z.string().optional() });
