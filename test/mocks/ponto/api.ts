import { isIP } from 'node:net';
// The /ponto-connect resource routes (facts §1.1–1.8). Handlers throw ApiError for JSON:API errors.
import type { IncomingHttpHeaders } from 'node:http';
import type { Account } from './data.js';
import { ORGANIZATION } from './data.js';
import { ApiError, invalid, notFound, paginate } from './jsonapi.js';
import { bearerGrant, revokeEndpoint, tokenEndpoint } from './oauth.js';
import { accountResource, institutionResource, newestFirst, syncResource, transactionResource } from './serialize.js';
import { advanceSync, createSync, isAuthorized, recentSync, SUBTYPES, type Grant, type MockState, type SyncSubtype } from './state.js';

export interface ApiRequest {
  method: string;
  /** Path below /ponto-connect, split on "/", without empty parts (so trailing slashes don't matter). */
  segments: string[];
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** https://host/ponto-connect as the client addressed it. */
  base: string;
  /** http://127.0.0.1:PORT of the browser-facing authorization listener. */
  authorizationBase: string;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** OAuth endpoints answer plain JSON, everything else JSON:API. */
  oauth?: boolean;
}

const ok = (body: unknown, status = 200): ApiResponse => ({ status, body });

function linksMap(b: string): unknown {
  return {
    links: {
      accounts: `${b}/accounts/{accountId}`,
      account: {
        transactions: `${b}/accounts/{accountId}/transactions/{transactionId}`,
        pendingTransactions: `${b}/accounts/{accountId}/pending-transactions/{pendingTransactionId}`,
        reauthorizationRequests: `${b}/accounts/{accountId}/reauthorization-requests`,
      },
      financialInstitutions: `${b}/financial-institutions/{financialInstitutionId}`,
      synchronizations: `${b}/synchronizations/{synchronizationId}`,
      synchronization: {
        updatedTransactions: `${b}/synchronizations/{synchronizationId}/updated-transactions`,
        updatedPendingTransactions: `${b}/synchronizations/{synchronizationId}/updated-pending-transactions`,
      },
      oauth2: { token: `${b}/oauth2/token`, revoke: `${b}/oauth2/revoke` },
      userinfo: `${b}/userinfo`,
    },
  };
}

/** Account information needs the `ai` scope. */
function aiGrant(state: MockState, req: ApiRequest): Grant {
  const grant = bearerGrant(state, req.headers);
  if (!grant.scopes.includes('ai')) throw new ApiError(403, 'insufficientScope', 'The access token does not include the "ai" scope.');
  return grant;
}

function linkedAccount(state: MockState, grant: Grant, id: string): Account {
  const account = grant.accountIds.has(id) ? state.accounts.get(id) : undefined;
  if (!account) throw notFound('account');
  return account;
}

/** Transactions are only served while the bank authorization holds (banksync brief; facts §1.8). */
function readableAccount(state: MockState, req: ApiRequest, id: string): Account {
  const account = linkedAccount(state, aiGrant(state, req), id);
  if (!isAuthorized(account, state.now())) {
    throw new ApiError(403, 'authorizationExpired', 'The authorization to access this account has expired. Request a reauthorization of the account.', { resource: 'account' });
  }
  return account;
}

function jsonBody(req: ApiRequest): { type?: unknown; attributes: Record<string, unknown> } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body);
  } catch {
    throw invalid('data', 'The request body must be a JSON:API document.');
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  if (typeof data !== 'object' || data === null) throw invalid('data', 'The request body must contain "data".');
  const { type, attributes } = data as { type?: unknown; attributes?: unknown };
  return { type, attributes: typeof attributes === 'object' && attributes !== null ? (attributes as Record<string, unknown>) : {} };
}

const FILTERABLE = ['name', 'bic', 'country', 'status'] as const;

