import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Test files that need a module graph of their own: each replaces a module of src/ (vi.mock), which only works if
 * nothing in the worker has loaded that module yet. Every other file shares its worker's modules with the files run
 * before it (isolate: false): a fresh graph per file cost about 0.3 s of CPU each, a third of the suite's time.
 * test/vitest-config.test.ts keeps this list in step with the files that call vi.mock.
 */
export const ISOLATED = ['test/plan/plan.test.ts', 'test/plan/safety-later-refusal.test.ts'];

export default defineConfig({
  test: {
    // Bundles the CLI once per run for the tests that launch it (test/support/cli.ts).
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 20_000,
    // Vitest's default leaves one core idle (cpus - 1): on the 2-core machines this project runs on, that is one
    // worker and a suite of about 90 s; every core brings it to about a minute. The timing-sensitive DNS tests use
    // their own loopback servers and generous timeouts, so they hold under both workers' load.
    maxWorkers: '100%',
    projects: [
      {
        extends: true,
        test: {
          name: 'shared',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...ISOLATED],
          isolate: false,
        },
      },
      { extends: true, test: { name: 'isolated', include: ISOLATED } },
    ],
  },
});
