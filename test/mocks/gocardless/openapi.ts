// Request validation against the provider's own OpenAPI file (a copy of
// /work/shared/specs/gocardless-bank-account-data-v2.openapi.json, facts §9).
// Non-conforming requests are answered the way the API answers them and are
// also listed in the handle's openApiViolations so test suites can assert none.
import { readFileSync } from 'node:fs';
import { OpenAPIBackend, type Document } from 'openapi-backend';
import type { ErrorObject } from 'ajv';
import { errorA, fieldErrors, invalidUuid, notFound, type FieldErrorValue, type Reply } from './errors.js';
import { parseIsoDay } from './time.js';

export const spec = JSON.parse(readFileSync(new URL('./openapi.json', import.meta.url), 'utf8')) as Document;

/** The country codes the spec lists for GET /institutions/?country= (facts §2.4). */
export const COUNTRY_CHOICES: readonly string[] = (() => {
  const op = (spec.paths!['/api/v2/institutions/'] as { get: { parameters: Array<{ name: string; examples: Record<string, { value: string }> }> } }).get;
  const country = op.parameters.find((p) => p.name === 'country');
  return Object.values(country?.examples ?? {})
    .map((e) => e.value)
    .sort();
})();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

function isUri(value: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** openapi-backend ships no string formats; these are the ones the spec uses. */
export async function createSpecBackend(): Promise<OpenAPIBackend> {
  const api = new OpenAPIBackend({
    definition: spec,
    // GoCardless (Django) routes end with '/'; a path without it is not in the spec.
    ignoreTrailingSlashes: false,
    ajvOpts: { allErrors: true },
    customizeAjv: (ajv) => {
      ajv.addFormat('uuid', UUID);
      ajv.addFormat('uri', { type: 'string', validate: isUri });
      ajv.addFormat('date', { type: 'string', validate: (v: string) => parseIsoDay(v) !== null });
      ajv.addFormat('date-time', { type: 'string', validate: (v: string) => /^\d{4}-\d{2}-\d{2}[T ]/.test(v) && !Number.isNaN(Date.parse(v)) });
      return ajv;
    },
  });
  await api.init();
  // openapi-backend rebuilds the list of the spec's operations on every lookup (lodash over the
  // whole document): a third of the mock's CPU under load. The spec never changes here.
  const operations = api.router.getOperations();
  api.router.getOperations = () => operations;
  return api;
}

export interface SpecRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[]>;
  body: unknown;
}

