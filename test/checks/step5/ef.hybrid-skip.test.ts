import { expect, test } from 'vitest';
import { check } from '../../../src/checks/step5/ef.hybrid-skip.js';
import { run, type CtxOptions } from '../ctx4.js';

const HYBRID = { protectedUsers: [], hybrid: { ips: ['192.0.2.10'] } };
const MX_EOP = {
  'contoso.com': { MX: [{ exchange: 'contoso-com.mail.protection.outlook.com', priority: 0 }] },
};
const MX_SEG = {
  'contoso.com': {
    MX: [
      { exchange: 'eu-smtp-inbound-1.gateway.example', priority: 10 },
      { exchange: 'contoso-com.mail.protection.outlook.com', priority: 20 },
    ],
  },
};
const onPremSkips = (EFSkipIPs: unknown): NonNullable<CtxOptions['patch']> => ({
  'Get-InboundConnector': { index: 1, props: { EFSkipIPs } },
});

test.each<[string, CtxOptions, string, string]>([
  [
    'warn: hybrid IP skip-listed while the MX points at EOP',
    { profile: HYBRID, dns: MX_EOP, patch: onPremSkips(['192.0.2.0/28']) },
    'warn',
    "inbound connector 'Inbound from on-premises': EFSkipIPs 192.0.2.0/28 include hybrid server(s) 192.0.2.10",
  ],
  [
    'warn: evidence cites OQ-12 [I]',
    { profile: HYBRID, dns: MX_EOP, patch: onPremSkips(['192.0.2.10']) },
    'warn',
    'the MX of contoso.com points at EOP (contoso-com.mail.protection.outlook.com)',
  ],
  [
    'pass: MX at the gateway, skip-listing on-premises hops is documented',
    { profile: HYBRID, dns: MX_SEG, patch: onPremSkips(['192.0.2.10']) },
    'pass',
    'the MX of contoso.com points at eu-smtp-inbound-1.gateway.example, not EOP',
  ],
  [
    'pass: no hybrid IP skip-listed (MX irrelevant)',
    { profile: HYBRID },
    'pass',
    'no inbound connector skip-lists the hybrid IPs (192.0.2.10)',
  ],
  [
    'unknown: hybrid IP skip-listed, MX unknown (no DNS)',
    { profile: HYBRID, patch: onPremSkips(['192.0.2.10']) },
    'unknown',
    'MX of contoso.com unknown: DNS not analysed',
  ],
  [
    'unknown: hybrid IP skip-listed, no MX record recorded',
    { profile: HYBRID, dns: { 'contoso.com': { TXT: ['v=spf1 -all'] } }, patch: onPremSkips(['192.0.2.10']) },
    'unknown',
    'MX of contoso.com unknown: the recorded DNS has no MX record',
  ],
  [
    'unknown: EFSkipIPs absent',
    { profile: HYBRID, patch: onPremSkips(undefined) },
    'unknown',
    "inbound connector 'Inbound from on-premises': EFSkipIPs is absent from the export",
  ],
  [
    'unknown: connectors not exported',
    { profile: HYBRID, omit: ['Get-InboundConnector'] },
    'unknown',
    'Get-InboundConnector.json was not exported',
  ],
  ['not-applicable: no hybrid in the profile', { dns: MX_EOP }, 'not-applicable', 'no hybrid IPs declared'],
])('%s', (_n, opts, status, line) => {
  const out = run(check, opts);
  expect(out.status).toBe(status);
  expect(out.evidence.some((e) => e.startsWith(line))).toBe(true);
});

test('the warn names OQ-12 and removes the hybrid entries', () => {
  const out = run(check, {
    profile: HYBRID,
    dns: { 'contoso.com': { MX: [{ exchange: 'contoso-com.a-v1.mx.microsoft', priority: 0 }] } },
    patch: onPremSkips(['192.0.2.10', '203.0.113.10']),
  });
  expect(out.status).toBe('warn');
  expect(out.evidence.join('\n')).toContain('OQ-12 [I]');
  expect(out.remediation?.powershell).toBe(
    "Set-InboundConnector -Identity 'Inbound from on-premises' -EFSkipIPs @{Remove='192.0.2.10'}",
  );
});

test('names only the hybrid servers that are skip-listed', () => {
  const out = run(check, {
    profile: { hybrid: { ips: ['192.0.2.10', '192.0.2.200'] } },
    dns: MX_EOP,
    patch: onPremSkips(['192.0.2.0/28']),
  });
  expect(out.evidence[0]).toBe(
    "inbound connector 'Inbound from on-premises': EFSkipIPs 192.0.2.0/28 include hybrid server(s) 192.0.2.10",
  );
});
