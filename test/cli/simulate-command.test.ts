/** `mxlock simulate` end to end: DESIGN §3.4 JSON, --after-plan, scenario files, exit codes. */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mxlock, REPO } from '../support/cli.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mxlock-sim-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('mxlock simulate', () => {
  test('--format json follows DESIGN §3.4; --after-plan closes the wide-open tenant', async () => {
    const r = await mxlock(
      'simulate',
      join(REPO, 'examples', 'wide-open'),
      '--offline',
      '--after-plan',
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.schemaVersion).toBe(1);
    expect(Object.keys(j.before)).toEqual(['verdict', 'paths']);
    expect(j.before.verdict.bypass).toBe('open');
    // contoso.com takes mail over IPv6 and the plan's lock-down is by IP (no certificate declared): whether Mimecast
    // delivers over IPv6 is unknown, so the gateway path is not confirmed after the plan (test/assess/ipv6-acceptance).
    expect(j.after.verdict).toMatchObject({ bypass: 'closed', legitimateFlows: 'uncertain' });
    expect(j.after.paths[0].id).toBe('path.direct-send-own-domain');
    expect(Object.keys(j.after.paths[0])).toEqual(['id', 'kind', 'status', 'outcome', 'evidence', 'domains']);
    // Attack paths are tried for every accepted domain (DESIGN §3.3 paths[].domains), the default first.
    expect(j.after.paths[0].domains[0]).toEqual({
      domain: 'contoso.com',
      status: 'closed',
      outcome: expect.objectContaining({ stage: 'rcpt' }),
    });
    const gatewayPath = j.after.paths.find((p: { id: string }) => p.id === 'path.gateway-delivery');
    expect(Object.keys(gatewayPath)).toEqual(['id', 'kind', 'status', 'outcome', 'evidence']);
  });

  test('without --after-plan there is no "after", and an open bypass exits 1', async () => {
    const r = await mxlock('simulate', join(REPO, 'examples', 'half-done'), '--offline', '--format', 'json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).after).toBeUndefined();
  });

  test('a scenario file adds its attempts, before and after the plan', async () => {
    const r = await mxlock(
      'simulate',
      join(REPO, 'examples', 'wide-open'),
      '--offline',
      '--after-plan',
      '--scenario',
      join(REPO, 'test/fixtures/simulate/attempts.yaml'),
      '--format',
      'json',
    );
    const j = JSON.parse(r.stdout);
    const find = (side: { paths: { id: string; status: string }[] }, id: string) =>
      side.paths.find((p) => p.id === id)?.status;
    // An undeclared scanner works before the plan and is refused once the connector is locked down.
    expect(find(j.before, 'scenario:1:second-floor scanner')).toBe('preserved');
    expect(find(j.after, 'scenario:1:second-floor scanner')).toBe('broken');
    expect(find(j.before, 'scenario:2:spoof from a cloud VM')).toBe('open');
    expect(find(j.after, 'scenario:2:spoof from a cloud VM')).toMatch(/^(closed|mitigated)$/);
  });

  test('the terminal matrix names the deciding rule and its evidence level', async () => {
    const r = await mxlock('simulate', join(REPO, 'examples', 'hardened'), '--offline', '--after-plan');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/path\.foreign-domain-direct\s+closed CON-5 \[D\]\s+closed CON-5 \[D\]/);
  });

  test('an uncertain verdict exits 1 too: gateway unknown (no MX recorded, no connector, no profile)', async () => {
    const dir = join(tmp, 'unknown-gateway');
    await cp(join(REPO, 'examples', 'wide-open'), dir, { recursive: true });
    await rm(join(dir, 'mxlock.yaml'));
    await writeFile(join(dir, 'dns.json'), JSON.stringify({ 'contoso.com': { TXT: ['v=spf1 -all'] } }));
    await writeFile(join(dir, 'Get-InboundConnector.json'), '[]');
    const r = await mxlock('simulate', dir, '--offline', '--format', 'json');
    expect(JSON.parse(r.stdout).before.verdict.bypass).toBe('uncertain');
    expect(r.code).toBe(1);
  });

  test('a bad scenario file: exit 2 with line and column', async () => {
    const bad = join(tmp, 'bad.yaml');
    await writeFile(
      bad,
      'attempts:\n  - name: x\n    ip: 300.1.1.1\n    mailFrom: a@b.example\n    to: [c@d.example]\n',
    );
    const r = await mxlock('simulate', join(REPO, 'examples', 'hardened'), '--offline', '--scenario', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:3:\d+: attempts\[0\]\.ip: expected an IPv4 or IPv6 address/);
  });
});
