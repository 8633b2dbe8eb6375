import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // end-to-end tests spawn the built CLI many times; give slow CI machines room
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
