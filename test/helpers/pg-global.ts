import type { TestProject } from 'vitest/node';
import { startCluster } from './pg-cluster.js';

/** vitest globalSetup: one throwaway PostgreSQL per test project (see pg-cluster.ts). */
export default function setup(project: TestProject): () => void {
  const cluster = startCluster();
  project.provide('pgSocketDir', cluster.socketDir);
  return () => cluster.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgSocketDir: string;
  }
}
