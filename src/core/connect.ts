import type { Institution, Provider, ProviderAccount } from '../providers/types.js';
import { providerIds } from '../providers/registry.js';
import { connectionSecretOwner } from '../store/index.js';
import { obtainConsent, refuseUnusedSetupToken } from './consent.js';
import { refuseConnectedInstitution, refuseKnownAccounts } from './duplicate-guard.js';
import { nowIso, type Services } from './context.js';
import { BanksyncError, badInput, notFound } from '../domain/errors.js';
import { accountRef, connectionRef, maskIban } from '../domain/model.js';
import { capabilitiesOf, effectiveLimits, getProvider, missingCredentials, requireInstitution } from './providers.js';
import { lookupInstitution, searchInstitutions } from './institutions.js';

export interface ConnectOptions {
  providerId?: string;
  institutionId?: string;
  /** Search text for the interactive picker. */
  query?: string;
  country?: string;
  /** 'all', a list of provider account ids / IBANs / names, or undefined to ask. */
  accounts?: 'all' | string[];
  /** Consent confirmed on the command line (--yes). */
  yes: boolean;
  /** Loopback port for the consent redirect (0 = any free one). */
  redirectPort?: number;
  /** false: never open a browser; at a terminal, take the pasted address. */
  browser?: boolean;
  /** --setup-token, for providers whose consent is a pasted token (SimpleFIN). */
  setupToken?: string;
  /** Connect even when the bank or an account is already connected (two logins at one bank). */
  allowDuplicate?: boolean;
}

export interface ConnectResult {
  connection: string;
  provider: string;
  institution: { id: string; name: string; beta: boolean };
  consentExpiresAt: string | null;
  /** `institution`: for providers that choose the bank, the one holding each account. */
  accounts: { id: string; name: string; currency: string; kind: string; institution?: { id: string; name: string } }[];
  /** Authorized accounts at other institutions, left out (M3). */
  ignored: number;
}

export async function connect(s: Services, o: ConnectOptions): Promise<ConnectResult> {
  const { provider, institution } = await pickInstitution(s, o);
  if (institution?.beta) {
    s.notify.warn(`${institution.name} is in beta at ${provider.displayName}: errors there are the provider's to fix`);
  }
  const providerChooses = provider.capabilities.institutionChoice === 'provider';
  // Before consent: a second connection to the same bank is refused before the person is sent to it.
  refuseUnusedSetupToken(provider, o.setupToken);
  if (!o.allowDuplicate && institution && !providerChooses) await refuseConnectedInstitution(s, provider.id, institution);
  const grant = await obtainConsent(s, provider, institution, { yes: o.yes, redirectPort: o.redirectPort, browser: o.browser, setupToken: o.setupToken });
  const session = { data: grant.session, save: async () => undefined };
  const authorized = await provider.listAccounts(session);
  // M3: at an app-chosen bank only its accounts are offered; a provider-chosen consent offers all it covers.
  const own = providerChooses || !institution ? authorized : authorized.filter((a) => a.institutionId === institution.id);
  if (own.length === 0) {
    const where = institution && !providerChooses ? institution.name : provider.displayName;
    throw new BanksyncError('CREDENTIALS_INVALID', `no account of ${where} was authorized`, {
      hint: `connect again and authorize at least one ${where} account`,
    });
  }
  const chosen = await chooseAccounts(s, own, o.accounts);
  const held = providerChooses || !institution ? heldBy(provider.displayName, chosen) : { id: institution.id, name: institution.name };
  if (!o.allowDuplicate) {
    // The bank is known only now where the provider's page chose it; accounts by IBAN/number in any case.
    // A provider that names no bank files accounts under its own id ('plaid'): that is no bank to compare.
    if ((providerChooses || !institution) && held.id !== provider.id) await refuseConnectedInstitution(s, provider.id, held);
    await refuseKnownAccounts(s, chosen);
  }
  const limits = effectiveLimits(provider, providerChooses ? undefined : institution);
  const now = nowIso(s);
  // After consent and the account list: no network call waits inside the unit of work.
  const created = await s.db.write(async () => {
    const connectionId = await s.db.connections.create({
      providerId: provider.id,
      institutionId: held.id,
      institutionName: held.name,
      consentExpiresAt: grant.expiresAt,
      now,
    });
    await s.db.secrets.put(connectionSecretOwner(connectionId), grant.session, now);
    const ids: number[] = [];
    for (const a of chosen) {
      ids.push(
        await s.db.accounts.create({
          connectionId,
          providerId: provider.id,
          // Each account records the institution that holds it (one consent may span several).
          institutionId: providerChooses ? a.institutionId : held.id,
          externalId: a.externalId,
          name: a.name,
          iban: a.iban,
          number: a.number,
          matchKey: a.matchKey,
          currency: a.currency,
          kind: a.kind,
          historyDays: limits.historyDays,
          stableIds: limits.stableIds,
          meta: a.meta,
          now,
        }),
      );
    }
    return { connectionId, ids };
  });
  return {
    connection: connectionRef(created.connectionId),
    provider: provider.id,
    institution: { id: held.id, name: held.name, beta: institution?.beta ?? false },
    consentExpiresAt: grant.expiresAt ?? null,
    accounts: chosen.map((a, i) => ({
      id: accountRef(created.ids[i]!),
      name: a.name,
      currency: a.currency,
      kind: a.kind,
      ...(providerChooses ? { institution: { id: a.institutionId, name: a.institutionName ?? a.institutionId } } : {}),
    })),
    ignored: authorized.length - own.length,
  };
}

