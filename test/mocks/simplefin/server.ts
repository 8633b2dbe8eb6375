import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ACCOUNTS, accountKey, CONNECTIONS, linesBetween, numeric, type MockAccount, type MockLine } from './data.js';

/**
 * A loopback SimpleFIN Bridge (protocol v1 + v2 draft; facts §6), stateful: one-time setup
 * tokens, Access URLs with Basic credentials, GET /accounts with its filters and both answer
 * shapes, the 90-day window cap, per-token daily quota, revocation, and injected errlist faults.
 */
export interface SimpleFinMockOptions {
  /** The mock clock: data, quotas and windows follow it. */
  now?: () => Date;
  port?: number;
  /** Requests per Access URL per rolling 24 h before the Bridge starts warning (its guidance: 24). */
  dailyQuota?: number;
  /** Requests per rolling 24 h after which the Access URL is disabled (403 from then on). */
  disableAfter?: number;
  /** Days of history the Bridge holds. */
  historyDays?: number;
  /** First day of generated data (UNIX seconds); default 200 days before the mock starts. */
  dataStart?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  status?: number;
  /** Basic user of the request, when it had one. */
  user?: string;
}

export interface TruthLine {
  account: string;
  id: string;
  posted: number;
  amount: string;
  amountMinor: number;
  description: string;
  payee: string;
}

export type AccountFault = 'act.failed' | 'act.missingdata';

export interface SimpleFinMock {
  url: string;
  /** Root of the server (what /create, /claim and /accounts hang off). */
  root: string;
  /** A reusable demo setup token, like the Bridge's published one (claims give user demo's Access URL). */
  demoToken: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
  control: {
    /** A new one-time setup token (base64 of the claim URL), as the Bridge's /create hands out. */
    newSetupToken(): string;
    /** Disables one Access URL (by its Basic user), as the user can at the Bridge; or every one. */
    revoke(user?: string): void;
    /** Basic users of the Access URLs claimed so far. */
    accessUsers(): string[];
    /** Requests an Access URL made in the last 24 h (mock clock). */
    used(user: string): number;
    paymentRequired(on: boolean): void;
    /** An errlist fault on one account ("conn_id/id"); act.failed also leaves the account out. */
    failAccount(key: string, fault: AccountFault | undefined): void;
    /** con.auth on one connection (its accounts still come, with data). */
    connectionNeedsAuth(connId: string, on: boolean): void;
    /** Every posted line (posted ≤ now) of an account in [from, to) UNIX seconds: the truth tests compare with. */
    truth(key: string, from: number, to?: number): TruthLine[];
    accounts(): { key: string; conn_id: string; id: string; name: string; org_id: string }[];
  };
}

const DAY = 86_400;
const MAX_WINDOW = 90 * DAY;

