/** scripts/new-check.mjs scaffolds a check from the templates and registers it, on a copy of the tree. */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = join(REPO, 'scripts', 'new-check.mjs');

function copyTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'mxlock-new-check-'));
  for (const p of ['src/checks/_template.ts', 'src/checks/step3/index.ts', 'test/checks/_template.ts'])
    cpSync(join(REPO, p), join(root, p), { recursive: true });
  return root;
}

const newCheck = (root: string, ...args: string[]) =>
  spawnSync(process.execPath, [SCRIPT, ...args, '--root', root, '--no-format'], { encoding: 'utf8' });

test('copies the code and test templates and registers the check at the end of its step', () => {
  const root = copyTree();
  try {
    const r = newCheck(root, '3', 'rule.demo-thing');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const code = readFileSync(join(root, 'src/checks/step3/rule.demo-thing.ts'), 'utf8');
    expect(code).toContain("id: 'rule.demo-thing'");
    expect(code).toContain('step: 3,');
    expect(code).toContain("from '../types.js'");
    expect(code).toContain('reads:');
    const spec = readFileSync(join(root, 'test/checks/step3/rule.demo-thing.test.ts'), 'utf8');
    expect(spec).toContain("from '../../../src/checks/step3/rule.demo-thing.js'");
    expect(spec).toContain("describe('rule.demo-thing'");
    const index = readFileSync(join(root, 'src/checks/step3/index.ts'), 'utf8');
    expect(index).toContain("import { check as ruleDemoThing } from './rule.demo-thing.js';");
    expect(index).toMatch(/filteringBypass,\n {2}ruleDemoThing,\n\];/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.each([
  [['9', 'rule.x'], 'is not 0–5 or monitoring'],
  [['3', 'Rule_X'], 'is not <area>.<name>'],
  [['3'], 'expected a step and a check id'],
  [['3', 'rule.scl-bypass'], 'already registers rule.scl-bypass'],
])('refuses %j: %s, exit 2, nothing written', (args, message) => {
  const root = copyTree();
  try {
    const r = newCheck(root, ...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(existsSync(join(root, 'src/checks/step3/rule.x.ts'))).toBe(false);
    expect(readFileSync(join(root, 'src/checks/step3/index.ts'), 'utf8')).toBe(
      readFileSync(join(REPO, 'src/checks/step3/index.ts'), 'utf8'),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
