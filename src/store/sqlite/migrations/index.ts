import type { Migration } from './migration.js';
import { v1Initial } from './001-initial.js';
import { v2ExportTargets } from './002-export-targets.js';
import { v3ProviderCaches } from './003-provider-caches.js';
import { v4InputIssues } from './004-input-issues.js';
import { v5ProviderFeeds } from './005-provider-feeds.js';
import { v6ProviderMeta } from './006-provider-meta.js';
import { v7Settings } from './007-settings.js';
import { v8ExportAnnotations } from './008-export-annotations.js';
import { v9Transfers } from './009-transfers.js';
import { v10LineOrigins } from './010-line-origins.js';
import { v11RawArchive } from './011-raw-archive.js';
import { v12LiveLineCounts } from './012-live-line-counts.js';

export type { Migration } from './migration.js';

/** Ordered list; append only. Each migration's version is its position + 1. */
export const MIGRATIONS: readonly Migration[] = [
  v1Initial,
  v2ExportTargets,
  v3ProviderCaches,
  v4InputIssues,
  v5ProviderFeeds,
  v6ProviderMeta,
  v7Settings,
  v8ExportAnnotations,
  v9Transfers,
  v10LineOrigins,
  v11RawArchive,
  v12LiveLineCounts,
];

export const LATEST_VERSION = MIGRATIONS.length;

// A migration's version is its place in the list: a gap or a swap would skip or repeat one on users' files.
MIGRATIONS.forEach((m, i) => {
  if (m.version !== i + 1) throw new Error(`migration ${m.description} says version ${m.version} at position ${i + 1}`);
});
