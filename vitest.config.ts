import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // end-to-end tests spawn the built CLI many times; give slow CI machines room
    testTimeout: 60_000,
    // ledger-autosync asks python-keyring for a password store; with a desktop keyring installed
    // (chromium pulls libsecret in) it fails "KeyringLocked" headless. It needs no secrets here.
    env: { PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring' },
    hookTimeout: 60_000,
  },
});
