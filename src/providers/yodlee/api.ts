import type { z } from 'zod';
import { BanksyncError } from '../../domain/errors.js';
import { registerSecret } from '../../secrets/index.js';
import { HttpClient, malformed, type RequestOptions } from '../http.js';
import type { ProviderContext } from '../types.js';
import { mapYodleeError, TOKEN_REFUSED, YodleeError } from './errors.js';
import { YODLEE_META } from './meta.js';
import { TokenResponse } from './schema.js';

/** Yodlee's developer sandbox; other environments have their own host (shown in the Yodlee dashboard). */
export const YODLEE_SANDBOX_URL = 'https://sandbox.api.yodlee.com/ysl';
/** A token is renewed this long before Yodlee says it expires, so no request goes out with a dying one. */
export const TOKEN_MARGIN_MS = 120_000;

interface Token {
  value: string;
  expiresAt: number;
}

/**
 * Hands out access tokens per login name (the admin's or the Yodlee user's): one shared refresher
 * per provider instance, so a whole sync reuses one token until it nears expiry and never asks
 * for two at once.
 */
export class TokenRefresher {
  private readonly tokens = new Map<string, Token>();
  private readonly inFlight = new Map<string, Promise<string>>();
  /** How many tokens were issued (tests check the reuse). */
  issued = 0;

  constructor(
    private readonly fetchToken: (loginName: string) => Promise<{ accessToken: string; expiresIn: number }>,
    private readonly now: () => Date,
  ) {}

  async get(loginName: string): Promise<string> {
    const t = this.tokens.get(loginName);
    if (t && t.expiresAt - TOKEN_MARGIN_MS > this.now().getTime()) return t.value;
    const running = this.inFlight.get(loginName);
    if (running) return running;
    const p = (async () => {
      try {
        const got = await this.fetchToken(loginName);
        this.issued++;
        this.tokens.set(loginName, { value: got.accessToken, expiresAt: this.now().getTime() + got.expiresIn * 1000 });
        return got.accessToken;
      } finally {
        this.inFlight.delete(loginName);
      }
    })();
    this.inFlight.set(loginName, p);
    return p;
  }

  /** Drops a token Yodlee refused, unless another caller already replaced it. */
  invalidate(loginName: string, value: string): void {
    if (this.tokens.get(loginName)?.value === value) this.tokens.delete(loginName);
  }
}

export interface CallOptions extends Pick<RequestOptions, 'query' | 'json' | 'accept'> {
  /** Whose token: the Yodlee user's login name, or the admin's for administrative calls. */
  as: string;
}

/** Yodlee over HTTP: Api-Version 1.1 on every call, bearer tokens from the shared refresher. */
export class YodleeApi {
  readonly http: HttpClient;
  readonly tokens: TokenRefresher;
  readonly adminLoginName: string;
  private readonly clientId: string;
  private readonly secret: string;

  constructor(ctx: ProviderContext) {
    const setup = { hint: 'banksync providers setup yodlee' };
    const missing = [
      ['client_id', 'client id'],
      ['secret', 'secret'],
      ['admin_login_name', 'admin login name'],
    ].find(([k]) => !ctx.credentials[k!]?.trim());
    if (missing) throw new BanksyncError('NOT_CONFIGURED', `Yodlee needs your ${missing[1]}`, setup);
    this.clientId = ctx.credentials.client_id!.trim();
    this.secret = ctx.credentials.secret!;
    this.adminLoginName = ctx.credentials.admin_login_name!.trim();
    if (/\s/.test(this.adminLoginName)) throw new BanksyncError('NOT_CONFIGURED', 'the Yodlee admin login name has spaces; Yodlee login names have none', setup);
    this.http = new HttpClient({
      providerName: 'Yodlee',
      baseUrl: ctx.baseUrl ?? YODLEE_SANDBOX_URL,
      dispatcher: ctx.dispatcher,
      maxInFlight: ctx.maxConcurrentRequests ?? YODLEE_META.capabilities.maxConcurrentRequests,
      mapError: (f) => mapYodleeError(f, ctx.now()),
    });
    this.tokens = new TokenRefresher((loginName) => this.issueToken(loginName), ctx.now);
  }

  /** POST /auth/token (client credentials): form clientId + secret, the login name in a header. */
  private async issueToken(loginName: string): Promise<{ accessToken: string; expiresIn: number }> {
    const res = await this.http.call('POST', 'auth/token', {
      form: { clientId: this.clientId, secret: this.secret },
      headers: { 'api-version': '1.1', loginName },
    });
    const r = TokenResponse.safeParse(res.body);
    if (!r.success) throw malformed('Yodlee', 'POST /auth/token', 'has no token.accessToken and expiresIn');
    // A bearer credential (also written into the FastLink page): never shown in any output.
    registerSecret(r.data.token.accessToken);
    return r.data.token;
  }

  async call<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, method: string, path: string, opts: CallOptions): Promise<T> {
    const res = await this.raw(method, path, opts);
    // 204 and empty answers: Yodlee's "nothing here" is `{}` or no body at all.
    const r = schema.safeParse(res.body ?? {});
    if (!r.success) {
      const issue = r.error.issues[0];
      throw malformed('Yodlee', `${method} /${path}`, `has an unexpected shape (${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'})`);
    }
    return r.data;
  }

  /** One request with the login name's token; a refused token is replaced once. */
  async raw(method: string, path: string, opts: CallOptions): Promise<{ status: number; body: unknown }> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.tokens.get(opts.as);
      try {
        const { as: _as, ...rest } = opts;
        return await this.http.call(method, path, { ...rest, headers: { 'api-version': '1.1', authorization: `Bearer ${token}` } });
      } catch (err) {
        if (attempt === 0 && err instanceof YodleeError && TOKEN_REFUSED.has(err.yodleeCode)) {
          this.tokens.invalidate(opts.as, token);
          continue;
        }
        throw err;
      }
    }
  }
}
