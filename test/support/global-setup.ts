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

/**
 * One build for the whole run: vitest calls the setup once per project (the root and each of vitest.config.ts's
 * projects), each loading this file anew but in one process, so the build is kept on the global object, and removed
 * when the last project is done with it.
 */
interface SharedBuild {
  build: Promise<{ dir: string; bin: string }>;
  users: number;
}
const SHARED = Symbol.for('mxlock.test.cliBuild');
const registry = globalThis as { [SHARED]?: SharedBuild | undefined };

async function build(): Promise<{ dir: string; bin: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'mxlock-cli-build-'));
  try {
    return { dir, bin: await buildCliBundle(join(dir, 'bin')) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const current = (registry[SHARED] ??= { build: build(), users: 0 });
  current.users++;
  const { dir, bin } = await current.build;
  project.provide('mxlockBin', bin);
  return async () => {
    if (--current.users > 0) return;
    if (registry[SHARED] === current) registry[SHARED] = undefined;
    await rm(dir, { recursive: true, force: true });
  };
}
