// Accounts: metadata, details, balances, transactions (facts §2.5–2.8).
import type { Handler, MockContext } from './context.js';
import { accountErrors, type Reply, type Scope } from './errors.js';
import { isUuid } from './openapi.js';
import { accountHeaders } from './rate-limits.js';
import { expiryOf, isExpired, serializeAccount, type Account } from './state.js';
import { epochDay, isoDay, isoMicro, parseIsoDay, pythonDateTime } from './time.js';
import { balances, listTransactions } from './transactions-data.js';

function findAccount(ctx: MockContext, id: string): Account | Reply {
  if (!isUuid(id)) return accountErrors.invalidId(id);
  return ctx.store.accounts.get(id) ?? accountErrors.notFound(id);
}

export const getAccount: Handler = (ctx, { params }) => {
  const found = findAccount(ctx, params.id ?? '');
  if ('status' in found) return found;
  return { status: 200, body: serializeAccount(ctx.store, found, ctx.now()) };
};

/** Statuses that are not READY: 409 with the account object (AccountStateError example). */
function notReady(acc: Account, scope: Scope): Reply | null {
  const status = acc.statusOverride;
  if (status === undefined || status === 'READY') return null;
  if (status === 'SUSPENDED') return accountErrors.suspended();
  if (status === 'EXPIRED') return accountErrors.accessExpired(scope);
  return {
    status: 409,
    body: {
      id: acc.id,
      created: pythonDateTime(acc.created),
      last_accessed: pythonDateTime(acc.lastAccessed),
      iban: acc.template.iban,
      aspsp_identifier: acc.template.institutionId,
      status,
    },
  };
}

interface Days {
  today: number;
  /** Oldest day the agreement's max_historical_days allows (today counts as one). */
  floor: number;
}

type Build = (ctx: MockContext, acc: Account, query: Record<string, string>, days: Days) => Reply;

/** Shared checks of the three bank-data endpoints, in the order the API applies them. */
function dataEndpoint(scope: Scope, build: Build): Handler {
  return (ctx, { params, query }) => {
    const found = findAccount(ctx, params.id ?? '');
    if ('status' in found) return found;
    const acc = found;
    const now = ctx.now();
    const limits = ctx.daily.peek(acc.id, scope, now);
    const withLimits = (reply: Reply): Reply => ({ ...reply, headers: { ...reply.headers, ...accountHeaders(limits) } });

    const requisition = ctx.store.requisitions.get(acc.requisitionId);
    const agreement = requisition && ctx.store.agreements.get(requisition.agreement);
    if (!agreement) return withLimits(accountErrors.noValidEua());
    if (isExpired(agreement, now)) {
      const expiry = expiryOf(agreement) ?? now;
      return withLimits(accountErrors.euaExpired(agreement.id, agreement.access_valid_for_days, isoDay(epochDay(expiry))));
    }
    if (!agreement.access_scope.includes(scope)) return withLimits(accountErrors.scope(scope));
    const blocked = notReady(acc, scope);
    if (blocked) return withLimits(blocked);

    const today = epochDay(now);
    const reply = build(ctx, acc, query, { today, floor: today - agreement.max_historical_days + 1 });
    if (reply.status !== 200) return withLimits(reply);
    if (!limits.ok) return withLimits(accountErrors.dailyLimit(scope));
    acc.lastAccessed = now;
    return { ...reply, headers: accountHeaders(ctx.daily.recordSuccess(acc.id, scope, now)) };
  };
}

export const getDetails = dataEndpoint('details', (_ctx, acc) => {
  const t = acc.template;
  return {
    status: 200,
    body: {
      account: {
        resourceId: t.resourceId,
        iban: t.iban,
        currency: t.currency,
        ownerName: t.ownerName,
        name: t.name,
        product: t.product,
        cashAccountType: t.cashAccountType,
      },
    },
  };
});

export const getBalances = dataEndpoint('balances', (_ctx, acc, _query, { today }) => ({
  status: 200,
  body: balances(acc.template, today),
}));

export const getTransactions = dataEndpoint('transactions', (ctx, acc, query, { today, floor }) => {
  // Formats were checked against the spec (format: date) before this runs.
  const from = query.date_from !== undefined ? parseIsoDay(query.date_from) : null;
  const to = query.date_to !== undefined ? parseIsoDay(query.date_to) : null;
  if (from !== null && to !== null && from > to) return accountErrors.dateRange(query.date_from ?? '', query.date_to ?? '');
  const transactions = listTransactions(acc.template, {
    today,
    floor,
    from: from ?? Number.MIN_SAFE_INTEGER,
    to: to ?? Number.MAX_SAFE_INTEGER,
  });
  return { status: 200, body: { transactions, last_updated: isoMicro(ctx.now()) } };
});
