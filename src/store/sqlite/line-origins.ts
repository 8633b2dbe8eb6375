import type { Db } from './db.js';

/** How an observation met the stored line: see core/explain-origins.ts for each rung's meaning. */
export type Rung = 'new' | 'own-id' | 'file-id' | 'fingerprint' | 'text' | 'accounts-merge-id' | 'accounts-merge-fingerprint' | 'accounts-merge-text' | 'unmerged';

export interface CandidateVerdict {
  id: string;
  source: string;
  text: string;
  verdict: 'accepted' | 'refused';
  why: string;
}

export interface OriginInput {
  transactionId: string;
  role: 'stored' | 'merged';
  source: string;
  sourceKey: string;
  fileId: number | null;
  record: string | null;
  rawId: string | null;
  rung: Rung;
  why: string | null;
  candidates: CandidateVerdict[] | null;
  observation: unknown;
}

export interface LineOrigin extends Omit<OriginInput, 'observation'> {
  /** Short handle (`o12`) for `unmerge --source`. */
  ref: string;
  rowId: number;
  file: { name: string; sha256: string; size: number | null; format: string | null } | null;
  observation: Record<string, unknown> | null;
  unmergedFrom: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
}

export interface LineDecision {
  kind: 'ignored' | 'unignored' | 'unmerged';
  detail: Record<string, unknown> | null;
  at: string;
}

export interface OriginRow {
  id: number;
  transaction_id: string;
  role: 'stored' | 'merged';
  source: string;
  source_key: string;
  file_id: number | null;
  record: string | null;
  raw_id: string | null;
  rung: Rung;
  why: string | null;
  candidates: string | null;
  observation: string | null;
  unmerged_from: string | null;
  first_seen_at: string;
  last_seen_at: string;
  f_name: string | null;
  f_sha256: string | null;
  f_size: number | null;
  f_format: string | null;
}

export const originFromRow = (r: OriginRow): LineOrigin => ({
  ref: `o${r.id}`,
  rowId: r.id,
  transactionId: r.transaction_id,
  role: r.role,
  source: r.source,
  sourceKey: r.source_key,
  fileId: r.file_id,
  file: r.f_name === null ? null : { name: r.f_name, sha256: r.f_sha256!, size: r.f_size, format: r.f_format },
  record: r.record,
  rawId: r.raw_id,
  rung: r.rung,
  why: r.why,
  candidates: r.candidates === null ? null : (JSON.parse(r.candidates) as CandidateVerdict[]),
  observation: r.observation === null ? null : (JSON.parse(r.observation) as Record<string, unknown>),
  unmergedFrom: r.unmerged_from,
  firstSeenAt: r.first_seen_at,
  lastSeenAt: r.last_seen_at,
});

/** Line origins, merge refusals, decisions and tombstones (migration 010). */
export class LineOriginRepo {
  private readonly put;

  constructor(private readonly db: Db) {
    // A repeat of the same observation (the same file imported again) only refreshes last_seen_at.
    this.put = db.prepare(
      `INSERT INTO line_origins (transaction_id, role, source, source_key, file_id, record, raw_id, rung, why, candidates, observation, first_seen_at, last_seen_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (transaction_id, source_key) DO UPDATE SET last_seen_at = excluded.last_seen_at`,
    );
  }

  /** True when this observation of this line was recorded before (a re-fetch meets it again). */
  has(transactionId: string, sourceKey: string): boolean {
    return this.db.prepare('SELECT 1 FROM line_origins WHERE transaction_id = ? AND source_key = ?').get(transactionId, sourceKey) !== undefined;
  }

  /** The file an import reads; the same content under the same name is one row. */
  fileId(f: { name: string; sha256: string; size: number | null; format: string }, now: string): number {
    this.db.prepare('INSERT INTO origin_files (name, sha256, size, format, first_seen_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256, name) DO NOTHING').run(f.name, f.sha256, f.size, f.format, now);
    return (this.db.prepare('SELECT id FROM origin_files WHERE sha256 = ? AND name = ?').get(f.sha256, f.name) as { id: number }).id;
  }

  /** Lines a file added without meeting a stored line, and where in the file each was (one write per statement). */
  /** One chunk of a file's records: appended, never merged (a merge would rewrite the whole map each time). */
  addFileRecords(fileId: number, records: Record<string, string>): void {
    this.db.prepare('INSERT INTO origin_file_records (file_id, records) VALUES (?, ?)').run(fileId, JSON.stringify(records));
  }

