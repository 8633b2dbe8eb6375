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
import type { TransactionRow } from '../store/sqlite/transactions.js';
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
  const parseOptions = { ...o, currency: o.currency ?? target?.currency ?? (await accountCalledAlready(s, o.newAccount))?.currency };
  // Every file is found, hashed and recognised before anything is written. The reads are
  // asynchronous: a Ctrl-C gets its turn between chunks and rolls back what was written.
  const files: StatementFile[] = [];
  for (const f of o.files) files.push(await openStatementFile(f, o.format, parseOptions));
  const reports: FileReport[] = [];
  // A dry run of several files undoes each before the next is read, as each alone would be (a
  // nested unit per file). Otherwise none: under a savepoint, SQLite also copies every page a
  // write touches into a sub-journal, a fifth more time for a large file.
  const perFile = o.dryRun && files.length > 1;
  await s.db.write(
    async () => {
      for (const file of files) reports.push(perFile ? await s.db.write(() => importFile(s, o, file, target), { keep: false }) : await importFile(s, o, file, target));
    },
    { keep: !o.dryRun },
  );
  // Right after the files' own unit of work: the other legs of transfers may be in another file or account.
  if (!o.dryRun) await detectTransfers(s);
  return { files: reports, dryRun: !!o.dryRun };
}

async function importFile(s: Services, o: ImportOptions, file: StatementFile, target: Account | undefined): Promise<FileReport> {
  const report: FileReport = { file: basename(file.path), format: file.format, charset: file.charset, sha256: file.sha256, statements: [], warnings: [] };
  /** The import's own warnings (quarantined lines), after the file's. */
  const lineWarnings: string[] = [];
  let current: StatementImport | undefined;
  // The parser calls the sink as it reads; each call is queued here, in file order, and the
  // reader waits for the queue after every chunk of the file (StatementSink.settled).
  let work = Promise.resolve();
  const then = (next: () => Promise<void>) => {
    work = work.then(next);
  };
  const fileWarnings = await file.read({
    statement: (head) =>
      then(async () => {
        if ((target || o.newAccount) && report.statements.length > 0) {
          throw badInput('a file holds several accounts; --account/--new-account can name only one', 'import it without them: each statement goes to the account with its IBAN or number');
        }
        current = await StatementImport.open(s, o, file, head, target, lineWarnings);
        report.statements.push(current.report);
      }),
    lines: (batch) => then(() => current!.add(batch)),
    end: (balances) => then(() => current!.end(balances)),
    settled: () => work,
  });
  report.warnings = [...fileWarnings, ...lineWarnings];
  return report;
}

/** One statement of a file, written batch by batch into its account. */
class StatementImport {
  readonly report: StatementReport;
  private readonly source: string;
  private readonly now: string;
  private readonly today: string;
  private readonly claimed = new Set<string>();
  /** Rows decided and not written yet; `corrections`: those the file-id rung gave (a write may correct the stored line). */
  private readonly out = { rows: [] as TransactionRow[], corrections: new Set<TransactionRow>() };

  private constructor(
    private readonly s: Services,
    private readonly file: StatementFile,
    private readonly account: Account,
    created: boolean,
    private readonly warnings: string[],
    private readonly stored: StoredLines,
    /** What explain and unmerge need: where each line went and what it was weighed against. */
    private readonly origins: ImportOrigins,
    now: string,
  ) {
    this.now = now;
    this.today = now.slice(0, 10);
    this.source = sourceOf(file);
    this.report = { account: accountRef(account.id), accountName: account.name, created, lines: 0, added: 0, duplicates: 0, updated: 0, matchedByText: 0, quarantined: 0, balances: [] };
  }

  static async open(s: Services, o: ImportOptions, file: StatementFile, head: StatementHead, target: Account | undefined, warnings: string[]): Promise<StatementImport> {
    const now = nowIso(s);
    const { account, created } = await resolveAccount(s, o, file.path, file, head, target);
    const stored = await StoredLines.open(s.db, account.id);
    const origins = await ImportOrigins.open(s, account.id, file.path, file, sourceOf(file), now);
    return new StatementImport(s, file, account, created, warnings, stored, origins, now);
  }

