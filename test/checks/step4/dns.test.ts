/**
 * The dns.* checks against a real DNS server on loopback: one table row per check outcome (issue 3 acceptance),
 * the analysis planned from the export exactly as `assess` plans it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { proposedSpf, check as spf } from '../../../src/checks/step4/dns.spf.js';
import { check as dmarcPolicy } from '../../../src/checks/step4/dns.dmarc-policy.js';
import { check as dmarcReporting } from '../../../src/checks/step4/dns.dmarc-reporting.js';
import { check as dkimSelectors } from '../../../src/checks/step4/dns.dkim-selectors.js';
import { check as mxGateway } from '../../../src/checks/step4/dns.mx-gateway.js';
import { DNS_NOT_ANALYSED } from '../../../src/checks/step4/dns-check.js';
import type { Check, CheckContext } from '../../../src/checks/types.js';
import { liveResolver } from '../../../src/dns/live.js';
import { analyseTenantDns, planTenantDns } from '../../../src/dns/tenant.js';
import {
  startDnsServer,
  type TestDnsServer,
  type ZoneRecords,
  LOOPBACK_DNS_TIMEOUT_MS,
} from '../../support/dns-server.js';
import { makeContext, type ContextInput, type ExportData } from '../helpers.js';

const GATEWAY_IPS = ['203.0.113.10', '198.51.100.0/28'];
const MS = 'spf.protection.outlook.com';
const SPF_OK = `v=spf1 ip4:203.0.113.10 ip4:198.51.100.0/28 include:${MS} -all`;
const MX_GW = [{ exchange: 'mx1.hc1234-56.iphmx.com', priority: 10 }];
const SEL1 = 'selector1-contoso-com._domainkey.contoso.onmicrosoft.com';
const SEL2 = 'selector2-contoso-com._domainkey.contoso.onmicrosoft.com';

const baseZone = (): Record<string, ZoneRecords> => ({
  'contoso.com': { TXT: [SPF_OK], MX: MX_GW },
  [MS]: { TXT: ['v=spf1 ip4:40.92.0.0/15 -all'] },
  '_dmarc.contoso.com': { TXT: ['v=DMARC1; p=reject; rua=mailto:dmarc@contoso.com'] },
  'selector1._domainkey.contoso.com': { CNAME: [SEL1] },
  'selector2._domainkey.contoso.com': { CNAME: [SEL2] },
});

const baseData = (): ExportData => ({
  'Get-AcceptedDomain': [
    { DomainName: 'contoso.com', DomainType: 'Authoritative', Default: true },
    { DomainName: 'contoso.onmicrosoft.com', DomainType: 'Authoritative', InitialDomain: true },
  ],
  'Get-DkimSigningConfig': [
    { Domain: 'contoso.com', Enabled: true, Status: 'Valid', Selector1CNAME: SEL1, Selector2CNAME: SEL2 },
  ],
  'Get-OutboundConnector': [
    { Name: 'To SEG', Enabled: true, SmartHosts: ['smtp.gw.example'], RecipientDomains: ['*'] },
  ],
});

interface Row {
  name: string;
  check: Check;
  status: string;
  evidence?: RegExp;
  zone?: (z: Record<string, ZoneRecords>) => void;
  data?: (d: ExportData) => void;
  ctx?: Partial<ContextInput>;
  timeout?: string;
}

const chain = (z: Record<string, ZoneRecords>, n: number) => {
  z['contoso.com']!.TXT = ['v=spf1 include:c0.chain.example -all'];
  for (let i = 0; i < n; i++)
    z[`c${i}.chain.example`] = {
      TXT: [i === n - 1 ? 'v=spf1 ip4:192.0.2.1 -all' : `v=spf1 include:c${i + 1}.chain.example -all`],
    };
};

const ROWS: Row[] = [
  // dns.spf
  { name: 'SPF -all with the gateway IPs', check: spf, status: 'pass' },
  {
    name: 'SPF ~all',
    check: spf,
    status: 'warn',
    evidence: /~all/,
    zone: (z) => (z['contoso.com']!.TXT = [SPF_OK.replace('-all', '~all')]),
  },
  {
    name: 'SPF +all',
    check: spf,
    status: 'fail',
    evidence: /\+all/,
    zone: (z) => (z['contoso.com']!.TXT = ['v=spf1 +all']),
  },
  {
    name: 'no SPF record',
    check: spf,
    status: 'fail',
    evidence: /no SPF record/,
    zone: (z) => (z['contoso.com']!.TXT = ['MS=ms1234']),
  },
  {
    name: 'an 11-lookup include chain',
    check: spf,
    status: 'fail',
    evidence: /11 DNS-querying terms/,
    zone: (z) => chain(z, 11),
  },
  {
    name: 'exactly 10 lookups is within the limit (only the missing gateway IPs fail)',
    check: spf,
    status: 'fail',
    evidence: /gateway IP 203\.0\.113\.10 is not authorised/,
    zone: (z) => chain(z, 10),
  },
  {
    name: 'an include loop',
    check: spf,
    status: 'fail',
    evidence: /loop/,
    zone: (z) => {
      z['contoso.com']!.TXT = ['v=spf1 include:l1.example -all'];
      z['l1.example'] = { TXT: ['v=spf1 include:contoso.com -all'] };
    },
  },
  {
    name: 'three void lookups',
    check: spf,
    status: 'fail',
    evidence: /3 void lookups/,
    zone: (z) =>
      (z['contoso.com']!.TXT = [
        `${SPF_OK.replace(' -all', '')} a:x1.contoso.com a:x2.contoso.com mx:x3.contoso.com -all`,
      ]),
  },
  {
    name: 'a gateway IP not authorised while outbound leaves through the gateway',
    check: spf,
    status: 'fail',
    evidence: /gateway IP 198\.51\.100\.1 is not authorised/,
    zone: (z) => (z['contoso.com']!.TXT = [`v=spf1 ip4:203.0.113.10 include:${MS} -all`]),
  },
  {
    name: 'a gateway IP not authorised, outbound routing not exported',
    check: spf,
    status: 'warn',
    evidence: /Get-OutboundConnector\.json was not exported/,
    zone: (z) => (z['contoso.com']!.TXT = [`v=spf1 ip4:203.0.113.10 include:${MS} -all`]),
    data: (d) => delete d['Get-OutboundConnector'],
  },
  {
    name: 'SPF lookup times out',
    check: spf,
    status: 'unknown',
    evidence: /could not be read/,
    timeout: 'contoso.com',
  },
  // dns.dmarc-policy
  { name: 'DMARC p=reject', check: dmarcPolicy, status: 'pass' },
  {
    name: 'DMARC p=quarantine',
    check: dmarcPolicy,
    status: 'pass',
    evidence: /p=reject is the target/,
    zone: (z) => (z['_dmarc.contoso.com']!.TXT = ['v=DMARC1; p=quarantine; rua=mailto:d@contoso.com']),
  },
  {
    name: 'DMARC p=none',
    check: dmarcPolicy,
    status: 'fail',
    evidence: /applies is none/,
    zone: (z) => (z['_dmarc.contoso.com']!.TXT = ['v=DMARC1; p=none']),
  },
  {
    name: 'no DMARC record',
    check: dmarcPolicy,
    status: 'fail',
    evidence: /no DMARC record/,
    zone: (z) => delete z['_dmarc.contoso.com'],
  },
  {
    name: 'a record with v=dmarc1 is ignored, and the evidence says why (RFC 7489 §6.3)',
    check: dmarcPolicy,
    status: 'fail',
    evidence:
      /no DMARC record[\s\S]*ignored as receivers ignore it: _dmarc\.contoso\.com: "v=dmarc1; p=reject" \(the version value is case-sensitive/,
    zone: (z) => (z['_dmarc.contoso.com']!.TXT = ['v=dmarc1; p=reject']),
  },
  {
    name: 'DMARC in test mode (t=y)',
    check: dmarcPolicy,
    status: 'warn',
    evidence: /test mode/,
    zone: (z) => (z['_dmarc.contoso.com']!.TXT = ['v=DMARC1; p=reject; t=y']),
  },
  {
    name: 'DMARC on the organisational domain only: sp applies to an accepted subdomain',
    check: dmarcPolicy,
    status: 'pass',
    evidence: /mail\.contoso\.com: _dmarc\.contoso\.com/,
    zone: (z) => {
      z['_dmarc.contoso.com']!.TXT = ['v=DMARC1; p=none; sp=reject; rua=mailto:d@contoso.com'];
      z['mail.contoso.com'] = { TXT: [SPF_OK], MX: MX_GW };
    },
    data: (d) =>
      (d['Get-AcceptedDomain'] = [
        { DomainName: 'mail.contoso.com', DomainType: 'Authoritative', Default: true },
      ]),
  },
  {
    name: 'an invalid sp on the organisational domain: subdomains get no enforcement (RFC 7489 §6.6.3)',
    check: dmarcPolicy,
    status: 'warn',
    evidence: /sp=rejct is not a policy: subdomains get no DMARC enforcement/,
    zone: (z) => (z['_dmarc.contoso.com']!.TXT = ['v=DMARC1; p=reject; sp=rejct; rua=mailto:d@contoso.com']),
  },
  {
    name: 'DMARC lookup times out',
    check: dmarcPolicy,
    status: 'unknown',
    evidence: /could not be read/,
    timeout: '_dmarc.contoso.com',
  },
  // dns.dmarc-reporting
  { name: 'rua at the own domain', check: dmarcReporting, status: 'pass' },
  {
    name: 'no rua',
    check: dmarcReporting,
    status: 'fail',
    evidence: /no rua=/,
    zone: (z) => (z['_dmarc.contoso.com']!.TXT = ['v=DMARC1; p=reject']),
  },
  {
    name: 'a rua that is not a URI (a bare address): no report goes there',
    check: dmarcReporting,
    status: 'fail',
    evidence: /rua entry "dmarc@contoso\.com" is not a URI receivers can use/,
    zone: (z) => (z['_dmarc.contoso.com']!.TXT = ['v=DMARC1; p=reject; rua=dmarc@contoso.com']),
  },
  {
    name: 'external rua without authorisation',
    check: dmarcReporting,
    status: 'fail',
    evidence: /does not publish contoso\.com\._report\._dmarc\.vendor\.example/,
    zone: (z) => (z['_dmarc.contoso.com']!.TXT = ['v=DMARC1; p=reject; rua=mailto:r@vendor.example']),
  },
  {
    name: 'external rua with authorisation',
    check: dmarcReporting,
    status: 'pass',
    evidence: /authorised by contoso\.com\._report\._dmarc\.vendor\.example/,
    zone: (z) => {
      z['_dmarc.contoso.com']!.TXT = ['v=DMARC1; p=reject; rua=mailto:r@vendor.example'];
      z['contoso.com._report._dmarc.vendor.example'] = { TXT: ['v=DMARC1'] };
    },
  },
  {
    name: 'external rua whose authorisation lookup times out',
    check: dmarcReporting,
    status: 'unknown',
    evidence: /could not be read/,
    zone: (z) => (z['_dmarc.contoso.com']!.TXT = ['v=DMARC1; p=reject; rua=mailto:r@vendor.example']),
    timeout: 'contoso.com._report._dmarc.vendor.example',
  },
  // dns.dkim-selectors
  { name: 'Microsoft selector CNAMEs match Get-DkimSigningConfig', check: dkimSelectors, status: 'pass' },
  {
    name: 'a selector CNAME points elsewhere',
    check: dkimSelectors,
    status: 'fail',
    evidence: /expects selector2-contoso-com/,
    zone: (z) => (z['selector2._domainkey.contoso.com'] = { CNAME: ['x._domainkey.other.onmicrosoft.com'] }),
  },
  {
    name: 'a selector CNAME is missing',
    check: dkimSelectors,
    status: 'fail',
    evidence: /no CNAME/,
    zone: (z) => delete z['selector1._domainkey.contoso.com'],
  },
  {
    name: 'gateway-signed DKIM: the gateway selector publishes a key, EOP signing off',
    check: dkimSelectors,
    status: 'pass',
    evidence: /gateway selector/,
    zone: (z) => (z['seg2024._domainkey.contoso.com'] = { TXT: ['v=DKIM1; k=rsa; p=MIIBIjANBgkq'] }),
    data: (d) => (d['Get-DkimSigningConfig'] = [{ Domain: 'contoso.com', Enabled: false }]),
    ctx: { gateway: { ips: GATEWAY_IPS, dkimSelectors: ['seg2024'] } },
  },
  {
    name: 'gateway selector without a key',
    check: dkimSelectors,
    status: 'fail',
    evidence: /seg2024\._domainkey\.contoso\.com: no DKIM key/,
    data: (d) => (d['Get-DkimSigningConfig'] = [{ Domain: 'contoso.com', Enabled: false }]),
    ctx: { gateway: { ips: GATEWAY_IPS, dkimSelectors: ['seg2024'] } },
  },
  {
    name: 'signing config disabled and its selector CNAMEs not published',
    check: dkimSelectors,
    status: 'fail',
    evidence:
      /DKIM signing is disabled.*publish selector1\/selector2.*before enabling[^]*selector1\._domainkey\.contoso\.com CNAME selector1-contoso-com/,
    zone: (z) => {
      delete z['selector1._domainkey.contoso.com'];
      delete z['selector2._domainkey.contoso.com'];
    },
    data: (d) => (d['Get-DkimSigningConfig'] = [{ ...d['Get-DkimSigningConfig']![0]!, Enabled: false }]),
  },
  {
    name: 'signing config disabled, one selector CNAME points elsewhere',
    check: dkimSelectors,
    status: 'fail',
    evidence: /before enabling[^]*expects selector2-contoso-com/,
    zone: (z) => (z['selector2._domainkey.contoso.com'] = { CNAME: ['x._domainkey.other.onmicrosoft.com'] }),
    data: (d) => (d['Get-DkimSigningConfig'] = [{ ...d['Get-DkimSigningConfig']![0]!, Enabled: false }]),
  },
  {
    name: 'signing config disabled, selector CNAMEs published: ready to enable',
    check: dkimSelectors,
    status: 'not-applicable',
    evidence: /ready to be enabled/,
    data: (d) => (d['Get-DkimSigningConfig'] = [{ ...d['Get-DkimSigningConfig']![0]!, Enabled: false }]),
  },
  {
    name: 'signing config disabled, its selector lookup times out',
    check: dkimSelectors,
    status: 'unknown',
    evidence: /timeout/,
    data: (d) => (d['Get-DkimSigningConfig'] = [{ ...d['Get-DkimSigningConfig']![0]!, Enabled: false }]),
    timeout: 'selector1._domainkey.contoso.com',
  },
  {
    name: 'signing config disabled without CNAMEs published, the gateway signs: its selector decides',
    check: dkimSelectors,
    status: 'pass',
    evidence: /gateway selector/,
    zone: (z) => {
      delete z['selector1._domainkey.contoso.com'];
      delete z['selector2._domainkey.contoso.com'];
      z['seg2024._domainkey.contoso.com'] = { TXT: ['v=DKIM1; k=rsa; p=MIIBIjANBgkq'] };
    },
    data: (d) => (d['Get-DkimSigningConfig'] = [{ ...d['Get-DkimSigningConfig']![0]!, Enabled: false }]),
    ctx: { gateway: { ips: GATEWAY_IPS, dkimSelectors: ['seg2024'] } },
  },
  {
    name: 'no signing config and no gateway selectors: nothing expected',
    check: dkimSelectors,
    status: 'not-applicable',
    data: (d) => (d['Get-DkimSigningConfig'] = []),
  },
  {
    name: 'selector lookup times out',
    check: dkimSelectors,
    status: 'unknown',
    evidence: /timeout/,
    timeout: 'selector1._domainkey.contoso.com',
  },
  // dns.mx-gateway
  { name: 'MX at the gateway', check: mxGateway, status: 'pass', evidence: /every MX host is Cisco/ },
  {
    name: 'mixed MX: EOP and the gateway',
    check: mxGateway,
    status: 'fail',
    evidence: /some MX hosts are Exchange Online/,
    zone: (z) =>
      (z['contoso.com']!.MX = [
        ...MX_GW,
        { exchange: 'contoso-com.mail.protection.outlook.com', priority: 20 },
      ]),
  },
  {
    name: 'MX at EOP while a gateway is declared',
    check: mxGateway,
    status: 'fail',
    evidence: /although a gateway is declared/,
    zone: (z) =>
      (z['contoso.com']!.MX = [{ exchange: 'contoso-com.mail.protection.outlook.com', priority: 0 }]),
  },
  {
    name: 'MX lookup times out',
    check: mxGateway,
    status: 'unknown',
    evidence: /could not be read/,
    timeout: 'contoso.com',
  },
];

let server: TestDnsServer;
beforeAll(async () => {
  server = await startDnsServer({});
});
afterAll(async () => {
  await server.close();
});

async function contextFor(row: Row): Promise<CheckContext> {
  const zone = baseZone();
  row.zone?.(zone);
  server.setZone(zone);
  for (const name of Object.keys(zone)) server.setFault(name, undefined);
  if (row.timeout) server.setFault(row.timeout, { timeout: true });
  const data = baseData();
  row.data?.(data);
  const ctx = makeContext({ data, gateway: { ips: GATEWAY_IPS, name: 'Cisco Secure Email' }, ...row.ctx });
  const resolve = liveResolver({ servers: [server.server], timeoutMs: LOOPBACK_DNS_TIMEOUT_MS, tries: 1 });
  ctx.dnsReport = await analyseTenantDns(resolve, planTenantDns(ctx.snapshot, ctx.gateway), 'loopback');
  if (row.timeout) server.setFault(row.timeout, undefined);
  return ctx;
}

describe('dns.* checks over loopback DNS', () => {
  test.each(ROWS.map((r) => [`${r.check.id}: ${r.name} → ${r.status}`, r] as const))(
    '%s',
    async (_n, row) => {
      const out = row.check.evaluate(await contextFor(row));
      expect(out.status, out.evidence.join('\n')).toBe(row.status);
      if (row.evidence) expect(out.evidence.join('\n')).toMatch(row.evidence);
    },
  );

  test.each([spf, dmarcPolicy, dmarcReporting, dkimSelectors, mxGateway])(
    '$id without a DNS analysis is unknown, with the reason',
    (check) => {
      const out = check.evaluate(makeContext({ data: baseData(), gateway: { ips: GATEWAY_IPS } }));
      expect(out).toMatchObject({ status: 'unknown', evidence: [DNS_NOT_ANALYSED] });
    },
  );

  test('the SPF proposal keeps the current senders and adds what is missing', async () => {
    const row: Row = {
      name: 'p',
      check: spf,
      status: 'warn',
      zone: (z) => (z['contoso.com']!.TXT = ['v=spf1 include:sendgrid.example ip4:192.0.2.50 ~all']),
    };
    row.zone = (z) => {
      z['contoso.com']!.TXT = ['v=spf1 include:sendgrid.example ip4:192.0.2.50 ~all'];
      z['sendgrid.example'] = { TXT: ['v=spf1 ip4:192.0.2.128/25 -all'] };
    };
    const out = spf.evaluate(await contextFor(row));
    expect(out.remediation?.powershell).toContain(
      '#   contoso.com. IN TXT "v=spf1 include:sendgrid.example ip4:192.0.2.50 ip4:203.0.113.10 ip4:198.51.100.0/28 include:spf.protection.outlook.com -all"',
    );
  });

  test('the DMARC proposal is the next step (p=none → p=quarantine) and drops a report address receivers cannot use', async () => {
    const out = dmarcPolicy.evaluate(
      await contextFor({
        name: 'p',
        check: dmarcPolicy,
        status: 'fail',
        zone: (z) => (z['_dmarc.contoso.com']!.TXT = ['v=DMARC1; p=none; rua=dmarc@contoso.com']),
      }),
    );
    expect(out.remediation?.powershell).toContain(
      '_dmarc.contoso.com. IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@contoso.com" ; then p=reject',
    );
  });

  test('at p=quarantine with reports the check passes and still proposes the target, p=reject', async () => {
    const out = dmarcPolicy.evaluate(
      await contextFor({
        name: 'p',
        check: dmarcPolicy,
        status: 'pass',
        zone: (z) => (z['_dmarc.contoso.com']!.TXT = ['v=DMARC1; p=quarantine; rua=mailto:agg@contoso.com']),
      }),
    );
    expect(out.status).toBe('pass');
    expect(out.remediation?.powershell).toContain(
      '_dmarc.contoso.com. IN TXT "v=DMARC1; p=reject; rua=mailto:agg@contoso.com" ; p=reject is the guide\'s target',
    );
  });

  test('the DMARC proposal keeps the existing report address', async () => {
    const out = dmarcPolicy.evaluate(
      await contextFor({
        name: 'p',
        check: dmarcPolicy,
        status: 'fail',
        zone: (z) => (z['_dmarc.contoso.com']!.TXT = ['v=DMARC1; p=none; rua=mailto:agg@contoso.com']),
      }),
    );
    expect(out.remediation?.powershell).toContain(
      '_dmarc.contoso.com. IN TXT "v=DMARC1; p=quarantine; rua=mailto:agg@contoso.com" ; then p=reject',
    );
  });
});

describe('the SPF proposal never authorises a large part of the internet (issue 10 item 4)', () => {
  test.each([
    ['ip4:0.0.0.0/0', 'v=spf1 ip4:0.0.0.0/0 ip4:192.0.2.50 ~all'],
    ['the two halves', 'v=spf1 ip4:0.0.0.0/1 ip4:128.0.0.0/1 ip4:192.0.2.50 ~all'],
    ['ip6:::/0', 'v=spf1 ip6:::/0 ip4:192.0.2.50 ~all'],
  ])('%s is dropped with a note; the gateway is still added', (_what, record) => {
    const { value, notes } = proposedSpf(record, ['203.0.113.10']);
    expect(value).toBe('v=spf1 ip4:192.0.2.50 ip4:203.0.113.10 include:spf.protection.outlook.com -all');
    expect(notes.join(' ')).toMatch(/is dropped: it authorises a large part of the internet, not one sender/);
  });

  test('a /16 a sender may own is kept', () => {
    expect(proposedSpf('v=spf1 ip4:198.18.0.0/16 -all', []).value).toContain('ip4:198.18.0.0/16');
  });
});
