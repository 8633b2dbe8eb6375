// Items, link tokens and the change log the mock serves.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { addDays, eventsOfDay, makeAccounts, type ChangeEvent, type MockAccount, type PlaidTx } from './data.js';

export const SANDBOX_INSTITUTIONS = [
  { institution_id: 'ins_109508', name: 'First Platypus Bank', oauth: false, country_codes: ['US'] },
  { institution_id: 'ins_109509', name: 'First Gingham Credit Union', oauth: false, country_codes: ['US'] },
  { institution_id: 'ins_109510', name: 'Tattersall Federal Credit Union', oauth: false, country_codes: ['US'] },
  { institution_id: 'ins_109511', name: 'Tartan Bank', oauth: false, country_codes: ['US'] },
  { institution_id: 'ins_127287', name: 'Platypus OAuth Bank', oauth: true, country_codes: ['US'] },
  { institution_id: 'ins_43', name: 'Tartan-Dominion Bank of Canada', oauth: false, country_codes: ['CA'] },
];

/** The mock keeps at most this much history per account (Plaid: up to days_requested). */
export const HISTORY_CAP_DAYS = 120;
/** Plaid's initial pull covers about 30 days; the rest arrives with the historical update. */
export const INITIAL_DAYS = 30;

export interface MockItem {
  item_id: string;
  access_token: string;
  institution: { institution_id: string; name: string };
  accounts: MockAccount[];
  createdOn: string;
  daysRequested: number;
  loginRequired: boolean;
  removed: boolean;
  /** /transactions/sync calls still answered NOT_READY. */
  notReadyCalls: number;
  seed: string;
}

export interface LinkSessionRecord {
  link_session_id: string;
  started_at: string;
  finished_at: string;
  publicToken?: string;
  institution?: { institution_id: string; name: string };
  accounts?: MockAccount[];
  exitError?: { error_type: string; error_code: string; error_message: string };
  update: boolean;
}

export interface LinkTokenRecord {
  link_token: string;
  created_at: string;
  expiration: string;
  /** The Item being renewed (update mode). */
  itemId?: string;
  daysRequested: number;
  products: string[];
  countryCodes: string[];
  language: string;
  clientName: string;
  hosted: boolean;
  sessions: LinkSessionRecord[];
}

export const requestId = () =>
  randomBytes(12)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 15);

export class Store {
  readonly items = new Map<string, MockItem>();
  readonly linkTokens = new Map<string, LinkTokenRecord>();
  /** public_token → item id and expiry. */
  readonly publicTokens = new Map<string, { itemId: string; expiresAt: number }>();
  private logCache = new Map<string, { today: string; log: ChangeEvent[] }>();

  constructor(private readonly seed: string) {}

  newItem(institution: { institution_id: string; name: string }, today: string, daysRequested: number, notReadyCalls: number): MockItem {
    // Derived from the seed, so a failing run's data reproduces.
    const item_id = createHash('sha256').update(`${this.seed}:item:${this.items.size}`).digest('hex').slice(0, 32);
    const item: MockItem = {
      item_id,
      access_token: `access-sandbox-${randomUUID()}`,
      institution,
      accounts: makeAccounts(item_id),
      createdOn: today,
      daysRequested,
      loginRequired: false,
      removed: false,
      notReadyCalls,
      seed: `${this.seed}:${this.items.size}`,
    };
    this.items.set(item_id, item);
    return item;
  }

  itemByToken(token: string): MockItem | undefined {
    for (const i of this.items.values()) if (i.access_token === token) return i;
    return undefined;
  }

  /** Every change visible on `today`, in the order Plaid would hand them out. */
  log(item: MockItem, today: string): ChangeEvent[] {
    const cached = this.logCache.get(item.item_id);
    if (cached?.today === today) return cached.log;
    const start = addDays(item.createdOn, -Math.min(item.daysRequested, HISTORY_CAP_DAYS));
    const history = new Map<string, PlaidTx>();
    const live: ChangeEvent[] = [];
    for (let day = start; day <= today; day = addDays(day, 1)) {
      for (const a of item.accounts) {
        for (const e of eventsOfDay(item.seed, a, day)) {
          if (e.at <= item.createdOn) {
            if (e.type === 'removed') history.delete(e.tx.transaction_id);
            else history.set(e.tx.transaction_id, e.tx);
          } else if (e.at <= today) live.push(e);
        }
      }
    }
    // The first pull is the state at link time: ~30 days at once, older history a day later.
    const recentFrom = addDays(item.createdOn, -INITIAL_DAYS);
    const pulled: ChangeEvent[] = [...history.values()].map((tx) => ({ at: tx.date >= recentFrom ? item.createdOn : addDays(item.createdOn, 1), type: 'added', tx }));
    const log = [...pulled.filter((e) => e.at <= today), ...live].map((e, i) => ({ e, i }));
    log.sort((x, y) => (x.e.at < y.e.at ? -1 : x.e.at > y.e.at ? 1 : x.i - y.i));
    const out = log.map((x) => x.e);
    this.logCache.set(item.item_id, { today, log: out });
    return out;
  }

  /** The lines as they stand on `today` (Plaid's sign), pending ones included. */
  truth(item: MockItem, today: string): PlaidTx[] {
    const m = new Map<string, PlaidTx>();
    for (const e of this.log(item, today)) {
      if (e.type === 'removed') m.delete(e.tx.transaction_id);
      else m.set(e.tx.transaction_id, e.tx);
    }
    return [...m.values()];
  }
}
