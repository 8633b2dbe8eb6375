// OAuth2 as Ponto runs it (facts §1.2–1.3): authorization code + PKCE S256, HTTP Basic client
// authentication, rotating refresh tokens, revocation. Errors use the OAuth shape
// {error, error_description, error_hint}.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from './jsonapi.js';
import { ACCESS_TOKEN_TTL_S, authorize, isAuthorized, type Grant, type MockState, type PendingAuthorization } from './state.js';

export const SCOPES = ['ai', 'pi', 'offline_access', 'name'];
const CODE_TTL_MS = 10 * 60_000;

export interface OAuthResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Secrets are random (not seeded): tests never pin them and they must not be guessable. */
const secret = (): string => randomBytes(32).toString('base64url');

const oauthError = (status: number, error: string, description: string, hint: string): OAuthResult => ({
  status,
  body: { error, error_description: description, error_hint: hint },
  headers: status === 401 ? { 'www-authenticate': 'Basic realm="ponto-connect"' } : {},
});

const INVALID_GRANT_DESCRIPTION =
  'The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.';

const invalidGrant = (hint: string): OAuthResult => oauthError(400, 'invalid_grant', INVALID_GRANT_DESCRIPTION, hint);

/** HTTP Basic client_id:client_secret, the only client authentication Ponto documents. */
function clientAuthenticated(state: MockState, headers: IncomingHttpHeaders, form: URLSearchParams): boolean {
  const match = /^Basic\s+(.+)$/i.exec(headers.authorization ?? '');
  if (!match?.[1]) return false;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const id = decoded.slice(0, colon);
  if (colon < 0 || id !== state.clientId || decoded.slice(colon + 1) !== state.clientSecret) return false;
  const bodyClient = form.get('client_id');
  return bodyClient === null || bodyClient === id;
}

const unauthenticatedClient = (): OAuthResult =>
  oauthError(
    401,
    'invalid_client',
    'Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).',
    'Use HTTP Basic authentication with the client id and secret of the application.',
  );

function issueTokens(state: MockState, grant: Grant): OAuthResult {
  const accessToken = secret();
  state.accessTokens.set(accessToken, { grant, expiresAt: state.now().getTime() + ACCESS_TOKEN_TTL_S * 1000 });
  const body: Record<string, unknown> = { access_token: accessToken, expires_in: ACCESS_TOKEN_TTL_S };
  // Without offline_access no refresh token is issued (facts §1.2).
  if (grant.scopes.includes('offline_access')) {
    grant.refreshToken = secret();
    body.refresh_token = grant.refreshToken;
  }
  body.scope = grant.scopes.join(' ');
  body.token_type = 'bearer';
  return { status: 200, body, headers: { 'cache-control': 'no-store' } };
}

export function tokenEndpoint(state: MockState, headers: IncomingHttpHeaders, form: URLSearchParams): OAuthResult {
  if (!clientAuthenticated(state, headers, form)) return unauthenticatedClient();
  const grantType = form.get('grant_type');
  if (grantType === 'authorization_code') return exchangeCode(state, form);
  if (grantType === 'refresh_token') return refresh(state, form);
  return oauthError(
    400,
    'unsupported_grant_type',
    'The authorization grant type is not supported by the authorization server.',
    `Grant type "${grantType ?? ''}" is not supported here; use authorization_code or refresh_token.`,
  );
}

function exchangeCode(state: MockState, form: URLSearchParams): OAuthResult {
  const code = form.get('code');
  if (!code)
    return oauthError(
      400,
      'invalid_request',
      'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.',
      'The "code" parameter is missing.',
    );
  const entry = state.codes.get(code);
  if (!entry || entry.used || entry.expiresAt <= state.now().getTime()) {
    return invalidGrant('The authorization code is unknown, has expired or has already been used.');
  }
  if (form.get('redirect_uri') !== entry.redirectUri) {
    return invalidGrant('The "redirect_uri" from this request does not match the one from the authorize request.');
  }
  const verifier = form.get('code_verifier') ?? '';
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) {
    return invalidGrant('The PKCE code verifier must be 43 to 128 characters of [A-Za-z0-9._~-].');
  }
  if (createHash('sha256').update(verifier).digest('base64url') !== entry.codeChallenge) {
    return invalidGrant('The PKCE code challenge did not match the code verifier.');
  }
  entry.used = true;
  const grant: Grant = { id: secret(), scopes: entry.scopes, accountIds: new Set(entry.accountIds), revoked: false, refreshToken: null };
  state.grants.set(grant.id, grant);
  return issueTokens(state, grant);
}

function refresh(state: MockState, form: URLSearchParams): OAuthResult {
  const token = form.get('refresh_token');
  const grant = token ? [...state.grants.values()].find((g) => !g.revoked && g.refreshToken === token) : undefined;
  // An already-rotated token lands here too: only the newest one of a grant is valid.
  if (!grant) return invalidGrant('The refresh token was not found, has already been used or has been revoked.');
  return issueTokens(state, grant);
}