export async function startSimpleFinMock(opts: SimpleFinMockOptions = {}): Promise<SimpleFinMock> {
  const now = opts.now ?? (() => new Date());
  const nowSec = () => Math.floor(now().getTime() / 1000);
  const dataStart = opts.dataStart ?? Math.floor((nowSec() - 200 * DAY) / DAY) * DAY;
  const quota = opts.dailyQuota ?? 24;
  const disableAfter = opts.disableAfter ?? 96;
  const historyDays = opts.historyDays ?? 90;

  const setupCodes = new Map<string, 'open' | 'claimed'>();
  const access = new Map<string, { pass: string; disabled: boolean; log: number[] }>();
  const requests: RecordedRequest[] = [];
  const faults = new Map<string, AccountFault>();
  const needsAuth = new Set<string>();
  let payment = false;
  let root = '';

  const issueAccess = (user: string, pass: string) => {
    access.set(user, { pass, disabled: false, log: [] });
    const u = new URL(root);
    u.username = user;
    u.password = pass;
    return u.toString().replace(/\/$/, '');
  };

  const demoAccessUrl = () => {
    const u = new URL(root);
    u.username = 'demo';
    u.password = 'demo';
    return u.toString().replace(/\/$/, '');
  };

  const posted = (a: MockAccount, to: number): MockLine[] => linesBetween(a, dataStart, to).filter((l) => l.posted <= to);

  function truth(key: string, from: number, to = nowSec() + 1): TruthLine[] {
    const a = ACCOUNTS.find((x) => accountKey(x) === key);
    if (!a) throw new Error(`no mock account ${key}`);
    return posted(a, nowSec())
      .filter((l) => l.posted >= from && l.posted < to)
      .sort((x, y) => x.posted - y.posted)
      .map((l) => ({ account: key, id: l.id, posted: l.posted, amount: numeric(l.amountMinor), amountMinor: l.amountMinor, description: l.description, payee: l.payee }));
  }

  function accountsAnswer(q: URLSearchParams, user: string): unknown {
    const t = nowSec();
    const v2 = q.get('version') === '2';
    const errlist: Record<string, string>[] = [];
    const errors: string[] = [];
    const warn = (code: string, msg: string, extra: Record<string, string> = {}) => {
      errlist.push({ code, msg, ...extra });
      errors.push(msg);
    };
    const num = (name: string) => {
      const v = q.get(name);
      if (v === null) return undefined;
      if (!/^\d+$/.test(v)) throw new HttpError(400, `${name} must be a UNIX timestamp`);
      return Number(v);
    };
    // Without start-date the Bridge gives only the most recent lines (observed [3p]).
    let start = num('start-date') ?? t - DAY;
    let end = num('end-date') ?? t + 1;
    if (end - start > MAX_WINDOW) {
      end = start + MAX_WINDOW;
      warn('gen.api', 'Requested date range exceeds limit of 90 days and was capped.');
    }
    start = Math.max(start, t - historyDays * DAY);
    const log = access.get(user)!.log;
    if (log.length > quota) errors.push(`You have made ${log.length} requests in the last 24 hours; apps should make 24 or fewer. Too many requests will disable this Access Token.`);
    const balancesOnly = q.get('balances-only') === '1';
    const withPending = q.get('pending') === '1';
    const only = q.getAll('account');
    const accounts: unknown[] = [];
    for (const conn of CONNECTIONS) if (needsAuth.has(conn.conn_id)) warn('con.auth', `Connection to ${conn.org_name} may need attention`, { conn_id: conn.conn_id });
    for (const a of ACCOUNTS) {
      if (only.length && !only.includes(a.id)) continue;
      const fault = faults.get(accountKey(a));
      if (fault === 'act.failed') {
        warn('act.failed', `Failed to get transactions for ${a.name}. Try again later.`, { account_id: a.id, conn_id: a.conn.conn_id });
        continue;
      }
      if (fault === 'act.missingdata') warn('act.missingdata', `Incomplete transaction listing for ${a.name}. Try again later.`, { account_id: a.id, conn_id: a.conn.conn_id });
      const all = linesBetween(a, dataStart, t);
      const done = all.filter((l) => l.posted <= t);
      const open = all.filter((l) => l.transactedAt <= t && l.posted > t);
      const balance = a.openingMinor + done.reduce((s, l) => s + l.amountMinor, 0);
      const available = balance + open.reduce((s, l) => s + l.pendingAmountMinor, 0);
      const txs: Record<string, unknown>[] = [];
      if (!balancesOnly) {
        for (const l of done)
          if (l.posted >= start && l.posted < end) txs.push({ id: l.id, posted: l.posted, amount: numeric(l.amountMinor), description: l.description, payee: l.payee, transacted_at: l.transactedAt });
        txs.sort((x, y) => (x.posted as number) - (y.posted as number));
        // Pending lines: posted 0, their own ids; every answer with pending=1 carries the current ones (mock choice).
        if (withPending)
          for (const l of open)
            txs.push({ id: l.pendingId, posted: 0, amount: numeric(l.pendingAmountMinor), description: l.description, payee: l.payee, transacted_at: l.transactedAt, pending: true });
      }
      const base = {
        id: a.id,
        name: a.name,
        currency: a.currency,
        balance: numeric(balance),
        'available-balance': numeric(available),
        'balance-date': t,
        ...(balancesOnly ? {} : { transactions: txs }),
        extra: {},
      };
      accounts.push(
        v2
          ? { ...base, conn_id: a.conn.conn_id, conn_name: a.conn.name }
          : { org: { domain: a.conn.domain, name: a.conn.org_name, 'sfin-url': a.conn.sfin_url, url: a.conn.org_url, id: a.conn.org_id }, ...base },
      );
    }
    if (!v2) return { errors, accounts };
    const connections = CONNECTIONS.map((c) => ({ conn_id: c.conn_id, name: c.name, org_id: c.org_id, org_name: c.org_name, org_url: c.org_url, sfin_url: c.sfin_url }));
    return { errlist, errors, connections, accounts };
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rec: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers };
    requests.push(rec);
    const send = (status: number, body: unknown, type = 'application/json') => {
      rec.status = status;
      res.writeHead(status, { 'content-type': type }).end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    try {
      const path = url.pathname.replace(/\/+$/, '');
      if (path === '/simplefin/info' && req.method === 'GET') return send(200, { versions: ['1', '2'] });
      if (path === '/simplefin/create' && req.method === 'GET') return send(200, `Your SimpleFIN setup token:\n${control.newSetupToken()}\n`, 'text/plain');
      const claim = /^\/simplefin\/claim\/([^/]+)$/.exec(path);
      if (claim) {
        if (req.method !== 'POST') return send(405, 'Method Not Allowed', 'text/plain');
        const code = decodeURIComponent(claim[1]!);
        // The demo token can be claimed again and again, always for the same Access URL (facts §6.8).
        if (code === 'demo') return send(200, access.has('demo') ? demoAccessUrl() : issueAccess('demo', 'demo'), 'text/plain');
        if (setupCodes.get(code) !== 'open') return send(403, 'Forbidden', 'text/plain');
        setupCodes.set(code, 'claimed');
        return send(200, issueAccess(`u${randomBytes(6).toString('hex')}`, randomBytes(24).toString('hex')), 'text/plain');
      }
      if (path === '/simplefin/accounts' && req.method === 'GET') {
        const m = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
        const [user, ...rest] = m ? Buffer.from(m[1]!, 'base64').toString('utf8').split(':') : [];
        const token = user ? access.get(user) : undefined;
        rec.user = user;
        if (!token || token.pass !== rest.join(':') || token.disabled) return send(403, 'Forbidden', 'text/plain');
        const t = nowSec();
        token.log = [...token.log.filter((x) => x > t - DAY), t];
        if (token.log.length > disableAfter) {
          token.disabled = true;
          return send(403, 'Forbidden', 'text/plain');
        }
        if (payment) return send(402, 'Payment Required', 'text/plain');
        return send(200, accountsAnswer(url.searchParams, user!));
      }
      return send(404, 'Not Found', 'text/plain');
    } catch (err) {
      if (err instanceof HttpError) return send(err.status, err.message, 'text/plain');
      return send(500, String(err), 'text/plain');
    }
  }

  const control: SimpleFinMock['control'] = {
    newSetupToken() {
      const code = randomBytes(16).toString('hex');
      setupCodes.set(code, 'open');
      return Buffer.from(`${root}/claim/${code}`).toString('base64');
    },
    revoke(user) {
      for (const [u, tok] of access) if (user === undefined || u === user) tok.disabled = true;
    },
    accessUsers: () => [...access.keys()],
    used: (user) => (access.get(user)?.log ?? []).filter((x) => x > nowSec() - DAY).length,
    paymentRequired(on) {
      payment = on;
    },
    failAccount(key, fault) {
      if (fault) faults.set(key, fault);
      else faults.delete(key);
    },
    connectionNeedsAuth(connId, on) {
      if (on) needsAuth.add(connId);
      else needsAuth.delete(connId);
    },
    truth,
    accounts: () => ACCOUNTS.map((a) => ({ key: accountKey(a), conn_id: a.conn.conn_id, id: a.id, name: a.name, org_id: a.conn.org_id })),
  };

  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handle(req, res));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  root = `${url}/simplefin`;
  return {
    url,
    root,
    demoToken: Buffer.from(`${root}/claim/demo`).toString('base64'),
    requests,
    control,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
