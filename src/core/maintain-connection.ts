import type { Institution, Provider, ProviderAccount, SessionHandle } from '../providers/types.js';
import { connectionSecretOwner } from '../store/index.js';
import { confirmByTyping, counted, holdAccounts, refuseWhileSyncing, retarget, retargetConnection, type TargetChange } from './account-edit.js';
import { matchAccounts } from './account-matching.js';
import { backupBeside, copyPromise } from './backup.js';
import { chooseAccounts } from './connect.js';
import { obtainConsent } from './consent.js';
import { nowIso, type Services } from './context.js';
import { BanksyncError, NEEDS_HUMAN_CODES, notFound, toBanksyncError } from '../domain/errors.js';
import { consentProblem } from './sync/select.js';
import { withRenewHint } from './sync/outcomes.js';
import { accountRef, connectionRef, type Connection } from '../domain/model.js';
import { effectiveLimits, getProvider, requireInstitution } from './providers.js';

export async function requireConnection(s: Services, id: number): Promise<Connection> {
  const c = await s.db.connections.get(id);
  if (!c) throw notFound(`no connection ${connectionRef(id)}`, 'list connections with: banksync status');
  return c;
}

/** A connection's provider session, decrypted; `save` re-seals it (token rotation). */
export async function loadSession(s: Services, c: Connection): Promise<SessionHandle> {
  const owner = connectionSecretOwner(c.id);
  const data = await s.db.secrets.get(owner);
  if (!data || c.status === 'disconnected') {
    throw new BanksyncError('NOT_CONFIGURED', `connection ${connectionRef(c.id)} has no credentials (disconnected)`, {
      hint: `reconnect it: banksync update-credentials ${connectionRef(c.id)}`,
    });
  }
  const handle: SessionHandle = { data, save: () => s.db.secrets.put(owner, handle.data, nowIso(s)) };
  return handle;
}

/** The bank a connection's consent is asked at: none when the provider chooses it on its own page. */
async function consentInstitution(s: Services, provider: Provider, c: Connection): Promise<Institution | undefined> {
  return provider.capabilities.institutionChoice === 'provider' ? undefined : requireInstitution(s, provider, c.institutionId);
}

/** M3: a connection keeps to its bank's accounts, or to all its consent covers when the provider chose the bank. */
function ofConnection(provider: Provider, c: Connection, remote: ProviderAccount[]): ProviderAccount[] {
  return provider.capabilities.institutionChoice === 'provider' ? remote : remote.filter((a) => a.institutionId === c.institutionId);
}

/** Re-points matched accounts at the provider's current ids and keeps its current data for them (meta). */
async function rematch(s: Services, matched: ReturnType<typeof matchAccounts>['matched']): Promise<void> {
  for (const m of matched) {
    if (m.local.externalId !== m.remote.externalId) await s.db.accounts.updateExternalId(m.local.id, m.remote.externalId, m.remote.matchKey);
    await s.db.accounts.setProviderMeta(m.local.id, m.remote.meta);
  }
}

export interface FetchAccountsResult {
  connection: string;
  added: { id: string; name: string; currency: string }[];
  kept: { id: string; name: string }[];
}

