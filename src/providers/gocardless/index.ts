import { isoDate, nextUtcMidnight } from '../../domain/clock.js';
import { GOCARDLESS_META } from './meta.js';
import { BanksyncError } from '../../domain/errors.js';
import { amountToMinor, header, malformed } from '../http.js';
import type { ConsentGrant, ConsentStart, Provider, ProviderAccount, ProviderContext, SessionHandle, TransactionPage } from '../types.js';
import { GoCardlessApi } from './api.js';
import { kindOfCashAccountType } from '../iso20022.js';
import { dateOf, toBooked, toInstitution, toPending, undated } from './map.js';
import { AccountMeta, Agreement, Balances, CheckedTransactions, Details, Institution as WireInstitution, isWireTransaction, Requisition, Transaction } from './schema.js';
import { z } from 'zod';
import { chosenInstitution } from '../chosen-institution.js';

/** What a GoCardless connection keeps (sealed in the secret store). */
interface Session {
  requisitionId: string;
  agreementId: string;
  institutionId: string;
  /** Account details, read once: the details scope counts against the bank's daily limit too. */
  details?: Record<string, Omit<ProviderAccount, 'balance'>>;
  /** Per account and scope: successful calls left today, as the bank's headers last said. */
  budget?: Record<string, { remaining: number; resetAt: string }>;
}

const SCOPES = ['balances', 'details', 'transactions'];

