import { accountResource, bankAccounts, type BankAccount } from './accounts.js';
import { ASPSPS, aspspData, findAspsp } from './aspsps.js';
import type { Application } from './auth.js';
import { ApiError } from './errors.js';
import type { MockState, Session } from './state.js';
import { balances, entryDate, isPending, toWire, visibleEntries } from './transactions.js';
import { addDays, apiTimestamp, digest, isoDate, parseDate, parseRfc3339, UUID_RE } from './util.js';

/** History a bank serves per request (see transactionsPage). */
export const MAX_PERIOD_DAYS = 90;

/** How long an authorization code from the redirect can be exchanged (mock choice). */
export const CODE_TTL_MS = 10 * 60_000;

export interface ApiConfig {
  baseUrl: () => string;
  redirectUrls: string[];
  allowRedirect?: (url: string) => boolean;
  unattendedDailyLimit: number;
  pageSize: number;
}

export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  now: Date;
  app: Application;
}

const TRANSACTION_STATUSES = ['BOOK', 'CNCL', 'HOLD', 'OTHR', 'PDNG', 'RJCT', 'SCHD'];
const badParams = (detail: string) => new ApiError('WRONG_REQUEST_PARAMETERS', 'Wrong request parameters provided', detail);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class EnableBankingApi {
  constructor(
    private readonly state: MockState,
    private readonly config: ApiConfig,
  ) {}

  /** Routes one authenticated API call; returns the JSON body of a 200 answer or throws ApiError. */
  handle(req: ApiRequest): unknown {
    const { method, path } = req;
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/application') return this.application(req);
    if (method === 'GET' && path === '/aspsps') return this.aspsps(req);
    if (method === 'POST' && path === '/auth') return this.startAuth(req);
    if (method === 'POST' && path === '/sessions') return this.createSession(req);
    if ((m = /^\/sessions\/([^/]+)$/.exec(path))) {
      if (method === 'GET') return this.getSession(m[1]!, req.now);
      if (method === 'DELETE') return this.deleteSession(m[1]!, req.now);
    }
    if (method === 'GET' && (m = /^\/accounts\/([^/]+)\/(details|balances|transactions)(?:\/([^/]+))?$/.exec(path))) {
      const [, uid, what, transactionId] = m;
      if (transactionId && what !== 'transactions') return notFound();
      return this.accountData(req, uid!, what as 'details' | 'balances' | 'transactions', transactionId);
    }
    return notFound();
  }

  private application(req: ApiRequest) {
    return {
      name: 'banksync mock application',
      description: 'Loopback mock of the Enable Banking API',
      kid: req.app.id,
      environment: 'SANDBOX',
      redirect_urls: this.config.redirectUrls,
      active: true,
      countries: [...new Set(ASPSPS.map((a) => a.country))],
      services: ['AIS'],
    };
  }

  private aspsps({ query }: ApiRequest) {
    const country = query.get('country')?.toUpperCase();
    const psuType = query.get('psu_type');
    const service = query.get('service');
    if (psuType && psuType !== 'personal' && psuType !== 'business') throw badParams(`psu_type must be personal or business, got ${psuType}`);
    if (service && service !== 'AIS' && service !== 'PIS') throw badParams(`service must be AIS or PIS, got ${service}`);
    const list = ASPSPS.filter(
      (a) =>
        (!country || a.country === country) &&
        (!psuType || a.psuTypes.includes(psuType as 'personal' | 'business')) &&
        // The sandbox ASPSPs here only do account information.
        service !== 'PIS',
    );
    return { aspsps: list.map(aspspData) };
  }

  private startAuth({ body, now, app }: ApiRequest) {
    if (!isObject(body)) throw badParams('Request body must be a JSON object');
    const { access, aspsp: wanted, state, redirect_url: redirectUrl, psu_type: psuTypeRaw = 'personal', psu_id: psuId } = body;
    if (!isObject(access)) throw badParams('access is required');
    const validUntil = parseRfc3339(access.valid_until);
    if (!validUntil) throw badParams('access.valid_until must be an RFC 3339 date-time with a timezone offset');
    if (!isObject(wanted) || typeof wanted.name !== 'string' || typeof wanted.country !== 'string') throw badParams('aspsp.name and aspsp.country are required');
    if (typeof state !== 'string') throw badParams('state is required');
    if (typeof redirectUrl !== 'string') throw badParams('redirect_url is required');
    if (psuTypeRaw !== 'personal' && psuTypeRaw !== 'business') throw badParams('psu_type must be personal or business');
    const ibans = access.accounts;
    if (ibans !== undefined && (!Array.isArray(ibans) || !ibans.every((a) => isObject(a) && typeof a.iban === 'string'))) throw badParams('access.accounts must be a list of {iban}');

    if (!this.redirectAllowed(redirectUrl)) throw new ApiError('REDIRECT_URI_NOT_ALLOWED', 'Redirect URI not allowed', `${redirectUrl} is not among the application's redirect URLs`);
    const aspsp = findAspsp(wanted.name, wanted.country);
    if (!aspsp) throw new ApiError('WRONG_ASPSP_PROVIDED', 'Wrong ASPSP name provided', `No ASPSP named ${wanted.name} in ${wanted.country}`);
    if (!aspsp.psuTypes.includes(psuTypeRaw)) throw badParams(`${aspsp.name} does not support psu_type ${psuTypeRaw}`);
    if (validUntil.getTime() <= now.getTime()) throw badParams('access.valid_until must be in the future');
    const latest = now.getTime() + aspsp.maximumConsentValidity * 1000;
    if (validUntil.getTime() > latest) {
      throw badParams(`access.valid_until must not be later than ${apiTimestamp(new Date(latest))} (maximum_consent_validity ${aspsp.maximumConsentValidity} s)`);
    }

    const id = this.state.nextId('authorization');
    const psuIdHash = digest('psu', app.id, typeof psuId === 'string' ? psuId : id);
    this.state.authorizations.set(id, {
      id,
      aspsp,
      psuType: psuTypeRaw,
      validUntil,
      balances: access.balances !== false,
      transactions: access.transactions !== false,
      ibans: (ibans as { iban: string }[] | undefined)?.map((a) => a.iban),
      state,
      redirectUrl,
      psuIdHash,
    });
    return { url: `${this.config.baseUrl()}/welcome?sessionid=${id}`, authorization_id: id, psu_id_hash: psuIdHash };
  }

  private redirectAllowed(url: string): boolean {
    return this.config.redirectUrls.includes(url) || this.config.allowRedirect?.(url) === true;
  }

  private createSession({ body, now }: ApiRequest) {
    if (!isObject(body) || typeof body.code !== 'string') throw badParams('code is required');
    const auth = this.state.codes.get(body.code);
    if (!auth?.codeIssuedAt) throw new ApiError('WRONG_AUTHORIZATION_CODE', 'Wrong authorization code provided', 'Unknown authorization code');
    if (auth.sessionId) throw new ApiError('ALREADY_AUTHORIZED', 'Session is already authorized', 'This authorization code has already been used');
    if (now.getTime() - auth.codeIssuedAt.getTime() > CODE_TTL_MS)
      throw new ApiError('EXPIRED_AUTHORIZATION_CODE', 'Authorization code expired', `Codes must be exchanged within ${CODE_TTL_MS / 60_000} minutes`);

    const user = auth.aspsp.users.find((u) => u.username === auth.username) ?? auth.aspsp.users[0]!;
    const accounts = bankAccounts(auth.aspsp, user).filter((a) => !auth.ibans || (a.iban !== undefined && auth.ibans.includes(a.iban)));
    if (accounts.length === 0) throw new ApiError('NO_ACCOUNTS_ADDED', 'No accounts added', 'None of the requested accounts is available');

    const session: Session = {
      id: this.state.nextId('session'),
      authorization: auth,
      // A fresh uid per account per session: uids die with their session (facts §5.5).
      accounts: accounts.map((account) => ({ uid: this.state.nextId('uid'), account })),
      created: now,
      authorized: now,
      validUntil: auth.validUntil,
    };
    auth.sessionId = session.id;
    this.state.sessions.set(session.id, session);
    for (const a of session.accounts) this.state.accounts.set(a.uid, { session, account: a.account });
    return {
      session_id: session.id,
      accounts: session.accounts.map((a) => accountResource(a.account, a.uid)),
      aspsp: { name: auth.aspsp.name, country: auth.aspsp.country },
      psu_type: auth.psuType,
      access: this.access(session),
    };
  }

  private access(session: Session) {
    const auth = session.authorization;
    return { valid_until: apiTimestamp(session.validUntil), balances: auth.balances, transactions: auth.transactions };
  }

  private findSession(id: string): Session {
    const session = this.state.sessions.get(id);
    if (!session) throw new ApiError('SESSION_DOES_NOT_EXIST', 'Session does not exist', `No session ${id}`);
    return session;
  }

  private getSession(id: string, now: Date) {
    const session = this.findSession(id);
    return {
      status: this.state.status(session, now),
      accounts: session.accounts.map((a) => a.uid),
      accounts_data: session.accounts.map((a) => ({ uid: a.uid, identification_hash: a.account.identificationHash, identification_hashes: a.account.identificationHashes })),
      aspsp: { name: session.authorization.aspsp.name, country: session.authorization.aspsp.country },
      psu_type: session.authorization.psuType,
      psu_id_hash: session.authorization.psuIdHash,
      access: this.access(session),
      created: apiTimestamp(session.created),
      authorized: apiTimestamp(session.authorized),
      ...(session.closed ? { closed: apiTimestamp(session.closed) } : {}),
    };
  }

  private deleteSession(id: string, now: Date) {
    const session = this.findSession(id);
    if (session.closed) throw new ApiError('WRONG_SESSION_STATUS', 'Wrong session status', 'Session is already closed');
    session.closed = now;
    return { message: 'OK' };
  }

  private accountData(req: ApiRequest, uid: string, what: 'details' | 'balances' | 'transactions', transactionId?: string) {
    if (!UUID_RE.test(uid)) throw new ApiError('INVALID_ACCOUNT_ID', 'Invalid account ID', `${uid} is not a valid account id`);
    const found = this.state.accounts.get(uid);
    if (!found) throw new ApiError('ACCOUNT_DOES_NOT_EXIST', 'Account does not exist', `No account ${uid}`);
    const { session, account } = found;
    const status = this.state.status(session, req.now);
    if (status === 'CLOSED') throw new ApiError('CLOSED_SESSION', 'Session is closed', `Session ${session.id} was closed`);
    if (status === 'EXPIRED') throw new ApiError('EXPIRED_SESSION', 'Session is expired', `Session ${session.id} expired at ${apiTimestamp(session.validUntil)}`);
    if (what === 'balances' && !session.authorization.balances) throw new ApiError('ACCESS_DENIED', 'Access denied', 'The consent does not include balances');
    if (what === 'transactions' && !session.authorization.transactions) throw new ApiError('ACCESS_DENIED', 'Access denied', 'The consent does not include transactions');

    const today = isoDate(req.now);
    const attended = this.psuPresent(req, account.aspsp.requiredPsuHeaders);
    if (what === 'details') {
      this.countUnattended(attended, account.identificationHash, today);
      return accountResource(account, uid);
    }
    if (what === 'balances') {
      this.countUnattended(attended, account.identificationHash, today);
      return { balances: balances(account, today, req.now) };
    }
    if (transactionId) {
      const key = Buffer.from(transactionId, 'base64url').toString().replace(/:\d+$/, '');
      const entry = visibleEntries(account, today).find((e) => e.key === key);
      if (!entry) throw new ApiError('TRANSACTION_DOES_NOT_EXIST', 'Transaction does not exist', `No transaction ${transactionId}`);
      this.countUnattended(attended, account.identificationHash, today);
      return toWire(account, entry, today, transactionId);
    }
    return this.transactionsPage(req, uid, account, today, attended);
  }

  /** GET /accounts/{uid}/transactions: filters, then continuation_key paging (facts §5.6). */
  private transactionsPage(req: ApiRequest, uid: string, account: BankAccount, today: string, attended: boolean) {
    const q = req.query;
    const rawFrom = q.get('date_from');
    const rawTo = q.get('date_to');
    const status = q.get('transaction_status');
    const strategy = q.get('strategy');
    if (rawTo && !rawFrom) throw new ApiError('DATE_TO_WITHOUT_DATE_FROM', 'date_to provided without date_from', 'Provide date_from together with date_to');
    const dateFrom = rawFrom ? parseDate(rawFrom) : undefined;
    const dateTo = rawTo ? parseDate(rawTo) : undefined;
    if (rawFrom && !dateFrom) throw badParams(`date_from must be YYYY-MM-DD, got ${rawFrom}`);
    if (rawTo && !dateTo) throw badParams(`date_to must be YYYY-MM-DD, got ${rawTo}`);
    if (status && !TRANSACTION_STATUSES.includes(status)) throw badParams(`Unknown transaction_status ${status}`);
    if (strategy && strategy !== 'default' && strategy !== 'longest') throw badParams(`Unknown strategy ${strategy}`);
    if (dateFrom && dateFrom > today) throw new ApiError('DATE_FROM_IN_FUTURE', 'date_from is in the future', `date_from ${dateFrom} is after ${today}`);
    if (dateFrom && dateTo && dateFrom > dateTo) throw new ApiError('WRONG_DATE_INTERVAL', 'Wrong date interval', 'date_from should be less than or equal date_to');

    // The key is only good for the same account and the same filters it was issued with.
    const queryId = JSON.stringify([rawFrom, rawTo, status, strategy]);
    const keyIn = q.get('continuation_key');
    let offset = 0;
    if (keyIn) {
      const cursor = this.state.cursors.get(keyIn);
      if (!cursor || cursor.uid !== uid || cursor.query !== queryId)
        throw new ApiError('WRONG_CONTINUATION_KEY', 'Wrong continuation key provided', 'The continuation key does not belong to this account and query');
      if (cursor.emptyNext) return { transactions: [], continuation_key: this.issueCursor(uid, queryId, cursor.offset, false) };
      offset = cursor.offset;
    } else {
      // Like most banks behind it, the sandbox serves at most 90 days back once the consent is no
      // longer fresh (422 WRONG_TRANSACTIONS_PERIOD), unless strategy=longest lets it choose.
      if (dateFrom && strategy !== 'longest' && dateFrom < addDays(today, -MAX_PERIOD_DAYS)) {
        throw new ApiError('WRONG_TRANSACTIONS_PERIOD', 'Wrong transactions period requested', `date_from may be at most ${MAX_PERIOD_DAYS} days before today`);
      }
      // Continuation pages belong to one logical fetch; only the first page costs a bank call.
      this.countUnattended(attended, account.identificationHash, today);
    }

    const entries = visibleEntries(account, today).filter((e) => {
      const d = entryDate(e, today);
      if (dateFrom && d < dateFrom) return false;
      if (dateTo && d > dateTo) return false;
      return !status || (status === 'PDNG' ? isPending(e, today) : status === 'BOOK' && !isPending(e, today));
    });
    const nonce = this.state.nonce();
    const page = entries.slice(offset, offset + this.config.pageSize).map((e) => toWire(account, e, today, Buffer.from(`${e.key}:${nonce}`).toString('base64url')));
    const next = offset + this.config.pageSize;
    if (next >= entries.length) return { transactions: page };
    // Right after the first page comes one empty page that still carries a key.
    return { transactions: page, continuation_key: this.issueCursor(uid, queryId, next, offset === 0) };
  }

  private issueCursor(uid: string, query: string, offset: number, emptyNext: boolean): string {
    const key = Buffer.from(this.state.nextId('cursor')).toString('base64url');
    this.state.cursors.set(key, { uid, query, offset, emptyNext });
    return key;
  }

  /**
   * PSU headers are all-or-none per ASPSP (facts §5.2); Psu-Ip-Address marks the PSU as present,
   * which exempts the call from the bank's unattended daily limit (§5.9).
   */
  private psuPresent(req: ApiRequest, required: string[]): boolean {
    const has = (h: string) => typeof req.headers[h.toLowerCase()] === 'string';
    const given = required.filter(has);
    if (given.length > 0 && given.length < required.length) {
      const missing = required.filter((h) => !has(h));
      throw new ApiError('PSU_HEADER_NOT_PROVIDED', 'Required PSU header not provided', `PSU header ${missing.join(', ')} is not provided`);
    }
    return has('Psu-Ip-Address');
  }

  private countUnattended(attended: boolean, identificationHash: string, today: string): void {
    if (attended) return;
    const key = `${identificationHash}|${today}`;
    const used = this.state.unattendedCalls.get(key) ?? 0;
    if (used >= this.config.unattendedDailyLimit) {
      throw new ApiError(
        'ASPSP_RATE_LIMIT_EXCEEDED',
        'ASPSP rate limit exceeded',
        `At most ${this.config.unattendedDailyLimit} unattended requests per account per day; send PSU headers when the user is present`,
      );
    }
    this.state.unattendedCalls.set(key, used + 1);
  }
}

function notFound(): never {
  throw new NotFound();
}

/** Unknown route: the framework's 404, outside the ErrorCode list. */
export class NotFound extends Error {}
