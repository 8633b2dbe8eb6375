// Requisitions: /api/v2/requisitions/… (facts §2.3). The `link` points at the
// mock's own consent page (consent-page.ts).
import { randomUUID } from 'node:crypto';
import type { Handler } from './context.js';
import { fieldErrors, notFound, unknownInstitution } from './errors.js';
import { defaultAgreement } from './handlers-agreements.js';
import { findInstitution, supports } from './institutions.js';
import { paginate } from './pagination.js';
import { serializeRequisition, type Requisition } from './state.js';

// ISO 639-1 codes of languages GoCardless's consent UI is offered in (EEA + UK).
const LANGUAGES = new Set(['BG', 'CS', 'DA', 'DE', 'EL', 'EN', 'ES', 'ET', 'FI', 'FR', 'HR', 'HU', 'IS', 'IT', 'LT', 'LV', 'MT', 'NL', 'NO', 'PL', 'PT', 'RO', 'SK', 'SL', 'SV']);

export const createRequisition: Handler = (ctx, { body }) => {
  const { store } = ctx;
  const institutionId = String(body.institution_id);
  const institution = findInstitution(institutionId);
  if (!institution) return unknownInstitution(institutionId);

  const agreementId = body.agreement as string | undefined;
  if (agreementId !== undefined) {
    const agreement = store.agreements.get(agreementId);
    if (!agreement) {
      return fieldErrors(404, { agreement: { summary: `ID ${agreementId} not found`, detail: 'Please check whether you specified a valid ID' } });
    }
    if (agreement.institution_id !== institutionId) {
      return fieldErrors(400, {
        agreement: {
          summary: `Incorrect Institution ID ${institutionId}`,
          detail: `Provided Institution ID: '${institutionId}' for requisition does not match EUA institution ID '${agreement.institution_id}'. Please provide correct institution ID: '${agreement.institution_id}'`,
        },
      });
    }
    const owner = [...store.requisitions.values()].find((r) => r.agreement === agreementId);
    if (owner) {
      return fieldErrors(400, {
        agreement: [
          {
            summary: `Agreement ${agreementId} is already associated`,
            detail: `The agreement is already associated with requisition ${owner.id}. Please provide a valid agreement or use a different requisition.`,
          },
        ],
      });
    }
  }

  const reference = body.reference as string | undefined;
  if (reference !== undefined && [...store.requisitions.values()].some((r) => r.reference === reference)) {
    return fieldErrors(400, { reference: { summary: 'Client reference must be unique', detail: `Client reference: ${reference} already exists` } });
  }
  const language = body.user_language as string | undefined;
  if (language !== undefined && !LANGUAGES.has(language.toUpperCase())) {
    return fieldErrors(400, { user_language: { summary: 'Provided user_language is invalid or not supported', detail: `'${language}' is an invalid or unsupported language` } });
  }
  if (body.ssn !== undefined && !supports(institution, 'ssn_verification')) {
    return fieldErrors(400, { ssn: [{ summary: 'SSN verification not supported', detail: `SSN verification not supported for ${institutionId}` }] });
  }
  if (body.account_selection === true && !supports(institution, 'account_selection')) {
    return fieldErrors(400, { account_selection: { summary: 'Account selection not supported', detail: `Account selection not supported for ${institutionId}` } });
  }

  const id = randomUUID();
  const requisition: Requisition = {
    id,
    created: ctx.now(),
    redirect: String(body.redirect),
    status: 'CR',
    institution_id: institutionId,
    agreement: agreementId ?? defaultAgreement(ctx, institution).id,
    // Without a client reference the requisition id is used (and sent back as ?ref=).
    reference: reference ?? id,
    accounts: [],
    user_language: (language ?? 'EN').toUpperCase(),
    link: `${ctx.baseUrl}/psd2/start/${id}/${institutionId}`,
    ssn: body.ssn as string | undefined,
    account_selection: body.account_selection === true,
    redirect_immediate: body.redirect_immediate === true,
  };
  store.requisitions.set(id, requisition);
  return { status: 201, body: serializeRequisition(store, requisition, ctx.now()) };
};

export const listRequisitions: Handler = (ctx, { query }) => {
  const all = [...ctx.store.requisitions.values()].map((r) => serializeRequisition(ctx.store, r, ctx.now()));
  return { status: 200, body: paginate(all, query, `${ctx.baseUrl}/api/v2/requisitions/`) };
};

export const getRequisition: Handler = (ctx, { params }) => {
  const requisition = ctx.store.requisitions.get(params.id ?? '');
  return requisition ? { status: 200, body: serializeRequisition(ctx.store, requisition, ctx.now()) } : notFound();
};

/** Revokes access: the requisition and its agreement go; its accounts lose their EUA. */
export const deleteRequisition: Handler = (ctx, { params }) => {
  const requisition = ctx.store.requisitions.get(params.id ?? '');
  if (!requisition) return notFound();
  ctx.store.requisitions.delete(requisition.id);
  ctx.store.agreements.delete(requisition.agreement);
  ctx.store.revokedRequisitions.push(requisition.id);
  return { status: 200, body: { summary: 'Requisition deleted', detail: `Requisition ${requisition.id} deleted with all its End User Agreements` } };
};
