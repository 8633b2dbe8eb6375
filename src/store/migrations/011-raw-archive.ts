import type { Migration } from './index.js';

/** Placeholder reserved for raw provider answers kept for replay (issue 18: archive); its owner fills up(). */
export const v11RawArchive: Migration = {
  version: 11,
  description: 'raw provider answers kept for replay (issue 18: archive)',
  up() {},
};
