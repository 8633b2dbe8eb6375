import type { Migration } from './index.js';

/** Placeholder reserved for where each line came from, merge decisions, ignored lines (issue 18: explain); its owner fills up(). */
export const v10LineOrigins: Migration = {
  version: 10,
  description: 'where each line came from, merge decisions, ignored lines (issue 18: explain)',
  up() {},
};
