import type { Store } from '../../store/index.js';

export interface AppliedChanges {
  /** Lines the archive gives that the books did not have. */
  added: number;
  /** Lines whose content differs now (a mapping changed): a new revision, which incremental exports send once. */
  corrected: number;
  /** Lines the archive no longer gives: marked removed (exports send the removal), never deleted. */
  removed: number;
}

const CONTENT = ['booking_date', 'value_date', 'amount_minor', 'currency', 'payee', 'memo', 'type', 'counterparty_iban'] as const;

/**
 * Makes the books' derived data for `accountIds` what the rebuilt copy at `rebuiltPath` holds,
 * in one transaction, without disturbing what exports rely on: a line that came out the same
 * keeps its row (seq, revision, first seen), so incremental targets see nothing new; a line that
 * came out different is corrected in place (revision + 1, the old version kept in its history);
 * a new line is added; a line no longer derived is marked removed. Pending lines are matched by
 * their key; balances, coverage, input issues and the account's anchor are taken as rebuilt.
 */
export function applyRebuilt(store: Store, rebuiltPath: string, accountIds: number[], now: string): AppliedChanges {
  const db = store.db;
  db.prepare('ATTACH DATABASE ? AS rebuilt').run(rebuiltPath);
  try {
    return store.tx(() => {
      const ids = accountIds.map(() => '?').join(', ');
      const differs = CONTENT.map((c) => `t.${c} IS NOT r.${c}`).join(' OR ');
      const corrected = db
        .prepare(
          `UPDATE main.transactions AS t SET ${CONTENT.map((c) => `${c} = r.${c}`).join(', ')}, removed_at = NULL, updated_at = ?, revision = t.revision + 1
           FROM rebuilt.transactions AS r
           WHERE r.id = t.id AND t.account_id IN (${ids}) AND r.removed_at IS NULL AND (${differs} OR t.removed_at IS NOT NULL)`,
        )
        .run(now, ...accountIds).changes;
      const removed = db
        .prepare(
          `UPDATE main.transactions SET removed_at = ?, updated_at = ?, revision = revision + 1
           WHERE account_id IN (${ids}) AND removed_at IS NULL
             AND id NOT IN (SELECT id FROM rebuilt.transactions WHERE removed_at IS NULL)`,
        )
        .run(now, now, ...accountIds).changes;
      const added = db
        .prepare(
          `INSERT INTO main.transactions (id, account_id, external_id, fingerprint, ordinal, ${CONTENT.join(', ')}, source, first_seen_at, updated_at, revision, removed_at)
           SELECT id, account_id, external_id, fingerprint, ordinal, ${CONTENT.join(', ')}, source, first_seen_at, updated_at, 0, removed_at
           FROM rebuilt.transactions WHERE account_id IN (${ids}) AND id NOT IN (SELECT id FROM main.transactions) ORDER BY seq`,
        )
        .run(...accountIds).changes;

      // Pending lines keep their row ids when they are still there.
      db.prepare(`DELETE FROM main.pending_transactions WHERE account_id IN (${ids}) AND (account_id, dedupe_key) NOT IN (SELECT account_id, dedupe_key FROM rebuilt.pending_transactions)`).run(
        ...accountIds,
      );
      db.prepare(
        `INSERT INTO main.pending_transactions (account_id, dedupe_key, external_id, date, amount_minor, currency, payee, memo, status, transaction_id, first_seen_at, last_seen_at)
         SELECT account_id, dedupe_key, external_id, date, amount_minor, currency, payee, memo, status, transaction_id, first_seen_at, last_seen_at
         FROM rebuilt.pending_transactions WHERE account_id IN (${ids}) ORDER BY id
         ON CONFLICT (account_id, dedupe_key) DO UPDATE SET external_id = excluded.external_id, date = excluded.date, amount_minor = excluded.amount_minor,
           currency = excluded.currency, payee = excluded.payee, memo = excluded.memo, status = excluded.status, transaction_id = excluded.transaction_id,
           first_seen_at = excluded.first_seen_at, last_seen_at = excluded.last_seen_at`,
      ).run(...accountIds);

      for (const table of ['balances', 'coverage', 'input_issues']) {
        db.prepare(`DELETE FROM main.${table} WHERE account_id IN (${ids})`).run(...accountIds);
        const cols = (db.prepare(`PRAGMA main.table_info(${table})`).all() as { name: string }[]).map((c) => c.name).filter((c) => c !== 'id');
        db.prepare(`INSERT INTO main.${table} (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM rebuilt.${table} WHERE account_id IN (${ids})`).run(...accountIds);
      }
      db.prepare(
        `UPDATE main.accounts AS a SET watermark_date = r.watermark_date, opening_balance_minor = r.opening_balance_minor,
           balance_drift_minor = r.balance_drift_minor, feed_cursor = r.feed_cursor
         FROM rebuilt.accounts AS r WHERE r.id = a.id AND a.id IN (${ids})`,
      ).run(...accountIds);
      return { added, corrected, removed };
    });
  } finally {
    db.prepare('DETACH DATABASE rebuilt').run();
  }
}
