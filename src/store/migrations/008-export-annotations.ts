import type { Migration } from './index.js';

/** Placeholder reserved for what export targets received of categories and transfers (issue 18: rules); its owner fills up(). */
export const v8ExportAnnotations: Migration = {
  version: 8,
  description: 'what export targets received of categories and transfers (issue 18: rules)',
  up() {},
};
