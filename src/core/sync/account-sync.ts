import type { Provider, ProviderPending, ProviderTransaction, RequestBudget, SessionHandle, TransactionPage } from '../../providers/types.js';
import type { StorePort } from '../../store/index.js';
import type { StoredCandidate, TransactionRow } from '../../store/sqlite/transactions.js';
import type { Account } from '../../domain/model.js';
import { OrdinalCounter, pendingKey, toRow } from '../dedupe.js';
import { matchPending } from './pending-link.js';
import { addDays } from '../../domain/clock.js';
import { clampToToday } from '../line-checks.js';
import { LineGate } from './line-gate.js';
import { noteCrossSourceMerge, noteSyncMerge, notRefused } from '../explain-origins.js';
import { StoredLines } from '../stored-lines.js';
import { checkReportedBalance } from '../balance-check.js';
import { recordFuzzyMerge, sameLineStored } from '../line-match.js';
import type { FetchWindow } from './window.js';
import { activeRecorder } from '../archive/recorder.js';

/**
 * Lines written per unit of work during a fetch (whole provider pages). Ids are hashes, so
 * a batch dirties pages all over three indexes (id, provider id, amount) and its commit writes
 * each of them to the WAL and checkpoints them again: the cost of a commit grows with the
 * indexes, not the batch. At a million lines, 5,000-line batches spent a third of the fetch
 * committing (76.6 µs of CPU a line); 50,000 took 51.6 µs. Memory: the batch's parsed lines,
 * ~15 MB; a real bank's fetch (a few thousand lines) is one commit either way.
 */
export const WRITE_BATCH_LINES = 50_000;

/**
 * Lines decided and written per call to the store (whole pages), inside a batch's unit of work.
 * Small, because rows held until their call outlive V8's young generation: at 1,000 a call the
 * ingest probe spent 5–13% more CPU than writing each line at once, all of it in the GC's helper
 * threads (equal with --single-threaded-gc); at 250 it is within the ±5% noise. A store across a
 * network pays a round trip per call, not per line.
 */
const LINES_PER_CALL = 250;

export type Feed = 'window' | 'cursor';

export interface AccountFetchResult {
  newCount: number;
  updatedCount: number;
  removedCount: number;
  pendingCount: number;
  pages: number;
  /** Lines taken as a line stored from another source (a statement file, another provider): not new. */
  matchedCount: number;
  driftMinor: number | null;
  /** Lines quarantined or kept twice, and the provider's own warnings, newly found: one sentence each (also stored in input_issues). */
  warnings: string[];
}

export interface AccountWriterOptions {
  db: StorePort;
  /** Provider id (the lines' source) and the name warnings are said under. */
  provider: { id: string; displayName?: string };
  account: Account;
  /** What was asked for: coverage. Informational for cursor feeds, which fetch from the cursor. */
  window: { from: string; to: string };
  now: string;
  /** 'cursor': each batch commits the cursor of its last page with its rows. */
  feed?: Feed;
  /** Lines per unit of work (tests lower it to see batches commit). */
  batchLines?: number;
  /**
   * The account's lock date when the fetch asked for more than the account's own window (a
   * connection-level fetch over the union of its accounts' windows): booked lines before it are
   * not taken, as if never fetched, and coverage starts there.
   */
  notBefore?: string;
}

/**
 * Fetches one account's window (or, for cursor feeds, the changes since its stored cursor) and
 * writes it: see AccountWriter for what commits when.
 */
export async function fetchAccount(opts: {
  db: StorePort;
  provider: Provider;
  session: SessionHandle;
  account: Account;
  window: FetchWindow;
  scaCode?: string;
  now: string;
  budget?: RequestBudget;
  batchLines?: number;
}): Promise<AccountFetchResult> {
  const writer = await AccountWriter.open({
    db: opts.db,
    provider: opts.provider,
    account: opts.account,
    window: opts.window,
    now: opts.now,
    feed: opts.provider.capabilities?.feed ?? 'window',
    batchLines: opts.batchLines,
  });
  const account = fetchedAccount(opts.account);
  const cursor = writer.cursor !== undefined ? { cursor: writer.cursor } : {};
  const pages = opts.provider.fetchTransactions(opts.session, {
    account,
    from: opts.window.from,
    to: opts.window.to,
    scaCode: opts.scaCode,
    ...cursor,
    ...(opts.budget ? { budget: opts.budget } : {}),
  });
  // The raw archive keeps what this fetch stored, to map it again later (src/core/archive).
  const recording = activeRecorder()?.begin(opts.provider, { kind: 'account', accounts: [{ id: opts.account.id, ...account }], from: opts.window.from, to: opts.window.to, ...cursor });
  try {
    for await (const page of pages) {
      recording?.page(page);
      await writer.add(page);
    }
  } catch (err) {
    await writer.abandon();
    if (writer.result.pages > 0) await recording?.keep(opts.db, opts.now, err);
    else recording?.discard();
    throw err;
  }
  // The archive entry commits with the fetch's last lines and bookkeeping: a commit saved per
  // account (each costs ~0.8 ms of CPU in a large sync), and the entry exists exactly when the
  // lines it archives do. It is compressed first, off the main thread.
  const entry = await recording?.pack(opts.now);
  return writer.finish(entry ? () => opts.db.archive.insert(entry) : undefined);
}

