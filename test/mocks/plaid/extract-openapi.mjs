// Generates test/mocks/plaid/openapi.json from Plaid's official OpenAPI file: only the operations
// banksync and its mock use, with every component they reference. Run once after the spec changes:
//   node test/mocks/plaid/extract-openapi.mjs /work/shared/specs/plaid-2020-09-14.openapi.yml
// The output is generated, never edited by hand.
import { readFileSync, writeFileSync } from 'node:fs';
import { load } from 'js-yaml';

const OPERATIONS = [
  '/link/token/create', '/link/token/get', '/item/public_token/exchange', '/accounts/get',
  '/transactions/sync', '/item/remove', '/item/get', '/institutions/search', '/institutions/get_by_id',
  '/sandbox/public_token/create', '/sandbox/item/reset_login',
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
  if (Array.isArray(node)) { queue.push(...node); continue; }
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
writeFileSync(new URL('./openapi.json', import.meta.url), JSON.stringify(out) + '\n');
console.error(`${OPERATIONS.length} operations, ${seen.size} components`);
