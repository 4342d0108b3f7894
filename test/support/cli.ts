/**
 * Runs the real `mxlock` command line in a child process, as a user would: the bundle test/support/global-setup.ts
 * built for this run, under plain `node` (no tsx), with exit codes and stdout/stderr as a shell sees them.
 */
import { inject } from 'vitest';
import { REPO, runNode, type CliRun } from './cli-bundle.js';

export { REPO, type CliRun };

/** The bundled `main.js` of this test run. */
export function cliBinary(): string {
  const bin = inject('mxlockBin');
  if (typeof bin !== 'string' || bin === '') {
    throw new Error('no mxlock bundle: run the tests through vitest.config.ts, whose globalSetup builds it');
  }
  return bin;
}

export function mxlock(...args: string[]): Promise<CliRun> {
  return runNode([cliBinary(), ...args], REPO, { ...process.env, NO_COLOR: '1' });
}
