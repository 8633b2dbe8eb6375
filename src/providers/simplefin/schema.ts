import { z } from 'zod';

/**
 * SimpleFIN wire shapes (protocol v1 and the v2 draft), checked at the boundary; unknown fields
 * pass through untouched. Transactions are checked one by one (map.ts) so one bad line is
 * quarantined instead of failing the whole answer.
 */

/** "numeric string" per the protocol; some servers send a JSON number, which we accept as its text. */
const Numeric = z.union([z.string(), z.number()]).transform((v) => String(v));
/** UNIX epoch seconds; a few servers send them as strings. */
const Epoch = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);

/** v1 Organization: domain or name is required, sfin-url always. */
export const Org = z.object({ domain: z.string().optional(), name: z.string().optional(), id: z.string().optional(), url: z.string().optional(), 'sfin-url': z.string().optional() }).passthrough();

/** v2 Connection: one set of bank credentials at the Bridge. */
export const Connection = z
  .object({ conn_id: z.string(), name: z.string().optional(), org_id: z.string().optional(), org_name: z.string().optional(), org_url: z.string().optional(), sfin_url: z.string().optional() })
  .passthrough();
export type Connection = z.infer<typeof Connection>;

export const Transaction = z
  .object({
    id: z.string().min(1),
    posted: Epoch,
    amount: Numeric,
    description: z.string().optional().default(''),
    transacted_at: Epoch.optional().nullable(),
    pending: z.boolean().optional().nullable(),
    /** Not in the protocol; the Bridge sends it (facts §6.4). */
    payee: z.string().optional().nullable(),
    memo: z.string().optional().nullable(),
  })
  .passthrough();
export type Transaction = z.infer<typeof Transaction>;

export const Account = z
  .object({
    id: z.string().min(1),
    name: z.string(),
    conn_id: z.string().optional(),
    conn_name: z.string().optional(),
    org: Org.optional(),
    currency: z.string(),
    balance: Numeric,
    'available-balance': Numeric.optional().nullable(),
    'balance-date': Epoch,
    transactions: z.array(z.unknown()).optional(),
  })
  .passthrough();
export type Account = z.infer<typeof Account>;

/** v2 Error: code is `prefix.[subcode]` (gen., con., act.); msg is for the user (after sanitising). */
export const ErrItem = z.object({ code: z.string(), msg: z.string().optional(), message: z.string().optional(), conn_id: z.string().optional(), account_id: z.string().optional() }).passthrough();
export type ErrItem = z.infer<typeof ErrItem>;

export const AccountSet = z
  .object({
    errors: z.array(z.unknown()).optional(),
    errlist: z.array(z.unknown()).optional(),
    connections: z.array(Connection).optional(),
    accounts: z.array(z.unknown()),
  })
  .passthrough();
export type AccountSet = z.infer<typeof AccountSet>;
