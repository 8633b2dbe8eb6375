// Salt Edge's error bodies: {error: {class, message, documentation_url}, request: {…}} (facts §3.8),
// with the HTTP status the docs give each class (as far as they give one [unverified for v6]).
export interface Reply {
  status: number;
  body?: unknown;
  redirect?: string;
  html?: string;
}

const STATUS: Record<string, number> = {
  AppIdNotProvided: 401,
  SecretNotProvided: 401,
  ApiKeyNotFound: 401,
  WrongSecret: 401,
  MissingSignature: 401,
  SignatureNotMatch: 401,
  ExpiresAtInvalid: 400,
  InvalidCredentials: 406,
  InvalidInteractiveCredentials: 406,
  ConsentExpired: 406,
  ConnectionCannotBeRefreshed: 406,
  BackgroundFetchLimitExceeded: 406,
  InteractiveAdapterTimeout: 406,
  ProviderUnavailable: 503,
  TooManyRequests: 429,
  ConnectionNotFound: 404,
  CustomerNotFound: 404,
  AccountNotFound: 404,
  RouteNotFound: 404,
  DuplicatedCustomer: 409,
  WrongRequestFormat: 400,
  InteractiveFieldsNotRequired: 406,
};

export const MESSAGES: Record<string, string> = {
  AppIdNotProvided: 'App-id header is missing.',
  SecretNotProvided: 'Secret header is missing.',
  ApiKeyNotFound: 'API key with the provided App-id and Secret was not found.',
  MissingSignature: 'Signature header is missing.',
  SignatureNotMatch: 'The Signature header does not match the request.',
  ExpiresAtInvalid: 'Expires-at header is in the past or more than 1 hour in the future.',
  InvalidCredentials: 'Invalid credentials were provided to the bank.',
  ConsentExpired: 'The consent for this connection has expired.',
  ConnectionCannotBeRefreshed: 'The connection cannot be refreshed yet.',
  BackgroundFetchLimitExceeded: 'The limit of background fetches for this connection was exceeded.',
  InteractiveAdapterTimeout: 'The interactive step was not answered in time.',
  ProviderUnavailable: 'The provider is temporarily unavailable.',
  TooManyRequests: 'Too many requests.',
  ConnectionNotFound: 'Connection with this id was not found.',
  CustomerNotFound: 'Customer with this id was not found.',
  DuplicatedCustomer: 'A customer with this identifier already exists.',
};

export function seError(cls: string, message = MESSAGES[cls] ?? cls, status = STATUS[cls] ?? 400): Reply {
  return {
    status,
    body: {
      error: { class: cls, message, documentation_url: `https://docs.saltedge.com/v6/api_reference#errors-${cls.toLowerCase()}` },
      request: { format: 'json' },
    },
  };
}
