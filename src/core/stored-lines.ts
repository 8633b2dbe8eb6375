import type { StorePort } from '../store/index.js';
import type { StoredCandidate } from '../store/sqlite/transactions.js';
import { KeySet } from '../domain/key-set.js';

/**
 * What the dedupe ladder asks of an account's stored lines, answered without a query per line.
 * Import and sync both ask it. An account that holds nothing (a new one, or one never imported
 * into) is answered from what this run wrote: the ordinals of id-less lines exactly up to 20k distinct fingerprints, then
 * by 64-bit hashes whose rare hits the store confirms (memory stays flat at a million lines). Otherwise the live lines of a batch's
 * days not read yet are read in one query before the batch (sameDateAndAmount's answer for each
 * of those days, in the same order); the rarer questions (is a file id stored, whatever its date;
 * the next ordinal of a fingerprint, removed lines included) stay exact point queries. A day is
 * read before any line of it is written, so lines written by this run are never candidates.
 *
 * `otherThan` leaves out the lines of one source: a sync asks only for lines stored from elsewhere
 * (a statement file, another provider), since its own lines are found by their ids.
 *
 * An import writes a batch's lines in one call after deciding them all, so what it asks of file
 * ids and fingerprints is read for the whole batch first (`preloadKeys`, two queries) and this
 * batch's own additions are counted here until they are written.
 */
export class StoredLines {
  private readonly empty: boolean;
  private readonly byDay = new Map<string, StoredCandidate[]>();
  /** Days already read, as sorted disjoint [from, to] spans. */
  private readonly loaded: [string, string][] = [];
  private readonly ordinals = new KeySet();
  /** Import: the batch's file ids the account holds, and its fingerprints' stored counts (preloadKeys). */
  private externalIds = new Set<string>();
  private counts = new Map<string, number>();
  /** Id-less lines added since the last preload (the preloaded counts do not hold them). */
  private batchAdded = new Map<string, number>();
  /** An empty account's id-less lines added and not written yet (`written` clears it): what a count read from the store lacks. */
  private unwritten = new Map<string, number>();

  private constructor(
    private readonly db: StorePort,
    private readonly accountId: number,
    empty: boolean,
    private readonly otherThan?: string,
  ) {
    this.empty = empty;
  }

  static async open(db: StorePort, accountId: number, otherThan?: string): Promise<StoredLines> {
    return new StoredLines(db, accountId, await db.transactions.isEmpty(accountId), otherThan);
  }

  /** False when nothing was stored before this run: every answer then comes from memory. */
  get holdsLines(): boolean {
    return !this.empty;
  }

  /** Before a batch: the stored lines of its days not read yet, in one query. */
  async load(batch: Iterable<{ bookingDate: string }>): Promise<void> {
    if (this.empty) return;
    let from: string | undefined;
    let to: string | undefined;
    for (const l of batch) {
      const d = l.bookingDate;
      if (this.isLoaded(d)) continue;
      if (from === undefined || d < from) from = d;
      if (to === undefined || d > to) to = d;
    }
    if (from === undefined || to === undefined) return;
    for await (const page of this.db.transactions.candidatesBetween(this.accountId, from, to, this.otherThan)) {
      for (const { bookingDate, amountMinor, ...c } of page) {
        if (this.isLoaded(bookingDate)) continue;
        const key = `${bookingDate}|${amountMinor}`;
        const list = this.byDay.get(key);
        if (list) list.push(c);
        else this.byDay.set(key, [c]);
      }
    }
    this.markLoaded(from, to);
  }

  private isLoaded(day: string): boolean {
    let lo = 0;
    let hi = this.loaded.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [a, b] = this.loaded[mid]!;
      if (day < a) hi = mid - 1;
      else if (day > b) lo = mid + 1;
      else return true;
    }
    return false;
  }

  private markLoaded(from: string, to: string): void {
    const spans = [...this.loaded, [from, to] as [string, string]].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    this.loaded.length = 0;
    for (const span of spans) {
      const last = this.loaded.at(-1);
      if (last && span[0] <= last[1]) {
        if (span[1] > last[1]) last[1] = span[1];
      } else this.loaded.push([span[0], span[1]]);
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

  /**
   * Before an import's batch is decided: which of its file ids the account holds, and how many
   * id-less lines each of its fingerprints has (two queries, none when the account held nothing).
   */
  async preloadKeys(externalIds: readonly string[], fingerprints: readonly string[]): Promise<void> {
    this.batchAdded = new Map();
    this.unwritten = new Map();
    if (this.empty) return;
    this.externalIds = externalIds.length ? await this.db.transactions.externalIdsStored(this.accountId, externalIds) : new Set();
    this.counts = fingerprints.length ? await this.db.transactions.fingerprintCounts(this.accountId, fingerprints) : new Map();
  }

  /** An empty account holds no file id but this statement's, and a statement never repeats one (every parser refuses that). */
  hasExternalId(externalId: string): boolean {
    return !this.empty && this.externalIds.has(externalId);
  }

  /**
   * Lines stored under this fingerprint without an id, this batch's additions included: the next
   * one's ordinal. At once from memory; a promise only for a 64-bit hash seen before, which the
   * store confirms (plus what this batch added and has not written yet).
   */
  fingerprintCount(fp: string): number | Promise<number> {
    const seen = this.empty ? this.ordinals.count(fp) : (this.counts.get(fp) ?? 0) + (this.batchAdded.get(fp) ?? 0);
    if (seen !== 'maybe') return seen;
    return this.db.transactions.fingerprintCount(this.accountId, fp).then((n) => n + (this.unwritten.get(fp) ?? 0));
  }

  /** The lines added so far are in the store now. */
  written(): void {
    if (this.unwritten.size) this.unwritten = new Map();
  }

  /** A line this import added: what the in-memory answers must know until the batch is written. */
  added(externalId: string | null, fp: string): void {
    if (externalId) return;
    if (this.empty) {
      this.ordinals.add(fp);
      this.unwritten.set(fp, (this.unwritten.get(fp) ?? 0) + 1);
    } else this.batchAdded.set(fp, (this.batchAdded.get(fp) ?? 0) + 1);
  }
}
