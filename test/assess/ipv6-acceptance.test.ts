/**
 * Issue 13 acceptance (IPv6): a tenant with IPv6 inbound Enabled on contoso.com behind an IP-only lock-down
 * (test/fixtures/ipv6-lockdown). The gateway's path over IPv6 is reported uncertain (its IPv6 egress is not declared)
 * or broken (declared), with the rule and the reply; connector.ipv6-coverage fails naming the domain; `plan` warns, or
 * uses the certificate when the profile has one. Through assess and plan in process, and once through the built CLI.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { assessExport } from '../../src/assess-export.js';
import { UNDECLARED_GATEWAY_V6 } from '../../src/model/paths.js';
import { mxlock } from '../support/cli.js';
import { planExportOffline } from '../plan/builders.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'ipv6-lockdown');
const NOW = new Date('2026-12-01T00:00:00Z');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const V6_EGRESS = '  ips: [203.0.113.10, 203.0.113.11, 198.51.100.0/28, 2001:db8:6a7e::/48]';

/** The fixture with its profile's gateway section extended by `lines`, and its `ips` line replaced by `ips`. */
function withGateway(lines: string, ips?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mxlock-ipv6-'));
  dirs.push(dir);
  cpSync(FIXTURE, dir, { recursive: true });
  let profile = readFileSync(join(dir, 'mxlock.yaml'), 'utf8');
  profile = profile.replace(/(gateway:\n {2}name: Example SEG\n)/, `$1${lines}`);
  if (ips !== undefined) profile = profile.replace(/^ {2}ips: .*$/m, ips);
  writeFileSync(join(dir, 'mxlock.yaml'), profile);
  return dir;
}

describe('assess: IPv6 Enabled behind an IP-only lock-down', () => {
  test('the gateway path over IPv6 is uncertain, with CON-5, IPV6-4 and 550 5.7.51', async () => {
    const { report } = await assessExport(FIXTURE, { offline: true, now: NOW });
    const gw = report.paths.find((p) => p.id === 'path.gateway-delivery')!;
    expect(gw.status).toBe('uncertain');
    expect(gw.outcome).toMatchObject({ stage: 'rcpt', disposition: 'rejected' });
    expect(gw.outcome.reply).toMatch(/^550 5\.7\.51 TenantInboundAttribution; /);
    const text = gw.evidence.join('\n');
    expect(text).toContain(
      `${UNDECLARED_GATEWAY_V6} with MAIL FROM <partner@sender.example> to <user@contoso.com>`,
    );
    expect(text).toMatch(/CON-5 \[D\]: .*connection satisfies none/);
    expect(text).toContain('IPV6-4 [I]');
    expect(text).toContain('contoso.com takes mail over IPv6');
    expect(report.verdict.bypass).toBe('closed');
    expect(report.verdict.legitimateFlows).toBe('uncertain');
  });

  test('connector.ipv6-coverage fails, naming the domain and the connector; the opted-out domain is not named', async () => {
    const { report } = await assessExport(FIXTURE, { offline: true, now: NOW });
    const f = report.findings.find((x) => x.id === 'connector.ipv6-coverage')!;
    expect(f).toMatchObject({ status: 'fail', severity: 'high', step: 2 });
    const text = f.evidence.join('\n');
    expect(text).toContain('IPv6 inbound on for contoso.com\n');
    expect(text).toContain('opted out (Disabled) for contoso.onmicrosoft.com');
    expect(text).toContain("connector 'From SEG (IP-bound)' restricts by IP only");
    expect(text).toContain('simulated: path.gateway-delivery is uncertain (550 5.7.51');
    expect(f.remediation.powershell).toContain("Disable-IPv6ForAcceptedDomain -Domain 'contoso.com'");
    expect(f.remediation.powershell).not.toContain("-Domain 'contoso.onmicrosoft.com'");
  });

  test('with the gateway IPv6 egress declared, the path is broken', async () => {
    const { report } = await assessExport(withGateway('', V6_EGRESS), {
      offline: true,
      now: NOW,
    });
    const gw = report.paths.find((p) => p.id === 'path.gateway-delivery')!;
    expect(gw.status).toBe('broken');
    expect(gw.outcome.reply).toMatch(/^550 5\.7\.51 /);
    expect(report.verdict.legitimateFlows).toBe('broken');
  });
});

