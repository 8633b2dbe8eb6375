import type { Migration } from './index.js';

/**
 * Placeholder on branch i17-output only: number 012 is the ingest helper's (issue 17). At merge
 * this file is replaced by theirs; it exists so 013 follows an unbroken list on this branch.
 */
export const v12Reserved: Migration = {
  version: 12,
  description: 'reserved (issue 17, ingest)',
  up() {},
};
