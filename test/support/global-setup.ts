/**
 * Vitest global setup: bundles the CLI once per test run into a fresh temporary directory, for every test that runs
 * `mxlock` as a user would (test/support/cli.ts). Rebuilding each run means an edit to src/ is always what is tested,
 * and a temporary directory means a dist/ from an older checkout never is. A failed build stops the run with
 * esbuild's message.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildCliBundle } from './cli-bundle.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Absolute path of the bundled `main.js` that test/support/cli.ts runs. */
    mxlockBin: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'mxlock-cli-build-'));
  try {
    project.provide('mxlockBin', await buildCliBundle(join(dir, 'bin')));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return () => rm(dir, { recursive: true, force: true });
}
