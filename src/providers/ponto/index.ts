import { isoDate } from '../../domain/clock.js';
import { PONTO_META } from './meta.js';
import type { Institution, Provider, ProviderContext, ProviderPending, RejectedLine, SessionHandle, TransactionPage } from '../types.js';
import { parse, PontoApi, sessionOf } from './api.js';
import { consentFlow, wireAccounts } from './consent.js';
import { describe, mapPontoError } from './errors.js';
import { bookingDateOf, toAccount, toBooked, toInstitution, toPending, undated } from './map.js';
import { Account, Institution as WireInstitution, One, Transaction } from './schema.js';
import { synchronize, customerIpAddress, type SyncOutcome } from './sync.js';
import { clientTls } from './tls.js';

const defined = <T>(v: T | undefined): v is T => v !== undefined;

/** An account's two synchronizations: lines (with pending ones where the bank has them) and details (balance). */
interface AccountRefresh {
  lines: SyncOutcome;
  details: SyncOutcome;
}

export function createPontoProvider(ctx: ProviderContext): Provider {
  const api = new PontoApi(ctx);
  const consent = consentFlow(api, ctx);
  /**
   * What refreshConnection got per session and account, for the account's fetch (used once). A
   * failure is kept as the account's own (one account's expired bank authorization is not the others').
   */
  const refreshed = new WeakMap<object, Map<string, Promise<AccountRefresh>>>();

  /** Details carry the balance, transactions the lines: both refreshed, side by side. */
  async function refreshAccount(h: SessionHandle, accountId: string, ip: string): Promise<AccountRefresh> {
    const outcomes = await Promise.allSettled([synchronize(api, h, accountId, 'accountTransactionsWithUnsettled', ctx.now, ip), synchronize(api, h, accountId, 'accountDetails', ctx.now, ip)]);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
    const [lines, details] = outcomes.map((o) => (o as PromiseFulfilledResult<SyncOutcome>).value) as [SyncOutcome, SyncOutcome];
    return { lines, details };
  }

  return {
    ...PONTO_META,

    /** mTLS and client id/secret, checked without a user: a dummy refresh token must be refused as invalid_grant. */
    async verifyCredentials() {
      clientTls(ctx.credentials, ctx.now());
      const res = await api.token({ grant_type: 'refresh_token', refresh_token: 'banksync-credential-check' }, { accept: [400, 401], handshake: true });
      if (res.status >= 400 && describe(res.body).code !== 'invalid_grant') {
        throw mapPontoError({ ...res, method: 'POST', path: '/ponto-connect/oauth2/token' }, ctx.now());
      }
    },

    async listInstitutions(country) {
      const wanted = country?.toUpperCase();
      const out: Institution[] = [];
      // No server-side country filter: the official collection lists institutions bare, and an
      // unknown filter could be refused; the list is small and filtered here.
      for await (const page of api.pages(WireInstitution, undefined, 'ponto-connect/financial-institutions', { 'page[limit]': 100 })) {
        out.push(...page.filter((w) => !wanted || w.attributes.country?.toUpperCase() === wanted).map(toInstitution));
      }
      return out;
    },

    async getInstitution(id) {
      const res = await api.send('GET', `ponto-connect/financial-institutions/${encodeURIComponent(id)}`, { accept: [404] });
      if (res.status === 404) return undefined;
      return toInstitution(parse(One(WireInstitution), res, 'financial-institutions/{id}').data);
    },

    beginConsent: consent.begin,
    completeConsent: consent.complete,

    async listAccounts(h) {
      const today = isoDate(ctx.now());
      return (await wireAccounts(api, h)).map((w) => toAccount(w, today));
    },

    /** Revoking the refresh token ends the integration at Ponto (its access tokens with it). */
    async revoke(h) {
      await api.revoke(sessionOf(h).refreshToken);
    },

    /**
     * Ponto serves its own copy of the bank's data: every account of the connection is asked to
     * synchronize (lines and details), once per sync, before any is read. A synchronization
     * refused as too recent (accountRecentlySynchronized) means Ponto's copy is used: 'deferred'
     * with fetchCached. Failures are the failing account's, thrown at its fetch.
     */
    async refreshConnection(h, { accounts }) {
      const ip = customerIpAddress(ctx.env);
      const byAccount = new Map(accounts.map((a) => [a.externalId, refreshAccount(h, a.externalId, ip)] as const));
      refreshed.set(h.data, byAccount);
      const settled = await Promise.allSettled(byAccount.values());
      const done = settled.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      const recent = done.filter((r) => r.lines === 'skipped').length;
      if (recent === 0) return { status: 'done' };
      const which = recent === accounts.length ? 'its accounts were' : `${recent} of ${accounts.length} accounts were`;
      return { status: 'deferred', fetchCached: true, message: `${which} synchronized from the bank a few minutes ago and Ponto allows no new synchronization this soon` };
    },

    fetchTransactions(h, req) {
      return (async function* (): AsyncGenerator<TransactionPage> {
        const id = encodeURIComponent(req.account.externalId);
        const kept = refreshed.get(h.data);
        const prior = kept?.get(req.account.externalId);
        kept?.delete(req.account.externalId);
        // Without a refresh in this run (a caller that fetches directly) the account synchronizes here.
        const { lines, details } = await (prior ?? refreshAccount(h, req.account.externalId, customerIpAddress(ctx.env)));
        // A balance is only comparable with lines refreshed at the same moment (drift check).
        let balance: TransactionPage['balance'];
        if (lines === details && lines !== 'unfinished') {
          balance = toAccount((await api.call(One(Account), h, 'GET', `ponto-connect/accounts/${id}`)).data, isoDate(ctx.now())).balance;
        }
        const pending: ProviderPending[] = [];
        const rejected: RejectedLine[] = [];
        for await (const page of api.pages(Transaction, h, `ponto-connect/accounts/${id}/pending-transactions`, { 'page[limit]': 100 })) {
          pending.push(...page.map(toPending).filter(defined));
          rejected.push(...page.filter((t) => !bookingDateOf(t)).map((t) => undated(t, 'pending')));
        }
        let first = true;
        for await (const page of api.pages(Transaction, h, `ponto-connect/accounts/${id}/transactions`, { 'page[limit]': 100 })) {
          // Newest first and no date filter: read back until a whole page predates the window.
          const booked = page.map(toBooked).filter(defined);
          const inWindow = booked.filter((t) => t.bookingDate >= req.from);
          rejected.push(...page.filter((t) => !bookingDateOf(t)).map((t) => undated(t, 'booked')));
          const extra = rejected.length ? { rejected: rejected.splice(0) } : {};
          if (first || inWindow.length > 0 || extra.rejected) yield first ? { booked: inWindow, pending, balance, ...extra } : { booked: inWindow, ...extra };
          first = false;
          if (booked.length > 0 && inWindow.length === 0) break;
        }
        if (first) yield { booked: [], pending, balance, ...(rejected.length ? { rejected } : {}) };
      })();
    },
  };
}