export function createGoCardlessProvider(ctx: ProviderContext): Provider {
  const api = new GoCardlessApi(ctx);
  const sessionOf = (h: SessionHandle) => h.data as unknown as Session;

  /** Defers instead of spending a call the bank will refuse (M14). */
  function checkBudget(s: Session, key: string): void {
    const b = s.budget?.[key];
    if (b && b.remaining <= 0 && Date.parse(b.resetAt) > ctx.now().getTime()) {
      throw new BanksyncError('RATE_LIMITED', `GoCardless: the bank's daily limit for this account is used up`, { retryAt: b.resetAt });
    }
  }

  async function noteBudget(h: SessionHandle, key: string, headers: Record<string, string | string[] | undefined>): Promise<void> {
    const remaining = Number(header(headers, 'x-ratelimit-account-success-remaining'));
    const reset = Number(header(headers, 'x-ratelimit-account-success-reset'));
    if (!Number.isFinite(remaining)) return;
    const s = sessionOf(h);
    s.budget = { ...s.budget, [key]: { remaining, resetAt: Number.isFinite(reset) ? new Date(ctx.now().getTime() + reset * 1000).toISOString() : nextUtcMidnight(ctx.now()) } };
    await h.save();
  }

  async function grantOf(start: ConsentStart): Promise<ConsentGrant | undefined> {
    const id = String(start.state.requisitionId);
    const { body: r } = await api.call(Requisition, 'GET', `api/v2/requisitions/${id}/`);
    if (r.status === 'RJ') throw new BanksyncError('CREDENTIALS_INVALID', 'GoCardless: the bank rejected the login or the account selection (requisition RJ); nothing was changed');
    if (r.status === 'EX') throw new BanksyncError('CONSENT_EXPIRED', 'GoCardless: the consent request expired before it was finished (requisition EX)');
    if (r.status !== 'LN') return undefined;
    const { body: a } = await api.call(Agreement, 'GET', `api/v2/agreements/enduser/${String(start.state.agreementId)}/`);
    const accepted = a.accepted ? Date.parse(a.accepted) : ctx.now().getTime();
    const session: Session = { requisitionId: r.id, agreementId: String(start.state.agreementId), institutionId: r.institution_id };
    const previous = start.state.previousRequisitionId;
    return {
      session: { ...session },
      // A renewal is a new requisition: the old one (and its agreement) is then revoked.
      supersedesExisting: typeof previous === 'string' && previous !== r.id,
      expiresAt: a.access_valid_for_days ? new Date(accepted + a.access_valid_for_days * 86_400_000).toISOString() : undefined,
    };
  }

  return {
    ...GOCARDLESS_META,

    async verifyCredentials() {
      await api.newToken();
    },

    async listInstitutions(country) {
      const { body } = await api.call(z.array(WireInstitution), 'GET', 'api/v2/institutions/', { query: { country } });
      return body.map((w) => toInstitution(w, country));
    },

    async getInstitution(id) {
      try {
        const { body } = await api.call(WireInstitution, 'GET', `api/v2/institutions/${encodeURIComponent(id)}/`);
        return toInstitution(body);
      } catch (err) {
        if (err instanceof BanksyncError && err.status === 404) return undefined;
        throw err;
      }
    },

    async beginConsent({ institution: chosen, redirectUrl, state, existing }) {
      const institution = chosenInstitution('gocardless', chosen);
      if (!redirectUrl) throw new BanksyncError('INTERNAL', 'GoCardless consent needs a redirect address');
      const { body: eua } = await api.call(Agreement, 'POST', 'api/v2/agreements/enduser/', {
        json: {
          institution_id: institution.id,
          max_historical_days: institution.historyDays ?? 90,
          access_valid_for_days: institution.consentDays ?? 90,
          access_scope: SCOPES,
        },
      });
      // Our random state is the requisition reference, so the redirect's ?ref= proves it is ours.
      const { body: req } = await api.call(Requisition, 'POST', 'api/v2/requisitions/', {
        json: { redirect: redirectUrl, institution_id: institution.id, agreement: eua.id, reference: state, user_language: 'EN' },
      });
      const previousRequisitionId = existing ? sessionOf(existing).requisitionId : undefined;
      return { url: req.link, state: { requisitionId: req.id, agreementId: eua.id, institutionId: institution.id, ...(previousRequisitionId ? { previousRequisitionId } : {}) } };
    },

    async completeConsent(start) {
      const grant = await grantOf(start);
      if (!grant) throw new BanksyncError('BAD_INPUT', 'GoCardless: the consent is not finished yet; finish it in the browser and try again');
      return grant;
    },

    pollConsent: grantOf,

    async listAccounts(h) {
      const s = sessionOf(h);
      const { body: r } = await api.call(Requisition, 'GET', `api/v2/requisitions/${s.requisitionId}/`);
      if (r.status === 'EX') throw new BanksyncError('CONSENT_EXPIRED', 'GoCardless: the consent (requisition) has expired');
      const out: ProviderAccount[] = [];
      for (const id of r.accounts) {
        let known = s.details?.[id];
        if (!known) {
          const { body: meta } = await api.call(AccountMeta, 'GET', `api/v2/accounts/${id}/`);
          checkBudget(s, `${id}:details`);
          const { body: d, headers } = await api.call(Details, 'GET', `api/v2/accounts/${id}/details/`);
          await noteBudget(h, `${id}:details`, headers);
          const iban = d.account.iban ?? meta.iban ?? undefined;
          known = {
            externalId: id,
            institutionId: meta.institution_id,
            name: d.account.name ?? d.account.displayName ?? d.account.product ?? meta.name ?? (iban ? `Account ${iban.slice(-4)}` : 'Account'),
            iban,
            number: iban ? undefined : (d.account.bban ?? d.account.maskedPan ?? meta.bban ?? undefined),
            currency: d.account.currency ?? 'EUR',
            kind: kindOfCashAccountType(d.account.cashAccountType),
          };
          s.details = { ...s.details, [id]: known };
          await h.save();
        }
        out.push(known);
      }
      return out;
    },

    /** Deleting the requisition deletes its end-user agreement too: access ends at GoCardless. */
    async revoke(h) {
      const id = sessionOf(h).requisitionId;
      try {
        await api.call(z.unknown(), 'DELETE', `api/v2/requisitions/${encodeURIComponent(id)}/`);
      } catch (err) {
        // Already deleted (by an earlier attempt or in the portal): revoked all the same.
        if (err instanceof BanksyncError && err.status === 404) return;
        throw err;
      }
    },

    fetchTransactions(h, req) {
      return (async function* (): AsyncGenerator<TransactionPage> {
        const s = sessionOf(h);
        const id = req.account.externalId;
        const today = isoDate(ctx.now());
        checkBudget(s, `${id}:transactions`);
        const { body, headers } = await api.call(CheckedTransactions, 'GET', `api/v2/accounts/${id}/transactions/`, {
          query: { date_from: req.from, date_to: req.to < today ? req.to : today },
        });
        await noteBudget(h, `${id}:transactions`, headers);
        const bookedWire = body.transactions.booked.map((raw, i) => item(raw, `booked[${i}]`));
        const pendingWire = (body.transactions.pending ?? []).map((raw, i) => item(raw, `pending[${i}]`));
        const booked = bookedWire.map(toBooked);
        const pending = pendingWire.map(toPending);
        const rejected = [...bookedWire.filter((t) => !dateOf(t)).map((t) => undated(t, 'booked')), ...pendingWire.filter((t) => !dateOf(t)).map((t) => undated(t, 'pending'))];
        // The balance is a separate call with its own daily limit: a refusal there costs only the drift check.
        let balance: TransactionPage['balance'];
        try {
          checkBudget(s, `${id}:balances`);
          const { body: b, headers: bh } = await api.call(Balances, 'GET', `api/v2/accounts/${id}/balances/`);
          await noteBudget(h, `${id}:balances`, bh);
          const pick = ['closingBooked', 'interimBooked', 'expected', 'interimAvailable'].map((t) => b.balances.find((x) => x.balanceType === t)).find(Boolean);
          if (pick) balance = { amountMinor: amountToMinor(pick.balanceAmount.amount, pick.balanceAmount.currency), date: pick.referenceDate?.slice(0, 10) ?? today };
        } catch (err) {
          if (!(err instanceof BanksyncError) || err.code !== 'RATE_LIMITED') throw err;
        }
        yield {
          booked: booked.filter((t): t is NonNullable<typeof t> => t !== undefined),
          pending: pending.filter((t): t is NonNullable<typeof t> => t !== undefined),
          ...(rejected.length ? { rejected } : {}),
          balance,
        };
      })();
    },
  };
}

/** One transaction checked at the boundary: a malformed one is the provider's error, named. */
function item(raw: unknown, where: string): Transaction {
  if (isWireTransaction(raw)) return raw;
  const r = Transaction.safeParse(raw);
  if (!r.success) throw malformed('GoCardless', `transactions (${where})`, `is malformed (${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message})`);
  return r.data;
}
