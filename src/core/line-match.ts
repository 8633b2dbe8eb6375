import type { StoredCandidate } from '../store/sqlite/transactions.js';
import type { StorePort } from '../store/index.js';
import { normalizeText } from './dedupe.js';
import { formatMinor } from '../domain/money.js';

/** The line-matching rungs import and `accounts merge` share beyond ids and fingerprints. */

export const textOf = (v: { payee?: string | null; memo?: string | null }) => `${v.payee ?? ''} ${v.memo ?? ''}`.trim();

function words(v: { payee?: string | null; memo?: string | null }): Set<string> {
  return new Set(
    normalizeText(textOf(v))
      .split(' ')
      .filter((w) => w.length >= 3 && !/^\d+$/.test(w)),
  );
}

/**
 * Rungs 3 and 4 of the dedupe ladder, shared by import and sync: a stored line (not yet taken by
 * this run) with the same date and amount is the same payment when its text fingerprint is the
 * same, or else when its text mostly agrees (textMatch). `candidates` are that day's lines of
 * that amount, less those `unmerge` kept apart from this line.
 */
export function sameLineStored(
  line: { payee?: string | null; memo?: string | null },
  externalId: string | null,
  fp: string,
  candidates: StoredCandidate[],
): { candidate: StoredCandidate; rung: 'fingerprint' | 'text'; why: string } | undefined {
  const exact = candidates.find((c) => c.fingerprint === fp);
  if (exact) return { candidate: exact, rung: 'fingerprint', why: 'same date, amount and text fingerprint' };
  const fuzzy = textMatch(line, externalId, candidates);
  return fuzzy && { candidate: fuzzy.candidate, rung: 'text', why: fuzzy.why };
}

/** A merge by text is a judgement: kept for `banksync warnings --kind fuzzy-merge`, which shows both texts. */
export async function recordFuzzyMerge(
  db: StorePort,
  m: {
    accountId: number;
    source: string;
    where: string;
    line: { bookingDate: string; amountMinor: number; currency: string; payee?: string | null; memo?: string | null };
    fp: string;
    candidate: StoredCandidate;
    why: string;
  },
  now: string,
): Promise<void> {
  const { line, candidate } = m;
  await db.inputIssues.record(
    {
      accountId: m.accountId,
      kind: 'fuzzy-merge',
      key: `${candidate.id}|${m.fp}`,
      severity: 'info',
      source: m.source,
      message: `${m.where} (${line.bookingDate} ${formatMinor(line.amountMinor, line.currency)} "${textOf(line).slice(0, 60)}") taken as ${candidate.id} from ${candidate.source} ("${textOf(candidate).slice(0, 60)}"): ${m.why}`,
      detail: { line, matched: candidate.id, why: m.why },
    },
    now,
  );
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
    const o = overlap(mine, words(c));
    if (!o) {
      if (others.length === 1) return { candidate: c, why: 'same date and amount, and one side has no text' };
      continue;
    }
    const score = o.shared / o.of;
    if (score >= MIN_WORD_OVERLAP && (!best || score > best.score)) {
      best = { candidate: c, score, why: `same date and amount, ${o.shared} of ${o.of} words shared` };
    }
  }
  return best && { candidate: best.candidate, why: best.why };
}

/** Words of the shorter text found in the other; null when one side has no words. */
function overlap(mine: Set<string>, theirs: Set<string>): { shared: number; of: number } | null {
  if (mine.size === 0 || theirs.size === 0) return null;
  let shared = 0;
  for (const w of mine) if (theirs.has(w)) shared++;
  return { shared, of: Math.min(mine.size, theirs.size) };
}

/**
 * Why rung 4 would refuse one candidate on its own (explain): null when its text agrees enough.
 * The same tests as textMatch, said in words.
 */
export function textRefusal(line: { payee?: string | null; memo?: string | null }, externalId: string | null, c: StoredCandidate, alone: boolean): string | null {
  if (externalId && c.externalId && sameSourceKind(externalId, c)) return 'both carry ids from files of the same format, and the ids differ';
  const o = overlap(words(line), words(c));
  if (!o) return alone ? null : 'one side has no text and it is not the only candidate';
  if (o.shared / o.of < MIN_WORD_OVERLAP) return `only ${o.shared} of ${o.of} words shared (${Math.round(MIN_WORD_OVERLAP * 100)}% needed)`;
  return null;
}

/** A file id (`ofx:…`) meets a stored line with an id from a file of the same format. */
const sameSourceKind = (externalId: string, c: StoredCandidate) => c.source.startsWith('file:') && c.externalId!.startsWith(externalId.slice(0, externalId.indexOf(':') + 1));
