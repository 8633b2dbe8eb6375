import { basename } from 'node:path';
import type { StatementHead } from '../import/stream.js';
import type { FileFormat } from '../import/types.js';
import { nowIso, type Services } from './context.js';
import { badInput } from '../domain/errors.js';
import { accountRef, connectionRef, maskIban, type Account } from '../domain/model.js';

/** What the import's options say about the account (import's ImportOptions has these fields). */
export interface AccountChoice {
  newAccount?: string;
  forceAccount?: boolean;
  currency?: string;
}

/** Which account a statement file's lines go to: named by flag, by the file's IBAN or number, or created. */
export async function resolveAccount(
  s: Services,
  o: AccountChoice,
  path: string,
  file: { format: FileFormat },
  st: StatementHead,
  target: Account | undefined,
): Promise<{ account: Account; created: boolean }> {
  const currency = st.currency ?? o.currency?.toUpperCase() ?? target?.currency;
  if (target) {
    if (st.currency && st.currency !== target.currency) throw badInput(`${basename(path)} is in ${st.currency}, but ${accountRef(target.id)} is in ${target.currency}`);
    if (!o.forceAccount) await refuseOtherAccount(s, path, st, target);
    return { account: target, created: false };
  }
  const externalId = st.accountId ? `file:${st.accountId}` : null;
  // The account the file names by its IBAN or number takes its lines, also with --new-account:
  // the same command run twice must not make a second account holding the same lines.
  const all = await s.db.accounts.list();
  const found = accountNamedByFile(all, st, externalId);
  if (found) {
    if (currency && found.currency !== currency) throw badInput(`${basename(path)} is in ${currency}, but ${accountRef(found.id)} (same account number) is in ${found.currency}`);
    return { account: found, created: false };
  }
  if (o.newAccount !== undefined) {
    const same = accountCalled(all, path, o.newAccount.trim(), st, currency);
    if (same) return { account: same, created: false };
  } else if (!st.accountId) {
    throw badInput(`${basename(path)} does not say which account it belongs to`, 'give --account a1 to add it to an account, or --new-account "Name" to create one');
  }
  if (!currency) throw badInput(`${basename(path)} carries no currency`, 'give --currency, e.g. --currency EUR');
  const name = o.newAccount?.trim() || `${file.format.toUpperCase()} ${st.iban ? maskIban(st.iban) : `…${st.accountId!.slice(-4)}`}`;
  const id = await s.db.accounts.create({
    connectionId: null,
    providerId: 'file',
    institutionId: 'file',
    externalId,
    name,
    iban: st.iban,
    number: st.iban ? undefined : st.accountId,
    currency,
    kind: st.kind ?? 'checking',
    stableIds: true,
    now: nowIso(s),
  });
  return { account: (await s.db.accounts.get(id))!, created: true };
}

/** The account with the file's IBAN, its account id as imported before, or its number. */
function accountNamedByFile(all: Account[], st: StatementHead, externalId: string | null): Account | undefined {
  const iban = st.iban?.replace(/\s+/g, '').toUpperCase();
  return all.find(
    (a) => (iban && a.iban?.replace(/\s+/g, '').toUpperCase() === iban) || (externalId && a.externalId === externalId) || (st.accountId && (a.number === st.accountId || a.iban === st.accountId)),
  );
}

const sameName = (a: Account, name: string) => a.name.trim().toLowerCase() === name.toLowerCase();

/** The one account already called NAME, whatever it holds (its currency is the default for a file without one). */
export async function accountCalledAlready(s: Services, name: string | undefined): Promise<Account | undefined> {
  if (name === undefined) return undefined;
  const same = (await s.db.accounts.list()).filter((a) => sameName(a, name.trim()));
  return same.length === 1 ? same[0] : undefined;
}

/**
 * `--new-account NAME` when an account is already called NAME: the file account made by an
 * earlier `--new-account NAME` takes the lines (the dedupe makes a repeat add nothing). Where
 * reusing it could be wrong (a synced account, another currency, another account number, two
 * accounts of that name), a second account of that name would be ambiguous: refused, naming
 * the account and the --account that imports into it.
 */
function accountCalled(all: Account[], path: string, name: string, st: StatementHead, currency: string | undefined): Account | undefined {
  const same = all.filter((a) => sameName(a, name));
  if (same.length === 0) return undefined;
  const [a] = same;
  const why =
    same.length > 1
      ? `${same.map((x) => accountRef(x.id)).join(', ')} are all called "${name}"`
      : a!.connectionId !== null
        ? `${accountRef(a!.id)} "${a!.name}" is synced from ${connectionRef(a!.connectionId)}`
        : currency && a!.currency !== currency
          ? `${accountRef(a!.id)} "${a!.name}" is in ${a!.currency}, ${basename(path)} in ${currency}`
          : (st.iban ?? st.accountId) && identities(a!).length > 0
            ? `${accountRef(a!.id)} "${a!.name}" holds statements of another account number`
            : undefined;
  if (!why) return a;
  throw badInput(
    `an account called "${name}" already exists: ${why}; a second one would be ambiguous`,
    `import into ${same.length > 1 ? 'one of them' : 'it'} with --account ${accountRef(a!.id)}, or give --new-account another name`,
  );
}

/**
 * `--account a1` with a file that names another account (its IBAN or account number) is almost
 * always the wrong file: refused, naming the account it belongs to, unless --force-account.
 * A file or an account without an identity cannot disagree.
 */
async function refuseOtherAccount(s: Services, path: string, st: StatementHead, target: Account): Promise<void> {
  const named = st.iban ?? st.accountId;
  if (!named) return;
  const mine = identities(target);
  if (mine.length === 0 || mine.some((m) => sameAccountNumber(m, named))) return;
  const owner = (await s.db.accounts.list()).find((a) => a.id !== target.id && identities(a).some((v) => sameAccountNumber(v, named)));
  const shown = st.iban ? maskIban(st.iban) : `…${named.slice(-4)}`;
  throw badInput(
    `${basename(path)} is a statement of account ${shown}${owner ? `, which is ${accountRef(owner.id)} ${owner.name}` : ''}, not of ${accountRef(target.id)} ${target.name}`,
    owner
      ? `import it into ${accountRef(owner.id)} (or without --account), or add --force-account to import it into ${accountRef(target.id)} anyway`
      : `import it without --account to create its own account, or add --force-account to import it into ${accountRef(target.id)} anyway`,
  );
}

/** The numbers an account is known by; a provider's own account id is not one a file can name. */
const identities = (a: Account): string[] => [a.iban, a.number, a.providerId === 'file' ? a.externalId?.replace(/^file:/, '') : undefined].filter((v): v is string => !!v);

/**
 * Account numbers as banks print them: spaces, dashes and masks (XXXX1234) vary; a bare number
 * is the tail of the IBAN that holds it. Four characters at least must agree.
 */
export function sameAccountNumber(a: string, b: string): boolean {
  const norm = (v: string) =>
    v
      .replace(/[\s.-]/g, '')
      .toUpperCase()
      .replace(/^[X*•]+/, '');
  const [x, y] = [norm(a), norm(b)];
  if (!x || !y) return false;
  if (x === y) return true;
  const [short, long] = x.length <= y.length ? [x, y] : [y, x];
  return short.length >= 4 && long.endsWith(short) && (/^[X*•]/i.test(a.trim()) || /^[X*•]/i.test(b.trim()) || !/^[A-Z]{2}\d{2}/.test(short));
}
