// GET /api/v2/institutions/ and /institutions/{id}/ (facts §2.4).
import type { Handler } from './context.js';
import { errorA, fieldErrors, notFound } from './errors.js';
import { allInstitutions, FEATURES, findInstitution, supports } from './institutions.js';
import { COUNTRY_CHOICES } from './openapi.js';

export const listInstitutions: Handler = (_ctx, { query }) => {
  let list = allInstitutions();
  if (query.country !== undefined) {
    // Accepted case-insensitively: GoCardless's own quickstart uses ?country=gb.
    const country = query.country.toUpperCase();
    if (!COUNTRY_CHOICES.includes(country)) {
      return errorA(400, 'Invalid country choice.', `${query.country} is not a valid choice.`);
    }
    list = list.filter((i) => i.countries.includes(country));
  }
  for (const feature of FEATURES) {
    const param = `${feature}_supported`;
    const value = query[param]?.toLowerCase();
    if (value === undefined) continue;
    if (value !== 'true' && value !== 'false') {
      return fieldErrors(400, { [param]: { summary: `Incorrect ${param}`, detail: `'${query[param]}' is not a valid boolean` } });
    }
    list = list.filter((i) => supports(i, feature) === (value === 'true'));
  }
  return { status: 200, body: list };
};

export const getInstitution: Handler = (_ctx, { params }) => {
  const institution = findInstitution(params.id ?? '');
  return institution ? { status: 200, body: institution } : notFound();
};
