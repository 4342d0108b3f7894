/**
 * dns.dmarc-initial-domain against a real DNS server on loopback, the analysis planned from the export as `assess` plans
 * it (src/dns/tenant.ts looks up the initial domain's DMARC beside the own domains).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { check } from '../../../src/checks/step4/dns.dmarc-initial-domain.js';
import { DNS_NOT_ANALYSED } from '../../../src/checks/step4/dns-check.js';
import type { CheckContext } from '../../../src/checks/types.js';
import { zoneFromJson } from '../../../src/common/zone.js';
import { liveResolver } from '../../../src/dns/live.js';
import { recordedResolver } from '../../../src/dns/resolver.js';
import { analyseTenantDns, planTenantDns } from '../../../src/dns/tenant.js';
import {
  LOOPBACK_DNS_TIMEOUT_MS,
  startDnsServer,
  type TestDnsServer,
  type ZoneRecords,
} from '../../support/dns-server.js';
import { makeContext, type ExportData } from '../helpers.js';

const INITIAL = 'contoso.onmicrosoft.com';
const DMARC = `_dmarc.${INITIAL}`;

const data = (): ExportData => ({
  'Get-AcceptedDomain': [
    { DomainName: 'contoso.com', DomainType: 'Authoritative', Default: true },
    { DomainName: INITIAL, DomainType: 'Authoritative', InitialDomain: true },
    { DomainName: 'contoso.mail.onmicrosoft.com', DomainType: 'InternalRelay', IsCoexistenceDomain: true },
  ],
});

let server: TestDnsServer;
beforeAll(async () => {
  server = await startDnsServer({});
});
afterAll(async () => {
  await server.close();
});

async function over(zone: Record<string, ZoneRecords>, timeout?: string): Promise<CheckContext> {
  server.setZone({ 'contoso.com': { TXT: ['v=spf1 -all'] }, ...zone });
  server.setFault(DMARC, timeout === DMARC ? { timeout: true } : undefined);
  const ctx = makeContext({ data: data() });
  const resolve = liveResolver({ servers: [server.server], timeoutMs: LOOPBACK_DNS_TIMEOUT_MS, tries: 1 });
  ctx.dnsReport = await analyseTenantDns(resolve, planTenantDns(ctx.snapshot, ctx.gateway), 'loopback');
  server.setFault(DMARC, undefined);
  return ctx;
}

describe('dns.dmarc-initial-domain over loopback DNS', () => {
  test.each<[string, Record<string, ZoneRecords>, string, RegExp]>([
    [
      'p=reject',
      { [DMARC]: { TXT: ['v=DMARC1; p=reject'] } },
      'pass',
      /_dmarc\.contoso\.onmicrosoft\.com "v=DMARC1; p=reject"/,
    ],
    [
      'p=quarantine, the minimum',
      { [DMARC]: { TXT: ['v=DMARC1; p=quarantine; rua=mailto:d@contoso.com'] } },
      'pass',
      /p=quarantine meets the guide's minimum/,
    ],
    ['p=none', { [DMARC]: { TXT: ['v=DMARC1; p=none'] } }, 'fail', /the policy that applies is none/],
    [
      'no record',
      {},
      'fail',
      /no DMARC record \(looked up _dmarc\.contoso\.onmicrosoft\.com, _dmarc\.onmicrosoft\.com, _dmarc\.com\)/,
    ],
    [
      'two records: none applies',
      { [DMARC]: { TXT: ['v=DMARC1; p=reject', 'v=DMARC1; p=none'] } },
      'fail',
      /2 DMARC records at _dmarc\.contoso\.onmicrosoft\.com: none applies/,
    ],
    [
      "a parent's record only (Microsoft's, not the tenant's)",
      { '_dmarc.onmicrosoft.com': { TXT: ['v=DMARC1; p=reject; sp=none'] } },
      'fail',
      /the policy comes from _dmarc\.onmicrosoft\.com, which Microsoft controls/,
    ],
  ])('%s → %s', async (_name, zone, status, evidence) => {
    const out = check.evaluate(await over(zone));
    expect(out.status, out.evidence.join('\n')).toBe(status);
    expect(out.evidence.join('\n')).toMatch(evidence);
  });

  test('a timeout is unknown, never absent', async () => {
    const out = check.evaluate(await over({}, DMARC));
    expect(out.status).toBe('unknown');
    expect(out.evidence.join('\n')).toContain(`${INITIAL}: DMARC could not be read (TXT ${DMARC}: timeout)`);
  });

  test('a missing record gets the admin-center record to add, p=reject', async () => {
    const out = check.evaluate(await over({}));
    expect(out.remediation?.powershell).toContain(`#   ${DMARC}. IN TXT "v=DMARC1; p=reject"`);
    expect(out.remediation?.powershell).toContain(`Resolve-DnsName -Name '${DMARC}' -Type TXT`);
    expect(out.remediation?.portal).toContain('Settings → Domains → <tenant>.onmicrosoft.com → DNS records');
    expect(out.evidence.join('\n')).not.toContain('dns.json');
  });
});

describe('dns.dmarc-initial-domain without what it needs', () => {
  test('recorded answers without the initial domain: fail, saying how dns.json reads an absent name', async () => {
    const zone = zoneFromJson({ 'contoso.com': { TXT: ['v=spf1 -all'] } });
    const ctx = makeContext({ data: data(), dns: zone });
    ctx.dnsReport = await analyseTenantDns(
      recordedResolver(zone),
      planTenantDns(ctx.snapshot, ctx.gateway),
      'recorded answers (dns.json)',
    );
    const out = check.evaluate(ctx);
    expect(out.status).toBe('fail');
    expect(out.evidence.join('\n')).toContain(
      `dns.json has no answer for ${DMARC}, which reads as "no such name"`,
    );
  });

  test.each<[string, ExportData | undefined, string]>([
    [
      'Get-AcceptedDomain not exported',
      undefined,
      'Get-AcceptedDomain.json was not exported: the initial domain is unknown',
    ],
    [
      'no *.onmicrosoft.com domain',
      { 'Get-AcceptedDomain': [{ DomainName: 'contoso.com', DomainType: 'Authoritative', Default: true }] },
      'Get-AcceptedDomain lists no *.onmicrosoft.com initial domain (InitialDomain = true)',
    ],
    ['DNS not analysed', data(), DNS_NOT_ANALYSED],
  ])('%s → unknown', (_name, exported, line) => {
    const out = check.evaluate(makeContext(exported ? { data: exported } : {}));
    expect(out).toMatchObject({ status: 'unknown', evidence: [line] });
  });

  test('a DNS analysis without the initial domain (an older caller) is unknown', () => {
    const ctx = makeContext({ data: data() });
    ctx.dnsReport = { source: 'loopback', domains: [] };
    expect(check.evaluate(ctx)).toMatchObject({
      status: 'unknown',
      evidence: [`${INITIAL}: not in the DNS analysis`],
    });
  });
});
