import type { Async } from '../port.js';
import type { AccountSummary, ExportRepo, ExportScope, ExportSourceRow, ExportTarget, SentAnnotations, SentState } from '../sqlite/exports.js';
import type { Sql } from './port.js';

interface TargetRow {
  id: number;
  name: string;
  format: string;
  scope: string;
  last_seq: number;
  last_count: number | null;
  exported_at: string | null;
  created_at: string;
}

const targetOf = (r: TargetRow): ExportTarget => ({
  id: r.id,
  name: r.name,
  format: r.format,
  scope: JSON.parse(r.scope) as ExportScope,
  lastSeq: r.last_seq,
  lastCount: r.last_count,
  exportedAt: r.exported_at,
  createdAt: r.created_at,
});

/** A stored line as `lines` reads it, by column name; made into the raw row (ExportSourceRow) the export reads by position. */
interface LineRow {
  seq: number;
  id: string;
  account_id: number;
  booking_date: string;
  amount_minor: number;
  currency: string;
  payee: string | null;
  memo: string | null;
  type: ExportSourceRow[8];
  revision: number;
  removed_at: string | null;
  annotation: string | null;
  external_id: string | null;
  value_date: string | null;
  counterparty_iban: string | null;
  source: string;
}

/**
 * Rows of `export_sent` (or of the annotations) per statement: a batch is one round trip, and a
 * full export's corrections of a million-line store stay a few statements of bounded size.
 */
const BATCH_ROWS = 10_000;

function* chunks<T>(items: readonly T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += BATCH_ROWS) yield items.slice(i, i + BATCH_ROWS);
}

/**
 * Export targets and what each was sent (see the SQLite ExportRepo, the specification).
 *
 * The incremental watermark (`last_seq`) holds on PostgreSQL as on SQLite because every writing
 * unit holds the port's writer lock from BEGIN to COMMIT and a line takes its seq only inside one
 * (port.ts, WRITER_LOCK): a line committed after an export's snapshot always has a greater seq
 * than every line that snapshot saw, so `seq > last_seq` never passes over one. (It also needs
 * the seq's sequence to hand out values one at a time, CACHE 1, the default: a session caching a
 * block would give a later writer a smaller seq.)
 */
export class PgExportRepo implements Async<ExportRepo> {
  constructor(private readonly sql: Sql) {}

  async target(name: string): Promise<ExportTarget | undefined> {
    const r = await this.sql.one<TargetRow>('SELECT * FROM export_targets WHERE name = $1', [name]);
    return r && targetOf(r);
  }

  async targets(): Promise<ExportTarget[]> {
    return (await this.sql.rows<TargetRow>('SELECT * FROM export_targets ORDER BY name')).map(targetOf);
  }

  /** Creates a target, or redefines it from scratch (`--full`): it then has been sent nothing. One statement: the deletes see the rows as they were before it. */
  async defineTarget(name: string, format: string, scope: ExportScope, now: string): Promise<ExportTarget> {
    const r = await this.sql.one<TargetRow>(
      `WITH t AS (
         INSERT INTO export_targets (name, format, scope, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name) DO UPDATE SET format = excluded.format, scope = excluded.scope, last_seq = 0, last_count = NULL, exported_at = NULL
         RETURNING *),
       sent AS (DELETE FROM export_sent WHERE target_id = (SELECT id FROM t)),
       opened AS (DELETE FROM export_opened WHERE target_id = (SELECT id FROM t)),
       annotations AS (DELETE FROM export_annotations WHERE target_id = (SELECT id FROM t))
       SELECT * FROM t`,
      [name, format, JSON.stringify(scope), now],
    );
    return targetOf(r!);
  }

