import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { CandidateVerdict, Rung } from '../store/sqlite/line-origins.js';
import type { StoredCandidate, TransactionRow } from '../store/sqlite/transactions.js';
import type { StorePort } from '../store/index.js';
import type { FileFormat, FileLine } from '../import/types.js';
import type { Services } from './context.js';
import { textOf, textRefusal } from './line-match.js';

/**
 * What the dedupe ladders record for `explain` and `unmerge` (migration 010). Import and
 * `accounts merge` each call in at one place: where a line's decision is taken.
 *
 * Rungs: new (stored, nothing matched); own-id (a re-imported banksync export names the line);
 * file-id (the file's own id for the line was stored before); fingerprint (same date, amount and
 * text fingerprint); text (same date and amount, text mostly agrees); accounts-merge-* (the same
 * rungs when `accounts merge` met the line in the other account); unmerged (made by `unmerge`).
 * Fingerprint and text merges can be undone; id merges are the same line by definition.
 */
export const UNMERGEABLE_RUNGS: ReadonlySet<Rung> = new Set(['fingerprint', 'text', 'accounts-merge-fingerprint', 'accounts-merge-text']);

/**
 * The keys an unmerge refuses a merge under: the observation's fingerprint, and its own id when
 * it has one (a corrected text keeps the id). A candidate refused under either is kept apart.
 */
export const observationKeys = (externalId: string | null, fp: string) => (externalId !== null ? [`f:${fp}`, `x:${externalId}`] : [`f:${fp}`]);

/** Drops the candidates `unmerge` kept apart from an observation (`refused` from LineOriginRepo.refusals). */
export function notRefused<C extends { id: string }>(candidates: C[], refused: ReadonlySet<string>, externalId: string | null, fp: string): C[] {
  if (refused.size === 0 || candidates.length === 0) return candidates;
  const keys = observationKeys(externalId, fp);
  return candidates.filter((c) => !keys.some((k) => refused.has(`${c.id}|${k}`)));
}

/** One file line's outcome on the ladder: which rung, and the stored line it is (or became). */
export interface ImportDecision {
  outcome: 'added' | 'duplicates' | 'updated' | 'matchedByText';
  rung: Rung;
  id: string;
  why?: string;
}

/**
 * Import's recorder for one statement: drops candidates a person kept apart (`unmerge`), and
 * records each file line's origin with the candidates it was weighed against.
 */
/** Records per chunk: small enough for flat memory on a million-line file, few enough writes. */
const RECORDS_PER_CHUNK = 5_000;

export class ImportOrigins {
  /** Lines added without meeting a stored line: id → where in the file, written a chunk at a time. */
  private plain: Record<string, string> = {};
  private plainCount = 0;
  private last: { externalId: string | null; fp: string; candidates: StoredCandidate[]; kept: StoredCandidate[] } | undefined;

  private constructor(
    private readonly s: Services,
    private readonly refused: Set<string>,
    private readonly fileId: number,
    private readonly source: string,
    private readonly now: string,
  ) {}

  static async open(s: Services, accountId: number, path: string, file: { sha256: string; format: FileFormat }, source: string, now: string): Promise<ImportOrigins> {
    const refused = await s.db.lineOrigins.refusals(accountId);
    const fileId = await s.db.lineOrigins.fileId({ name: basename(path), sha256: file.sha256, size: sizeOf(path), format: file.format }, now);
    return new ImportOrigins(s, refused, fileId, source, now);
  }

  /** The candidates the ladder may use: all but those `unmerge` kept apart from this line. */
  allowed(candidates: StoredCandidate[], externalId: string | null, fp: string): StoredCandidate[] {
    const kept = notRefused(candidates, this.refused, externalId, fp);
    this.last = { externalId, fp, candidates, kept };
    return kept;
  }

  /** Records where the line went; called once per line, after `allowed`. A promise only when something was written. */
  note(line: FileLine, d: ImportDecision): Promise<void> | undefined {
    const last = this.last!;
    this.last = undefined;
    const merged = d.outcome !== 'added';
    // The same file imported again: the line it matched is the one this file stored, whose origin says it all.
    if (merged && last.kept.some((c) => c.id === d.id && c.source === this.source)) return undefined;
    if (!merged && last.candidates.length === 0) {
      // Most of a file: nothing to weigh. One entry in the file's records instead of a row.
      this.plain[d.id] = line.where;
      return ++this.plainCount >= RECORDS_PER_CHUNK ? this.finish() : undefined;
    }
    const candidates = last.candidates.length ? judge(line, last.externalId, last.fp, last.candidates, last.kept, d) : null;
    return this.s.db.lineOrigins.record(
      {
        transactionId: d.id,
        role: merged ? 'merged' : 'stored',
        source: this.source,
        sourceKey: `f${this.fileId}|${line.where}`,
        fileId: this.fileId,
        record: line.where,
        rawId: line.id ?? null,
        rung: d.rung,
        why: d.why ?? null,
        candidates,
        // A merged line is kept whole: `unmerge` makes it a line of its own again.
        observation: merged ? { ...line, externalId: last.externalId } : null,
      },
      this.now,
    );
  }

  /** Writes the records of the lines added without meeting a stored line (the last chunk: once per statement). */
  async finish(): Promise<void> {
    if (this.plainCount === 0) return;
    const plain = this.plain;
    this.plain = {};
    this.plainCount = 0;
    await this.s.db.lineOrigins.addFileRecords(this.fileId, plain);
  }
}

