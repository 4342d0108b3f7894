/**
 * The two ways the CLI tests run `mxlock` (test/support/cli.ts) agree: every command, run in process and as the
 * bundle in a child process, gives the same exit code and byte-identical stdout and stderr. This is also each
 * command's smoke run of the bundle users get. And a run in process leaves the worker as it found it.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mxlock, mxlockProcess, mxlockWith, REPO } from '../support/cli.js';

const example = (name: string) => join(REPO, 'examples', name);
const fixture = (...parts: string[]) => join(REPO, 'test', 'fixtures', ...parts);
/** What `headers` judges against (as in headers-command.test.ts). */
const TENANT = ['--export', example('half-done'), '--profile', fixture('headers', 'mxlock.yaml')];

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mxlock-in-process-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Runs both ways and expects the same result; `between` undoes what the first run wrote. Returns the result. */
async function same(args: string[], between?: () => Promise<void>) {
  const child = await mxlockProcess(...args);
  await between?.();
  const inProcess = await mxlock(...args);
  expect(inProcess, `mxlock ${args.join(' ')}`).toEqual(child);
  return child;
}

describe('in process and as the bundle, byte for byte', () => {
  test.each<[string, string[], number]>([
    ['--help', ['--help'], 0],
    ['assess, terminal report', ['assess', example('half-done'), '--offline'], 1],
    ['assess, JSON', ['assess', example('hardened'), '--offline', '--format', 'json'], 0],
    [
      'assess, SARIF',
      ['assess', example('wide-open'), '--offline', '--format', 'sarif', '--fail-on', 'none'],
      0,
    ],
    ['simulate', ['simulate', example('wide-open'), '--offline'], 1],
    ['dns', ['dns', 'contoso.com', '--zone', join(example('hardened'), 'dns.json')], 1],
    ['headers', ['headers', fixture('headers', 'hostile.eml'), ...TENANT], 1],
    ['dmarc', ['dmarc', fixture('dmarc', 'rfc9990.xml'), '--export', example('hardened')], 0],
    ['kql', ['kql', example('hardened')], 0],
    ['diff', ['diff', example('hardened'), example('half-done'), '--offline'], 1],
    ['trace', ['trace', fixture('logs', 'message-trace-v2.csv'), '--export', example('hardened')], 0],
    [
      'events',
      ['events', fixture('logs', 'email-events.csv'), '--export', example('hardened'), '--format', 'json'],
      1,
    ],
    // Nothing listens on loopback port 1: every attempt is refused at once.
    [
      'probe',
      ['probe', 'contoso.com', '--host', '127.0.0.1', '--port', '1', '--tenant', 'contoso.onmicrosoft.com'],
      1,
    ],
    // A server runs until stopped: refused at its --port check (the listening server: emulate-command.test.ts).
    ['emulate, a refused --port', ['emulate', example('hardened'), '--offline', '--port', '70000'], 2],
    ['a usage error (commander)', ['assess', example('hardened'), '--format', 'yaml'], 2],
    ['an unknown command', ['asess'], 2],
    ['an input error', ['assess', join(REPO, 'no-such-export')], 2],
  ])('%s', async (_what, args, code) => {
    expect((await same(args)).code).toBe(code);
  });

  test('plan: the same output and the same files', async () => {
    const out = join(tmp, 'plan');
    const files = async () =>
      Promise.all(['plan.md', 'rollback.ps1'].map((f) => readFile(join(out, f), 'utf8')));
    const child = await mxlockProcess('plan', example('wide-open'), '--offline', '--out', out);
    const written = await files();
    await rm(out, { recursive: true });
    expect(await mxlock('plan', example('wide-open'), '--offline', '--out', out)).toEqual(child);
    expect(child.code).toBe(0);
    expect(await files()).toEqual(written);
  });

  test('init: the same output and the same profile', async () => {
    const dir = join(tmp, 'init');
    await cp(example('half-done'), dir, { recursive: true });
    const profile = join(dir, 'mxlock.yaml');
    await rm(profile);
    let written = '';
    const run = await same(['init', dir], async () => {
      written = await readFile(profile, 'utf8');
      await rm(profile);
    });
    expect(run.code).toBe(0);
    expect(await readFile(profile, 'utf8')).toBe(written);
    expect(written).toContain('gateway:');
  });

  test('assess --fleet', async () => {
    const fleet = join(tmp, 'fleet');
    await cp(example('hardened'), join(fleet, 'north'), { recursive: true });
    await cp(example('wide-open'), join(fleet, 'south'), { recursive: true });
    expect((await same(['assess', '--fleet', fleet])).code).toBe(1);
  });

  test('--version: the fast path of main.ts and the program print the same', async () => {
    const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(await same(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });
});

/** What a run in process changes while it runs, and must put back. */
const workerState = () => ({
  exitCode: process.exitCode,
  noColor: process.env['NO_COLOR'],
  stdoutWrite: process.stdout.write,
  stderrWrite: process.stderr.write,
  stdoutOwn: Object.getOwnPropertyNames(process.stdout).sort(),
  stdin: Object.getOwnPropertyDescriptor(process, 'stdin'),
  cwd: process.cwd(),
  warning: process.listenerCount('warning'),
});

describe('a run in process', () => {
  test('puts back the exit code, the environment, the streams, stdin and the working directory', async () => {
    const exitCode = process.exitCode;
    // Not the worker's usual `undefined`, so that putting back is seen: the run's own exit code is 1.
    process.exitCode = 0;
    const before = workerState();
    process.env['MXLOCK_IN_PROCESS_PROBE'] = 'kept';
    const r = await mxlockWith(
      { cwd: tmp, env: { MXLOCK_IN_PROCESS_PROBE: undefined } },
      'assess',
      example('half-done'),
      '--offline',
    );
    expect(r.code).toBe(1);
    expect(process.env['MXLOCK_IN_PROCESS_PROBE']).toBe('kept');
    delete process.env['MXLOCK_IN_PROCESS_PROBE'];
    const after = workerState();
    process.exitCode = exitCode;
    expect(after).toEqual(before);
  });

  test('an exit code set by one run does not leak into the next', async () => {
    expect((await mxlock('assess', example('half-done'), '--offline')).code).toBe(1);
    expect((await mxlock('assess', example('hardened'), '--offline')).code).toBe(0);
    expect((await mxlock('--help')).code).toBe(0);
  });

  test('runs started together are run one after the other, each with its own output', async () => {
    const args = [
      ['assess', example('half-done'), '--offline'],
      ['kql', example('hardened')],
      ['assess', join(REPO, 'no-such-export')],
    ];
    const alone = [];
    for (const a of args) alone.push(await mxlock(...a));
    expect(await Promise.all(args.map((a) => mxlock(...a)))).toEqual(alone);
  });

  test('relative paths are read from the working directory given', async () => {
    const r = await mxlockWith(
      { cwd: join(REPO, 'examples') },
      'assess',
      'hardened',
      '--offline',
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ tenant: { initialDomain: 'northwind.onmicrosoft.com' } });
    const missing = await mxlockWith({ cwd: tmp }, 'assess', 'hardened', '--offline');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^mxlock: hardened: cannot read the export folder.*no such file/);
  });

  test('standard input is the bytes given, never the worker’s', async () => {
    const eml = await readFile(fixture('headers', 'ghost-sender.eml'));
    const args = ['headers', '-', ...TENANT, '--format', 'json'];
    const piped = await mxlockWith({ input: eml }, ...args);
    const file = join(tmp, 'ghost.eml');
    await writeFile(file, eml);
    const fromFile = await mxlock(...args.map((a) => (a === '-' ? file : a)));
    expect(piped.code).toBe(1);
    expect(JSON.parse(piped.stdout)).toMatchObject({ enforcement: 'overridden' });
    expect(piped).toEqual(fromFile);
    // Without input: end of file at once, an empty message.
    const empty = await mxlockWith({}, ...args);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/standard input/);
  });
});