/** M6: adds accounts authorized since connect; existing accounts keep history and settings. */
export async function fetchNewAccounts(s: Services, connectionId: number, wanted?: 'all' | string[]): Promise<FetchAccountsResult> {
  const c = await requireConnection(s, connectionId);
  // A connection that cannot be asked would answer "no new accounts": say why, with the command that fixes it.
  if (c.status === 'disconnected') {
    throw new BanksyncError('NOT_CONFIGURED', `${connectionRef(c.id)} (${c.institutionName}) is disconnected: there is no consent to ask the bank for accounts with`, {
      hint: `reconnect it, accounts and history kept: banksync update-credentials ${connectionRef(c.id)}`,
    });
  }
  const blocked = consentProblem(c, s.clock());
  if (blocked) throw blocked;
  const provider = await getProvider(s, c.providerId);
  const institution = await consentInstitution(s, provider, c);
  const remote = ofConnection(provider, c, await listOrFlag(s, provider, c));
  const local = await s.db.accounts.byConnection(c.id);
  const { matched, fresh } = matchAccounts(local, remote);
  const chosen = fresh.length === 0 ? [] : await chooseAccounts(s, fresh, wanted ?? 'all');
  const limits = effectiveLimits(provider, institution);
  const now = nowIso(s);
  // After every network call and prompt: the unit of work holds no one up while the bank answers.
  const added = await s.db.write(async () => {
    await rematch(s, matched);
    const out: FetchAccountsResult['added'] = [];
    for (const a of chosen) {
      out.push({
        id: accountRef(
          await s.db.accounts.create({
            connectionId: c.id,
            providerId: c.providerId,
            institutionId: institution ? c.institutionId : a.institutionId,
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
        ),
        name: a.name,
        currency: a.currency,
      });
    }
    return out;
  });
  return { connection: connectionRef(c.id), added, kept: local.map((a) => ({ id: accountRef(a.id), name: a.name })) };
}

/** The provider's accounts; a revoked or lapsed consent flags the connection as sync does, with the renewal command. */
async function listOrFlag(s: Services, provider: Provider, c: Connection): Promise<ProviderAccount[]> {
  try {
    return await provider.listAccounts(await loadSession(s, c));
  } catch (err) {
    const e = toBanksyncError(err);
    if (!NEEDS_HUMAN_CODES.has(e.code)) throw e;
    if (e.code !== 'SCA_REQUIRED') await s.db.connections.setStatus(c.id, 'needs_human', e.message, nowIso(s));
    throw withRenewHint(e, c);
  }
}

export interface UpdateCredentialsResult {
  connection: string;
  consentExpiresAt: string | null;
  accounts: { id: string; name: string; status: 'kept' | 'missing' }[];
  newAccountsAvailable: number;
}

/**
 * M7/M8: renews consent or login; accounts and history stay, re-matched by IBAN if ids changed.
 * When the renewal made a new consent at the provider, the superseded one is revoked there.
 */
export async function updateCredentials(s: Services, connectionId: number, o: { yes: boolean; redirectPort?: number; browser?: boolean; setupToken?: string }): Promise<UpdateCredentialsResult> {
  const c = await requireConnection(s, connectionId);
  const provider = await getProvider(s, c.providerId);
  const institution = await consentInstitution(s, provider, c);
  const owner = connectionSecretOwner(c.id);
  const existingData = await s.db.secrets.get(owner);
  // A real save: renewing may rotate the provider's refresh token, which must not be lost if consent is then abandoned.
  const existing: SessionHandle | undefined = existingData ? { data: existingData, save: () => s.db.secrets.put(owner, existingData, nowIso(s)) } : undefined;
  const grant = await obtainConsent(s, provider, institution, { ...o, existing });
  const remote = ofConnection(provider, c, await provider.listAccounts({ data: grant.session, save: async () => undefined }));
  const local = await s.db.accounts.byConnection(c.id);
  const { matched, fresh } = matchAccounts(local, remote);
  const now = nowIso(s);
  await s.db.write(async () => {
    await s.db.secrets.put(owner, grant.session, now);
    await s.db.connections.setConsent(c.id, grant.expiresAt ?? null, now);
    await rematch(s, matched);
  });
  // Only once the new consent is stored: a failed renewal leaves the old one working.
  if (existing && grant.supersedesExisting && provider.revoke) {
    await revokeAtProvider(s, provider, existing, `the previous consent of ${connectionRef(c.id)}`);
  }
  const matchedIds = new Set(matched.map((m) => m.local.id));
  return {
    connection: connectionRef(c.id),
    consentExpiresAt: grant.expiresAt ?? null,
    accounts: local.map((a) => ({ id: accountRef(a.id), name: a.name, status: matchedIds.has(a.id) ? 'kept' : 'missing' })),
    newAccountsAvailable: fresh.length,
  };
}

export interface DisconnectResult {
  connection: string;
  history: 'kept' | 'deleted';
  accounts: number;
  transactions: number;
  /** What the provider said to the revocation; 'nothing to revoke' when the connection had no credentials left. */
  revoked: 'revoked' | 'failed' | 'not supported' | 'nothing to revoke';
  /** The copy kept before deleting history; null when history was kept. */
  backup: string | null;
  /** Export targets that exported these accounts or this connection. */
  targets: TargetChange[];
}

/**
 * Removes a connection's credentials; history is kept or deleted as the user chooses. The consent
 * is revoked at the provider first; a failure there is a warning, the credentials go anyway.
 */
export async function disconnect(s: Services, connectionId: number, o: { history?: 'keep' | 'delete'; yes?: boolean }): Promise<DisconnectResult> {
  const c = await requireConnection(s, connectionId);
  const accounts = await s.db.accounts.byConnection(c.id);
  const choice =
    o.history ??
    (await s.prompts.select(
      `Disconnect ${connectionRef(c.id)} (${c.institutionName}). Keep its ${accounts.length} account(s) and their history?`,
      [
        { name: 'keep the history (accounts stay, sync stops)', value: 'keep' as const },
        { name: 'delete the accounts and all their transactions', value: 'delete' as const },
      ],
      '--keep-history or --delete-history',
    ));
  const counts = await s.db.transactions.liveCounts();
  const transactions = accounts.reduce((n, a) => n + (counts.get(a.id) ?? 0), 0);
  let backup: string | null = null;
  if (choice === 'delete') {
    // Thousands of lines must not go with one key: the connection id is typed, and a copy kept first.
    await refuseWhileSyncing(
      s,
      accounts.map((a) => a.id),
    );
    await confirmByTyping(
      s,
      o.yes,
      connectionRef(c.id),
      `This deletes ${connectionRef(c.id)} (${c.institutionName}) with ${counted(accounts.length, 'account')} and ${counted(transactions, 'transaction')}; ${copyPromise(s.db)}`,
    );
    backup = (await backupBeside(s.db, `disconnect-${connectionRef(c.id)}`))?.path ?? null;
  }
  const owner = connectionSecretOwner(c.id);
  const data = await s.db.secrets.get(owner);
  let revoked: DisconnectResult['revoked'] = 'nothing to revoke';
  if (data) {
    let provider: Provider | undefined;
    try {
      provider = await getProvider(s, c.providerId);
    } catch (err) {
      s.notify.warn(`${connectionRef(c.id)}: could not reach ${c.providerId} to revoke the consent (${toBanksyncError(err).message}); the credentials are removed here anyway`);
      revoked = 'failed';
    }
    if (provider && !provider.revoke) revoked = 'not supported';
    if (provider?.revoke) {
      // Token rotation during the revoke has nowhere to go: the session is deleted next.
      revoked = (await revokeAtProvider(s, provider, { data, save: async () => undefined }, `the consent of ${connectionRef(c.id)}`)) ? 'revoked' : 'failed';
    }
  }
  const now = nowIso(s);
  const targets: TargetChange[] = [];
  await s.db.write(async () => {
    await s.db.secrets.delete(owner);
    if (choice === 'delete') {
      await holdAccounts(
        s,
        accounts.map((a) => a.id),
      );
      for (const a of accounts) {
        targets.push(...(await retarget(s, a.id)));
        await s.db.accountMoves.forgetAccount(a.id);
        await s.db.accounts.delete(a.id);
      }
      targets.push(...(await retargetConnection(s, c.id)));
      await s.db.connections.delete(c.id);
    } else {
      await s.db.connections.setStatus(c.id, 'disconnected', 'disconnected by the user', now);
    }
  });
  return { connection: connectionRef(c.id), history: choice === 'delete' ? 'deleted' : 'kept', accounts: accounts.length, transactions, revoked, backup, targets };
}

/** Asks the provider to revoke a consent; false (with a warning) when it could not. */
async function revokeAtProvider(s: Services, provider: Provider, session: SessionHandle, what: string): Promise<boolean> {
  try {
    await provider.revoke!(session);
    return true;
  } catch (err) {
    const e = toBanksyncError(err);
    s.notify.warn(`${provider.displayName} did not revoke ${what}: ${e.message}; revoke it in your ${provider.displayName} dashboard or at your bank if it matters`);
    return false;
  }
}
