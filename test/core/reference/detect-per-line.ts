import { sqliteOf } from '../../../src/store/index.js';
// Transfer detection as it was before a Detector read each amount window once (one amount-index
// query per line looked at), kept only as the reference detect-windows.test.ts holds the
// detector to. Not used by src/.

import type { StoredPair, TransferLine, TransferRepo } from '../../../src/store/sqlite/transfers.js';
import { addDays, daysBetween } from '../../../src/domain/clock.js';
import { nowIso, type Services } from '../../../src/core/context.js';
import { pairId, type DetectResult } from '../../../src/core/transfers/detect.js';
import {
  DEFAULT_TRANSFER_PATTERN,
  DEFAULT_WINDOW_DAYS,
  evidence,
  factsOf,
  looksLikeTransfer,
  ownAccounts,
  partnerAmountRange,
  strengthOf,
  transferPattern,
  type Evidence,
  type LineFacts,
  type OwnAccounts,
  type TransferRules,
} from '../../../src/core/transfers/evidence.js';

/**
 * Finds the transfers among the lines stored since the last run, in one transaction. Runs right
 * after every sync and import, and on demand; idempotent (a run with nothing new reads one row).
 * Only lines that look like a transfer (they name an own account's IBAN or read like one) look for
 * a partner, through the amount index: a few indexed lookups per such line, never all lines
 * against all lines. A line that names nothing can still be the partner a named line finds, so
 * unpaired candidates booked near the new lines are looked at again.
 * `full`: forget the automatic pairs and read every line again (manual links stay).
 */
export function detectTransfersPerLine(s: Services, opts: { full?: boolean } = {}): DetectResult {
  return sqliteOf(s.db).tx(() => new Detector(s).run(opts.full ?? false));
}

interface Option {
  line: TransferLine;
  ev: Evidence;
  /** The automatic pair the partner is in now, which this claim is at least as strong as. */
  taken: StoredPair | undefined;
}

/** How often one line may be looked at in one run: a safety net, the rules themselves settle. */
const MAX_VISITS = 4;

class Detector {
  private readonly repo: TransferRepo;
  private readonly own: OwnAccounts;
  private readonly rules: TransferRules;
  private readonly now: string;
  private readonly facts = new Map<string, LineFacts>();
  private readonly queue: string[] = [];
  private readonly visits = new Map<string, number>();
  readonly result: DetectResult = { scanned: 0, paired: 0, dissolved: 0 };

  constructor(s: Services) {
    this.repo = sqliteOf(s.db).transfers;
    this.own = ownAccounts(sqliteOf(s.db).accounts.list());
    this.rules = rulesOf(s);
    this.now = nowIso(s);
  }

  run(full: boolean): DetectResult {
    const { repo } = this;
    if (full) {
      for (const p of repo.pairs()) if (p.how !== 'manual') repo.removePair(p.id);
      repo.clearCandidates();
      repo.setScannedSeq(0);
    }
    this.restoreLinks();
    for (const id of repo.takeRevised()) this.recheck(id);
    const from = repo.scannedSeq();
    const upTo = repo.maxSeq();
    let first: string | null = null;
    let last: string | null = null;
    for (const l of repo.linesAfter(from)) {
      this.result.scanned++;
      if (first === null || l.bookingDate < first) first = l.bookingDate;
      if (last === null || l.bookingDate > last) last = l.bookingDate;
      // Facts kept only for the lines that look for a partner: a first run reads every line.
      const f = factsOf(l, this.own, this.rules);
      if (!looksLikeTransfer(f)) continue;
      this.facts.set(l.id, f);
      this.queue.push(l.id);
    }
    repo.setScannedSeq(upTo);
    if (first !== null && last !== null) {
      // Older candidates the new lines may complete; those the new lines hold are queued already.
      const n = this.rules.windowDays;
      const queued = new Set(this.queue);
      for (const id of repo.candidateIdsBetween(addDays(first, -n), addDays(last, n))) if (!queued.has(id)) this.queue.push(id);
    }
    this.drain();
    return this.result;
  }

  /** Looks at these lines again, and the candidates booked near them (after the user linked or unlinked them). */
  revisit(lines: readonly TransferLine[]): void {
    const n = this.rules.windowDays;
    for (const l of lines) this.queue.push(l.id, ...this.repo.candidateIdsBetween(addDays(l.bookingDate, -n), addDays(l.bookingDate, n)));
    this.drain();
  }

  /** Undoes an automatic pair; its legs look for a partner again. */
  dissolve(p: StoredPair): void {
    if (!this.repo.removePair(p.id)) return;
    this.result.dissolved++;
    this.queue.push(p.outId, p.inId);
  }

  private drain(): void {
    for (let id = this.queue.shift(); id !== undefined; id = this.queue.shift()) {
      const n = this.visits.get(id) ?? 0;
      if (n >= MAX_VISITS) continue;
      this.visits.set(id, n + 1);
      this.visit(id);
    }
  }

