import { isoDate } from '../../domain/clock.js';
import { BanksyncError } from '../../domain/errors.js';
import type { ConsentGrant, ConsentStart, Provider, ProviderContext, RefreshOutcome, SessionHandle, TransactionPage } from '../types.js';
import { YodleeApi } from './api.js';
import { YodleeError } from './errors.js';
import { fastLinkPage, fastLinkSettings } from './fastlink.js';
import { toAccount, toLine } from './map.js';
import { YODLEE_META } from './meta.js';
import { AccountsResponse, ProviderAccountsResponse, TransactionsResponse, UserResponse, type ProviderAccount } from './schema.js';
import { POLL_MS, refreshOutcome } from './refresh.js';

/** What a Yodlee connection keeps (sealed in the secret store): one provider account (one bank login). */
interface Session {
  providerAccountId: string;
  /** The Yodlee user it belongs to (the installation's, from the provider state). */
  loginName: string;
}

/** Yodlee's maximum `top` for /transactions. */
export const PAGE_SIZE = 500;
/** A runaway paging loop stops here (a window this large is a provider fault). */
const MAX_SKIP = 200_000;
const DONE = new Set(['SUCCESS', 'PARTIAL_SUCCESS']);

export function createYodleeProvider(ctx: ProviderContext): Provider {
  let lazyApi: YodleeApi | undefined;
  // Built on first use: reading capabilities must not need credentials.
  const api = () => (lazyApi ??= new YodleeApi(ctx));
  const sessionOf = (h: SessionHandle): Session => {
    const d = h.data as Partial<Session>;
    if (typeof d.providerAccountId !== 'string' || typeof d.loginName !== 'string') {
      throw new BanksyncError('CONSENT_EXPIRED', 'Yodlee: this connection has no provider account stored', { hint: 'connect again: banksync connect --provider yodlee' });
    }
    return d as Session;
  };
  /** Provider accounts whose refresh this instance asked for, so a later SUCCESS is ours. */
  const refreshing = new Set<string>();

  /**
   * The installation's one Yodlee user: its login name is kept in the provider state before it is
   * registered (a crash between the two re-registers the same name), then marked registered.
   */
  async function ensureUser(): Promise<string> {
    if (!ctx.state) throw new BanksyncError('INTERNAL', 'internal error: Yodlee needs the provider state to keep its user');
    let loginName = await ctx.state.get('login_name');
    if (typeof loginName !== 'string') {
      loginName = `banksync-${globalThis.crypto.randomUUID()}`;
      await ctx.state.set('login_name', loginName);
    }
    if ((await ctx.state.get('registered')) !== true) {
      try {
        await api().call(UserResponse, 'POST', 'user/register', { as: api().adminLoginName, json: { user: { loginName, preferences: { currency: 'USD', locale: 'en_US' } } } });
      } catch (err) {
        // Y811: the name already exists (registered before a crash): it is ours.
        if (!(err instanceof YodleeError && err.yodleeCode === 'Y811')) throw err;
      }
      await ctx.state.set('registered', true);
    }
    return loginName as string;
  }

  const providerAccounts = async (loginName: string): Promise<ProviderAccount[]> => (await api().call(ProviderAccountsResponse, 'GET', 'providerAccounts', { as: loginName })).providerAccount ?? [];

  async function providerAccount(loginName: string, id: string): Promise<ProviderAccount> {
    const pa = (await api().call(ProviderAccountsResponse, 'GET', `providerAccounts/${encodeURIComponent(id)}`, { as: loginName })).providerAccount?.[0];
    if (!pa) throw new BanksyncError('CONSENT_EXPIRED', `Yodlee: provider account ${id} is gone`, { hint: 'connect again: banksync connect --provider yodlee' });
    return pa;
  }

  const lastUpdated = (pa: ProviderAccount) =>
    [pa.lastUpdated, ...(pa.dataset ?? []).map((d) => d.lastUpdated)]
      .filter((x): x is string => !!x)
      .sort()
      .at(-1) ?? '';

  const grant = (session: Session): ConsentGrant => ({ session: { ...session } });

  /** Completion seen at Yodlee without the browser's answer: a new provider account, or the renewed one updated. */
  async function pollConsent(start: ConsentStart): Promise<ConsentGrant | undefined> {
    const loginName = String(start.state.loginName);
    if (typeof start.state.renew === 'string') {
      const pa = await providerAccount(loginName, start.state.renew);
      return DONE.has(pa.status ?? '') && lastUpdated(pa) > String(start.state.since ?? '') ? grant({ providerAccountId: pa.id, loginName }) : undefined;
    }
    const known = new Set(start.state.known as string[]);
    const fresh = (await providerAccounts(loginName)).find((pa) => !known.has(pa.id) && DONE.has(pa.status ?? ''));
    return fresh ? grant({ providerAccountId: fresh.id, loginName }) : undefined;
  }

  return {
    ...YODLEE_META,

    /** An admin token proves the client id, secret and admin login name together. */
    async verifyCredentials() {
      await api().tokens.get(api().adminLoginName);
    },

    // FastLink chooses the bank; there is no catalogue to list.
    async listInstitutions() {
      return [];
    },
    async getInstitution() {
      return undefined;
    },

    async beginConsent({ redirectUrl, state, existing }) {
      const loginName = await ensureUser();
      const renew = existing ? sessionOf(existing) : undefined;
      let carried: Record<string, unknown>;
      if (renew) {
        const pa = await providerAccount(renew.loginName, renew.providerAccountId);
        carried = { loginName: renew.loginName, renew: renew.providerAccountId, since: lastUpdated(pa) };
      } else {
        carried = { loginName, known: (await providerAccounts(loginName)).map((pa) => pa.id) };
      }
      const user = renew?.loginName ?? loginName;
      const accessToken = await api().tokens.get(user);
      const page = fastLinkPage({ settings: fastLinkSettings(ctx.env), accessToken, state, callbackUrl: redirectUrl ?? '/callback', ...(renew ? { providerAccountId: renew.providerAccountId } : {}) });
      return { page, state: carried };
    },

    async completeConsent(start, callback) {
      const loginName = String(start.state.loginName);
      if (callback.error) throw new BanksyncError('BAD_INPUT', `FastLink ended without linking a bank: ${callback.error_description ?? callback.error}; nothing was changed`);
      const id = callback.providerAccountId ?? '';
      if (!/^\d+$/.test(id)) throw new BanksyncError('BAD_INPUT', 'FastLink sent no provider account id; nothing was changed', { hint: 'run the command again and finish FastLink' });
      if (typeof start.state.renew === 'string') {
        if (id !== start.state.renew) throw new BanksyncError('BAD_INPUT', `FastLink renewed provider account ${id}, not this connection's ${start.state.renew}; nothing was changed`);
        return grant({ providerAccountId: id, loginName });
      }
      // Only an account of this installation's Yodlee user, seen at Yodlee itself, is taken.
      const pa = (await providerAccounts(loginName)).find((p) => p.id === id);
      if (!pa) throw new BanksyncError('BAD_INPUT', `Yodlee has no provider account ${id} for this installation; nothing was changed`);
      return grant({ providerAccountId: id, loginName });
    },

    pollConsent,

    async listAccounts(h) {
      const s = sessionOf(h);
      const res = await api().call(AccountsResponse, 'GET', 'accounts', { as: s.loginName, query: { providerAccountId: s.providerAccountId } });
      const today = isoDate(ctx.now());
      return (res.account ?? []).map((raw) => toAccount(raw, today)).flatMap((m) => ('account' in m ? [m.account] : []));
    },

    fetchTransactions(h, req) {
      return (async function* (): AsyncGenerator<TransactionPage> {
        const s = sessionOf(h);
        const container = req.account.meta?.container;
        for (let skip = 0; ; skip += PAGE_SIZE) {
          if (skip > MAX_SKIP) throw new BanksyncError('PROVIDER_ERROR', `Yodlee: more than ${MAX_SKIP} transactions in ${req.from}…${req.to}; stopped paging`);
          const res = await api().call(TransactionsResponse, 'GET', 'transactions', {
            as: s.loginName,
            query: { accountId: req.account.externalId, container, fromDate: req.from, toDate: req.to, skip, top: PAGE_SIZE },
          });
          const raw = res.transaction ?? [];
          const page: TransactionPage = { booked: [], pending: [], rejected: [], pendingMode: 'snapshot' };
          for (const r of raw) {
            const l = toLine(r);
            // A line of another account in the answer is Yodlee's fault, never ours to store here.
            const acct = (r as { accountId?: unknown } | null)?.accountId;
            if (acct !== undefined && String(acct) !== req.account.externalId) {
              const ext = 'externalId' in l.line ? l.line.externalId : undefined;
              page.rejected!.push({ ...(ext ? { externalId: ext } : {}), reason: `Yodlee returned a line of account ${String(acct)} for account ${req.account.externalId}` });
              continue;
            }
            if (l.kind === 'booked') page.booked.push(l.line);
            else if (l.kind === 'pending') page.pending!.push(l.line);
            else page.rejected!.push(l.line);
          }
          if (!page.rejected!.length) delete page.rejected;
          yield page;
          if (raw.length < PAGE_SIZE) return;
        }
      })();
    },

    async refreshConnection(h) {
      const s = sessionOf(h);
      const before = await providerAccount(s.loginName, s.providerAccountId);
      const outcome: RefreshOutcome | 'refresh' = refreshOutcome(before, { ours: refreshing.has(s.providerAccountId), now: ctx.now() });
      if (outcome !== 'refresh') {
        // A refresh seen running (ours or Yodlee's own) is waited for; its SUCCESS then means fresh data.
        if (outcome.status === 'pending') refreshing.add(s.providerAccountId);
        else refreshing.delete(s.providerAccountId);
        return outcome;
      }
      const res = await api().call(ProviderAccountsResponse, 'PUT', 'providerAccounts', { as: s.loginName, query: { providerAccountIds: s.providerAccountId } });
      refreshing.add(s.providerAccountId);
      const after = res.providerAccount?.find((p) => p.id === s.providerAccountId);
      const next = after ? refreshOutcome(after, { ours: true, now: ctx.now() }) : ({ status: 'pending' } as const);
      return next === 'refresh' ? { status: 'pending', pollAfterMs: POLL_MS } : next;
    },

    async revoke(h) {
      const s = sessionOf(h);
      try {
        await api().raw('DELETE', `providerAccounts/${encodeURIComponent(s.providerAccountId)}`, { as: s.loginName });
      } catch (err) {
        // Already gone at Yodlee: what disconnect wanted.
        if (err instanceof YodleeError && err.yodleeCode === 'Y807') return;
        throw err;
      }
    },
  };
}
