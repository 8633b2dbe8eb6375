import type { Transaction, TransactionType } from '../../domain/model.js';
import type { Db } from './db.js';

export interface ExportScope {
  accountIds?: number[];
  connectionId?: number;
  from?: string;
  to?: string;
}

export interface ExportTarget {
  id: number;
  name: string;
  format: string;
  scope: ExportScope;
  lastSeq: number;
  lastCount: number | null;
  exportedAt: string | null;
  createdAt: string;
}

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

const fromRow = (r: TargetRow): ExportTarget => ({
  id: r.id,
  name: r.name,
  format: r.format,
  scope: JSON.parse(r.scope) as ExportScope,
  lastSeq: r.last_seq,
  lastCount: r.last_count,
  exportedAt: r.exported_at,
  createdAt: r.created_at,
});

/**
 * A stored line as the export reads it: a raw row straight from the cursor (arrays cost far less
 * than objects at a million lines), read through the LINE column positions.
 */
export type ExportSourceRow = [
  seq: number,
  id: string,
  accountId: number,
  bookingDate: string,
  amountMinor: number,
  currency: string,
  payee: string | null,
  memo: string | null,
  type: TransactionType,
  revision: number,
  removedAt: string | null,
  /** The annotation key the target received with this line (migration 008); null: none, or no target (absent without the details). */
  sentAnnotation: string | null,
  // The details last: a read without them (`lines(…, detail = false)`) ends before them.
  externalId: string | null,
  valueDate: string | null,
  counterpartyIban: string | null,
  source: string,
];

export const LINE = {
  seq: 0,
  id: 1,
  accountId: 2,
  bookingDate: 3,
  amountMinor: 4,
  currency: 5,
  payee: 6,
  memo: 7,
  type: 8,
  revision: 9,
  removedAt: 10,
  sentAnnotation: 11,
  externalId: 12,
  valueDate: 13,
  counterpartyIban: 14,
  source: 15,
} as const;

/**
 * Annotation keys a target was sent, each with the lines it came with; '' when they came with none
 * (their rows go). By key: a few categories cover most lines, so an export holds each key once.
 */
export type SentAnnotations = ReadonlyMap<string, readonly string[]>;

/** What a target holds of a corrected line: the revision sent and whether that was its removal. */
export interface SentState {
  revision: number;
  removed: boolean;
  /** The version the target received (for journal reversals); null when it received a removal. */
  previous: Pick<Transaction, 'bookingDate' | 'amountMinor' | 'payee' | 'memo'> | null;
}

export interface AccountSummary {
  count: number;
  firstDate: string | null;
  lastDate: string | null;
  sum: number;
}

export class ExportRepo {
  constructor(private readonly db: Db) {}

  target(name: string): ExportTarget | undefined {
    const r = this.db.prepare('SELECT * FROM export_targets WHERE name = ?').get(name) as TargetRow | undefined;
    return r && fromRow(r);
  }

  targets(): ExportTarget[] {
    return (this.db.prepare('SELECT * FROM export_targets ORDER BY name').all() as TargetRow[]).map(fromRow);
  }

  /** Creates a target, or redefines it from scratch (`--full`): it then has been sent nothing. */
  defineTarget(name: string, format: string, scope: ExportScope, now: string): ExportTarget {
    this.db
      .prepare(
        `INSERT INTO export_targets (name, format, scope, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET format = excluded.format, scope = excluded.scope, last_seq = 0,
           last_count = NULL, exported_at = NULL`,
      )
      .run(name, format, JSON.stringify(scope), now);
    const t = this.target(name)!;
    this.db.prepare('DELETE FROM export_sent WHERE target_id = ?').run(t.id);
    this.db.prepare('DELETE FROM export_opened WHERE target_id = ?').run(t.id);
    this.db.prepare('DELETE FROM export_annotations WHERE target_id = ?').run(t.id);
    return t;
  }

