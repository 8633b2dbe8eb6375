import type { Async } from '../port.js';
import { fromRow, type InputIssue, type InputIssueKind, type InputIssueRepo, type InputIssueRow } from '../sqlite/input-issues.js';
import type { Sql } from './port.js';

/** Findings about what came in (see the SQLite InputIssueRepo); the same finding seen again is counted, not repeated. */
export class PgInputIssueRepo implements Async<InputIssueRepo> {
  constructor(private readonly sql: Sql) {}

  /** True when the finding is new (first seen now). */
  async record(i: { accountId: number; kind: InputIssueKind; key: string; severity: 'warning' | 'info'; source: string; message: string; detail?: unknown }, now: string): Promise<boolean> {
    const r = await this.sql.one<{ times: number }>(
      `INSERT INTO input_issues (account_id, kind, key, severity, source, message, detail, first_seen_at, last_seen_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
       ON CONFLICT (account_id, kind, key) DO UPDATE SET message = excluded.message, detail = excluded.detail,
         source = excluded.source, last_seen_at = excluded.last_seen_at, times = input_issues.times + 1
       RETURNING times`,
      [i.accountId, i.kind, i.key, i.severity, i.source, i.message, i.detail === undefined ? null : JSON.stringify(i.detail), now],
    );
    return r!.times === 1;
  }

  /** Drops a finding that no longer holds (a merge undone by `unmerge`). */
  async forget(accountId: number, kind: InputIssueKind, key: string): Promise<void> {
    await this.sql.run('DELETE FROM input_issues WHERE account_id = $1 AND kind = $2 AND key = $3', [accountId, kind, key]);
  }

  async list(q: { accountId?: number; kind?: InputIssueKind } = {}): Promise<InputIssue[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.accountId !== undefined) {
      params.push(q.accountId);
      where.push(`account_id = $${params.length}`);
    }
    if (q.kind) {
      params.push(q.kind);
      where.push(`kind = $${params.length}`);
    }
    const rows = await this.sql.rows<InputIssueRow>(
      `SELECT account_id, kind, key, severity, source, message, detail, first_seen_at, last_seen_at, times FROM input_issues
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY last_seen_at DESC, id DESC`,
      params,
    );
    return rows.map(fromRow);
  }

  /** Keys of one kind for an account: the sync's slow path runs only for ids known to conflict. */
  async keys(accountId: number, kind: InputIssueKind): Promise<Set<string>> {
    const rows = await this.sql.rows<{ key: string }>('SELECT key FROM input_issues WHERE account_id = $1 AND kind = $2', [accountId, kind]);
    return new Set(rows.map((r) => r.key));
  }

  async counts(accountId: number): Promise<{ warnings: number; latest: string | null }> {
    const r = await this.sql.one<{ n: number; latest: string | null }>(
      `SELECT count(*) AS n, (SELECT message FROM input_issues WHERE account_id = $1 AND severity = 'warning' ORDER BY last_seen_at DESC, id DESC LIMIT 1) AS latest
       FROM input_issues WHERE account_id = $1 AND severity = 'warning'`,
      [accountId],
    );
    return { warnings: r!.n, latest: r!.latest };
  }

  /**
   * `counts` of every account that has warnings (status), in one statement, in account order as
   * on SQLite. Every finding's account exists (the foreign key cascades), so grouping the findings
   * gives the accounts SQLite finds by walking the accounts. (Qualified: in ORDER BY a bare `id`
   * would be the output column, the account's.)
   */
  async countsByAccount(): Promise<Map<number, { warnings: number; latest: string | null }>> {
    const rows = await this.sql.rows<{ id: number; n: number; latest: string | null }>(
      `SELECT DISTINCT ON (i.account_id) i.account_id AS id, count(*) OVER (PARTITION BY i.account_id) AS n, i.message AS latest
       FROM input_issues i WHERE i.severity = 'warning'
       ORDER BY i.account_id, i.last_seen_at DESC, i.id DESC`,
    );
    return new Map(rows.map((r) => [r.id, { warnings: r.n, latest: r.latest }]));
  }
}
