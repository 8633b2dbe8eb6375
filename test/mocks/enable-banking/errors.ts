/**
 * Enable Banking error body: {message, code (= HTTP status), error (ErrorCode), detail} (facts §5.8).
 * The facts list the codes but not which HTTP status each one uses; the table below is the mock's
 * choice (see README.md "Status codes"), so adapters should branch on `error`, not on the status.
 */
export const ERROR_STATUS = {
  AUTHORIZATION_NOT_PROVIDED: 401,
  UNAUTHORIZED_ACCESS: 401,
  EXPIRED_SESSION: 401,
  CLOSED_SESSION: 401,
  REVOKED_SESSION: 401,
  ACCESS_DENIED: 403,
  SESSION_DOES_NOT_EXIST: 404,
  ACCOUNT_DOES_NOT_EXIST: 404,
  TRANSACTION_DOES_NOT_EXIST: 404,
  INVALID_ACCOUNT_ID: 422,
  REDIRECT_URI_NOT_ALLOWED: 400,
  WRONG_ASPSP_PROVIDED: 400,
  WRONG_AUTHORIZATION_CODE: 400,
  EXPIRED_AUTHORIZATION_CODE: 400,
  ALREADY_AUTHORIZED: 400,
  NO_ACCOUNTS_ADDED: 400,
  WRONG_SESSION_STATUS: 400,
  WRONG_CONTINUATION_KEY: 400,
  DATE_TO_WITHOUT_DATE_FROM: 400,
  DATE_FROM_IN_FUTURE: 400,
  WRONG_DATE_INTERVAL: 400,
  PSU_HEADER_NOT_PROVIDED: 400,
  WRONG_REQUEST_PARAMETERS: 422,
  WRONG_TRANSACTIONS_PERIOD: 422,
  ASPSP_TIMEOUT: 408,
  ASPSP_RATE_LIMIT_EXCEEDED: 429,
  ASPSP_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  message: string;
  code: number;
  error: ErrorCode | null;
  detail: unknown;
}

/** Thrown by handlers; the server turns it into the documented JSON error response. */
export class ApiError extends Error {
  readonly status: number;
  readonly body: ErrorBody;

  constructor(error: ErrorCode, message: string, detail: unknown = null) {
    super(message);
    this.status = ERROR_STATUS[error];
    this.body = { message, code: this.status, error, detail };
  }
}

/** Default error for a status injected with control.failNext() without an explicit body. */
const FAULT_FOR_STATUS: Record<number, ErrorCode> = {
  400: 'WRONG_REQUEST_PARAMETERS',
  401: 'EXPIRED_SESSION',
  403: 'ACCESS_DENIED',
  404: 'ACCOUNT_DOES_NOT_EXIST',
  408: 'ASPSP_TIMEOUT',
  422: 'WRONG_REQUEST_PARAMETERS',
  429: 'ASPSP_RATE_LIMIT_EXCEEDED',
  500: 'ASPSP_ERROR',
};

/** Body for an injected fault: an explicit object wins, a string names the ErrorCode. */
export function faultBody(status: number, body?: object | string): unknown {
  if (typeof body === 'object') return body;
  const error = body ?? FAULT_FOR_STATUS[status] ?? 'ASPSP_ERROR';
  return { message: `Injected fault: ${error}`, code: status, error, detail: null };
}
