import type { Writable } from 'node:stream';
import { EXPORT_FORMATS } from '../export/registry.js';
import type { AccountSection, ExportFormat, ExportRow, ExportSettings } from '../export/types.js';
import { LINE, type AccountSummary, type ExportScope, type ExportSourceRow, type ExportTarget, type SentState } from '../store/sqlite/exports.js';
import { addDays, isoDate } from '../domain/clock.js';
import { nowIso, type Services } from './context.js';
import { badInput, BanksyncError } from '../domain/errors.js';
import { Sink, writeFileAtomically } from './output-file.js';
import { requireAccounts } from './accounts.js';
import { requireConnection } from './maintain-connection.js';
import { ledgerNames } from './ledger-names.js';
import { accountRef, type Account } from '../domain/model.js';
import { periodOf } from './statement-periods.js';
import { createAnnotator, NO_ANNOTATION } from './annotate.js';
import { TransferPostings } from './transfers/journal-postings.js';
import { reconcileAnnotation } from './export-annotations.js';
import { loadRuleSet } from './rules/index.js';

export interface ExportOptions extends ExportScope {
  format?: string;
  /** Path to write atomically; stdout when absent. */
  output?: string;
  /** Incremental export (M19): only what this target has not received yet. */
  target?: string;
  /** With a target: send everything again and start the target over. */
  full?: boolean;
  byStatement?: boolean;
  columns?: string[];
  delimiter?: string;
  decimalComma?: boolean;
  changes?: boolean;
  spreadsheetSafe?: boolean;
  ofxVersion?: 1 | 2;
  qifDates?: 'us' | 'uk';
  expenseAccount?: string;
  incomeAccount?: string;
}

export interface ExportResult {
  format: string;
  /** Lines written (changes included). */
  count: number;
  new: number;
  changed: number;
  removed: number;
  /** Removals the format cannot express (plain CSV, QIF). */
  skipped: number;
  accounts: string[];
  output: string | null;
  target: string | null;
  incremental: boolean;
  /** Another export of the same target finished first: this one was written but not recorded. */
  raced: boolean;
}

const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Streams booked transactions through a format writer to stdout or, atomically, to a file. */
export async function exportTransactions(s: Services, o: ExportOptions, stdout: Writable): Promise<ExportResult> {
  const plan = await planExport(s, o);
  const written = o.output ? await writeFileAtomically(o.output, (out) => run(s, plan, out)) : await run(s, plan, stdout);
  return await finish(s, plan, written);
}

interface Plan {
  format: ExportFormat;
  accounts: Account[];
  scope: ExportScope;
  settings: ExportSettings;
  target: { name: string; existing: ExportTarget | undefined; incremental: boolean };
  output: string | null;
}

