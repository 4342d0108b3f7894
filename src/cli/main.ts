#!/usr/bin/env node
/**
 * Entry point. `--version` answers before anything else is loaded (DESIGN §8: ≤ 100 ms); everything else
 * loads the command-line program.
 */
import { VERSION } from '../version.js';

// `mxlock … | head` closes the pipe before the report is written: stop quietly, as other command-line tools do,
// instead of an unhandled EPIPE with a stack trace. Any other stream error is still thrown.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  const { main } = await import('./program.js');
  process.exitCode = await main(process.argv);
}
