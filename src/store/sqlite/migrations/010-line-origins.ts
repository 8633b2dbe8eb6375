import type { Database } from 'better-sqlite3';
import type { Migration } from './migration.js';

/**
 * Explainable, reversible dedupe (issue 18). Where a line came from and every other observation
 * of it that was merged into it instead of stored, with the rung that matched and the candidates
 * weighed; merges a person undid (never made again); lines a person chose to ignore.
 *
 * A provider's line needs no row here: its source and provider id are on the line itself, and a
 * sync matches only by provider id or fingerprint. So a sync writes nothing more per line. A file
 * line that met no stored line is one entry in its file's records (origin_file_records); a file line that was weighed
 * against stored lines, or merged into one, and a line `accounts merge` merged, get a row.
 */
export const v10LineOrigins: Migration = {
  version: 10,
  description: 'where each line came from, merge decisions, ignored lines (issue 18: explain)',
  up(db) {
    db.exec(`
      -- A statement file an import read: one row per content (and name), shared by its lines.
      CREATE TABLE origin_files (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER,
        format TEXT,
        first_seen_at TEXT NOT NULL,
        UNIQUE (sha256, name)
      );

      -- The lines a file added that met no stored line (most of a file): JSON {"<transaction id>":
      -- "line 12", ...} in chunks of a few thousand, one write per chunk instead of a row per line,
      -- and an import of a million lines never holds them all.
      CREATE TABLE origin_file_records (
        file_id INTEGER NOT NULL REFERENCES origin_files(id) ON DELETE CASCADE,
        records TEXT NOT NULL
      );
      CREATE INDEX origin_file_records_by_file ON origin_file_records (file_id);

      -- One observation of a line. role 'stored': it became the line; 'merged': it was taken as
      -- the line (rung says how) instead of being stored. Unmerge turns a merged one into the
      -- stored origin of a new line (unmerged_from names the line it was taken from).
      CREATE TABLE line_origins (
        id INTEGER PRIMARY KEY,
        transaction_id TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('stored', 'merged')),
        -- the line's source text: provider:<id>, file:<name>#<sha prefix>
        source TEXT NOT NULL,
        -- what makes a repeat of this observation the same one (file row + record, a merged line's id)
        source_key TEXT NOT NULL,
        file_id INTEGER REFERENCES origin_files(id),
        -- where in the file: 'line 12', 'Ntry 3'
        record TEXT,
        -- the file's or provider's own id for the line
        raw_id TEXT,
        rung TEXT NOT NULL,
        why TEXT,
        -- JSON [{id, source, text, verdict, why}]: the stored lines it was compared with
        candidates TEXT,
        -- JSON: the observation as received, so a merged one can become its own line again
        observation TEXT,
        unmerged_from TEXT,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        UNIQUE (transaction_id, source_key)
      );

      -- "Do not merge this observation into this line again" (unmerge). observation_key is
      -- x:<external id> or f:<fingerprint> of the observation.
      CREATE TABLE merge_refusals (
        transaction_id TEXT NOT NULL,
        observation_key TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        PRIMARY KEY (transaction_id, observation_key)
      ) WITHOUT ROWID;

      -- What a person decided about a line (ignored, unignored, unmerged), for explain's timeline.
      CREATE TABLE line_decisions (
        id INTEGER PRIMARY KEY,
        transaction_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT,
        at TEXT NOT NULL
      );
      CREATE INDEX line_decisions_by_line ON line_decisions (transaction_id);

      -- A tombstone: the line stays stored (a re-fetch or re-import finds it and adds nothing)
      -- but no export shows it.
      ALTER TABLE transactions ADD COLUMN ignored_at TEXT;
      ALTER TABLE transactions ADD COLUMN ignored_reason TEXT;
    `);
    keepEarlierMerges(db);
  },
};

/**
 * Merges made before this version were recorded only as findings (input_issues, kind
 * fuzzy-merge): they become merged origins. An import's finding holds the file line, so it can
 * be undone; an accounts merge's holds only the deleted line's id (its content is unknown).
 */
function keepEarlierMerges(db: Database): void {
  const rows = db.prepare(`SELECT source, detail, first_seen_at, last_seen_at FROM input_issues WHERE kind = 'fuzzy-merge' AND detail IS NOT NULL`).all() as {
    source: string;
    detail: string;
    first_seen_at: string;
    last_seen_at: string;
  }[];
  const put = db.prepare(
    `INSERT OR IGNORE INTO line_origins (transaction_id, role, source, source_key, record, raw_id, rung, why, observation, first_seen_at, last_seen_at)
     VALUES (?, 'merged', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const r of rows) {
    const d = JSON.parse(r.detail) as { line?: unknown; matched?: string; why?: string };
    if (typeof d.matched !== 'string') continue;
    if (d.line && typeof d.line === 'object') {
      const line = d.line as { id?: string; where?: string };
      put.run(
        d.matched,
        r.source,
        `${r.source}|${line.where ?? ''}`,
        line.where ?? null,
        line.id ?? null,
        'text',
        d.why ?? null,
        JSON.stringify({ ...line, externalId: null }),
        r.first_seen_at,
        r.last_seen_at,
      );
    } else if (typeof d.line === 'string') {
      put.run(d.matched, r.source, `line:${d.line}`, null, null, 'accounts-merge-text', d.why ?? null, null, r.first_seen_at, r.last_seen_at);
    }
  }
}