async function planExport(s: Services, o: ExportOptions): Promise<Plan> {
  let formatName = o.format;
  let scope: ExportScope = { accountIds: o.accountIds, connectionId: o.connectionId, from: o.from, to: o.to };
  let existing: ExportTarget | undefined;
  let incremental = false;
  if (o.target !== undefined) {
    if (!TARGET_NAME.test(o.target)) throw badInput(`target name "${o.target}" is not usable`, 'use letters, digits, ".", "_" or "-" (up to 64)');
    existing = await s.db.exports.target(o.target);
    if (existing && !o.full) {
      if (formatName && formatName !== existing.format) {
        throw badInput(`target "${o.target}" receives ${existing.format}, not ${formatName}`, 'drop --format, or add --full to redefine the target');
      }
      const given = Object.values(scope).some((v) => v !== undefined);
      if (given && !sameScope(scope, existing.scope)) {
        throw badInput(`target "${o.target}" was defined with other filters (${describeScope(existing.scope)})`, 'drop the filters to reuse them, or add --full to redefine the target');
      }
      formatName = existing.format;
      scope = existing.scope;
      incremental = true;
    } else if (existing) {
      // --full: start over, keeping whatever the run does not redefine.
      formatName ??= existing.format;
      if (!Object.values(scope).some((v) => v !== undefined)) scope = existing.scope;
    }
  } else if (o.full) {
    throw badInput('--full needs --target NAME');
  }
  if (!formatName) throw badInput('--format is required', `formats: ${Object.keys(EXPORT_FORMATS).join(', ')}`);
  const format = EXPORT_FORMATS[formatName];
  if (!format) throw badInput(`unknown export format "${formatName}"`, `formats: ${Object.keys(EXPORT_FORMATS).join(', ')}`);
  if (scope.from && scope.to && scope.from > scope.to) throw badInput(`--from ${scope.from} is after --to ${scope.to}`);
  if (o.byStatement && formatName !== 'ofx') throw badInput('--by-statement works with --format ofx');
  if (o.changes && formatName !== 'csv') throw badInput('--changes works with --format csv (other formats always write changes)');
  const accounts = await resolveAccounts(s, scope);
  const settings: ExportSettings = {
    now: nowIso(s),
    incremental,
    periodOf: (a) => a.statementPeriod,
    byStatement: o.byStatement ?? false,
    columns: o.columns,
    delimiter: o.delimiter,
    decimalComma: o.decimalComma ?? false,
    changes: o.changes ?? false,
    spreadsheetSafe: o.spreadsheetSafe ?? true,
    ofxVersion: o.ofxVersion ?? 1,
    qifDates: o.qifDates ?? 'us',
    expenseAccount: o.expenseAccount ?? 'Expenses:Unknown',
    incomeAccount: o.incomeAccount ?? 'Income:Unknown',
    // Set with the sections, from the same snapshot (buildSections).
    ledgerNameOf: namesNotRead,
    openedBefore: incremental ? await s.db.exports.openedAccounts(existing!.id) : undefined,
    accountsOpened: new Set(),
    categories: (await loadRuleSet(s)).categories,
  };
  return { format, accounts, scope, settings, target: { name: o.target ?? '', existing, incremental }, output: o.output ?? null };
}

interface Written {
  count: number;
  new: number;
  changed: number;
  removed: number;
  skipped: number;
  snapshotSeq: number;
  sent: { id: string; revision: number; removed: boolean }[];
  /** Lines whose annotation the target now holds differs from the one it held, by annotation key (targets only). */
  annotations: Map<string, string[]>;
}

