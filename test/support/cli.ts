/**
 * The `mxlock` command line under test, two ways:
 * - `mxlock(...)`: `main()` run inside the test worker (test/support/cli-in-process.ts), with the working directory,
 *   environment (NO_COLOR=1), streams and exit code a child process would have. Most CLI tests: output, exit codes,
 *   files written, error messages.
 * - `mxlockProcess(...)`: the bundle test/support/global-setup.ts built for this run, in a child process under plain
 *   `node` (no tsx), with exit codes and stdout/stderr as a shell sees them. For what only a process has: start-up,
 *   the `--version` fast path of main.ts, signals, a real exit, process warnings; and one smoke run per command, so
 *   the bundle users get stays tested (test/cli/bundle.test.ts).
 */
import { inject } from 'vitest';
import { REPO, runNode, type CliRun } from './cli-bundle.js';
import { runInProcess } from './cli-in-process.js';

export { REPO, type CliRun };

/** The environment every run gets over the worker's: no colour, whatever the terminal vitest runs in. */
const CLI_ENV = { NO_COLOR: '1' } as const;

/** The bundled `main.js` of this test run. */
export function cliBinary(): string {
  const bin = inject('mxlockBin');
  if (typeof bin !== 'string' || bin === '') {
    throw new Error('no mxlock bundle: run the tests through vitest.config.ts, whose globalSetup builds it');
  }
  return bin;
}

/** `mxlock <args>` in the repository folder, in process. */
export function mxlock(...args: string[]): Promise<CliRun> {
  return runInProcess(args, { cwd: REPO, env: CLI_ENV });
}

/** `mxlock <args>` in process with standard input, other variables or another working directory. */
export function mxlockWith(
  options: { input?: string | Uint8Array; env?: Record<string, string | undefined>; cwd?: string },
  ...args: string[]
): Promise<CliRun> {
  return runInProcess(args, {
    cwd: options.cwd ?? REPO,
    env: { ...CLI_ENV, ...options.env },
    ...(options.input === undefined ? {} : { input: options.input }),
  });
}

/** `node <bundle> <args>` in the repository folder: the real process. */
export function mxlockProcess(...args: string[]): Promise<CliRun> {
  return runNode([cliBinary(), ...args], REPO, { ...process.env, ...CLI_ENV });
}
