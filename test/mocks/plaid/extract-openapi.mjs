// Generates test/mocks/plaid/openapi.json from Plaid's official OpenAPI file: only the operations
// banksync and its mock use, with every component they reference. Run once after the spec changes:
//   node test/mocks/plaid/extract-openapi.mjs /work/shared/specs/plaid-2020-09-14.openapi.yml
// The output is generated, never edited by hand.
import { readFileSync, writeFileSync } from 'node:fs';
import { load } from 'js-yaml';

const OPERATIONS = [
  '/link/token/create',
  '/link/token/get',
  '/item/public_token/exchange',
  '/accounts/get',
  '/transactions/sync',
  '/item/remove',
  '/item/get',
  '/institutions/search',
  '/institutions/get_by_id',
  '/sandbox/public_token/create',
  '/sandbox/item/reset_login',
];

const source = process.argv[2] ?? '/work/shared/specs/plaid-2020-09-14.openapi.yml';
const spec = load(readFileSync(source, 'utf8'));
const out = { openapi: spec.openapi, info: spec.info, servers: spec.servers, security: spec.security, paths: {}, components: {} };
for (const p of OPERATIONS) {
  if (!spec.paths[p]) throw new Error(`${p} is not in ${source}`);
  out.paths[p] = spec.paths[p];
}
out.components.securitySchemes = spec.components.securitySchemes;

// Walk $refs transitively and copy the referenced components.
const seen = new Set();
const queue = [out.paths];
while (queue.length) {
  const node = queue.pop();
  if (Array.isArray(node)) {
    queue.push(...node);
    continue;
  }
  if (!node || typeof node !== 'object') continue;
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/') && !seen.has(v)) {
      seen.add(v);
      const [, , kind, name] = v.split('/');
      const target = spec.components[kind]?.[name];
      if (!target) throw new Error(`dangling ${v}`);
      (out.components[kind] ??= {})[name] = target;
      queue.push(target);
    } else queue.push(v);
  }
}
// OAS 3.0 allows `exclusiveMinimum: false` (a no-op); openapi-backend checks documents against a
// draft-07 meta schema that wants a number there and then refuses the whole file. Dropping the
// no-op changes no meaning.
(function dropNoOps(node) {
  if (!node || typeof node !== 'object') return;
  for (const k of ['exclusiveMinimum', 'exclusiveMaximum']) if (node[k] === false) delete node[k];
  for (const v of Object.values(node)) dropNoOps(v);
})(out);
// ajv refuses `nullable` without `type` (ItemStatusNullable: nullable allOf of one object schema):
// the type is the one its allOf members share.
(function typeNullables(node) {
  if (!node || typeof node !== 'object') return;
  if (node.nullable !== undefined && node.type === undefined && Array.isArray(node.allOf)) {
    const types = new Set(node.allOf.map((m) => (m.$ref ? out.components.schemas[m.$ref.split('/').pop()] : m)?.type));
    if (types.size === 1 && [...types][0]) node.type = [...types][0];
  }
  for (const v of Object.values(node)) typeNullables(v);
})(out);
writeFileSync(new URL('./openapi.json', import.meta.url), JSON.stringify(out) + '\n');
console.error(`${OPERATIONS.length} operations, ${seen.size} components`);
