import type { z } from 'zod';
import { BanksyncError, renewOptions } from '../../domain/errors.js';
import { HttpClient, malformed, type HttpFailure, type HttpResponse, type RequestOptions } from '../http.js';
import type { ProviderContext, SessionHandle } from '../types.js';
import { isTokenRefusal, mapPontoError, SETUP_HINT, tlsFailure } from './errors.js';
import { Collection, Token } from './schema.js';
import { clientTls } from './tls.js';
import { PONTO_META } from './meta.js';

export const PONTO_BASE_URL = 'https://api.ibanity.com';
export const TOKEN_PATH = 'ponto-connect/oauth2/token';
export const REVOKE_PATH = 'ponto-connect/oauth2/revoke';

/** What a Ponto connection keeps (sealed in the secret store). */
export interface Session {
  refreshToken: string;
  accessToken?: string;
  accessExpiresAt?: string;
}

/**
 * Ponto Connect over mTLS: every request carries the application's client certificate, the token
 * endpoint also HTTP Basic client_id:client_secret, everything else the connection's bearer token.
 */
export class PontoApi {
  private client?: HttpClient;
  /** One refresh per session at a time: a second one would spend the rotated-away refresh token. */
  private readonly refreshing = new WeakMap<object, Promise<string>>();

  constructor(private readonly ctx: ProviderContext) {}

  private http(): HttpClient {
    // Built on first use so a missing or broken certificate is reported when it matters.
    this.client ??= new HttpClient({
      providerName: 'Ponto',
      baseUrl: this.ctx.baseUrl ?? PONTO_BASE_URL,
      dispatcher: this.ctx.dispatcher,
      maxInFlight: this.ctx.maxConcurrentRequests ?? PONTO_META.capabilities.maxConcurrentRequests,
      tls: this.ctx.dispatcher ? undefined : clientTls(this.ctx.credentials, this.ctx.now()),
      mapError: (f) => mapPontoError(f, this.ctx.now()),
    });
    return this.client;
  }

  credential(name: 'client_id' | 'client_secret'): string {
    const value = this.ctx.credentials[name];
    if (!value) throw new BanksyncError('NOT_CONFIGURED', `Ponto needs your ${name === 'client_id' ? 'client id' : 'client secret'}`, { hint: SETUP_HINT });
    return value;
  }

  /** A request whose network failures caused by our own key or certificate name the certificate. */
  async send(method: string, path: string, opts: RequestOptions = {}, handshake = false): Promise<HttpResponse> {
    try {
      return await this.http().call(method, path, opts);
    } catch (err) {
      throw tlsFailure(err, handshake) ?? err;
    }
  }

  /** POST /oauth2/token with HTTP Basic client authentication (the form also names the client). */
  async token(form: Record<string, string>, opts: { accept?: number[]; handshake?: boolean } = {}): Promise<HttpResponse> {
    const id = this.credential('client_id');
    const basic = Buffer.from(`${id}:${this.credential('client_secret')}`).toString('base64');
    return this.send('POST', TOKEN_PATH, { form: { ...form, client_id: id }, headers: { authorization: `Basic ${basic}` }, accept: opts.accept }, opts.handshake);
  }

  /**
   * POST /oauth2/revoke (RFC 7009) with the refresh token and HTTP Basic client authentication,
   * as the official collection sends it: ends the integration. 200 even for a token already dead.
   */
  async revoke(refreshToken: string): Promise<void> {
    const basic = Buffer.from(`${this.credential('client_id')}:${this.credential('client_secret')}`).toString('base64');
    await this.send('POST', REVOKE_PATH, { form: { token: refreshToken }, headers: { authorization: `Basic ${basic}` } });
  }

  sessionFrom(t: Token, previousRefresh?: string): Session {
    const refreshToken = t.refresh_token ?? previousRefresh;
    if (!refreshToken) throw malformed('Ponto', 'oauth2/token', 'has no refresh_token (was the offline_access scope granted?)');
    return { refreshToken, accessToken: t.access_token, accessExpiresAt: new Date(this.ctx.now().getTime() + t.expires_in * 1000).toISOString() };
  }

  private async refresh(h: SessionHandle): Promise<string> {
    const s = sessionOf(h);
    const res = await this.token({ grant_type: 'refresh_token', refresh_token: s.refreshToken });
    // In place: callers (and core) may hold a reference to this very object.
    Object.assign(h.data, this.sessionFrom(parse(Token, res, 'oauth2/token'), s.refreshToken));
    // Refresh tokens rotate: the old one is dead now, so the new one is stored before anything else.
    await h.save();
    return String(h.data.accessToken);
  }

  /** The session's access token, renewed (and the session saved) when it is about to lapse. */
  async access(h: SessionHandle, force = false): Promise<string> {
    const s = sessionOf(h);
    const fresh = s.accessToken && s.accessExpiresAt && Date.parse(s.accessExpiresAt) - 60_000 > this.ctx.now().getTime();
    if (fresh && !force) return s.accessToken!;
    let pending = this.refreshing.get(h.data);
    if (!pending) {
      pending = this.refresh(h).finally(() => this.refreshing.delete(h.data));
      this.refreshing.set(h.data, pending);
    }
    return pending;
  }

  /** An authorized call; an access token the server no longer honours is renewed once. */
  async callRaw(h: SessionHandle, method: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt++) {
      const access = await this.access(h, attempt > 0);
      const res = await this.send(method, path, { ...opts, accept: [...(opts.accept ?? []), 401], headers: { ...opts.headers, authorization: `Bearer ${access}` } });
      if (res.status !== 401) return res;
      const failure: HttpFailure = { ...res, method, path: this.http().url(path).pathname };
      if (attempt > 0 || !isTokenRefusal(failure)) throw mapPontoError(failure, this.ctx.now());
    }
  }

  async call<T>(schema: z.ZodType<T>, h: SessionHandle, method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    return parse(schema, await this.callRaw(h, method, path, opts), path);
  }

  /** A JSON:API collection page by page, following links.next verbatim (same origin only). */
  async *pages<T>(item: z.ZodType<T>, h: SessionHandle | undefined, path: string, query: RequestOptions['query']): AsyncGenerator<T[]> {
    const origin = this.http().url('').origin;
    const seen = new Set<string>();
    let next: string | undefined = this.http().url(path, query).toString();
    while (next) {
      const url = this.http().url(next);
      if (url.origin !== origin) throw malformed('Ponto', path, `links to another host (${url.host})`);
      if (seen.has(url.href)) throw malformed('Ponto', path, 'links back to a page it already served');
      seen.add(url.href);
      const page = h ? await this.call(Collection, h, 'GET', url.href) : parse(Collection, await this.send('GET', url.href), path);
      yield page.data.map((raw, i) => parseItem(item, raw, `${path} (item ${i})`));
      next = page.links?.next ?? undefined;
    }
  }
}

export function sessionOf(h: SessionHandle): Session {
  const s = h.data as Partial<Session>;
  if (typeof s.refreshToken !== 'string' || !s.refreshToken) {
    throw new BanksyncError('CONSENT_EXPIRED', 'Ponto: this connection has no refresh token stored', renewOptions('renew it: banksync update-credentials <connection>'));
  }
  return s as Session;
}

export function parse<T>(schema: z.ZodType<T>, res: HttpResponse, what: string): T {
  return parseItem(schema, res.body, what);
}

function parseItem<T>(schema: z.ZodType<T>, raw: unknown, what: string): T {
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw malformed('Ponto', what, `has an unexpected shape (${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'})`);
  }
  return r.data;
}