  /**
   * Records a finished export: every line up to `snapshotSeq` and the given corrections were sent.
   * Compare-and-set on `expectedSeq`, so two exports of one target at once cannot both advance it.
   * `annotations`: the lines whose annotation the target now holds differs from what it held.
   */
  recordSent(
    targetId: number,
    expectedSeq: number,
    snapshotSeq: number,
    count: number,
    now: string,
    sent: Iterable<{ id: string; revision: number; removed: boolean }>,
    annotations: SentAnnotations = new Map(),
  ): boolean {
    const moved = this.db.prepare('UPDATE export_targets SET last_seq = ?, last_count = ?, exported_at = ? WHERE id = ? AND last_seq = ?').run(snapshotSeq, count, now, targetId, expectedSeq).changes;
    if (moved === 0) return false;
    const put = this.db.prepare(
      'INSERT INTO export_sent (target_id, transaction_id, revision, removed) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET revision = excluded.revision, removed = excluded.removed',
    );
    for (const s of sent) put.run(targetId, s.id, s.revision, s.removed ? 1 : 0);
    const keep = this.db.prepare('INSERT INTO export_annotations (target_id, transaction_id, annotation) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET annotation = excluded.annotation');
    const drop = this.db.prepare('DELETE FROM export_annotations WHERE target_id = ? AND transaction_id = ?');
    for (const [key, ids] of annotations) {
      for (const id of ids) {
        if (key) keep.run(targetId, id, key);
        else drop.run(targetId, id);
      }
    }
    return true;
  }

  /**
   * A target defined (or started over) now holds none of the lines removed or ignored before:
   * recorded as sent in that state, so changedSince does not send it their removal later.
   */
  recordGoneAsSent(targetId: number, accountIds: number[], snapshotSeq: number): void {
    if (accountIds.length === 0) return;
    this.db
      .prepare(
        `INSERT INTO export_sent (target_id, transaction_id, revision, removed)
         SELECT ?, id, revision, 1 FROM transactions
         WHERE account_id IN (${accountIds.map(() => '?').join(',')}) AND revision > 0 AND seq <= ? AND (removed_at IS NOT NULL OR ignored_at IS NOT NULL)
         ON CONFLICT DO UPDATE SET revision = excluded.revision, removed = 1`,
      )
      .run(targetId, ...accountIds, snapshotSeq);
  }

  /** Accounts the target's earlier files opened (beancount), beyond the standard ones. */
  openedAccounts(targetId: number): Set<string> {
    const rows = this.db.prepare('SELECT account FROM export_opened WHERE target_id = ?').all(targetId) as { account: string }[];
    return new Set(rows.map((r) => r.account));
  }

  recordOpened(targetId: number, accounts: Iterable<string>): void {
    const put = this.db.prepare('INSERT OR IGNORE INTO export_opened (target_id, account) VALUES (?, ?)');
    for (const a of accounts) put.run(targetId, a);
  }

  maxSeq(): number {
    return (this.db.prepare('SELECT coalesce(max(seq), 0) AS m FROM transactions').get() as { m: number }).m;
  }

  summary(accountId: number, from?: string, to?: string): AccountSummary {
    const r = this.db
      .prepare(
        `SELECT count(*) AS count, min(booking_date) AS firstDate, max(booking_date) AS lastDate, coalesce(sum(amount_minor), 0) AS sum
         FROM transactions WHERE account_id = ? AND removed_at IS NULL AND ignored_at IS NULL AND booking_date >= ? AND booking_date <= ?`,
      )
      .get(accountId, from ?? '0000-01-01', to ?? '9999-12-31') as AccountSummary;
    return r;
  }

