import type { Async } from '../port.js';
import type { LineDecision, LineOrigin, LineOriginRepo, OriginInput, OriginRow } from '../sqlite/line-origins.js';
import { originFromRow as fromRow } from '../sqlite/line-origins.js';
import type { Sql } from './port.js';

/** Line origins, merge refusals, decisions and tombstones (see the SQLite LineOriginRepo). */
export class PgLineOriginRepo implements Async<LineOriginRepo> {
  constructor(private readonly sql: Sql) {}

  async has(transactionId: string, sourceKey: string): Promise<boolean> {
    return (await this.sql.one('SELECT 1 FROM line_origins WHERE transaction_id = $1 AND source_key = $2', [transactionId, sourceKey])) !== undefined;
  }

  /** The file an import reads; the same content under the same name is one row. */
  async fileId(f: { name: string; sha256: string; size: number | null; format: string }, now: string): Promise<number> {
    await this.sql.run('INSERT INTO origin_files (name, sha256, size, format, first_seen_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256, name) DO NOTHING', [
      f.name,
      f.sha256,
      f.size,
      f.format,
      now,
    ]);
    return (await this.sql.one<{ id: number }>('SELECT id FROM origin_files WHERE sha256 = $1 AND name = $2', [f.sha256, f.name]))!.id;
  }

  /** One chunk of a file's records: appended, never merged. */
  async addFileRecords(fileId: number, records: Record<string, string>): Promise<void> {
    await this.sql.run('INSERT INTO origin_file_records (file_id, records) VALUES ($1, $2)', [fileId, JSON.stringify(records)]);
  }

  /**
   * Where a line a file added came from when it has no row of its own: the file (named by the
   * line's source, `file:<name>#<sha256 prefix>`) whose records hold it. SQLite's
   * `json_extract(records, '$.' || id)` reads a top-level key; `->>` reads the same key without
   * parsing the id as a path. The records are stored as text (a chunk is written once, read
   * rarely): cast per row here, only for the chunks of the one file.
   */
  async fileRecord(transactionId: string, source: string): Promise<Awaited<ReturnType<LineOriginRepo['fileRecord']>>> {
    const m = /^file:(.*)#([0-9a-f]+)$/.exec(source);
    if (!m) return undefined;
    const r = await this.sql.one<{ id: number; name: string; sha256: string; size: number | null; format: string | null; first_seen_at: string; record: string }>(
      `SELECT f.id, f.name, f.sha256, f.size, f.format, f.first_seen_at, r.records::jsonb ->> $1 AS record
       FROM origin_files f JOIN origin_file_records r ON r.file_id = f.id
       WHERE f.name = $2 AND substr(f.sha256, 1, $3) = $4 AND r.records::jsonb ->> $1 IS NOT NULL ORDER BY f.id LIMIT 1`,
      [transactionId, m[1], m[2]!.length, m[2]],
    );
    return r && { fileId: r.id, record: r.record, file: { name: r.name, sha256: r.sha256, size: r.size, format: r.format }, firstSeenAt: r.first_seen_at };
  }

  /** A repeat of the same observation (the same file imported again) only refreshes last_seen_at. */
  async record(o: OriginInput, now: string): Promise<void> {
    await this.sql.run(
      `INSERT INTO line_origins (transaction_id, role, source, source_key, file_id, record, raw_id, rung, why, candidates, observation, first_seen_at, last_seen_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
       ON CONFLICT (transaction_id, source_key) DO UPDATE SET last_seen_at = excluded.last_seen_at`,
      [
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
      ],
    );
  }

  async of(transactionId: string): Promise<LineOrigin[]> {
    const rows = await this.sql.rows<OriginRow>(
      `SELECT o.*, f.name AS f_name, f.sha256 AS f_sha256, f.size AS f_size, f.format AS f_format
       FROM line_origins o LEFT JOIN origin_files f ON f.id = o.file_id WHERE o.transaction_id = $1 ORDER BY o.id`,
      [transactionId],
    );
    return rows.map(fromRow);
  }

  /** A merged observation becomes the stored origin of the line made from it. */
  async detach(rowId: number, newTransactionId: string, fromId: string, now: string): Promise<void> {
    await this.sql.run(`UPDATE line_origins SET transaction_id = $1, role = 'stored', rung = 'unmerged', unmerged_from = $2, last_seen_at = $3 WHERE id = $4`, [newTransactionId, fromId, now, rowId]);
  }

  /** Keys `<transaction id>|<observation key>` of the account's refused merges. */
  async refusals(accountId: number): Promise<Set<string>> {
    const rows = await this.sql.rows<{ t: string; k: string }>(
      'SELECT r.transaction_id AS t, r.observation_key AS k FROM merge_refusals r JOIN transactions x ON x.id = r.transaction_id WHERE x.account_id = $1',
      [accountId],
    );
    return new Set(rows.map((r) => `${r.t}|${r.k}`));
  }

  async refuse(transactionId: string, observationKey: string, now: string): Promise<void> {
    await this.sql.run('INSERT INTO merge_refusals (transaction_id, observation_key, decided_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [transactionId, observationKey, now]);
  }

  async decide(transactionId: string, kind: LineDecision['kind'], detail: Record<string, unknown> | null, now: string): Promise<void> {
    await this.sql.run('INSERT INTO line_decisions (transaction_id, kind, detail, at) VALUES ($1, $2, $3, $4)', [transactionId, kind, detail && JSON.stringify(detail), now]);
  }

  async decisions(transactionId: string): Promise<LineDecision[]> {
    const rows = await this.sql.rows<{ kind: LineDecision['kind']; detail: string | null; at: string }>('SELECT kind, detail, at FROM line_decisions WHERE transaction_id = $1 ORDER BY id', [
      transactionId,
    ]);
    return rows.map((r) => ({ kind: r.kind, detail: r.detail === null ? null : JSON.parse(r.detail), at: r.at }));
  }

  /**
   * Sets or clears a line's tombstone. A change bumps the revision (the trigger keeps the earlier
   * version), so an export target that received the line gets its removal, or gets it again
   * after unignore. False when the line already was in that state (a new reason is still kept).
   */
  async setIgnored(transactionId: string, reason: string | null, ignore: boolean, now: string): Promise<boolean> {
    if (!ignore) {
      return (
        (await this.sql.run('UPDATE transactions SET ignored_at = NULL, ignored_reason = NULL, revision = revision + 1, updated_at = $1 WHERE id = $2 AND ignored_at IS NOT NULL', [
          now,
          transactionId,
        ])) === 1
      );
    }
    const changed =
      (await this.sql.run('UPDATE transactions SET ignored_at = $1, ignored_reason = $2, revision = revision + 1, updated_at = $1 WHERE id = $3 AND ignored_at IS NULL', [
        now,
        reason,
        transactionId,
      ])) === 1;
    if (!changed) await this.sql.run('UPDATE transactions SET ignored_reason = $1 WHERE id = $2', [reason, transactionId]);
    return changed;
  }
}
