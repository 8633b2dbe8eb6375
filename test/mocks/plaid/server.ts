// Plaid mock over loopback HTTP, behaving like Plaid's sandbox (facts §4): Hosted Link that a
// test "visits", user_good/pass_good, per-account /transactions/sync cursors with has_more
// paging, modified/removed, pending → posted, NOT_READY first, ITEM_LOGIN_REQUIRED and update
// mode, exact error bodies. Every request and every response is validated against Plaid's
// official OpenAPI file; problems land in openApiViolations.
// Point the adapter at it with BANKSYNC_PLAID_BASE_URL=<handle.url>.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { OpenAPIBackend } from 'openapi-backend';
import { addDays, type MockAccount } from './data.js';
import { ERRORS, plaidError, type Reply } from './errors.js';
import { createSpecBackend, operationIdOf, requestProblems, responseProblems } from './openapi.js';
import { requestId, SANDBOX_INSTITUTIONS, Store, type LinkTokenRecord, type MockItem } from './state.js';

export interface PlaidMockOptions {
  now?: () => Date;
  port?: number;
  clientId?: string;
  secret?: string;
  /** At most this many changes per /transactions/sync page, whatever `count` asks (Plaid may send fewer). */
  pageLimit?: number;
  /** /transactions/sync calls per new Item answered NOT_READY (default 1). */
  notReadyCalls?: number;
  seed?: string;
}

export interface RecordedRequest {
  path: string;
  body: unknown;
  status?: number;
}

export interface PlaidMockHandle {
  url: string;
  close(): Promise<void>;
  requests: RecordedRequest[];
  openApiViolations: string[];
  control: {
    /** The hosted link page as a browser would open it: finishes the Link session. */
    completeLink(hostedLinkUrl: string, opts?: { username?: string; password?: string; institutionId?: string }): Promise<void>;
    /** Like /sandbox/item/reset_login: data calls answer ITEM_LOGIN_REQUIRED until update mode. */
    requireLogin(itemId?: string): void;
    /** The next /transactions/sync continuation page (page 2+) answers the mutation error, once. */
    mutateDuringPagination(): void;
    /**
     * Holds the next /transactions/sync continuation page (page 2+ of a loop) until released:
     * `reached` resolves when it arrives, so a test can kill the client mid-pagination.
     */
    stallNextContinuation(): { reached: Promise<void>; release(): void };
    /** One-shot fault: the next request whose path matches gets this answer. */
    failNext(pathPattern: RegExp, reply: Reply): void;
    items(): MockItem[];
    /** How many changes of each kind Plaid has handed out so far on the mock's `now` (pending lines apart). */
    changes(itemId?: string): { added: number; modified: number; removed: number; pending: number };
    /** The lines as they stand now, Plaid's sign (positive = money out). */
    truth(itemId?: string): Array<{ transaction_id: string; account_id: string; amount: number; date: string; pending: boolean; name: string; merchant_name: string | null }>;
    accounts(itemId?: string): MockAccount[];
  };
}

const DATA_CALLS = new Set(['/accounts/get', '/transactions/sync', '/item/get']);

interface Cursor {
  a: string;
  n: number;
  /** Issued with has_more: the next call continues a loop. */
  m?: 1;
}
const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64');
function decodeCursor(s: string): Cursor | undefined {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64').toString('utf8')) as Cursor;
    return typeof c.n === 'number' && typeof c.a === 'string' ? c : undefined;
  } catch {
    return undefined;
  }
}

let sharedBackend: Promise<OpenAPIBackend> | undefined;

