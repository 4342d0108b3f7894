/** `mxlock dmarc` end to end (main() in process, test/support/cli.ts): DESIGN §3.4 JSON, terminal at 80 columns, exit codes, errors. */
import { copyFile, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mxlock, REPO } from '../support/cli.js';

const FIXTURES = join(REPO, 'test', 'fixtures', 'dmarc');
const EXPORT = join(REPO, 'examples', 'half-done');
const OUTLOOK = join(FIXTURES, 'outlook.com!fabrikam.com!1711756800!1711843200.xml');

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mxlock-dmarc-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('mxlock dmarc', () => {
  test('JSON: the §3.4 keys first, unknown sources exit 1', async () => {
    const r = await mxlock('dmarc', FIXTURES, '--export', EXPORT, '--format', 'json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j).slice(0, 4)).toEqual(['schemaVersion', 'reports', 'messages', 'sources']);
    expect(j).toMatchObject({ schemaVersion: 1, reports: 4, messages: 95, spfChecked: true });
    expect(Object.keys(j.sources[0]).slice(0, 5)).toEqual(['ip', 'headerFrom', 'count', 'dmarc', 'known']);
    const unknown = j.sources.filter((s: { known: boolean }) => !s.known).map((s: { ip: string }) => s.ip);
    expect(unknown).toEqual(['198.51.100.200', '2001:db8::25', '198.51.100.77']);
    // The folder held the same reports in several containers: each counted once.
    expect(j.notes.filter((n: string) => n.includes('counted once'))).toHaveLength(4);
  });

  test('terminal: unknown sources first, every line within 80 columns', async () => {
    const r = await mxlock('dmarc', FIXTURES, '--export', EXPORT);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('UNKNOWN SOURCES (not the gateway, the profile or SPF): 3');
    expect(r.stdout).toContain('  ! 198.51.100.200 as fabrikam.com');
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('passes DMARC from an IP nobody declared');
    expect(r.stdout.replace(/\s+/g, ' ')).toContain("fabrikam.com's SPF gives fail for it");
    expect(r.stdout).toContain('Known sources: 4');
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  test('every source known: exit 0', async () => {
    const dir = join(tmp, 'known');
    await mkdir(dir);
    await copyFile(join(FIXTURES, 'rfc9990.xml'), join(dir, 'r.xml'));
    const r = await mxlock('dmarc', dir, '--export', EXPORT);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No unknown source');
  });

  test('without --export: SPF not checked, said on the terminal, every non-gateway source unknown', async () => {
    const r = await mxlock('dmarc', OUTLOOK, '--profile', join(EXPORT, 'mxlock.yaml'), '--format', 'json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.spfChecked).toBe(false);
    expect(j.sources.find((s: { ip: string }) => s.ip === '40.107.22.5')).toMatchObject({
      known: false,
      spf: 'not-checked',
    });
    const term = await mxlock('dmarc', OUTLOOK);
    expect(term.stdout.replace(/\s+/g, ' ')).toContain('SPF: not checked (no --export with dns.json)');
  });

  test('a folder: symbolic links are not followed, other files skipped with a note', async () => {
    const dir = join(tmp, 'walk');
    await mkdir(dir);
    await copyFile(OUTLOOK, join(dir, 'a.xml'));
    await writeFile(join(dir, 'notes.txt'), 'not a report\n');
    await symlink(join(FIXTURES, 'rfc9990.xml'), join(dir, 'link.xml'));
    const r = await mxlock('dmarc', dir, '--format', 'json');
    const j = JSON.parse(r.stdout);
    expect(j.reports).toBe(1);
    expect(j.notes).toEqual(
      expect.arrayContaining([
        `${join(dir, 'link.xml')}: a symbolic link, not followed in a folder: skipped`,
        `${join(dir, 'notes.txt')}: not a DMARC aggregate report (neither XML, gzip, zip, an email nor an mbox): skipped`,
      ]),
    );
  });

  test.each([
    [
      'a hostile report',
      'evil.xml',
      '<!DOCTYPE f [<!ENTITY x SYSTEM "file:///etc/passwd">]><feedback/>',
      /evil\.xml: line 1: <!DOCTYPE> is refused/,
    ],
    ['a file that is no report', 'x.txt', 'hello\n', /x\.txt: not a DMARC aggregate report/],
  ])('%s: exit 2, one line naming the file', async (_, name, content, why) => {
    const file = join(tmp, name);
    await writeFile(file, content);
    const r = await mxlock('dmarc', file);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(why);
    expect(r.stderr).not.toContain('unexpected error');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('a path-traversal zip entry writes nothing, anywhere', async () => {
    const { zipSync } = await import('fflate');
    const dir = join(tmp, 'zip');
    await mkdir(join(dir, 'a', 'b'), { recursive: true });
    const zip = join(dir, 'a', 'b', 'evil.zip');
    await writeFile(zip, zipSync({ '../../x.xml': new TextEncoder().encode('<feedback/>') }));
    const r = await mxlock('dmarc', zip);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/evil\.zip: zip entry "\.\.\/\.\.\/x\.xml": a path outside the archive/);
    expect((await readdir(dir)).sort()).toEqual(['a']);
  });

  test('--out never over an input', async () => {
    const dir = join(tmp, 'out');
    await mkdir(dir);
    const input = join(dir, 'r.xml');
    await copyFile(OUTLOOK, input);
    const r = await mxlock('dmarc', input, '--out', input, '--force');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/r\.xml is a file this run reads/);
  });
});