/** Writes the export inside one read transaction, so every part of it sees the same snapshot. */
async function run(s: Services, plan: Plan, out: Writable): Promise<Written> {
  const { format, settings, scope } = plan;
  const repo = s.db.exports;
  const sink = new Sink(out);
  const written: Written = { count: 0, new: 0, changed: 0, removed: 0, skipped: 0, snapshotSeq: 0, sent: [], annotations: new Map() };
  // A target of a format that writes annotations remembers them, and gets a line again when its annotation changes.
  const tracked = plan.target.name !== '' && format.annotated === true;
  const targetId = tracked && plan.target.incremental ? plan.target.existing!.id : undefined;
  const annotationTo = new Map<ExportRow, string>();
  await s.db.snapshot(async () => {
    written.snapshotSeq = await repo.maxSeq();
    const lastSeq = plan.target.incremental ? plan.target.existing!.lastSeq : 0;
    const annotator = await createAnnotator(
      s,
      plan.accounts.map((a) => a.id),
    );
    let sections = await buildSections(s, plan);
    if (format.orderSections) sections = format.orderSections(sections);
    format.validate?.(sections, settings);
    const writer = format.create(settings);
    sink.add(writer.begin(sections));
    // A writer that puts its bytes straight into the sink makes no string per line.
    const rowInto = writer.rowInto?.bind(writer);
    /** Writes a row; true when the sink is full (await its flush). */
    const emit = (r: ExportRow, section: AccountSection): boolean => {
      let full: boolean;
      if (rowInto) {
        if (!rowInto(r, section, sink)) {
          written.skipped++;
          return false;
        }
        full = sink.full;
      } else {
        const text = writer.row(r, section);
        if (text === null) {
          written.skipped++;
          return false;
        }
        full = sink.add(text);
      }
      written.count++;
      written[r.change]++;
      if (r.revision > 0 || r.change !== 'new') written.sent.push({ id: r.id, revision: r.revision, removed: r.change === 'removed' });
      // Only a target's rows are in annotationTo: no lookup (and no hash made for the row) otherwise.
      const key = tracked ? annotationTo.get(r) : undefined;
      if (key !== undefined) {
        const ids = written.annotations.get(key);
        if (ids) ids.push(r.id);
        else written.annotations.set(key, [r.id]);
        annotationTo.delete(r);
      }
      return full;
    };
    const detail = format.readsDetail?.(settings) ?? true;
    const aheadOf = new Map<number, Set<string>>();
    /**
     * The rows of one account to write, in its statement order (removals after the line before
     * them), in batches: one per page of stored lines, so a million lines cost a thousand promises.
     * A batch is used up before the next is asked for.
     */
    async function* rowsOf(section: AccountSection): AsyncGenerator<Iterable<ExportRow>> {
      const a = section.account;
      const changed: Map<string, SentState> = plan.target.incremental ? await repo.changedSince(plan.target.existing!.id, a.id, lastSeq) : new Map();
      // Lines an `accounts merge` moved past lastSeq that this target had received already: not new to it.
      const ahead: Set<string> = plan.target.incremental ? await repo.sentAhead(plan.target.existing!.id, a.id, lastSeq) : new Set();
      aheadOf.set(a.id, ahead);
      const period = settings.periodOf(a);
      let balance = section.opening;
      // A line closes its period when the next kept line falls in another one: hold one back.
      // Everything per line is synchronous; only a page of lines and a full sink await.
      let held: ExportRow | null = null;
      let heldKept = false;
      const removals: ExportRow[] = [];
      let cachedDate = '';
      // Without statement periods every line is in the section's range; with them, the first line
      // sets its period (so the section's summary is not read for that).
      let cachedPeriod = period === 'none' ? { start: section.start, end: section.end } : { start: '', end: '' };
      /** The rows of one page of stored lines, made one at a time as the writer takes them (each dies young). */
      function* rowsIn(page: ExportSourceRow[]): Generator<ExportRow> {
        for (const line of page) {
          const removed = line[LINE.removedAt] !== null;
          const revision = line[LINE.revision];
          const id = line[LINE.id];
          const bookingDate = line[LINE.bookingDate];
          const amountMinor = line[LINE.amountMinor];
          const sent = revision > 0 ? changed.get(id) : undefined;
          // Incremental: new = stored after the target's last export; changed/removed = revised since sent.
          let change: ExportRow['change'] | null;
          if (removed) change = sent ? 'removed' : null;
          else if (line[LINE.seq] > lastSeq && !ahead.has(id)) change = 'new';
          else change = sent ? 'changed' : null;
          if (!removed && balance !== null) balance += amountMinor;
          if (bookingDate !== cachedDate) {
            cachedDate = bookingDate;
            if (period !== 'none') cachedPeriod = periodOf(bookingDate, period);
          }
          const row: ExportRow = {
            id,
            accountId: line[LINE.accountId],
            externalId: detail ? line[LINE.externalId] : null,
            bookingDate,
            valueDate: detail ? line[LINE.valueDate] : null,
            amountMinor,
            currency: line[LINE.currency],
            payee: line[LINE.payee],
            memo: line[LINE.memo],
            type: line[LINE.type],
            counterpartyIban: detail ? line[LINE.counterpartyIban] : null,
            source: detail ? line[LINE.source] : '',
            revision,
            change: change ?? 'new',
            replacesRevision: sent ? sent.revision : null,
            previous: sent?.previous ?? null,
            balanceAfter: balance,
            periodStart: cachedPeriod.start,
            periodEnd: cachedPeriod.end,
            closesPeriod: false,
            annotation: NO_ANNOTATION,
            previousAnnotation: null,
            transferPosting: null,
            reversalCounter: null,
          };
          row.annotation = annotator.annotate(row);
          if (tracked) {
            const r = reconcileAnnotation(row, line[LINE.sentAnnotation] ?? '', change, removed);
            change = r.change;
            if (r.record !== undefined) annotationTo.set(row, r.record);
          }
          if (removed) {
            if (change) removals.push(row);
            continue;
          }
          if (held) held.closesPeriod = held.periodStart !== row.periodStart;
          if (held && heldKept) yield held;
          if (removals.length) yield* removals.splice(0);
          held = row;
          heldKept = change !== null;
        }
      }
      for await (const page of repo.lines(a.id, scope.from, scope.to, plan.target.incremental, targetId, detail)) yield rowsIn(page);
      // The last line held back closes its period; rowsIn set `held` (the compiler cannot see it there).
      const tail = held as ExportRow | null;
      const last: ExportRow[] = [];
      if (tail) tail.closesPeriod = true;
      if (tail && heldKept) last.push(tail);
      for (const r of removals) last.push(r);
      yield last;
    }
    if (format.interleave) {
      // Openings first, then every account's rows merged by date: what a reader checking balance
      // assertions in file order (ledger) needs, and where one transaction can post to two accounts.
      for (const section of sections) sink.add(writer.beginAccount(section));
      const transfers = new TransferPostings(plan, sections, lastSeq, aheadOf);
      const streams = sections.map((section) => new RowCursor(section, rowsOf(section)));
      // Every stream started (its account's sent state read) before the first row is planned.
      for (const st of streams) await st.fill();
      for (;;) {
        let i = -1;
        for (let j = 0; j < streams.length; j++) if (streams[j]!.head && (i < 0 || streams[j]!.head!.bookingDate < streams[i]!.head!.bookingDate)) i = j;
        if (i < 0) break;
        const st = streams[i]!;
        const row = st.head!;
        if (st.advance()) await st.fill();
        transfers.plan(row);
        if (emit(row, st.section)) await sink.flush();
      }
      for (const section of sections) sink.add(writer.endAccount(section));
    } else {
      for (const section of sections) {
        if (sink.add(writer.beginAccount(section))) await sink.flush();
        for await (const rows of rowsOf(section)) for (const row of rows) if (emit(row, section)) await sink.flush();
        if (sink.add(writer.endAccount(section))) await sink.flush();
      }
    }
    sink.add(writer.end());
    await sink.flush();
  });
  return written;
}

