import { createPrivateKey } from 'node:crypto';
import type { z } from 'zod';
import { BanksyncError } from '../../domain/errors.js';
import { HttpClient, malformed, type RequestOptions } from '../http.js';
import type { ProviderContext } from '../types.js';
import { mapEnableBankingError, SETUP_HINT } from './errors.js';
import { ENABLE_BANKING_META } from './meta.js';

export const ENABLE_BANKING_BASE_URL = 'https://api.enablebanking.com';

/** Official samples sign for one hour; we re-sign a minute before that runs out. */
const JWT_LIFETIME_S = 3600;
const JWT_MARGIN_S = 60;

/**
 * Enable Banking over HTTP. There is no token endpoint: every call carries a JWT we sign ourselves
 * with the application's RSA key (kid = application id), reused until it is about to expire.
 */
export class EnableBankingApi {
  private readonly http: HttpClient;
  private key?: Promise<CryptoKey>;
  private jwt?: { token: string; exp: number };

  constructor(private readonly ctx: ProviderContext) {
    this.http = new HttpClient({
      providerName: 'Enable Banking',
      baseUrl: ctx.baseUrl ?? ENABLE_BANKING_BASE_URL,
      dispatcher: ctx.dispatcher,
      maxInFlight: ctx.maxConcurrentRequests ?? ENABLE_BANKING_META.capabilities.maxConcurrentRequests,
      mapError: (f) => mapEnableBankingError(f, ctx.now()),
    });
  }

  /** The current bearer token, signed afresh when none is cached or it is near its expiry. */
  async bearer(): Promise<string> {
    const now = Math.floor(this.ctx.now().getTime() / 1000);
    if (this.jwt && this.jwt.exp - JWT_MARGIN_S > now && this.jwt.exp - JWT_LIFETIME_S <= now) return this.jwt.token;
    const appId = this.ctx.credentials.application_id?.trim();
    const pem = this.ctx.credentials.private_key;
    if (!appId || !pem) {
      throw new BanksyncError('NOT_CONFIGURED', `Enable Banking needs your ${!appId ? 'application id' : 'private key (.pem)'}`, { hint: SETUP_HINT });
    }
    // jose is loaded when a request is signed, not at start-up; before the key promise exists,
    // so a key that fails to load is never a rejection nobody awaits yet.
    const { SignJWT } = await import('jose');
    this.key ??= loadKey(pem);
    const exp = now + JWT_LIFETIME_S;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: appId })
      .setIssuer('enablebanking.com')
      .setAudience('api.enablebanking.com')
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(await this.key);
    this.jwt = { token, exp };
    return token;
  }

  /** An authorized call whose 2xx body must match `schema`. */
  async call<T>(schema: z.ZodType<T>, method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const authorization = `Bearer ${await this.bearer()}`;
    const res = await this.http.call(method, path, { ...opts, headers: { ...opts.headers, authorization } });
    return parse(schema, res.body, `${method} /${path.replace(/^\//, '').split('?')[0]}`);
  }
}

/**
 * The control panel hands out PKCS#8 keys; keys made with openssl may be PKCS#1, which jose does
 * not read, so those are converted first. Nothing about the key itself goes into the message.
 */
async function loadKey(pem: string): Promise<CryptoKey> {
  try {
    const block = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(pem)?.[0];
    const pkcs8 = block ?? createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }).toString();
    const { importPKCS8 } = await import('jose');
    return await importPKCS8(pkcs8, 'RS256');
  } catch {
    throw new BanksyncError('CREDENTIALS_INVALID', 'Enable Banking: the private key (.pem) cannot be read as an RSA private key', {
      hint: `give the .pem file the control panel made for your application: ${SETUP_HINT}`,
    });
  }
}

export function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const r = schema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw malformed('Enable Banking', what, `has an unexpected shape (${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'})`);
  }
  return r.data;
}
