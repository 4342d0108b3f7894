/**
 * Issue 10 item 5: every file-system error of every path a command reads or writes is one line on stderr naming the
 * path, what happened and what to do, exit 2; never "unexpected error", never a hang on a FIFO. The cases a test can
 * produce for real (as root, EACCES and EROFS cannot be: test/errors.test.ts covers them with synthetic errors).
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mxlock, REPO } from '../support/cli.js';

const EXAMPLE = join(REPO, 'examples', 'hardened');
let tmp: string;
let ex: string;

/** Paths in the temporary folder, by role. */
const at = {
  missing: () => join(tmp, 'missing'),
  dir: () => join(tmp, 'a-folder'),
  file: () => join(tmp, 'plain.txt'),
  fifo: () => join(tmp, 'fifo'),
  loop: () => join(tmp, 'loop'),
  dangling: () => join(tmp, 'dangling'),
  long: () => join(tmp, 'x'.repeat(300)),
};

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mxlock-fserr-'));
  ex = join(tmp, 'export');
  await cp(EXAMPLE, ex, { recursive: true });
  await mkdir(at.dir());
  await writeFile(at.file(), 'not a folder\n');
  execFileSync('mkfifo', [at.fifo()]);
  await symlink(at.loop(), at.loop());
  await symlink(join(tmp, 'gone'), at.dangling());
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

interface Case {
  /** The command line; a function, as the paths exist only once beforeAll ran. */
  args: () => string[];
  /** The path the message must start with. */
  path: () => string;
  /** What happened, in the words the message must use. */
  says: string | RegExp;
}

/** Runs a case: exit 2, nothing on stdout, the last stderr line is the one-line message; no "unexpected error". */
async function expectFileError(c: Case): Promise<void> {
  const run = await mxlock(...c.args());
  const lines = run.stderr.split('\n').filter((l) => l !== '');
  expect(run.stderr).not.toMatch(/unexpected error|Warning:|\n {4}at /);
  expect({ code: run.code, stdout: run.stdout }, run.stderr).toEqual({ code: 2, stdout: '' });
  const last = lines.at(-1) ?? '';
  expect(last.startsWith(`mxlock: ${c.path()}: `), last).toBe(true);
  expect(last).toMatch(c.says);
  // What to do comes after what happened.
  expect(last).toMatch(/; \S.{6,}$/);
  // Only that one line of the error (earlier lines are progress and warnings, each its own "mxlock:" line).
  expect(lines.filter((l) => !l.startsWith('mxlock: '))).toEqual([]);
}

const offline =
  (...rest: string[]) =>
  () => ['assess', ex, '--offline', ...rest];

describe('the export argument', () => {
  test.each<[string, Case]>([
    ['missing', { args: () => ['assess', at.missing()], path: at.missing, says: 'no such file or folder' }],
    ['a link loop', { args: () => ['assess', at.loop()], path: at.loop, says: 'link loop' }],
    [
      'under a file (ENOTDIR)',
      {
        args: () => ['assess', join(at.file(), 'export')],
        path: () => join(at.file(), 'export'),
        says: 'a part of the path is a file, not a folder',
      },
    ],
    [
      'a name too long (ENAMETOOLONG)',
      { args: () => ['assess', at.long()], path: at.long, says: 'too long' },
    ],
    ['a FIFO', { args: () => ['assess', at.fifo()], path: at.fifo, says: 'it is a FIFO (named pipe)' }],
    [
      'a dangling link',
      {
        args: () => ['plan', at.dangling()],
        path: at.dangling,
        says: 'symbolic link to something that does not exist',
      },
    ],
  ])('%s', async (_what, c) => expectFileError(c));

  test('a cmdlet file in the folder that is a dangling link', async () => {
    const dir = join(tmp, 'export-dangling');
    await cp(EXAMPLE, dir, { recursive: true });
    await rm(join(dir, 'Get-OrganizationConfig.json'));
    await symlink(join(tmp, 'nowhere.json'), join(dir, 'Get-OrganizationConfig.json'));
    await expectFileError({
      args: () => ['assess', dir, '--offline'],
      path: () => join(dir, 'Get-OrganizationConfig.json'),
      says: 'symbolic link to something that does not exist',
    });
  });

  test('an mxlock.yaml beside the export that is a dangling link is an error, not silently no profile', async () => {
    const dir = join(tmp, 'export-profile-link');
    await cp(EXAMPLE, dir, { recursive: true });
    await rm(join(dir, 'mxlock.yaml'));
    await symlink(join(tmp, 'nowhere.yaml'), join(dir, 'mxlock.yaml'));
    await expectFileError({
      args: () => ['assess', dir, '--offline'],
      path: () => join(dir, 'mxlock.yaml'),
      says: 'cannot read the profile: it is a symbolic link to something that does not exist',
    });
  });
});

