import { promisify } from 'node:util';
import { constants, gunzipSync, gzip, gzipSync } from 'node:zlib';
import type { ConnectionPage, TransactionPage } from '../../providers/types.js';
import type { ArchiveEntryRow, NewArchiveEntry } from '../../store/sqlite/archive.js';
import type { ArchivedExchange } from './redact.js';

/** How banksync asked, as the engine asked it: what replay asks the adapter again. */
export interface ArchivedFetch {
  /** 'account': fetchTransactions for one account; 'connection': fetchConnection for several. */
  kind: 'account' | 'connection';
  accounts: {
    /** The local account the pages were written to. */
    id: number;
    externalId: string;
    institutionId: string;
    meta?: Record<string, string>;
    /** Lines before it were not taken (connection-level fetches: the account's lock date). */
    notBefore?: string;
  }[];
  from: string;
  to: string;
  /** Cursor feeds: the cursor the fetch started from. */
  cursor?: string;
}

/** The decompressed body of one archive row. */
export interface ArchiveBody {
  fetch: ArchivedFetch;
  /** level 'http': every exchange of the fetch, in the order sent (and any made before it in the same sync). */
  exchanges?: ArchivedExchange[];
  /** level 'pages': what the adapter yielded (adapters without HTTP: the sandbox). */
  pages?: (TransactionPage | ConnectionPage)[];
  /** The fetch failed after these pages were written (kept, as the engine keeps them): why. */
  failed?: string;
}

/** gzip: Node 20 has no zstd, brotli costs 8-15 times the time, and any `gunzip` reads a blob taken out with sqlite3. */
export const CODEC = 'gzip';

export function packEntry(meta: Omit<NewArchiveEntry, 'codec' | 'rawBytes' | 'body'>, body: ArchiveBody): NewArchiveEntry {
  const json = Buffer.from(JSON.stringify(body), 'utf8');
  // The fastest level: it runs inside every sync, and level 6 saves only ~6% more (12.3 vs 13.1 KiB per 1,000 lines).
  return { ...meta, codec: CODEC, rawBytes: json.length, body: gzipSync(json, { level: constants.Z_BEST_SPEED }) };
}

const gzipOffThread = promisify(gzip);

/**
 * packEntry with the compression on libuv's thread pool (the same bytes): a sync compresses each
 * fetch's answers, ~4 % of a 200-connection sync's main-thread CPU, while that thread has other
 * connections' answers to write.
 */
export async function packEntryOffThread(meta: Omit<NewArchiveEntry, 'codec' | 'rawBytes' | 'body'>, body: ArchiveBody): Promise<NewArchiveEntry> {
  const json = Buffer.from(JSON.stringify(body), 'utf8');
  return { ...meta, codec: CODEC, rawBytes: json.length, body: await gzipOffThread(json, { level: constants.Z_BEST_SPEED }) };
}

export function unpackEntry(row: ArchiveEntryRow): ArchiveBody {
  if (row.codec !== CODEC) throw new Error(`archive entry ${row.id} is compressed with ${row.codec}, which this banksync cannot read`);
  return JSON.parse(gunzipSync(row.body).toString('utf8')) as ArchiveBody;
}
