import { createHash } from 'node:crypto';
import type { StorePort } from '../../store/index.js';
import type { StoredPair, TransferLine } from '../../store/sqlite/transfers.js';
import { addDays, daysBetween } from '../../domain/clock.js';
import { nowIso, type Services } from '../context.js';
import { evidence, factsOf, looksLikeTransfer, ownAccounts, partnerAmountRange, strengthOf, transferRules, type Evidence, type LineFacts, type OwnAccounts, type TransferRules } from './evidence.js';

export interface DetectResult {
  /** Lines read for the first time (stored or moved since the last run). */
  scanned: number;
  /** Pairs made by this run. */
  paired: number;
  /** Automatic pairs undone: a leg corrected or removed, or a better or equal claim arrived. */
  dissolved: number;
}

/** The pair id both legs carry (CSV transfer_id, journal tag): a function of the two lines, so re-detection and replays give the same. */
export const pairId = (outId: string, inId: string) => `x${createHash('sha256').update(`${outId}|${inId}`).digest('hex').slice(0, 15)}`;

/**
 * Finds the transfers among the lines stored since the last run, in one transaction. Runs right
 * after every sync and import, and on demand; idempotent (a run with nothing new reads one row).
 * Only lines that look like a transfer (they name an own account's IBAN or read like one) look for
 * a partner, through the amount index: a few indexed lookups per such line, never all lines
 * against all lines. A line that names nothing can still be the partner a named line finds, so
 * unpaired candidates booked near the new lines are looked at again.
 * `full`: forget the automatic pairs and read every line again (manual links stay).
 */
export function detectTransfers(s: Services, opts: { full?: boolean } = {}): Promise<DetectResult> {
  return s.db.write(async () => (await Detector.open(s)).run(opts.full ?? false));
}

type TransferRepo = StorePort['transfers'];

interface Option {
  line: TransferLine;
  ev: Evidence;
  /** The automatic pair the partner is in now, which this claim is at least as strong as. */
  taken: StoredPair | undefined;
}

/** How often one line may be looked at in one run: a safety net, the rules themselves settle. */
const MAX_VISITS = 4;

/** Lines the amount windows read by one Detector may hold before they are read afresh (memory stays bounded). */
const WINDOW_CACHE_LINES = 200_000;

/**
 * The store's lines by amount window (amounts [lo, hi], booked from..to), each window read once
 * per Detector. A Detector writes pairs and candidates, never lines, so a window read earlier in
 * the run still holds exactly what the store would answer. Many lines ask for the same window:
 * every line of one amount and day (a payroll run, a bank connected many times: 200 connections
 * of one bank took ~620 ms of queries, ~400 rows each, after the last answer of a sync), and
 * each side of a pair asks for the other's. Rows are in `seq` order, every account included: a
 * caller drops its own account's lines, which leaves the order the per-line query gave.
 */
export class AmountWindows {
  private readonly windows = new Map<string, readonly TransferLine[]>();
  private lines = 0;

  constructor(
    private readonly repo: TransferRepo,
    private readonly maxLines = WINDOW_CACHE_LINES,
  ) {}

  async get(lo: number, hi: number, from: string, to: string): Promise<readonly TransferLine[]> {
    const key = `${lo} ${hi} ${from} ${to}`;
    let rows = this.windows.get(key);
    if (!rows) {
      rows = await this.repo.amountWindow(lo, hi, from, to);
      if (this.lines + rows.length > this.maxLines) {
        this.windows.clear();
        this.lines = 0;
      }
      this.windows.set(key, rows);
      this.lines += rows.length;
    }
    return rows;
  }
}

export class Detector {
  private readonly repo: TransferRepo;
  private readonly own: OwnAccounts;
  private readonly rules: TransferRules;
  private readonly now: string;
  private readonly facts = new Map<string, LineFacts>();
  private readonly queue: string[] = [];
  private readonly visits = new Map<string, number>();
  private readonly windows: AmountWindows;
  readonly result: DetectResult = { scanned: 0, paired: 0, dissolved: 0 };

