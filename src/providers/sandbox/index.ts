import { setTimeout as sleep } from 'node:timers/promises';
import { SANDBOX_CONSENT_DAYS, SANDBOX_META } from './meta.js';
import { addDays, isoDate } from '../../domain/clock.js';
import { BanksyncError } from '../../domain/errors.js';
import type { ConsentGrant, ConsentStart, FetchRequest, Institution, Provider, ProviderAccount, ProviderContext, SessionHandle, TransactionPage } from '../types.js';
import { CONSENT_GRANTS, LAPSED_INSTITUTION, SANDBOX_ACCOUNTS, SANDBOX_EPOCH, SANDBOX_HISTORY_DAYS, SANDBOX_INSTITUTIONS, SANDBOX_SCA_CODE, type SandboxAccountSpec } from './catalog.js';
import { beforePage, oddPage, parseFaults } from './faults.js';
import { balanceOn, bookedLines, pendingLines } from './generator.js';
import { chosenInstitution } from '../chosen-institution.js';

const PAGE_SIZE = 25;

interface SandboxSession {
  institutionId: string;
  grantedAt: string;
  /** Renewals of Sandbox Lapsed Bank hand out new account ids, like Enable Banking does. */
  generation: number;
  refreshes?: string[];
}

/** The built-in offline bank: in-process, deterministic, no network. */
export function createSandboxProvider(ctx: ProviderContext): Provider {
  const faults = parseFaults(ctx.env.BANKSYNC_SANDBOX_FAULTS);
  const today = () => isoDate(ctx.now());
  const institution = (id: string) => SANDBOX_INSTITUTIONS.find((i) => i.id === id);
  const specFor = (externalId: string): SandboxAccountSpec => {
    const key = externalId.replace(/~\d+$/, '');
    const spec = SANDBOX_ACCOUNTS.find((a) => a.key === key);
    if (!spec) throw new BanksyncError('PROVIDER_ERROR', `sandbox: unknown account ${externalId}`);
    return spec;
  };
  const sessionOf = (h: SessionHandle) => h.data as unknown as SandboxSession;

  return {
    ...SANDBOX_META,

    async listInstitutions(country) {
      return SANDBOX_INSTITUTIONS.filter((i) => !country || i.country === country);
    },

    async getInstitution(id) {
      return institution(id);
    },

    async beginConsent({ institution: chosen, existing }): Promise<ConsentStart> {
      const inst = chosenInstitution('sandbox', chosen);
      const days = inst.consentDays ?? SANDBOX_CONSENT_DAYS;
      return {
        confirmPrompt: `${inst.name} (sandbox) asks: allow banksync to read your accounts for ${days} days?`,
        state: { institutionId: inst.id, renewal: existing !== undefined, generation: Number(existing?.data.generation ?? 0) },
      };
    },

    async completeConsent(start): Promise<ConsentGrant> {
      const inst = institution(String(start.state.institutionId));
      if (!inst) throw new BanksyncError('NOT_FOUND', `sandbox: no institution ${String(start.state.institutionId)}`);
      const now = ctx.now();
      const renewal = start.state.renewal === true;
      const generation = Number(start.state.generation) + (renewal && inst.id === LAPSED_INSTITUTION ? 1 : 0);
      const session: SandboxSession = { institutionId: inst.id, grantedAt: now.toISOString(), generation };
      const days = inst.consentDays ?? SANDBOX_CONSENT_DAYS;
      // First consent at the lapsed bank is already out of date, to show the renewal flow.
      const lapsed = inst.id === LAPSED_INSTITUTION && !renewal;
      const expiresAt = new Date(now.getTime() + (lapsed ? -1 : days) * 86_400_000).toISOString();
      return { session: { ...session }, expiresAt };
    },

    async listAccounts(handle): Promise<ProviderAccount[]> {
      const s = sessionOf(handle);
      checkSession(s);
      const granted = CONSENT_GRANTS[s.institutionId] ?? [s.institutionId];
      const day = today();
      const grantedDay = s.grantedAt.slice(0, 10);
      return SANDBOX_ACCOUNTS.filter((a) => granted.includes(a.institutionId) && (a.opensAfterDays === undefined || day >= addDays(grantedDay, a.opensAfterDays))).map((a) => ({
        externalId: s.generation > 0 ? `${a.key}~${s.generation}` : a.key,
        institutionId: a.institutionId,
        name: a.name,
        iban: a.iban,
        currency: a.currency,
        kind: a.kind,
        balance: { amountMinor: balanceOn(a, day), date: day },
      }));
    },

    fetchTransactions(handle, req) {
      return fetchPages(handle, req);
    },
  };

  function checkSession(s: SandboxSession): void {
    if (faults.disconnected.has(s.institutionId)) {
      throw new BanksyncError('CREDENTIALS_INVALID', `${institution(s.institutionId)?.name ?? s.institutionId} reports the connection as revoked`);
    }
  }

  async function* fetchPages(handle: SessionHandle, req: FetchRequest): AsyncGenerator<TransactionPage> {
    const s = sessionOf(handle);
    checkSession(s);
    const inst = institution(req.account.institutionId) as Institution;
    const spec = specFor(req.account.externalId);
    const day = today();
    if (inst.scaEveryFetch && req.scaCode !== SANDBOX_SCA_CODE) {
      throw new BanksyncError('SCA_REQUIRED', req.scaCode ? `${inst.name} rejected the SCA code` : `${inst.name} needs an SCA code for every fetch`);
    }
    const historyDays = inst.historyDays ?? SANDBOX_HISTORY_DAYS;
    if (req.from < addDays(day, -historyDays)) {
      throw new BanksyncError('PROVIDER_ERROR', `sandbox: date_from ${req.from} is beyond the ${historyDays}-day history limit`);
    }
    if (inst.refreshesPerDay !== undefined) {
      const todays = (s.refreshes ?? []).filter((r) => r.startsWith(day));
      if (todays.length >= inst.refreshesPerDay) {
        throw new BanksyncError('RATE_LIMITED', `${inst.name} allows ${inst.refreshesPerDay} refresh(es) a day`, {
          retryAt: `${addDays(day, 1)}T00:00:00.000Z`,
        });
      }
      handle.data.refreshes = [...todays, ctx.now().toISOString()];
      await handle.save();
    }
    if (faults.failAccounts.has(spec.key)) {
      throw new BanksyncError('PROVIDER_UNAVAILABLE', 'sandbox: 503 Service Unavailable');
    }
    const stable = inst.stableTransactionIds;
    const booked = bookedLines(spec, req.from < SANDBOX_EPOCH ? SANDBOX_EPOCH : req.from, req.to, day);
    const pending = pendingLines(spec, day);
    for (let offset = 0; offset === 0 || offset < booked.length; offset += PAGE_SIZE) {
      await beforePage(faults);
      if (faults.latencyMs > 0) await sleep(faults.latencyMs);
      yield {
        booked: booked.slice(offset, offset + PAGE_SIZE).map((l) => ({
          externalId: stable ? l.id : undefined,
          bookingDate: l.bookingDate,
          valueDate: l.valueDate,
          amountMinor: l.amountMinor,
          currency: spec.currency,
          payee: l.payee,
          memo: l.memo,
          type: l.type,
          counterpartyIban: l.counterpartyIban,
          pendingRef: l.linksPending && stable ? l.pending?.id : undefined,
        })),
        pending:
          offset === 0
            ? pending.map((l) => ({
                externalId: stable ? l.pending!.id : undefined,
                date: l.pending!.date,
                amountMinor: l.pending!.amountMinor,
                currency: spec.currency,
                payee: l.payee,
                memo: 'Card payment (pending)',
              }))
            : undefined,
        balance: offset === 0 ? { amountMinor: balanceOn(spec, day), date: day } : undefined,
      };
    }
    if (faults.oddLines.has(spec.key)) yield oddPage(spec.currency, day);
  }
}
