import { basename } from 'node:path';
import { maskIban } from './model.js';
import type { Services } from './context.js';
import { nowIso } from './context.js';
import { badInput } from './errors.js';
import { requireAccount } from './accounts.js';
import { accountRef, type Account } from './model.js';
import { formatMinor } from './money.js';
import { fingerprint, lineId, normalizeText } from './sync/dedupe.js';
import { readStatementFile, type ReadFile } from '../import/parse.js';
import type { FileFormat, FileLine, FileStatement, ParseOptions } from '../import/types.js';

export interface ImportOptions extends ParseOptions {
  files: string[];
  format: FileFormat | 'auto';
  accountId?: number;
  newAccount?: string;
  dryRun?: boolean;
}

export interface BalanceCheck {
  date: string;
  file: string;
  banksync: string | null;
  differs: boolean;
}

export interface StatementReport {
  account: string;
  accountName: string;
  created: boolean;
  lines: number;
  added: number;
  duplicates: number;
  updated: number;
  balances: BalanceCheck[];
}

export interface FileReport {
  file: string;
  format: FileFormat;
  charset: string;
  sha256: string;
  statements: StatementReport[];
  warnings: string[];
}

class DryRun extends Error {}

/**
 * Imports statement files as the `file` provider (M1): each file is parsed completely before
 * anything is written, then written in one SQLite transaction, so a bad file writes nothing.
 * Lines are deduplicated against everything already stored, whatever its source (M13).
 */
export function importFiles(s: Services, o: ImportOptions): { files: FileReport[]; dryRun: boolean } {
  if (o.accountId !== undefined && o.newAccount !== undefined) throw badInput('give --account or --new-account, not both');
  if (o.newAccount !== undefined && !o.newAccount.trim()) throw badInput('--new-account needs a name');
  const target = o.accountId !== undefined ? requireAccount(s, o.accountId) : undefined;
  // A file without a currency (QIF, most CSV) takes the target account's.
  const parseOptions = { ...o, currency: o.currency ?? target?.currency };
  // Every file is read and checked first: one bad file stops the import before anything is written.
  const parsed = o.files.map((f) => ({ path: f, file: readStatementFile(f, o.format, parseOptions) }));
  if ((target || o.newAccount) && parsed.some((p) => p.file.statements.length > 1)) {
    throw badInput('a file holds several accounts; --account/--new-account can name only one', 'import it without them: each statement goes to the account with its IBAN or number');
  }
  const reports: FileReport[] = [];
  for (const { path, file } of parsed) {
    const report: FileReport = { file: basename(path), format: file.format, charset: file.charset, sha256: file.sha256, statements: [], warnings: [...file.warnings] };
    try {
      s.store.tx(() => {
        for (const st of file.statements) report.statements.push(importStatement(s, o, path, file, st, target));
        if (o.dryRun) throw new DryRun();
      });
    } catch (e) {
      if (!(e instanceof DryRun)) throw e;
    }
    reports.push(report);
  }
  return { files: reports, dryRun: !!o.dryRun };
}

function importStatement(s: Services, o: ImportOptions, path: string, file: ReadFile, st: FileStatement, target: Account | undefined): StatementReport {
  const now = nowIso(s);
  const { account, created } = resolveAccount(s, o, path, file, st, target);
  const source = `file:${basename(path)}#${file.sha256.slice(0, 12)}`;
  const report: StatementReport = { account: accountRef(account.id), accountName: account.name, created, lines: st.lines.length, added: 0, duplicates: 0, updated: 0, balances: [] };
  const claimed = new Set<string>();
  for (const line of st.lines) {
    if (line.currency !== account.currency) {
      throw badInput(`${basename(path)}: ${line.where}: in ${line.currency}, but ${accountRef(account.id)} is in ${account.currency}`);
    }
    const outcome = importLine(s, account, file.format, line, claimed, source, now);
    report[outcome]++;
  }
  if (report.added > 0) reanchor(s, account);
  for (const b of st.balances.filter((x) => x.kind === 'closing')) report.balances.push(checkBalance(s, account.id, b.date, b.amountMinor, now));
  return report;
}

/**
 * The dedupe ladder for a file line, first match wins:
 * 1. banksync's own id (a re-imported banksync export);
 * 2. the file's id for the line, stored before from a file of the same format (corrections apply);
 * 3. the same date, amount and text fingerprint;
 * 4. a line from another source (a provider sync, another file format) with the same date and
 *    amount whose text shares a word: the same payment seen through another channel.
 * Lines matched in this file are claimed, so two genuinely identical lines in one file both stay.
 */