  private constructor(s: Services, own: OwnAccounts, rules: TransferRules) {
    this.repo = s.db.transfers;
    this.own = own;
    this.rules = rules;
    this.now = nowIso(s);
    this.windows = new AmountWindows(this.repo);
  }

  /** A detector over the store's accounts and transfer settings as they are now (run it inside a unit of work). */
  static async open(s: Services): Promise<Detector> {
    return new Detector(s, ownAccounts(await s.db.accounts.list()), await transferRules(s));
  }

  async run(full: boolean): Promise<DetectResult> {
    const { repo } = this;
    if (full) {
      for (const p of await repo.pairs()) if (p.how !== 'manual') await repo.removePair(p.id);
      await repo.clearCandidates();
      await repo.setScannedSeq(0);
    }
    await this.restoreLinks();
    for (const id of await repo.takeRevised()) await this.recheck(id);
    const from = await repo.scannedSeq();
    const upTo = await repo.maxSeq();
    let first: string | null = null;
    let last: string | null = null;
    for await (const page of repo.linesAfter(from))
      for (const l of page) {
        this.result.scanned++;
        if (first === null || l.bookingDate < first) first = l.bookingDate;
        if (last === null || l.bookingDate > last) last = l.bookingDate;
        // Facts kept only for the lines that look for a partner: a first run reads every line.
        const f = factsOf(l, this.own, this.rules);
        if (!looksLikeTransfer(f)) continue;
        this.facts.set(l.id, f);
        this.queue.push(l.id);
      }
    await repo.setScannedSeq(upTo);
    if (first !== null && last !== null) {
      // Older candidates the new lines may complete; those the new lines hold are queued already.
      const n = this.rules.windowDays;
      const queued = new Set(this.queue);
      for (const id of await repo.candidateIdsBetween(addDays(first, -n), addDays(last, n))) if (!queued.has(id)) this.queue.push(id);
    }
    await this.drain();
    return this.result;
  }

  /** Looks at these lines again, and the candidates booked near them (after the user linked or unlinked them). */
  async revisit(lines: readonly TransferLine[]): Promise<void> {
    const n = this.rules.windowDays;
    for (const l of lines) this.queue.push(l.id, ...(await this.repo.candidateIdsBetween(addDays(l.bookingDate, -n), addDays(l.bookingDate, n))));
    await this.drain();
  }

  /** Undoes an automatic pair; its legs look for a partner again. */
  async dissolve(p: StoredPair): Promise<void> {
    if (!(await this.repo.removePair(p.id))) return;
    this.result.dissolved++;
    this.queue.push(p.outId, p.inId);
  }

  private async drain(): Promise<void> {
    for (let id = this.queue.shift(); id !== undefined; id = this.queue.shift()) {
      const n = this.visits.get(id) ?? 0;
      if (n >= MAX_VISITS) continue;
      this.visits.set(id, n + 1);
      await this.visit(id);
    }
  }

  /** A link the user made whose pair was lost (its lines left and came back): made again. */
  private async restoreLinks(): Promise<void> {
    for (const { a, b } of await this.repo.links()) {
      const la = await this.repo.line(a);
      const lb = await this.repo.line(b);
      if (!la || !lb || la.removed || lb.removed) continue;
      const pa = await this.repo.pairOf(a);
      const pb = await this.repo.pairOf(b);
      if (pa && pa.id === pb?.id) continue;
      if (pa?.how === 'manual' || pb?.how === 'manual') continue;
      if (pa) await this.dissolve(pa);
      if (pb) await this.dissolve(pb);
      await this.pair(la, lb, 'manual');
    }
  }

  /** A line the bank corrected or removed: its automatic pair must still hold. */
  private async recheck(id: string): Promise<void> {
    this.facts.delete(id);
    const p = await this.repo.pairOf(id);
    if (!p) {
      this.queue.push(id);
      return;
    }
    if (p.how === 'manual') return;
    const a = await this.repo.line(p.outId);
    const b = await this.repo.line(p.inId);
    const ev = a && b ? evidence(a, this.factsOf(a), b, this.factsOf(b), this.own, this.rules) : null;
    if (!ev) await this.dissolve(p);
  }

