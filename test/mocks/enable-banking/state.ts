import type { BankAccount } from './accounts.js';
import type { Aspsp } from './aspsps.js';
import { uuidFrom } from './util.js';

/** One POST /auth: lives until the PSU decides on the consent page and the code is exchanged. */
export interface Authorization {
  id: string;
  aspsp: Aspsp;
  psuType: 'personal' | 'business';
  validUntil: Date;
  balances: boolean;
  transactions: boolean;
  /** IBANs the client asked for (access.accounts); undefined = all accounts. */
  ibans?: string[];
  state: string;
  redirectUrl: string;
  psuIdHash: string;
  decision?: 'approve' | 'deny';
  username?: string;
  code?: string;
  codeIssuedAt?: Date;
  sessionId?: string;
}

export interface SessionAccount {
  uid: string;
  account: BankAccount;
}

export interface Session {
  id: string;
  authorization: Authorization;
  accounts: SessionAccount[];
  created: Date;
  authorized: Date;
  closed?: Date;
  validUntil: Date;
}

/** Where the next transactions page starts; bound to one account uid and one query. */
export interface Cursor {
  uid: string;
  query: string;
  offset: number;
  /** The next answer is the deliberate empty page that still carries a key (facts §5.6, §5.13). */
  emptyNext: boolean;
}

export type SessionStatus = 'AUTHORIZED' | 'EXPIRED' | 'CLOSED';

/** Everything the mock remembers between requests. */
export class MockState {
  readonly authorizations = new Map<string, Authorization>();
  readonly codes = new Map<string, Authorization>();
  readonly sessions = new Map<string, Session>();
  /** uid → session; uids of old sessions stay here so they can answer EXPIRED/CLOSED_SESSION. */
  readonly accounts = new Map<string, { session: Session; account: BankAccount }>();
  readonly cursors = new Map<string, Cursor>();
  /** `${identification_hash}|${UTC day}` → unattended data calls served. */
  readonly unattendedCalls = new Map<string, number>();
  private counter = 0;

  constructor(private readonly seed: string) {}

  /** Next reproducible id of a kind (session, uid, code…). */
  nextId(kind: string): string {
    return uuidFrom(`${this.seed}|${kind}|${++this.counter}`);
  }

  /** Per-request nonce that makes transaction_id differ on every listing (facts §5.6). */
  nonce(): number {
    return ++this.counter;
  }

  status(session: Session, now: Date): SessionStatus {
    if (session.closed) return 'CLOSED';
    return now.getTime() >= session.validUntil.getTime() ? 'EXPIRED' : 'AUTHORIZED';
  }
}
