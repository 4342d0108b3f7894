/**
 * vitest.config.ts runs most test files without a module graph of their own (isolate: false). A file that replaces a
 * module (vi.mock, vi.doMock) or a global (vi.stubGlobal, vi.stubEnv) would see the modules an earlier file loaded,
 * or leave its replacement to the next file: each such file must be in the isolated project, and only those.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { expect, test } from 'vitest';
import { ISOLATED } from '../vitest.config.js';

const REPO = join(import.meta.dirname, '..');
const NEEDS_ISOLATION = /\bvi\.(mock|doMock|stubGlobal|stubEnv)\(/;

test('the isolated project holds exactly the test files that replace a module or a global', async () => {
  const files = (await readdir(join(REPO, 'test'), { recursive: true }))
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join('test', f));
  const needing: string[] = [];
  for (const f of files)
    if (
      f !== relative(REPO, import.meta.filename) &&
      NEEDS_ISOLATION.test(await readFile(join(REPO, f), 'utf8'))
    )
      needing.push(f.split('\\').join('/'));
  expect(needing.sort()).toEqual([...ISOLATED].sort());
  expect(needing.length).toBeGreaterThan(0);
});
