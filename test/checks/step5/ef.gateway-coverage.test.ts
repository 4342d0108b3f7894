import { expect, test } from 'vitest';
import { check } from '../../../src/checks/step5/ef.gateway-coverage.js';
import { run, type CtxOptions } from '../ctx4.js';

const C = "inbound connector 'From Secure Email Gateway'";
const skip = (EFSkipIPs: unknown, more: Record<string, unknown> = {}): CtxOptions => ({
  patch: { 'Get-InboundConnector': { props: { EFSkipIPs, ...more } } },
});

test.each<[string, CtxOptions, string, string]>([
  [
    'pass: exact entries',
    {},
    'pass',
    'EFSkipIPs covers every gateway entry (203.0.113.10, 203.0.113.11, 198.51.100.0/28)',
  ],
  [
    'pass: wider ranges cover the gateway',
    skip(['203.0.113.0/24', '198.51.100.0-198.51.100.255']),
    'pass',
    'EFSkipIPs covers every gateway entry',
  ],
  [
    'fail: part of a gateway range uncovered',
    skip(['203.0.113.0/24', '198.51.100.0/29']),
    'fail',
    `${C}: EFSkipIPs does not cover gateway 198.51.100.0/28`,
  ],
  [
    'fail: a gateway IP missing',
    skip(['203.0.113.10', '198.51.100.0/28']),
    'fail',
    `${C}: EFSkipIPs does not cover gateway 203.0.113.11`,
  ],
  [
    'warn: a Microsoft 365 range skip-listed',
    skip(['203.0.113.10', '203.0.113.11', '198.51.100.0/28', '40.107.0.0/16']),
    'warn',
    `${C}: EFSkipIPs entries 40.107.0.0/16 are Microsoft 365 ranges`,
  ],
  [
    'warn: a single EOP address skip-listed',
    skip(['203.0.113.10', '203.0.113.11', '198.51.100.0/28', '52.101.4.5']),
    'warn',
    `${C}: EFSkipIPs entries 52.101.4.5 are Microsoft 365 ranges`,
  ],
  [
    'not-applicable: EFSkipLastIP',
    skip([], { EFSkipLastIP: true }),
    'not-applicable',
    `${C}: EFSkipLastIP = true`,
  ],
  ['not-applicable: EF off', skip([]), 'not-applicable', `${C}: EFSkipIPs is empty`],
  ['unknown: EFSkipIPs absent', skip(undefined), 'unknown', `${C}: EFSkipIPs is absent from the export`],
  [
    'unknown: EFSkipLastIP absent',
    { patch: { 'Get-InboundConnector': { props: { EFSkipLastIP: undefined } } } },
    'unknown',
    `${C}: EFSkipLastIP is absent from the export`,
  ],
  [
    'unknown: gateway IPs not known',
    {
      gateway: { ips: [], certificate: 'x' },
      set: {
        'Get-InboundConnector': [
          {
            Name: 'SEG',
            Enabled: true,
            ConnectorType: 'Partner',
            SenderDomains: ['*'],
            RestrictDomainsToCertificate: true,
            RestrictDomainsToIPAddresses: false,
            TlsSenderCertificateName: 'x',
            EFSkipLastIP: false,
            EFSkipIPs: ['203.0.113.10'],
          },
        ],
      },
    },
    'unknown',
    "the gateway's IPs are not known",
  ],
  [
    'unknown: connectors not exported',
    { omit: ['Get-InboundConnector'] },
    'unknown',
    'Get-InboundConnector.json was not exported',
  ],
])('%s', (_n, opts, status, line) => {
  const out = run(check, opts);
  expect(out.status).toBe(status);
  expect(out.evidence.some((e) => e.startsWith(line))).toBe(true);
});

test('fail outranks warn; remediation adds the uncovered entries and removes Microsoft ranges', () => {
  const out = run(check, skip(['203.0.113.10', '198.51.100.0/28', '104.47.1.0/24']));
  expect(out.status).toBe('fail');
  expect(out.remediation?.powershell).toBe(
    [
      "Set-InboundConnector -Identity 'From Secure Email Gateway' -EFSkipIPs @{Add='203.0.113.11'}",
      "Set-InboundConnector -Identity 'From Secure Email Gateway' -EFSkipIPs @{Remove='104.47.1.0/24'}",
    ].join('\n'),
  );
});
