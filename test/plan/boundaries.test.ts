/**
 * The plan reads the model, DNS and the assess facade, never a check file (issue 9 B4, layout-proposal point 3): a
 * decision the plan shares with a check lives below both, so neither keeps a copy and the plan does not depend on how
 * a check words its finding. eslint.config.js enforces it while editing; this test holds the tree to it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, test } from 'vitest';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PLAN = join(REPO, 'src', 'plan');
const CHECKS = join(REPO, 'src', 'checks');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Relative module specifiers of static imports and re-exports (`from '…'`) and dynamic `import('…')`. */
function relativeImports(code: string): string[] {
  const out: string[] = [];
  for (const m of code.matchAll(/\bfrom\s+'(\.[^']*)'|\bimport\(\s*'(\.[^']*)'\s*\)/g))
    out.push(m[1] ?? m[2] ?? '');
  return out;
}

describe('src/plan imports no check file', () => {
  const files = tsFiles(PLAN);

  test('the scan sees the plan files and their imports', () => {
    // Guards the test itself: a scan that found nothing would pass whatever the tree holds.
    expect(files.map((f) => relative(PLAN, f))).toContain('planner.ts');
    expect(relativeImports(readFileSync(join(PLAN, 'index.ts'), 'utf8'))).toContain('./planner.js');
  });

  test.each(files.map((f) => [relative(REPO, f), f] as const))('%s', (_name, file) => {
    const intoChecks = relativeImports(readFileSync(file, 'utf8')).filter((spec) =>
      resolve(dirname(file), spec).startsWith(CHECKS),
    );
    expect(intoChecks).toEqual([]);
  });

  test('eslint flags a check import under src/plan', async () => {
    const eslint = new ESLint({ cwd: REPO });
    const [result] = await eslint.lintText(
      "import { CHECKS } from '../../checks/registry.js';\nexport const n = CHECKS.length;\n",
      { filePath: join(PLAN, 'stages', 'boundary-probe.ts') },
    );
    const restricted = (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports');
    expect(restricted.map((m) => m.message)).toEqual([expect.stringMatching(/src\/plan .*check/)]);
  });
});
