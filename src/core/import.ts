import { basename } from 'node:path';
import type { Services } from './context.js';
import { nowIso } from './context.js';
import { badInput } from './errors.js';
import { requireAccount } from './accounts.js';
import { accountRef, type Account } from './model.js';
import { formatMinor } from './money.js';
import { fingerprint, lineId } from './sync/dedupe.js';
import { bookingDateProblem, valueDateProblem } from './line-checks.js';
import { accountCalledAlready, resolveAccount } from './import-account.js';
import { reanchor, textMatch, textOf } from './line-match.js';
import type { StoredCandidate } from '../store/transactions.js';
import { ImportOrigins, type ImportDecision } from './explain-origins.js';
import { readStatementFile, type ReadFile } from '../import/parse.js';
import type { FileFormat, FileLine, FileStatement, ParseOptions } from '../import/types.js';
import { detectTransfers } from './transfers/detect.js';

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
  // Right after the files' own transactions: the other legs of transfers may be in another file or account.
  if (!o.dryRun) detectTransfers(s);
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
  const origins = new ImportOrigins(s, account.id, path, file, source, now);
  for (const raw of st.lines) {
    if (raw.currency !== account.currency) {
      throw badInput(`${basename(path)}: ${raw.where}: in ${raw.currency}, but ${accountRef(account.id)} is in ${account.currency}`);
    }
    const line = checkedLine(s, account, path, raw, source, today, now, warnings);
    if (!line) {
      report.quarantined++;
      continue;
    }
    const decision = importLine(s, account, file.format, line, claimed, source, now, stored, origins);
    origins.note(line, decision);
    const { outcome } = decision;
    if (outcome === 'matchedByText') report.duplicates++;
    report[outcome]++;
  }
  origins.finish();
  if (report.added > 0) reanchor(s, account.id);
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
function importLine(s: Services, account: Account, format: FileFormat, line: FileLine, claimed: Set<string>, source: string, now: string, stored: StoredLines, origins: ImportOrigins): ImportDecision {
  const tx = s.store.transactions;
  const fp = fingerprint({ date: line.bookingDate, amountMinor: line.amountMinor, currency: line.currency, payee: line.payee, memo: line.memo });
  const externalId = line.id ? `${format}:${line.id}` : null;
  const candidates = origins.allowed(stored.sameDateAndAmount(line.bookingDate, line.amountMinor).filter((c) => !claimed.has(c.id)), externalId, fp);
  const own = line.id && /^t[0-9a-f]{24}$/.test(line.id) ? candidates.find((c) => c.id === line.id) : undefined;
  if (own) {
    claimed.add(own.id);
    stored.claim(line.bookingDate, line.amountMinor, own);
    return { outcome: 'duplicates', rung: 'own-id', id: own.id };
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
    return { outcome: tx.write({ ...row, id, externalId, ordinal: 0 }, now) === 'updated' ? 'updated' : 'duplicates', rung: 'file-id', id };
  }
  const exact = candidates.find((c) => c.fingerprint === fp);
  if (exact) {
    claimed.add(exact.id);
    stored.claim(line.bookingDate, line.amountMinor, exact);
    return { outcome: 'duplicates', rung: 'fingerprint', id: exact.id };
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
    return { outcome: 'matchedByText', rung: 'text', id: fuzzy.candidate.id, why: fuzzy.why };
  }
  const ordinal = externalId ? 0 : stored.fingerprintCount(fp);
  const id = lineId(account.id, externalId, fp, ordinal);
  tx.write({ ...row, id, externalId, ordinal }, now);
  stored.added(externalId, fp);
  claimed.add(id);
  return { outcome: 'added', rung: 'new', id };
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
