// In-memory provider state and its JSON serialisations (shapes from openapi.json).
import type { AccountTemplate } from './accounts-data.js';
import { DAY_MS, isoMicro } from './time.js';

export interface Agreement {
  id: string;
  created: Date;
  institution_id: string;
  max_historical_days: number;
  access_valid_for_days: number;
  access_scope: string[];
  accepted: Date | null;
  reconfirmation: boolean;
  /** Set by control.expireAgreements(): access ended at this instant. */
  forcedExpiry?: Date;
}

export interface Requisition {
  id: string;
  created: Date;
  redirect: string;
  /** Stored progress; EX is derived from the agreement when read. */
  status: 'CR' | 'GC' | 'LN' | 'RJ';
  institution_id: string;
  agreement: string;
  reference: string;
  accounts: string[];
  user_language: string;
  link: string;
  ssn?: string;
  account_selection: boolean;
  redirect_immediate: boolean;
}

export interface Account {
  id: string;
  created: Date;
  lastAccessed: Date;
  template: AccountTemplate;
  requisitionId: string;
  /** Set by control.setAccountStatus(); otherwise READY (or EXPIRED with its EUA). */
  statusOverride?: string;
}

export interface Token {
  type: 'access' | 'refresh';
  expiresAt: number;
}

export class Store {
  agreements = new Map<string, Agreement>();
  requisitions = new Map<string, Requisition>();
  /** Ids of requisitions deleted (revoked) through the API, in order. */
  revokedRequisitions: string[] = [];
  accounts = new Map<string, Account>();
  tokens = new Map<string, Token>();
}

/** Access ends access_valid_for_days after acceptance (facts §2.7). */
export function expiryOf(a: Agreement): Date | null {
  if (a.forcedExpiry) return a.forcedExpiry;
  if (!a.accepted) return null;
  return new Date(a.accepted.getTime() + a.access_valid_for_days * DAY_MS);
}

export function isExpired(a: Agreement, now: Date): boolean {
  const expiry = expiryOf(a);
  return expiry !== null && now.getTime() >= expiry.getTime();
}

export function serializeAgreement(a: Agreement) {
  return {
    id: a.id,
    created: isoMicro(a.created),
    institution_id: a.institution_id,
    max_historical_days: a.max_historical_days,
    access_valid_for_days: a.access_valid_for_days,
    access_scope: a.access_scope,
    accepted: a.accepted ? isoMicro(a.accepted) : null,
    reconfirmation: a.reconfirmation,
  };
}

export function requisitionStatus(store: Store, r: Requisition, now: Date): string {
  const agreement = store.agreements.get(r.agreement);
  if (r.status === 'LN' && agreement && isExpired(agreement, now)) return 'EX';
  return r.status;
}

export function serializeRequisition(store: Store, r: Requisition, now: Date) {
  return {
    id: r.id,
    created: isoMicro(r.created),
    redirect: r.redirect,
    status: requisitionStatus(store, r, now),
    institution_id: r.institution_id,
    agreement: r.agreement,
    reference: r.reference,
    accounts: r.accounts,
    user_language: r.user_language,
    link: r.link,
    // The spec types ssn as a non-nullable string, so it is only echoed when sent.
    ...(r.ssn !== undefined ? { ssn: r.ssn } : {}),
    account_selection: r.account_selection,
    redirect_immediate: r.redirect_immediate,
  };
}

export function accountStatus(store: Store, acc: Account, now: Date): string {
  if (acc.statusOverride) return acc.statusOverride;
  const requisition = store.requisitions.get(acc.requisitionId);
  const agreement = requisition && store.agreements.get(requisition.agreement);
  return agreement && isExpired(agreement, now) ? 'EXPIRED' : 'READY';
}

export function serializeAccount(store: Store, acc: Account, now: Date) {
  return {
    id: acc.id,
    created: isoMicro(acc.created),
    last_accessed: isoMicro(acc.lastAccessed),
    iban: acc.template.iban,
    status: accountStatus(store, acc, now),
    institution_id: acc.template.institutionId,
    owner_name: acc.template.ownerName,
    name: acc.template.name,
  };
}
