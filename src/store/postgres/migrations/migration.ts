/** One PostgreSQL schema step; its version is its place in PG_MIGRATIONS (index.ts). */
export interface PgMigration {
  version: number;
  description: string;
  /** Run inside the migration's transaction (PostgreSQL's DDL is transactional). */
  sql: string;
}
