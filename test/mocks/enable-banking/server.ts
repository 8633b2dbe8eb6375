import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EnableBankingApi, NotFound } from './api.js';
import { authenticate, makeApplication } from './auth.js';
import { consentDecision, consentPage, type PageResponse } from './consent-page.js';
import { ApiError, faultBody } from './errors.js';
import { MockState } from './state.js';
import { apiTimestamp } from './util.js';

export interface EnableBankingMockOptions {
  /** The mock's clock: consent expiry, code expiry, daily limits and data dates follow it. */
  now?: () => Date;
  /** Clock for JWT iat/exp checks; defaults to `now` (the brief: exp must be future by the mock clock). */
  jwtNow?: () => Date;
  port?: number;
  applicationId?: string;
  /** PKCS#8 PEM of the application key; a fresh RSA-2048 pair is generated when omitted. */
  privateKeyPem?: string;
  redirectUrls?: string[];
  allowRedirect?: (url: string) => boolean;
  unattendedDailyLimit?: number;
  latencyMs?: number;
  maxConcurrency?: number;
  pageSize?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
}

export interface SessionSummary {
  session_id: string;
  status: string;
  valid_until: string;
  aspsp: { name: string; country: string };
  accounts: { uid: string; identification_hash: string }[];
  closed?: string;
}

export interface EnableBankingMock {
  /** Base URL (no trailing slash); point BANKSYNC_ENABLE_BANKING_BASE_URL at it. */
  url: string;
  applicationId: string;
  privateKeyPem: string;
  requests: RecordedRequest[];
  /** Highest number of requests in flight at once so far. */
  readonly maxConcurrent: number;
  close(): Promise<void>;
  control: {
    /** One-shot fault for the next authenticated API call whose path matches (substring or RegExp). */
    failNext(pathPattern: string | RegExp, status: number, body?: object | string): void;
    /** Ends every open session now (status EXPIRED, data calls → EXPIRED_SESSION). */
    expireSessions(): void;
    sessions(): SessionSummary[];
  };
}

export const DEFAULT_APPLICATION_ID = 'e2b6d1c4-7f3a-4b8e-9c21-5a0d3f6e8b17';
/** banksync's default loopback callback and the official samples' redirect (facts §0.5, §5.3). */
export const DEFAULT_REDIRECT_URLS = ['http://127.0.0.1:8765/callback', 'http://localhost:8080/auth_redirect'];

export async function startEnableBankingMock(opts: EnableBankingMockOptions = {}): Promise<EnableBankingMock> {
  const now = opts.now ?? (() => new Date());
  const jwtNow = opts.jwtNow ?? now;
  const application = makeApplication(opts.applicationId ?? DEFAULT_APPLICATION_ID, opts.privateKeyPem);
  const state = new MockState(application.id);
  let baseUrl = '';
  const api = new EnableBankingApi(state, {
    baseUrl: () => baseUrl,
    redirectUrls: opts.redirectUrls ?? DEFAULT_REDIRECT_URLS,
    allowRedirect: opts.allowRedirect,
    unattendedDailyLimit: opts.unattendedDailyLimit ?? 4,
    pageSize: opts.pageSize ?? 50,
  });
  const requests: RecordedRequest[] = [];
  const faults: { pattern: string | RegExp; status: number; body?: object | string }[] = [];
  let inFlight = 0;
  let maxConcurrent = 0;

  const takeFault = (path: string) => {
    const i = faults.findIndex((f) => (typeof f.pattern === 'string' ? path.includes(f.pattern) : f.pattern.test(path)));
    return i < 0 ? undefined : faults.splice(i, 1)[0];
  };

  async function respond(req: IncomingMessage, url: URL, raw: string): Promise<{ status: number; body: unknown } | PageResponse> {
    // The consent page is a browser page on the provider's side: no JWT.
    if (url.pathname === '/welcome' && req.method === 'GET') return consentPage(state, url.searchParams.get('sessionid'));
    if (url.pathname === '/welcome' && req.method === 'POST') return consentDecision(state, new URLSearchParams(raw), now());

    const app = await authenticate(req.headers.authorization, [application], jwtNow());
    const fault = takeFault(url.pathname);
    if (fault) return { status: fault.status, body: faultBody(fault.status, fault.body) };
    let body: unknown;
    if (raw.trim()) {
      try {
        body = JSON.parse(raw);
      } catch {
        throw new ApiError('WRONG_REQUEST_PARAMETERS', 'Wrong request parameters provided', 'Request body is not valid JSON');
      }
    }
    return { status: 200, body: api.handle({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body, now: now(), app }) };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    inFlight++;
    maxConcurrent = Math.max(maxConcurrent, inFlight);
    res.on('close', () => inFlight--);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers });
    const overLimit = opts.maxConcurrency !== undefined && inFlight > opts.maxConcurrency;

    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));

    let out: { status: number; body: unknown } | PageResponse;
    if (overLimit) {
      out = { status: 429, body: { message: 'Too many requests', code: 429, error: 'ASPSP_RATE_LIMIT_EXCEEDED', detail: `More than ${opts.maxConcurrency} concurrent requests` } };
    } else {
      try {
        out = await respond(req, url, Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        if (err instanceof ApiError) out = { status: err.status, body: err.body };
        else if (err instanceof NotFound) out = { status: 404, body: { message: 'Not Found', code: 404, error: null, detail: `${req.method} ${url.pathname}` } };
        else out = { status: 500, body: { message: 'Internal server error', code: 500, error: 'ASPSP_ERROR', detail: String(err) } };
      }
    }
    if ('headers' in out) {
      res.writeHead(out.status, out.headers).end(out.body);
    } else {
      res.writeHead(out.status, { 'content-type': 'application/json' }).end(JSON.stringify(out.body));
    }
  }

  // A client that hangs up mid-body must not crash the test run.
  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    applicationId: application.id,
    privateKeyPem: application.privateKeyPem,
    requests,
    get maxConcurrent() {
      return maxConcurrent;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    control: {
      failNext: (pattern, status, body) => void faults.push({ pattern, status, body }),
      expireSessions: () => {
        const t = now();
        for (const s of state.sessions.values()) if (!s.closed && s.validUntil > t) s.validUntil = t;
      },
      sessions: () =>
        [...state.sessions.values()].map((s) => ({
          session_id: s.id,
          status: state.status(s, now()),
          valid_until: apiTimestamp(s.validUntil),
          aspsp: { name: s.authorization.aspsp.name, country: s.authorization.aspsp.country },
          accounts: s.accounts.map((a) => ({ uid: a.uid, identification_hash: a.account.identificationHash })),
          ...(s.closed ? { closed: apiTimestamp(s.closed) } : {}),
        })),
    },
  };
}
