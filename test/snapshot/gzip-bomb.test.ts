/**
 * A gzipped export file is inflated in small steps under a ratio cap (src/common/inflate.ts): a bomb named
 * Get-TransportRule.json.gz is refused after a few MiB, naming the file, instead of allocating up to the 512 MiB
 * limit; an honest gzipped export still reads.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, expect, test } from 'vitest';
import { repeatedByteCompressed } from '../support/bomb.js';
import { InputError } from '../../src/errors.js';
import { readExport } from '../../src/snapshot/read.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'half-done');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function exampleWithGzipped(gzipped: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'mxlock-gz-'));
  dirs.push(dir);
  cpSync(EXAMPLE, dir, { recursive: true });
  unlinkSync(join(dir, 'Get-TransportRule.json'));
  writeFileSync(join(dir, 'Get-TransportRule.json.gz'), gzipped);
  return dir;
}

test('an honest gzipped export file reads like the plain one', async () => {
  const plain = await readExport(EXAMPLE);
  const gz = await readExport(
    exampleWithGzipped(gzipSync(readFileSync(join(EXAMPLE, 'Get-TransportRule.json')))),
  );
  expect(gz.data['Get-TransportRule']).toEqual(plain.data['Get-TransportRule']);
});

test('a gzip bomb is refused with the file named, without inflating it whole', async () => {
  // 256 MiB of spaces compresses to about 250 KiB (ratio ~1000): under the 512 MiB limit, far over the ratio cap.
  const dir = exampleWithGzipped(repeatedByteCompressed(256, 0x20, 'gzip'));
  global.gc?.();
  const before = process.memoryUsage();
  const err = await readExport(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  const after = process.memoryUsage();
  expect(err).toBeInstanceOf(InputError);
  expect((err as InputError).message).toMatch(
    /Get-TransportRule\.json\.gz: not a readable gzip file \(.*inflates more than 500 times its compressed size.*decompression bomb/,
  );
  // Far less than the 256 MiB a whole inflation would hold.
  expect(after.arrayBuffers + after.heapUsed - (before.arrayBuffers + before.heapUsed)).toBeLessThan(
    64 * 1024 * 1024,
  );
});