/**
 * The institution a provider-chosen connection is filed under: the one all its accounts share,
 * else the provider itself (each account keeps its own institution id).
 */
export function heldBy(providerName: string, accounts: ProviderAccount[]): { id: string; name: string } {
  const ids = new Set(accounts.map((a) => a.institutionId));
  if (ids.size === 1) {
    const a = accounts[0]!;
    return { id: a.institutionId, name: a.institutionName ?? providerName };
  }
  return { id: '', name: providerName };
}

async function pickInstitution(s: Services, o: ConnectOptions): Promise<{ provider: Provider; institution?: Institution }> {
  if (o.providerId) {
    const provider = await getProvider(s, o.providerId);
    if (provider.capabilities.institutionChoice === 'provider') {
      // The bank is picked on the provider's own page: a bank named here would silently not count.
      if (o.institutionId || o.query) {
        throw badInput(
          `${provider.displayName} lets you choose your bank on its own page: drop ${o.institutionId ? '--institution' : 'the search text'}`,
          `banksync connect --provider ${provider.id}`,
        );
      }
      return { provider };
    }
    if (o.institutionId) return { provider, institution: await requireInstitution(s, provider, o.institutionId) };
  } else if (o.institutionId) {
    for (const id of providerIds()) {
      if (capabilitiesOf(id).institutionChoice === 'provider') continue;
      if (capabilitiesOf(id).remote && (await missingCredentials(s, id)).length > 0) continue;
      const provider = await getProvider(s, id);
      const institution = await lookupInstitution(s, provider, o.institutionId);
      if (institution) return { provider, institution };
    }
    throw notFound(`no institution "${o.institutionId}"`, 'search with: banksync institutions NAME');
  }
  if (!s.prompts.interactive) {
    // Fail with the flag that would have answered the prompt.
    await s.prompts.input('Search for your bank', '--institution');
  }
  const query = o.query ?? (await s.prompts.input('Search for your bank (name)', '--institution'));
  const found = await searchInstitutions(s, { query, country: o.country, providerId: o.providerId });
  if (found.length === 0) throw notFound(`no institution matches "${query}"`, 'try a shorter name or another --country');
  const pick = await s.prompts.select(
    'Which institution?',
    found.map((i) => ({ name: `${i.name} (${i.country}, via ${i.providerId}${i.beta ? ', beta' : ''})`, value: i })),
    '--institution',
  );
  // A bank found through a provider-chosen provider's search is a hint to its page (Plaid preselects it).
  return { provider: await getProvider(s, pick.providerId), institution: pick };
}

/** Resolves --accounts (ids, IBANs or names) or asks; every account is preselected. */
export async function chooseAccounts(s: Services, offered: ProviderAccount[], wanted: 'all' | string[] | undefined): Promise<ProviderAccount[]> {
  if (wanted === 'all') return offered;
  if (wanted) {
    return wanted.map((w) => {
      const needle = w.toLowerCase();
      const hit = offered.find((a) => a.externalId === w || a.iban?.toLowerCase() === needle || a.name.toLowerCase() === needle);
      if (!hit) {
        throw badInput(`--accounts: "${w}" is not among the authorized accounts`, `choose from: ${offered.map((a) => a.externalId).join(', ')} (or all)`);
      }
      return hit;
    });
  }
  const picked = await s.prompts.checkbox(
    'Which accounts should banksync sync?',
    offered.map((a) => ({ name: `${a.name} (${a.currency}${a.iban ? `, ${maskIban(a.iban)}` : ''})`, value: a, checked: true })),
    '--accounts',
  );
  if (picked.length === 0) throw badInput('no account chosen; nothing was changed');
  return picked;
}
