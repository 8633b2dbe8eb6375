// Loopback Ponto Connect mock: an mTLS HTTPS API (api.ibanity.com/ponto-connect) plus a plain-HTTP
// browser listener standing in for authorization.myponto.com. See README.md for the behaviour map.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { route, type ApiResponse } from './api.js';
import { handleBrowser } from './consent-page.js';
import { ApiError, errorDocument } from './jsonapi.js';
import { accountResource } from './serialize.js';
import { advanceSync, createState, queueTransactions, type MockState, type PontoMockOptions } from './state.js';

export type { PontoMockOptions } from './state.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
}

export interface PontoMockControl {
  /** The next API request whose path matches gets this status and JSON body instead. */
  failNext(pathPattern: string | RegExp, status: number, body?: unknown): void;
  /** Every account's bank authorization ends now (mock clock). */
  /** Ends the bank authorization of these accounts (default: all) now. */
  expireAuthorizations(accountIds?: string[]): void;
  /** Queue n new booked lines at the bank; they appear after the next transactions synchronization. */
  addTransactions(accountId: string, n: number): void;
  /** All of the organization's accounts as JSON:API resources (linked to a grant or not). */
  accounts(): any[];
  /** Grants ended through POST /oauth2/revoke (the integration revoked), in order. */
  revoked(): string[];
}

export interface PontoMockHandle {
  /** https://127.0.0.1:PORT; the API lives under /ponto-connect. */
  url: string;
  /** http://127.0.0.1:PORT2/oauth2/auth, the browser authorization page. */
  authorizationUrl: string;
  caPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  certsDir: string;
  requests: RecordedRequest[];
  /** Highest number of API requests in flight at once. */
  readonly maxConcurrent: number;
  control: PontoMockControl;
  close(): Promise<void>;
}

const certsDir = fileURLToPath(new URL('./certs/', import.meta.url));
const pem = (name: string): string => readFileSync(`${certsDir}${name}`, 'utf8');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const PREFIX = '/ponto-connect';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function record(requests: RecordedRequest[], req: IncomingMessage, url: URL): void {
  requests.push({ method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers });
}

function send(res: ServerResponse, requestId: string, response: ApiResponse): void {
  const headers: Record<string, string> = { 'ibanity-request-id': requestId, ...response.headers };
  if (response.body === undefined) {
    res.writeHead(response.status, headers).end();
    return;
  }
  headers['content-type'] = response.oauth ? 'application/json' : 'application/vnd.api+json';
  res.writeHead(response.status, headers).end(JSON.stringify(response.body));
}

const errorResponse = (requestId: string, e: ApiError): ApiResponse => ({
  status: e.status,
  body: errorDocument(requestId, e.code, e.detail, e.meta),
  headers: e.headers,
});

export async function startPontoMock(opts: PontoMockOptions = {}): Promise<PontoMockHandle> {
  const state: MockState = createState(opts);
  const requests: RecordedRequest[] = [];
  const failures: { pattern: string | RegExp; status: number; body: unknown }[] = [];
  const idempotent = new Map<string, ApiResponse>();
  let inFlight = 0;
  let maxConcurrent = 0;

  const browser = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    record(requests, req, url);
    readBody(req)
      .then((body) => {
        const out = handleBrowser(state, req.method ?? 'GET', url, body);
        res.writeHead(out.status, out.headers).end(out.body);
      })
      .catch((e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e)));
  });

  const answer = (req: IncomingMessage, url: URL, body: string, requestId: string, limited: boolean): ApiResponse => {
    if (!(req.socket as TLSSocket).authorized) {
      return errorResponse(requestId, new ApiError(401, 'unauthorizedClient', 'A valid client certificate issued for this application is required (mutual TLS).'));
    }
    if (limited) {
      return errorResponse(requestId, new ApiError(429, 'tooManyRequests', 'Too many concurrent requests. Retry later.', {}, { 'retry-after': '1' }));
    }
    const failure = failures.findIndex((f) => (typeof f.pattern === 'string' ? url.pathname.includes(f.pattern) : f.pattern.test(url.pathname)));
    if (failure >= 0) {
      const [f] = failures.splice(failure, 1);
      return { status: f?.status ?? 500, body: f?.body ?? errorDocument(requestId, 'internalServerError', 'Injected failure.') };
    }
    if (url.pathname !== PREFIX && !url.pathname.startsWith(`${PREFIX}/`)) {
      return errorResponse(requestId, new ApiError(404, 'resourceNotFound', 'The requested route was not found.', { resource: 'route' }));
    }
    const key = req.headers['ibanity-idempotency-key'];
    const idempotencyKey = req.method === 'POST' && typeof key === 'string' ? `${url.pathname} ${key}` : undefined;
    const replay = idempotencyKey ? idempotent.get(idempotencyKey) : undefined;
    if (replay) return replay;
    // Timed synchronizations finish whether or not anyone polls them.
    if (opts.syncDurationMs !== undefined) for (const sync of state.syncs.values()) advanceSync(state, sync, false);
    let response: ApiResponse;
    try {
      response = route(state, {
        method: req.method ?? 'GET',
        segments: url.pathname.slice(PREFIX.length).split('/').filter(Boolean),
        query: url.searchParams,
        headers: req.headers,
        body,
        base: `https://${req.headers.host ?? url.host}${PREFIX}`,
        authorizationBase: authorizationOrigin,
      });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      response = errorResponse(requestId, e);
    }
    if (idempotencyKey) idempotent.set(idempotencyKey, response);
    return response;
  };

  const api = https.createServer({ key: pem('server-key.pem'), cert: pem('server.pem'), ca: pem('ca.pem'), requestCert: true, rejectUnauthorized: false }, (req, res) => {
    inFlight++;
    maxConcurrent = Math.max(maxConcurrent, inFlight);
    res.on('close', () => inFlight--);
    const limited = opts.maxConcurrency !== undefined && inFlight > opts.maxConcurrency;
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    record(requests, req, url);
    const requestId = randomUUID();
    readBody(req)
      .then(async (body) => {
        if (opts.latencyMs) await sleep(opts.latencyMs);
        send(res, requestId, answer(req, url, body, requestId, limited));
      })
      .catch((e: unknown) => send(res, requestId, { status: 500, body: errorDocument(requestId, 'internalServerError', String(e)) }));
  });

  const listen = (server: http.Server, port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const apiPort = await listen(api, opts.port ?? 0);
  const authorizationOrigin = `http://127.0.0.1:${await listen(browser, 0)}`;
  const url = `https://127.0.0.1:${apiPort}`;

  return {
    url,
    authorizationUrl: `${authorizationOrigin}/oauth2/auth`,
    caPem: pem('ca.pem'),
    clientCertPem: pem('client.pem'),
    clientKeyPem: pem('client-key.pem'),
    certsDir,
    requests,
    get maxConcurrent() {
      return maxConcurrent;
    },
    control: {
      failNext: (pattern, status, body) => {
        failures.push({ pattern, status, body });
      },
      expireAuthorizations: (accountIds) => {
        const past = new Date(state.now().getTime() - 1);
        for (const account of state.accounts.values()) if (!accountIds || accountIds.includes(account.id)) account.authorizationExpiresAt = past;
      },
      addTransactions: (accountId, n) => queueTransactions(state, accountId, n),
      accounts: () => [...state.accounts.values()].map((a) => accountResource(`${url}${PREFIX}`, state, a)),
      revoked: () => [...state.revokedGrants],
    },
    close: () => {
      const closed = [api, browser].map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
      api.closeAllConnections();
      browser.closeAllConnections();
      return Promise.all(closed).then(() => undefined);
    },
  };
}
