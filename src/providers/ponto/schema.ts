import { z } from 'zod';

/** Wire shapes, checked at the boundary; unknown fields pass through untouched. */
export const Token = z.object({
  access_token: z.string().min(1),
  expires_in: z.number(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().optional(),
  token_type: z.string().optional(),
});
export type Token = z.infer<typeof Token>;

/** A JSON:API collection page; items are checked one by one so a bad one can be named. */
export const Collection = z.object({
  data: z.array(z.unknown()),
  links: z.object({ next: z.string().nullish() }).passthrough().nullish(),
});

export const Institution = z.object({
  id: z.string(),
  attributes: z.object({
    name: z.string(),
    country: z.string().nullish(),
    status: z.string().nullish(),
    bic: z.string().nullish(),
    deprecated: z.boolean().nullish(),
  }),
});
export type Institution = z.infer<typeof Institution>;

export const Account = z.object({
  id: z.string(),
  attributes: z.object({
    reference: z.string().nullish(),
    referenceType: z.string().nullish(),
    subtype: z.string().nullish(),
    description: z.string().nullish(),
    product: z.string().nullish(),
    currency: z.string(),
    currentBalance: z.number().nullish(),
    currentBalanceReferenceDate: z.string().nullish(),
    authorizationExpirationExpectedAt: z.string().nullish(),
  }),
  relationships: z.object({
    financialInstitution: z.object({ data: z.object({ id: z.string() }) }),
  }),
});
export type Account = z.infer<typeof Account>;

/** Booked and pending transactions share this shape; the amount is a signed JSON number. */
export const Transaction = z.object({
  id: z.string(),
  attributes: z.object({
    amount: z.number(),
    currency: z.string(),
    valueDate: z.string().nullish(),
    executionDate: z.string().nullish(),
    description: z.string().nullish(),
    remittanceInformation: z.string().nullish(),
    counterpartName: z.string().nullish(),
    counterpartReference: z.string().nullish(),
  }),
});
export type Transaction = z.infer<typeof Transaction>;

export const Synchronization = z.object({
  data: z.object({
    id: z.string(),
    attributes: z.object({
      status: z.string(),
      errors: z.array(z.object({ code: z.string().optional(), detail: z.string().optional() }).passthrough()).nullish(),
    }),
  }),
});
export type Synchronization = z.infer<typeof Synchronization>['data'];

export const ReauthorizationRequest = z.object({
  data: z.object({ id: z.string(), links: z.object({ redirect: z.string().url() }) }),
});

export const One = <T extends z.ZodTypeAny>(item: T) => z.object({ data: item });
