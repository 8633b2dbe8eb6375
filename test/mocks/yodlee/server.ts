// Yodlee mock over loopback HTTP, behaving like the Core API v1.1 with client-credential auth
// (facts §7 and coreapisoas3.yml): /auth/token (30-minute tokens, loginName header), /user/register,
// /providerAccounts (list, detail, PUT refresh: IN_PROGRESS, then SUCCESS after a poll, DELETE),
// /accounts, /transactions with skip/top ≤ 500, error bodies {errorCode, errorMessage, referenceCode},
// and a FastLink stand-in: /fastlink/initialize.js defines window.fastlink.open, which "plays the
// user" (links the Dag Site, or edits the given provider account) and calls onSuccess and onClose.
// Point the adapter at it with BANKSYNC_YODLEE_BASE_URL=<url> and the FastLink env of `fastLinkEnv`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { addDays, DAG_SITE, linesOf, type MockAccount, type MockTransaction } from './data.js';

export interface YodleeMockOptions {
  now?: () => Date;
  port?: number;
  clientId?: string;
  secret?: string;
  adminLoginName?: string;
  /** Seconds a token lives (Yodlee: 1800). */
  tokenSeconds?: number;
  /** Days of history a new link brings. */
  historyDays?: number;
  /** Polls of GET /providerAccounts/{id} that see a refresh IN_PROGRESS before SUCCESS (default 1). */
  refreshPolls?: number;
}

interface Reply {
  status: number;
  body?: unknown;
  js?: string;
}

