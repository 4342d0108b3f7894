#!/usr/bin/env node
/**
 * Entry point. `--version` answers before anything else is loaded (DESIGN §8: ≤ 100 ms); everything else
 * loads the command-line program.
 */
import { VERSION } from '../version.js';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  const { main } = await import('./program.js');
  process.exitCode = await main(process.argv);
}
