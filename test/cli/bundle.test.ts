/**
 * The CLI tests run the bundle `npm run build` ships (scripts/build-cli.mjs), built once per test run by
 * test/support/global-setup.ts into a fresh temporary directory: never the sources through tsx, never a dist/ left
 * over from another checkout.
 */
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cliBinary, mxlockProcess, REPO } from '../support/cli.js';
import { buildCliBundle, runNode } from '../support/cli-bundle.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mxlock-bundle-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A throwaway project whose src/cli/main.ts (the entry the build script bundles) is `main`. */
async function project(name: string, files: Record<string, string>): Promise<string> {
  const root = join(tmp, name);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, file)), { recursive: true });
    await writeFile(join(root, file), text);
  }
  return root;
}

const isInside = (dir: string, file: string) => !relative(dir, file).startsWith('..');

describe('the CLI under test', () => {
  test('is the bundle the global setup built for this run, outside the checkout', async () => {
    const bin = cliBinary();
    expect(basename(bin)).toBe('main.js');
    expect(isInside(tmpdir(), bin)).toBe(true);
    expect(isInside(REPO, bin)).toBe(false);
    // The program is a lazily imported chunk next to main.js (DESIGN §8 start-up); --help loads it.
    expect((await readdir(dirname(bin))).some((f) => /^program-\w+\.js$/.test(f))).toBe(true);
    const help = await mxlockProcess('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: mxlock [options] [command]');
    expect(help.stderr).toBe('');
  });
});

describe('buildCliBundle (node scripts/build-cli.mjs <outdir>)', () => {
  test('bundles src/cli/main.ts of the working directory into outdir, executable, and writes no dist/', async () => {
    const root = await project('ok', {
      'src/cli/main.ts':
        "const { greet } = await import('./greet.js');\nprocess.stdout.write(greet('bundle'));\n",
      'src/cli/greet.ts': 'export const greet = (who: string): string => `hello ${who}\\n`;\n',
    });
    const out = join(tmp, 'ok-out');
    const bin = await buildCliBundle(out, root);
    expect(bin).toBe(join(out, 'main.js'));
    expect((await stat(bin)).mode & 0o111).toBe(0o111);
    expect((await readdir(out)).some((f) => /^greet-\w+\.js$/.test(f))).toBe(true);
    expect(await runNode([bin], root)).toEqual({ code: 0, stdout: 'hello bundle\n', stderr: '' });
    expect(await readdir(root)).toEqual(['src']);
  });

  test('starts from an empty outdir, so a stale chunk or main.js cannot survive a rebuild', async () => {
    const root = await project('fresh', { 'src/cli/main.ts': "process.stdout.write('fresh\\n');\n" });
    const out = join(tmp, 'fresh-out');
    await mkdir(out);
    await writeFile(join(out, 'main.js'), "process.stdout.write('stale\\n');\n");
    await writeFile(join(out, 'chunk-STALE.js'), '');
    await chmod(join(out, 'main.js'), 0o755);
    const bin = await buildCliBundle(out, root);
    expect(await readdir(out)).toEqual(['main.js']);
    expect((await runNode([bin], root)).stdout).toBe('fresh\n');
  });

  test("a source that does not compile fails loudly with esbuild's message naming the file", async () => {
    const root = await project('broken', { 'src/cli/main.ts': 'export const = 1;\n' });
    const out = join(tmp, 'broken-out');
    const failure = await buildCliBundle(out, root).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(Error);
    const message = (failure as Error).message;
    expect(message).toContain(
      `building the mxlock CLI failed: node scripts/build-cli.mjs ${out} (in ${root})`,
    );
    expect(message).toContain('[ERROR] Expected identifier but found "="');
    expect(message).toContain('src/cli/main.ts:1:13:');
    // esbuild already said what is wrong: no Node stack trace of the build script after it.
    expect(message).not.toMatch(/^\s+at /m);
  });
});