function sizeOf(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}

/**
 * A sync without provider ids met a line already stored under the same fingerprint and
 * ordinal (both get the same banksync id) from another source (a file without ids): this
 * provider line is taken as it. (A re-fetch of its own line is not recorded; the writer knows
 * the stored line's source from its batch's one read.) It cannot be undone: the next fetch would
 * meet that line again by the same id.
 */
export async function noteSyncMerge(db: StorePort, row: TransactionRow, now: string): Promise<void> {
  await db.lineOrigins.record(
    {
      transactionId: row.id,
      role: 'merged',
      source: row.source,
      sourceKey: `sync:${row.source}`,
      fileId: null,
      record: null,
      rawId: null,
      rung: 'fingerprint',
      why: 'no provider id: same date, amount, text fingerprint and occurrence as this line',
      candidates: null,
      observation: null,
    },
    now,
  );
}

/**
 * A sync met a line stored from another source (a statement file, another provider) and took its
 * provider line as that one (rungs 3–4 of the ladder). The provider line is kept whole, so
 * `unmerge` can make it a line of its own, under the id the next sync finds it by. False when an
 * earlier sync already took this line so (its window overlaps this one): not news.
 */
export async function noteCrossSourceMerge(db: StorePort, row: TransactionRow, match: { candidate: StoredCandidate; rung: Rung; why: string }, now: string): Promise<boolean> {
  const key = row.externalId !== null ? `x:${row.externalId}` : `f:${row.fingerprint}:${row.ordinal}`;
  const sourceKey = `sync:${row.source}|${key}`;
  const first = !(await db.lineOrigins.has(match.candidate.id, sourceKey));
  await db.lineOrigins.record(
    {
      transactionId: match.candidate.id,
      role: 'merged',
      source: row.source,
      sourceKey,
      fileId: null,
      record: null,
      rawId: row.externalId,
      rung: match.rung,
      why: match.why,
      candidates: null,
      observation: {
        bookingDate: row.bookingDate,
        valueDate: row.valueDate,
        amountMinor: row.amountMinor,
        currency: row.currency,
        payee: row.payee,
        memo: row.memo,
        type: row.type,
        counterpartyIban: row.counterpartyIban,
        externalId: row.externalId,
        source: row.source,
      },
    },
    now,
  );
  return first;
}

/** `accounts merge` took FROM's line as INTO's `match`: kept whole so `unmerge` can restore it. */
export async function noteAccountMerge(
  s: Services,
  line: { id: string; source: string; externalId: string | null; fingerprint: string; payee: string | null; memo: string | null },
  match: { id: string; rung: Rung; why?: string; candidates: StoredCandidate[] },
  now: string,
): Promise<void> {
  const row = await s.db.transactions.byId(line.id);
  // Where FROM's line came from (its file and record) goes with it: FROM's rows are deleted.
  const was = (await s.db.lineOrigins.of(line.id)).find((o) => o.role === 'stored') ?? (await s.db.lineOrigins.fileRecord(line.id, line.source));
  const d = { outcome: 'duplicates' as const, rung: match.rung, id: match.id, why: match.why };
  await s.db.lineOrigins.record(
    {
      transactionId: match.id,
      role: 'merged',
      source: line.source,
      sourceKey: `line:${line.id}`,
      fileId: was?.fileId ?? null,
      record: was?.record ?? null,
      rawId: line.externalId,
      rung: match.rung,
      why: match.why ?? null,
      candidates: match.candidates.length ? judge(line, null, line.fingerprint, match.candidates, match.candidates, d) : null,
      observation: row ? { ...row, formerId: line.id } : null,
    },
    now,
  );
}

const RUNG_WHY: Partial<Record<Rung, string>> = {
  'own-id': 'the file names this banksync id',
  'file-id': "the file's id for the line was stored before",
  fingerprint: 'same date, amount and text fingerprint',
  'accounts-merge-id': 'same provider or file id',
  'accounts-merge-fingerprint': 'same date, amount and text fingerprint',
};

/** Each candidate with the reason it was taken or refused, in the ladder's order of rungs. */
export function judge(
  line: { payee?: string | null; memo?: string | null },
  externalId: string | null,
  fp: string,
  candidates: StoredCandidate[],
  kept: StoredCandidate[],
  d: Pick<ImportDecision, 'rung' | 'id' | 'why'>,
): CandidateVerdict[] {
  const alone = kept.length === 1;
  return candidates.map((c) => {
    const v = (verdict: CandidateVerdict['verdict'], why: string): CandidateVerdict => ({ id: c.id, source: c.source, text: textOf(c).slice(0, 80), verdict, why });
    if (c.id === d.id) return v('accepted', d.why ?? RUNG_WHY[d.rung] ?? d.rung);
    if (!kept.includes(c)) return v('refused', 'kept apart by `banksync unmerge`');
    if (d.rung === 'own-id' || d.rung === 'file-id' || d.rung === 'accounts-merge-id') return v('refused', 'an id matched another line first');
    if (c.fingerprint === fp) return v('refused', 'same fingerprint, but another line with it was taken first');
    const text = textRefusal(line, externalId, c, alone);
    if (text) return v('refused', `text fingerprint differs; ${text}`);
    return v('refused', d.rung === 'text' || d.rung === 'accounts-merge-text' ? 'text agrees, but another line agreed better' : 'text fingerprint differs');
  });
}
