import { withExchangeTap } from '../../providers/exchange-tap.js';
import type { ConnectionPage, Provider, SessionHandle, TransactionPage } from '../../providers/types.js';
import { connectionSecretOwner } from '../../store/index.js';
import type { ArchiveEntryRow } from '../../store/sqlite/archive.js';
import type { Services } from '../context.js';
import { toBanksyncError, type BanksyncError } from '../../domain/errors.js';
import { getProvider, providerState } from '../providers.js';
import { ArchiveAnswerer, sharedAnswers } from './answerer.js';
import { unpackEntry, type ArchivedFetch } from './entry.js';

/** One archived fetch answered again: the pages the adapter of this banksync makes of it. */
export interface ReplayedFetch {
  row: ArchiveEntryRow;
  fetch: ArchivedFetch;
  pages: (TransactionPage | ConnectionPage)[];
  /** The fetch failed (now or when it was archived): the pages before it are kept, as a sync keeps them. */
  error?: BanksyncError | string;
}

/**
 * Runs every archived fetch through its adapter again, answering each HTTP request from the
 * archive: the adapter's parsing and mapping are this version's, nothing is sent and no quota is
 * spent. Adapters without HTTP (the sandbox) were archived as their pages, handed back as they were.
 * Reads only: sessions are copies whose save() keeps nothing, the provider's state is read-only.
 * Each adapter runs with the clock at the moment the fetch was made (windows "up to today").
 */
export async function replayFetches(s: Services, rows: ArchiveEntryRow[]): Promise<{ fetches: ReplayedFetch[]; requests: number }> {
  const shared = await sharedByProvider(s, rows);
  const fetches: ReplayedFetch[] = [];
  let requests = 0;
  for (const row of rows) {
    const body = unpackEntry(row);
    if (row.level === 'pages') {
      fetches.push({ row, fetch: body.fetch, pages: body.pages ?? [], ...(body.failed ? { error: body.failed } : {}) });
      continue;
    }
    const pages: ReplayedFetch['pages'] = [];
    const at = new Date(row.fetchedAt);
    const answerer = new ArchiveAnswerer(body.exchanges ?? [], shared.get(row.providerId) ?? new Map(), row.providerId);
    let error: BanksyncError | undefined;
    try {
      const real = providerState(s, row.providerId);
      const provider = await getProvider({ ...s, clock: () => at }, row.providerId, { state: { get: real.get, set: async () => {} } });
      const session = await sessionCopy(s, row.connectionId);
      await withExchangeTap(answerer, async () => {
        for await (const page of pagesOf(provider, session, body.fetch)) pages.push(page);
      });
    } catch (err) {
      error = toBanksyncError(err);
    }
    requests += answerer.requests;
    fetches.push({ row, fetch: body.fetch, pages, ...(error ? { error } : {}) });
  }
  return { fetches, requests };
}

function pagesOf(provider: Provider, session: SessionHandle, f: ArchivedFetch): AsyncIterable<TransactionPage | ConnectionPage> {
  const account = (a: ArchivedFetch['accounts'][number]) => ({ externalId: a.externalId, institutionId: a.institutionId, ...(a.meta ? { meta: a.meta } : {}) });
  if (f.kind === 'connection' && provider.fetchConnection) return provider.fetchConnection(session, { accounts: f.accounts.map(account), from: f.from, to: f.to });
  return provider.fetchTransactions(session, { account: account(f.accounts[0]!), from: f.from, to: f.to, ...(f.cursor !== undefined ? { cursor: f.cursor } : {}) });
}

/**
 * The connection's session as a copy that saves nothing: replay must not rotate a stored token
 * into the redacted one the archive answers with. Empty when the connection is gone.
 */
async function sessionCopy(s: Services, connectionId: number | null): Promise<SessionHandle> {
  const data = connectionId === null ? undefined : await s.db.secrets.get(connectionSecretOwner(connectionId));
  return { data: structuredClone(data ?? {}), save: async () => {} };
}

/** Per provider, the answers any archived fetch got (an app token fetched once per run), from the whole archive. */
async function sharedByProvider(s: Services, rows: ArchiveEntryRow[]) {
  const wanted = new Set(rows.filter((r) => r.level === 'http').map((r) => r.providerId));
  const out = new Map<string, ReturnType<typeof sharedAnswers>>();
  for (const id of wanted) {
    const all = await s.db.archive.list({ providerId: id });
    out.set(id, sharedAnswers(all.filter((r) => r.level === 'http').map((r) => unpackEntry(r).exchanges ?? [])));
  }
  return out;
}
