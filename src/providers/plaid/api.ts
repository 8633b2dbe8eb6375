import type { z } from 'zod';
import { BanksyncError } from '../../domain/errors.js';
import { HttpClient, malformed } from '../http.js';
import type { ProviderContext } from '../types.js';
import { mapPlaidError } from './errors.js';
import { PLAID_META } from './meta.js';

export const PLAID_HOSTS: Readonly<Record<string, string>> = {
  sandbox: 'https://sandbox.plaid.com',
  production: 'https://production.plaid.com',
};

/**
 * Plaid over HTTP: every call is a POST with a JSON body that carries client_id and secret
 * (Plaid accepts them there; the contract says so), pinned to API version 2020-09-14.
 */
export class PlaidApi {
  private readonly http: HttpClient;
  private readonly clientId: string;
  private readonly secret: string;

  constructor(ctx: ProviderContext) {
    const env = (ctx.credentials.env ?? '').trim().toLowerCase();
    const host = PLAID_HOSTS[env];
    const setup = { hint: 'banksync providers setup plaid' };
    if (!ctx.credentials.client_id || !ctx.credentials.secret) {
      throw new BanksyncError('NOT_CONFIGURED', `Plaid needs your ${!ctx.credentials.client_id ? 'client id' : 'secret'}`, setup);
    }
    if (!host) throw new BanksyncError('NOT_CONFIGURED', `Plaid environment must be "sandbox" or "production", not "${ctx.credentials.env ?? ''}"`, setup);
    this.clientId = ctx.credentials.client_id;
    this.secret = ctx.credentials.secret;
    this.http = new HttpClient({
      providerName: 'Plaid',
      baseUrl: ctx.baseUrl ?? host,
      dispatcher: ctx.dispatcher,
      maxInFlight: ctx.maxConcurrentRequests ?? PLAID_META.capabilities.maxConcurrentRequests,
      mapError: (f) => mapPlaidError(f, ctx.now()),
    });
  }

  async call<T>(schema: z.ZodType<T>, path: string, body: Record<string, unknown>): Promise<T> {
    const res = await this.http.call('POST', path, {
      json: { client_id: this.clientId, secret: this.secret, ...body },
      headers: { 'plaid-version': '2020-09-14' },
    });
    const r = schema.safeParse(res.body);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw malformed('Plaid', path, `has an unexpected shape (${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'})`);
    }
    return r.data;
  }
}