/** What an adapter is told of an account: its ids, and the data it gave at connect (meta). */
export function fetchedAccount(a: Account): { externalId: string; institutionId: string; meta?: Record<string, string> } {
  return { externalId: a.externalId ?? '', institutionId: a.institutionId, ...(a.providerMeta ? { meta: a.providerMeta } : {}) };
}

/**
 * Writes one account's pages as they come. Whole pages are written in batches, each one unit of
 * work, so a crash keeps whole pages only. Window feeds: the last batch, the watermark,
 * coverage, pending snapshot and balance check commit together, only after the whole fetch
 * succeeded; a re-run after a crash fetches the same window again and the dedupe ladder turns the
 * repeated pages into no-ops. Cursor feeds: every batch also stores the nextCursor of its last
 * page (pages without one leave it), and delta pending lines are applied in the batch too, so the
 * stored cursor is never ahead of the rows, and a re-run starts from the last committed cursor.
 *
 * A batch's lines are decided first and written in one call (`transactions.writeBatch`), with one
 * read before it for the ids the ladder asks about: a store across a network is a few round trips
 * a batch, not one a line. Writes that must follow the lines (removals, pending lines of a
 * changes feed, links to the lines) send the lines decided so far first, so the order is the pages'.
 */
export class AccountWriter {
  readonly result: AccountFetchResult;
  private readonly db: StorePort;
  private readonly account: Account;
  private readonly now: string;
  private readonly source: string;
  private readonly providerName: string;
  private readonly useIds: boolean;
  private readonly cursorFeed: boolean;
  private readonly batchLines: number;
  private readonly ordinals = new OrdinalCounter();
  private readonly deltaOrdinals = new OrdinalCounter();
  private refused: Set<string> | undefined;
  /** Snapshot pending lines: applied at the end, when the whole snapshot is known. */
  private readonly snapshot: ProviderPending[] = [];
  private readonly linkedByRef = new Map<string, string>();
  /** Set once a page says its pending lines are a delta: unseen pending lines then stay open. */
  private delta = false;
  private balance: { amountMinor: number; date: string } | undefined;
  private buffer: TransactionPage[] = [];
  private buffered = 0;
  /** Lines checked and keyed, not yet decided and written (see `flush`). */
  private lines: TransactionRow[] = [];
  /** The pending line each kept line names (TransactionPage pendingRef), by its place in `lines`: most name none. */
  private pendingRefs: (string | undefined)[] = [];

  private constructor(
    private readonly opts: AccountWriterOptions,
    /** Cursor feeds: the committed cursor the fetch starts from. */
    readonly cursor: string | undefined,
    private readonly gate: LineGate,
    /** Lines of this account stored from other sources: the ladder's rungs 3–4 look there. */
    private readonly elsewhere: StoredLines,
  ) {
    this.db = opts.db;
    this.account = opts.account;
    this.now = opts.now;
    this.source = `provider:${opts.provider.id}`;
    this.providerName = opts.provider.displayName ?? opts.provider.id;
    this.useIds = opts.account.stableIds;
    this.cursorFeed = opts.feed === 'cursor';
    this.batchLines = opts.batchLines ?? WRITE_BATCH_LINES;
    this.result = { newCount: 0, updatedCount: 0, removedCount: 0, pendingCount: 0, matchedCount: 0, pages: 0, driftMinor: null, warnings: this.gate.warnings };
  }

