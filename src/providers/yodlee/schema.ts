import { z } from 'zod';

/** Wire shapes of the Yodlee Core API v1.1 (coreapisoas3.yml), checked at the boundary; unknown fields pass through. */

export const YodleeErrorBody = z.object({
  errorCode: z.string(),
  errorMessage: z.string().optional(),
  referenceCode: z.string().optional(),
});
export type YodleeErrorBody = z.infer<typeof YodleeErrorBody>;

/** POST /auth/token → ClientCredentialTokenResponse. */
export const TokenResponse = z.object({
  token: z.object({ accessToken: z.string().min(1), issuedAt: z.string().optional(), expiresIn: z.number().int().positive() }),
});

/** POST /user/register → UserResponse. */
export const UserResponse = z.object({ user: z.object({ id: z.number().optional(), loginName: z.string().optional() }) });

/** Ids are int64 in the spec; JSON numbers up to 2^53 are exact, and we keep them as decimal text. */
const Id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform((v) => String(v));

export const Money = z.object({ amount: z.number(), currency: z.string().optional(), convertedAmount: z.number().optional() });

export const Dataset = z.object({
  name: z.string().optional(),
  additionalStatus: z.string().optional(),
  updateEligibility: z.string().optional(),
  lastUpdated: z.string().optional(),
  lastUpdateAttempt: z.string().optional(),
  nextUpdateScheduled: z.string().optional(),
});
export type Dataset = z.infer<typeof Dataset>;

export const ProviderAccount = z.object({
  id: Id,
  providerId: Id.optional(),
  status: z.string().optional(),
  requestId: z.string().optional(),
  isManual: z.boolean().optional(),
  createdDate: z.string().optional(),
  lastUpdated: z.string().optional(),
  dataset: z.array(Dataset).optional(),
});
export type ProviderAccount = z.infer<typeof ProviderAccount>;

/** Yodlee answers `{}` instead of an empty list when there is nothing (its documented habit). */
export const ProviderAccountsResponse = z.object({ providerAccount: z.array(ProviderAccount).optional() });

export const Account = z.object({
  id: Id,
  CONTAINER: z.string(),
  providerAccountId: Id.optional(),
  providerId: Id.optional(),
  providerName: z.string().optional(),
  accountName: z.string().optional(),
  nickname: z.string().optional(),
  accountNumber: z.string().optional(),
  accountType: z.string().optional(),
  accountStatus: z.string().optional(),
  isManual: z.boolean().optional(),
  balance: Money.optional(),
  currentBalance: Money.optional(),
  availableBalance: Money.optional(),
  lastUpdated: z.string().optional(),
});
export type Account = z.infer<typeof Account>;

export const AccountsResponse = z.object({ account: z.array(z.unknown()).optional() });

export const Transaction = z.object({
  id: Id,
  CONTAINER: z.string().optional(),
  accountId: Id.optional(),
  amount: Money,
  baseType: z.enum(['CREDIT', 'DEBIT']),
  status: z.string(),
  date: z.string().optional(),
  transactionDate: z.string().optional(),
  postDate: z.string().optional(),
  description: z.object({ original: z.string().optional(), simple: z.string().optional(), consumer: z.string().optional() }).optional(),
  merchant: z.object({ name: z.string().optional() }).optional(),
  type: z.string().optional(),
  subType: z.string().optional(),
  checkNumber: z.string().optional(),
  memo: z.string().optional(),
});
export type Transaction = z.infer<typeof Transaction>;

/** Lines are checked one by one (map.ts) so one bad line is quarantined, not the whole page. */
export const TransactionsResponse = z.object({ transaction: z.array(z.unknown()).optional() });