  /**
   * Where a line a file added came from when it has no row of its own: the file (named by the
   * line's source, `file:<name>#<sha256 prefix>`) whose records hold it.
   */
  fileRecord(transactionId: string, source: string): { fileId: number; record: string; file: NonNullable<LineOrigin['file']>; firstSeenAt: string } | undefined {
    const m = /^file:(.*)#([0-9a-f]+)$/.exec(source);
    if (!m) return undefined;
    const r = this.db
      .prepare(`SELECT f.id, f.name, f.sha256, f.size, f.format, f.first_seen_at, json_extract(r.records, '$.' || ?) AS record
                FROM origin_files f JOIN origin_file_records r ON r.file_id = f.id
                WHERE f.name = ? AND substr(f.sha256, 1, ?) = ? AND json_extract(r.records, '$.' || ?) IS NOT NULL ORDER BY f.id LIMIT 1`)
      .get(transactionId, m[1], m[2]!.length, m[2], transactionId) as
      | { id: number; name: string; sha256: string; size: number | null; format: string | null; first_seen_at: string; record: string }
      | undefined;
    return r && { fileId: r.id, record: r.record, file: { name: r.name, sha256: r.sha256, size: r.size, format: r.format }, firstSeenAt: r.first_seen_at };
  }

  record(o: OriginInput, now: string): void {
    this.put.run(
      o.transactionId,
      o.role,
      o.source,
      o.sourceKey,
      o.fileId,
      o.record,
      o.rawId,
      o.rung,
      o.why,
      o.candidates === null ? null : JSON.stringify(o.candidates),
      o.observation === null || o.observation === undefined ? null : JSON.stringify(o.observation),
      now,
      now,
    );
  }

  of(transactionId: string): LineOrigin[] {
    return (
      this.db
        .prepare(
          `SELECT o.*, f.name AS f_name, f.sha256 AS f_sha256, f.size AS f_size, f.format AS f_format
           FROM line_origins o LEFT JOIN origin_files f ON f.id = o.file_id WHERE o.transaction_id = ? ORDER BY o.id`,
        )
        .all(transactionId) as OriginRow[]
    ).map(originFromRow);
  }

  /** A merged observation becomes the stored origin of the line made from it. */
  detach(rowId: number, newTransactionId: string, fromId: string, now: string): void {
    this.db.prepare(`UPDATE line_origins SET transaction_id = ?, role = 'stored', rung = 'unmerged', unmerged_from = ?, last_seen_at = ? WHERE id = ?`).run(newTransactionId, fromId, now, rowId);
  }

  /** Keys `<transaction id>|<observation key>` of the account's refused merges (few: one per unmerge). */
  refusals(accountId: number): Set<string> {
    const rows = this.db.prepare('SELECT r.transaction_id AS t, r.observation_key AS k FROM merge_refusals r JOIN transactions x ON x.id = r.transaction_id WHERE x.account_id = ?').all(accountId) as {
      t: string;
      k: string;
    }[];
    return new Set(rows.map((r) => `${r.t}|${r.k}`));
  }

  refuse(transactionId: string, observationKey: string, now: string): void {
    this.db.prepare('INSERT OR IGNORE INTO merge_refusals (transaction_id, observation_key, decided_at) VALUES (?, ?, ?)').run(transactionId, observationKey, now);
  }

  decide(transactionId: string, kind: LineDecision['kind'], detail: Record<string, unknown> | null, now: string): void {
    this.db.prepare('INSERT INTO line_decisions (transaction_id, kind, detail, at) VALUES (?, ?, ?, ?)').run(transactionId, kind, detail && JSON.stringify(detail), now);
  }

  decisions(transactionId: string): LineDecision[] {
    return (
      this.db.prepare('SELECT kind, detail, at FROM line_decisions WHERE transaction_id = ? ORDER BY id').all(transactionId) as { kind: LineDecision['kind']; detail: string | null; at: string }[]
    ).map((r) => ({ kind: r.kind, detail: r.detail === null ? null : JSON.parse(r.detail), at: r.at }));
  }

  /**
   * Sets or clears a line's tombstone. A change bumps the revision (the earlier version goes to
   * transaction_history), so an incremental export target that received the line gets its
   * removal, or gets it again after unignore. False when the line already was in that state.
   */
  setIgnored(transactionId: string, reason: string | null, ignore: boolean, now: string): boolean {
    if (!ignore) {
      return (
        this.db.prepare('UPDATE transactions SET ignored_at = NULL, ignored_reason = NULL, revision = revision + 1, updated_at = ? WHERE id = ? AND ignored_at IS NOT NULL').run(now, transactionId)
          .changes === 1
      );
    }
    const changed =
      this.db.prepare('UPDATE transactions SET ignored_at = ?, ignored_reason = ?, revision = revision + 1, updated_at = ? WHERE id = ? AND ignored_at IS NULL').run(now, reason, now, transactionId)
        .changes === 1;
    if (!changed) this.db.prepare('UPDATE transactions SET ignored_reason = ? WHERE id = ?').run(reason, transactionId);
    return changed;
  }
}