  /**
   * Records a finished export (compare-and-set on `expectedSeq`). The sent lines and annotations
   * go in batches; within a call the last word on a line wins, as in SQLite's row-by-row loop
   * (an upsert cannot touch one row twice in a statement, so repeats are folded first).
   */
  async recordSent(
    targetId: number,
    expectedSeq: number,
    snapshotSeq: number,
    count: number,
    now: string,
    sent: Iterable<{ id: string; revision: number; removed: boolean }>,
    annotations: SentAnnotations = new Map(),
  ): Promise<boolean> {
    const moved = await this.sql.run('UPDATE export_targets SET last_seq = $1, last_count = $2, exported_at = $3 WHERE id = $4 AND last_seq = $5', [snapshotSeq, count, now, targetId, expectedSeq]);
    if (moved === 0) return false;
    const lastSent = new Map<string, { revision: number; removed: boolean }>();
    for (const s of sent) lastSent.set(s.id, s);
    for (const batch of chunks([...lastSent])) {
      await this.sql.run(
        `INSERT INTO export_sent (target_id, transaction_id, revision, removed)
         SELECT $1, s.id, s.revision, s.removed FROM unnest($2::text[], $3::bigint[], $4::bigint[]) AS s (id, revision, removed)
         ON CONFLICT (target_id, transaction_id) DO UPDATE SET revision = excluded.revision, removed = excluded.removed`,
        [targetId, batch.map(([id]) => id), batch.map(([, s]) => s.revision), batch.map(([, s]) => (s.removed ? 1 : 0))],
      );
    }
    const lastKey = new Map<string, string>();
    for (const [key, ids] of annotations) {
      for (const id of ids) lastKey.set(id, key);
    }
    const kept = [...lastKey].filter(([, key]) => key !== '');
    const dropped = [...lastKey].filter(([, key]) => key === '').map(([id]) => id);
    for (const batch of chunks(kept)) {
      await this.sql.run(
        `INSERT INTO export_annotations (target_id, transaction_id, annotation)
         SELECT $1, a.id, a.annotation FROM unnest($2::text[], $3::text[]) AS a (id, annotation)
         ON CONFLICT (target_id, transaction_id) DO UPDATE SET annotation = excluded.annotation`,
        [targetId, batch.map(([id]) => id), batch.map(([, key]) => key)],
      );
    }
    for (const batch of chunks(dropped)) {
      await this.sql.run('DELETE FROM export_annotations WHERE target_id = $1 AND transaction_id = ANY($2::text[])', [targetId, batch]);
    }
    return true;
  }

  /** A target defined (or started over) now holds none of the lines removed or ignored before (see SQLite). */
  async recordGoneAsSent(targetId: number, accountIds: number[], snapshotSeq: number): Promise<void> {
    if (accountIds.length === 0) return;
    await this.sql.run(
      `INSERT INTO export_sent (target_id, transaction_id, revision, removed)
       SELECT $1, id, revision, 1 FROM transactions
       WHERE account_id = ANY($2::bigint[]) AND revision > 0 AND seq <= $3 AND (removed_at IS NOT NULL OR ignored_at IS NOT NULL)
       ON CONFLICT (target_id, transaction_id) DO UPDATE SET revision = excluded.revision, removed = 1`,
      [targetId, accountIds, snapshotSeq],
    );
  }

  async openedAccounts(targetId: number): Promise<Set<string>> {
    const rows = await this.sql.rows<{ account: string }>('SELECT account FROM export_opened WHERE target_id = $1', [targetId]);
    return new Set(rows.map((r) => r.account));
  }

  async recordOpened(targetId: number, accounts: Iterable<string>): Promise<void> {
    const list = [...accounts];
    if (list.length === 0) return;
    await this.sql.run('INSERT INTO export_opened (target_id, account) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING', [targetId, list]);
  }

  async maxSeq(): Promise<number> {
    return (await this.sql.one<{ m: number }>('SELECT coalesce(max(seq), 0) AS m FROM transactions'))!.m;
  }

  async summary(accountId: number, from?: string, to?: string): Promise<AccountSummary> {
    return (await this.sql.one<AccountSummary>(
      `SELECT count(*) AS count, min(booking_date) AS "firstDate", max(booking_date) AS "lastDate", coalesce(sum(amount_minor), 0) AS sum
       FROM transactions WHERE account_id = $1 AND removed_at IS NULL AND ignored_at IS NULL AND booking_date >= $2 AND booking_date <= $3`,
      [accountId, from ?? '0000-01-01', to ?? '9999-12-31'],
    ))!;
  }

