import { createRequire } from 'node:module';

// Two levels up from dist/cli/version.js and from the bundle at dist/bundle/*.js alike.
export const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
