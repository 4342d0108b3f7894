/** Rewrites the README's "Coverage" table from src/checks/benchmarks.ts (`npm run readme:coverage`). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withCoverageTable } from '../src/report/coverage.js';

const path = join(import.meta.dirname, '..', 'README.md');
const before = readFileSync(path, 'utf8');
const after = withCoverageTable(before);
if (after === before) process.stdout.write('README.md: coverage table already up to date\n');
else {
  writeFileSync(path, after);
  process.stdout.write('README.md: coverage table rewritten\n');
}