  /**
   * Lines of an account sent to a target at an older revision than they have now (see SQLite),
   * with the version the target holds: joined here from the history in the same statement, where
   * SQLite looks each one up.
   */
  async changedSince(targetId: number, accountId: number, lastSeq: number): Promise<Map<string, SentState>> {
    const rows = await this.sql.rows<{
      id: string;
      sent_revision: number | null;
      sent_removed: number | null;
      booking_date: string | null;
      amount_minor: number | null;
      payee: string | null;
      memo: string | null;
      held: boolean;
    }>(
      `WITH c AS (
         SELECT t.id, s.revision AS sent_revision, s.removed AS sent_removed
         FROM transactions t LEFT JOIN export_sent s ON s.target_id = $1 AND s.transaction_id = t.id
         WHERE t.revision > 0 AND t.seq <= $2 AND t.account_id = $3 AND t.revision > coalesce(s.revision, 0)
         UNION ALL
         SELECT t.id, s.revision, s.removed
         FROM export_sent s JOIN transactions t ON t.id = s.transaction_id
         WHERE s.target_id = $1 AND t.account_id = $3 AND t.seq > $2 AND t.revision > s.revision)
       SELECT c.id, c.sent_revision, c.sent_removed, h.booking_date, h.amount_minor, h.payee, h.memo, h.transaction_id IS NOT NULL AS held
       FROM c LEFT JOIN transaction_history h
         ON h.transaction_id = c.id AND h.revision = coalesce(c.sent_revision, 0) AND c.sent_removed IS DISTINCT FROM 1`,
      [targetId, lastSeq, accountId],
    );
    const out = new Map<string, SentState>();
    for (const r of rows) {
      out.set(r.id, {
        revision: r.sent_revision ?? 0,
        removed: r.sent_removed === 1,
        previous: r.held ? { bookingDate: r.booking_date!, amountMinor: r.amount_minor!, payee: r.payee, memo: r.memo } : null,
      });
    }
    return out;
  }

  /** Lines of an account placed after the target's last export that it received all the same (see SQLite). */
  async sentAhead(targetId: number, accountId: number, lastSeq: number): Promise<Set<string>> {
    const rows = await this.sql.rows<{ id: string }>('SELECT t.id FROM export_sent s JOIN transactions t ON t.id = s.transaction_id WHERE s.target_id = $1 AND t.account_id = $2 AND t.seq > $3', [
      targetId,
      accountId,
      lastSeq,
    ]);
    return new Set(rows.map((r) => r.id));
  }

  /** Live lines (not ignored) booked up to and including a date: the opening balance of a ranged export. */
  async sumThrough(accountId: number, date: string): Promise<number> {
    return (await this.sql.one<{ s: number }>(
      'SELECT coalesce(sum(amount_minor), 0) AS s FROM transactions WHERE account_id = $1 AND booking_date <= $2 AND removed_at IS NULL AND ignored_at IS NULL',
      [accountId, date],
    ))!.s;
  }

  /**
   * An account's lines in statement order, in pages through a cursor, as the same raw rows as on
   * SQLite (see there): as long as SQLite's for the same arguments, so the export reads them by
   * position whichever store it runs on.
   */
  async *lines(accountId: number, from: string | undefined, to: string | undefined, withRemoved: boolean, targetId?: number, detail = true): AsyncGenerator<ExportSourceRow[]> {
    const annotated = targetId !== undefined;
    const text = `SELECT t.seq, t.id, t.account_id, t.booking_date, t.amount_minor, t.currency, t.payee, t.memo, t.type, t.revision,
              coalesce(t.removed_at, t.ignored_at) AS removed_at${annotated ? ', a.annotation' : ''}${detail ? ', t.external_id, t.value_date, t.counterparty_iban, t.source' : ''}
       FROM transactions t ${annotated ? 'LEFT JOIN export_annotations a ON a.target_id = $4 AND a.transaction_id = t.id' : ''}
       WHERE t.account_id = $1 AND t.booking_date >= $2 AND t.booking_date <= $3 ${withRemoved ? 'AND (t.removed_at IS NULL OR t.revision > 0)' : 'AND t.removed_at IS NULL AND t.ignored_at IS NULL'}
       ORDER BY t.booking_date, t.seq`;
    const params: unknown[] = [accountId, from ?? '0000-01-01', to ?? '9999-12-31'];
    if (annotated) params.push(targetId);
    // The row's length as SQLite's: the annotation is there with a target or with the details, the details only with `detail`.
    const withAnnotation = annotated || detail;
    for await (const page of this.sql.pages<LineRow>(text, params)) {
      yield page.map((r) => {
        const row: unknown[] = [r.seq, r.id, r.account_id, r.booking_date, r.amount_minor, r.currency, r.payee, r.memo, r.type, r.revision, r.removed_at];
        if (withAnnotation) row.push(r.annotation ?? null);
        if (detail) row.push(r.external_id, r.value_date, r.counterparty_iban, r.source);
        return row as ExportSourceRow;
      });
    }
  }
}
