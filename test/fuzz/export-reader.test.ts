/**
 * Issue 10, acceptance: the export reader and the whole `assess` pipeline behind it, fed the bundled example exports
 * mutated at random (test/fuzz/mutate.ts: other JSON types, dropped properties, duplicated objects, PowerShell 5.1
 * wrappers, control and bidi characters in names, truncation, flipped bytes, UTF-16, invalid UTF-8, gzip). Each case
 * either gives a report that every reporter renders (terminal and Markdown with no raw control or bidi character) or
 * an input error naming a file it damaged: never another exception. The plan is built for some of them, as
 * `mxlock plan` does. Seeds and counts: test/support/fuzz.ts.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assessExport } from '../../src/assess-export.js';
import { ConfigError, InputError } from '../../src/errors.js';
import { decodeText } from '../../src/snapshot/decode.js';
import { CMDLETS, CMDLET_NAMES } from '../../src/snapshot/schema.js';
import { REPO } from '../support/cli.js';
import { expectPlanRenders, expectReportsRender } from './outputs.js';
import {
  forEachSeed,
  fuzzSeeds,
  MIN_CASES_FOR_SHARES,
  fuzzTimeout,
  heapAfterGc,
  type Gen,
} from '../support/fuzz.js';
import { encode, mutateBytes, mutateJson, mutateText, writeJson, type Json } from './mutate.js';

const NOW = new Date('2025-06-01T00:00:00Z');
const EXAMPLES = ['half-done', 'hardened', 'wide-open'] as const;
/** About 30 ms a case on a loaded 2-core machine; MXLOCK_FUZZ_CASES raises it for a bug hunt. */
const SEEDS = fuzzSeeds(40, 160);
/** A run keeps nothing of its cases: what the heap holds after them, collected, stays well under this. */
const MAX_HEAP_GROWTH_BYTES = 64 * 1024 * 1024;

/**
 * The properties the reader uses (every cmdlet schema's, the wrappers', dns.json's and a bundle's keys), lower case:
 * most mutations land under one of them.
 */
const READ = new Set(
  [
    ...CMDLET_NAMES.flatMap((n) => Object.keys((CMDLETS[n].schema as { shape: object }).shape)),
    ...CMDLET_NAMES,
    'value',
    'count',
    'dns',
    'MX',
    'TXT',
    'A',
    'AAAA',
    'CNAME',
    'exchange',
    'priority',
    'error',
  ].map((k) => k.toLowerCase()),
);

interface ExampleFile {
  name: string;
  bytes: Uint8Array;
  /** Parsed, for the JSON files. */
  json?: Json;
}
const examples = new Map<string, ExampleFile[]>();
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mxlock-fuzz-export-'));
  for (const ex of EXAMPLES) {
    const dir = join(REPO, 'examples', ex);
    const files: ExampleFile[] = [];
    for (const name of (await readdir(dir)).sort()) {
      const bytes = new Uint8Array(await readFile(join(dir, name)));
      files.push(
        name.endsWith('.json')
          ? { name, bytes, json: JSON.parse(decodeText(bytes, name).text) as Json }
          : { name, bytes },
      );
    }
    examples.set(ex, files);
  }
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/**
 * One JSON document damaged: its values and structure, then, when `broken`, its text, encoding and bytes too. Half the
 * cases keep the files readable JSON, so that the values reach the checks, the simulator and the planner.
 */
function damage(g: Gen, value: Json, label: string, broken: boolean): { bytes: Uint8Array; gz: boolean } {
  const { value: mutated, done } = mutateJson(g, value, broken ? g.int(0, 3) : g.int(1, 4), READ, !broken);
  let text = writeJson(g, mutated);
  if (broken && g.chance(0.3)) {
    const t = mutateText(g, text);
    text = t.text;
    done.push(t.done);
  }
  const { bytes: encoded, encoding } = encode(g, text, broken);
  let bytes = encoded;
  done.push(encoding);
  if (broken && g.chance(0.6)) {
    const b = mutateBytes(g, bytes);
    bytes = b.bytes;
    done.push(b.done);
  }
  const gz = g.chance(0.07);
  if (gz) {
    bytes = new Uint8Array(gzipSync(bytes));
    if (broken && g.chance(0.3)) bytes = bytes.subarray(0, g.int(0, bytes.length - 1));
    done.push('gzip');
  }
  g.note(label, done.join('; '));
  g.note(`${label} bytes`, bytes);
  return { bytes, gz };
}