  /** A link the user made whose pair was lost (its lines left and came back): made again. */
  private restoreLinks(): void {
    for (const { a, b } of this.repo.links()) {
      const la = this.repo.line(a);
      const lb = this.repo.line(b);
      if (!la || !lb || la.removed || lb.removed) continue;
      const pa = this.repo.pairOf(a);
      const pb = this.repo.pairOf(b);
      if (pa && pa.id === pb?.id) continue;
      if (pa?.how === 'manual' || pb?.how === 'manual') continue;
      if (pa) this.dissolve(pa);
      if (pb) this.dissolve(pb);
      this.pair(la, lb, 'manual');
    }
  }

  /** A line the bank corrected or removed: its automatic pair must still hold. */
  private recheck(id: string): void {
    this.facts.delete(id);
    const p = this.repo.pairOf(id);
    if (!p) {
      this.queue.push(id);
      return;
    }
    if (p.how === 'manual') return;
    const a = this.repo.line(p.outId);
    const b = this.repo.line(p.inId);
    const ev = a && b ? evidence(a, this.factsOf(a), b, this.factsOf(b), this.own, this.rules) : null;
    if (!ev) this.dissolve(p);
  }

  private visit(id: string): void {
    const { repo } = this;
    const l = repo.line(id);
    if (!l || l.removed) {
      repo.dropCandidate(id);
      return;
    }
    if (repo.pairOf(id)) {
      repo.dropCandidate(id);
      return;
    }
    const options = this.optionsOf(l);
    if (options.length === 0) {
      if (looksLikeTransfer(this.factsOf(l))) repo.setCandidate(l.id, l.bookingDate, 'no-partner');
      else repo.dropCandidate(l.id);
      return;
    }
    const top = strongest(options);
    if (top.length === 1) {
      const p = top[0]!;
      const theirs = strongest(this.optionsOf(p.line));
      if (theirs.length === 1 && theirs[0]!.line.id === l.id) {
        if (p.taken) this.dissolve(p.taken);
        this.pair(l, p.line, p.ev.how);
        return;
      }
      if (!theirs.some((o) => o.line.id === l.id)) {
        // The partner has a better match elsewhere: let it take that first, then look again.
        repo.setCandidate(l.id, l.bookingDate, 'no-partner');
        this.queue.push(p.line.id, l.id);
        return;
      }
      // The partner has another match just as good: neither pair can be told right.
      for (const o of theirs) if (o.taken) this.dissolve(o.taken);
    }
    for (const o of top) if (o.taken) this.dissolve(o.taken);
    repo.setCandidate(l.id, l.bookingDate, 'ambiguous');
  }

  /** Lines `l` could pair with, and why; pairs the user made, or stronger pairs, are not broken. */
  private optionsOf(l: TransferLine): Option[] {
    const { repo, rules } = this;
    const fl = this.factsOf(l);
    const out: Option[] = [];
    const from = addDays(l.bookingDate, -rules.windowDays);
    const to = addDays(l.bookingDate, rules.windowDays);
    for (const currency of this.own.currencies) {
      const range = partnerAmountRange(l, currency, rules);
      if (!range) continue;
      for (const p of repo.amountsBetween(range[0], range[1], from, to, l.accountId)) {
        if (p.currency !== currency) continue;
        const ev = evidence(l, fl, p, this.factsOf(p), this.own, rules);
        if (!ev || repo.decision(l.id, p.id) === 'unlink') continue;
        const taken = repo.pairOf(p.id);
        // Its partner now: an option like the others, whose pair is this very claim.
        if (taken && (taken.outId === l.id || taken.inId === l.id)) {
          if (taken.how === 'manual') continue;
        } else if (taken) {
          if (taken.how === 'manual') continue;
          const other = repo.line(taken.outId === p.id ? taken.inId : taken.outId);
          const claim = other ? strengthOf(taken.how, Math.abs(daysBetween(p.bookingDate, other.bookingDate))) : 0;
          if (claim > ev.strength) continue;
        }
        out.push({ line: p, ev, taken });
      }
    }
    return out;
  }

  pair(a: TransferLine, b: TransferLine, how: StoredPair['how']): StoredPair {
    const [out, into] = a.amountMinor < 0 ? [a, b] : [b, a];
    const p: StoredPair = { id: pairId(out.id, into.id), outId: out.id, inId: into.id, how, foundAt: this.now };
    this.repo.addPair(p);
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

/** The transfer settings as the synchronous store reads them (what `transferRules` did before the port). */
function rulesOf(s: Services): TransferRules {
  const days = Number(sqliteOf(s.db).settings.get('transfer-days') ?? DEFAULT_WINDOW_DAYS);
  const percent = Number(sqliteOf(s.db).settings.get('transfer-fx-tolerance') ?? 0);
  let pattern: RegExp;
  try {
    pattern = transferPattern(sqliteOf(s.db).settings.get('transfer-pattern') ?? DEFAULT_TRANSFER_PATTERN);
  } catch {
    pattern = transferPattern(DEFAULT_TRANSFER_PATTERN);
  }
  return {
    windowDays: Number.isInteger(days) && days >= 0 && days <= 30 ? days : DEFAULT_WINDOW_DAYS,
    fxTolerance: Number.isFinite(percent) && percent >= 0 && percent <= 20 ? percent / 100 : 0,
    pattern,
  };
}
