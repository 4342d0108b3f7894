/** `mxlock init` (src/cli/commands/init.ts): writes next to the export, refuses to overwrite, reports what it inferred. */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { registerInit, runInit } from '../../src/cli/commands/init.js';
import { ConfigError } from '../../src/errors.js';
import { parseProfile } from '../../src/profile/parse.js';
import { mxlock } from '../support/cli.js';

const EXPORT = fileURLToPath(new URL('../fixtures/profile/export-mimecast/', import.meta.url));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mxlock-init-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function copyExport(): Promise<string> {
  const target = join(dir, 'export');
  await cp(EXPORT, target, { recursive: true });
  return target;
}

describe('runInit', () => {
  test('writes <export>/mxlock.yaml with the inferred gateway and logs the basis', async () => {
    const exportDir = await copyExport();
    const log: string[] = [];
    const out = await runInit(exportDir, {}, (l) => log.push(l));
    expect(out).toBe(join(exportDir, 'mxlock.yaml'));
    const profile = parseProfile(await readFile(out, 'utf8'), out);
    expect(profile.gateway).toEqual({
      name: 'Mimecast',
      ips: ['207.211.30.0/24', '205.139.110.0/24'],
      certificateUnique: false,
      dkimSelectors: [],
    });
    expect(log).toEqual([
      'gateway: Mimecast, 2 IP range(s)',
      '  - MX of contoso.com → us-smtp-inbound-1.mimecast.com (Mimecast)',
      '  - Partner connector "From Mimecast" with SenderDomains * and RestrictDomainsToIPAddresses',
      `wrote ${out} (review the TODO comments: direct send sources, protected users, hybrid)`,
    ]);
  });

  test('refuses to overwrite without --force and leaves the file alone; --force overwrites', async () => {
    const exportDir = await copyExport();
    const target = join(exportDir, 'mxlock.yaml');
    await writeFile(target, 'protectedUsers: [keep@contoso.com]\n');
    const attempt = runInit(exportDir, {}, () => undefined);
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toThrow(
      `${target} already exists; use --force to overwrite it, or --out <file> to write elsewhere`,
    );
    expect(await readFile(target, 'utf8')).toBe('protectedUsers: [keep@contoso.com]\n');

    await runInit(exportDir, { force: true }, () => undefined);
    expect(parseProfile(await readFile(target, 'utf8'), target).gateway?.name).toBe('Mimecast');
  });

  test('--out writes elsewhere', async () => {
    const exportDir = await copyExport();
    const out = join(dir, 'profiles', 'contoso.yaml');
    await mkdir(join(dir, 'profiles'));
    expect(await runInit(exportDir, { out }, () => undefined)).toBe(out);
    expect(await readdir(exportDir)).not.toContain('mxlock.yaml');
    expect(parseProfile(await readFile(out, 'utf8'), out).gateway?.ips).toEqual([
      '207.211.30.0/24',
      '205.139.110.0/24',
    ]);
  });

  test('a snapshot.json bundle gets mxlock.yaml beside it', async () => {
    const bundleDir = join(dir, 'bundle');
    await mkdir(bundleDir);
    const bundle: Record<string, unknown> = {};
    for (const name of ['Get-AcceptedDomain', 'Get-InboundConnector', 'dns']) {
      bundle[name] = JSON.parse(await readFile(join(EXPORT, `${name}.json`), 'utf8'));
    }
    const file = join(bundleDir, 'snapshot.json');
    await writeFile(file, JSON.stringify(bundle));
    expect(await runInit(file, {}, () => undefined)).toBe(join(bundleDir, 'mxlock.yaml'));
  });

  test('an export that does not exist is an InputError and nothing is written', async () => {
    await expect(runInit(join(dir, 'nope'), {}, () => undefined)).rejects.toMatchObject({
      name: 'InputError',
    });
    expect(await readdir(dir)).toEqual([]);
  });
});

test('registerInit wires the arguments and options', async () => {
  const exportDir = await copyExport();
  const program = new Command('mxlock').exitOverride();
  registerInit(program);
  const out = join(dir, 'via-commander.yaml');
  const writes: string[] = [];
  const original = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => {
    writes.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    await program.parseAsync(['init', exportDir, '--out', out], { from: 'user' });
  } finally {
    process.stderr.write = original;
  }
  expect(writes.at(-1)).toBe(
    `wrote ${out} (review the TODO comments: direct send sources, protected users, hybrid)\n`,
  );
  expect(parseProfile(await readFile(out, 'utf8'), out).gateway?.name).toBe('Mimecast');
});

describe('the mxlock binary', () => {
  test('init --help shows an example', async () => {
    const { code, stdout } = await mxlock('init', '--help');
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: mxlock init [options] <export>');
    expect(stdout).toContain('$ mxlock init ./contoso-export');
  });

  test('an existing profile: exit code 2 and a one-line message on stderr', async () => {
    const exportDir = await copyExport();
    await writeFile(join(exportDir, 'mxlock.yaml'), '');
    const failure = await mxlock('init', exportDir);
    expect(failure.code).toBe(2);
    expect(failure.stderr).toBe(
      `mxlock: ${join(exportDir, 'mxlock.yaml')} already exists; use --force to overwrite it, or --out <file> to write elsewhere\n`,
    );
  });
});
