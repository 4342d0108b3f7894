/**
 * `assess --fleet` (issue 14 item 5) on a real folder of exports: every layout (export folder, dated collections,
 * bundle file), broken tenants that never stop the others, the previous run from dated subfolders and from an earlier
 * summary, and hostile folder names.
 */
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assessExport } from '../../src/assess-export.js';
import { exitCodeFor } from '../../src/assess.js';
import { ConfigError, InputError } from '../../src/errors.js';
import { discoverFleet } from '../../src/fleet/discover.js';
import { renderFleetJson } from '../../src/fleet/render.js';
import { assessFleet } from '../../src/fleet/run.js';
import type { FleetSummary, FleetTenant, FleetTenantOk } from '../../src/fleet/summary.js';
import { RAW_CONTROL } from '../report/helpers.js';
import { startDnsServer } from '../support/dns-server.js';

const REPO = join(import.meta.dirname, '..', '..');
const example = (name: string) => join(REPO, 'examples', name);
const HOSTILE = 'evil\u001b[31m\u202eexe\nname';

let tmp: string;
let fleet: string;

/** A fleet of every layout and every way a tenant can fail. */
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mxlock-fleet-'));
  fleet = join(tmp, 'exports');
  await mkdir(fleet);
  await cp(example('hardened'), join(fleet, 'alpha'), { recursive: true });
  await cp(example('wide-open'), join(fleet, 'bravo'), { recursive: true });
  // Collected weekly: hardened last week, half-done now.
  await cp(example('hardened'), join(fleet, 'charlie', '2026-01-25'), { recursive: true });
  await cp(example('half-done'), join(fleet, 'charlie', '2026-02-01'), { recursive: true });
  await mkdir(join(fleet, 'charlie', 'notes'));
  // A bundle file, named after the file.
  const bundle: Record<string, unknown> = {};
  for (const cmdlet of ['Get-OrganizationConfig', 'Get-AcceptedDomain', 'Get-InboundConnector'])
    bundle[cmdlet] = JSON.parse(await readFile(join(example('half-done'), `${cmdlet}.json`), 'utf8'));
  await writeFile(join(fleet, 'delta.json'), JSON.stringify(bundle));
  // Broken: a file that is not JSON; a folder with no export; a link to nothing; a hostile name.
  await cp(example('hardened'), join(fleet, 'echo'), { recursive: true });
  await writeFile(join(fleet, 'echo', 'Get-TransportRule.json'), '{"Name": ');
  await mkdir(join(fleet, 'foxtrot'));
  await symlink(join(tmp, 'nowhere'), join(fleet, 'golf'));
  await cp(example('half-done'), join(fleet, HOSTILE), { recursive: true });
  // Not tenants: hidden entries and other files.
  await writeFile(join(fleet, 'README.txt'), 'the MSP notes');
  await mkdir(join(fleet, '.cache'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const byName = (s: FleetSummary) => new Map(s.tenants.map((t) => [t.tenant, t]));
function ok(t: FleetTenant | undefined): FleetTenantOk {
  expect(t?.status, JSON.stringify(t)).toBe('ok');
  return t as FleetTenantOk;
}

describe('discovery', () => {
  test('one member per tenant, each layout recognised, sorted by name', async () => {
    const members = await discoverFleet(fleet);
    expect(members.map((m) => m.name)).toEqual([
      'alpha',
      'bravo',
      'charlie',
      'delta',
      'echo',
      HOSTILE,
      'foxtrot',
      'golf',
    ]);
    const charlie = members.find((m) => m.name === 'charlie')!;
    expect(charlie.export).toBe(join(fleet, 'charlie', '2026-02-01'));
    expect(charlie.previous).toBe(join(fleet, 'charlie', '2026-01-25'));
    expect(members.find((m) => m.name === 'delta')!.export).toBe(join(fleet, 'delta.json'));
    expect(members.find((m) => m.name === 'foxtrot')!.problem).toMatch(/no export in it/);
    expect(members.find((m) => m.name === 'golf')!.problem).toMatch(
      /symbolic link to something that does not exist/,
    );
  });

  test('a folder that is one export, a file, or nothing stops the run (exit 2), naming it', async () => {
    await expect(discoverFleet(example('hardened'))).rejects.toThrow(ConfigError);
    await expect(discoverFleet(example('hardened'))).rejects.toThrow(/export of one tenant.*mxlock assess/);
    await expect(discoverFleet(join(fleet, 'delta.json'))).rejects.toThrow(/--fleet takes a folder/);
    await expect(discoverFleet(join(tmp, 'missing'))).rejects.toThrow(InputError);
  });

  test('two entries with one tenant name: the second is an error, not a silent merge', async () => {
    const dir = join(tmp, 'twice');
    await cp(example('hardened'), join(dir, 'acme'), { recursive: true });
    await writeFile(join(dir, 'acme.json'), '{}');
    const members = await discoverFleet(dir);
    expect(members.map((m) => [m.name, m.problem !== undefined])).toEqual([
      ['acme', false],
      ['acme', true],
    ]);
  });
});

describe('the run', () => {
  let summary: FleetSummary;
  beforeAll(async () => {
    ({ summary } = await assessFleet(fleet, { failOn: 'high' }));
  });

  test('each tenant judged as `assess --offline` judges it alone', async () => {
    for (const [name, path] of [
      ['alpha', example('hardened')],
      ['bravo', example('wide-open')],
      [HOSTILE, example('half-done')],
    ] as const) {
      const alone = await assessExport(path, { offline: true });
      const t = ok(byName(summary).get(name));
      expect(t.verdict).toEqual({
        bypass: alone.report.verdict.bypass,
        legitimateFlows: alone.report.verdict.legitimateFlows,
      });
      expect(t.exitCode).toBe(exitCodeFor(alone.report, 'high'));
      expect(t.openPaths).toEqual(
        alone.report.paths.filter((p) => p.kind === 'attack' && p.status === 'open').map((p) => p.id),
      );
      const failing = (sev: string) =>
        alone.report.findings.filter((f) => f.status === 'fail' && f.severity === sev).length;
      expect(t.failing).toEqual({
        critical: failing('critical'),
        high: failing('high'),
        medium: failing('medium'),
        low: failing('low'),
      });
      expect(t.unknownChecks).toBe(alone.report.findings.filter((f) => f.status === 'unknown').length);
      expect(t.findings.map((f) => f.id)).toEqual(alone.report.findings.map((f) => f.id));
    }
    expect(ok(byName(summary).get('alpha')).verdict.bypass).toBe('closed');
    expect(ok(byName(summary).get('bravo')).openPaths.length).toBeGreaterThan(0);
  });

  test('broken tenants are error entries; the others are still judged', () => {
    const t = byName(summary);
    expect(t.get('echo')).toMatchObject({ status: 'error', exitCode: 2 });
    expect((t.get('echo') as { error: string }).error).toMatch(/Get-TransportRule\.json: .*JSON/);
    expect(t.get('foxtrot')).toMatchObject({ status: 'error' });
    expect(t.get('golf')).toMatchObject({ status: 'error' });
    expect(summary.totals).toEqual({
      tenants: 8,
      ok: 5,
      error: 3,
      bypass: { open: 3, uncertain: 1, closed: 1, 'no-gateway': 0 },
      withRegressions: 1,
    });
  });

  test('a bundle with cmdlets missing: judged, its unknowns counted, never a pass', () => {
    const delta = ok(byName(summary).get('delta'));
    expect(delta.export).toBe(join(fleet, 'delta.json'));
    expect(delta.unknownChecks).toBeGreaterThan(0);
    expect(delta.verdict.bypass).toBe('uncertain');
    expect(delta.findings.find((f) => f.id === 'rule.safety-net-missing')?.status).toBe('unknown');
  });

  test('dated collections: the latest judged, compared with the one before by src/diff (objects too)', () => {
    const charlie = ok(byName(summary).get('charlie'));
    expect(charlie.export).toBe(join(fleet, 'charlie', '2026-02-01'));
    expect(charlie.previous).toEqual({ source: join(fleet, 'charlie', '2026-01-25'), status: 'ok' });
    expect(charlie.changes?.regressions).toContainEqual({
      kind: 'path',
      id: 'verdict.bypass',
      before: 'closed',
      after: 'open',
    });
    expect(charlie.changes?.regressions).toContainEqual({
      kind: 'object',
      id: 'object.lockdown-connector.restriction',
      before: 'certificate',
      after: 'none',
    });
    expect(charlie.changes?.improvements).toEqual([]);
    // The rest had no previous run.
    expect(ok(byName(summary).get('alpha'))).toMatchObject({ previous: null, changes: null });
  });

  test('the hostile name is kept as it is in the data (the renderers escape it)', () => {
    expect(ok(byName(summary).get(HOSTILE)).export).toBe(join(fleet, HOSTILE));
    const json = renderFleetJson(summary);
    expect(json).not.toMatch(RAW_CONTROL);
    expect((JSON.parse(json) as FleetSummary).tenants.map((t) => t.tenant)).toContain(HOSTILE);
  });

  test('the same result one tenant at a time or several at once', async () => {
    const { summary: parallel } = await assessFleet(fleet, { failOn: 'high', concurrency: 3 });
    expect(parallel).toEqual(summary);
  });

  test('progress is reported once per tenant', async () => {
    const seen: string[] = [];
    await assessFleet(fleet, { failOn: 'high', onProgress: (d, n, t) => seen.push(`${d}/${n} ${t}`) });
    expect(seen).toHaveLength(8);
    expect(seen.at(-1)).toMatch(/^8\/8 /);
  });

  test('a previous export that cannot be assessed: nothing compared, a note says why', async () => {
    const dir = join(tmp, 'bad-previous');
    await cp(example('half-done'), join(dir, 'acme', '2026-01-01'), { recursive: true });
    await writeFile(join(dir, 'acme', '2026-01-01', 'Get-InboundConnector.json'), 'not json');
    await cp(example('hardened'), join(dir, 'acme', '2026-01-08'), { recursive: true });
    const { summary: s } = await assessFleet(dir, { failOn: 'high' });
    const acme = ok(s.tenants[0]);
    expect(acme.previous).toEqual({ source: join(dir, 'acme', '2026-01-01'), status: 'error' });
    expect(acme.changes).toBeNull();
    expect(acme.notes.join('\n')).toMatch(
      /previous export could not be assessed.*Get-InboundConnector\.json/s,
    );
  });
});

describe('--previous: an earlier summary', () => {
  test('changes since the earlier run, a new tenant, a tenant gone, a tenant that failed then', async () => {
    const dir = join(tmp, 'weekly');
    await cp(example('hardened'), join(dir, 'acme'), { recursive: true });
    await cp(example('hardened'), join(dir, 'globex'), { recursive: true });
    await cp(example('half-done'), join(dir, 'initech'), { recursive: true });
    await mkdir(join(dir, 'umbrella'));
    const first = await assessFleet(dir, { failOn: 'high' });
    const earlier = join(tmp, 'fleet-week1.json');
    await writeFile(earlier, renderFleetJson(first.summary));

    // A week later: acme re-opened, globex gone, umbrella exported now, hooli new; initech unchanged.
    await rm(join(dir, 'acme'), { recursive: true });
    await cp(example('half-done'), join(dir, 'acme'), { recursive: true });
    await rm(join(dir, 'globex'), { recursive: true });
    await cp(example('hardened'), join(dir, 'umbrella'), { recursive: true });
    await cp(example('wide-open'), join(dir, 'hooli'), { recursive: true });
    const { summary, reads } = await assessFleet(dir, { failOn: 'high', previousFile: earlier });

    expect(summary.previous).toBe(earlier);
    expect(summary.gone).toEqual(['globex']);
    const t = byName(summary);
    const acme = ok(t.get('acme'));
    expect(acme.previous).toEqual({ source: earlier, status: 'ok' });
    expect(acme.changes?.regressions).toContainEqual({
      kind: 'path',
      id: 'verdict.bypass',
      before: 'closed',
      after: 'open',
    });
    // From a summary there are no snapshots: verdict, paths and findings only.
    expect(acme.changes?.regressions.some((e) => e.kind === 'object')).toBe(false);
    expect(ok(t.get('initech')).changes).toEqual({ regressions: [], improvements: [], changes: [] });
    expect(ok(t.get('hooli'))).toMatchObject({
      previous: { source: earlier, status: 'absent' },
      changes: null,
    });
    expect(ok(t.get('umbrella'))).toMatchObject({
      previous: { source: earlier, status: 'error' },
      changes: null,
    });
    expect(summary.totals.withRegressions).toBe(1);
    expect(reads).toContain(earlier);
  });

  test('a file that is not an earlier fleet summary stops the run, naming the file and the field', async () => {
    const single = join(tmp, 'single-report.json');
    const { report } = await assessExport(example('hardened'), { offline: true });
    await writeFile(single, JSON.stringify(report));
    await expect(assessFleet(fleet, { failOn: 'high', previousFile: single })).rejects.toThrow(
      /single-report\.json: an `assess` report of one tenant, not a fleet summary/,
    );
    const bad = join(tmp, 'bad-fleet.json');
    await writeFile(
      bad,
      JSON.stringify({
        schemaVersion: 1,
        tenants: [{ tenant: 'a', status: 'ok', verdict: { bypass: 'ajar' } }],
      }),
    );
    await expect(assessFleet(fleet, { failOn: 'high', previousFile: bad })).rejects.toThrow(
      /bad-fleet\.json: tenants\[0\]\.verdict\.bypass: /,
    );
    const notJson = join(tmp, 'not.json');
    await writeFile(notJson, 'tenant,verdict\n');
    await expect(assessFleet(fleet, { failOn: 'high', previousFile: notJson })).rejects.toThrow(InputError);
    await expect(
      assessFleet(fleet, { failOn: 'high', previousFile: join(tmp, 'absent.json') }),
    ).rejects.toThrow(/absent\.json: cannot read the previous fleet summary/);
  });
});

describe('--live-dns', () => {
  test('every tenant asks the given resolver; by default none does', async () => {
    const server = await startDnsServer({
      'contoso.com': {
        MX: [{ exchange: 'eu-smtp-inbound-1.mimecast.com', priority: 10 }],
        TXT: ['v=spf1 ip4:203.0.113.0/24 -all'],
      },
      '_dmarc.contoso.com': { TXT: ['v=DMARC1; p=reject'] },
    });
    try {
      const dir = join(tmp, 'live');
      await mkdir(dir);
      // Exports without dns.json: offline their dns.* checks are unknown.
      for (const name of ['one', 'two'])
        await writeFile(
          join(dir, `${name}.json`),
          JSON.stringify({
            'Get-OrganizationConfig': { RejectDirectSend: true },
            'Get-AcceptedDomain': [
              { DomainName: 'contoso.com', DomainType: 'Authoritative', Default: true },
              { DomainName: 'contoso.onmicrosoft.com', DomainType: 'Authoritative', InitialDomain: true },
            ],
          }),
        );
      const offline = await assessFleet(dir, { failOn: 'high' });
      expect(server.log).toEqual([]);
      const live = await assessFleet(dir, { failOn: 'high', liveDns: true, dnsServers: [server.server] });
      expect(live.summary.dns).toBe('live');
      expect(server.log).toContain('contoso.com/MX/udp');
      const unknown = (s: FleetSummary, id: string) =>
        ok(s.tenants[0]).findings.find((f) => f.id === id)?.status === 'unknown';
      expect(unknown(offline.summary, 'dns.dmarc-policy')).toBe(true);
      expect(unknown(live.summary, 'dns.dmarc-policy')).toBe(false);
      expect(ok(live.summary.tenants[1]).unknownChecks).toBeLessThan(
        ok(offline.summary.tenants[1]).unknownChecks,
      );
    } finally {
      await server.close();
    }
  });
});