interface MockProviderAccount {
  id: number;
  loginName: string;
  createdOn: string;
  status: string;
  additionalStatus: string;
  updateEligibility: string;
  lastUpdated: string;
  lastUpdateAttempt: string;
  /** A refresh was asked and has not finished. */
  refreshPending: boolean;
  /** Polls that still see it IN_PROGRESS. */
  pollsLeft: number;
  deleted: boolean;
  accounts: MockAccount[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  loginName?: string;
  status?: number;
}

export type YodleeMockHandle = Awaited<ReturnType<typeof startYodleeMock>>;

const err = (status: number, errorCode: string, errorMessage: string): Reply => ({ status, body: { errorCode, errorMessage, referenceCode: `mock${randomBytes(6).toString('hex')}` } });

export async function startYodleeMock(options: YodleeMockOptions = {}) {
  const now = options.now ?? (() => new Date());
  const today = () => now().toISOString().slice(0, 10);
  const clientId = options.clientId ?? 'yodlee-test-client';
  const secret = options.secret ?? 'yodlee-test-secret';
  const admin = options.adminLoginName ?? 'yodlee-admin';
  const tokenSeconds = options.tokenSeconds ?? 1800;
  const historyDays = options.historyDays ?? 90;
  let refreshPolls = options.refreshPolls ?? 1;
  const users = new Map<string, number>();
  const tokens = new Map<string, { loginName: string; expiresAt: number }>();
  const pas = new Map<number, MockProviderAccount>();
  const requests: RecordedRequest[] = [];
  const faults: { pattern: RegExp; reply: Reply }[] = [];
  let nextId = 10_010_000;
  let tokensIssued = 0;
  let baseUrl = '';

  const paJson = (p: MockProviderAccount) => ({
    id: p.id,
    providerId: DAG_SITE.providerId,
    aggregationSource: 'USER',
    isManual: false,
    createdDate: p.createdOn,
    status: p.status,
    requestId: `REQ${p.id}`,
    dataset: [{ name: 'BASIC_AGG_DATA', additionalStatus: p.additionalStatus, updateEligibility: p.updateEligibility, lastUpdated: p.lastUpdated, lastUpdateAttempt: p.lastUpdateAttempt }],
  });
  const accountJson = (a: MockAccount) => ({
    CONTAINER: a.CONTAINER,
    providerAccountId: a.providerAccountId,
    accountName: a.accountName,
    accountStatus: 'ACTIVE',
    accountNumber: a.accountNumber,
    accountType: a.accountType,
    isManual: false,
    id: a.id,
    providerId: String(a.providerId),
    providerName: a.providerName,
    balance: { amount: a.balance, currency: 'USD' },
    lastUpdated: now().toISOString(),
  });
  const txJson = (t: MockTransaction) => ({
    CONTAINER: t.CONTAINER,
    id: t.id,
    amount: { amount: t.amount, currency: 'USD' },
    baseType: t.baseType,
    categoryType: t.baseType === 'CREDIT' ? 'INCOME' : 'EXPENSE',
    description: { original: t.description, ...(t.merchant ? { simple: t.merchant } : {}) },
    ...(t.merchant ? { merchant: { name: t.merchant } } : {}),
    isManual: false,
    sourceType: 'AGGREGATED',
    date: t.date,
    transactionDate: t.date,
    ...(t.status === 'POSTED' ? { postDate: t.date } : {}),
    status: t.status,
    accountId: t.accountId,
  });

  function link(loginName: string): MockProviderAccount {
    const id = nextId++;
    const stamp = now().toISOString();
    const p: MockProviderAccount = {
      id,
      loginName,
      createdOn: today(),
      status: 'SUCCESS',
      additionalStatus: 'AVAILABLE_DATA_RETRIEVED',
      updateEligibility: 'ALLOW_UPDATE',
      lastUpdated: stamp,
      lastUpdateAttempt: stamp,
      refreshPending: false,
      pollsLeft: 0,
      deleted: false,
      accounts: [],
    };
    const acct = (n: number, CONTAINER: MockAccount['CONTAINER'], accountName: string, accountType: string, balance: number): MockAccount => ({
      id: id * 10 + n,
      CONTAINER,
      accountName,
      accountNumber: `xxxx${String(1000 + n * 1111).slice(-4)}`,
      accountType,
      providerAccountId: id,
      ...DAG_SITE,
      balance,
    });
    p.accounts = [
      acct(1, 'bank', 'TESTDATA checking', 'CHECKING', 44.78),
      acct(2, 'creditCard', 'TESTDATA card', 'CREDIT', 1636.44),
      acct(3, 'investment', 'TESTDATA brokerage', 'BROKERAGE_CASH', 5000.1),
    ];
    pas.set(id, p);
    return p;
  }

  const lines = (a: MockAccount, p: MockProviderAccount) => linesOf(a, addDays(p.createdOn, -historyDays), today());

  /** Parses Bearer tokens; null = answered with the error. */
  function who(req: IncomingMessage): string | Reply {
    if (req.headers['api-version'] !== '1.1') return err(401, 'Y016', 'Api-Version header missing');
    const auth = String(req.headers.authorization ?? '');
    if (!auth) return err(401, 'Y007', 'Authorization header missing');
    const t = tokens.get(auth.replace(/^Bearer\s+/i, ''));
    if (!t || t.expiresAt <= now().getTime()) return err(401, 'Y008', 'Invalid token in authorization header');
    return t.loginName;
  }

  const userPa = (loginName: string, id: string) => {
    const p = pas.get(Number(id));
    return p && !p.deleted && p.loginName === loginName ? p : undefined;
  };

  async function handle(req: IncomingMessage, url: URL, text: string, rec: RecordedRequest): Promise<Reply> {
    const path = url.pathname.replace(/^\/ysl/, '');
    const q = Object.fromEntries(url.searchParams);
    // CORS preflight of the FastLink stand-in's fetch from the loopback page.
    if (req.method === 'OPTIONS') return { status: 204 };
    if (req.method === 'GET' && path === '/fastlink/initialize.js') return { status: 200, js: fastLinkScript(baseUrl) };
    if (req.method === 'POST' && path === '/auth/token') {
      const form = new URLSearchParams(text);
      const loginName = req.headers.loginname;
      if (typeof loginName !== 'string' || !loginName) return err(401, 'Y016', 'loginName header missing');
      rec.loginName = loginName;
      if (!form.get('clientId') || !form.get('secret')) return err(400, 'Y303', 'clientId or secret is missing');
      if (form.get('clientId') !== clientId || form.get('secret') !== secret) return err(400, 'Y301', 'Invalid clientId or secret');
      if (loginName !== admin && !users.has(loginName)) return err(400, 'Y305', 'Access token can be issued only for pre-registered users');
      const accessToken = randomBytes(18).toString('base64url');
      tokens.set(accessToken, { loginName, expiresAt: now().getTime() + tokenSeconds * 1000 });
      tokensIssued++;
      return { status: 201, body: { token: { accessToken, issuedAt: now().toISOString(), expiresIn: tokenSeconds } } };
    }
    const fault = faults.findIndex((f) => f.pattern.test(path));
    if (fault >= 0) return faults.splice(fault, 1)[0]!.reply;
    const w = who(req);
    if (typeof w !== 'string') return w;
    rec.loginName = w;
    const isAdmin = w === admin;
    if (req.method === 'POST' && path === '/user/register') {
      if (!isAdmin) return err(401, 'Y015', 'Unauthorized User');
      let body: { user?: { loginName?: unknown } };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        return err(400, 'Y806', 'Invalid input');
      }
      const name = body.user?.loginName;
      if (typeof name !== 'string' || /\s/.test(name)) return err(400, 'Y800', 'Invalid value for loginName');
      if (name.length < 3 || name.length > 150) return err(400, 'Y801', 'Invalid length for loginName');
      if (users.has(name)) return err(400, 'Y811', 'loginName value already exists');
      users.set(name, users.size + 1000);
      return { status: 200, body: { user: { id: users.get(name), loginName: name, roleType: 'INDIVIDUAL' } } };
    }
    if (isAdmin) return err(401, 'Y015', 'Unauthorized User');
    if (req.method === 'POST' && path === '/fastlink/link') {
      const body = JSON.parse(text || '{}') as { params?: { flow?: string; providerAccountId?: number } };
      if (body.params?.flow === 'edit') {
        const p = userPa(w, String(body.params.providerAccountId));
        if (!p) return err(400, 'Y807', 'Resource not found');
        const stamp = now().toISOString();
        Object.assign(p, { status: 'SUCCESS', additionalStatus: 'AVAILABLE_DATA_RETRIEVED', updateEligibility: 'ALLOW_UPDATE', lastUpdated: stamp, lastUpdateAttempt: stamp, refreshPending: false });
        return {
          status: 200,
          body: {
            providerAccountId: p.id,
            providerId: DAG_SITE.providerId,
            providerName: DAG_SITE.providerName,
            requestId: `REQ${p.id}`,
            status: 'SUCCESS',
            additionalStatus: 'AVAILABLE_DATA_RETRIEVED',
            fnToCall: 'accountStatus',
          },
        };
      }
      const p = link(w);
      return {
        status: 200,
        body: {
          providerAccountId: p.id,
          providerId: DAG_SITE.providerId,
          providerName: DAG_SITE.providerName,
          requestId: `REQ${p.id}`,
          status: 'SUCCESS',
          additionalStatus: 'AVAILABLE_DATA_RETRIEVED',
          fnToCall: 'accountStatus',
        },
      };
    }
    if (req.method === 'GET' && path === '/providerAccounts') {
      const mine = [...pas.values()].filter((p) => p.loginName === w && !p.deleted);
      return { status: 200, body: mine.length ? { providerAccount: mine.map(paJson) } : {} };
    }
    const one = /^\/providerAccounts\/([^/]+)$/.exec(path);
    if (one) {
      if (!/^\d+$/.test(one[1]!)) return err(400, 'Y800', 'Invalid value for providerAccountId');
      const p = userPa(w, one[1]!);
      if (!p) return err(400, 'Y807', 'Resource not found');
      if (req.method === 'DELETE') {
        p.deleted = true;
        return { status: 204 };
      }
      if (req.method === 'GET') {
        // A refresh shows IN_PROGRESS to `refreshPolls` polls, then SUCCESS.
        if (p.refreshPending && p.pollsLeft-- <= 0) {
          const stamp = now().toISOString();
          Object.assign(p, { refreshPending: false, status: 'SUCCESS', additionalStatus: 'AVAILABLE_DATA_RETRIEVED', lastUpdated: stamp });
        }
        return { status: 200, body: { providerAccount: [paJson(p)] } };
      }
    }
    if (req.method === 'PUT' && path === '/providerAccounts') {
      const ids = (q.providerAccountIds ?? '').split(',').filter(Boolean);
      if (ids.length === 0) return err(400, 'Y803', 'providerAccountIds required');
      const found = ids.map((id) => userPa(w, id));
      if (found.some((p) => !p)) return err(400, 'Y800', 'Invalid value for providerAccountIds');
      for (const p of found as MockProviderAccount[]) {
        if (p.updateEligibility !== 'ALLOW_UPDATE') return err(400, 'Y800', 'Invalid value for providerAccountIds');
        Object.assign(p, { status: 'IN_PROGRESS', additionalStatus: 'DATA_RETRIEVAL_IN_PROGRESS', lastUpdateAttempt: now().toISOString(), refreshPending: true, pollsLeft: refreshPolls });
      }
      return { status: 200, body: { providerAccount: (found as MockProviderAccount[]).map((p) => ({ id: p.id, status: p.status, requestId: `REQ${p.id}r`, dataset: paJson(p).dataset })) } };
    }
    if (req.method === 'GET' && path === '/accounts') {
      const ids = (q.providerAccountId ?? '').split(',').filter(Boolean);
      if (ids.some((id) => !/^\d+$/.test(id))) return err(400, 'Y800', 'Invalid value for providerAccountId');
      const accts = [...pas.values()].filter((p) => p.loginName === w && !p.deleted && (ids.length === 0 || ids.includes(String(p.id)))).flatMap((p) => p.accounts);
      return { status: 200, body: accts.length ? { account: accts.map(accountJson) } : {} };
    }
    if (req.method === 'GET' && path === '/transactions') {
      const top = q.top === undefined ? 500 : Number(q.top);
      const skip = q.skip === undefined ? 0 : Number(q.skip);
      if (!Number.isInteger(top) || top < 1 || top > 500) return err(400, 'Y804', 'Permitted values of top between 1 - 500');
      if (!Number.isInteger(skip) || skip < 0) return err(400, 'Y800', 'Invalid value for skip');
      const day = /^\d{4}-\d{2}-\d{2}$/;
      if (q.fromDate !== undefined && !day.test(q.fromDate)) return err(400, 'Y800', 'Invalid value for fromDate');
      if (q.toDate !== undefined && !day.test(q.toDate)) return err(400, 'Y800', 'Invalid value for toDate');
      const to = q.toDate ?? today();
      const from = q.fromDate ?? addDays(to, -30);
      if (from > to) return err(400, 'Y809', 'Invalid date range');
      if (q.container !== undefined && !['bank', 'creditCard', 'investment', 'insurance', 'loan'].includes(q.container)) return err(400, 'Y800', 'Invalid value for container');
      const ids = (q.accountId ?? '').split(',').filter(Boolean);
      const all = [...pas.values()]
        .filter((p) => p.loginName === w && !p.deleted)
        .flatMap((p) => p.accounts.map((a) => ({ a, p })))
        .filter(({ a }) => (ids.length === 0 || ids.includes(String(a.id))) && (q.container === undefined || a.CONTAINER === q.container))
        .flatMap(({ a, p }) => lines(a, p))
        .filter((t) => t.date >= from && t.date <= to)
        // Newest first, like Yodlee.
        .sort((x, y) => (x.date === y.date ? x.id - y.id : x.date < y.date ? 1 : -1));
      const page = all.slice(skip, skip + top);
      return { status: 200, body: page.length ? { transaction: page.map(txJson) } : {} };
    }
    return { status: 404, body: undefined };
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rec: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname.replace(/^\/ysl/, ''), query: Object.fromEntries(url.searchParams) };
    requests.push(rec);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, url, Buffer.concat(chunks).toString('utf8'), rec).then(
        (reply) => send(res, rec, reply),
        (e: unknown) => send(res, rec, err(500, 'Y902', `Oops some issue at our end (${(e as Error).message})`)),
      );
    });
  });
  function send(res: ServerResponse, rec: RecordedRequest, reply: Reply) {
    rec.status = reply.status;
    if (reply.js !== undefined) {
      res.writeHead(reply.status, { 'content-type': 'text/javascript; charset=utf-8', 'access-control-allow-origin': '*' });
      res.end(reply.js);
    } else if (reply.body === undefined) {
      res.writeHead(reply.status, { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*', 'access-control-allow-methods': 'GET, POST, PUT, DELETE' });
      res.end();
    } else {
      res.writeHead(reply.status, { 'content-type': 'application/json;charset=UTF-8', 'access-control-allow-origin': '*', 'access-control-allow-headers': '*' });
      res.end(JSON.stringify(reply.body));
    }
  }
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}/ysl`;

  return {
    url: baseUrl,
    /** The env that points the adapter's FastLink page at this mock's stand-in. */
    fastLinkEnv: { BANKSYNC_YODLEE_FASTLINK_URL: `${baseUrl}/fastlink`, BANKSYNC_YODLEE_FASTLINK_SCRIPT: `${baseUrl}/fastlink/initialize.js`, BANKSYNC_YODLEE_FASTLINK_CONFIG: 'Aggregation' },
    credentials: { client_id: clientId, secret, admin_login_name: admin },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    control: {
      /** Links the Dag Site for a registered user, as FastLink would (returns the provider account id). */
      link: (loginName: string) => link(loginName).id,
      users: () => [...users.keys()],
      providerAccounts: () => [...pas.values()].map((p) => ({ ...paJson(p), loginName: p.loginName, deleted: p.deleted })),
      /** Puts a provider account in a state that needs a person (additionalStatus, e.g. ADDL_AUTHENTICATION_REQUIRED). */
      needsHuman(id: number, additionalStatus: string, status = 'USER_INPUT_REQUIRED', updateEligibility = 'ALLOW_UPDATE_WITH_CREDENTIALS') {
        Object.assign(pas.get(id)!, { status, additionalStatus, updateEligibility });
      },
      setEligibility(id: number, updateEligibility: string) {
        pas.get(id)!.updateEligibility = updateEligibility;
      },
      /** One-shot fault: the next request whose path matches gets this error body. */
      failNext(pattern: RegExp, status: number, errorCode: string, errorMessage = 'mock fault') {
        faults.push({ pattern, reply: err(status, errorCode, errorMessage) });
      },
      setRefreshPolls(n: number) {
        refreshPolls = n;
      },
      expireTokens() {
        for (const t of tokens.values()) t.expiresAt = 0;
      },
      tokensIssued: () => tokensIssued,
      /** The lines of an account as they stand now (Yodlee's unsigned amounts + baseType). */
      truth(accountId: number): MockTransaction[] {
        for (const p of pas.values()) {
          const a = p.accounts.find((x) => x.id === accountId);
          if (a) return lines(a, p);
        }
        return [];
      },
      accounts: () => [...pas.values()].filter((p) => !p.deleted).flatMap((p) => p.accounts),
    },
  };
}

/** The stand-in for Yodlee's initialize.js: window.fastlink.open plays the user against the mock. */
function fastLinkScript(base: string): string {
  return `(function () {
  window.fastlink = {
    open: function (opts, container) {
      fetch(${JSON.stringify(`${base}/fastlink/link`)}, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'api-version': '1.1', authorization: opts.accessToken },
        body: JSON.stringify({ params: opts.params || {} })
      }).then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
        .then(function (res) {
          if (!res.ok) { opts.onError && opts.onError({ code: res.body.errorCode, reason: res.body.errorMessage }); opts.onClose && opts.onClose({ action: 'exit', sites: [] }); return; }
          opts.onSuccess && opts.onSuccess(res.body);
          opts.onClose && opts.onClose({ action: 'exit', sites: [res.body] });
        });
    },
    close: function () {}
  };
})();
`;
}
