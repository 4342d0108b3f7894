/**
 * Issue 10 item 5: only regular files are read, each bounded by size whatever the file system reports. A device, FIFO
 * or socket under a name mxlock uses is refused with its path; under any other name it is skipped, never opened.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readExport } from '../../src/snapshot/read.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'hardened');
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mxlock-special-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function exportWith(name: string, make: (path: string) => Promise<void> | void): Promise<string> {
  const dir = await mkdtemp(join(tmp, 'export-'));
  await cp(EXAMPLE, dir, { recursive: true });
  await rm(join(dir, name), { force: true });
  await make(join(dir, name));
  return dir;
}

describe('special files in an export folder', () => {
  test('/dev/zero behind a cmdlet file name is refused with its path, not read until memory runs out', async () => {
    const dir = await exportWith('Get-TransportRule.json', (p) => symlink('/dev/zero', p));
    await expect(readExport(dir)).rejects.toThrow(
      `${join(dir, 'Get-TransportRule.json')}: cannot read it: it is a device, not a regular file`,
    );
  });

  test('a FIFO under a JSON name mxlock does not use is skipped with a warning, never opened (it would block)', async () => {
    const dir = await exportWith('notes.json', (p) => {
      execFileSync('mkfifo', [p]);
    });
    const snapshot = await readExport(dir);
    expect(snapshot.data['Get-TransportRule']).toBeDefined();
    expect(snapshot.warnings).toContain(
      `${join(dir, 'notes.json')}: not a regular file, and not an export file mxlock uses: skipped`,
    );
  });

  test('a dangling link under a cmdlet name is a clear error naming it', async () => {
    const dir = await exportWith('Get-OrganizationConfig.json', (p) => symlink(join(tmp, 'gone.json'), p));
    await expect(readExport(dir)).rejects.toThrow(
      `${join(dir, 'Get-OrganizationConfig.json')}: cannot read it: it is a symbolic link to something that does not exist; fix the link`,
    );
  });
});
