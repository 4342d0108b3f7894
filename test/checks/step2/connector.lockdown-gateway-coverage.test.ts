import { describe, expect, test } from 'vitest';
import { check } from '../../../src/checks/step2/connector.lockdown-gateway-coverage.js';
import type { ResolvedGateway } from '../../../src/profile/gateway.js';
import type { SnapshotObjects } from '../../../src/snapshot/types.js';
import { evidenceText, run, type ContextInput } from '../helpers.js';
import { GATEWAY_IPS, certLockdown, hardened, ipLockdown } from '../../fixtures/checks/seg-tenant.js';

type Connector = Partial<SnapshotObjects['Get-InboundConnector']>;
const conns = (...c: Connector[]): ContextInput => hardened({ data: { 'Get-InboundConnector': c } });
const withGateway = (input: ContextInput, gateway: Partial<ResolvedGateway>): ContextInput => ({
  ...input,
  gateway,
});
const ips = (...e: string[]) => conns(ipLockdown({ SenderIPAddresses: e }));

describe('connector.lockdown-gateway-coverage', () => {
  test.each<[string, ContextInput, string]>([
    [
      'certificate equal to the gateway certificate',
      conns(certLockdown()),
      "TlsSenderCertificateName = '*.mail-gateway.example.com' matches the gateway certificate",
    ],
    [
      'a wider wildcard covering the gateway certificate',
      conns(certLockdown({ TlsSenderCertificateName: '*.example.com' })),
      'matches the gateway certificate',
    ],
    [
      'a certificate name in another case',
      conns(certLockdown({ TlsSenderCertificateName: '*.MAIL-Gateway.example.com' })),
      'matches the gateway certificate',
    ],
    [
      'IP lock-down with exactly the gateway IPs',
      ips(...GATEWAY_IPS),
      'every gateway IP (203.0.113.10, 203.0.113.11, 198.51.100.0/28) is in SenderIPAddresses',
    ],
    [
      'gateway range covered by two halves',
      ips('203.0.113.10', '203.0.113.11', '198.51.100.0/29', '198.51.100.8/29'),
      'every gateway IP',
    ],
    [
      'hybrid and declared-source IPs are known, not extra',
      {
        ...ips(...GATEWAY_IPS, '192.0.2.10', '192.0.2.50'),
        profile: {
          hybrid: { ips: ['192.0.2.10'] },
          directSendSources: [{ name: 'scanner', ips: ['192.0.2.50'], senders: ['s@contoso.com'] }],
        },
      },
      'every gateway IP',
    ],
  ])('pass: %s', (_n, input, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe('pass');
    expect(evidenceText(out)).toContain(evidence);
  });

  test.each<[string, ContextInput, string, string]>([
    [
      'certificate of someone else',
      conns(certLockdown({ TlsSenderCertificateName: 'mx.other-seg.example' })),
      "TlsSenderCertificateName = 'mx.other-seg.example' does not match the gateway certificate '*.mail-gateway.example.com'",
      "-TlsSenderCertificateName '*.mail-gateway.example.com'",
    ],
    [
      'a host name where the gateway uses a wildcard',
      conns(certLockdown({ TlsSenderCertificateName: 'mx1.mail-gateway.example.com' })),
      'does not match',
      'Set-InboundConnector',
    ],
    [
      'a gateway IP missing',
      ips('203.0.113.10', '198.51.100.0/28'),
      'gateway IP 203.0.113.11 is not in the SenderIPAddresses',
      "-SenderIPAddresses @{Add='203.0.113.11'}",
    ],
    [
      'part of a gateway range missing',
      ips('203.0.113.10', '203.0.113.11', '198.51.100.0/29'),
      'gateway IP 198.51.100.0/28 is not in',
      "@{Add='198.51.100.0/28'}",
    ],
    [
      'an invalid entry',
      ips(...GATEWAY_IPS, '203.0.113.300'),
      "SenderIPAddresses entry '203.0.113.300' is not a valid IPv4 address or CIDR range",
      "@{Remove='203.0.113.300'}",
    ],
  ])('fail: %s', (_n, input, evidence, fix) => {
    const out = run(check, input);
    expect(out.status).toBe('fail');
    expect(evidenceText(out)).toContain(evidence);
    expect(out.remediation?.powershell).toContain(fix);
  });

  test.each<[string, ContextInput, string]>([
    [
      'an unknown extra address',
      ips(...GATEWAY_IPS, '192.0.2.99'),
      'SenderIPAddresses entry 192.0.2.99 is neither a gateway, hybrid nor declared-source address',
    ],
    [
      'a mask wider than /24',
      ips('203.0.0.0/16', '198.51.100.0/28'),
      'mask /16 is wider than the documented /24–/32',
    ],
    ['an IPv6 entry', ips(...GATEWAY_IPS, '2001:db8::1'), 'IPv6 is not supported in SenderIPAddresses'],
    [
      'an a-b range',
      ips('203.0.113.10-203.0.113.11', '198.51.100.0/28'),
      'address ranges a-b are documented for EFSkipIPs',
    ],
    [
      'a certificate lock-down matches while an IP lock-down misses a gateway IP',
      conns(certLockdown(), ipLockdown({ SenderIPAddresses: ['203.0.113.10'] })),
      'admitted only while the gateway presents its certificate',
    ],
  ])('warn: %s', (_n, input, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe('warn');
    expect(evidenceText(out)).toContain(evidence);
  });

  test.each<[string, ContextInput, string]>([
    [
      'no gateway known',
      withGateway(conns(certLockdown()), { source: 'none' }),
      'declare the gateway in mxlock.yaml',
    ],
    [
      'gateway with neither IPs nor certificate',
      withGateway(conns(certLockdown()), { source: 'inferred', ips: [] }),
      'declare the gateway in mxlock.yaml',
    ],
    [
      'certificate lock-down, gateway certificate not declared',
      withGateway(conns(certLockdown()), { ips: [...GATEWAY_IPS] }),
      'gateway certificate not declared',
    ],
    [
      'IP lock-down, gateway IPs not declared',
      withGateway(ips(...GATEWAY_IPS), { certificate: '*.mail-gateway.example.com' }),
      'gateway IPs not declared',
    ],
    [
      'TlsSenderCertificateName missing',
      conns(certLockdown({ TlsSenderCertificateName: undefined })),
      'TlsSenderCertificateName missing although RestrictDomainsToCertificate = true',
    ],
    [
      'SenderIPAddresses missing',
      conns(ipLockdown({ SenderIPAddresses: undefined })),
      'SenderIPAddresses missing although RestrictDomainsToIPAddresses = true',
    ],
  ])('unknown: %s', (_n, input, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe('unknown');
    expect(evidenceText(out)).toContain(evidence);
  });

  test('an inferred gateway is named in the evidence without changing a pass', () => {
    const out = run(
      check,
      withGateway(conns(certLockdown()), {
        source: 'inferred',
        certificate: '*.mail-gateway.example.com',
        basis: ['MX → mail-gateway.example.com'],
      }),
    );
    expect(out.status).toBe('pass');
    expect(evidenceText(out)).toContain('gateway inferred from the export (MX → mail-gateway.example.com)');
  });

  test('not-applicable without an enabled lock-down', () => {
    expect(run(check, conns(certLockdown({ Enabled: false }))).status).toBe('not-applicable');
  });
});
