// Error bodies, copied from the named examples in openapi.json (facts §2.9).
// Shape A: {summary, detail, type?, status_code}. Shape B: {<field>: …, status_code}.

export interface Reply {
  status: number;
  body?: unknown;
  html?: string;
  headers?: Record<string, string>;
}

export function errorA(status: number, summary: string, detail: string, type?: string): Reply {
  return { status, body: type ? { summary, detail, type, status_code: status } : { summary, detail, status_code: status } };
}

export interface FieldError {
  summary: string;
  detail: string;
}
/** The spec's examples use all three forms, per field and per error. */
export type FieldErrorValue = FieldError | FieldError[] | string[];

export function fieldErrors(status: number, fields: Record<string, FieldErrorValue>): Reply {
  return { status, body: { ...fields, status_code: status } };
}

export const invalidToken = () => errorA(401, 'Invalid token', 'Token is invalid or expired');
export const notFound = () => errorA(404, 'Not found.', 'Not found.');
export const invalidUuid = (id: string) => errorA(400, 'Invalid ID', `${id} is not a valid UUID.`);

/** RateLimitExceeded: company-level API limits (facts §2.8). */
export function rateLimitExceeded(limit: string, secondsLeft: number): Reply {
  return errorA(429, 'Rate limit exceeded', `The rate limit for this resource is ${limit}. Please try again in ${secondsLeft} seconds`);
}

/** Account data endpoints say "Couldn't update account <scope>" in their bank-side errors. */
export type Scope = 'details' | 'balances' | 'transactions';

export const accountErrors = {
  invalidId: (id: string) => errorA(400, 'Invalid Account ID', `${id} is not a valid Account UUID. `),
  notFound: (id: string) => errorA(404, `Account ID ${id} not found`, 'Please check whether you specified a valid Account ID'),
  euaExpired: (euaId: string, days: number, expiredAt: string) =>
    errorA(
      401,
      `End User Agreement (EUA) ${euaId} has expired`,
      `EUA was valid for ${days} days and it expired at ${expiredAt}. The end user must connect the account once more with new EUA and Requisition`,
    ),
  accessExpired: (scope: Scope) => errorA(401, `Couldn't update account ${scope}`, 'Access has expired or it has been revoked. To restore access reconnect the account.', 'AccessExpiredError'),
  noValidEua: () => errorA(403, 'No valid End User Agreement', 'Account exists but there is no valid End User Agreement permitting you to access it'),
  scope: (scope: Scope) =>
    errorA(403, 'End User Agreement (EUA) access scope error', `EUA doesn't allow access to account ${scope}. Check EUA access scope. Or create new EUA with correct access scope`),
  suspended: () => errorA(409, 'Account suspended', 'This account or its requisition was suspended due to numerous errors that occurred while accessing it.'),
  dailyLimit: (scope: Scope) => errorA(429, `Couldn't update account ${scope}`, 'Daily request limit set by the Institution has been exceeded.', 'RateLimitError'),
  dateRange: (from: string, to: string) =>
    errorA(400, 'Incorrect date range', `Starting date '${from}' is greater than end date '${to}'. When specifying date range, starting date must precede the end date`),
};

export const unknownInstitution = (id: string) =>
  fieldErrors(400, {
    institution_id: { summary: `Unknown Institution ID ${id}`, detail: 'Get Institution IDs from /institutions/?country={$COUNTRY_CODE}' },
  });
