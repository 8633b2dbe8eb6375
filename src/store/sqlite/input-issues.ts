import type { Db } from './db.js';

/**
 * quarantined: a line refused at the boundary and kept here instead of in the books.
 * id-conflict: a provider id carried two different lines in one answer; both were stored.
 * fuzzy-merge: a file line taken as the same payment as a stored line from another source.
 * field-dropped: a field that could not be read was left empty (an impossible value date); the line was kept.
 * provider-warning: a problem the provider reported inside a successful answer (SimpleFIN
 *   errors/errlist), or an answer for an account banksync does not sync.
 */
export const INPUT_ISSUE_KINDS = ['quarantined', 'id-conflict', 'fuzzy-merge', 'field-dropped', 'provider-warning'] as const;
export type InputIssueKind = (typeof INPUT_ISSUE_KINDS)[number];

export interface InputIssue {
  accountId: number;
  kind: InputIssueKind;
  key: string;
  severity: 'warning' | 'info';
  source: string;
  message: string;
  detail: unknown;
  firstSeenAt: string;
  lastSeenAt: string;
  times: number;
}

/** A row as stored, the same on every store. */
export interface InputIssueRow {
  account_id: number;
  kind: InputIssueKind;
  key: string;
  severity: 'warning' | 'info';
  source: string;
  message: string;
  detail: string | null;
  first_seen_at: string;
  last_seen_at: string;
  times: number;
}

export const fromRow = (r: InputIssueRow): InputIssue => ({
  accountId: r.account_id,
  kind: r.kind,
  key: r.key,
  severity: r.severity,
  source: r.source,
  message: r.message,
  detail: r.detail === null ? null : JSON.parse(r.detail),
  firstSeenAt: r.first_seen_at,
  lastSeenAt: r.last_seen_at,
  times: r.times,
});

/** Findings about what came in (see migration 004); the same finding seen again is counted, not repeated. */
export class InputIssueRepo {
  constructor(private readonly db: Db) {}

  /** True when the finding is new (first seen now). */
  record(i: { accountId: number; kind: InputIssueKind; key: string; severity: 'warning' | 'info'; source: string; message: string; detail?: unknown }, now: string): boolean {
    const r = this.db
      .prepare(
        `INSERT INTO input_issues (account_id, kind, key, severity, source, message, detail, first_seen_at, last_seen_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (account_id, kind, key) DO UPDATE SET message = excluded.message, detail = excluded.detail,
           source = excluded.source, last_seen_at = excluded.last_seen_at, times = times + 1
         RETURNING times`,
      )
      .get(i.accountId, i.kind, i.key, i.severity, i.source, i.message, i.detail === undefined ? null : JSON.stringify(i.detail), now, now) as { times: number };
    return r.times === 1;
  }

  /** Drops a finding that no longer holds (a merge undone by `unmerge`). */
  forget(accountId: number, kind: InputIssueKind, key: string): void {
    this.db.prepare('DELETE FROM input_issues WHERE account_id = ? AND kind = ? AND key = ?').run(accountId, kind, key);
  }

  list(q: { accountId?: number; kind?: InputIssueKind } = {}): InputIssue[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.accountId !== undefined) {
      where.push('account_id = ?');
      params.push(q.accountId);
    }
    if (q.kind) {
      where.push('kind = ?');
      params.push(q.kind);
    }
    return (this.db.prepare(`SELECT * FROM input_issues ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY last_seen_at DESC, id DESC`).all(...params) as InputIssueRow[]).map(fromRow);
  }

  /** Keys of one kind for an account: the sync's slow path runs only for ids known to conflict. */
  keys(accountId: number, kind: InputIssueKind): Set<string> {
    return new Set((this.db.prepare('SELECT key FROM input_issues WHERE account_id = ? AND kind = ?').all(accountId, kind) as { key: string }[]).map((r) => r.key));
  }

  counts(accountId: number): { warnings: number; latest: string | null } {
    const r = this.db
      .prepare(`SELECT count(*) AS n, (SELECT message FROM input_issues WHERE account_id = ? AND severity = 'warning' ORDER BY last_seen_at DESC, id DESC LIMIT 1) AS latest
                FROM input_issues WHERE account_id = ? AND severity = 'warning'`)
      .get(accountId, accountId) as { n: number; latest: string | null };
    return { warnings: r.n, latest: r.latest };
  }

  /** `counts` of every account that has warnings (status), at once: an index seek per account, as `counts`. */
  countsByAccount(): Map<number, { warnings: number; latest: string | null }> {
    const rows = this.db
      .prepare(
        `SELECT id, n, (SELECT message FROM input_issues WHERE account_id = c.id AND severity = 'warning' ORDER BY last_seen_at DESC, id DESC LIMIT 1) AS latest
         FROM (SELECT a.id, (SELECT count(*) FROM input_issues WHERE account_id = a.id AND severity = 'warning') AS n FROM accounts a) c WHERE n > 0`,
      )
      .all() as { id: number; n: number; latest: string | null }[];
    return new Map(rows.map((r) => [r.id, { warnings: r.n, latest: r.latest }]));
  }
}