export async function startPlaidMock(options: PlaidMockOptions = {}): Promise<PlaidMockHandle> {
  const api = await (sharedBackend ??= createSpecBackend());
  const now = options.now ?? (() => new Date());
  const today = () => now().toISOString().slice(0, 10);
  const clientId = options.clientId ?? 'test-client-id';
  const secret = options.secret ?? 'test-sandbox-secret';
  const pageLimit = options.pageLimit ?? 500;
  const store = new Store(options.seed ?? 'plaid-mock');
  const requests: RecordedRequest[] = [];
  const openApiViolations: string[] = [];
  const faults: { pattern: RegExp; reply: Reply }[] = [];
  let mutateOnce = false;
  let stall: { arrived: () => void; released: Promise<void> } | undefined;
  let baseUrl = '';

  const itemOf = (body: Record<string, unknown>): MockItem | Reply => {
    const token = body.access_token;
    if (typeof token !== 'string' || !/^access-(sandbox|production)-/.test(token)) {
      return plaidError(400, 'INVALID_INPUT', 'INVALID_ACCESS_TOKEN', 'provided access token is in an invalid format. expected format: access-<environment>-<identifier>');
    }
    const item = store.itemByToken(token);
    if (!item) return ERRORS.invalidAccessToken();
    if (item.removed) return ERRORS.itemNotFound();
    return item;
  };
  const isReply = (x: unknown): x is Reply => typeof (x as Reply).status === 'number';

  const accountJson = (a: MockAccount) => ({
    account_id: a.account_id,
    balances: { available: a.type === 'depository' ? a.current : null, current: a.current, limit: a.type === 'credit' ? 2000 : null, iso_currency_code: 'USD', unofficial_currency_code: null },
    mask: a.mask,
    name: a.name,
    official_name: a.official_name,
    type: a.type,
    subtype: a.subtype,
  });
  const itemJson = (i: MockItem) => ({
    item_id: i.item_id,
    institution_id: i.institution.institution_id,
    institution_name: i.institution.name,
    webhook: '',
    error: i.loginRequired ? (ERRORS.itemLoginRequired().body as object) : null,
    available_products: ['balance'],
    billed_products: ['transactions'],
    products: ['transactions'],
    consented_products: ['transactions'],
    consent_expiration_time: null,
    update_type: 'background',
  });
  const txJson = (t: {
    transaction_id: string;
    account_id: string;
    amount: number;
    date: string;
    pending: boolean;
    pending_transaction_id: string | null;
    name: string;
    merchant_name: string | null;
  }) => ({
    ...t,
    iso_currency_code: 'USD',
    unofficial_currency_code: null,
    account_owner: null,
    authorized_date: t.date,
    authorized_datetime: null,
    datetime: null,
    payment_channel: t.merchant_name ? 'in store' : 'other',
    payment_meta: { by_order_of: null, payee: null, payer: null, payment_method: null, payment_processor: null, ppd_id: null, reason: null, reference_number: null },
    location: { address: null, city: null, region: null, postal_code: null, country: null, lat: null, lon: null, store_number: null },
    transaction_code: null,
    category: null,
    category_id: null,
  });
  const institutionJson = (i: (typeof SANDBOX_INSTITUTIONS)[number]) => ({
    institution_id: i.institution_id,
    name: i.name,
    products: ['assets', 'auth', 'balance', 'transactions'],
    country_codes: i.country_codes,
    routing_numbers: [],
    dtc_numbers: [],
    oauth: i.oauth,
    url: null,
    primary_color: null,
    logo: null,
  });

  const handlers: Record<string, (b: Record<string, unknown>) => Reply> = {
    '/institutions/search': (b) => {
      const q = String(b.query).toLowerCase();
      const countries = b.country_codes as string[];
      const found = SANDBOX_INSTITUTIONS.filter((i) => i.name.toLowerCase().includes(q) && i.country_codes.some((c) => countries.includes(c)));
      return { status: 200, body: { institutions: found.map(institutionJson), request_id: requestId() } };
    },
    '/institutions/get_by_id': (b) => {
      const i = SANDBOX_INSTITUTIONS.find((x) => x.institution_id === b.institution_id);
      return i ? { status: 200, body: { institution: institutionJson(i), request_id: requestId() } } : ERRORS.invalidInstitution();
    },
    '/link/token/create': (b) => {
      let itemId: string | undefined;
      if (b.access_token !== undefined && b.access_token !== null) {
        const item = itemOf(b);
        if (isReply(item)) return item;
        itemId = item.item_id;
      } else if (!Array.isArray(b.products) || b.products.length === 0) {
        return plaidError(400, 'INVALID_REQUEST', 'MISSING_FIELDS', 'the following required fields are missing: products');
      }
      const days = (b.transactions as { days_requested?: number } | undefined)?.days_requested ?? 90;
      const created = now();
      const rec: LinkTokenRecord = {
        link_token: `link-sandbox-${randomUUID()}`,
        created_at: created.toISOString(),
        expiration: new Date(created.getTime() + 4 * 3600_000).toISOString(),
        itemId,
        daysRequested: days,
        products: (b.products as string[] | undefined) ?? [],
        countryCodes: b.country_codes as string[],
        language: String(b.language),
        clientName: String(b.client_name),
        hosted: b.hosted_link !== undefined,
        sessions: [],
      };
      store.linkTokens.set(rec.link_token, rec);
      return {
        status: 200,
        body: {
          link_token: rec.link_token,
          expiration: rec.expiration,
          request_id: requestId(),
          ...(rec.hosted ? { hosted_link_url: `${baseUrl}/hosted-link/${encodeURIComponent(rec.link_token)}` } : {}),
        },
      };
    },
    '/link/token/get': (b) => {
      const rec = store.linkTokens.get(String(b.link_token));
      if (!rec) return ERRORS.invalidLinkToken();
      const link_sessions = rec.sessions.map((s) => {
        const institution = s.institution ?? null;
        const accounts = (s.accounts ?? []).map((a) => ({ id: a.account_id, name: a.name, mask: a.mask, type: a.type, subtype: a.subtype, verification_status: null }));
        return {
          link_session_id: s.link_session_id,
          started_at: s.started_at,
          finished_at: s.finished_at,
          ...(s.exitError
            ? {
                exit: {
                  error: { ...s.exitError, display_message: null, request_id: requestId() },
                  metadata: { status: 'requires_credentials', institution, link_session_id: s.link_session_id, request_id: requestId() },
                },
              }
            : {}),
          results: {
            item_add_results: s.publicToken && !s.update ? [{ public_token: s.publicToken, accounts, institution }] : [],
            cra_item_add_results: [],
            cra_update_results: [],
            bank_income_results: [],
            payroll_income_results: [],
            document_income_results: null,
          },
          ...(s.publicToken && s.update ? { on_success: { public_token: s.publicToken, metadata: { institution, accounts, link_session_id: s.link_session_id } } } : {}),
        };
      });
      return {
        status: 200,
        body: {
          link_token: rec.link_token,
          created_at: rec.created_at,
          expiration: rec.expiration,
          link_sessions,
          metadata: { initial_products: rec.products, webhook: null, country_codes: rec.countryCodes, language: rec.language, redirect_uri: null, client_name: rec.clientName },
          request_id: requestId(),
        },
      };
    },
    '/item/public_token/exchange': (b) => {
      const pt = store.publicTokens.get(String(b.public_token));
      if (!pt) return ERRORS.invalidPublicToken();
      if (pt.expiresAt < now().getTime())
        return plaidError(
          400,
          'INVALID_INPUT',
          'INVALID_PUBLIC_TOKEN',
          'provided public token is expired. Public tokens expire 30 minutes after creation at which point they can no longer be exchanged',
        );
      store.publicTokens.delete(String(b.public_token));
      const item = store.items.get(pt.itemId)!;
      return { status: 200, body: { access_token: item.access_token, item_id: item.item_id, request_id: requestId() } };
    },
    '/accounts/get': (b) => {
      const item = itemOf(b);
      if (isReply(item)) return item;
      return { status: 200, body: { accounts: item.accounts.map(accountJson), item: itemJson(item), request_id: requestId() } };
    },
    '/item/get': (b) => {
      const item = itemOf(b);
      if (isReply(item)) return item;
      return { status: 200, body: { item: itemJson(item), status: { transactions: { last_successful_update: null, last_failed_update: null }, last_webhook: null }, request_id: requestId() } };
    },
    '/item/remove': (b) => {
      const item = itemOf(b);
      if (isReply(item)) return item;
      item.removed = true;
      return { status: 200, body: { request_id: requestId() } };
    },
    '/sandbox/item/reset_login': (b) => {
      const item = itemOf(b);
      if (isReply(item)) return item;
      item.loginRequired = true;
      return { status: 200, body: { reset_login: true, request_id: requestId() } };
    },
    '/transactions/sync': (b) => {
      const item = itemOf(b);
      if (isReply(item)) return item;
      const options = (b.options ?? {}) as { account_id?: string };
      const acct = options.account_id ?? '';
      if (acct && !item.accounts.some((a) => a.account_id === acct)) return plaidError(400, 'INVALID_INPUT', 'INVALID_ACCOUNT_ID', 'one or more of the account IDs is invalid');
      const accounts = item.accounts.filter((a) => !acct || a.account_id === acct).map(accountJson);
      if (item.notReadyCalls > 0) {
        item.notReadyCalls--;
        return { status: 200, body: { transactions_update_status: 'NOT_READY', accounts, added: [], modified: [], removed: [], next_cursor: '', has_more: false, request_id: requestId() } };
      }
      let start = 0;
      let continuing = false;
      if (typeof b.cursor === 'string' && b.cursor !== '') {
        const c = decodeCursor(b.cursor);
        if (!c || c.a !== acct) return ERRORS.invalidCursor();
        start = c.n;
        continuing = c.m === 1;
      }
      if (continuing && mutateOnce) {
        mutateOnce = false;
        return ERRORS.mutation();
      }
      const day = today();
      const stream = store.log(item, day).filter((e) => !acct || e.tx.account_id === acct);
      const count = Math.min(Number(b.count ?? 100), pageLimit);
      const page = stream.slice(start, start + count);
      const end = start + page.length;
      const has_more = end < stream.length;
      return {
        status: 200,
        body: {
          transactions_update_status: day > item.createdOn ? 'HISTORICAL_UPDATE_COMPLETE' : 'INITIAL_UPDATE_COMPLETE',
          accounts,
          added: page.filter((e) => e.type === 'added').map((e) => txJson(e.tx as Parameters<typeof txJson>[0])),
          modified: page.filter((e) => e.type === 'modified').map((e) => txJson(e.tx as Parameters<typeof txJson>[0])),
          removed: page.filter((e) => e.type === 'removed').map((e) => ({ transaction_id: e.tx.transaction_id, account_id: e.tx.account_id })),
          next_cursor: encodeCursor({ a: acct, n: end, ...(has_more ? { m: 1 as const } : {}) }),
          has_more,
          request_id: requestId(),
        },
      };
    },
  };

  /** The Hosted Link page. Without credentials it shows a form; with them it finishes the session. */
  function hostedLink(token: string, q: URLSearchParams): Reply {
    const rec = store.linkTokens.get(token);
    if (!rec) return { status: 404, html: '<p>This Link session has expired.</p>' };
    const username = q.get('username');
    const password = q.get('password');
    if (username === null || password === null) {
      const choices = SANDBOX_INSTITUTIONS.map((i) => `<option value="${i.institution_id}">${i.name}</option>`).join('');
      return {
        status: 200,
        html: `<!doctype html><title>Plaid Link (mock)</title><form method="get"><p>Sandbox bank: <select name="institution_id">${choices}</select></p><p>Username <input name="username" value="user_good"></p><p>Password <input name="password" value="pass_good"></p><button>Continue</button></form>`,
      };
    }
    const started = now().toISOString();
    const session = { link_session_id: randomUUID(), started_at: started, finished_at: started, update: rec.itemId !== undefined };
    const failure = /^error_([A-Z_]+)$/.exec(password)?.[1] ?? (username === 'user_good' && password === 'pass_good' ? undefined : 'INVALID_CREDENTIALS');
    if (failure) {
      rec.sessions.push({
        ...session,
        exitError: {
          error_type: failure.startsWith('INSTITUTION') ? 'INSTITUTION_ERROR' : 'ITEM_ERROR',
          error_code: failure,
          error_message: failure === 'INVALID_CREDENTIALS' ? 'the provided credentials were not correct' : failure.toLowerCase(),
        },
      });
      return { status: 200, html: `<p>Link failed: ${failure}</p>` };
    }
    const publicToken = `public-sandbox-${randomUUID()}`;
    let item: MockItem;
    if (rec.itemId) {
      item = store.items.get(rec.itemId)!;
      item.loginRequired = false;
    } else {
      const inst = SANDBOX_INSTITUTIONS.find((i) => i.institution_id === (q.get('institution_id') ?? 'ins_109508')) ?? SANDBOX_INSTITUTIONS[0]!;
      item = store.newItem({ institution_id: inst.institution_id, name: inst.name }, today(), rec.daysRequested, options.notReadyCalls ?? 1);
    }
    store.publicTokens.set(publicToken, { itemId: item.item_id, expiresAt: now().getTime() + 30 * 60_000 });
    rec.sessions.push({ ...session, publicToken, institution: item.institution, accounts: item.accounts });
    return { status: 200, html: '<p>Success! You may close this window.</p>' };
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  function send(res: ServerResponse, reply: Reply) {
    if (reply.html !== undefined) {
      res.writeHead(reply.status, { 'content-type': 'text/html; charset=utf-8' });
      res.end(reply.html);
    } else {
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    }
  }

  async function handle(req: IncomingMessage): Promise<Reply> {
    const url = new URL(req.url ?? '/', baseUrl);
    const hosted = /^\/hosted-link\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && hosted) return hostedLink(decodeURIComponent(hosted[1]!), url.searchParams);
    const text = await readBody(req);
    const path = url.pathname;
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      return plaidError(400, 'INVALID_REQUEST', 'INVALID_BODY', 'body could not be parsed as JSON');
    }
    const record: RecordedRequest = { path, body };
    requests.push(record);
    const opId = req.method === 'POST' ? operationIdOf(api, path) : undefined;
    if (!opId || !handlers[path]) return ((record.status = 404), ERRORS.notFound());
    const problems = requestProblems(api, opId, path, body);
    if (problems.length) {
      openApiViolations.push(...problems.map((p) => `request ${path}: ${p}`));
      return ERRORS.invalidRequest(problems);
    }
    const cid = body.client_id ?? req.headers['plaid-client-id'];
    const sec = body.secret ?? req.headers['plaid-secret'];
    if (cid !== clientId || sec !== secret) return ERRORS.invalidApiKeys();
    const fault = faults.findIndex((f) => f.pattern.test(path));
    if (fault >= 0) return faults.splice(fault, 1)[0]!.reply;
    if (stall && path === '/transactions/sync' && typeof body.cursor === 'string' && decodeCursor(body.cursor)?.m === 1) {
      const s = stall;
      stall = undefined;
      s.arrived();
      await s.released;
    }
    if (DATA_CALLS.has(path)) {
      const item = itemOf(body);
      if (!isReply(item) && item.loginRequired) return ERRORS.itemLoginRequired();
    }
    const reply = handlers[path]!(body);
    const bad = responseProblems(api, opId, reply.status, reply.body);
    if (bad.length) openApiViolations.push(...bad.map((p) => `response ${path} ${reply.status}: ${p}`));
    return reply;
  }

  const server = createServer((req, res) => {
    handle(req).then(
      (reply) => {
        const last = requests[requests.length - 1];
        if (last && last.status === undefined) last.status = reply.status;
        send(res, reply);
      },
      (err) => send(res, plaidError(500, 'API_ERROR', 'INTERNAL_SERVER_ERROR', `mock failure: ${(err as Error).message}`)),
    );
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const pick = (itemId?: string) => {
    const all = [...store.items.values()].filter((i) => !itemId || i.item_id === itemId);
    if (all.length === 0) throw new Error('no Item in the mock');
    return all;
  };

  return {
    url: baseUrl,
    requests,
    openApiViolations,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    control: {
      async completeLink(hostedLinkUrl, o = {}) {
        const u = new URL(hostedLinkUrl);
        u.searchParams.set('username', o.username ?? 'user_good');
        u.searchParams.set('password', o.password ?? 'pass_good');
        if (o.institutionId) u.searchParams.set('institution_id', o.institutionId);
        const res = await fetch(u);
        if (res.status !== 200) throw new Error(`hosted link page answered ${res.status}`);
        await res.text();
      },
      requireLogin(itemId) {
        for (const i of pick(itemId)) i.loginRequired = true;
      },
      stallNextContinuation() {
        let arrived!: () => void;
        let release!: () => void;
        const reached = new Promise<void>((r) => (arrived = r));
        stall = { arrived, released: new Promise<void>((r) => (release = r)) };
        return { reached, release };
      },
      mutateDuringPagination() {
        mutateOnce = true;
      },
      failNext(pattern, reply) {
        faults.push({ pattern, reply });
      },
      items: () => [...store.items.values()],
      changes(itemId) {
        const out = { added: 0, modified: 0, removed: 0, pending: 0 };
        for (const i of pick(itemId)) {
          for (const e of store.log(i, today())) {
            if (e.type === 'added' && (e.tx as { pending?: boolean }).pending) out.pending++;
            else if (e.type === 'removed' && e.tx.transaction_id.endsWith('p')) out.pending++;
            else out[e.type]++;
          }
        }
        return out;
      },
      truth(itemId) {
        return pick(itemId)
          .flatMap((i) => store.truth(i, today()))
          .map(({ pending_transaction_id: _p, ...t }) => t);
      },
      accounts: (itemId) => pick(itemId).flatMap((i) => i.accounts),
    },
  };
}

export { addDays };
