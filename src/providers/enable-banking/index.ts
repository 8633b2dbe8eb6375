import { z } from 'zod';
import { DEFAULT_CONSENT_DAYS, ENABLE_BANKING_META } from './meta.js';
import { BanksyncError } from '../../domain/errors.js';
import type { ConsentStart, Provider, ProviderAccount, ProviderContext, SessionHandle } from '../types.js';
import { EnableBankingApi, parse } from './api.js';
import { redirectHint } from './errors.js';
import { institutionIdOf, parseInstitutionId, toAccount, toInstitution, type AspspRef } from './map.js';
import { AccountResource, Application, AspspList, AuthStarted, SessionCreated, SessionInfo } from './schema.js';
import { fetchPages } from './transactions.js';
import { chosenInstitution } from '../chosen-institution.js';

/** Enable Banking's error codes for a session that is closed or gone: nothing left to revoke. */
const SESSION_GONE = new Set(['SESSION_DOES_NOT_EXIST', 'WRONG_SESSION_STATUS', 'CLOSED_SESSION', 'EXPIRED_SESSION', 'REVOKED_SESSION']);

/** What an Enable Banking connection keeps (sealed in the secret store). */
interface Session {
  sessionId: string;
  aspsp: AspspRef;
  /** AccountResources by uid, as POST /sessions gave them: some fields are shown only once. */
  accounts: Record<string, unknown>;
}

/** valid_until may not pass now + maximum_consent_validity by *their* clock; ours may run a little ahead. */
const CLOCK_MARGIN_MS = 60_000;

const rfc3339 = (d: Date) => d.toISOString().replace(/Z$/, '+00:00');

export function createEnableBankingProvider(ctx: ProviderContext): Provider {
  const api = new EnableBankingApi(ctx);
  const sessionOf = (h: SessionHandle) => h.data as unknown as Session;

  async function aspsps(country?: string) {
    const body = await api.call(AspspList, 'GET', 'aspsps', { query: { country: country?.toUpperCase(), psu_type: 'personal', service: 'AIS' } });
    return body.aspsps.map(toInstitution);
  }

  function account(raw: unknown, institutionId: string): ProviderAccount {
    const r = parse(AccountResource.extend({ uid: z.string() }), raw, 'account details');
    return toAccount(r, institutionId);
  }

  return {
    ...ENABLE_BANKING_META,

    async verifyCredentials() {
      await api.call(Application, 'GET', 'application');
    },

    listInstitutions: aspsps,

    async getInstitution(id) {
      const ref = parseInstitutionId(id);
      if (!ref) return undefined;
      return (await aspsps(ref.country)).find((i) => i.id === institutionIdOf(ref));
    },

    async beginConsent({ institution: chosen, redirectUrl, state, existing }) {
      const institution = chosenInstitution('enable-banking', chosen);
      const previousSessionId = existing ? sessionOf(existing).sessionId : undefined;
      if (!redirectUrl) throw new BanksyncError('INTERNAL', 'Enable Banking consent needs a redirect address');
      const aspsp = parseInstitutionId(institution.id) ?? { name: institution.name, country: institution.country };
      const days = institution.consentDays ?? DEFAULT_CONSENT_DAYS;
      const validUntil = new Date(ctx.now().getTime() + days * 86_400_000 - CLOCK_MARGIN_MS);
      try {
        const body = await api.call(AuthStarted, 'POST', 'auth', {
          json: {
            access: { valid_until: rfc3339(validUntil), balances: true, transactions: true },
            aspsp,
            state,
            redirect_url: redirectUrl,
            psu_type: 'personal',
          },
        });
        return { url: body.url, state: { state, aspsp, authorizationId: body.authorization_id ?? undefined, ...(previousSessionId ? { previousSessionId } : {}) } };
      } catch (err) {
        if (err instanceof BanksyncError && err.code === 'NOT_CONFIGURED') throw new BanksyncError('NOT_CONFIGURED', err.message, { hint: redirectHint(redirectUrl) });
        throw err;
      }
    },

    async completeConsent(start: ConsentStart, callback) {
      if (callback.error) throw new BanksyncError('BAD_INPUT', `consent was not given at Enable Banking (${callback.error_description ?? callback.error}); nothing was changed`);
      if (callback.state !== undefined && callback.state !== start.state.state) {
        throw new BanksyncError('BAD_INPUT', 'the consent answer belongs to another consent request; start again');
      }
      if (!callback.code) throw new BanksyncError('BAD_INPUT', 'the consent answer carries no authorization code; start again');
      const body = await api.call(SessionCreated, 'POST', 'sessions', { json: { code: callback.code } });
      const aspsp = body.aspsp ? { name: body.aspsp.name, country: body.aspsp.country } : (start.state.aspsp as AspspRef);
      const accounts: Record<string, unknown> = {};
      for (const raw of body.accounts) {
        const uid = (raw as { uid?: unknown } | null)?.uid;
        if (typeof uid === 'string') accounts[uid] = raw;
      }
      const session: Session = { sessionId: body.session_id, aspsp, accounts };
      const until = body.access?.valid_until ? Date.parse(body.access.valid_until) : NaN;
      const previous = start.state.previousSessionId;
      return {
        session: { ...session },
        expiresAt: Number.isNaN(until) ? undefined : new Date(until).toISOString(),
        // A renewal is a new session: the old one is then closed.
        supersedesExisting: typeof previous === 'string' && previous !== session.sessionId,
      };
    },

    async listAccounts(h) {
      const s = sessionOf(h);
      // Session status is Enable Banking's own record: it costs none of the bank's daily calls.
      const info = await api.call(SessionInfo, 'GET', `sessions/${encodeURIComponent(s.sessionId)}`);
      if (info.status !== 'AUTHORIZED') {
        throw new BanksyncError('CONSENT_EXPIRED', `Enable Banking: the consent session is ${info.status.toLowerCase().replace(/_/g, ' ')}`);
      }
      const institutionId = institutionIdOf(info.aspsp ?? s.aspsp);
      const out: ProviderAccount[] = [];
      for (const uid of info.accounts ?? Object.keys(s.accounts)) {
        if (s.accounts[uid] === undefined) {
          const details = await api.call(AccountResource, 'GET', `accounts/${encodeURIComponent(uid)}/details`);
          s.accounts = { ...s.accounts, [uid]: { ...details, uid } };
          await h.save();
        }
        out.push(account(s.accounts[uid], institutionId));
      }
      return out;
    },

    /** DELETE /sessions/{id} closes the session, and the bank consent with it where the bank allows. */
    async revoke(h) {
      const id = sessionOf(h).sessionId;
      try {
        await api.call(z.unknown(), 'DELETE', `sessions/${encodeURIComponent(id)}`);
      } catch (err) {
        // Closed or gone already (an earlier attempt, expiry): nothing left to revoke.
        if (err instanceof BanksyncError && SESSION_GONE.has(err.reason ?? '')) return;
        throw err;
      }
    },

    fetchTransactions(_h, req) {
      return fetchPages(api, ctx, req);
    },
  };
}
