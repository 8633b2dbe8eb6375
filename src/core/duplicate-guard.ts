import type { ProviderAccount } from '../providers/types.js';
import type { Services } from './context.js';
import { badInput } from '../domain/errors.js';
import { accountRef, connectionRef, maskIban, type Account, type Connection } from '../domain/model.js';

/**
 * A second connection to a bank already connected syncs every account twice: two local accounts
 * with the same lines, each exported, so every journal holds each payment twice. These checks
 * stop `connect` before that; `--allow-duplicate` is for the rare real case (two logins at one
 * bank). A disconnected connection syncs nothing and does not count.
 */
const ALLOW = 'add --allow-duplicate only for a second login at the same bank';

const renewHint = (c: Connection) => `renew its consent: banksync update-credentials ${connectionRef(c.id)}; add accounts authorized since: banksync fetch-accounts ${connectionRef(c.id)}; ${ALLOW}`;

/** Same provider and institution as a connection that still syncs: refused before any consent is asked. */
export async function refuseConnectedInstitution(s: Services, providerId: string, institution: { id: string; name: string }): Promise<void> {
  if (!institution.id) return;
  const c = (await s.db.connections.list()).find((x) => x.status !== 'disconnected' && x.providerId === providerId && x.institutionId === institution.id);
  if (!c) return;
  throw badInput(`${institution.name} is already connected as ${connectionRef(c.id)} (via ${providerId}): a second connection would store every line twice`, renewHint(c));
}

const norm = (v: string | null | undefined) => v?.replace(/[\s.-]/g, '').toUpperCase() || undefined;
const numbersOf = (a: { iban?: string | null; number?: string | null }) => [norm(a.iban), norm(a.number)].filter((v): v is string => v !== undefined);

/**
 * An account chosen at connect whose IBAN or account number (in the same currency: one IBAN may
 * hold several currency pockets) is already held by an account that syncs or holds imported
 * files. Checked before any account row is stored.
 */
export async function refuseKnownAccounts(s: Services, chosen: readonly ProviderAccount[]): Promise<void> {
  const live = new Map((await s.db.connections.list()).filter((c) => c.status !== 'disconnected').map((c) => [c.id, c]));
  const held = (await s.db.accounts.list()).filter((a) => a.connectionId === null || live.has(a.connectionId));
  for (const remote of chosen) {
    const mine = numbersOf(remote);
    if (mine.length === 0) continue;
    const local = held.find((a) => a.currency === remote.currency && numbersOf(a).some((n) => mine.includes(n)));
    if (local) throw duplicateAccount(remote, local, local.connectionId === null ? undefined : live.get(local.connectionId));
  }
}

function duplicateAccount(remote: ProviderAccount, local: Account, c: Connection | undefined) {
  const shown = remote.iban ? maskIban(remote.iban) : `…${(remote.number ?? '').slice(-4)}`;
  const ref = accountRef(local.id);
  if (c) {
    return badInput(`${remote.name} (${shown}) is already synced as ${ref} in ${connectionRef(c.id)} (${c.institutionName}): connecting it again would store every line twice`, renewHint(c));
  }
  return badInput(
    `${remote.name} (${shown}) is already ${ref} ${local.name}, which holds imported statement files: connecting it too would store its lines twice`,
    `leave it out with --accounts; to sync it from the bank from now on, connect with --allow-duplicate and move the imported lines over: banksync accounts merge ${ref} <new account>`,
  );
}
