import type { Migration } from './index.js';

/** Placeholder reserved for transfers between own accounts (issue 18: transfers); its owner fills up(). */
export const v9Transfers: Migration = {
  version: 9,
  description: 'transfers between own accounts (issue 18: transfers)',
  up() {},
};