async function finish(s: Services, plan: Plan, w: Written): Promise<ExportResult> {
  let raced = false;
  if (plan.target.name) {
    const { name, existing, incremental } = plan.target;
    const now = nowIso(s);
    const repo = s.db.exports;
    raced = !(await s.db.write(async () => {
      const opened = plan.settings.accountsOpened ?? [];
      if (incremental) {
        if (!(await repo.recordSent(existing!.id, existing!.lastSeq, w.snapshotSeq, w.count, now, w.sent, w.annotations))) return false;
        await repo.recordOpened(existing!.id, opened);
        return true;
      }
      const t = await repo.defineTarget(name, plan.format.name, plan.scope, now);
      if (!(await repo.recordSent(t.id, 0, w.snapshotSeq, w.count, now, w.sent, w.annotations))) return false;
      await repo.recordOpened(t.id, opened);
      // Lines already removed or ignored were not sent: the next run must not send their removal.
      await repo.recordGoneAsSent(
        t.id,
        plan.accounts.map((a) => a.id),
        w.snapshotSeq,
      );
      return true;
    }));
  }
  return {
    format: plan.format.name,
    count: w.count,
    new: w.new,
    changed: w.changed,
    removed: w.removed,
    skipped: w.skipped,
    accounts: plan.accounts.map((a) => accountRef(a.id)),
    output: plan.output,
    target: plan.target.name || null,
    incremental: plan.target.incremental,
    raced,
  };
}

/**
 * The sections, read inside the export's snapshot; also sets `settings.ledgerNameOf` from the
 * same read of the accounts.
 */