/** Ibanity-style filter[attr][op]=value; a bare filter[attr]=value means eq (facts §1.4). */
function institutionFilter(query: URLSearchParams): (attrs: Record<string, unknown>) => boolean {
  const tests: ((attrs: Record<string, unknown>) => boolean)[] = [];
  for (const [key, value] of query) {
    const m = /^filter\[(\w+)\](?:\[(\w+)\])?$/.exec(key);
    if (!m) continue;
    const [, attr = '', op = 'eq'] = m;
    if (!(FILTERABLE as readonly string[]).includes(attr) || !['eq', 'contains', 'in'].includes(op)) {
      throw invalid(key, `Unsupported filter ${key}; filter on ${FILTERABLE.join(', ')} with eq, contains or in.`);
    }
    const text = (attrs: Record<string, unknown>): string => String(attrs[attr] ?? '').toLowerCase();
    const wanted = value.toLowerCase();
    if (op === 'eq') tests.push((a) => text(a) === wanted);
    if (op === 'contains') tests.push((a) => text(a).includes(wanted));
    if (op === 'in') tests.push((a) => wanted.split(',').includes(text(a)));
  }
  return (attrs) => tests.every((t) => t(attrs));
}

function financialInstitutions(state: MockState, req: ApiRequest, id: string | undefined): ApiResponse {
  // Public catalogue without a token; with one, only the organization's institutions (facts §1.4).
  let list = state.institutions;
  if (req.headers.authorization) {
    const grant = bearerGrant(state, req.headers);
    const own = new Set([...grant.accountIds].map((a) => state.accounts.get(a)?.institutionId));
    list = list.filter((fi) => own.has(fi.id));
  }
  if (id !== undefined) {
    const fi = list.find((f) => f.id === id);
    if (!fi) throw notFound('financialInstitution');
    return ok({ data: institutionResource(req.base, fi) });
  }
  const keep = institutionFilter(req.query);
  const filtered = list.filter((fi) => keep(fi.attributes as unknown as Record<string, unknown>));
  return ok(paginate(filtered, req.query, `${req.base}/financial-institutions`, (fi) => institutionResource(req.base, fi)));
}

function accounts(state: MockState, req: ApiRequest, rest: string[]): ApiResponse {
  const [id, sub, itemId, extra] = rest;
  if (id === undefined) {
    if (req.method !== 'GET') throw notFound('route');
    const grant = aiGrant(state, req);
    const list = [...state.accounts.values()].filter((a) => grant.accountIds.has(a.id));
    return ok(paginate(list, req.query, `${req.base}/accounts`, (a) => accountResource(req.base, state, a)));
  }
  if (sub === undefined) {
    const grant = aiGrant(state, req);
    const account = linkedAccount(state, grant, id);
    if (req.method === 'DELETE') {
      // Revokes the account from this integration only; the organization keeps it (facts §1.5).
      grant.accountIds.delete(account.id);
      return ok({ data: { type: 'account', id: account.id } });
    }
    if (req.method !== 'GET') throw notFound('route');
    return ok({ data: accountResource(req.base, state, account) });
  }
  if (extra !== undefined) throw notFound('route');
  if (sub === 'reauthorization-requests' && req.method === 'POST' && itemId === undefined) {
    return reauthorize(state, req, linkedAccount(state, aiGrant(state, req), id));
  }
  if ((sub !== 'transactions' && sub !== 'pending-transactions') || req.method !== 'GET') throw notFound('route');
  const account = readableAccount(state, req, id);
  const pending = sub === 'pending-transactions';
  const items = newestFirst(pending ? account.pending : account.booked);
  const serialize = (t: (typeof items)[number]): unknown => transactionResource(req.base, account.id, t, pending);
  if (itemId !== undefined) {
    const t = items.find((x) => x.id === itemId);
    if (!t) throw notFound(pending ? 'pendingTransaction' : 'transaction');
    return ok({ data: serialize(t) });
  }
  return ok(paginate(items, req.query, `${req.base}/accounts/${account.id}/${sub}`, serialize));
}

function reauthorize(state: MockState, req: ApiRequest, account: Account): ApiResponse {
  const { type, attributes } = jsonBody(req);
  if (type !== 'reauthorizationRequest') throw invalid('type', 'data.type must be "reauthorizationRequest".');
  const redirectUri = attributes.redirectUri;
  if (typeof redirectUri !== 'string' || !URL.canParse(redirectUri) || !state.allowRedirect(redirectUri)) {
    throw invalid('redirectUri', 'redirectUri must be a redirect URI registered for the application.');
  }
  const id = state.rng.uuid();
  state.reauthorizations.set(id, { id, accountId: account.id, redirectUri, used: false });
  return ok(
    {
      data: {
        type: 'reauthorizationRequest',
        id,
        relationships: { account: { data: { type: 'account', id: account.id } } },
        links: { redirect: `${req.authorizationBase}/reauthorize/${id}` },
      },
    },
    201,
  );
}