export interface SpecCheck {
  operationId?: string;
  /** Human-readable problems; empty when the request conforms. */
  problems: string[];
  /** The answer for a non-conforming request. */
  reply?: Reply;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Finds the operation; unknown paths and wrong methods are violations too. */
export function matchRoute(api: OpenAPIBackend, req: SpecRequest): SpecCheck {
  const operation = api.router.matchOperation(req);
  if (operation) return { operationId: operation.operationId, problems: [] };
  const otherMethod = METHODS.find((m) => api.router.matchOperation({ ...req, method: m }));
  if (otherMethod) {
    const msg = `Method "${req.method}" not allowed.`;
    return { problems: [`method ${req.method} is not defined for this path`], reply: errorA(405, msg, msg) };
  }
  const slashHint = !req.path.endsWith('/') && api.router.matchOperation({ ...req, path: `${req.path}/` }) ? ' (the spec path ends with "/")' : '';
  return { problems: [`no operation in the spec for this path${slashHint}`], reply: notFound() };
}

/** Validates parameters and body of a routed request. */
export function validateRequest(api: OpenAPIBackend, operationId: string, req: SpecRequest): SpecCheck {
  const result = api.validator.validateRequest(req, operationId);
  const errors = (result.errors ?? []) as ErrorObject[];
  if (errors.length === 0) return { operationId, problems: [] };
  const problems = errors.map((e) => `${e.instancePath || '(request)'} ${e.message ?? e.keyword}${describeParams(e)}`);
  return { operationId, problems, reply: replyFor(api, operationId, req, errors) };
}

function describeParams(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') return `: '${String(p.additionalProperty)}'`;
  return '';
}

function replyFor(api: OpenAPIBackend, operationId: string, req: SpecRequest, errors: ErrorObject[]): Reply {
  const unknown = errors.filter((e) => e.keyword === 'additionalProperties' && e.instancePath === '/query');
  if (unknown.length > 0) {
    // UnknownFields example: Python set notation, e.g. Unknown fields {'foo'} in query
    const names = unknown.map((e) => `'${String((e.params as { additionalProperty: string }).additionalProperty)}'`);
    return errorA(400, 'Unknown fields', `Unknown fields {${names.join(', ')}} in query`);
  }
  const pathId = errors.find((e) => e.instancePath === '/path/id');
  if (pathId) return invalidUuid(req.path.split('/').filter(Boolean).pop() ?? '');

  const fields: Record<string, FieldErrorValue> = {};
  const push = (field: string, value: FieldErrorValue) => {
    const prev = fields[field];
    fields[field] = (prev ? [...(prev as unknown[]), ...(value as unknown[])] : value) as FieldErrorValue;
  };
  for (const e of errors) {
    const missing = (e.params as { missingProperty?: string }).missingProperty;
    if (e.keyword === 'required' && missing === 'requestBody') {
      for (const field of requiredBodyFields(api, operationId)) push(field, ['This field is required.']);
    } else if (e.keyword === 'required' && missing) {
      push(missing, ['This field is required.']);
    } else {
      const segments = e.instancePath.split('/').filter(Boolean);
      const field = segments[1] ?? 'non_field_errors';
      push(field, [fieldMessage(field, e)]);
    }
  }
  return fieldErrors(400, fields);
}

function fieldMessage(field: string, e: ErrorObject) {
  if (field === 'redirect' && e.keyword === 'format') {
    return { summary: 'Invalid redirect URI', detail: 'Redirect URI must have a valid URI structure' };
  }
  return { summary: `Incorrect ${field}`, detail: `${field} ${e.message ?? e.keyword}` };
}

function requiredBodyFields(api: OpenAPIBackend, operationId: string): string[] {
  const op = api.router.getOperation(operationId) as { requestBody?: { content?: Record<string, { schema?: { required?: string[] } }> } } | undefined;
  return op?.requestBody?.content?.['application/json']?.schema?.required ?? [];
}

interface PropertySchema {
  type?: string;
}

/**
 * Form bodies arrive as strings; coerce them the way the server's form parser
 * would (integers, booleans, repeated keys as arrays) so they validate like JSON.
 */
export function coerceFormBody(api: OpenAPIBackend, operationId: string, form: URLSearchParams): Record<string, unknown> {
  const op = api.router.getOperation(operationId) as { requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, PropertySchema> } }> } } | undefined;
  const props = op?.requestBody?.content?.['application/x-www-form-urlencoded']?.schema?.properties ?? {};
  const out: Record<string, unknown> = {};
  for (const key of new Set(form.keys())) {
    const values = form.getAll(key);
    const type = props[key]?.type;
    if (type === 'array') out[key] = values;
    else if (type === 'integer' && /^-?\d+$/.test(values[0] ?? '')) out[key] = Number(values[0]);
    else if (type === 'boolean' && /^(true|false)$/i.test(values[0] ?? '')) out[key] = values[0]?.toLowerCase() === 'true';
    else out[key] = values[0];
  }
  return out;
}

/** Content types the spec accepts for the operation's body (empty when it takes none). */
export function bodyContentTypes(api: OpenAPIBackend, operationId: string): string[] {
  const op = api.router.getOperation(operationId) as { requestBody?: { content?: Record<string, unknown> } } | undefined;
  return Object.keys(op?.requestBody?.content ?? {});
}
