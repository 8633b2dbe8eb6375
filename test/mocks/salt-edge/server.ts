import { createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dayNumber, FAKE_OTP, isoDay, linesOn, PROVIDERS, type MockLine, type MockProvider } from './data.js';
import { seError, type Reply } from './errors.js';

/**
 * A loopback Salt Edge (API v6; facts §3), stateful: App-id/Secret and RSA request signatures,
 * customers, connect sessions whose connect_url "plays the user" (the GET creates or renews the
 * connection and 302-redirects to return_to), reconnect, consents with expires_at, refreshes with
 * next_refresh_possible_at and a background-fetch limit, an interactive bank that asks an OTP,
 * from_id/next_id paging, pending lines, DELETE, and injected error classes with exact bodies.
 * Data only changes when a fetch (connect or refresh) happens: what Salt Edge holds is what the
 * last successful attempt fetched, as at the real service.
 */
export interface SaltEdgeMockOptions {
  now?: () => Date;
  port?: number;
  appId?: string;
  secret?: string;
  /** When set, every request must carry a valid Signature/Expires-at (Live client). */
  publicKeyPem?: string;
  /** Records per page (Salt Edge pages by 1000 [unverified]; small here so paging is exercised). */
  pageSize?: number;
  /** Time between refreshes (next_refresh_possible_at). */
  refreshCooldownMs?: number;
  /** Background fetches allowed per rolling 24 h (PSD2: 4). */
  backgroundFetchesPerDay?: number;
  /** Days of history generated before the connection's first fetch. */
  historyDays?: number;
  /** A refresh of a bank that asks nothing (and an accepted OTP) finishes within the request. */
  instantRefresh?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  status?: number;
}

interface Attempt {
  id: string;
  finished: boolean;
  stage: string;
  fail?: { cls: string; message: string };
}

interface MockConnection {
  id: string;
  customerId: string;
  provider: MockProvider;
  createdAt: Date;
  lastSuccessAt: Date;
  nextRefreshAt: Date;
  consent: { id: string; createdAt: Date; expiresAt: Date };
  attempt: Attempt;
  background: number[];
  removed: boolean;
  /** First day of history (day number). */
  firstDay: number;
}

interface ConnectSession {
  customerId: string;
  returnTo?: string;
  /** Reconnect: the connection being renewed. */
  connectionId?: string;
  periodDays: number;
  used: boolean;
}

export interface TruthLine {
  id: string;
  account: string;
  made_on: string;
  amount: string;
  currency: string;
}

export interface SaltEdgeMock {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
  control: {
    /** Next request whose "METHOD path" matches answers with this Salt Edge error class (times: how many). */
    failNext(match: RegExp, cls: string, times?: number, message?: string): void;
    /** Replaces the next matching answer's body with raw text (malformed-body tests). */
    rawNext(match: RegExp, status: number, text: string): void;
    /** The bank the connect page picks when the address does not say (?provider=). */
    setConnectProvider(code: string): void;
    expireConsent(connectionId: string): void;
    /** The running interactive attempt gives up (InteractiveAdapterTimeout). */
    timeoutInteractive(connectionId: string): void;
    connections(): { id: string; customerId: string; provider: string; removed: boolean; consentExpiresAt: string; nextRefreshAt: string; lastSuccessAt: string }[];
    customers(): string[];
    /** Booked lines Salt Edge holds for an account now (fetched ≤ last success, not that day). */
    truth(accountId: string): TruthLine[];
    accounts(connectionId: string): { id: string; currency: string }[];
  };
}

const DAY_MS = 86_400_000;
const PREFIX = '/api/v6/';