function synchronizations(state: MockState, req: ApiRequest, rest: string[]): ApiResponse {
  const grant = aiGrant(state, req);
  const [id, sub, extra] = rest;
  if (id === undefined && req.method === 'POST') {
    const { type, attributes } = jsonBody(req);
    if (type !== 'synchronization') throw invalid('type', 'data.type must be "synchronization".');
    if (attributes.resourceType !== 'account') throw invalid('resourceType', 'resourceType must be "account".');
    if (!SUBTYPES.includes(attributes.subtype as SyncSubtype)) throw invalid('subtype', `subtype must be one of ${SUBTYPES.join(', ')}.`);
    const account = linkedAccount(state, grant, String(attributes.resourceId));
    const subtype = attributes.subtype as SyncSubtype;
    if (recentSync(state, account.id, subtype)) {
      throw new ApiError(400, 'accountRecentlySynchronized', 'This type of synchronization was already created recently for the account. Try again later or on the Dashboard.', {
        resource: 'synchronization',
      });
    }
    // Required (facts §1.7, the official Postman collection, the generated OpenAPI client).
    const ip = typeof attributes.customerIpAddress === 'string' && isIP(attributes.customerIpAddress) ? attributes.customerIpAddress : null;
    if (ip === null) throw invalid('customerIpAddress', 'customerIpAddress must contain the IP address of the customer.');
    return ok({ data: syncResource(req.base, createSync(state, account.id, subtype, ip, state.now())) }, 201);
  }
  const sync = id !== undefined ? state.syncs.get(id) : undefined;
  if (!sync || !grant.accountIds.has(sync.accountId) || req.method !== 'GET' || extra !== undefined) throw notFound('synchronization');
  if (sub === undefined) {
    advanceSync(state, sync, true);
    return ok({ data: syncResource(req.base, sync) });
  }
  if (sub !== 'updated-transactions' && sub !== 'updated-pending-transactions') throw notFound('route');
  const account = readableAccount(state, req, sync.accountId);
  // Pending lines never change in this mock, so a sync never updates any.
  const ids = new Set(sub === 'updated-transactions' ? sync.updatedTransactionIds : []);
  const items = newestFirst(account.booked.filter((t) => ids.has(t.id)));
  return ok(paginate(items, req.query, `${req.base}/synchronizations/${sync.id}/${sub}`, (t) => transactionResource(req.base, account.id, t, false)));
}

function formBody(req: ApiRequest): URLSearchParams {
  return new URLSearchParams(req.body);
}

export function route(state: MockState, req: ApiRequest): ApiResponse {
  const [head, ...rest] = req.segments;
  if (head === undefined && req.method === 'GET') return ok(linksMap(req.base));
  if (head === 'oauth2' && req.method === 'POST' && rest.length === 1) {
    const result = rest[0] === 'token' ? tokenEndpoint(state, req.headers, formBody(req)) : rest[0] === 'revoke' ? revokeEndpoint(state, req.headers, formBody(req)) : undefined;
    if (result) return { ...result, oauth: true };
  }
  if (head === 'userinfo' && req.method === 'GET' && rest.length === 0) {
    const grant = bearerGrant(state, req.headers);
    const info: Record<string, unknown> = { sub: ORGANIZATION.id };
    // The organization name only comes with the "name" scope (facts §1.3).
    if (grant.scopes.includes('name')) info.name = ORGANIZATION.name;
    return { status: 200, oauth: true, body: { ...info, paymentsActivated: false, paymentsActivationRequested: false, onboardingComplete: true } };
  }
  if (head === 'financial-institutions' && req.method === 'GET' && rest.length <= 1) return financialInstitutions(state, req, rest[0]);
  if (head === 'accounts') return accounts(state, req, rest);
  if (head === 'synchronizations') return synchronizations(state, req, rest);
  throw notFound('route');
}
