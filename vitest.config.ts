import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Bundles the CLI once per run for the tests that launch it (test/support/cli.ts).
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 20_000,
    // Vitest's default leaves one core idle (cpus - 1): on the 2-core machines this project runs on, that is one
    // worker and a suite of about 90 s; every core brings it to about a minute. The timing-sensitive DNS tests use
    // their own loopback servers and generous timeouts, so they hold under both workers' load.
    maxWorkers: '100%',
  },
});
