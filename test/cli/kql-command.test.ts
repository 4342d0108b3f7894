/** `mxlock kql` end to end through the built bundle: selection, refusals, --out, profile-only runs. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mxlock, REPO } from '../support/cli.js';
import { tokenizeKql } from '../support/kql-tokenizer.js';

const HARDENED = join(REPO, 'examples', 'hardened');

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mxlock-kql-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const ALL = ['direct-inbound', 'own-domain-spoof', 'safety-net-hits', 'direct-send-inventory'];
const ids = (text: string) => [...text.matchAll(/^\/\/ ---- (\S+) ----$/gm)].map((m) => m[1]);

describe('mxlock kql', () => {
  test('an export: the four queries on stdout, valid KQL, exit 0', async () => {
    const r = await mxlock('kql', HARDENED);
    expect(r.code).toBe(0);
    expect(ids(r.stdout)).toEqual(ALL);
    expect(() => tokenizeKql(r.stdout)).not.toThrow();
    expect(r.stderr).toContain('using profile');
  });

  test('--query selects, by several names or a comma list', async () => {
    const a = await mxlock('kql', HARDENED, '--query', 'direct-send-inventory', 'direct-inbound');
    expect(a.code).toBe(0);
    expect(ids(a.stdout)).toEqual(['direct-inbound', 'direct-send-inventory']);
    const b = await mxlock('kql', HARDENED, '--query', 'safety-net-hits,own-domain-spoof');
    expect(ids(b.stdout)).toEqual(['own-domain-spoof', 'safety-net-hits']);
  });

  test('an unknown query name is refused with the known names (exit 2)', async () => {
    const r = await mxlock('kql', HARDENED, '--query', 'direct-inbound', 'nope\u202e');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("unknown query 'nope\\u202e'");
    expect(r.stderr).toContain(
      'known: direct-inbound, own-domain-spoof, safety-net-hits, direct-send-inventory',
    );
  });

  test('neither an export nor a profile: exit 2 saying what to give', async () => {
    const r = await mxlock('kql');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/give an export folder .*--profile/);
  });

  test('the profile only: the gateway queries are written, the domain ones are not and stderr says why', async () => {
    const r = await mxlock('kql', '--profile', join(HARDENED, 'mxlock.yaml'));
    expect(r.code).toBe(0);
    expect(ids(r.stdout)).toEqual(ALL);
    expect(r.stdout).toMatch(/\/\/ Not written: the accepted domains are unknown/);
    expect(r.stderr).toMatch(/warning: query own-domain-spoof not written: the accepted domains are unknown/);
    expect(r.stderr).toMatch(/warning: query direct-send-inventory not written/);
  });

  test('nothing can be written: exit 2 naming each reason', async () => {
    const profile = join(tmp, 'no-gateway.yaml');
    await writeFile(profile, 'directSendSources: []\n');
    const r = await mxlock('kql', '--profile', profile, '--query', 'direct-inbound', 'own-domain-spoof');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no query could be written: direct-inbound: the gateway is unknown/);
  });

  test('--out writes the file, refuses to overwrite without --force, and never writes over an input', async () => {
    const out = join(tmp, 'hunting.kql');
    const r = await mxlock('kql', HARDENED, '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(ids(await readFile(out, 'utf8'))).toHaveLength(4);
    expect((await mxlock('kql', HARDENED, '--out', out)).code).toBe(2);
    expect((await mxlock('kql', HARDENED, '--out', out, '--force')).code).toBe(0);
    const over = await mxlock('kql', HARDENED, '--out', join(HARDENED, 'mxlock.yaml'), '--force');
    expect(over.code).toBe(2);
  });
});