async function buildSections(s: Services, plan: Plan): Promise<AccountSection[]> {
  const { scope, settings } = plan;
  const today = isoDate(s.clock());
  const institutions = new Map((await s.db.connections.list()).map((c) => [c.id, c.institutionName]));
  const names = ledgerNames(await s.db.accounts.list(), institutions);
  settings.ledgerNameOf = (id) => names.get(id) ?? `Assets:Unknown:${accountRef(id)}`;
  const writeOpening = !plan.target.incremental || plan.target.existing!.lastSeq === 0;
  // The summary is a pass over the account's lines that a plain CSV export never reads (only its
  // statement column does, through the rows' periods): it is read only for a format that reads it,
  // or for an account whose rows take their period from the section's range (no statement period
  // and a side of the range open).
  const formatReads = plan.format.readsSummary ?? true;
  const sections: AccountSection[] = [];
  for (const a of plan.accounts) {
    const rowsRead = settings.periodOf(a) === 'none' && (!scope.from || !scope.to);
    const summary = formatReads || rowsRead ? await s.db.exports.summary(a.id, scope.from, scope.to) : undefined;
    const sum = (): AccountSummary => {
      if (!summary) throw new BanksyncError('INTERNAL', `the ${plan.format.name} export read the summary of ${accountRef(a.id)}, which it says it does not read (readsSummary)`);
      return summary;
    };
    let opening = a.openingBalanceMinor;
    if (opening !== null && scope.from) opening += await s.db.exports.sumThrough(a.id, addDays(scope.from, -1));
    const startOf = () => scope.from ?? sum().firstDate ?? today;
    sections.push({
      account: a,
      institutionName: institutions.get(a.connectionId ?? -1) ?? a.institutionId,
      ledgerName: names.get(a.id)!,
      opening,
      get closing() {
        return opening === null ? null : opening + sum().sum;
      },
      get count() {
        return sum().count;
      },
      get firstDate() {
        return sum().firstDate;
      },
      get lastDate() {
        return sum().lastDate;
      },
      get start() {
        return startOf();
      },
      get end() {
        const start = startOf();
        const last = sum().lastDate;
        return scope.to ?? (last && last > start ? last : start);
      },
      writeOpening,
    });
  }
  return sections;
}

/** Until buildSections reads the accounts: nothing asks for a ledger name before the sections exist. */
function namesNotRead(): never {
  throw new BanksyncError('INTERNAL', 'a ledger name was asked for before the export read its accounts');
}

/**
 * One account's rows for the merge by date of an interleaved export: the head row, and the next
 * batch read when a batch is used up (an await per batch, never per row).
 */
class RowCursor {
  private batch: Iterator<ExportRow> = [][Symbol.iterator]();
  head: ExportRow | null = null;

  constructor(
    readonly section: AccountSection,
    private readonly batches: AsyncGenerator<Iterable<ExportRow>>,
  ) {}

  /** Reads batches until one has a row, or the stream ends (head null). */
  async fill(): Promise<void> {
    for (;;) {
      const next = await this.batches.next();
      if (next.done) {
        this.head = null;
        return;
      }
      this.batch = next.value[Symbol.iterator]();
      if (!this.advance()) return;
    }
  }

  /** Moves to the next row of the batch; true when the batch is used up and `fill` must read the next. */
  advance(): boolean {
    const step = this.batch.next();
    this.head = step.done ? null : step.value;
    return step.done === true;
  }
}

async function resolveAccounts(s: Services, scope: ExportScope): Promise<Account[]> {
  if (scope.accountIds?.length) return requireAccounts(s, scope.accountIds);
  if (scope.connectionId !== undefined) {
    await requireConnection(s, scope.connectionId);
    return s.db.accounts.byConnection(scope.connectionId);
  }
  return s.db.accounts.list();
}

const normalScope = (x: ExportScope) => JSON.stringify([[...(x.accountIds ?? [])].sort((a, b) => a - b), x.connectionId ?? null, x.from ?? null, x.to ?? null]);
const sameScope = (a: ExportScope, b: ExportScope) => normalScope(a) === normalScope(b);

export function describeScope(x: ExportScope): string {
  const parts = [];
  if (x.accountIds?.length) parts.push(`--account ${x.accountIds.map(accountRef).join(',')}`);
  if (x.connectionId !== undefined) parts.push(`--connection c${x.connectionId}`);
  if (x.from) parts.push(`--from ${x.from}`);
  if (x.to) parts.push(`--to ${x.to}`);
  return parts.length ? parts.join(' ') : 'all accounts';
}

export async function listTargets(s: Services) {
  return (await s.db.exports.targets()).map((t) => ({
    name: t.name,
    format: t.format,
    scope: describeScope(t.scope),
    exportedAt: t.exportedAt,
    lastCount: t.lastCount,
    createdAt: t.createdAt,
  }));
}
