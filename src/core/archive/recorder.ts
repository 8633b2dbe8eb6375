import { currentExchangeTap, type ExchangeTap, type HttpAnswer, type HttpRequestSent } from '../../providers/exchange-tap.js';
import type { ConnectionPage, TransactionPage } from '../../providers/types.js';
import type { StorePort } from '../../store/index.js';
import type { NewArchiveEntry } from '../../store/sqlite/archive.js';
import { packEntry, packEntryOffThread, type ArchiveBody, type ArchivedFetch } from './entry.js';
import { redactExchange, type ArchivedExchange } from './redact.js';

/**
 * Records one connection's sync for the raw archive. It is the exchange tap the connection's
 * work runs under (the accounts of a connection are fetched one after the other, so whatever
 * the client sends between two fetches belongs to the next one: a token, a refresh). Each
 * finished fetch becomes one archive entry holding the exchanges since the previous fetch.
 * Exchanges are redacted as they arrive: nothing unredacted is held longer than the call.
 */
export class ConnectionRecorder implements ExchangeTap {
  private exchanges: ArchivedExchange[] = [];

  constructor(readonly connectionId: number) {}

  record(request: HttpRequestSent, answer: HttpAnswer): void {
    this.exchanges.push(redactExchange(request, answer));
  }

  /** A fetch starts: `remote` adapters are kept as their HTTP exchanges, the others as the pages they yield. */
  begin(provider: { id: string; capabilities?: { remote: boolean } }, fetch: ArchivedFetch): FetchRecording {
    return new FetchRecording(this, provider.id, provider.capabilities?.remote === false ? 'pages' : 'http', fetch);
  }

  /** The exchanges since the last fetch was kept. */
  take(): ArchivedExchange[] {
    const out = this.exchanges;
    this.exchanges = [];
    return out;
  }

  /** How many exchanges are held: where a fetch starts. */
  get mark(): number {
    return this.exchanges.length;
  }

  /** Forgets what a fetch that stored nothing sent (from `mark` on); what came before it (a token) stays for the next fetch. */
  dropFrom(mark: number): void {
    this.exchanges.length = Math.min(mark, this.exchanges.length);
  }
}

export class FetchRecording {
  private readonly pages: (TransactionPage | ConnectionPage)[] = [];
  private readonly start: number;

  constructor(
    private readonly recorder: ConnectionRecorder,
    private readonly providerId: string,
    private readonly level: 'http' | 'pages',
    private readonly fetch: ArchivedFetch,
  ) {
    this.start = recorder.mark;
  }

  page(p: TransactionPage | ConnectionPage): void {
    if (this.level === 'pages') this.pages.push(p);
  }

  /**
   * The fetch stored nothing (it failed before its first page): its exchanges are not kept, and
   * must not be taken for the next fetch's (a NOT_READY answer would then be replayed for it).
   */
  discard(): void {
    this.recorder.dropFrom(this.start);
  }

  /** Stores the entry (one row: inside the transaction of the fetch's last rows when there is one, else on its own). */
  async keep(db: StorePort, fetchedAt: string, failed?: unknown): Promise<void> {
    const { meta, body } = this.entry(fetchedAt, failed);
    await db.archive.insert(packEntry(meta, body));
  }

  /** The entry of a fetch that succeeded, compressed off the main thread; the caller stores it with the fetch's last rows. */
  pack(fetchedAt: string): Promise<NewArchiveEntry> {
    const { meta, body } = this.entry(fetchedAt);
    return packEntryOffThread(meta, body);
  }

  /** What the entry holds: the exchanges since the previous fetch are taken now. */
  private entry(fetchedAt: string, failed?: unknown) {
    const exchanges = this.recorder.take();
    const body: ArchiveBody = this.level === 'http' ? { fetch: this.fetch, exchanges } : { fetch: this.fetch, pages: this.pages };
    if (failed !== undefined) body.failed = failed instanceof Error ? failed.message : String(failed);
    const meta = {
      providerId: this.providerId,
      connectionId: this.recorder.connectionId,
      accountIds: this.fetch.accounts.map((a) => a.id),
      level: this.level,
      fetchedAt,
      from: this.fetch.from,
      to: this.fetch.to,
    };
    return { meta, body };
  }
}

/** The recorder the running connection sync writes to, if the archive is on. */
export function activeRecorder(): ConnectionRecorder | undefined {
  const tap = currentExchangeTap();
  return tap instanceof ConnectionRecorder ? tap : undefined;
}