  /**
   * Lines of an account sent to a target at an older revision than they have now (corrected or
   * removed since), with the version the target holds. Small: only corrected lines are looked at,
   * and lines a merge moved past the target's last export that it had received (sentAhead).
   */
  changedSince(targetId: number, accountId: number, lastSeq: number): Map<string, SentState> {
    const rows = this.db
      .prepare(
        `SELECT t.id, t.revision, s.revision AS sent_revision, s.removed AS sent_removed
         FROM transactions t LEFT JOIN export_sent s ON s.target_id = ? AND s.transaction_id = t.id
         WHERE t.revision > 0 AND t.seq <= ? AND t.account_id = ? AND t.revision > coalesce(s.revision, 0)
         UNION ALL
         SELECT t.id, t.revision, s.revision, s.removed
         FROM export_sent s JOIN transactions t ON t.id = s.transaction_id
         WHERE s.target_id = ? AND t.account_id = ? AND t.seq > ? AND t.revision > s.revision`,
      )
      .all(targetId, lastSeq, accountId, targetId, accountId, lastSeq) as { id: string; revision: number; sent_revision: number | null; sent_removed: number | null }[];
    const history = this.db.prepare('SELECT booking_date, amount_minor, payee, memo FROM transaction_history WHERE transaction_id = ? AND revision = ?');
    const out = new Map<string, SentState>();
    for (const r of rows) {
      const revision = r.sent_revision ?? 0;
      const removed = r.sent_removed === 1;
      const h = removed ? undefined : (history.get(r.id, revision) as { booking_date: string; amount_minor: number; payee: string | null; memo: string | null } | undefined);
      out.set(r.id, {
        revision,
        removed,
        previous: h ? { bookingDate: h.booking_date, amountMinor: h.amount_minor, payee: h.payee, memo: h.memo } : null,
      });
    }
    return out;
  }

  /**
   * Lines of an account placed after the target's last export that it received all the same:
   * lines `accounts merge` moved from an account the target covered (they get a new seq, so a
   * target that never had them gets them as new, while this one must not get them twice).
   */
  sentAhead(targetId: number, accountId: number, lastSeq: number): Set<string> {
    const rows = this.db
      .prepare('SELECT t.id FROM export_sent s JOIN transactions t ON t.id = s.transaction_id WHERE s.target_id = ? AND t.account_id = ? AND t.seq > ?')
      .all(targetId, accountId, lastSeq) as { id: string }[];
    return new Set(rows.map((r) => r.id));
  }

  /** Live lines (not ignored) booked up to and including a date: the opening balance of a ranged export. */
  sumThrough(accountId: number, date: string): number {
    return (
      this.db.prepare('SELECT coalesce(sum(amount_minor), 0) AS s FROM transactions WHERE account_id = ? AND booking_date <= ? AND removed_at IS NULL AND ignored_at IS NULL').get(accountId, date) as {
        s: number;
      }
    ).s;
  }

  /**
   * Streams an account's lines in statement order; removed ones only when asked. Raw rows come
   * straight from SQLite's cursor: the export builds its one object per line from them. An
   * ignored line (`transactions ignore`) is a removed one to every export: its tombstone time
   * stands in removed_at, and ignoring bumped its revision, so a target that received it gets
   * its removal. With a target, each row carries the annotation that target received (one
   * primary-key lookup a line, so memory stays flat). Without `detail` the rows end before the
   * external id, value date, counterparty IBAN and source: a CSV export that writes none of them
   * reads a fifth less per line (each column is a value made from SQLite's cell); without a
   * target either, they end before the sent annotation too.
   */
  lines(accountId: number, from: string | undefined, to: string | undefined, withRemoved: boolean, targetId?: number, detail = true): IterableIterator<ExportSourceRow> {
    const stmt = this.db.prepare(
      `SELECT t.seq, t.id, t.account_id, t.booking_date, t.amount_minor, t.currency, t.payee, t.memo, t.type, t.revision,
              coalesce(t.removed_at, t.ignored_at)${targetId !== undefined ? ', a.annotation' : detail ? ', NULL' : ''}${detail ? ', t.external_id, t.value_date, t.counterparty_iban, t.source' : ''}
       FROM transactions t ${targetId === undefined ? '' : 'LEFT JOIN export_annotations a ON a.target_id = ? AND a.transaction_id = t.id'}
       WHERE t.account_id = ? AND t.booking_date >= ? AND t.booking_date <= ? ${withRemoved ? 'AND (t.removed_at IS NULL OR t.revision > 0)' : 'AND t.removed_at IS NULL AND t.ignored_at IS NULL'}
       ORDER BY t.booking_date, t.seq`,
    );
    const params = [accountId, from ?? '0000-01-01', to ?? '9999-12-31'];
    return stmt.raw().iterate(...(targetId === undefined ? params : [targetId, ...params])) as IterableIterator<ExportSourceRow>;
  }
}
