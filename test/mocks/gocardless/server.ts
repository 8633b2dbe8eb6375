// GoCardless Bank Account Data mock server over loopback HTTP. Point an adapter
// at it with BANKSYNC_GOCARDLESS_BASE_URL=<handle.url>; it appends /api/v2/….
// Behaviour comes from /work/shared/providers/README.md §2 and openapi.json.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OpenAPIBackend } from 'openapi-backend';
import { isAuthenticated, tokenNew, tokenRefresh } from './auth.js';
import { showConsentPage, submitConsent } from './consent-page.js';
import type { Handler, MockContext } from './context.js';
import { errorA, invalidToken, rateLimitExceeded, type Reply } from './errors.js';
import { acceptAgreement, createAgreementHandler, deleteAgreement, getAgreement, listAgreements, reconfirmAgreement } from './handlers-agreements.js';
import { getAccount, getBalances, getDetails, getTransactions } from './handlers-accounts.js';
import { getInstitution, listInstitutions } from './handlers-institutions.js';
import { createRequisition, deleteRequisition, getRequisition, listRequisitions } from './handlers-requisitions.js';
import { bodyContentTypes, coerceFormBody, createSpecBackend, matchRoute, validateRequest, type SpecRequest } from './openapi.js';
import { DailyAccountLimits, FixedWindows, generalHeaders, RULES, type RuleName } from './rate-limits.js';
import { serializeAccount, serializeRequisition, Store } from './state.js';

export interface GoCardlessMockOptions {
  now?: () => Date;
  port?: number;
  secretId?: string;
  secretKey?: string;
  /** Successful calls per account, scope and UTC day (facts §2.8: as few as 4). */
  accountDailyLimit?: number;
  latencyMs?: number;
  /** More requests in flight than this are answered 429. */
  maxConcurrency?: number;
  /** Company-level per-minute/hour API limits (default true); off for long benchmarks. */
  apiRateLimits?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[]>;
  body?: unknown;
  /** The status answered (set once the reply is sent). */
  status?: number;
}

export interface GoCardlessMockHandle {
  url: string;
  close(): Promise<void>;
  requests: RecordedRequest[];
  /** One line per request that did not conform to openapi.json. */
  openApiViolations: string[];
  readonly maxConcurrent: number;
  control: {
    /** Ends access of every accepted agreement now: EUAExpiredError, requisitions EX. */
    expireAgreements(): void;
    /** One-shot fault: the next request whose path matches gets this answer. */
    failNext(pathPattern: RegExp, status: number, body: object, headers?: Record<string, string>): void;
    setAccountStatus(accountId: string, status: string): void;
    /** Benchmarks: change latency or the concurrency limit between phases; zero the in-flight high-water mark. */
    tune(t: { latencyMs?: number; maxConcurrency?: number }): void;
    resetMaxConcurrent(): void;
    requisitions(): ReturnType<typeof serializeRequisition>[];
    /** Requisitions deleted through DELETE /api/v2/requisitions/{id}/ (revoked), in order. */
    revoked(): string[];
    accounts(): Array<ReturnType<typeof serializeAccount> & { requisition: string }>;
  };
}

interface Operation {
  handler: Handler;
  rule: RuleName;
  /** Token endpoints take secrets, not a bearer token. */
  public?: boolean;
}

// Keyed by the spec's operationIds.
const OPERATIONS: Record<string, Operation> = {
  'Obtain new access/refresh token pair': { handler: tokenNew, rule: 'tokenNew', public: true },
  'Get a new access token': { handler: tokenRefresh, rule: 'tokenRefresh', public: true },
  'retrieve all supported Institutions in a given country': { handler: listInstitutions, rule: 'institutions' },
  'retrieve institution': { handler: getInstitution, rule: 'institutions' },
  'create EUA': { handler: createAgreementHandler, rule: 'agreementCreate' },
  'retrieve all agreements': { handler: listAgreements, rule: 'agreementRead' },
  'retrieve EUA by id': { handler: getAgreement, rule: 'agreementRead' },
  'delete EUA by id': { handler: deleteAgreement, rule: 'delete' },
  'accept EUA': { handler: acceptAgreement, rule: 'agreementAccept' },
  'Retrieve EUA reconfirmation': { handler: reconfirmAgreement, rule: 'agreementRead' },
  'Create EUA reconfirmation': { handler: reconfirmAgreement, rule: 'agreementCreate' },
  'Create requisition': { handler: createRequisition, rule: 'requisitionCreate' },
  'retrieve all requisitions': { handler: listRequisitions, rule: 'requisitionRead' },
  'requisition by id': { handler: getRequisition, rule: 'requisitionRead' },
  'delete requisition by id': { handler: deleteRequisition, rule: 'delete' },
  'retrieve account metadata': { handler: getAccount, rule: 'accounts' },
  'retrieve account details': { handler: getDetails, rule: 'accounts' },
  'retrieve account balances': { handler: getBalances, rule: 'accounts' },
  'retrieve account transactions': { handler: getTransactions, rule: 'accounts' },
};

