// Plaid's error bodies, with the messages Plaid's error reference gives (facts §4.8).
import { requestId } from './state.js';

export interface Reply {
  status: number;
  body?: unknown;
  html?: string;
}

export function plaidError(status: number, error_type: string, error_code: string, error_message: string, display_message: string | null = null): Reply {
  return {
    status,
    body: {
      error_type,
      error_code,
      error_code_reason: null,
      error_message,
      display_message,
      request_id: requestId(),
      causes: [],
      status,
      documentation_url: `https://plaid.com/docs/errors/${error_type.toLowerCase().replace(/_/g, '-')}/#${error_code.toLowerCase()}`,
      suggested_action: null,
    },
  };
}

export const ERRORS = {
  invalidApiKeys: () => plaidError(400, 'INVALID_INPUT', 'INVALID_API_KEYS', 'invalid client_id or secret provided'),
  invalidAccessToken: () => plaidError(400, 'INVALID_INPUT', 'INVALID_ACCESS_TOKEN', 'could not find matching access token'),
  invalidPublicToken: () => plaidError(400, 'INVALID_INPUT', 'INVALID_PUBLIC_TOKEN', 'could not find matching public token'),
  invalidLinkToken: () => plaidError(400, 'INVALID_INPUT', 'INVALID_LINK_TOKEN', 'could not find matching link token'),
  invalidInstitution: () => plaidError(400, 'INVALID_INPUT', 'INVALID_INSTITUTION', 'invalid institution_id provided'),
  itemNotFound: () =>
    plaidError(
      400,
      'ITEM_ERROR',
      'ITEM_NOT_FOUND',
      'The Item you requested cannot be found. This Item does not exist, has been previously removed via /item/remove, or has had access removed by the user.',
    ),
  itemLoginRequired: () =>
    plaidError(
      400,
      'ITEM_ERROR',
      'ITEM_LOGIN_REQUIRED',
      "the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information. use Link's update mode to restore the item to a good state",
      null,
    ),
  mutation: () =>
    plaidError(
      400,
      'TRANSACTIONS_ERROR',
      'TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION',
      'Underlying transaction data changed since last page was fetched. Please restart pagination from last update.',
    ),
  invalidCursor: () => plaidError(400, 'INVALID_INPUT', 'INVALID_FIELD', 'cursor is invalid or does not belong to this Item and account'),
  invalidRequest: (problems: string[]) => plaidError(400, 'INVALID_REQUEST', 'INVALID_FIELD', problems.join('; ').slice(0, 500)),
  rateLimit: () =>
    plaidError(429, 'RATE_LIMIT_EXCEEDED', 'TRANSACTIONS_SYNC_LIMIT', 'rate limit exceeded for attempts to access this item. please try again later', 'Too many attempts. Please try again later.'),
  institutionDown: () =>
    plaidError(
      400,
      'INSTITUTION_ERROR',
      'INSTITUTION_DOWN',
      'this institution is not currently responding to this request. please try again soon',
      'This financial institution is not currently responding to requests. We apologize for the inconvenience.',
    ),
  internal: () => plaidError(500, 'API_ERROR', 'INTERNAL_SERVER_ERROR', 'an unexpected error occurred', 'Something went wrong. Please try again later.'),
  notFound: () => plaidError(404, 'INVALID_REQUEST', 'NOT_FOUND', 'not found'),
};
