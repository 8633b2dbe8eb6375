import type { RequestBudget } from '../../providers/types.js';
import type { StorePort } from '../../store/index.js';
import { BanksyncError } from '../../domain/errors.js';

const startOfUtcDay = (now: Date) => `${now.toISOString().slice(0, 10)}T00:00:00.000Z`;
const nextUtcDay = (now: Date) => new Date(Date.parse(startOfUtcDay(now)) + 86_400_000).toISOString();

/**
 * A connection's requests per UTC day (capabilities.connectionRequestsPerDay: SimpleFIN Bridge
 * allows about 24 per token, retries included). Every request is recorded as it is spent, in its
 * own commit, so a crash or kill never gives a request back.
 */
export class ConnectionBudget implements RequestBudget {
  /** Requests spent during the current fetch (see begin/end). */
  private spentInFetch = 0;
  private refused = false;

  constructor(
    private readonly db: StorePort,
    private readonly connectionId: number,
    readonly perDay: number,
    private readonly clock: () => Date,
    /** Says whose budget it is: "SimpleFIN allows 24 requests a day per connection". */
    private readonly owner: string,
  ) {}

  used(): Promise<number> {
    return this.db.syncState.connectionRequestsSince(this.connectionId, startOfUtcDay(this.clock()));
  }

  async remaining(): Promise<number> {
    return Math.max(0, this.perDay - (await this.used()));
  }

  /** When today's budget is spent: the instant the next request is possible, else undefined. */
  async spentUntil(): Promise<string | undefined> {
    return (await this.remaining()) > 0 ? undefined : nextUtcDay(this.clock());
  }

  message(next: string): string {
    return `${this.owner} allows ${this.perDay} request(s) a day per connection and today's are spent; next request possible at ${next}`;
  }

  async spend(): Promise<void> {
    const next = await this.spentUntil();
    if (next) {
      this.refused = true;
      throw new BanksyncError('RATE_LIMITED', this.message(next), { retryAt: next });
    }
    await this.db.syncState.recordConnectionRequest(this.connectionId, this.clock().toISOString());
    this.spentInFetch++;
  }

  begin(): void {
    this.spentInFetch = 0;
    this.refused = false;
  }

  /** An adapter that never called spend() still sent a request: counted as one. */
  async end(): Promise<void> {
    if (this.spentInFetch === 0 && !this.refused) await this.db.syncState.recordConnectionRequest(this.connectionId, this.clock().toISOString());
  }
}
