import type { Database } from 'better-sqlite3';
import { v1Initial } from './001-initial.js';

export interface Migration {
  version: number;
  description: string;
  up(db: Database): void;
}

/** Ordered list; append only. Each migration's version is its position + 1. */
export const MIGRATIONS: readonly Migration[] = [v1Initial];

export const LATEST_VERSION = MIGRATIONS.length;
