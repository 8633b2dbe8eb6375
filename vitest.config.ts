import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Tests that run the built CLI (`npm run build` first), the benchmark, or the third-party
 * parsers of test/validators/: `npm run test:e2e`. Everything else is `npm run test:unit`, the
 * fast loop that needs neither a build nor the Debian packages. `npm test` runs both.
 */
const E2E = ['test/e2e/**/*.test.ts', 'test/bench/**/*.test.ts', 'test/export/validators.test.ts'];
/**
 * Million-line imports whose peak memory is checked: minutes of both cores, longer than the rest
 * of the suite together. Not in `npm test` (kept under 5 minutes on 2 cores): `npm run
 * test:memory`, which CI (.ci/run) runs after `npm test`, alone, so they never slow another test
 * into a timeout.
 */
const MEMORY = ['test/e2e/import-memory.test.ts'];

/**
 * Files that are one long chain of child processes (each step waits for the last): started first,
 * or the run ends with one of them going alone while the other core idles. vitest orders files
 * by the durations it remembers (node_modules/.vite), but a clean clone (CI) has none and falls
 * back to file size, which put these small files last. Longest chain first.
 */
const LONG_FIRST = [
  'test/bench/smoke.test.ts',
  'test/e2e/month-of-syncs.test.ts',
  'test/e2e/provider-simplefin.test.ts',
  'test/e2e/provider-plaid.test.ts',
  'test/e2e/provider-yodlee.test.ts',
  'test/e2e/provider-salt-edge.test.ts',
  'test/export/validators.test.ts',
  'test/e2e/export.test.ts',
  'test/import/fuzz.test.ts',
];

class LongChainsFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => LONG_FIRST.findIndex((path) => f.moduleId.endsWith(`/${path}`));
    const long = sorted.filter((f) => rank(f) >= 0).sort((a, b) => rank(a) - rank(b));
    return [...long, ...sorted.filter((f) => rank(f) < 0)];
  }
}

export default defineConfig({
  test: {
    // A test may run long on a loaded machine, never depend on its speed: the limits are
    // far above a normal run, and tests that legitimately take long set their own.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // ledger-autosync asks python-keyring for a password store; with a desktop keyring installed
    // (chromium pulls libsecret in) it fails "KeyringLocked" headless. It needs no secrets here.
    env: { PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring' },
    // Most of the suite's time is spent waiting for child processes (the built CLI, third-party
    // parsers), not in the worker: vitest's default of one worker per core minus one leaves a
    // 2-core machine half idle. Measured on 2 cores: see BENCHMARKS.md, "Test suite".
    maxWorkers: 3,
    // A throwaway PostgreSQL for the contract suite and the CLI's PostgreSQL tests (never skipped).
    globalSetup: ['test/helpers/pg-global.ts'],
    minWorkers: 1,
    sequence: { sequencer: LongChainsFirst },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: E2E } },
      // A CLI test is a chain of child processes, each seconds on a machine shared with other work
      // (load 15-25 on 2 cores: 25 of them passed 60 s there): limits that only catch a hang.
      { extends: true, test: { name: 'e2e', include: E2E, exclude: MEMORY, testTimeout: 300_000, hookTimeout: 300_000 } },
      { extends: true, test: { name: 'memory', include: MEMORY } },
    ],
  },
});
