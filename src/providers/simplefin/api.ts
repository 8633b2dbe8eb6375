import { BanksyncError } from '../../domain/errors.js';
import { HttpClient, malformed } from '../http.js';
import type { ProviderContext, RequestBudget as ConnectionBudget, SessionHandle } from '../types.js';
import { RequestBudget } from './budget.js';
import { mapSimpleFinError, PROVIDER_NAME } from './errors.js';
import { AccountSet } from './schema.js';
import { parseAccessUrl } from './urls.js';

/** What one GET /accounts asks for; times are UNIX seconds, `end` exclusive (protocol). */
export interface AccountsQuery {
  start?: number;
  end?: number;
  /** Account ids (within their connection) to restrict the answer to; the filter exists since protocol 1.0.7. */
  accountIds?: string[];
  balancesOnly?: boolean;
}

/**
 * SimpleFIN over HTTP. There is no app credential: the claim URL comes from the user's setup
 * token and the Access URL (with Basic credentials) from the claim. Requests to the Access URL
 * are never retried in-process: every one counts against the Bridge's daily quota.
 */
export class SimpleFinApi {
  constructor(private readonly ctx: ProviderContext) {}

  private client(base: string, phase: 'claim' | 'accounts'): HttpClient {
    return new HttpClient({
      providerName: PROVIDER_NAME,
      baseUrl: base,
      dispatcher: this.ctx.dispatcher,
      maxInFlight: 1,
      retries: 0,
      // The Bridge can take a while gathering every bank's data for a long window.
      timeoutMs: 120_000,
      mapError: (f) => mapSimpleFinError(f, phase, this.ctx.now()),
    });
  }

  /** POST the claim URL (empty body) and return the Access URL it answers with. */
  async claim(claimUrl: URL): Promise<string> {
    const res = await this.client(claimUrl.origin, 'claim').call('POST', claimUrl.toString(), { headers: { 'content-length': '0', accept: 'text/plain, */*' } });
    const text = typeof res.body === 'string' ? res.body.trim() : '';
    if (!/^https?:\/\/\S+$/i.test(text)) throw malformed(PROVIDER_NAME, 'the claim', 'is not an Access URL');
    // Checked (https off loopback, credentials present) and registered as secrets before it is kept.
    parseAccessUrl(text);
    return text;
  }

  /**
   * GET {access}/accounts with version=2. The request is counted first, and may be deferred: in
   * the token's own rolling 24-hour log (kept in the session), and in the engine's per-connection
   * budget for the day when the engine hands one in.
   */
  async accounts(h: SessionHandle, q: AccountsQuery, budget?: ConnectionBudget): Promise<AccountSet> {
    const accessUrl = h.data.accessUrl;
    if (typeof accessUrl !== 'string' || !accessUrl) {
      throw new BanksyncError('CREDENTIALS_INVALID', 'SimpleFIN: this connection has no stored Access URL');
    }
    const { root, authorization } = parseAccessUrl(accessUrl);
    await new RequestBudget(h, this.ctx.now).spend();
    await budget?.spend();
    const http = this.client(`${root}/`, 'accounts');
    const url = http.url('accounts');
    if (q.start !== undefined) url.searchParams.set('start-date', String(q.start));
    if (q.end !== undefined) url.searchParams.set('end-date', String(q.end));
    if (q.balancesOnly) url.searchParams.set('balances-only', '1');
    else url.searchParams.set('pending', '1');
    for (const id of q.accountIds ?? []) url.searchParams.append('account', id);
    url.searchParams.set('version', '2');
    const res = await http.call('GET', url.toString(), { headers: { authorization } });
    const r = AccountSet.safeParse(res.body);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw malformed(PROVIDER_NAME, 'GET /accounts', `has an unexpected shape (${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'})`);
    }
    return r.data;
  }
}
