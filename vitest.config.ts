import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Bundles the CLI once per run for the tests that launch it (test/support/cli.ts).
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 20_000,
  },
});