  private async visit(id: string): Promise<void> {
    const { repo } = this;
    const l = await repo.line(id);
    if (!l || l.removed) {
      await repo.dropCandidate(id);
      return;
    }
    if (await repo.pairOf(id)) {
      await repo.dropCandidate(id);
      return;
    }
    const options = await this.optionsOf(l);
    if (options.length === 0) {
      if (looksLikeTransfer(this.factsOf(l))) await repo.setCandidate(l.id, l.bookingDate, 'no-partner');
      else await repo.dropCandidate(l.id);
      return;
    }
    const top = strongest(options);
    if (top.length === 1) {
      const p = top[0]!;
      const theirs = strongest(await this.optionsOf(p.line));
      if (theirs.length === 1 && theirs[0]!.line.id === l.id) {
        if (p.taken) await this.dissolve(p.taken);
        await this.pair(l, p.line, p.ev.how);
        return;
      }
      if (!theirs.some((o) => o.line.id === l.id)) {
        // The partner has a better match elsewhere: let it take that first, then look again.
        await repo.setCandidate(l.id, l.bookingDate, 'no-partner');
        this.queue.push(p.line.id, l.id);
        return;
      }
      // The partner has another match just as good: neither pair can be told right.
      for (const o of theirs) if (o.taken) await this.dissolve(o.taken);
    }
    for (const o of top) if (o.taken) await this.dissolve(o.taken);
    await repo.setCandidate(l.id, l.bookingDate, 'ambiguous');
  }

  /** Lines `l` could pair with, and why; pairs the user made, or stronger pairs, are not broken. */
  private async optionsOf(l: TransferLine): Promise<Option[]> {
    const { repo, rules } = this;
    const fl = this.factsOf(l);
    const out: Option[] = [];
    const from = addDays(l.bookingDate, -rules.windowDays);
    const to = addDays(l.bookingDate, rules.windowDays);
    for (const currency of this.own.currencies) {
      const range = partnerAmountRange(l, currency, rules);
      if (!range) continue;
      for (const p of await this.windows.get(range[0], range[1], from, to)) {
        if (p.accountId === l.accountId || p.currency !== currency) continue;
        const ev = evidence(l, fl, p, this.factsOf(p), this.own, rules);
        if (!ev || (await repo.decision(l.id, p.id)) === 'unlink') continue;
        const taken = await repo.pairOf(p.id);
        // Its partner now: an option like the others, whose pair is this very claim.
        if (taken && (taken.outId === l.id || taken.inId === l.id)) {
          if (taken.how === 'manual') continue;
        } else if (taken) {
          if (taken.how === 'manual') continue;
          const other = await repo.line(taken.outId === p.id ? taken.inId : taken.outId);
          const claim = other ? strengthOf(taken.how, Math.abs(daysBetween(p.bookingDate, other.bookingDate))) : 0;
          if (claim > ev.strength) continue;
        }
        out.push({ line: p, ev, taken });
      }
    }
    return out;
  }

  async pair(a: TransferLine, b: TransferLine, how: StoredPair['how']): Promise<StoredPair> {
    const [out, into] = a.amountMinor < 0 ? [a, b] : [b, a];
    const p: StoredPair = { id: pairId(out.id, into.id), outId: out.id, inId: into.id, how, foundAt: this.now };
    await this.repo.addPair(p);
    this.result.paired++;
    return p;
  }

  private factsOf(l: TransferLine): LineFacts {
    let f = this.facts.get(l.id);
    if (!f) {
      f = factsOf(l, this.own, this.rules);
      this.facts.set(l.id, f);
    }
    return f;
  }
}

/** The options of the highest strength (several: a tie). */
function strongest(options: Option[]): Option[] {
  let best = -Infinity;
  for (const o of options) if (o.ev.strength > best) best = o.ev.strength;
  return options.filter((o) => o.ev.strength === best);
}