/** An export folder with one to three files damaged (and sometimes one removed or added); the paths it damaged. */
async function damagedFolder(
  g: Gen,
  files: readonly ExampleFile[],
  dir: string,
  broken: boolean,
): Promise<string[]> {
  const jsonFiles = files.filter((f) => f.json !== undefined);
  const targets = new Set(g.times(g.int(1, 3), () => g.pick(jsonFiles)));
  const damaged: string[] = [];
  for (const f of files) {
    if (!targets.has(f)) {
      await writeFile(join(dir, f.name), f.bytes);
      continue;
    }
    const { bytes, gz } = damage(g, f.json!, f.name, broken);
    const path = join(dir, gz ? `${f.name}.gz` : f.name);
    await writeFile(path, bytes);
    damaged.push(path);
  }
  const extra = g.int(0, 9);
  if (extra === 0) {
    // A second copy of a cmdlet under another case: "given twice", naming both.
    const f = g.pick(jsonFiles);
    const path = join(dir, f.name.toUpperCase().replace(/\.JSON$/, '.json'));
    await writeFile(path, f.bytes);
    damaged.push(path);
    g.note('added', path);
  } else if (extra === 1) {
    const name = g.pick([
      'ProviderSettingsExport.json',
      'snapshot.json',
      'notes.json',
      'ScubaResults_x.json',
    ]);
    const { bytes } = damage(g, g.pick(jsonFiles).json!, name, broken);
    const path = join(dir, name);
    await writeFile(path, bytes);
    damaged.push(path);
    g.note('added', path);
  } else if (extra === 2) {
    // A cmdlet not exported: its checks are unknown, never an error.
    const f = g.pick(jsonFiles.filter((x) => x.name !== 'dns.json' && !targets.has(x)));
    await rm(join(dir, f.name));
    g.note('removed', f.name);
  }
  return damaged;
}

/** A snapshot.json bundle of the example (profile beside it), damaged as one document. */
async function damagedBundle(
  g: Gen,
  files: readonly ExampleFile[],
  dir: string,
  broken: boolean,
): Promise<string> {
  const bundle: Record<string, Json> = {};
  for (const f of files) if (f.json !== undefined) bundle[f.name.replace(/\.json$/, '')] = f.json;
  for (const f of files) if (f.json === undefined) await writeFile(join(dir, f.name), f.bytes);
  const { bytes, gz } = damage(g, bundle, 'snapshot.json', broken);
  const path = join(dir, gz ? 'snapshot.json.gz' : 'snapshot.json');
  await writeFile(path, bytes);
  return path;
}

describe('the export reader and assess, fed damaged exports (seeded)', () => {
  test(
    'a report or an input error naming a damaged file; never another exception; the heap stays bounded',
    async () => {
      const heapBefore = heapAfterGc();
      let reports = 0;
      let errors = 0;
      await forEachSeed('export reader', SEEDS, async (g) => {
        const example = g.pick(EXAMPLES);
        const files = examples.get(example)!;
        const dir = join(tmp, `case-${g.seed}`);
        await mkdir(dir);
        g.note('example', example);
        try {
          const asBundle = g.chance(0.25);
          const broken = g.chance(0.5);
          const damaged = asBundle
            ? [await damagedBundle(g, files, dir, broken)]
            : await damagedFolder(g, files, dir, broken);
          const target = asBundle ? damaged[0]! : dir;
          let result;
          try {
            result = await assessExport(target, { offline: true, now: NOW });
          } catch (err) {
            if (!(err instanceof InputError || err instanceof ConfigError)) throw err;
            // The message names the file at fault, one of those this case damaged.
            expect(
              damaged.some((p) => err.message.includes(p)),
              `"${err.message}" names none of ${damaged.join(', ')}`,
            ).toBe(true);
            errors++;
            return;
          }
          reports++;
          expectReportsRender(result);
          // What `mxlock plan` does with the same export, for some cases.
          if (g.chance(0.15)) expectPlanRenders(result, NOW);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      });
      if (process.env['MXLOCK_FUZZ_CASES'])
        console.log(`export reader: ${reports} reports, ${errors} input errors`);
      const growth = heapAfterGc() - heapBefore;
      expect(growth, `the heap grew by ${growth} bytes over the run`).toBeLessThan(MAX_HEAP_GROWTH_BYTES);
      // Both outcomes are exercised, or the property proves little.
      if (SEEDS.length >= MIN_CASES_FOR_SHARES) {
        expect(reports).toBeGreaterThan(SEEDS.length / 10);
        expect(errors).toBeGreaterThan(SEEDS.length / 10);
      }
    },
    fuzzTimeout(SEEDS, 400),
  );
});
