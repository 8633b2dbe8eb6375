import type { Async } from '../port.js';
import type { ArchiveEntryRow, ArchiveRepo, ArchiveSize, NewArchiveEntry } from '../sqlite/archive.js';
import type { Sql } from './port.js';

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
  account_ids: number[];
}

/** The raw archive: compressed provider answers, by fetch (see the SQLite ArchiveRepo). Bodies are bytea, read back as Buffers. */
export class PgArchiveRepo implements Async<ArchiveRepo> {
  constructor(private readonly sql: Sql) {}

  /** The entry and the accounts it wrote to, in one statement. */
  async insert(e: NewArchiveEntry): Promise<number> {
    const r = await this.sql.one<{ id: number }>(
      `WITH entry AS (
         INSERT INTO raw_archive (provider_id, connection_id, level, fetched_at, window_from, window_to, codec, raw_bytes, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id),
       links AS (
         INSERT INTO raw_archive_accounts (entry_id, account_id) SELECT entry.id, a FROM entry, unnest($10::bigint[]) AS a ON CONFLICT DO NOTHING)
       SELECT id FROM entry`,
      [e.providerId, e.connectionId, e.level, e.fetchedAt, e.from, e.to, e.codec, e.rawBytes, e.body, e.accountIds],
    );
    return r!.id;
  }

  /** Entries in the order they were fetched; `accountIds` keeps those that wrote to one of them. Each entry's accounts by id, as SQLite's index gives them. */
  async list(filter: { accountIds?: number[]; toOnOrAfter?: string; providerId?: string } = {}): Promise<ArchiveEntryRow[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.providerId) {
      args.push(filter.providerId);
      where.push(`r.provider_id = $${args.length}`);
    }
    if (filter.accountIds) {
      args.push(filter.accountIds);
      where.push(`EXISTS (SELECT 1 FROM raw_archive_accounts l WHERE l.entry_id = r.id AND l.account_id = ANY($${args.length}::bigint[]))`);
    }
    if (filter.toOnOrAfter) {
      args.push(filter.toOnOrAfter);
      where.push(`r.window_to >= $${args.length}`);
    }
    const rows = await this.sql.rows<Row>(
      `SELECT r.*, (SELECT coalesce(json_agg(account_id ORDER BY account_id), '[]'::json) FROM raw_archive_accounts WHERE entry_id = r.id) AS account_ids
       FROM raw_archive r ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.id`,
      args,
    );
    return rows.map((r) => ({
      id: r.id,
      providerId: r.provider_id,
      connectionId: r.connection_id,
      accountIds: r.account_ids,
      level: r.level,
      fetchedAt: r.fetched_at,
      from: r.window_from,
      to: r.window_to,
      codec: r.codec,
      rawBytes: r.raw_bytes,
      body: r.body,
    }));
  }

  /** Retention: entries fetched before `cutoff`, then those whose accounts are all gone. */
  async pruneBefore(cutoff: string): Promise<number> {
    const old = await this.sql.run('DELETE FROM raw_archive WHERE fetched_at < $1', [cutoff]);
    const orphans = await this.sql.run('DELETE FROM raw_archive r WHERE NOT EXISTS (SELECT 1 FROM raw_archive_accounts l WHERE l.entry_id = r.id)');
    return old + orphans;
  }

  async size(): Promise<ArchiveSize> {
    const r = (await this.sql.one<{ n: number; stored: number; raw: number; oldest: string | null; newest: string | null }>(
      'SELECT count(*) AS n, coalesce(sum(octet_length(body)), 0) AS stored, coalesce(sum(raw_bytes), 0) AS raw, min(fetched_at) AS oldest, max(fetched_at) AS newest FROM raw_archive',
    ))!;
    return { entries: r.n, storedBytes: r.stored, rawBytes: r.raw, oldest: r.oldest, newest: r.newest };
  }
}
