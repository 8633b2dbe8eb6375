import type { z } from 'zod';
import { BanksyncError } from '../../domain/errors.js';
import { HttpClient, malformed, type HttpResponse, type RequestOptions } from '../http.js';
import type { ProviderContext } from '../types.js';
import { mapGoCardlessError } from './errors.js';
import { Token } from './schema.js';
import { GOCARDLESS_META } from './meta.js';

export const GOCARDLESS_BASE_URL = 'https://bankaccountdata.gocardless.com';

/**
 * GoCardless Bank Account Data over HTTP: one access token per process (token/new is limited to
 * 100 an hour, so it is fetched once and renewed only when it expires or is refused).
 */
export class GoCardlessApi {
  private readonly http: HttpClient;
  private token?: { access: string; expiresAt: number };
  private pendingToken?: Promise<string>;

  constructor(private readonly ctx: ProviderContext) {
    this.http = new HttpClient({
      providerName: 'GoCardless',
      baseUrl: ctx.baseUrl ?? GOCARDLESS_BASE_URL,
      dispatcher: ctx.dispatcher,
      maxInFlight: ctx.maxConcurrentRequests ?? GOCARDLESS_META.capabilities.maxConcurrentRequests,
      mapError: (f) => mapGoCardlessError(f, ctx.now()),
    });
  }

  /** Exchanges the secret id/key for an access token; a refusal names the credentials. */
  async newToken(): Promise<string> {
    const id = this.ctx.credentials.secret_id;
    const key = this.ctx.credentials.secret_key;
    if (!id || !key) {
      throw new BanksyncError('NOT_CONFIGURED', `GoCardless needs your ${!id ? 'secret id' : 'secret key'}`, { hint: 'banksync providers setup gocardless' });
    }
    const res = await this.http.call('POST', 'api/v2/token/new/', { json: { secret_id: id, secret_key: key } });
    const t = parse(Token, res, 'token/new');
    this.token = { access: t.access, expiresAt: this.ctx.now().getTime() + (t.access_expires - 60) * 1000 };
    return t.access;
  }

  private async access(): Promise<string> {
    if (this.token && this.token.expiresAt > this.ctx.now().getTime()) return this.token.access;
    // One refresh shared by concurrent calls.
    this.pendingToken ??= this.newToken().finally(() => (this.pendingToken = undefined));
    return this.pendingToken;
  }

  /** An authorized call; a token the server no longer honours is replaced once. */
  async call<T>(schema: z.ZodType<T> | CheckedSchema<T>, method: string, path: string, opts: RequestOptions = {}): Promise<{ body: T; headers: HttpResponse['headers'] }> {
    for (let attempt = 0; ; attempt++) {
      const access = await this.access();
      try {
        const res = await this.http.call(method, path, { ...opts, headers: { ...opts.headers, authorization: `Bearer ${access}` } });
        return { body: parse(schema, res, path), headers: res.headers };
      } catch (err) {
        const tokenRefused = err instanceof BanksyncError && err.code === 'CREDENTIALS_INVALID' && err.reason === 'token-refused';
        if (!tokenRefused || attempt > 0) throw err;
        this.token = undefined;
      }
    }
  }
}

/** A schema with a hand check of exactly what it accepts (large answers): an answer that passes is used as it came, zod words a refusal. */
export interface CheckedSchema<T> {
  zod: z.ZodType<T>;
  accepts: (raw: unknown) => raw is T;
}

function parse<T>(schema: z.ZodType<T> | CheckedSchema<T>, res: HttpResponse, what: string): T {
  if ('accepts' in schema && schema.accepts(res.body)) return res.body;
  const r = ('accepts' in schema ? schema.zod : schema).safeParse(res.body);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw malformed('GoCardless', what, `has an unexpected shape (${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'})`);
  }
  return r.data;
}