  static async open(opts: AccountWriterOptions): Promise<AccountWriter> {
    const { db, account, now } = opts;
    const source = `provider:${opts.provider.id}`;
    const cursor = opts.feed === 'cursor' ? await db.accounts.feedCursor(account.id) : undefined;
    return new AccountWriter(opts, cursor, await LineGate.open(db, account, source, now), await StoredLines.open(db, account.id, source));
  }

  // Pages are written in batches of whole pages: one unit of work per batch instead of per
  // page (a provider page may be 100 lines), because each commit rewrites every index page it
  // touched and provider ids land all over the index.
  async add(page: TransactionPage): Promise<void> {
    for (const w of page.warnings ?? []) await this.gate.providerWarning(w, this.providerName);
    if (page.pendingMode === 'delta') this.delta = true;
    // Delta pending lines are changes like the booked ones: written with their page (and cursor).
    if (page.pending && page.pendingMode !== 'delta') this.snapshot.push(...page.pending);
    if (page.balance) this.balance = page.balance;
    this.buffer.push(page);
    this.buffered += page.booked.length + (page.modified?.length ?? 0) + (page.pendingMode === 'delta' ? (page.pending?.length ?? 0) : 0) + 1;
    this.result.pages++;
    if (this.buffered >= this.batchLines) await this.db.write(() => this.writeBuffer());
  }

  /** A notice about the provider's answer, stored and said once like the page warnings. */
  providerNotice(key: string, message: string): Promise<void> {
    return this.gate.providerNotice(key, message);
  }

  /**
   * The fetch failed: what was buffered is whole pages, written now (cursor feeds with their
   * cursor); a crash instead loses only unwritten pages, which the next run fetches again.
   */
  async abandon(): Promise<void> {
    if (this.buffer.length) await this.db.write(() => this.writeBuffer());
  }

  /**
   * The last lines and the bookkeeping in one commit (every commit rewrites the index pages it
   * touched); `alsoWrite` (the archive entry) joins that commit.
   */
  async finish(alsoWrite?: () => Promise<unknown>): Promise<AccountFetchResult> {
    const { db, account, now } = this;
    await db.write(async () => {
      await this.writeBuffer();
      const accepted: ProviderPending[] = [];
      for (const p of this.snapshot) {
        const ok = await this.gate.pending(p);
        if (ok) accepted.push(ok);
      }
      // A changes feed with nothing to say yields no page: that is no snapshot of an empty pending set.
      const snapshotSeen = !this.delta && !(this.cursorFeed && this.result.pages === 0);
      await applyPending(db, account, accepted, this.linkedByRef, this.useIds, now, snapshotSeen);
      this.result.pendingCount = await db.pending.countOpen(account.id);
      if (this.balance) this.result.driftMinor = (await checkReportedBalance(db, account.id, this.balance, 'provider', now)).driftMinor;
      const { notBefore } = this.opts;
      const from = notBefore && notBefore > this.opts.window.from ? notBefore : this.opts.window.from;
      await db.syncState.addCoverage(account.id, { from, to: this.opts.window.to });
      // Never past today: a line the bank books ahead must not make the next window start after it.
      await db.accounts.setWatermark(account.id, clampToToday(await db.transactions.latestBookingDate(account.id), now.slice(0, 10)));
      await alsoWrite?.();
    });
    return this.result;
  }

  private async writeBuffer(): Promise<void> {
    if (this.elsewhere.holdsLines) await this.elsewhere.load(linesOf(this.buffer));
    let cursor: string | undefined;
    for (const page of this.buffer) {
      await this.writePage(page);
      if (page.nextCursor !== undefined) cursor = page.nextCursor;
      if (this.lines.length >= LINES_PER_CALL) await this.flush();
    }
    await this.flush();
    if (this.cursorFeed && cursor !== undefined) await this.db.accounts.setFeedCursor(this.account.id, cursor);
    this.buffer = [];
    this.buffered = 0;
  }

