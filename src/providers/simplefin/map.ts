import { isoDate } from '../../domain/clock.js';
import type { AccountKind } from '../../domain/model.js';
import { amountToMinor } from '../http.js';
import type { ProviderAccount, ProviderPending, ProviderTransaction, RejectedLine } from '../types.js';
import { sanitize } from './errors.js';
import { Account, type Connection, ErrItem, Transaction, type AccountSet } from './schema.js';

/**
 * Account ids are unique only within their connection (v2) or organisation (v1), so our
 * external id is "<connection or org>/<account id>", each part URI-encoded.
 */
export function externalIdOf(scope: string, accountId: string): string {
  return `${encodeURIComponent(scope)}/${encodeURIComponent(accountId)}`;
}

export function splitExternalId(externalId: string): { scope: string; accountId: string } | undefined {
  const i = externalId.indexOf('/');
  if (i < 0) return undefined;
  try {
    return { scope: decodeURIComponent(externalId.slice(0, i)), accountId: decodeURIComponent(externalId.slice(i + 1)) };
  } catch {
    return undefined;
  }
}

const hostOf = (url: string | undefined) => {
  if (!url) return undefined;
  try {
    return new URL(/^[a-z]+:\/\//i.test(url) ? url : `https://${url}`).hostname || undefined;
  } catch {
    return undefined;
  }
};

/** One account of an answer with where it belongs: its scope (connection or org) and institution. */
export interface PlacedAccount {
  wire: Account;
  externalId: string;
  scope: string;
  connId?: string;
  institutionId: string;
  institutionName?: string;
}

/** Places every account of an answer; an account we cannot place is reported, never guessed. */
export function placeAccounts(set: AccountSet): { placed: PlacedAccount[]; problems: string[] } {
  const connections = new Map<string, Connection>((set.connections ?? []).map((c) => [c.conn_id, c]));
  const placed: PlacedAccount[] = [];
  const problems: string[] = [];
  set.accounts.forEach((raw, i) => {
    const r = Account.safeParse(raw);
    if (!r.success) {
      problems.push(`SimpleFIN sent an account we cannot read (accounts[${i}]: ${r.error.issues[0]?.path.join('.')} ${r.error.issues[0]?.message}); it was left out`);
      return;
    }
    const a = r.data;
    if (a.conn_id) {
      // v2: the connection names the institution.
      const c = connections.get(a.conn_id);
      const institutionId = c?.org_id ?? hostOf(c?.org_url) ?? hostOf(a.org?.domain) ?? `conn:${a.conn_id}`;
      const institutionName = c?.org_name ?? a.org?.name ?? c?.name ?? a.conn_name ?? hostOf(c?.org_url);
      placed.push({
        wire: a,
        externalId: externalIdOf(a.conn_id, a.id),
        scope: a.conn_id,
        connId: a.conn_id,
        institutionId,
        institutionName: institutionName ? sanitize(institutionName, 100) : undefined,
      });
      return;
    }
    // v1: the organisation is the scope; domain is the globally unique one (protocol).
    const org = a.org;
    const scope = org?.domain ?? org?.id ?? org?.name ?? hostOf(org?.['sfin-url']);
    if (!scope) {
      problems.push(`SimpleFIN sent account ${sanitize(a.name, 60)} with neither a connection nor an organisation; it was left out`);
      return;
    }
    placed.push({ wire: a, externalId: externalIdOf(scope, a.id), scope, institutionId: scope, institutionName: sanitize(org?.name ?? org?.domain ?? scope, 100) });
  });
  return { placed, problems };
}

/**
 * SimpleFIN has no account type; the name is all there is. Only an unmistakable word picks a
 * kind, anything else is 'other' (the kind only labels the account; amounts never depend on it).
 */
export function kindOf(name: string): AccountKind {
  const n = name.toLowerCase();
  if (/saving/.test(n)) return 'savings';
  if (/credit card|\bcard\b|visa|mastercard|amex|american express/.test(n)) return 'credit_card';
  if (/checking|chequing|current/.test(n)) return 'checking';
  if (/loan|mortgage|heloc/.test(n)) return 'loan';
  return 'other';
}

/** ISO 4217 codes only; the protocol's custom currencies (a URL) cannot be stored as money. */
export const isIsoCurrency = (c: string) => /^[A-Z]{3}$/.test(c);

const utcDate = (epochSeconds: number) => isoDate(new Date(epochSeconds * 1000));

export function toAccount(p: PlacedAccount): ProviderAccount {
  const a = p.wire;
  // XXX is ISO 4217's "no currency": a custom currency's lines are quarantined, never stored as money.
  const currency = isIsoCurrency(a.currency) ? a.currency : 'XXX';
  let balance: ProviderAccount['balance'];
  if (isIsoCurrency(a.currency)) {
    try {
      balance = { amountMinor: amountToMinor(a.balance, a.currency), date: utcDate(a['balance-date']) };
    } catch {
      balance = undefined;
    }
  }
  return {
    externalId: p.externalId,
    institutionId: p.institutionId,
    institutionName: p.institutionName,
    name: sanitize(a.name, 120) || 'Account',
    currency,
    kind: kindOf(a.name),
    balance,
  };
}

export interface MappedLines {
  booked: ProviderTransaction[];
  pending: ProviderPending[];
  rejected: RejectedLine[];
}

function text(t: Transaction): { payee?: string; memo?: string } {
  const description = sanitize(t.description ?? '', 200) || undefined;
  const payee = t.payee ? sanitize(t.payee, 200) || undefined : undefined;
  const memo = t.memo ? sanitize(t.memo, 200) || undefined : undefined;
  if (payee) return { payee, memo: memo ?? (description !== payee ? description : undefined) };
  return { payee: description, memo };
}

/**
 * Positive amounts are deposits (protocol), which is our sign already. A posted line is dated by
 * the UTC date of `posted`; a pending one (pending: true, or posted 0) by `transacted_at`, else
 * the day we saw it. A posted line carries its own id as pendingRef: banks that keep the id when a
 * line posts are linked exactly; the others are left to the engine's pending matching.
 */
export function mapTransactions(raws: unknown[], currency: string, today: string): MappedLines {
  const out: MappedLines = { booked: [], pending: [], rejected: [] };
  raws.forEach((raw, i) => {
    const r = Transaction.safeParse(raw);
    if (!r.success) {
      const rec = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
      out.rejected.push({
        externalId: typeof rec.id === 'string' ? rec.id : undefined,
        reason: `SimpleFIN sent a transaction we cannot read (transactions[${i}]: ${r.error.issues[0]?.path.join('.')} ${r.error.issues[0]?.message})`,
        amount: typeof rec.amount === 'string' ? rec.amount : undefined,
        currency,
      });
      return;
    }
    const t = r.data;
    const isPending = t.pending === true || t.posted === 0;
    const reject = (reason: string): void => {
      out.rejected.push({ externalId: t.id, reason, amount: t.amount, currency, payee: text(t).payee, date: t.posted > 0 ? utcDate(t.posted) : undefined });
    };
    if (!isIsoCurrency(currency)) return reject('SimpleFIN account in a custom currency (not an ISO 4217 code): not stored');
    let amountMinor: number;
    try {
      amountMinor = amountToMinor(t.amount.trim(), currency);
    } catch {
      return reject(`SimpleFIN amount "${sanitize(t.amount, 40)}" is not a decimal number in ${currency}`);
    }
    if (isPending) {
      const when = t.transacted_at && t.transacted_at > 0 ? t.transacted_at : t.posted > 0 ? t.posted : undefined;
      out.pending.push({ externalId: t.id, date: when ? utcDate(when) : today, amountMinor, currency, ...text(t) });
      return;
    }
    out.booked.push({
      externalId: t.id,
      bookingDate: utcDate(t.posted),
      amountMinor,
      currency,
      ...text(t),
      type: amountMinor < 0 ? 'debit' : 'credit',
      pendingRef: t.id,
    });
  });
  return out;
}

/**
 * errlist (v2) and errors (v1, deprecated in v2) → warnings, each placed where it belongs. The
 * Bridge is reported to put its quota warnings in `errors` even in v2 answers, so both are read;
 * an `errors` string that repeats an errlist message is shown once.
 */
export interface Warnings {
  general: string[];
  byConnection: Map<string, string[]>;
  byAccount: { accountId: string; connId?: string; line: string }[];
}

const PREFIX_MEANING: Record<string, string> = {
  'gen.auth': 'authentication problem at the SimpleFIN server',
  'con.auth': 'the bank connection needs you to sign in again at the SimpleFIN Bridge',
  'act.failed': 'the account could not be read this time; it is tried again on the next sync',
  'act.missingdata': 'the transaction list is incomplete this time; it is read again on the next sync',
};

export function readWarnings(set: AccountSet): Warnings {
  const w: Warnings = { general: [], byConnection: new Map(), byAccount: [] };
  const seen = new Set<string>();
  for (const raw of set.errlist ?? []) {
    const r = ErrItem.safeParse(raw);
    if (!r.success) continue;
    const e = r.data;
    const code = sanitize(e.code, 40);
    const msg = sanitize(e.msg ?? e.message ?? '', 240);
    if (msg) seen.add(msg);
    const meaning = PREFIX_MEANING[code];
    const line = `SimpleFIN ${code}: ${msg || meaning || 'no message'}${meaning && msg ? ` (${meaning})` : ''}`;
    if (e.account_id) w.byAccount.push({ accountId: e.account_id, connId: e.conn_id, line });
    else if (e.conn_id) w.byConnection.set(e.conn_id, [...(w.byConnection.get(e.conn_id) ?? []), line]);
    else w.general.push(line);
  }
  for (const raw of set.errors ?? []) {
    if (typeof raw !== 'string') continue;
    const msg = sanitize(raw, 240);
    if (msg && !seen.has(msg)) {
      seen.add(msg);
      w.general.push(`SimpleFIN: ${msg}`);
    }
  }
  return w;
}

/** The warnings that concern one account. */
export function warningsFor(w: Warnings, p: { wire: { id: string }; connId?: string }): string[] {
  const own = w.byAccount.filter((e) => e.accountId === p.wire.id && (!e.connId || !p.connId || e.connId === p.connId)).map((e) => e.line);
  return [...w.general, ...(p.connId ? (w.byConnection.get(p.connId) ?? []) : []), ...own];
}
