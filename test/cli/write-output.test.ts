/**
 * Issue 10 items 2 and 3: every output is written without following a symbolic link, never over a file the run reads,
 * never over an existing file without --force, and never half; a plan folder is replaced whole, so no stale stage
 * script of an earlier plan survives, and --force never deletes a file mxlock did not write.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inputsOf, writeOutputFile, writeOutputFolder } from '../../src/cli/write-output.js';
import { mxlock, REPO } from '../support/cli.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mxlock-write-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const NONE = { force: false, inputs: new Set<string>() };
const PLAN = { ours: (n: string) => /^(plan\.md|stage-\d\.ps1)$/.test(n), what: 'plan' };

describe('writeOutputFile', () => {
  test('writes a new file; refuses an existing one without force; replaces it with force', async () => {
    const p = join(tmp, 'report.json');
    await writeOutputFile(p, 'one', NONE);
    await expect(writeOutputFile(p, 'two', NONE)).rejects.toThrow(
      `${p} already exists; use --force to overwrite it`,
    );
    await writeOutputFile(p, 'two', { ...NONE, force: true });
    expect(await readFile(p, 'utf8')).toBe('two');
    // No temporary file is left beside it.
    expect((await readdir(tmp)).filter((n) => n.includes('mxlock-'))).toEqual([]);
  });

  test('never writes through a symbolic link, force or not, and leaves its target alone', async () => {
    const target = join(tmp, 'elsewhere.txt');
    await writeFile(target, 'precious');
    const link = join(tmp, 'link.json');
    await symlink(target, link);
    await expect(writeOutputFile(link, 'x', { ...NONE, force: true })).rejects.toThrow(/is a symbolic link/);
    expect(await readFile(target, 'utf8')).toBe('precious');
  });

  test('never writes over a file the run reads, even with force', async () => {
    const exp = join(tmp, 'export');
    await mkdir(exp);
    await writeFile(join(exp, 'Get-TransportRule.json'), '[]');
    const inputs = await inputsOf(exp);
    await expect(
      writeOutputFile(join(exp, 'Get-TransportRule.json'), '{}', { force: true, inputs }),
    ).rejects.toThrow(/is a file this run reads/);
    expect(await readFile(join(exp, 'Get-TransportRule.json'), 'utf8')).toBe('[]');
  });

  test('a folder that does not exist is a clear error naming it', async () => {
    await expect(writeOutputFile(join(tmp, 'missing', 'r.json'), 'x', NONE)).rejects.toThrow(
      `${join(tmp, 'missing', 'r.json')}: cannot write it: the folder it goes into does not exist; create that folder first, or choose another path`,
    );
  });
});

describe('writeOutputFolder', () => {
  test('force replaces an earlier plan whole: no stale stage script survives', async () => {
    const dir = join(tmp, 'plan-a');
    await writeOutputFolder(
      dir,
      { 'plan.md': 'v1', 'stage-2.ps1': 'old', 'stage-3.ps1': 'old' },
      { ...NONE, ...PLAN },
    );
    await expect(writeOutputFolder(dir, { 'plan.md': 'v2' }, { ...NONE, ...PLAN })).rejects.toThrow(
      /already holds files; use --force/,
    );
    await writeOutputFolder(dir, { 'plan.md': 'v2' }, { ...NONE, ...PLAN, force: true });
    expect((await readdir(dir)).sort()).toEqual(['plan.md']);
    expect(await readFile(join(dir, 'plan.md'), 'utf8')).toBe('v2');
    expect((await readdir(tmp)).filter((n) => n.includes('.plan-a.'))).toEqual([]);
  });

  test('force never deletes a file mxlock did not write: refused, the folder unchanged', async () => {
    const dir = join(tmp, 'plan-b');
    await mkdir(dir);
    await writeFile(join(dir, 'plan.md'), 'v1');
    await writeFile(join(dir, 'my-notes.txt'), 'mine');
    await expect(
      writeOutputFolder(dir, { 'plan.md': 'v2' }, { ...NONE, ...PLAN, force: true }),
    ).rejects.toThrow(/holds files that are not an earlier plan's \(my-notes\.txt\)/);
    expect((await readdir(dir)).sort()).toEqual(['my-notes.txt', 'plan.md']);
  });

  test('a planted symbolic link in the folder, or the folder itself a link, is refused', async () => {
    const outside = join(tmp, 'outside.md');
    await writeFile(outside, 'precious');
    const dir = join(tmp, 'plan-c');
    await mkdir(dir);
    await symlink(outside, join(dir, 'plan.md'));
    await expect(
      writeOutputFolder(dir, { 'plan.md': 'x' }, { ...NONE, ...PLAN, force: true }),
    ).rejects.toThrow(/plan\.md is a symbolic link/);
    const linkDir = join(tmp, 'plan-link');
    await symlink(join(tmp, 'plan-a'), linkDir);
    await expect(
      writeOutputFolder(linkDir, { 'plan.md': 'x' }, { ...NONE, ...PLAN, force: true }),
    ).rejects.toThrow(/plan-link is a symbolic link/);
    expect(await readFile(outside, 'utf8')).toBe('precious');
  });

  test('a failed write leaves the earlier plan as it was, not a mix', async () => {
    const dir = join(tmp, 'plan-d');
    await writeOutputFolder(dir, { 'plan.md': 'v1', 'stage-1.ps1': 'one' }, { ...NONE, ...PLAN });
    // A name the file system refuses fails the write of the new folder half-way.
    await expect(
      writeOutputFolder(dir, { 'plan.md': 'v2', 'no/such/dir.ps1': 'x' }, { ...NONE, ...PLAN, force: true }),
    ).rejects.toThrow(/cannot write the new files/);
    expect((await readdir(dir)).sort()).toEqual(['plan.md', 'stage-1.ps1']);
    expect(await readFile(join(dir, 'plan.md'), 'utf8')).toBe('v1');
  });
});

describe('the commands', () => {
  test('assess --out over a file of the export it reads: exit 2, the file unchanged', async () => {
    const exp = join(tmp, 'wide-open');
    await cp(join(REPO, 'examples', 'wide-open'), exp, { recursive: true });
    const before = await readFile(join(exp, 'Get-TransportRule.json'));
    const r = await mxlock(
      'assess',
      exp,
      '--offline',
      '--out',
      join(exp, 'Get-TransportRule.json'),
      '--force',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is a file this run reads');
    expect(await readFile(join(exp, 'Get-TransportRule.json'))).toEqual(before);
  });

  test('a new file the export reader would read (any .json, the profile) is not created in the export folder', async () => {
    const exp = join(tmp, 'wide-open-new');
    await cp(join(REPO, 'examples', 'wide-open'), exp, { recursive: true });
    await rm(join(exp, 'mxlock.yaml'));
    const before = (await readdir(exp)).sort();
    for (const [command, name] of [
      ['assess', 'snapshot.json'],
      ['assess', 'report.json'],
      ['simulate', 'Get-TransportRule.json.gz'],
      ['assess', 'mxlock.yaml'],
    ] as const) {
      const r = await mxlock(command, exp, '--offline', '--format', 'json', '--out', join(exp, name));
      expect([r.code, r.stderr], `${command} --out ${name}`).toEqual([
        2,
        expect.stringContaining('cannot write it into the export folder this run reads'),
      ]);
    }
    expect((await readdir(exp)).sort()).toEqual(before);
    // A name the reader skips is fine there, and init writes the profile beside the export as it always did.
    const md = await mxlock(
      'assess',
      exp,
      '--offline',
      '--format',
      'md',
      '--fail-on',
      'none',
      '--out',
      join(exp, 'r.md'),
    );
    expect(md.code).toBe(0);
    const init = await mxlock('init', exp);
    expect(init.code).toBe(0);
    expect((await readdir(exp)).sort()).toEqual([...before, 'mxlock.yaml', 'r.md'].sort());
  });

  test('plan --force after a plan: the folder holds exactly the new plan', async () => {
    const exp = join(tmp, 'wide-open-2');
    await cp(join(REPO, 'examples', 'wide-open'), exp, { recursive: true });
    const out = join(tmp, 'wide-open-plan');
    await mkdir(out);
    // What an earlier plan wrote, with a stage this one no longer writes.
    await writeFile(join(out, 'stage-9.ps1'), '# stale');
    const r = await mxlock('plan', exp, '--offline', '--out', out, '--force');
    expect(r.code).toBe(0);
    const files = await readdir(out);
    expect(files).not.toContain('stage-9.ps1');
    expect(files).toContain('plan.md');
  });
});
