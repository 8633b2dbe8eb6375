// JSON:API resource objects for Ponto's types (facts §1.4–1.7). `base` is the absolute
// https://host/ponto-connect the client used, so every link is followable as-is.
import type { Account, Institution, Transaction } from './data.js';
import type { MockState, Synchronization } from './state.js';

const money = (cents: number): number => cents / 100;

export function institutionResource(base: string, fi: Institution): unknown {
  return { type: 'financialInstitution', id: fi.id, attributes: fi.attributes, links: { self: `${base}/financial-institutions/${fi.id}` } };
}

export function syncResource(base: string, sync: Synchronization): unknown {
  return {
    type: 'synchronization',
    id: sync.id,
    attributes: {
      resourceType: 'account',
      resourceId: sync.accountId,
      subtype: sync.subtype,
      status: sync.status,
      errors: sync.errors,
      customerIpAddress: sync.customerIpAddress,
      createdAt: sync.createdAt.toISOString(),
      updatedAt: sync.updatedAt.toISOString(),
    },
    links: {
      self: `${base}/synchronizations/${sync.id}`,
      updatedTransactions: `${base}/synchronizations/${sync.id}/updated-transactions`,
      updatedPendingTransactions: `${base}/synchronizations/${sync.id}/updated-pending-transactions`,
    },
  };
}

export function accountResource(base: string, state: MockState, a: Account): unknown {
  const self = `${base}/accounts/${a.id}`;
  const latest = a.latestSynchronizationId ? state.syncs.get(a.latestSynchronizationId) : undefined;
  return {
    type: 'account',
    id: a.id,
    attributes: {
      reference: a.reference,
      referenceType: 'IBAN',
      subtype: a.subtype,
      description: a.description,
      product: a.product,
      holderName: a.holderName,
      currency: a.currency,
      currentBalance: money(a.balance.cents),
      currentBalanceReferenceDate: a.balance.referenceDate,
      currentBalanceChangedAt: a.balance.changedAt,
      availableBalance: money(a.balance.cents),
      availableBalanceReferenceDate: a.balance.referenceDate,
      availableBalanceChangedAt: a.balance.changedAt,
      authorizedAt: a.authorizedAt?.toISOString() ?? null,
      authorizationExpirationExpectedAt: a.authorizationExpiresAt?.toISOString() ?? null,
      internalReference: a.internalReference,
      deprecated: false,
    },
    relationships: {
      financialInstitution: {
        data: { type: 'financialInstitution', id: a.institutionId },
        links: { related: `${base}/financial-institutions/${a.institutionId}` },
      },
      transactions: { links: { related: `${self}/transactions` }, meta: { type: 'transaction' } },
      pendingTransactions: { links: { related: `${self}/pending-transactions` }, meta: { type: 'pendingTransaction' } },
    },
    meta: {
      synchronizedAt: a.synchronizedAt,
      latestSynchronization: latest ? syncResource(base, latest) : null,
      availability: 'available',
    },
    links: { self },
  };
}

export function transactionResource(base: string, accountId: string, t: Transaction, pending: boolean): unknown {
  const account = `${base}/accounts/${accountId}`;
  return {
    type: pending ? 'pendingTransaction' : 'transaction',
    id: t.id,
    attributes: t.attributes,
    relationships: { account: { data: { type: 'account', id: accountId }, links: { related: account } } },
    links: { self: `${account}/${pending ? 'pending-transactions' : 'transactions'}/${t.id}` },
  };
}

/** API order for transactions: newest first by execution date, creation order breaking ties. */
export function newestFirst(items: readonly Transaction[]): Transaction[] {
  return [...items].sort((x, y) => y.attributes.executionDate.localeCompare(x.attributes.executionDate) || y.seq - x.seq);
}
