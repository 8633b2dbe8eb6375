import { z } from 'zod';

/**
 * Salt Edge v6 wire shapes, checked at the boundary; unknown fields pass through. Transactions
 * are checked one by one (map.ts) so one bad line is quarantined, not the whole page.
 */

const Meta = z.object({ next_id: z.string().nullable().optional(), next_page: z.string().nullable().optional() }).passthrough();

export const ErrorBody = z
  .object({
    error: z.object({ class: z.string(), message: z.string().optional().default(''), documentation_url: z.string().optional() }).passthrough(),
  })
  .passthrough();
export type ErrorBody = z.infer<typeof ErrorBody>;

export const CustomerResponse = z.object({ data: z.object({ customer_id: z.string(), identifier: z.string().optional() }).passthrough() }).passthrough();

export const ConnectSessionResponse = z.object({ data: z.object({ connect_url: z.string().url(), expires_at: z.string().optional() }).passthrough() }).passthrough();

export const Attempt = z
  .object({
    id: z.string().optional(),
    /** False while Salt Edge is still talking to the bank. */
    finished: z.boolean(),
    /** connect, interactive, fetch_holder_info, fetch_accounts, fetch_transactions, finish… */
    stage: z.string().optional().nullable(),
    /** At the interactive stage: the fields the bank asks for (an OTP) [unverified name in v6]. */
    interactive_fields_names: z.array(z.string()).optional().nullable(),
    interactive_html: z.string().optional().nullable(),
    fail_error_class: z.string().optional().nullable(),
    fail_message: z.string().optional().nullable(),
  })
  .passthrough();
export type Attempt = z.infer<typeof Attempt>;

export const Connection = z
  .object({
    id: z.string(),
    customer_id: z.string().optional(),
    provider_code: z.string(),
    provider_name: z.string().optional().default(''),
    country_code: z.string().optional().default(''),
    status: z.string(),
    created_at: z.string().optional(),
    last_success_at: z.string().optional().nullable(),
    next_refresh_possible_at: z.string().optional().nullable(),
    last_consent_id: z.string().optional().nullable(),
    last_attempt: Attempt.optional().nullable(),
  })
  .passthrough();
export type Connection = z.infer<typeof Connection>;

export const ConnectionResponse = z.object({ data: Connection }).passthrough();
export const ConnectionsResponse = z.object({ data: z.array(Connection), meta: Meta.optional() }).passthrough();

export const Consent = z
  .object({
    id: z.string(),
    connection_id: z.string().optional().nullable(),
    status: z.string().optional(),
    expires_at: z.string().optional().nullable(),
    revoked_at: z.string().optional().nullable(),
  })
  .passthrough();
export const ConsentsResponse = z.object({ data: z.array(Consent), meta: Meta.optional() }).passthrough();

export const Account = z
  .object({
    id: z.string(),
    connection_id: z.string().optional(),
    name: z.string(),
    nature: z.string().optional().default('account'),
    balance: z.number().optional().nullable(),
    currency_code: z.string().regex(/^[A-Z]{3}$/),
    updated_at: z.string().optional(),
    extra: z.object({ iban: z.string().optional().nullable(), account_number: z.string().optional().nullable() }).passthrough().optional().nullable(),
  })
  .passthrough();
export type Account = z.infer<typeof Account>;
export const AccountsResponse = z.object({ data: z.array(Account), meta: Meta.optional() }).passthrough();

/** Lines stay unknown here: map.ts checks each one. */
export const TransactionsResponse = z.object({ data: z.array(z.unknown()), meta: Meta.optional() }).passthrough();

export const Transaction = z
  .object({
    id: z.string().min(1),
    account_id: z.string().optional(),
    made_on: z.string(),
    amount: z.number(),
    currency_code: z.string(),
    description: z.string().optional().nullable(),
    status: z.enum(['posted', 'pending']).optional().default('posted'),
    duplicated: z.boolean().optional(),
    extra: z
      .object({
        payee: z.string().optional().nullable(),
        payer: z.string().optional().nullable(),
        posting_date: z.string().optional().nullable(),
        information: z.string().optional().nullable(),
      })
      .passthrough()
      .optional()
      .nullable(),
  })
  .passthrough();
export type Transaction = z.infer<typeof Transaction>;

export const RemovedResponse = z.object({ data: z.object({ id: z.string().optional(), removed: z.boolean().optional() }).passthrough() }).passthrough();

export const CountriesResponse = z.object({ data: z.array(z.unknown()) }).passthrough();
