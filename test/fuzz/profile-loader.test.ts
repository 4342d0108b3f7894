/**
 * Issue 10, acceptance: the profile loader fed random `mxlock.yaml` documents (test/fuzz/yaml-profile.ts: the schema's
 * keys with wrong types, odd and invalid IPs and CIDRs, hostile names, anchors and aliases, big lists), sometimes in
 * UTF-16 or with damaged bytes. Each gives a profile or a ConfigError naming the file, never another exception; a
 * profile that loads then drives `assess` (and sometimes `plan`) over an example export, which gives a report with
 * every name shown inert, or an error naming the profile. Seeds and counts: test/support/fuzz.ts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assessExport } from '../../src/assess-export.js';
import { ConfigError, InputError } from '../../src/errors.js';
import { loadProfile } from '../../src/profile/load.js';
import { REPO } from '../support/cli.js';
import { expectPlanRenders, expectReportsRender } from './outputs.js';
import { forEachSeed, fuzzSeeds, MIN_CASES_FOR_SHARES, fuzzTimeout, heapAfterGc } from '../support/fuzz.js';
import { encode, mutateBytes } from './mutate.js';
import { profileYaml } from './yaml-profile.js';

const NOW = new Date('2025-06-01T00:00:00Z');
const EXAMPLES = ['half-done', 'hardened', 'wide-open'] as const;
const SEEDS = fuzzSeeds(24, 80);
const MAX_HEAP_GROWTH_BYTES = 64 * 1024 * 1024;

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mxlock-fuzz-profile-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** The error names the profile, by path. */
function expectNamesProfile(err: unknown, path: string): void {
  if (!(err instanceof ConfigError || err instanceof InputError)) throw err;
  expect(err.message, 'the error names the profile').toContain(path);
}

describe('the profile loader, fed random mxlock.yaml documents (seeded)', () => {
  test(
    'a profile or an error naming the file; a loaded profile drives assess and plan; the heap stays bounded',
    async () => {
      const heapBefore = heapAfterGc();
      let loaded = 0;
      let refused = 0;
      await forEachSeed('profile loader', SEEDS, async (g) => {
        const text = profileYaml(g);
        g.note('mxlock.yaml', text);
        const encoded = encode(g, text);
        let bytes = encoded.bytes;
        if (g.chance(0.1)) {
          const b = mutateBytes(g, bytes);
          bytes = b.bytes;
          g.note('bytes', `${encoded.encoding}; ${b.done}`);
        }
        const path = join(tmp, `mxlock-${g.seed}.yaml`);
        await writeFile(path, bytes);
        try {
          let profile;
          try {
            profile = await loadProfile(path);
          } catch (err) {
            expectNamesProfile(err, path);
            refused++;
            return;
          }
          loaded++;
          const example = g.pick(EXAMPLES);
          g.note('example', example);
          let result;
          try {
            result = await assessExport(join(REPO, 'examples', example), {
              profilePath: path,
              offline: true,
              now: NOW,
            });
          } catch (err) {
            expectNamesProfile(err, path);
            return;
          }
          expect(result.profile).toEqual(profile);
          expectReportsRender(result);
          if (g.chance(0.15)) expectPlanRenders(result, NOW);
        } finally {
          await rm(path, { force: true });
        }
      });
      const growth = heapAfterGc() - heapBefore;
      expect(growth, `the heap grew by ${growth} bytes over the run`).toBeLessThan(MAX_HEAP_GROWTH_BYTES);
      if (SEEDS.length >= MIN_CASES_FOR_SHARES) {
        expect(loaded).toBeGreaterThan(SEEDS.length / 10);
        expect(refused).toBeGreaterThan(SEEDS.length / 10);
      }
    },
    fuzzTimeout(SEEDS, 400),
  );
});
