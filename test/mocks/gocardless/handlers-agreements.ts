// End User Agreements: /api/v2/agreements/enduser/… (facts §2.3, §2.7).
import { randomUUID } from 'node:crypto';
import type { Handler, MockContext } from './context.js';
import { errorA, fieldErrors, notFound, unknownInstitution, type Reply } from './errors.js';
import { findInstitution, type Institution } from './institutions.js';
import { paginate } from './pagination.js';
import { serializeAgreement, type Agreement } from './state.js';

export const ALL_SCOPES = ['balances', 'details', 'transactions'];
const DEFAULT_DAYS = 90;

/** Creates an agreement, or explains in the API's words why it cannot. */
export function createAgreement(ctx: MockContext, institution: Institution, wanted: { max_historical_days?: number; access_valid_for_days?: number; access_scope?: string[] }): Agreement | Reply {
  const maxHistory = Number(institution.transaction_total_days);
  const maxAccess = Number(institution.max_access_valid_for_days);
  const history = wanted.max_historical_days ?? DEFAULT_DAYS;
  const access = wanted.access_valid_for_days ?? DEFAULT_DAYS;
  const scope = wanted.access_scope ?? ALL_SCOPES;

  const unknownScope = scope.find((s) => !ALL_SCOPES.includes(s));
  if (unknownScope !== undefined) {
    return fieldErrors(400, { access_scope: [{ summary: `Unknown value '${unknownScope}' in access_scope`, detail: "Choose one or several from ['balances', 'details', 'transactions']" }] });
  }
  if (scope.length === 0) {
    return fieldErrors(400, { access_scope: [{ summary: "Field 'access_scope' may not be an empty list.", detail: "Please choose one or several of ['balances', 'details', 'transactions']." }] });
  }
  if (history > maxHistory) {
    return fieldErrors(400, {
      max_historical_days: [{ summary: 'Incorrect max_historical_days', detail: `max_historical_days must be > 0 and <= ${institution.id} transaction_total_days (${maxHistory})` }],
    });
  }
  if (access > maxAccess) {
    return fieldErrors(400, { access_valid_for_days: [{ summary: 'Incorrect access_valid_for_days', detail: `access_valid_for_days must be > 0 and <= ${maxAccess}` }] });
  }
  const agreement: Agreement = {
    id: randomUUID(),
    created: ctx.now(),
    institution_id: institution.id,
    max_historical_days: history,
    access_valid_for_days: access,
    access_scope: [...scope],
    accepted: null,
    reconfirmation: false,
  };
  ctx.store.agreements.set(agreement.id, agreement);
  return agreement;
}

/** The defaults a requisition without an agreement gets: 90/90/all scopes, capped by the institution. */
export function defaultAgreement(ctx: MockContext, institution: Institution): Agreement {
  const created = createAgreement(ctx, institution, {
    max_historical_days: Math.min(DEFAULT_DAYS, Number(institution.transaction_total_days)),
    access_valid_for_days: Math.min(DEFAULT_DAYS, Number(institution.max_access_valid_for_days)),
  });
  if ('status' in created) throw new Error('default agreement rejected');
  return created;
}

export const createAgreementHandler: Handler = (ctx, { body }) => {
  const institutionId = String(body.institution_id);
  const institution = findInstitution(institutionId);
  if (!institution) return unknownInstitution(institutionId);
  if (body.reconfirmation === true) {
    // The mock's company has no reconfirmation permission (a per-company setting, facts §2.7).
    return errorA(403, '', 'You do not have permission to enable reconfirmation.');
  }
  const created = createAgreement(ctx, institution, {
    max_historical_days: body.max_historical_days as number | undefined,
    access_valid_for_days: body.access_valid_for_days as number | undefined,
    access_scope: body.access_scope as string[] | undefined,
  });
  return 'status' in created ? created : { status: 201, body: serializeAgreement(created) };
};

export const listAgreements: Handler = (ctx, { query }) => {
  const all = [...ctx.store.agreements.values()].map(serializeAgreement);
  return { status: 200, body: paginate(all, query, `${ctx.baseUrl}/api/v2/agreements/enduser/`) };
};

export const getAgreement: Handler = (ctx, { params }) => {
  const agreement = ctx.store.agreements.get(params.id ?? '');
  return agreement ? { status: 200, body: serializeAgreement(agreement) } : notFound();
};

export const deleteAgreement: Handler = (ctx, { params }) => {
  const agreement = ctx.store.agreements.get(params.id ?? '');
  if (!agreement) return notFound();
  // The spec's EUANeedsToBeAccepted example is a DELETE answer: unaccepted EUAs stay.
  if (!agreement.accepted) {
    return errorA(400, 'End user agreement needs to be accepted.', `EUA '${agreement.id}' is not accepted.`);
  }
  ctx.store.agreements.delete(agreement.id);
  return { status: 200, body: { summary: 'End User Agreement deleted', detail: `End User Agreement ${agreement.id} deleted` } };
};

/** Only companies approved to show their own consent UI may accept (facts §2.3); the mock's is not. */
export const acceptAgreement: Handler = () => errorA(403, 'Insufficient permissions', "Your company doesn't have permission to accept EUA. You'll have to use our default form for this action.");

export const reconfirmAgreement: Handler = () => errorA(403, '', 'You do not have permission to perform this action.');
