import type { Sql } from './port.js';

/** To be written (issue 16 step 3): the PostgreSQL version of the SQLite one. */
export class PgSyncStateRepo {
  constructor(readonly sql: Sql) {}
}
