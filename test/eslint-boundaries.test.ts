/**
 * The module boundary rule of eslint.config.js (STYLE.md habit 3, "Shared utilities live at the bottom"): every pure
 * file is under it, it refuses the imports the src/common move removed, and the tree keeps to it. `npm run lint`
 * enforces it file by file; this keeps the rule itself from going quiet.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import { beforeAll, describe, expect, test } from 'vitest';

const REPO = fileURLToPath(new URL('../', import.meta.url));

/** The I/O edges, named one by one: a new one is a decision, not an accident. */
const IO_EDGES = new Set([
  'src/snapshot/read.ts',
  'src/profile/load.ts',
  'src/dns/live.ts',
  'src/dns/wire.ts',
  'src/assess-export.ts',
  'src/index.ts',
  'src/smtp/emulator.ts',
  'src/smtp/probe.ts',
  'src/smtp/probe-session.ts',
  'src/smtp/export-tenant.ts',
  'src/dmarc/read.ts',
  'src/logs/source.ts',
  'src/logs/read.ts',
  'src/logs/trace.ts',
  'src/fleet/discover.ts',
  'src/fleet/run.ts',
  'src/exo/http.ts',
  'src/exo/auth.ts',
  'src/collect-export.ts',
]);

function sourceFiles(dir: string): string[] {
  return readdirSync(join(REPO, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: REPO, ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports' });
});

/** The boundary messages for one line of code placed in `file`. */
async function refusals(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport { x };\n`, { filePath: join(REPO, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

test('every source file outside src/cli and the I/O edges is under the boundary rule', async () => {
  const uncovered: string[] = [];
  for (const file of sourceFiles('src')) {
    if (file.startsWith('src/cli/') || IO_EDGES.has(file)) continue;
    const config = (await eslint.calculateConfigForFile(join(REPO, file))) as Linter.Config;
    const rule = config.rules?.['no-restricted-imports'];
    const [level, options] = Array.isArray(rule) ? rule : [rule];
    const paths = (options as { paths?: { name: string }[] } | undefined)?.paths ?? [];
    if (!(level === 2 || level === 'error') || !paths.some((p) => p.name === 'node:fs')) uncovered.push(file);
  }
  expect(uncovered).toEqual([]);
});

describe('the rule refuses', () => {
  test.each([
    // src/common is the leaf.
    ['src/common/ip.ts', "import { x } from '../model/tenant.js';"],
    ['src/common/ip.ts', "import { x } from '../errors.js';"],
    // The imports the src/common move removed, in the directions they ran.
    ['src/snapshot/types.ts', "import { x } from '../dns/zone.js';"],
    ['src/snapshot/shape.ts', "import { x } from '../report/text.js';"],
    ['src/model/paths.ts', "import { x } from '../profile/schema.js';"],
    ['src/model/paths.ts', "import { x } from '../dns/oracle.js';"],
    ['src/dns/mx.ts', "import { x } from '../profile/vendors.js';"],
    ['src/dns/spf/analyse.ts', "import { x } from '../../profile/gateway.js';"],
    ['src/snapshot/build.ts', "import { x } from '../model/ip.js';"],
    // The plan imports no check file; nothing below the plan calls assess.
    ['src/plan/planner.ts', "import { x } from '../checks/step3/safety-net.js';"],
    ['src/checks/step0/inventory.direct-send-sources.ts', "import { x } from '../../assess.js';"],
    // Node I/O and the I/O edges, from every pure part.
    ['src/model/rules.ts', "import { x } from 'node:fs';"],
    ['src/dns/direct-send-inventory.ts', "import { x } from 'node:dns';"],
    ['src/simulate/scenario.ts', "import { x } from '../profile/load.js';"],
    ['src/report/terminal.ts', "import { x } from 'node:net';"],
    ['src/plan/render.ts', "import { x } from 'node:fs/promises';"],
    ['src/profile/infer.ts', "import { x } from '../dns/live.js';"],
    ['src/assess.ts', "import { x } from './snapshot/read.js';"],
    ['src/headers/parse.ts', "import { x } from 'node:fs/promises';"],
    ['src/headers/analyse.ts', "import { x } from '../report/text.js';"],
    // The fleet's summary and renderer are pure; only its discovery and run touch the disk (issue 14).
    ['src/fleet/summary.ts', "import { x } from 'node:fs/promises';"],
    ['src/fleet/render.ts', "import { x } from '../assess.js';"],
  ])('%s: %s', async (file, code) => {
    expect(await refusals(file, code)).toHaveLength(1);
  });
});

describe('the rule allows', () => {
  test.each([
    ['src/common/vendors.ts', "import { x } from './zone.js';"],
    ['src/model/tenant.ts', "import { x } from '../snapshot/schema.js';"],
    ['src/dns/oracle.ts', "import type { x } from '../model/config.js';"],
    ['src/dns/spf/evaluate.ts', "import { x } from '../analyse.js';"],
    ['src/profile/infer.ts', "import { x } from '../model/gateway-connector.js';"],
    ['src/plan/index.ts', "import { x } from '../assess.js';"],
    ['src/dns/live.ts', "import { x } from 'node:dns';"],
    ['src/profile/load.ts', "import { x } from 'node:fs/promises';"],
    ['src/fleet/summary.ts', "import { x } from '../diff/compare.js';"],
    ['src/fleet/run.ts', "import { x } from 'node:fs/promises';"],
  ])('%s: %s', async (file, code) => {
    expect(await refusals(file, code)).toEqual([]);
  });
});

/** Every relative import of the tree's shared layers, one probe per import line. */
test('src/common, snapshot, model, dns and profile keep to the rule', async () => {
  const SPEC = /^(?:import|export)\b[^;]*?\bfrom\s+'(\.{1,2}\/[^']+)'/gms;
  const broken: string[] = [];
  for (const folder of ['common', 'snapshot', 'model', 'dns', 'profile']) {
    for (const file of sourceFiles(join('src', folder))) {
      if (IO_EDGES.has(file)) continue;
      for (const [, spec] of readFileSync(join(REPO, file), 'utf8').matchAll(SPEC)) {
        const target = relative('src', join(dirname(file), spec!));
        if (target.split('/')[0] === folder) continue;
        const why = await refusals(file, `import { x } from '${spec}';`);
        if (why.length > 0) broken.push(`${file} → ${spec}: ${why.join('; ')}`);
      }
    }
  }
  expect(broken).toEqual([]);
});
