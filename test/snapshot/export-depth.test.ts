/**
 * Every ConvertTo-Json the administrator is told to run (the README's export recipe, re-export hints in errors and
 * findings, the plan's backup) uses one depth, EXPORT_JSON_DEPTH: a message asking for another depth than the recipe
 * contradicts it (an earlier one asked for -Depth 10 beside the README's -Depth 6).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { EXPORT_JSON_DEPTH } from '../../src/snapshot/partial.js';

const REPO = join(import.meta.dirname, '..', '..');

function files(dir: string): string[] {
  return readdirSync(join(REPO, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

test('every -Depth given for an export is EXPORT_JSON_DEPTH', () => {
  const found: string[] = [];
  for (const file of [...files('src'), 'README.md']) {
    const text = readFileSync(join(REPO, file), 'utf8');
    // ScubaGear's own -Depth 4 is described, not asked for.
    for (const m of text.matchAll(/-Depth (\d+)/g))
      if (
        Number(m[1]) !== EXPORT_JSON_DEPTH &&
        !/ScubaGear/.test(text.slice(Math.max(0, m.index - 60), m.index))
      )
        found.push(`${file}: ${m[0]}`);
  }
  expect(found).toEqual([]);
  expect(readFileSync(join(REPO, 'README.md'), 'utf8')).toContain(`-Depth ${EXPORT_JSON_DEPTH}`);
});
