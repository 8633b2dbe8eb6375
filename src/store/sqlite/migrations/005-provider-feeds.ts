import type { Migration } from './migration.js';

/**
 * Interface v2 providers: the cursor of a changes feed (Plaid /transactions/sync), stored with
 * the rows it covers so a crash restarts from the last committed page; and the requests made per
 * connection, for providers that allow only so many per token a day (SimpleFIN Bridge: ~24).
 */
export const v5ProviderFeeds: Migration = {
  version: 5,
  description: 'feed cursors per account, requests per connection',
  up(db) {
    db.exec(`
      -- Cursor feeds: the nextCursor of the last page whose rows are committed; NULL before the first.
      ALTER TABLE accounts ADD COLUMN feed_cursor TEXT;

      -- One row per request sent under a connection's token (retries included), for daily budgets.
      CREATE TABLE connection_requests (
        connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
        at TEXT NOT NULL
      );
      CREATE INDEX connection_requests_by_connection ON connection_requests (connection_id, at);
    `);
  },
};