export async function startSaltEdgeMock(opts: SaltEdgeMockOptions = {}): Promise<SaltEdgeMock> {
  const now = opts.now ?? (() => new Date());
  const appId = opts.appId ?? 'test-app-id';
  const secret = opts.secret ?? 'test-secret';
  const publicKey: KeyObject | undefined = opts.publicKeyPem ? createPublicKey(opts.publicKeyPem) : undefined;
  const pageSize = opts.pageSize ?? 4;
  const cooldown = opts.refreshCooldownMs ?? 3_600_000;
  const perDay = opts.backgroundFetchesPerDay ?? 4;
  const historyDays = opts.historyDays ?? 60;

  const requests: RecordedRequest[] = [];
  const customers = new Map<string, string>(); // id → identifier
  const connections = new Map<string, MockConnection>();
  const sessions = new Map<string, ConnectSession>();
  const faults: { match: RegExp; reply: Reply | { raw: string; status: number }; times: number }[] = [];
  let connectProvider = 'fakebank_simple_xf';
  let seq = 1000;
  const nextId = () => String(++seq);
  let root = '';

  const accountId = (c: MockConnection, suffix: string) => `${c.id}${suffix === 'eur' ? '1' : suffix === 'bhd' ? '2' : '3'}`;

  /** Booked lines (made before the last fetch's day) and pending ones (made that day). */
  function linesOf(c: MockConnection, accId: string): { booked: MockLine[]; pending: MockLine[] } {
    const acc = c.provider.accounts.find((a) => accountId(c, a.suffix) === accId);
    if (!acc) return { booked: [], pending: [] };
    const fetched = dayNumber(c.lastSuccessAt);
    const booked: MockLine[] = [];
    for (let d = c.firstDay; d < fetched; d++) booked.push(...linesOn(accId, acc.currency, d, acc.suffix.length));
    const pending = linesOn(accId, acc.currency, fetched, acc.suffix.length).map((l) => ({ ...l, id: `p${l.id}` }));
    return { booked, pending };
  }

  /** A running attempt moves on each time the client looks (GET), like a real fetch in progress. */
  function advance(c: MockConnection): void {
    const a = c.attempt;
    if (a.finished) return;
    if (a.stage === 'start') {
      if (c.provider.interactive) a.stage = 'interactive';
      else finish(c);
    } else if (a.stage === 'fetch_accounts') finish(c);
  }

  function finish(c: MockConnection): void {
    c.attempt.finished = true;
    c.attempt.stage = 'finish';
    c.lastSuccessAt = now();
  }

  const iso = (d: Date) => d.toISOString();

  function connectionJson(c: MockConnection) {
    const a = c.attempt;
    return {
      id: c.id,
      customer_id: c.customerId,
      provider_code: c.provider.code,
      provider_name: c.provider.name,
      country_code: 'XF',
      status: 'active',
      created_at: iso(c.createdAt),
      last_success_at: iso(c.lastSuccessAt),
      next_refresh_possible_at: iso(c.nextRefreshAt),
      last_consent_id: c.consent.id,
      last_attempt: {
        id: a.id,
        finished: a.finished,
        stage: a.stage,
        interactive_fields_names: a.stage === 'interactive' ? ['otp'] : null,
        interactive_html: a.stage === 'interactive' ? '<p>Enter the code sent by SMS</p>' : null,
        fail_error_class: a.fail?.cls ?? null,
        fail_message: a.fail?.message ?? null,
      },
    };
  }

  function page<T extends { id: string }>(items: T[], fromId: string | null): { data: T[]; meta: { next_id: string | null; next_page: string | null } } {
    let start = 0;
    if (fromId) {
      start = items.findIndex((x) => x.id === fromId);
      if (start < 0) start = items.length;
    }
    const data = items.slice(start, start + pageSize);
    const next = items[start + pageSize]?.id ?? null;
    return { data, meta: { next_id: next, next_page: null } };
  }

  /** The line as Salt Edge writes it: amount is the raw JSON number text. */
  const lineJson = (l: MockLine, status: 'posted' | 'pending') =>
    `{"id":${JSON.stringify(l.id)},"account_id":${JSON.stringify(l.account)},"made_on":"${l.made_on}","amount":${l.amount},"currency_code":"${l.currency}","description":${JSON.stringify(l.description)},"status":"${status}","duplicated":false,"mode":"normal","extra":{${Number(l.amount) < 0 ? '"payee"' : '"payer"'}:${JSON.stringify(l.payee)}}}`;

  function newConnection(s: ConnectSession, provider: MockProvider): MockConnection {
    const t = now();
    const c: MockConnection = {
      id: nextId(),
      customerId: s.customerId,
      provider,
      createdAt: t,
      lastSuccessAt: t,
      nextRefreshAt: new Date(t.getTime() + cooldown),
      consent: { id: nextId(), createdAt: t, expiresAt: new Date(t.getTime() + s.periodDays * DAY_MS) },
      attempt: { id: nextId(), finished: true, stage: 'finish' },
      background: [],
      removed: false,
      firstDay: dayNumber(t) - historyDays,
    };
    connections.set(c.id, c);
    return c;
  }

  function auth(req: IncomingMessage, body: string): Reply | undefined {
    const id = req.headers['app-id'];
    const sec = req.headers.secret;
    if (!id) return seError('AppIdNotProvided');
    if (!sec) return seError('SecretNotProvided');
    if (id !== appId || sec !== secret) return seError('ApiKeyNotFound');
    if (!publicKey) return undefined;
    const exp = String(req.headers['expires-at'] ?? '');
    const sig = String(req.headers.signature ?? '');
    if (!exp || !sig) return seError('MissingSignature');
    const t = Math.floor(now().getTime() / 1000);
    if (!/^\d+$/.test(exp) || Number(exp) < t || Number(exp) > t + 3600) return seError('ExpiresAtInvalid');
    const base = `${exp}|${req.method}|http://${req.headers.host}${req.url}|${body}|`;
    const ok = createVerify('RSA-SHA256').update(base).verify(publicKey, sig, 'base64');
    return ok ? undefined : seError('SignatureNotMatch');
  }

  function route(method: string, path: string, q: URLSearchParams, json: Record<string, unknown> | undefined): Reply {
    const data = (json?.data ?? {}) as Record<string, unknown>;
    const conn = (id: string): MockConnection | Reply => {
      const c = connections.get(id);
      return c && !c.removed ? c : seError('ConnectionNotFound');
    };
    const isReply = (x: unknown): x is Reply => typeof x === 'object' && x !== null && 'status' in x && !('provider' in x);
    let m: RegExpExecArray | null;

    if (method === 'GET' && path === 'countries') return { status: 200, body: { data: [{ code: 'XF', name: 'Fake' }] } };
    if (method === 'POST' && path === 'customers') {
      const identifier = String(data.identifier ?? '');
      if (!identifier) return seError('WrongRequestFormat', 'identifier is required');
      if ([...customers.values()].includes(identifier)) return seError('DuplicatedCustomer');
      const id = nextId();
      customers.set(id, identifier);
      return { status: 200, body: { data: { customer_id: id, identifier, created_at: iso(now()) } } };
    }
    if (method === 'POST' && (path === 'connections/connect' || (m = /^connections\/(\d+)\/reconnect$/.exec(path)))) {
      const reconnectId = path === 'connections/connect' ? undefined : /^connections\/(\d+)\/reconnect$/.exec(path)![1]!;
      let customerId = String(data.customer_id ?? '');
      if (reconnectId) {
        const c = conn(reconnectId);
        if (isReply(c)) return c;
        customerId = c.customerId;
      }
      if (!customers.has(customerId)) return seError('CustomerNotFound');
      const consent = (data.consent ?? {}) as Record<string, unknown>;
      const attempt = (data.attempt ?? {}) as Record<string, unknown>;
      if (!Array.isArray(consent.scopes)) return seError('WrongRequestFormat', 'consent.scopes is required');
      const token = nextId() + Math.random().toString(36).slice(2, 10);
      sessions.set(token, {
        customerId,
        returnTo: typeof attempt.return_to === 'string' ? attempt.return_to : undefined,
        connectionId: reconnectId,
        periodDays: Number(consent.period_days ?? 90),
        used: false,
      });
      return { status: 200, body: { data: { connect_url: `${root}connect/${token}`, expires_at: iso(new Date(now().getTime() + 3_600_000)) } } };
    }
    if (method === 'GET' && path === 'connections') {
      const list = [...connections.values()].filter((c) => !c.removed && c.customerId === q.get('customer_id'));
      list.forEach(advance);
      return { status: 200, body: page(list.map(connectionJson), q.get('from_id')) };
    }
    if ((m = /^connections\/(\d+)$/.exec(path))) {
      const c = conn(m[1]!);
      if (isReply(c)) return c;
      if (method === 'GET') {
        advance(c);
        return { status: 200, body: { data: connectionJson(c) } };
      }
      if (method === 'DELETE') {
        c.removed = true;
        return { status: 200, body: { data: { id: c.id, removed: true } } };
      }
    }
    if (method === 'PUT' && (m = /^connections\/(\d+)\/refresh$/.exec(path))) {
      const c = conn(m[1]!);
      if (isReply(c)) return c;
      const t = now().getTime();
      if (t >= c.consent.expiresAt.getTime()) return seError('ConsentExpired');
      if (!c.attempt.finished) return seError('ConnectionAlreadyProcessing', 'The connection is already being processed.', 406);
      if (t < c.nextRefreshAt.getTime()) return seError('ConnectionCannotBeRefreshed', `The connection can be refreshed after ${iso(c.nextRefreshAt)}.`);
      c.background = c.background.filter((x) => x > t - DAY_MS);
      if (c.background.length >= perDay) return seError('BackgroundFetchLimitExceeded');
      c.background.push(t);
      c.nextRefreshAt = new Date(t + cooldown);
      c.attempt = { id: nextId(), finished: false, stage: 'start' };
      if (opts.instantRefresh && !c.provider.interactive) finish(c);
      return { status: 200, body: { data: connectionJson(c) } };
    }
    if (method === 'PUT' && (m = /^connections\/(\d+)\/interactive$/.exec(path))) {
      const c = conn(m[1]!);
      if (isReply(c)) return c;
      if (c.attempt.finished || c.attempt.stage !== 'interactive') return seError('InteractiveFieldsNotRequired', 'The connection is not waiting for interactive fields.');
      const creds = (data.credentials ?? {}) as Record<string, unknown>;
      if (creds.otp === FAKE_OTP) {
        c.attempt.stage = 'fetch_accounts';
        if (opts.instantRefresh) finish(c);
      } else {
        c.attempt.finished = true;
        c.attempt.fail = { cls: 'InvalidInteractiveCredentials', message: 'The code was not accepted by the bank.' };
      }
      return { status: 200, body: { data: connectionJson(c) } };
    }
    if (method === 'GET' && path === 'consents') {
      const c = conn(q.get('connection_id') ?? '');
      if (isReply(c)) return c;
      return {
        status: 200,
        body: {
          data: [
            {
              id: c.consent.id,
              connection_id: c.id,
              status: 'active',
              scopes: ['accounts', 'transactions'],
              created_at: iso(c.consent.createdAt),
              expires_at: iso(c.consent.expiresAt),
              revoked_at: null,
            },
          ],
          meta: { next_id: null, next_page: null },
        },
      };
    }
    if (method === 'GET' && path === 'accounts') {
      const c = conn(q.get('connection_id') ?? '');
      if (isReply(c)) return c;
      const list = c.provider.accounts.map((a) => {
        const id = accountId(c, a.suffix);
        return { id, connection_id: c.id, name: a.name, nature: a.nature, balance: 0, currency_code: a.currency, updated_at: iso(c.lastSuccessAt), extra: a.iban ? { iban: a.iban } : {} };
      });
      return { status: 200, body: page(list, q.get('from_id')) };
    }
    if (method === 'GET' && path === 'transactions') {
      const c = conn(q.get('connection_id') ?? '');
      if (isReply(c)) return c;
      const accId = q.get('account_id');
      if (!accId || !c.provider.accounts.some((a) => accountId(c, a.suffix) === accId)) return seError('AccountNotFound', 'Account with this id was not found.', 404);
      const pending = q.get('pending') === 'true';
      const lines = pending ? linesOf(c, accId).pending : linesOf(c, accId).booked;
      const p = page(lines, q.get('from_id'));
      const text = `{"data":[${p.data.map((l) => lineJson(l, pending ? 'pending' : 'posted')).join(',')}],"meta":${JSON.stringify(p.meta)}}`;
      return { status: 200, html: text };
    }
    return seError('RouteNotFound', `No route ${method} ${path}`);
  }

  /** The Connect page, playing the user: picks the bank, gives consent, and comes back. */
  function connectPage(token: string, q: URLSearchParams): Reply {
    const s = sessions.get(token);
    if (!s || s.used) return { status: 404, html: '<p>This connect session has expired or was used.</p>' };
    s.used = true;
    let c: MockConnection;
    if (s.connectionId) {
      c = connections.get(s.connectionId)!;
      const t = now();
      c.consent = { id: nextId(), createdAt: t, expiresAt: new Date(t.getTime() + s.periodDays * DAY_MS) };
      c.attempt = { id: nextId(), finished: true, stage: 'finish' };
      c.lastSuccessAt = t;
    } else {
      const provider = PROVIDERS.find((p) => p.code === (q.get('provider') ?? connectProvider)) ?? PROVIDERS[0]!;
      c = newConnection(s, provider);
    }
    if (!s.returnTo) return { status: 200, html: `<p>Connected ${c.provider.name} (connection ${c.id}). You can close this page.</p>` };
    const back = new URL(s.returnTo);
    back.searchParams.set('connection_id', c.id);
    return { status: 302, redirect: back.toString() };
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (b: Buffer) => chunks.push(b));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      const rec: RecordedRequest = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, headers: req.headers, body };
      requests.push(rec);
      const send = (r: Reply | { raw: string; status: number }) => {
        rec.status = r.status;
        if ('raw' in r) return end(res, r.status, 'application/json', r.raw);
        if ('redirect' in r && r.redirect) {
          res.writeHead(302, { location: r.redirect });
          return res.end();
        }
        if (r.html !== undefined) return end(res, r.status, r.html.startsWith('{') ? 'application/json' : 'text/html', r.html);
        return end(res, r.status, 'application/json', JSON.stringify(r.body));
      };
      const cm = /^\/connect\/([A-Za-z0-9]+)$/.exec(u.pathname);
      if (cm && req.method === 'GET') return send(connectPage(cm[1]!, u.searchParams));
      if (!u.pathname.startsWith(PREFIX)) return send(seError('RouteNotFound', `No route ${req.method} ${u.pathname}`));
      const path = u.pathname.slice(PREFIX.length);
      const denied = auth(req, body);
      if (denied) return send(denied);
      const key = `${req.method} ${path}`;
      const fault = faults.find((f) => f.match.test(key));
      if (fault) {
        if (--fault.times <= 0) faults.splice(faults.indexOf(fault), 1);
        return send(fault.reply);
      }
      let json: Record<string, unknown> | undefined;
      if (body) {
        try {
          json = JSON.parse(body) as Record<string, unknown>;
        } catch {
          return send(seError('WrongRequestFormat', 'The request body is not valid JSON.'));
        }
      }
      send(route(req.method ?? 'GET', path, u.searchParams, json));
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  root = `http://127.0.0.1:${port}/`;

  return {
    url: `${root}${PREFIX.slice(1)}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    control: {
      failNext: (match, cls, times = 1, message) => void faults.push({ match, reply: message === undefined ? seError(cls) : seError(cls, message), times }),
      rawNext: (match, status, text) => void faults.push({ match, reply: { raw: text, status }, times: 1 }),
      setConnectProvider: (code) => void (connectProvider = code),
      expireConsent: (id) => void (connections.get(id)!.consent.expiresAt = new Date(now().getTime() - 1000)),
      timeoutInteractive: (id) => {
        const c = connections.get(id)!;
        c.attempt.finished = true;
        c.attempt.fail = { cls: 'InteractiveAdapterTimeout', message: 'The interactive step was not answered in time.' };
      },
      connections: () =>
        [...connections.values()].map((c) => ({
          id: c.id,
          customerId: c.customerId,
          provider: c.provider.code,
          removed: c.removed,
          consentExpiresAt: iso(c.consent.expiresAt),
          nextRefreshAt: iso(c.nextRefreshAt),
          lastSuccessAt: iso(c.lastSuccessAt),
        })),
      customers: () => [...customers.keys()],
      truth: (accId) => {
        const c = [...connections.values()].find((x) => x.provider.accounts.some((a) => accountId(x, a.suffix) === accId));
        if (!c) throw new Error(`no mock account ${accId}`);
        return linesOf(c, accId).booked.map((l) => ({ id: l.id, account: l.account, made_on: l.made_on, amount: l.amount, currency: l.currency }));
      },
      accounts: (id) => {
        const c = connections.get(id)!;
        return c.provider.accounts.map((a) => ({ id: accountId(c, a.suffix), currency: a.currency }));
      },
    },
  };
}

function end(res: ServerResponse, status: number, type: string, text: string): void {
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8` });
  res.end(text);
}

export { isoDay };