/** RFC 7009: 200 even for unknown tokens. Revoking a refresh token ends the integration (§1.2). */
export function revokeEndpoint(state: MockState, headers: IncomingHttpHeaders, form: URLSearchParams): OAuthResult {
  if (!clientAuthenticated(state, headers, form)) return unauthenticatedClient();
  const token = form.get('token');
  if (!token)
    return oauthError(
      400,
      'invalid_request',
      'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.',
      'The "token" parameter is missing.',
    );
  const grant = [...state.grants.values()].find((g) => g.refreshToken === token);
  if (grant && !grant.revoked) {
    grant.revoked = true;
    state.revokedGrants.push(grant.id);
  }
  state.accessTokens.delete(token);
  return { status: 200, body: undefined };
}

/** The grant behind a bearer token, or a JSON:API 401. */
export function bearerGrant(state: MockState, headers: IncomingHttpHeaders): Grant {
  const match = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
  const entry = match?.[1] ? state.accessTokens.get(match[1]) : undefined;
  if (!entry || entry.grant.revoked || entry.expiresAt <= state.now().getTime()) {
    throw new ApiError(401, 'unauthorized', 'The access token is missing, invalid, expired or revoked.');
  }
  return entry.grant;
}

export type AuthorizeOutcome = { kind: 'consent'; challenge: string; request: PendingAuthorization } | { kind: 'error-page'; status: number; message: string } | { kind: 'redirect'; location: string };

function redirectTo(uri: string, params: Record<string, string | null>): string {
  const url = new URL(uri);
  for (const [key, value] of Object.entries(params)) if (value !== null) url.searchParams.set(key, value);
  return url.toString();
}

/**
 * GET /oauth2/auth. An unknown client or unregistered redirect URI gets an error page (never a
 * redirect to an untrusted URI); other mistakes go back to the client as `?error=…` (RFC 6749 §4.1.2.1).
 */
export function startAuthorization(state: MockState, query: URLSearchParams): AuthorizeOutcome {
  if (query.get('client_id') !== state.clientId) {
    return { kind: 'error-page', status: 400, message: 'invalid_client: unknown client_id.' };
  }
  const redirectUri = query.get('redirect_uri');
  if (!redirectUri || !URL.canParse(redirectUri) || !state.allowRedirect(redirectUri)) {
    return { kind: 'error-page', status: 400, message: 'invalid_request: redirect_uri is not registered for this application.' };
  }
  const stateParam = query.get('state');
  const fail = (error: string, description: string): AuthorizeOutcome => ({
    kind: 'redirect',
    location: redirectTo(redirectUri, { error, error_description: description, state: stateParam }),
  });
  if (query.get('response_type') !== 'code') return fail('unsupported_response_type', 'Only response_type=code is supported.');
  const scopes = (query.get('scope') ?? '').split(/\s+/).filter(Boolean);
  const unknown = scopes.filter((s) => !SCOPES.includes(s));
  if (unknown.length > 0) return fail('invalid_scope', `Unknown scope: ${unknown.join(' ')}.`);
  const codeChallenge = query.get('code_challenge');
  if (!codeChallenge) return fail('invalid_request', 'PKCE is required: code_challenge is missing.');
  if (query.get('code_challenge_method') !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256.');
  const challenge = secret();
  const request: PendingAuthorization = { redirectUri, scopes, state: stateParam, codeChallenge };
  state.consents.set(challenge, request);
  return { kind: 'consent', challenge, request };
}

/** The user's decision on the consent page; `accountIds` are the accounts they chose to share. */
export function decideAuthorization(state: MockState, challenge: string, approve: boolean, accountIds: string[]): AuthorizeOutcome {
  const request = state.consents.get(challenge);
  if (!request) return { kind: 'error-page', status: 400, message: 'This authorization request is unknown or was already answered.' };
  state.consents.delete(challenge);
  if (!approve) {
    return {
      kind: 'redirect',
      location: redirectTo(request.redirectUri, { error: 'access_denied', error_description: 'The resource owner denied the request.', state: request.state }),
    };
  }
  const now = state.now();
  const shared = accountIds.filter((id) => state.accounts.has(id));
  // Linking an account in Ponto includes the bank (PSD2) consent; a still-valid one is kept.
  for (const id of shared) {
    const account = state.accounts.get(id);
    if (account && !isAuthorized(account, now)) authorize(account, now);
  }
  const code = secret();
  state.codes.set(code, { ...request, accountIds: shared, expiresAt: now.getTime() + CODE_TTL_MS, used: false });
  return { kind: 'redirect', location: redirectTo(request.redirectUri, { code, state: request.state }) };
}