describe('plan: warns, or uses the certificate', () => {
  test('no certificate declared: stage 2 keeps the IP lock-down and the plan warns about IPv6', async () => {
    const { checked } = await planExportOffline(FIXTURE, NOW);
    const warning = checked.plan.warnings.find((w) => w.startsWith('IPv6: '));
    expect(warning).toBeDefined();
    expect(warning).toContain('contoso.com takes mail over IPv6');
    expect(warning).toContain("the lock-down 'From SEG (IP-bound)' restricts by IP");
    expect(warning).toContain('Declare gateway.certificate in mxlock.yaml');
    expect(warning).toContain("Disable-IPv6ForAcceptedDomain -Domain 'contoso.com'");
    expect(warning).not.toContain('contoso.onmicrosoft.com');
    // The simulated "after" state shows it: the gateway path over IPv6 is still not confirmed.
    const after = checked.after.find((p) => p.id === 'path.gateway-delivery')!;
    expect(after.status).toBe('uncertain');
    expect(after.outcome.reply).toMatch(/^550 5\.7\.51 /);
    expect(checked.plan.refusal).toBeUndefined();
  });

  test('certificate declared: stage 2 restricts to it, and the lock-down admits the gateway over IPv6', async () => {
    const { checked } = await planExportOffline(
      withGateway('  certificate: "*.mail-gateway.example.com"\n'),
      NOW,
    );
    const lock = checked.plan.stages
      .find((s) => s.no === 2)!
      .changes.find((c) => c.identity === 'From SEG (IP-bound)')!;
    expect(lock.after).toMatchObject({
      RestrictDomainsToCertificate: true,
      TlsSenderCertificateName: '*.mail-gateway.example.com',
      RestrictDomainsToIPAddresses: false,
    });
    const warning = checked.plan.warnings.find((w) => w.startsWith('IPv6: '))!;
    // What is left is the safety net stage 1 writes with the gateway's IPv4 ranges.
    expect(warning).not.toContain('restricts by IP');
    expect(warning).toContain("the safety-net rule excepts the gateway's IPv4 ranges only");
    const stage2 = checked.stages
      .find((s) => s.stage === 2)!
      .paths.find((p) => p.id === 'path.gateway-delivery')!;
    expect(stage2.status).toBe('preserved');
  });

  test('certificate and IPv6 egress declared: no IPv6 warning, and the gateway path is preserved after the plan', async () => {
    const { checked } = await planExportOffline(
      withGateway('  certificate: "*.mail-gateway.example.com"\n', V6_EGRESS),
      NOW,
    );
    expect(checked.plan.warnings.filter((w) => w.startsWith('IPv6: '))).toEqual([]);
    expect(checked.after.find((p) => p.id === 'path.gateway-delivery')?.status).toBe('preserved');
  });
});

describe('the CLI (built bundle)', () => {
  test('assess --format json: the path and the finding, exit 1 for the high failure', async () => {
    const r = await mxlock('assess', FIXTURE, '--offline', '--format', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      paths: { id: string; status: string; outcome: { reply?: string } }[];
      findings: { id: string; status: string }[];
    };
    const gw = report.paths.find((p) => p.id === 'path.gateway-delivery')!;
    expect(gw.status).toBe('uncertain');
    expect(gw.outcome.reply).toMatch(/^550 5\.7\.51 /);
    expect(report.findings.find((f) => f.id === 'connector.ipv6-coverage')?.status).toBe('fail');
  });
});
