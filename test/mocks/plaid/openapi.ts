// Validation against Plaid's official OpenAPI file: openapi.json holds the operations we use,
// generated from /work/shared/specs/plaid-2020-09-14.openapi.yml by extract-openapi.mjs.
// Requests AND responses are checked; problems are collected so test suites can assert none.
import { readFileSync } from 'node:fs';
import { OpenAPIBackend, type Document } from 'openapi-backend';
import type { ErrorObject } from 'ajv';

export const spec = JSON.parse(readFileSync(new URL('./openapi.json', import.meta.url), 'utf8')) as Document;

type Schema = Record<string, unknown>;
const schemas = (spec.components?.schemas ?? {}) as Record<string, Schema>;

export async function createSpecBackend(): Promise<OpenAPIBackend> {
  const api = new OpenAPIBackend({
    definition: spec,
    strict: false,
    validate: true,
    ajvOpts: { allErrors: true, strict: false },
    customizeAjv: (ajv) => {
      ajv.addFormat('date', { type: 'string', validate: (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) });
      ajv.addFormat('date-time', { type: 'string', validate: (v: string) => /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v)) });
      for (const f of ['url', 'uri', 'email', 'double', 'float', 'int32', 'int64', 'uuid', 'ipv4', 'ipv6', 'hostname']) {
        if (!ajv.formats[f]) ajv.addFormat(f, () => true);
      }
      return ajv;
    },
  });
  await api.init();
  const operations = api.router.getOperations();
  api.router.getOperations = () => operations;
  return api;
}

export function operationIdOf(api: OpenAPIBackend, path: string): string | undefined {
  return api.router.matchOperation({ method: 'post', path, headers: {}, query: {}, body: {} })?.operationId;
}

const describe = (errors: ErrorObject[]) => errors.map((e) => `${e.instancePath || '(body)'} ${e.message ?? e.keyword}`);

export function requestProblems(api: OpenAPIBackend, operationId: string, path: string, body: unknown): string[] {
  const r = api.validator.validateRequest({ method: 'post', path, headers: { 'content-type': 'application/json' }, query: {}, body }, operationId);
  const problems = describe((r.errors ?? []) as ErrorObject[]);
  // The contract: request bodies carry no field outside the spec (Plaid's schemas allow extras; we do not).
  const op = api.router.getOperation(operationId) as { requestBody?: { content?: Record<string, { schema?: Schema }> } } | undefined;
  const schema = op?.requestBody?.content?.['application/json']?.schema;
  if (schema) problems.push(...unknownFields(schema, body, ''));
  return problems;
}

export function responseProblems(api: OpenAPIBackend, operationId: string, status: number, body: unknown): string[] {
  const r = api.validator.validateResponse(body, operationId, status);
  return describe((r.errors ?? []) as ErrorObject[]);
}

function resolve(s: Schema): Schema {
  let cur = s;
  for (let i = 0; i < 20 && typeof cur.$ref === 'string'; i++) cur = schemas[(cur.$ref as string).split('/').pop()!] ?? {};
  return cur;
}

/** Properties a schema declares, through $ref and allOf. */
function declared(s: Schema): Record<string, Schema> | undefined {
  const r = resolve(s);
  let props: Record<string, Schema> | undefined = r.properties as Record<string, Schema> | undefined;
  for (const part of (r.allOf as Schema[] | undefined) ?? []) {
    const more = declared(part);
    if (more) props = { ...props, ...more };
  }
  return props;
}

function unknownFields(s: Schema, value: unknown, at: string): string[] {
  if (Array.isArray(value)) {
    const items = resolve(s).items as Schema | undefined;
    return items ? value.flatMap((v, i) => unknownFields(items, v, `${at}/${i}`)) : [];
  }
  if (!value || typeof value !== 'object') return [];
  const props = declared(s);
  if (!props) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (!(k in props)) out.push(`${at || '(body)'}/${k} is not a field of the spec`);
    else out.push(...unknownFields(props[k]!, v, `${at}/${k}`));
  }
  return out;
}
