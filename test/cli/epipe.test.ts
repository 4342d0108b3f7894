/**
 * `mxlock … | head`: the reader closes the pipe before mxlock has written its output. The real bundle must stop
 * quietly (no unhandled EPIPE, no stack trace on stderr), whatever the command.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { REPO, cliBinary } from '../support/cli.js';

function runWithClosedStdout(...args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBinary(), ...args], {
      cwd: REPO,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Close the read end at once: every write the child makes to stdout then fails with EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

test.each([
  [['collect', '--help']],
  [['assess', join('examples', 'half-done'), '--offline', '--fail-on', 'none']],
  [['collect', '--script']],
])('mxlock %j into a closed pipe stops quietly', async (args) => {
  const run = await runWithClosedStdout(...args);
  expect(run.stderr).not.toMatch(/EPIPE|Unhandled|at .*\.js:\d+/);
  expect(run.code).toBe(0);
});
