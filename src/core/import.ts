import { basename } from 'node:path';
import type { Services } from './context.js';
import { nowIso } from './context.js';
import { badInput } from '../domain/errors.js';
import { requireAccount } from './accounts.js';
import { accountRef, type Account } from '../domain/model.js';
import { formatMinor } from '../domain/money.js';
import { fingerprint, lineId, lineRow } from './dedupe.js';
import { bookingDateProblem, valueDateProblem } from './line-checks.js';
import { accountCalledAlready, resolveAccount } from './import-account.js';
import { recordFuzzyMerge, sameLineStored } from './line-match.js';
import { checkReportedBalance, reanchor } from './balance-check.js';
import { openStatementFile, type StatementFile } from '../import/parse.js';
import type { StatementHead } from '../import/stream.js';
import type { FileBalance, FileFormat, FileLine, ParseOptions } from '../import/types.js';
import { StoredLines } from './stored-lines.js';
import { ImportOrigins, type ImportDecision } from './explain-origins.js';
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

/**
 * Imports statement files as the `file` provider. Each file is streamed: parsed in chunks,
 * its lines deduplicated and written in batches, so memory stays flat whatever its size. Every
 * file is written inside one SQLite transaction, committed after the last line of the last file:
 * a bad line anywhere (the last line of a million, or a second file) writes nothing. Lines are
 * deduplicated against everything already stored, whatever its source.
 */
export async function importFiles(s: Services, o: ImportOptions): Promise<{ files: FileReport[]; dryRun: boolean }> {
  if (o.accountId !== undefined && o.newAccount !== undefined) throw badInput('give --account or --new-account, not both');
  if (o.newAccount !== undefined && !o.newAccount.trim()) throw badInput('--new-account needs a name');
  const target = o.accountId !== undefined ? await requireAccount(s, o.accountId) : undefined;
  // A file without a currency (QIF, most CSV) takes the target account's.
  const parseOptions = { ...o, currency: o.currency ?? target?.currency ?? accountCalledAlready(s, o.newAccount)?.currency };
  // Every file is found, hashed and recognised before anything is written. The reads are
  // asynchronous: a Ctrl-C gets its turn between chunks and rolls back what was written.
  const files: StatementFile[] = [];
  for (const f of o.files) files.push(await openStatementFile(f, o.format, parseOptions));
  const reports: FileReport[] = [];
  // A dry run of several files undoes each before the next is read, as each alone would be (a
  // savepoint per file). Otherwise no savepoint: under one, SQLite also copies every page a
  // write touches into a sub-journal, a fifth more time for a large file.
  const perFile = o.dryRun && files.length > 1;
  await s.store.txAsync(async () => {
    for (const file of files) reports.push(perFile ? await s.store.txAsync(() => importFile(s, o, file, target), false) : await importFile(s, o, file, target));
  }, !o.dryRun);
  // Right after the files' own transaction: the other legs of transfers may be in another file or account.
  if (!o.dryRun) detectTransfers(s);
  return { files: reports, dryRun: !!o.dryRun };
}

async function importFile(s: Services, o: ImportOptions, file: StatementFile, target: Account | undefined): Promise<FileReport> {
  const report: FileReport = { file: basename(file.path), format: file.format, charset: file.charset, sha256: file.sha256, statements: [], warnings: [] };
  /** The import's own warnings (quarantined lines), after the file's. */
  const lineWarnings: string[] = [];
  let current: StatementImport | undefined;
  const fileWarnings = await file.read({
    statement: (head) => {
      if ((target || o.newAccount) && report.statements.length > 0) {
        throw badInput('a file holds several accounts; --account/--new-account can name only one', 'import it without them: each statement goes to the account with its IBAN or number');
      }
      current = new StatementImport(s, o, file, head, target, lineWarnings);
      report.statements.push(current.report);
    },
    lines: (batch) => current!.add(batch),
    end: (balances) => current!.end(balances),
  });
  report.warnings = [...fileWarnings, ...lineWarnings];
  return report;
}

/** One statement of a file, written batch by batch into its account. */
class StatementImport {
  readonly report: StatementReport;
  private readonly account: Account;
  private readonly source: string;
  private readonly now: string;
  private readonly today: string;
  private readonly claimed = new Set<string>();
  private readonly stored: StoredLines;
  /** What explain and unmerge need: where each line went and what it was weighed against. */
  private readonly origins: ImportOrigins;

