import type { Db } from './db.js';

export interface NewArchiveEntry {
  providerId: string;
  connectionId: number | null;
  accountIds: number[];
  level: 'http' | 'pages';
  fetchedAt: string;
  from: string;
  to: string;
  codec: string;
  rawBytes: number;
  body: Buffer;
}

export interface ArchiveEntryRow extends NewArchiveEntry {
  id: number;
}

export interface ArchiveSize {
  entries: number;
  /** Bytes on disk (compressed bodies). */
  storedBytes: number;
  /** Bytes before compression. */
  rawBytes: number;
  oldest: string | null;
  newest: string | null;
}

interface Row {
  id: number;
  provider_id: string;
  connection_id: number | null;
  level: 'http' | 'pages';
  fetched_at: string;
  window_from: string;
  window_to: string;
  codec: string;
  raw_bytes: number;
  body: Buffer;
  account_ids: string;
}

/** The raw archive (migration 011): compressed provider answers, by fetch. */
export class ArchiveRepo {
  constructor(private readonly db: Db) {}

  insert(e: NewArchiveEntry): number {
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO raw_archive (provider_id, connection_id, level, fetched_at, window_from, window_to, codec, raw_bytes, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(e.providerId, e.connectionId, e.level, e.fetchedAt, e.from, e.to, e.codec, e.rawBytes, e.body);
    const link = this.db.prepare('INSERT OR IGNORE INTO raw_archive_accounts (entry_id, account_id) VALUES (?, ?)');
    for (const a of e.accountIds) link.run(lastInsertRowid, a);
    return Number(lastInsertRowid);
  }

  /** Entries in the order they were fetched; `accountIds` keeps those that wrote to one of them. */
  list(filter: { accountIds?: number[]; toOnOrAfter?: string; providerId?: string } = {}): ArchiveEntryRow[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.providerId) {
      where.push('r.provider_id = ?');
      args.push(filter.providerId);
    }
    if (filter.accountIds) {
      where.push(`r.id IN (SELECT entry_id FROM raw_archive_accounts WHERE account_id IN (${filter.accountIds.map(() => '?').join(', ') || 'NULL'}))`);
      args.push(...filter.accountIds);
    }
    if (filter.toOnOrAfter) {
      where.push('r.window_to >= ?');
      args.push(filter.toOnOrAfter);
    }
    const rows = this.db
      .prepare(
        `SELECT r.*, (SELECT json_group_array(account_id) FROM raw_archive_accounts WHERE entry_id = r.id) AS account_ids
         FROM raw_archive r ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.id`,
      )
      .all(...args) as Row[];
    return rows.map((r) => ({
      id: r.id,
      providerId: r.provider_id,
      connectionId: r.connection_id,
      accountIds: JSON.parse(r.account_ids) as number[],
      level: r.level,
      fetchedAt: r.fetched_at,
      from: r.window_from,
      to: r.window_to,
      codec: r.codec,
      rawBytes: r.raw_bytes,
      body: r.body,
    }));
  }

  /** Retention: entries fetched before `cutoff`, and those whose accounts are all gone. */
  pruneBefore(cutoff: string): number {
    const old = this.db.prepare('DELETE FROM raw_archive WHERE fetched_at < ?').run(cutoff).changes;
    const orphans = this.db.prepare('DELETE FROM raw_archive WHERE id NOT IN (SELECT entry_id FROM raw_archive_accounts)').run().changes;
    return old + orphans;
  }

  size(): ArchiveSize {
    const r = this.db
      .prepare('SELECT count(*) AS n, coalesce(sum(length(body)), 0) AS stored, coalesce(sum(raw_bytes), 0) AS raw, min(fetched_at) AS oldest, max(fetched_at) AS newest FROM raw_archive')
      .get() as { n: number; stored: number; raw: number; oldest: string | null; newest: string | null };
    return { entries: r.n, storedBytes: r.stored, rawBytes: r.raw, oldest: r.oldest, newest: r.newest };
  }
}
