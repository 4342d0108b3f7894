/**
 * `mxlock assess --fleet` end to end, in process (issue 14 item 5): exit codes 0, 1 and 2, the JSON
 * summary written with --out and read back with --previous, usage errors, a hostile folder name, and nothing on stderr
 * off a terminal but what matters.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mxlock, REPO } from '../support/cli.js';
import { RAW_CONTROL } from '../report/helpers.js';

const example = (name: string) => join(REPO, 'examples', name);
const HOSTILE = 'acme\u001b]0;pwned\u0007\u202e';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mxlock-fleet-cli-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function fleetOf(name: string, tenants: Record<string, string | null>): Promise<string> {
  const dir = join(tmp, name);
  await mkdir(dir);
  for (const [tenant, source] of Object.entries(tenants)) {
    if (source === null) await mkdir(join(dir, tenant));
    else await cp(example(source), join(dir, tenant), { recursive: true });
  }
  return dir;
}

describe('mxlock assess --fleet', () => {
  test('every tenant hardened: exit 0, one line each, nothing on stderr', async () => {
    const dir = await fleetOf('good', { north: 'hardened', south: 'hardened' });
    const r = await mxlock('assess', '--fleet', dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^north +closed +preserved +0 +0\/0\/0\/0 +0 +-$/m);
    expect(r.stdout).toMatch(/^south +closed +preserved/m);
  });

  test('an open tenant, a broken one and a hostile name: exit 1, the others still judged', async () => {
    const dir = await fleetOf('mixed', { north: 'hardened', open: 'wide-open', [HOSTILE]: 'half-done' });
    await mkdir(join(dir, 'broken'));
    await writeFile(join(dir, 'broken', 'Get-OrganizationConfig.json'), '\u0000\u0001 not json');
    const r = await mxlock('assess', '--fleet', dir);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toMatch(/^broken +error: Get-OrganizationConfig\.json: not valid JSON/m);
    expect(r.stdout).toMatch(/^ {2}broken: .*\/broken\/Get-OrganizationConfig\.json:\s+not valid JSON/m);
    // Escaped, then cut to the tenant column.
    expect(r.stdout).toMatch(/^acme\\x1b\]0;pwned\S*… +open /m);
    expect(r.stdout).toMatch(/^open +open /m);
    expect(r.stdout).toMatch(/^north +closed /m);
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    // --fail-on none: open tenants no longer fail the run; the broken one still does.
    expect((await mxlock('assess', '--fleet', dir, '--fail-on', 'none')).code).toBe(1);
  });

  test('nothing could be assessed: exit 2 (an empty folder is not a pass)', async () => {
    const empty = await fleetOf('empty', {});
    const r = await mxlock('assess', '--fleet', empty, '--format', 'json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ totals: { tenants: 0, ok: 0, error: 0 }, tenants: [] });
    const broken = await fleetOf('all-broken', { a: null, b: null });
    const b = await mxlock('assess', '--fleet', broken, '--format', 'json');
    expect(b.code).toBe(2);
    expect(JSON.parse(b.stdout).tenants.map((t: { status: string }) => t.status)).toEqual(['error', 'error']);
  });

  test('--out then --previous: what changed since last week; never written into the fleet', async () => {
    const dir = await fleetOf('weekly', { acme: 'hardened', globex: 'half-done' });
    const week1 = join(tmp, 'fleet-week1.json');
    const first = await mxlock('assess', '--fleet', dir, '--format', 'json', '--out', week1);
    expect(first.code).toBe(1);
    expect(first.stdout).toBe('');
    const saved = JSON.parse(await readFile(week1, 'utf8'));
    expect(saved).toMatchObject({ schemaVersion: 1, dns: 'recorded', failOn: 'high', previous: null });
    expect(saved.tenants.map((t: { tenant: string }) => t.tenant)).toEqual(['acme', 'globex']);

    await rm(join(dir, 'acme'), { recursive: true });
    await cp(example('wide-open'), join(dir, 'acme'), { recursive: true });
    const r = await mxlock('assess', '--fleet', dir, '--previous', week1);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^acme +open +preserved +\d+ +[\d/]+ +\d+ +\d+ worse/m);
    expect(r.stdout).toMatch(/^globex +open +preserved .* no change$/m);
    expect(r.stdout).toContain('- [path] verdict.bypass: closed -> open');

    // The fleet folder and each tenant's folder are inputs: a JSON written there would be read as a tenant.
    for (const out of [join(dir, 'fleet.json'), join(dir, 'acme', 'fleet.json')]) {
      const refused = await mxlock('assess', '--fleet', dir, '--format', 'json', '--out', out);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/cannot write it into the export folder this run reads/);
    }
    const over = await mxlock('assess', '--fleet', dir, '--previous', week1, '--out', week1, '--force');
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(/is a file this run reads/);
    expect((await readdir(dir)).sort()).toEqual(['acme', 'globex']);
  });

  test.each([
    [['--fleet', 'X', example('hardened')], /either an export .* or --fleet/],
    [['--fleet', 'X', '--profile', 'p.yaml'], /--profile does not go with --fleet/],
    [['--fleet', 'X', '--format', 'sarif'], /--format sarif does not go with --fleet/],
    [['--fleet', 'X', '--benchmark', 'cis-m365'], /--benchmark does not go with --fleet/],
    [['--fleet', 'X', '--live-dns', '--offline'], /contradict/],
    [['--fleet', 'X', '--dns-server', '127.0.0.1'], /--dns-server goes with --live-dns/],
    [[example('hardened'), '--previous', 'x.json'], /--previous goes with --fleet/],
    [[], /give an export folder or snapshot\.json, or --fleet/],
    [['--fleet', example('hardened')], /export of one tenant .*mxlock assess/],
  ])('usage error: assess %j', async (args, message) => {
    const r = await mxlock('assess', ...args.map((a) => (a === 'X' ? tmp : a)));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/unexpected/);
  });
});
