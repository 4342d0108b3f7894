/**
 * Builds the `mxlock` bundle with the same script `npm run build` uses, and runs files under plain `node`.
 * No vitest import: test/support/global-setup.ts loads this in the main process, before any worker exists.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export const REPO = join(import.meta.dirname, '..', '..');
const BUILD_SCRIPT = join(REPO, 'scripts', 'build-cli.mjs');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node <args>` in `cwd`; resolves with the exit code and both streams whatever the exit code is. */
export function runNode(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd, env }, (err, stdout, stderr) => {
      if (err === null) return resolve({ code: 0, stdout, stderr });
      // A numeric code is the exit status; otherwise Node could not start or the child was killed.
      if (typeof err.code === 'number') return resolve({ code: err.code, stdout, stderr });
      reject(
        new Error(`node ${args.join(' ')} (in ${cwd}) did not run to an exit code: ${err.message}`, {
          cause: err,
        }),
      );
    });
  });
}

/**
 * Bundles `<cwd>/src/cli/main.ts` into `outdir` (emptied first) and returns the path of its `main.js`.
 * A failed build rejects with esbuild's own messages, which name the file, line and column.
 */
export async function buildCliBundle(outdir: string, cwd: string = REPO): Promise<string> {
  const run = await runNode([BUILD_SCRIPT, outdir], cwd);
  if (run.code !== 0) {
    throw new Error(
      `building the mxlock CLI failed: node scripts/build-cli.mjs ${outdir} (in ${cwd}) exited ${run.code}\n` +
        `${run.stderr.trim()}`,
    );
  }
  return join(outdir, 'main.js');
}