  constructor(
    private readonly s: Services,
    o: ImportOptions,
    private readonly file: StatementFile,
    head: StatementHead,
    target: Account | undefined,
    private readonly warnings: string[],
  ) {
    this.now = nowIso(s);
    this.today = this.now.slice(0, 10);
    const { account, created } = resolveAccount(s, o, file.path, file, head, target);
    this.account = account;
    this.source = `file:${basename(file.path)}#${file.sha256.slice(0, 12)}`;
    this.report = { account: accountRef(account.id), accountName: account.name, created, lines: 0, added: 0, duplicates: 0, updated: 0, matchedByText: 0, quarantined: 0, balances: [] };
    this.stored = new StoredLines(s.store, account.id);
    this.origins = new ImportOrigins(s, account.id, file.path, file, this.source, this.now);
  }

  add(batch: FileLine[]): void {
    const { s, account, file, report } = this;
    report.lines += batch.length;
    this.stored.load(batch);
    for (const raw of batch) {
      if (raw.currency !== account.currency) {
        throw badInput(`${basename(file.path)}: ${raw.where}: in ${raw.currency}, but ${accountRef(account.id)} is in ${account.currency}`);
      }
      const line = checkedLine(s, account, file.path, raw, this.source, this.today, this.now, this.warnings);
      if (!line) {
        report.quarantined++;
        continue;
      }
      const decision = importLine(s, account, file.format, line, this.claimed, this.source, this.now, this.stored, this.origins);
      this.origins.note(line, decision);
      const { outcome } = decision;
      if (outcome === 'matchedByText') report.duplicates++;
      report[outcome]++;
    }
  }

  end(balances: FileBalance[]): void {
    const { s, account, report } = this;
    this.origins.finish();
    if (report.added > 0) reanchor(s.store, account.id);
    for (const b of balances.filter((x) => x.kind === 'closing')) report.balances.push(checkBalance(s, account.id, b.date, b.amountMinor, this.now));
  }
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
    s.store.inputIssues.record(
      { accountId: account.id, kind, key: `${basename(path)}:${line.where}:${line.bookingDate}:${line.amountMinor}`, severity: 'warning', source, message, detail: { line } },
      now,
    );
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
 * Stored lines matched in this file are claimed, so two genuinely identical lines in one file both
 * stay. This is the one place a file line's fate is decided.
 */
function importLine(s: Services, account: Account, format: FileFormat, line: FileLine, claimed: Set<string>, source: string, now: string, stored: StoredLines, origins: ImportOrigins): ImportDecision {
  const tx = s.store.transactions;
  const fp = fingerprint({ date: line.bookingDate, amountMinor: line.amountMinor, currency: line.currency, payee: line.payee, memo: line.memo });
  const externalId = line.id ? `${format}:${line.id}` : null;
  const candidates = origins.allowed(
    stored.sameDateAndAmount(line.bookingDate, line.amountMinor).filter((c) => !claimed.has(c.id)),
    externalId,
    fp,
  );
  const own = line.id && /^t[0-9a-f]{24}$/.test(line.id) ? candidates.find((c) => c.id === line.id) : undefined;
  if (own) {
    claimed.add(own.id);
    stored.claim(line.bookingDate, line.amountMinor, own);
    return { outcome: 'duplicates', rung: 'own-id', id: own.id };
  }
  if (externalId && stored.hasExternalId(externalId)) {
    const id = lineId(account.id, externalId, fp, 0);
    claimed.add(id);
    return { outcome: tx.write(lineRow(account.id, line, source, fp, id, externalId, 0), now) === 'updated' ? 'updated' : 'duplicates', rung: 'file-id', id };
  }
  const same = sameLineStored(line, externalId, fp, candidates);
  if (same) {
    claimed.add(same.candidate.id);
    stored.claim(line.bookingDate, line.amountMinor, same.candidate);
    if (same.rung === 'fingerprint') return { outcome: 'duplicates', rung: 'fingerprint', id: same.candidate.id };
    recordFuzzyMerge(s.store, { accountId: account.id, source, where: line.where, line, fp, candidate: same.candidate, why: same.why }, now);
    return { outcome: 'matchedByText', rung: 'text', id: same.candidate.id, why: same.why };
  }
  const ordinal = externalId ? 0 : stored.fingerprintCount(fp);
  const id = lineId(account.id, externalId, fp, ordinal);
  tx.write(lineRow(account.id, line, source, fp, id, externalId, ordinal), now);
  // Not claimed: a line this import wrote is never a candidate (its day was read before it was written).
  stored.added(externalId, fp);
  return { outcome: 'added', rung: 'new', id };
}

/** A statement balance in the file against banksync's own arithmetic (M11); anchors a new account. */
function checkBalance(s: Services, accountId: number, date: string, amountMinor: number, now: string): BalanceCheck {
  const currency = s.store.accounts.get(accountId)!.currency;
  const { oursMinor, driftMinor } = checkReportedBalance(s.store, accountId, { date, amountMinor }, 'statement', now);
  return { date, file: formatMinor(amountMinor, currency), banksync: formatMinor(oursMinor, currency), differs: driftMinor !== 0 };
}
