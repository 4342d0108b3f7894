#!/usr/bin/env node
/**
 * Scaffolds a check (STYLE.md "Scaffold what you repeat"): `node scripts/new-check.mjs <step> <check-id>` copies
 * src/checks/_template.ts to src/checks/<step>/<check-id>.ts and test/checks/_template.ts to
 * test/checks/<step>/<check-id>.test.ts, and registers the check in src/checks/<step>/index.ts. Then fill in the
 * blanks: title, severity, references, remediation, `reads`, `checklist`, evaluate and its tests.
 * <step> is 0–5 or `monitoring`. `--root <dir>` works on another checkout; `--no-format` skips prettier.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const USAGE =
  'usage: node scripts/new-check.mjs <0-5|monitoring> <area.check-name> [--root <dir>] [--no-format]';

function fail(message) {
  process.stderr.write(`new-check: ${message}\n${USAGE}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let root = resolve(fileURLToPath(new URL('..', import.meta.url)));
let format = true;
const positional = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--root') root = resolve(args[++i] ?? fail('--root needs a directory'));
  else if (args[i] === '--no-format') format = false;
  else positional.push(args[i]);
}
const [stepArg, id] = positional;
if (stepArg === undefined || id === undefined || positional.length !== 2)
  fail('expected a step and a check id');
const step = stepArg === 'monitoring' ? 6 : Number(stepArg);
if (!(stepArg === 'monitoring' || /^[0-5]$/.test(stepArg)))
  fail(`step "${stepArg}" is not 0–5 or monitoring`);
// The id is the file name, the SARIF ruleId, the waiver key and the docs anchor (STYLE.md habit 2).
if (!/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/.test(id))
  fail(`check id "${id}" is not <area>.<name> in lower-case kebab-case`);
const dir = stepArg === 'monitoring' ? 'monitoring' : `step${stepArg}`;

const srcDir = join(root, 'src', 'checks', dir);
const testDir = join(root, 'test', 'checks', dir);
const indexFile = join(srcDir, 'index.ts');
const srcFile = join(srcDir, `${id}.ts`);
const testFile = join(testDir, `${id}.test.ts`);
if (!existsSync(indexFile)) fail(`${indexFile} not found`);
for (const f of [srcFile, testFile]) if (existsSync(f)) fail(`${f} already exists`);

// Everything is checked before anything is written.
const name = id.replace(/[.-]([a-z0-9])/g, (_m, c) => c.toUpperCase());
const index = readFileSync(indexFile, 'utf8');
const list = /export const checks: Check\[\] = \[([\s\S]*?)\];/.exec(index);
if (!list) fail(`${indexFile}: no "export const checks: Check[] = [...]" to register in`);
if (index.includes(`'./${id}.js'`)) fail(`${indexFile} already registers ${id}`);

const template = readFileSync(join(root, 'src', 'checks', '_template.ts'), 'utf8');
const code = template
  .replace(
    /^\/\*\*[\s\S]*?\*\/\n/,
    `/** ${id}: TODO what it checks, and the eop-model rule or guide step it rests on. */\n`,
  )
  .replace("from './types.js'", "from '../types.js'")
  .replace("id: 'step.check-id'", `id: '${id}'`)
  .replace(/step: \d,/, `step: ${step},`);
if (!code.includes(`id: '${id}'`)) fail('src/checks/_template.ts no longer has the expected shape');
writeFileSync(srcFile, code);

const testTemplate = readFileSync(join(root, 'test', 'checks', '_template.ts'), 'utf8');
const test = testTemplate
  .replace(/^\/\*\*[\s\S]*?\*\/\n/, '')
  .replace("'../../src/checks/_template.js'", `'../../../src/checks/${dir}/${id}.js'`)
  .replace("'../fixtures/", "'../../fixtures/")
  .replace("'./helpers.js'", "'../helpers.js'")
  .replace("describe('step.check-id'", `describe('${id}'`);
mkdirSync(testDir, { recursive: true });
writeFileSync(testFile, test);

// Register: an import beside the others and an entry at the end of the step's list (catalog order).
const entries = list[1]
  .split(',')
  .map((e) => e.trim())
  .filter(Boolean);
const lastImport = [...index.matchAll(/^import [^;]*;\n/gm)].at(-1);
const at = lastImport ? lastImport.index + lastImport[0].length : 0;
const withImport = `${index.slice(0, at)}import { check as ${name} } from './${id}.js';\n${index.slice(at)}`;
writeFileSync(
  indexFile,
  withImport.replace(
    list[0],
    `export const checks: Check[] = [\n${[...entries, name].map((e) => `  ${e},\n`).join('')}];`,
  ),
);

if (format) {
  const prettier = join(root, 'node_modules', '.bin', 'prettier');
  const r = spawnSync(prettier, ['--write', srcFile, testFile, indexFile], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.stderr.write('new-check: prettier failed; run npm run format\n');
}
process.stdout.write(
  [
    `created ${srcFile}`,
    `created ${testFile}`,
    `registered ${name} in ${indexFile}`,
    'next: fill in title, severity, references, remediation, reads, checklist and evaluate; then the tests',
    '',
  ].join('\n'),
);
