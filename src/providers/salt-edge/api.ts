import { createPrivateKey, createSign, type KeyObject } from 'node:crypto';
import type { z } from 'zod';
import { BanksyncError } from '../../domain/errors.js';
import { HttpClient, malformed, type RequestOptions } from '../http.js';
import type { ProviderContext } from '../types.js';
import { mapSaltEdgeError } from './errors.js';
import { SALT_EDGE_META } from './meta.js';

export const SALT_EDGE_BASE_URL = 'https://www.saltedge.com/api/v6/';

/** Salt Edge's own advice: sign for one minute ahead (at most an hour, else ExpiresAtInvalid). */
const SIGNATURE_TTL_S = 60;

/**
 * The string Salt Edge signs (docs "Signature" guide): Expires-at|METHOD|full URL with query|body|
 * — the body empty for GET/DELETE. RSA with SHA-256, base64 [the v6 guide says SHA256; older
 * guides SHA1 and a fifth md5-of-file segment, which stays empty for JSON calls].
 */
export function signatureBase(expiresAt: number, method: string, url: string, body: string): string {
  return `${expiresAt}|${method.toUpperCase()}|${url}|${body}|`;
}

export function sign(key: KeyObject, base: string): string {
  return createSign('RSA-SHA256').update(base).sign(key, 'base64');
}

/** The private key, checked when the adapter is built: a bad key fails at once, naming the field. */
function loadKey(pem: string | undefined): KeyObject {
  const setup = { hint: 'banksync providers setup salt-edge' };
  if (!pem) throw new BanksyncError('NOT_CONFIGURED', 'Salt Edge needs the RSA private key that signs requests', setup);
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new BanksyncError('NOT_CONFIGURED', 'Salt Edge private_key is not a PEM private key', setup);
  }
  if (key.asymmetricKeyType !== 'rsa') throw new BanksyncError('NOT_CONFIGURED', `Salt Edge private_key must be an RSA key, not ${key.asymmetricKeyType ?? 'unknown'}`, setup);
  return key;
}

/** Salt Edge v6 over HTTP: App-id and Secret on every call, every call signed. */
export class SaltEdgeApi {
  private readonly http: HttpClient;
  private readonly key: KeyObject;

  constructor(private readonly ctx: ProviderContext) {
    const c = ctx.credentials;
    const setup = { hint: 'banksync providers setup salt-edge' };
    if (!c.app_id?.trim()) throw new BanksyncError('NOT_CONFIGURED', 'Salt Edge needs your App-id', setup);
    if (!c.secret?.trim()) throw new BanksyncError('NOT_CONFIGURED', 'Salt Edge needs your Secret', setup);
    this.key = loadKey(c.private_key);
    this.http = new HttpClient({
      providerName: 'Salt Edge',
      baseUrl: ctx.baseUrl ?? SALT_EDGE_BASE_URL,
      dispatcher: ctx.dispatcher,
      maxInFlight: ctx.maxConcurrentRequests ?? SALT_EDGE_META.capabilities.maxConcurrentRequests,
      mapError: (f) => mapSaltEdgeError(f, ctx.now()),
    });
  }

  async call<S extends z.ZodTypeAny>(schema: S, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, opts: Pick<RequestOptions, 'query' | 'json'> = {}): Promise<z.output<S>> {
    const url = this.http.url(path, opts.query).toString();
    const body = opts.json === undefined ? '' : JSON.stringify(opts.json);
    const expiresAt = Math.floor(this.ctx.now().getTime() / 1000) + SIGNATURE_TTL_S;
    const res = await this.http.call(method, path, {
      ...opts,
      headers: {
        'app-id': this.ctx.credentials.app_id!.trim(),
        secret: this.ctx.credentials.secret!.trim(),
        'content-type': 'application/json',
        'expires-at': String(expiresAt),
        signature: sign(this.key, signatureBase(expiresAt, method, url, body)),
      },
    });
    const r = schema.safeParse(res.body);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw malformed('Salt Edge', `${method} ${new URL(url).pathname}`, `has an unexpected shape (${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'})`);
    }
    return r.data as z.output<S>;
  }
}