describe('--profile, --scenario, dns --file and --zone', () => {
  test.each<[string, Case]>([
    [
      '--profile a folder',
      { args: offline('--profile', EXAMPLE), path: () => EXAMPLE, says: 'it is a folder, not a file' },
    ],
    [
      '--profile a FIFO (read would block)',
      {
        args: () => offline('--profile', at.fifo())(),
        path: at.fifo,
        says: 'cannot read the profile: it is a FIFO',
      },
    ],
    [
      '--profile a dangling link',
      {
        args: () => offline('--profile', at.dangling())(),
        path: at.dangling,
        says: 'does not exist; fix the link',
      },
    ],
    [
      '--profile a link loop',
      { args: () => offline('--profile', at.loop())(), path: at.loop, says: 'link loop' },
    ],
    [
      '--profile missing',
      { args: () => offline('--profile', at.missing())(), path: at.missing, says: 'no such file or folder' },
    ],
    [
      '--scenario a folder',
      {
        args: () => ['simulate', ex, '--offline', '--scenario', at.dir()],
        path: at.dir,
        says: 'cannot read the scenario file: it is a folder',
      },
    ],
    [
      '--scenario a FIFO',
      {
        args: () => ['simulate', ex, '--offline', '--scenario', at.fifo()],
        path: at.fifo,
        says: 'it is a FIFO',
      },
    ],
    [
      '--scenario missing',
      {
        args: () => ['simulate', ex, '--offline', '--scenario', at.missing()],
        path: at.missing,
        says: 'no such file or folder',
      },
    ],
    [
      'dns --file a folder',
      {
        args: () => ['dns', '--file', at.dir()],
        path: at.dir,
        says: 'cannot read the domain list: it is a folder',
      },
    ],
    ['dns --file a FIFO', { args: () => ['dns', '--file', at.fifo()], path: at.fifo, says: 'it is a FIFO' }],
    [
      'dns --file a dangling link',
      { args: () => ['dns', '--file', at.dangling()], path: at.dangling, says: 'symbolic link to something' },
    ],
    [
      'dns --zone a FIFO',
      {
        args: () => ['dns', 'contoso.com', '--zone', at.fifo()],
        path: at.fifo,
        says: 'cannot read the recorded answers: it is a FIFO',
      },
    ],
    [
      'dns --zone missing',
      {
        args: () => ['dns', 'contoso.com', '--zone', at.missing()],
        path: at.missing,
        says: 'no such file or folder',
      },
    ],
  ])('%s', async (_what, c) => expectFileError(c));
});

describe('--out of every command', () => {
  test.each<[string, Case]>([
    [
      'assess --out a folder',
      {
        args: () => offline('--out', at.dir())(),
        path: at.dir,
        says: 'cannot write it: it is a folder, not a file',
      },
    ],
    [
      'assess --out in a folder that does not exist',
      {
        args: () => offline('--out', join(at.missing(), 'r.json'))(),
        path: () => join(at.missing(), 'r.json'),
        says: 'the folder it goes into does not exist; create that folder first',
      },
    ],
    [
      'assess --out under a file (ENOTDIR)',
      {
        args: () => offline('--out', join(at.file(), 'r.json'))(),
        path: () => join(at.file(), 'r.json'),
        says: 'a part of the path is a file, not a folder',
      },
    ],
    [
      'assess --out a name too long',
      { args: () => offline('--out', at.long())(), path: at.long, says: 'too long' },
    ],
    [
      'assess --out through a link loop',
      {
        args: () => offline('--out', join(at.loop(), 'r.json'))(),
        path: () => join(at.loop(), 'r.json'),
        says: 'link loop',
      },
    ],
    [
      'simulate --out under a file',
      {
        args: () => ['simulate', ex, '--offline', '--out', join(at.file(), 'm.txt')],
        path: () => join(at.file(), 'm.txt'),
        says: 'a part of the path is a file',
      },
    ],
    [
      'plan --out under a dangling link',
      {
        args: () => ['plan', ex, '--offline', '--out', join(at.dangling(), 'plan')],
        path: at.dangling,
        says: 'cannot create it: it is a symbolic link to something that does not exist; fix the link',
      },
    ],
    [
      'assess --out under a dangling link',
      {
        args: () => offline('--out', join(at.dangling(), 'r.json'))(),
        path: at.dangling,
        says: 'cannot write into it: it is a symbolic link to something that does not exist; fix the link',
      },
    ],
    [
      'plan --out under a file',
      {
        args: () => ['plan', ex, '--offline', '--out', join(at.file(), 'plan')],
        path: () => join(at.file(), 'plan'),
        says: 'a part of the path is a file',
      },
    ],
    [
      'init --out a folder',
      { args: () => ['init', ex, '--out', at.dir()], path: at.dir, says: 'it is a folder, not a file' },
    ],
    [
      'init --out in a folder that does not exist',
      {
        args: () => ['init', ex, '--out', join(at.missing(), 'mxlock.yaml')],
        path: () => join(at.missing(), 'mxlock.yaml'),
        says: 'the folder it goes into does not exist',
      },
    ],
    [
      'dns --out in a folder that does not exist',
      {
        args: () => [
          'dns',
          'contoso.com',
          '--zone',
          join(ex, 'dns.json'),
          '--out',
          join(at.missing(), 'd.txt'),
        ],
        path: () => join(at.missing(), 'd.txt'),
        says: 'the folder it goes into does not exist',
      },
    ],
  ])('%s', async (_what, c) => {
    await expectFileError(c);
    // A failed write leaves no temporary file behind.
    expect((await readdir(tmp)).filter((n) => n.includes('.mxlock-'))).toEqual([]);
  });
});

describe('YAML through the command line (issue 10 item 10)', () => {
  test('a complex key in the profile: one line naming file, line and column; no Node warning on stderr', async () => {
    const profile = join(tmp, 'complex.yaml');
    await writeFile(profile, 'gateway:\n  ? [a, b]\n  : 1\n');
    const run = await mxlock('assess', ex, '--offline', '--profile', profile);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`mxlock: ${profile}:2:5: a key must be a plain name, not a list or a mapping\n`);
  });
});