  private async writePage(page: TransactionPage): Promise<void> {
    const { db, account, gate, now, result } = this;
    for (const r of page.rejected ?? []) await gate.rejected(r);
    const notBefore = this.opts.notBefore;
    // The gate answers at once unless it had to ask or tell the store: no promise per line.
    for (const raw of page.booked) {
      if (notBefore && raw.bookingDate < notBefore) continue;
      let t = this.cursorFeed && this.useIds && raw.externalId ? gate.replacement(raw) : gate.booked(raw);
      if (t instanceof Promise) t = await t;
      if (t) this.keep(t);
    }
    for (const raw of page.modified ?? []) {
      if (notBefore && raw.bookingDate < notBefore) continue;
      let t = gate.replacement(raw);
      if (t instanceof Promise) t = await t;
      if (t) this.keep(t);
    }
    const removed = page.removedExternalIds?.length;
    const delta = page.pendingMode === 'delta' && page.pending?.length;
    const leftPending = page.removedPendingIds?.length;
    if (!removed && !delta && !leftPending) return;
    // What follows reads or names the lines: they are written first.
    await this.flush();
    if (removed) result.removedCount += await db.transactions.markRemoved(account.id, page.removedExternalIds!, now);
    if (delta) {
      for (const raw of page.pending!) {
        const p = await gate.pending(raw);
        if (!p) continue;
        await db.pending.upsert(pendingRow(account.id, pendingKey(p, true, this.deltaOrdinals), p), now);
      }
    }
    for (const id of page.removedPendingIds ?? []) await this.resolveRemovedPending(id);
  }

  /** A line through the gate: keyed now (ordinals follow the pages' order), decided and written by `flush`. */
  private keep(t: ProviderTransaction): void {
    this.lines.push(toRow(this.account.id, t, this.useIds, this.ordinals, this.source));
    this.pendingRefs.push(t.pendingRef);
  }

  /**
   * Decides the kept lines in their order (the ladder's rungs 3–4 when the account held lines
   * before this fetch) and writes them in one call. One read first, when the account held lines:
   * which of the ids the ladder asks about are stored, and from which source.
   */
  private async flush(): Promise<void> {
    const lines = this.lines;
    const pendingRefs = this.pendingRefs;
    if (lines.length === 0) return;
    this.lines = [];
    this.pendingRefs = [];
    const { db, account, now, result } = this;
    // An account that held nothing before this fetch holds none of these ids: nothing to read, nothing to weigh.
    const ladder = this.elsewhere.holdsLines ? await this.ladderFacts(lines) : undefined;
    const rows: TransactionRow[] = [];
    const links: [string, string][] = [];
    for (let i = 0; i < lines.length; i++) {
      const row = lines[i]!;
      let taken: string | undefined;
      if (ladder) {
        // Stored before this batch, or by an earlier line of it (a correction under the same id).
        const stored = ladder.sources.get(row.id);
        const isStored = stored !== undefined || ladder.written.has(row.id);
        const day = ladder.days[i]!;
        if (!isStored && day.length > 0) taken = await this.storedElsewhere(row, day);
        // Without a provider id, a line stored before under its id is this one: taken as another source's line?
        if (!taken && row.externalId === null && stored !== undefined && !ladder.written.has(row.id) && stored !== row.source) await noteSyncMerge(db, row, now);
        if (!taken) ladder.written.add(row.id);
      }
      if (!taken) rows.push(row);
      const pendingRef = pendingRefs[i];
      if (!pendingRef) continue;
      const key = `x:${pendingRef}`;
      const id = taken ?? row.id;
      this.linkedByRef.set(key, id);
      // Changes feeds name the pending line a booked one replaces, maybe after it was given up: link it once written.
      if (this.delta) links.push([key, id]);
    }
    const outcomes = await db.transactions.writeBatch(rows, now);
    for (const outcome of outcomes) {
      if (outcome === 'inserted') result.newCount++;
      else if (outcome === 'updated') result.updatedCount++;
    }
    for (const [key, id] of links) await db.pending.linkByKey(account.id, key, id);
  }

  /**
   * For an account that held lines: each line's candidates from other sources (its day's list,
   * which claims shorten as the batch is decided), and in one read the source of every id the
   * ladder asks about (lines without a provider id, and lines with candidates).
   */
  private async ladderFacts(lines: TransactionRow[]): Promise<{ days: StoredCandidate[][]; sources: Map<string, string>; written: Set<string> }> {
    const days = lines.map((row) => this.elsewhere.sameDateAndAmount(row.bookingDate, row.amountMinor));
    const asked = lines.filter((row, i) => row.externalId === null || days[i]!.length > 0).map((row) => row.id);
    const sources = asked.length ? await this.db.transactions.sourcesOf(asked) : new Map<string, string>();
    return { days, sources, written: new Set() };
  }