  /**
   * One parse batch: its lines checked and keyed, what the ladder asks of the store read for the
   * whole batch (a few queries), each line decided in file order, the rows written a few hundred a
   * call (later lines' decisions never depend on earlier lines' writes: their days were read first).
   */
  async add(batch: FileLine[]): Promise<void> {
    const { s, account, file, report } = this;
    report.lines += batch.length;
    await this.stored.load(batch);
    const lines: FileLine[] = [];
    const fps: string[] = [];
    const externalIds: (string | null)[] = [];
    for (const raw of batch) {
      if (raw.currency !== account.currency) {
        throw badInput(`${basename(file.path)}: ${raw.where}: in ${raw.currency}, but ${accountRef(account.id)} is in ${account.currency}`);
      }
      // The checks, the ladder and the origin records answer at once unless they wrote: no promise per line.
      let line = checkedLine(s, account, file.path, raw, this.source, this.today, this.now, this.warnings);
      if (line instanceof Promise) line = await line;
      if (!line) {
        report.quarantined++;
        continue;
      }
      lines.push(line);
      fps.push(fingerprint({ date: line.bookingDate, amountMinor: line.amountMinor, currency: line.currency, payee: line.payee, memo: line.memo }));
      externalIds.push(line.id ? `${file.format}:${line.id}` : null);
    }
    const withIds: string[] = [];
    const withoutIds: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      const id = externalIds[i];
      if (id) withIds.push(id);
      else withoutIds.push(fps[i]!);
    }
    await this.stored.preloadKeys(withIds, withoutIds);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      let decision = importLine(s, account, line, fps[i]!, externalIds[i]!, this.claimed, this.source, this.now, this.stored, this.origins, this.out);
      if (decision instanceof Promise) decision = await decision;
      const noted = this.origins.note(line, decision);
      if (noted) await noted;
      const { outcome } = decision;
      if (outcome === 'matchedByText') report.duplicates++;
      report[outcome]++;
      if (this.out.rows.length >= ROWS_PER_CALL) await this.write();
    }
    await this.write();
  }

  /**
   * Writes the rows the ladder decided, in one call. A line taken by its file id counted as a
   * duplicate becomes 'updated' when the write corrected the stored line.
   */
  private async write(): Promise<void> {
    const { rows, corrections } = this.out;
    if (rows.length === 0) return;
    this.out.rows = [];
    const outcomes = await this.s.db.transactions.writeBatch(rows, this.now);
    this.stored.written();
    for (let i = 0; i < rows.length; i++) {
      if (outcomes[i] !== 'updated' || !corrections.has(rows[i]!)) continue;
      this.report.duplicates--;
      this.report.updated++;
    }
    corrections.clear();
  }

  async end(balances: FileBalance[]): Promise<void> {
    const { s, account, report } = this;
    await this.origins.finish();
    if (report.added > 0) await reanchor(s.db, account.id);
    for (const b of balances.filter((x) => x.kind === 'closing')) report.balances.push(await checkBalance(s, account.id, b.date, b.amountMinor, this.now));
  }
}

/** Rows per call to the store: few calls, and rows that die young (held for a whole 2,000-line parse batch they cost the GC's helper threads CPU). */
const ROWS_PER_CALL = 250;

const sourceOf = (file: StatementFile) => `file:${basename(file.path)}#${file.sha256.slice(0, 12)}`;

/**
 * A file line checked like a provider's: a booking date far in the future (a typo'd year) or
 * before 1970 would be stored as truth and move the account's watermark, so the line is
 * quarantined with a warning instead (listed by `banksync warnings`); an impossible value date
 * is dropped, the line kept. The parsers already refuse dates that are not calendar dates.
 */
function checkedLine(s: Services, account: Account, path: string, line: FileLine, source: string, today: string, now: string, warnings: string[]): FileLine | null | Promise<FileLine | null> {
  const problem = bookingDateProblem(line.bookingDate, today);
  const record = async (kind: 'quarantined' | 'field-dropped', message: string) => {
    await s.db.inputIssues.record(
      { accountId: account.id, kind, key: `${basename(path)}:${line.where}:${line.bookingDate}:${line.amountMinor}`, severity: 'warning', source, message, detail: { line } },
      now,
    );
    warnings.push(message);
  };
  if (problem) return record('quarantined', `${line.where}: not imported: ${problem}`).then(() => null);
  const valueProblem = valueDateProblem(line.valueDate);
  if (valueProblem) return record('field-dropped', `${line.where}: ${valueProblem}; imported without a value date`).then(() => ({ ...line, valueDate: undefined }));
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
 * stay. This is the one place a file line's fate is decided. The row to write, if any, is
 * written with its batch (StatementImport.add).
 */
function importLine(
  s: Services,
  account: Account,
  line: FileLine,
  fp: string,
  externalId: string | null,
  claimed: Set<string>,
  source: string,
  now: string,
  stored: StoredLines,
  origins: ImportOrigins,
  out: { rows: TransactionRow[]; corrections: Set<TransactionRow> },
): ImportDecision | Promise<ImportDecision> {
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
    // 'updated' instead when the write corrects the stored line (known once the row is written).
    const row = lineRow(account.id, line, source, fp, id, externalId, 0);
    out.rows.push(row);
    out.corrections.add(row);
    return { outcome: 'duplicates', rung: 'file-id', id };
  }
  const same = sameLineStored(line, externalId, fp, candidates);
  if (same) {
    claimed.add(same.candidate.id);
    stored.claim(line.bookingDate, line.amountMinor, same.candidate);
    if (same.rung === 'fingerprint') return { outcome: 'duplicates', rung: 'fingerprint', id: same.candidate.id };
    const decision: ImportDecision = { outcome: 'matchedByText', rung: 'text', id: same.candidate.id, why: same.why };
    return recordFuzzyMerge(s.db, { accountId: account.id, source, where: line.where, line, fp, candidate: same.candidate, why: same.why }, now).then(() => decision);
  }
  const added = (ordinal: number): ImportDecision => {
    const id = lineId(account.id, externalId, fp, ordinal);
    // Not claimed: a line this import wrote is never a candidate (its day was read before it was written).
    stored.added(externalId, fp);
    out.rows.push(lineRow(account.id, line, source, fp, id, externalId, ordinal));
    return { outcome: 'added', rung: 'new', id };
  };
  const ordinal = externalId ? 0 : stored.fingerprintCount(fp);
  return ordinal instanceof Promise ? ordinal.then(added) : added(ordinal);
}

/** A statement balance in the file against banksync's own arithmetic (M11); anchors a new account. */
async function checkBalance(s: Services, accountId: number, date: string, amountMinor: number, now: string): Promise<BalanceCheck> {
  const currency = (await s.db.accounts.get(accountId))!.currency;
  const { oursMinor, driftMinor } = await checkReportedBalance(s.db, accountId, { date, amountMinor }, 'statement', now);
  return { date, file: formatMinor(amountMinor, currency), banksync: formatMinor(oursMinor, currency), differs: driftMinor !== 0 };
}
