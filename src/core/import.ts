import { basename } from 'node:path';
import { maskIban } from './model.js';
import type { Services } from './context.js';
import { nowIso } from './context.js';
import { badInput } from './errors.js';
import { requireAccount } from './accounts.js';
import { accountRef, connectionRef, type Account } from './model.js';
import { formatMinor } from './money.js';
import { fingerprint, lineId, normalizeText } from './sync/dedupe.js';
import { bookingDateProblem, valueDateProblem } from './line-checks.js';
import type { StoredCandidate } from '../store/transactions.js';
import { readStatementFile, type ReadFile } from '../import/parse.js';
import type { FileFormat, FileLine, FileStatement, ParseOptions } from '../import/types.js';

export interface ImportOptions extends ParseOptions {
  files: string[];
  format: FileFormat | 'auto';
  accountId?: number;
  newAccount?: string;
  dryRun?: boolean;
  /** Import into --account even when the file names another account. */
  forceAccount?: boolean;
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
  /** Lines taken as a line already stored from another source by their text (see `warnings --kind fuzzy-merge`). */
  matchedByText: number;
  /** Lines not imported (a date far in the future or before 1970), listed in `warnings`. */
  quarantined: number;
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
export async function importFiles(s: Services, o: ImportOptions): Promise<{ files: FileReport[]; dryRun: boolean }> {
  if (o.accountId !== undefined && o.newAccount !== undefined) throw badInput('give --account or --new-account, not both');
  if (o.newAccount !== undefined && !o.newAccount.trim()) throw badInput('--new-account needs a name');
  const target = o.accountId !== undefined ? requireAccount(s, o.accountId) : undefined;
  // A file without a currency (QIF, most CSV) takes the target account's.
  const parseOptions = { ...o, currency: o.currency ?? target?.currency ?? accountCalledAlready(s, o.newAccount)?.currency };
  // Every file is read and checked first: one bad file stops the import before anything is written.
  const parsed = o.files.map((f) => ({ path: f, file: readStatementFile(f, o.format, parseOptions) }));
  // Reading and writing are synchronous stretches: between them a Ctrl-C gets its turn, so one
  // pressed while a large file is read stops before anything is written (not after).
  await signalsTurn();
  if ((target || o.newAccount) && parsed.some((p) => p.file.statements.length > 1)) {
    throw badInput('a file holds several accounts; --account/--new-account can name only one', 'import it without them: each statement goes to the account with its IBAN or number');
  }
  const reports: FileReport[] = [];
  for (const { path, file } of parsed) {
    const report: FileReport = { file: basename(path), format: file.format, charset: file.charset, sha256: file.sha256, statements: [], warnings: [...file.warnings] };
    try {
      s.store.tx(() => {
        for (const st of file.statements) report.statements.push(importStatement(s, o, path, file, st, target, report.warnings));
        if (o.dryRun) throw new DryRun();
      });
    } catch (e) {
      if (!(e instanceof DryRun)) throw e;
    }
    reports.push(report);
    await signalsTurn();
  }
  return { files: reports, dryRun: !!o.dryRun };
}

/** One turn of the event loop, where pending signal handlers run (setImmediate comes after them). */
const signalsTurn = () => new Promise<void>((done) => setImmediate(done));

function importStatement(s: Services, o: ImportOptions, path: string, file: ReadFile, st: FileStatement, target: Account | undefined, warnings: string[]): StatementReport {
  const now = nowIso(s);
  const { account, created } = resolveAccount(s, o, path, file, st, target);
  const source = `file:${basename(path)}#${file.sha256.slice(0, 12)}`;
  const report: StatementReport = { account: accountRef(account.id), accountName: account.name, created, lines: st.lines.length, added: 0, duplicates: 0, updated: 0, matchedByText: 0, quarantined: 0, balances: [] };
  const claimed = new Set<string>();
  const today = now.slice(0, 10);
  const stored = new StoredLines(s, account.id, st.lines);
  for (const raw of st.lines) {
    if (raw.currency !== account.currency) {
      throw badInput(`${basename(path)}: ${raw.where}: in ${raw.currency}, but ${accountRef(account.id)} is in ${account.currency}`);
    }
    const line = checkedLine(s, account, path, raw, source, today, now, warnings);
    if (!line) {
      report.quarantined++;
      continue;
    }
    const outcome = importLine(s, account, file.format, line, claimed, source, now, stored);
    if (outcome === 'matchedByText') report.duplicates++;
    report[outcome]++;
  }
  if (report.added > 0) reanchor(s, account);
  for (const b of st.balances.filter((x) => x.kind === 'closing')) report.balances.push(checkBalance(s, account.id, b.date, b.amountMinor, now));
  return report;
}

/**
 * A file line checked like a provider's: a booking date far in the future (a typo'd year) or
 * before 1970 would be stored as truth and move the account's watermark, so the line is
 * quarantined with a warning instead (listed by `banksync warnings`); an impossible value date
 * is dropped, the line kept. The parsers already refuse dates that are not calendar dates.
 */
function checkedLine(s: Services, account: Account, path: string, line: FileLine, source: string, today: string, now: string, warnings: string[]): FileLine | null {
  const problem = bookingDateProblem(line.bookingDate, today);
  const record = (kind: 'quarantined' | 'field-dropped', message: string) => {
    s.store.inputIssues.record({ accountId: account.id, kind, key: `${basename(path)}:${line.where}:${line.bookingDate}:${line.amountMinor}`, severity: 'warning', source, message, detail: { line } }, now);
    warnings.push(message);
  };
  if (problem) {
    record('quarantined', `${line.where}: not imported: ${problem}`);
    return null;
  }
  const valueProblem = valueDateProblem(line.valueDate);
  if (valueProblem) {
    record('field-dropped', `${line.where}: ${valueProblem}; imported without a value date`);
    return { ...line, valueDate: undefined };
  }
  return line;
}

/**
 * The dedupe ladder for a file line, first match wins:
 * 1. banksync's own id (a re-imported banksync export);
 * 2. the file's id for the line, stored before from a file of the same format (corrections apply);
 * 3. the same date, amount and text fingerprint;
 * 4. a line from another source (a provider sync, another file format) with the same date and
 *    amount whose text mostly agrees (see sameByText): the same payment seen through another
 *    channel. Every such merge is recorded (`banksync warnings --kind fuzzy-merge`).
 * Lines matched in this file are claimed, so two genuinely identical lines in one file both stay.
 */
function importLine(s: Services, account: Account, format: FileFormat, line: FileLine, claimed: Set<string>, source: string, now: string, stored: StoredLines): 'added' | 'duplicates' | 'updated' | 'matchedByText' {
  const tx = s.store.transactions;
  const fp = fingerprint({ date: line.bookingDate, amountMinor: line.amountMinor, currency: line.currency, payee: line.payee, memo: line.memo });
  const externalId = line.id ? `${format}:${line.id}` : null;
  const candidates = stored.sameDateAndAmount(line.bookingDate, line.amountMinor).filter((c) => !claimed.has(c.id));
  const own = line.id && /^t[0-9a-f]{24}$/.test(line.id) ? candidates.find((c) => c.id === line.id) : undefined;
  if (own) {
    claimed.add(own.id);
    stored.claim(line.bookingDate, line.amountMinor, own);
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
  if (externalId && stored.hasExternalId(externalId)) {
    const id = lineId(account.id, externalId, fp, 0);
    claimed.add(id);
    return tx.write({ ...row, id, externalId, ordinal: 0 }, now) === 'updated' ? 'updated' : 'duplicates';
  }
  const exact = candidates.find((c) => c.fingerprint === fp);
  if (exact) {
    claimed.add(exact.id);
    stored.claim(line.bookingDate, line.amountMinor, exact);
    return 'duplicates';
  }
  const fuzzy = textMatch(line, externalId, candidates);
  if (fuzzy) {
    claimed.add(fuzzy.candidate.id);
    stored.claim(line.bookingDate, line.amountMinor, fuzzy.candidate);
    s.store.inputIssues.record(
      {
        accountId: account.id,
        kind: 'fuzzy-merge',
        key: `${fuzzy.candidate.id}|${fp}`,
        severity: 'info',
        source,
        message: `${line.where} (${line.bookingDate} ${formatMinor(line.amountMinor, line.currency)} "${textOf(line).slice(0, 60)}") taken as ${fuzzy.candidate.id} from ${fuzzy.candidate.source} ("${textOf(fuzzy.candidate).slice(0, 60)}"): ${fuzzy.why}`,
        detail: { line, matched: fuzzy.candidate.id, why: fuzzy.why },
      },
      now,
    );
    return 'matchedByText';
  }
  const ordinal = externalId ? 0 : stored.fingerprintCount(fp);
  const id = lineId(account.id, externalId, fp, ordinal);
  tx.write({ ...row, id, externalId, ordinal }, now);
  stored.added(externalId, fp);
  claimed.add(id);
  return 'added';
}

/**
 * What the dedupe ladder asks of the account's stored lines, answered without a query per line.
 * An account that holds nothing (a new one, or one never imported into) is answered entirely from
 * what this import wrote. Otherwise the live lines booked within the statement's dates are read
 * once (sameDateAndAmount's answer for every day of the file, in the same order); the rarer
 * questions (is a file id stored, whatever its date; the next ordinal of a fingerprint, removed
 * lines included) stay exact point queries. Lines written by this import are never candidates:
 * every one is claimed as it is written.
 */
class StoredLines {
  private readonly empty: boolean;
  private readonly byDay = new Map<string, StoredCandidate[]>();
  private readonly externalIds = new Set<string>();
  private readonly ordinals = new Map<string, number>();

  constructor(private readonly s: Services, private readonly accountId: number, lines: FileLine[]) {
    this.empty = s.store.transactions.isEmpty(accountId);
    if (this.empty || lines.length === 0) return;
    let from = lines[0]!.bookingDate;
    let to = from;
    for (const l of lines) {
      if (l.bookingDate < from) from = l.bookingDate;
      if (l.bookingDate > to) to = l.bookingDate;
    }
    for (const { bookingDate, amountMinor, ...c } of s.store.transactions.candidatesBetween(accountId, from, to)) {
      const key = `${bookingDate}|${amountMinor}`;
      const list = this.byDay.get(key);
      if (list) list.push(c);
      else this.byDay.set(key, [c]);
    }
  }

  sameDateAndAmount(date: string, amountMinor: number): StoredCandidate[] {
    return this.byDay.get(`${date}|${amountMinor}`) ?? [];
  }

  /** A candidate taken by a line of this file leaves its day's list (the claimed set stays the rule; this keeps big days cheap). */
  claim(date: string, amountMinor: number, c: StoredCandidate): void {
    const list = this.byDay.get(`${date}|${amountMinor}`);
    const i = list ? list.indexOf(c) : -1;
    if (i >= 0) list!.splice(i, 1);
  }

  hasExternalId(externalId: string): boolean {
    return this.empty ? this.externalIds.has(externalId) : this.s.store.transactions.hasExternalId(this.accountId, externalId);
  }

  fingerprintCount(fp: string): number {
    return this.empty ? (this.ordinals.get(fp) ?? 0) : this.s.store.transactions.fingerprintCount(this.accountId, fp);
  }

  /** A line this import added: what the in-memory answers for an empty account must know. */
  added(externalId: string | null, fp: string): void {
    if (!this.empty) return;
    if (externalId) this.externalIds.add(externalId);
    else this.ordinals.set(fp, (this.ordinals.get(fp) ?? 0) + 1);
  }
}

const textOf = (v: { payee?: string | null; memo?: string | null }) => `${v.payee ?? ''} ${v.memo ?? ''}`.trim();

function words(v: { payee?: string | null; memo?: string | null }): Set<string> {
  return new Set(normalizeText(textOf(v)).split(' ').filter((w) => w.length >= 3 && !/^\d+$/.test(w)));
}

/** Share of the shorter text's words found in the other: at least this much makes the same payment. */
const MIN_WORD_OVERLAP = 0.6;

/**
 * Rung 4: a stored line from another source with the same date and amount whose text mostly
 * agrees. "Evil Corp refund" and "Evil Twin Bakery" share one word of three: not the same
 * payment. Two lines that both carry ids from the same kind of source are different lines
 * (their ids differ, or rung 2 had matched them). A line without text matches only when it is
 * the one candidate left.
 */
export function textMatch(line: { payee?: string | null; memo?: string | null }, externalId: string | null, candidates: StoredCandidate[]): { candidate: StoredCandidate; why: string } | undefined {
  const others = candidates.filter((c) => !(externalId && c.externalId && sameSourceKind(externalId, c)));
  if (others.length === 0) return undefined;
  const mine = words(line);
  let best: { candidate: StoredCandidate; why: string; score: number } | undefined;
  for (const c of others) {
    const theirs = words(c);
    if (mine.size === 0 || theirs.size === 0) {
      if (others.length === 1) return { candidate: c, why: 'same date and amount, and one side has no text' };
      continue;
    }
    let shared = 0;
    for (const w of mine) if (theirs.has(w)) shared++;
    const score = shared / Math.min(mine.size, theirs.size);
    if (score >= MIN_WORD_OVERLAP && (!best || score > best.score)) {
      best = { candidate: c, score, why: `same date and amount, ${shared} of ${Math.min(mine.size, theirs.size)} words shared` };
    }
  }
  return best && { candidate: best.candidate, why: best.why };
}

/** A file id (`ofx:…`) meets a stored line with an id from a file of the same format. */
const sameSourceKind = (externalId: string, c: StoredCandidate) => c.source.startsWith('file:') && c.externalId!.startsWith(externalId.slice(0, externalId.indexOf(':') + 1));

function resolveAccount(s: Services, o: ImportOptions, path: string, file: ReadFile, st: FileStatement, target: Account | undefined): { account: Account; created: boolean } {
  const currency = st.currency ?? o.currency?.toUpperCase() ?? target?.currency;
  if (target) {
    if (st.currency && st.currency !== target.currency) throw badInput(`${basename(path)} is in ${st.currency}, but ${accountRef(target.id)} is in ${target.currency}`);
    if (!o.forceAccount) refuseOtherAccount(s, path, st, target);
    return { account: target, created: false };
  }
  const externalId = st.accountId ? `file:${st.accountId}` : null;
  // The account the file names by its IBAN or number takes its lines, also with --new-account:
  // the same command run twice must not make a second account holding the same lines.
  const found = accountNamedByFile(s.store.accounts.list(), st, externalId);
  if (found) {
    if (currency && found.currency !== currency) throw badInput(`${basename(path)} is in ${currency}, but ${accountRef(found.id)} (same account number) is in ${found.currency}`);
    return { account: found, created: false };
  }
  if (o.newAccount !== undefined) {
    const same = accountCalled(s, path, o.newAccount.trim(), st, currency);
    if (same) return { account: same, created: false };
  } else if (!st.accountId) {
    throw badInput(`${basename(path)} does not say which account it belongs to`, 'give --account a1 to add it to an account, or --new-account "Name" to create one');
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

/** The account with the file's IBAN, its account id as imported before, or its number. */
function accountNamedByFile(all: Account[], st: FileStatement, externalId: string | null): Account | undefined {
  const iban = st.iban?.replace(/\s+/g, '').toUpperCase();
  return all.find((a) => (iban && a.iban?.replace(/\s+/g, '').toUpperCase() === iban) || (externalId && a.externalId === externalId) || (st.accountId && (a.number === st.accountId || a.iban === st.accountId)));
}

const sameName = (a: Account, name: string) => a.name.trim().toLowerCase() === name.toLowerCase();

/** The one account already called NAME, whatever it holds (its currency is the default for a file without one). */
export function accountCalledAlready(s: Services, name: string | undefined): Account | undefined {
  if (name === undefined) return undefined;
  const same = s.store.accounts.list().filter((a) => sameName(a, name.trim()));
  return same.length === 1 ? same[0] : undefined;
}

/**
 * `--new-account NAME` when an account is already called NAME: the file account made by an
 * earlier `--new-account NAME` takes the lines (the dedupe makes a repeat add nothing). Where
 * reusing it could be wrong (a synced account, another currency, another account number, two
 * accounts of that name), a second account of that name would be ambiguous: refused, naming
 * the account and the --account that imports into it.
 */
function accountCalled(s: Services, path: string, name: string, st: FileStatement, currency: string | undefined): Account | undefined {
  const same = s.store.accounts.list().filter((a) => sameName(a, name));
  if (same.length === 0) return undefined;
  const [a] = same;
  const why =
    same.length > 1 ? `${same.map((x) => accountRef(x.id)).join(', ')} are all called "${name}"`
    : a!.connectionId !== null ? `${accountRef(a!.id)} "${a!.name}" is synced from ${connectionRef(a!.connectionId)}`
    : currency && a!.currency !== currency ? `${accountRef(a!.id)} "${a!.name}" is in ${a!.currency}, ${basename(path)} in ${currency}`
    : (st.iban ?? st.accountId) && identities(a!).length > 0 ? `${accountRef(a!.id)} "${a!.name}" holds statements of another account number`
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
function refuseOtherAccount(s: Services, path: string, st: FileStatement, target: Account): void {
  const named = st.iban ?? st.accountId;
  if (!named) return;
  const mine = identities(target);
  if (mine.length === 0 || mine.some((m) => sameAccountNumber(m, named))) return;
  const owner = s.store.accounts.list().find((a) => a.id !== target.id && identities(a).some((v) => sameAccountNumber(v, named)));
  const shown = st.iban ? maskIban(st.iban) : `…${named.slice(-4)}`;
  throw badInput(
    `${basename(path)} is a statement of account ${shown}${owner ? `, which is ${accountRef(owner.id)} ${owner.name}` : ''}, not of ${accountRef(target.id)} ${target.name}`,
    owner ? `import it into ${accountRef(owner.id)} (or without --account), or add --force-account to import it into ${accountRef(target.id)} anyway` : `import it without --account to create its own account, or add --force-account to import it into ${accountRef(target.id)} anyway`,
  );
}

/** The numbers an account is known by; a provider's own account id is not one a file can name. */
const identities = (a: Account): string[] =>
  [a.iban, a.number, a.providerId === 'file' ? a.externalId?.replace(/^file:/, '') : undefined].filter((v): v is string => !!v);

/**
 * Account numbers as banks print them: spaces, dashes and masks (XXXX1234) vary; a bare number
 * is the tail of the IBAN that holds it. Four characters at least must agree.
 */
export function sameAccountNumber(a: string, b: string): boolean {
  const norm = (v: string) => v.replace(/[\s.-]/g, '').toUpperCase().replace(/^[X*•]+/, '');
  const [x, y] = [norm(a), norm(b)];
  if (!x || !y) return false;
  if (x === y) return true;
  const [short, long] = x.length <= y.length ? [x, y] : [y, x];
  return short.length >= 4 && long.endsWith(short) && (/^[X*•]/i.test(a.trim()) || /^[X*•]/i.test(b.trim()) || !/^[A-Z]{2}\d{2}/.test(short));
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