function importLine(s: Services, account: Account, format: FileFormat, line: FileLine, claimed: Set<string>, source: string, now: string): 'added' | 'duplicates' | 'updated' {
  const tx = s.store.transactions;
  const fp = fingerprint({ date: line.bookingDate, amountMinor: line.amountMinor, currency: line.currency, payee: line.payee, memo: line.memo });
  const externalId = line.id ? `${format}:${line.id}` : null;
  const candidates = tx.sameDateAndAmount(account.id, line.bookingDate, line.amountMinor).filter((c) => !claimed.has(c.id));
  const own = line.id && /^t[0-9a-f]{24}$/.test(line.id) ? candidates.find((c) => c.id === line.id) : undefined;
  if (own) {
    claimed.add(own.id);
    return 'duplicates';
  }
  const row = {
    accountId: account.id,
    bookingDate: line.bookingDate,
    valueDate: line.valueDate ?? null,
    amountMinor: line.amountMinor,
    currency: line.currency,
    payee: line.payee ?? null,
    memo: line.memo ?? null,
    type: line.type,
    counterpartyIban: line.counterpartyIban ?? null,
    source,
    fingerprint: fp,
  };
  if (externalId && tx.hasExternalId(account.id, externalId)) {
    const id = lineId(account.id, externalId, fp, 0);
    claimed.add(id);
    return tx.write({ ...row, id, externalId, ordinal: 0 }, now) === 'updated' ? 'updated' : 'duplicates';
  }
  const match = candidates.find((c) => c.fingerprint === fp) ?? candidates.find((c) => similar(line, c));
  if (match) {
    claimed.add(match.id);
    return 'duplicates';
  }
  const ordinal = externalId ? 0 : tx.fingerprintCount(account.id, fp);
  const id = lineId(account.id, externalId, fp, ordinal);
  tx.write({ ...row, id, externalId, ordinal }, now);
  claimed.add(id);
  return 'added';
}

function words(v: { payee?: string | null; memo?: string | null }): Set<string> {
  return new Set(normalizeText(`${v.payee ?? ''} ${v.memo ?? ''}`).split(' ').filter((w) => w.length >= 3 && !/^\d+$/.test(w)));
}

/** Same payment when either side has no text or they share a word (3+ letters). */
function similar(a: { payee?: string | null; memo?: string | null }, b: { payee?: string | null; memo?: string | null }): boolean {
  const wa = words(a);
  const wb = words(b);
  if (wa.size === 0 || wb.size === 0) return true;
  for (const w of wa) if (wb.has(w)) return true;
  return false;
}

function resolveAccount(s: Services, o: ImportOptions, path: string, file: ReadFile, st: FileStatement, target: Account | undefined): { account: Account; created: boolean } {
  const currency = st.currency ?? o.currency?.toUpperCase() ?? target?.currency;
  if (target) {
    if (st.currency && st.currency !== target.currency) throw badInput(`${basename(path)} is in ${st.currency}, but ${accountRef(target.id)} is in ${target.currency}`);
    return { account: target, created: false };
  }
  const externalId = st.accountId ? `file:${st.accountId}` : null;
  if (o.newAccount === undefined) {
    const all = s.store.accounts.list();
    const iban = st.iban?.replace(/\s+/g, '').toUpperCase();
    const found = all.find((a) => (iban && a.iban?.replace(/\s+/g, '').toUpperCase() === iban) || (externalId && a.externalId === externalId) || (st.accountId && (a.number === st.accountId || a.iban === st.accountId)));
    if (found) {
      if (currency && found.currency !== currency) throw badInput(`${basename(path)} is in ${currency}, but ${accountRef(found.id)} (same account number) is in ${found.currency}`);
      return { account: found, created: false };
    }
    if (!st.accountId) {
      throw badInput(`${basename(path)} does not say which account it belongs to`, 'give --account a1 to add it to an account, or --new-account "Name" to create one');
    }
  }
  if (!currency) throw badInput(`${basename(path)} carries no currency`, 'give --currency, e.g. --currency EUR');
  const name = o.newAccount?.trim() || `${file.format.toUpperCase()} ${st.iban ? maskIban(st.iban) : `…${st.accountId!.slice(-4)}`}`;
  const id = s.store.accounts.create({
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
  return { account: s.store.accounts.get(id)!, created: true };
}

/**
 * Older lines added below the balance anchor move the opening balance, not the bank's reported
 * balance: re-anchor on the latest balance the bank reported so every later balance stays right.
 */
function reanchor(s: Services, account: Account): void {
  const latest = s.store.syncState.latestBalance(account.id);
  if (!latest) return;
  const opening = latest.amountMinor - s.store.transactions.sumThrough(account.id, latest.date);
  s.store.accounts.setBalanceCheck(account.id, opening, 0);
}

/** A statement balance in the file against banksync's own arithmetic (M11); anchors a new account. */
function checkBalance(s: Services, accountId: number, date: string, amountMinor: number, now: string): BalanceCheck {
  const a = s.store.accounts.get(accountId)!;
  const sum = s.store.transactions.sumThrough(accountId, date);
  const fmt = (m: number) => formatMinor(m, a.currency);
  if (a.openingBalanceMinor === null) {
    s.store.accounts.setBalanceCheck(accountId, amountMinor - sum, 0);
    s.store.syncState.recordBalance(accountId, date, amountMinor, now);
    return { date, file: fmt(amountMinor), banksync: fmt(amountMinor), differs: false };
  }
  const ours = a.openingBalanceMinor + sum;
  // A balance that agrees becomes the newest anchor; one that does not is only reported.
  if (ours === amountMinor) s.store.syncState.recordBalance(accountId, date, amountMinor, now);
  return { date, file: fmt(amountMinor), banksync: fmt(ours), differs: ours !== amountMinor };
}
