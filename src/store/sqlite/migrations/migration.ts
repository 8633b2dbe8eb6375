import type { Database } from 'better-sqlite3';

/** One schema step; its version is its place in MIGRATIONS (index.ts). */
export interface Migration {
  version: number;
  description: string;
  up(db: Database): void;
}
