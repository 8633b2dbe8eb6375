import type { TransferLine } from '../../store/sqlite/transfers.js';
import { addDays } from '../../domain/clock.js';
import type { Services } from '../context.js';
import { badInput, notFound } from '../../domain/errors.js';
import { accountRef } from '../../domain/model.js';
import { formatMinor } from '../../domain/money.js';
import { Detector, detectTransfers, pairId, type DetectResult } from './detect.js';
import { amountsMatch, type TransferRules, transferRules } from './evidence.js';

/** A line as `transfers` shows it. */
export interface TransferLineView {
  id: string;
  account: string;
  date: string;
  amount: string;
  currency: string;
  payee: string | null;
  memo: string | null;
}

export interface TransferPairView {
  id: string;
  /** How it was found: iban, pattern, or manual (`transfers link`). */
  how: string;
  from: TransferLineView;
  to: TransferLineView;
}

export interface TransferCandidateView extends TransferLineView {
  /** no-partner: nothing fits; ambiguous: several lines fit equally. */
  reason: string;
  /** Lines it could be paired with (`transfers link` takes one). */
  partners: string[];
}

export interface TransfersList {
  detected: DetectResult;
  pairs: TransferPairView[];
  candidates: TransferCandidateView[];
}

const view = (l: { id: string; accountId: number; bookingDate: string; amountMinor: number; currency: string; payee: string | null; memo: string | null }): TransferLineView => ({
  id: l.id,
  account: accountRef(l.accountId),
  date: l.bookingDate,
  amount: formatMinor(l.amountMinor, l.currency),
  currency: l.currency,
  payee: l.payee,
  memo: l.memo,
});

/** Pairs and unpaired candidates, after catching up on lines no detection has read yet. */
export async function listTransfers(s: Services): Promise<TransfersList> {
  const detected = await detectTransfers(s);
  const repo = s.db.transfers;
  // One snapshot: the pairs and candidates listed are of one moment, whatever a sync commits meanwhile.
  return s.db.snapshot(async () => {
    const accountIds = (await s.db.accounts.list()).map((a) => a.id);
    const pairs: TransferPairView[] = [];
    for (const p of await repo.livePairsOf(accountIds)) pairs.push({ id: p.id, how: p.how, from: view((await repo.line(p.out.id))!), to: view((await repo.line(p.in.id))!) });
    const rules = await transferRules(s);
    const candidates: TransferCandidateView[] = [];
    for (const c of await repo.candidates()) candidates.push({ ...view(c), reason: c.reason, partners: await possiblePartners(s, c, rules) });
    return { detected, pairs, candidates };
  });
}

/** Unpaired lines of other accounts with the opposite amount near the date: what `link` could join. */
async function possiblePartners(s: Services, l: TransferLine, rules: TransferRules): Promise<string[]> {
  const repo = s.db.transfers;
  const partners: string[] = [];
  for (const p of await repo.amountsBetween(-l.amountMinor, -l.amountMinor, addDays(l.bookingDate, -rules.windowDays), addDays(l.bookingDate, rules.windowDays), l.accountId)) {
    if (p.currency === l.currency && !(await repo.pairOf(p.id)) && (await repo.decision(l.id, p.id)) !== 'unlink') partners.push(p.id);
  }
  return partners;
}

export function detectNow(s: Services, full: boolean): Promise<DetectResult> {
  return detectTransfers(s, { full });
}

export interface LinkResult {
  transfer: string;
  from: string;
  to: string;
  /** Automatic pairs this link replaced. */
  replaced: string[];
  detected: DetectResult;
}

/** The user's pair: made now and remembered (re-detection and re-syncs keep it). */
export async function linkTransfer(s: Services, a: string, b: string): Promise<LinkResult> {
  return s.db.write(async () => {
    const repo = s.db.transfers;
    const [la, lb] = await twoLines(s, a, b);
    if (la.accountId === lb.accountId) throw badInput(`${a} and ${b} are both lines of ${accountRef(la.accountId)}`, 'a transfer moves money between two of your accounts');
    if (la.amountMinor === 0 || Math.sign(la.amountMinor) === Math.sign(lb.amountMinor)) {
      throw badInput(
        `${a} (${formatMinor(la.amountMinor, la.currency)}) and ${b} (${formatMinor(lb.amountMinor, lb.currency)}) do not go opposite ways`,
        'one leg of a transfer leaves an account, the other arrives',
      );
    }
    const detector = await Detector.open(s);
    const replaced: string[] = [];
    const [out, into] = la.amountMinor < 0 ? [la, lb] : [lb, la];
    const id = pairId(out.id, into.id);
    for (const line of [la, lb]) {
      const p = await repo.pairOf(line.id);
      if (!p || p.id === id) continue;
      if (p.how === 'manual') throw badInput(`${line.id} is linked by hand to ${p.outId === line.id ? p.inId : p.outId}`, `unlink it first: banksync transfers unlink ${p.outId} ${p.inId}`);
      await detector.dissolve(p);
      replaced.push(p.id);
    }
    await repo.decide(la.id, lb.id, 'link', nowOf(s));
    if ((await repo.pairOf(out.id))?.id === id) await repo.setHow(id, 'manual');
    else await detector.pair(out, into, 'manual');
    if (!amountsMatch(out, into, await transferRules(s)))
      s.notify.warn(`the amounts differ (${formatMinor(out.amountMinor, out.currency)} ${out.currency}, ${formatMinor(into.amountMinor, into.currency)} ${into.currency}): linked as you asked`);
    // The lines the old pairs held, and candidates that counted on these two, may fit elsewhere now.
    await detector.revisit([la, lb]);
    return { transfer: id, from: out.id, to: into.id, replaced, detected: detector.result };
  });
}

export interface UnlinkResult {
  /** The pair undone; null when the two lines were not paired (the decision is remembered all the same). */
  transfer: string | null;
  detected: DetectResult;
}

/** The user says these two lines are not one transfer: undone now, never paired again by detection. */
export async function unlinkTransfer(s: Services, a: string, b: string): Promise<UnlinkResult> {
  return s.db.write(async () => {
    const repo = s.db.transfers;
    const [la, lb] = await twoLines(s, a, b);
    await repo.decide(la.id, lb.id, 'unlink', nowOf(s));
    const p = await repo.pairOf(la.id);
    const detector = await Detector.open(s);
    if (p && (p.outId === lb.id || p.inId === lb.id)) {
      await repo.removePair(p.id);
      // Each leg may have another partner: looked for now (never each other again).
      await detector.revisit([la, lb]);
      return { transfer: p.id, detected: detector.result };
    }
    return { transfer: null, detected: detector.result };
  });
}

/** The two legs named; one line given twice is a typo, never a decision to remember. */
async function twoLines(s: Services, a: string, b: string) {
  const [la, lb] = [await requireLine(s, a), await requireLine(s, b)];
  if (la.id === lb.id) throw badInput(`${a} and ${b} are the same line`, 'name the two legs of a transfer, one in each account: banksync transfers');
  return [la, lb] as const;
}

const nowOf = (s: Services) => s.clock().toISOString();

async function requireLine(s: Services, id: string): Promise<TransferLine> {
  const l = await s.db.transfers.line(id);
  if (!l) throw notFound(`no transaction ${id}`, 'see the ids with: banksync transactions (or banksync transfers)');
  if (l.removed) throw badInput(`transaction ${id} was removed by the bank`);
  return l;
}