interface Fault {
  pattern: RegExp;
  reply: Reply;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload = '';
  if (reply.html !== undefined) {
    headers['Content-Type'] = 'text/html; charset=utf-8';
    payload = reply.html;
  } else if (reply.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(reply.body);
  }
  res.writeHead(reply.status, headers);
  res.end(payload);
}

// Compiling the spec's validators takes a few hundred ms; they hold no state, so share them.
let sharedBackend: Promise<OpenAPIBackend> | undefined;

export async function startGoCardlessMock(options: GoCardlessMockOptions = {}): Promise<GoCardlessMockHandle> {
  const opts = { ...options }; // tune() changes latency and limits between benchmark phases

  const api = await (sharedBackend ??= createSpecBackend());
  const ctx: MockContext = {
    store: new Store(),
    now: opts.now ?? (() => new Date()),
    baseUrl: '',
    secretId: opts.secretId ?? 'sandbox-secret-id',
    secretKey: opts.secretKey ?? 'sandbox-secret-key',
    daily: new DailyAccountLimits(opts.accountDailyLimit ?? 4),
  };
  const windows = new FixedWindows();
  const requests: RecordedRequest[] = [];
  const openApiViolations: string[] = [];
  const faults: Fault[] = [];
  let inFlight = 0;
  let maxConcurrent = 0;

  /** Answer to a /api/v2 request, following the API's order: route, auth, throttle, validation. */
  function handleApi(specReq: SpecRequest, rawBody: string): Reply {
    const violation = (problems: string[]) => openApiViolations.push(`${specReq.method} ${specReq.path}: ${problems.join('; ')}`);
    const route = matchRoute(api, specReq);
    if (!route.operationId) {
      violation(route.problems);
      return route.reply ?? errorA(404, 'Not found.', 'Not found.');
    }
    const operationId = route.operationId;
    const operation = OPERATIONS[operationId];
    if (!operation) throw new Error(`no handler for ${operationId}`);

    const accepted = bodyContentTypes(api, operationId);
    const contentType =
      String(specReq.headers['content-type'] ?? '')
        .split(';')[0]
        ?.trim()
        .toLowerCase() ?? '';
    if (accepted.length > 0 && rawBody.length > 0) {
      if (contentType === 'application/json') {
        try {
          specReq.body = JSON.parse(rawBody);
        } catch (e) {
          violation([`request body is not valid JSON`]);
          return errorA(400, 'Parse error', `JSON parse error - ${(e as Error).message}`);
        }
      } else if (contentType === 'application/x-www-form-urlencoded') {
        specReq.body = coerceFormBody(api, operationId, new URLSearchParams(rawBody));
      } else {
        // multipart/form-data is in the spec too, but the mock does not parse it.
        violation([`unsupported request content type "${contentType}"`]);
        const msg = `Unsupported media type "${contentType}" in request.`;
        return errorA(415, msg, msg);
      }
    }

    const validation = validateRequest(api, operationId, specReq);
    // The spec's global security requirement (jwtAuth) covers everything but the token endpoints.
    const problems = operation.public || specReq.headers.authorization ? validation.problems : [...validation.problems, 'missing Authorization header (security scheme jwtAuth, bearer)'];
    if (problems.length > 0) violation(problems);

    if (!operation.public && !isAuthenticated(ctx, specReq.headers)) return invalidToken();
    let headers: Record<string, string> = {};
    if (opts.apiRateLimits !== false) {
      const limit = windows.take(operation.rule, ctx.now());
      headers = generalHeaders(limit);
      if (!limit.ok) {
        return { ...rateLimitExceeded(RULES[operation.rule].label, limit.reset), headers };
      }
    }
    if (validation.reply) return { ...validation.reply, headers };

    const params = api.router.parseRequest(specReq, api.router.getOperation(operationId)).params as Record<string, string>;
    const reply = operation.handler(ctx, {
      params,
      query: specReq.query,
      body: (specReq.body ?? {}) as Record<string, unknown>,
      headers: specReq.headers,
    });
    return { ...reply, headers: { ...headers, ...reply.headers } };
  }

  function handleConsent(method: string, path: string, rawBody: string): Reply | undefined {
    const m = /^\/psd2\/start\/([^/]+)\/([^/]+)\/?$/.exec(path);
    if (!m) return undefined;
    const [id, institution] = [decodeURIComponent(m[1] ?? ''), decodeURIComponent(m[2] ?? '')];
    if (method === 'GET') return showConsentPage(ctx, id, institution);
    if (method === 'POST') return submitConsent(ctx, id, institution, new URLSearchParams(rawBody));
    return { status: 405, html: 'Method not allowed' };
  }

  const server = createServer(async (req, res) => {
    inFlight++;
    maxConcurrent = Math.max(maxConcurrent, inFlight);
    res.on('close', () => inFlight--);
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = (req.method ?? 'GET').toUpperCase();
      const query = Object.fromEntries(url.searchParams);
      const rawBody = await readBody(req);
      let body: unknown;
      try {
        body = rawBody ? JSON.parse(rawBody) : undefined;
      } catch {
        body = rawBody;
      }
      const headers = Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string | string[]] => e[1] !== undefined));
      const recorded: RecordedRequest = { method, path: url.pathname, query, headers, body };
      requests.push(recorded);

      const isApi = url.pathname.startsWith('/api/');
      let reply: Reply;
      const faultIndex = faults.findIndex((f) => f.pattern.test(url.pathname));
      if (isApi && opts.maxConcurrency !== undefined && inFlight > opts.maxConcurrency) {
        reply = rateLimitExceeded(`${opts.maxConcurrency}/concurrent requests`, 1);
      } else if (faultIndex >= 0) {
        reply = faults.splice(faultIndex, 1)[0]!.reply;
      } else if (isApi) {
        reply = handleApi({ method, path: url.pathname, query, headers, body: undefined }, rawBody);
      } else {
        reply = handleConsent(method, url.pathname, rawBody) ?? errorA(404, 'Not found.', 'Not found.');
      }
      if (isApi && opts.latencyMs) await sleep(opts.latencyMs);
      recorded.status = reply.status;
      send(res, reply);
    } catch (e) {
      console.error('gocardless mock: internal error', e);
      send(res, errorA(500, 'Mock internal error', String(e)));
    }
  });

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  ctx.baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: ctx.baseUrl,
    requests,
    openApiViolations,
    get maxConcurrent() {
      return maxConcurrent;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
    control: {
      tune(t) {
        if (t.latencyMs !== undefined) opts.latencyMs = t.latencyMs;
        if (t.maxConcurrency !== undefined) opts.maxConcurrency = t.maxConcurrency;
      },
      resetMaxConcurrent() {
        maxConcurrent = inFlight;
      },
      expireAgreements() {
        const now = ctx.now();
        for (const a of ctx.store.agreements.values()) if (a.accepted) a.forcedExpiry = now;
      },
      failNext(pattern, status, body, headers) {
        faults.push({ pattern, reply: { status, body, headers } });
      },
      setAccountStatus(accountId, status) {
        const acc = ctx.store.accounts.get(accountId);
        if (!acc) throw new Error(`unknown account ${accountId}`);
        acc.statusOverride = status === 'READY' ? undefined : status;
      },
      requisitions: () => [...ctx.store.requisitions.values()].map((r) => serializeRequisition(ctx.store, r, ctx.now())),
      revoked: () => [...ctx.store.revokedRequisitions],
      accounts: () =>
        [...ctx.store.accounts.values()].map((a) => ({
          ...serializeAccount(ctx.store, a, ctx.now()),
          requisition: a.requisitionId,
        })),
    },
  };
}