  /**
   * The ladder's rungs 3–4 for a line this account does not hold under its own id: the same
   * payment already stored from a statement file or another provider (imported before the bank
   * delivered it, or synced through another aggregator). The stored line stays as it is (its id
   * is forever); the provider's line is recorded for `explain` and `unmerge`. A re-fetch meets it
   * again the same way (counted once). Returns the stored line's id, or undefined to store the line.
   */
  private async storedElsewhere(row: TransactionRow, day: StoredCandidate[]): Promise<string | undefined> {
    this.refused ??= await this.db.lineOrigins.refusals(this.account.id);
    // Provider ids and file ids are never the same kind of id: no candidate is ruled out by its id.
    const same = sameLineStored(row, null, row.fingerprint, notRefused(day, this.refused, row.externalId, row.fingerprint));
    if (!same) return undefined;
    this.elsewhere.claim(row.bookingDate, row.amountMinor, same.candidate);
    if (!(await noteCrossSourceMerge(this.db, row, same, this.now))) return same.candidate.id;
    this.result.matchedCount++;
    if (same.rung === 'text') {
      const where = `${this.providerName} line ${row.externalId ?? row.bookingDate}`;
      await recordFuzzyMerge(this.db, { accountId: this.account.id, source: this.source, where, line: row, fp: row.fingerprint, candidate: same.candidate, why: same.why }, this.now);
    }
    return same.candidate.id;
  }

  /**
   * The provider says a pending line left (cursor feeds): booked if a booked line names it or
   * matches it (the same rules as a line leaving a snapshot), vanished otherwise.
   */
  private async resolveRemovedPending(externalId: string): Promise<void> {
    const { db, account } = this;
    const p = await db.pending.openByExternalId(account.id, externalId);
    if (!p) return;
    const taken = await db.pending.linkedTransactionIds(account.id);
    const byRef = this.linkedByRef.get(`x:${externalId}`);
    const match = byRef && !taken.has(byRef) ? byRef : matchPending(p, await db.transactions.inWindow(account.id, addDays(p.date, -1), addDays(p.date, 10)), taken)?.id;
    if (match) await db.pending.link(p.rowId, match);
    else await db.pending.markVanished(p.rowId);
  }
}

/** The booked lines of buffered pages (corrections too): the days the ladder reads before writing them. */
function* linesOf(pages: TransactionPage[]): Iterable<ProviderTransaction> {
  for (const p of pages) {
    for (const t of p.booked) if (plausibleDay(t)) yield t;
    for (const t of p.modified ?? []) if (plausibleDay(t)) yield t;
  }
}

// A broken date (empty, a number) would stretch the span read to the whole history; the gate refuses that line anyway.
const plausibleDay = (t: ProviderTransaction) => typeof t.bookingDate === 'string' && t.bookingDate.length === 10;

const pendingRow = (accountId: number, key: string, p: ProviderPending) => ({
  accountId,
  dedupeKey: key,
  externalId: p.externalId ?? null,
  date: p.date,
  amountMinor: p.amountMinor,
  currency: p.currency,
  payee: p.payee ?? null,
  memo: p.memo ?? null,
});

/**
 * Records the pending snapshot, then resolves lines that left it: booked (linked) or vanished.
 * With `vanishUnseen` false (delta feeds), only lines a booked line names are resolved.
 */
async function applyPending(db: StorePort, account: Account, snapshot: ProviderPending[], linkedByRef: Map<string, string>, useIds: boolean, now: string, vanishUnseen: boolean): Promise<void> {
  const ordinals = new OrdinalCounter();
  const seen = new Set<string>();
  for (const p of snapshot) {
    const key = pendingKey(p, useIds, ordinals);
    seen.add(key);
    await db.pending.upsert(pendingRow(account.id, key, p), now);
  }
  if (!vanishUnseen && linkedByRef.size === 0) return;
  const taken = await db.pending.linkedTransactionIds(account.id);
  for (const p of await db.pending.open(account.id)) {
    const byRef = linkedByRef.get(p.dedupeKey);
    if (byRef && !taken.has(byRef)) {
      await db.pending.link(p.rowId, byRef);
      taken.add(byRef);
      continue;
    }
    if (!vanishUnseen || seen.has(p.dedupeKey)) continue; // still pending at the bank
    const candidates = await db.transactions.inWindow(account.id, addDays(p.date, -1), addDays(p.date, 10));
    const match = matchPending(p, candidates, taken);
    if (match) {
      await db.pending.link(p.rowId, match.id);
      taken.add(match.id);
    } else {
      await db.pending.markVanished(p.rowId);
    }
  }
}
