import { describe, expect, test } from 'vitest';
import { check } from '../../../src/checks/step2/connector.lockdown-gateway-coverage.js';
import type { ResolvedGateway } from '../../../src/common/gateway.js';
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
      "connector 'From SEG (IP-bound)' lacks 203.0.113.11 of the gateway's IPs, and no other lock-down lists it",
      "-SenderIPAddresses @{Add='203.0.113.11'}",
    ],
    [
      'part of a gateway range missing',
      ips('203.0.113.10', '203.0.113.11', '198.51.100.0/29'),
      "connector 'From SEG (IP-bound)' lacks 198.51.100.0/28",
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

/**
 * Restricting connectors scoped to some sender domains (a device connector) that the gateway does not satisfy: with no
 * restricting connector the gateway satisfies covering the same domains, gateway mail whose MAIL FROM is in them is
 * refused with 5.7.51 (eop-model CON-5 [D]; one satisfying connector suffices, §12 OQ-2 [I]). examples/half-done.
 */
describe('connector.lockdown-gateway-coverage: scoped restricting connectors the gateway does not satisfy', () => {
  const device = (over: Connector = {}) =>
    ipLockdown({
      Name: 'Scanners - HQ',
      Identity: 'Scanners - HQ',
      SenderDomains: ['smtp:contoso.com;1'],
      SenderIPAddresses: ['192.0.2.50'],
      RequireTls: false,
      ...over,
    });
  // The gateway's connector before step 2: SenderDomains *, the gateway's IPs, no restriction.
  const gatewayAllow = (over: Connector = {}) =>
    ipLockdown({
      Name: 'SEG inbound',
      Identity: 'SEG inbound',
      RestrictDomainsToIPAddresses: false,
      ...over,
    });

  test('warn: only a device connector restricts own-domain MAIL FROM, and the gateway does not satisfy it', () => {
    const out = run(check, conns(gatewayAllow(), device()));
    expect(out.status).toBe('warn');
    const text = evidenceText(out);
    expect(text).toContain("connector 'Scanners - HQ'");
    expect(text).toContain('gateway mail whose MAIL FROM domain is contoso.com is refused with 550 5.7.51');
    expect(text).toContain('§12 OQ-2 [I]');
    // The fix restricts the gateway's own connector (finishing step 2), never the device connector's scope: to the
    // gateway's certificate, which is known here, as the plan's stage 2 does (certificate preferred, S9 [D]).
    expect(out.remediation?.powershell).toContain(
      "Set-InboundConnector -Identity 'SEG inbound' -RestrictDomainsToCertificate $true -TlsSenderCertificateName '*.mail-gateway.example.com'",
    );
    expect(out.remediation?.powershell).not.toContain("-Identity 'Scanners - HQ'");
  });

  test('warn without any gateway connector: the remediation creates the lock-down', () => {
    const out = run(check, conns(device()));
    expect(out.status).toBe('warn');
    // Under the name the plan's stage 2 gives it (model/gateway-connector.ts newGatewayConnectorName).
    expect(out.remediation?.powershell).toContain("New-InboundConnector -Name 'mxlock - From Example SEG'");
  });

  test.each<[string, ContextInput, string]>([
    [
      'a * certificate lock-down the gateway satisfies admits it (one satisfying connector suffices)',
      conns(certLockdown(), device()),
      "connector 'Scanners - HQ'",
    ],
    [
      'a * IP lock-down the gateway satisfies admits it',
      conns(ipLockdown(), device()),
      "connector 'Scanners - HQ'",
    ],
  ])('pass: %s', (_n, input, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe('pass');
    expect(evidenceText(out)).toContain(evidence);
  });

  // No `*` lock-down: not-applicable (connector.lockdown-sender-scope fails), but no refused gateway mail either.
  test.each<[string, ContextInput, string]>([
    [
      'a wildcard-scoped restricting connector the gateway satisfies covers the device domain',
      conns(certLockdown({ SenderDomains: ['*.contoso.com'] }), device()),
      'which cover(s) the same sender domains',
    ],
    [
      'a device connector that also lists the gateway IPs is satisfied by the gateway',
      conns(device({ SenderIPAddresses: ['192.0.2.50', ...GATEWAY_IPS] })),
      "connector 'Scanners - HQ': restricts SenderDomains [contoso.com] and the gateway satisfies it",
    ],
    [
      'an OnPremises connector matching the gateway exempts it (§12 [I])',
      conns(
        ipLockdown({
          Name: 'On-prem relay',
          ConnectorType: 'OnPremises',
          RestrictDomainsToIPAddresses: false,
        }),
        device(),
      ),
      "OnPremises connector 'On-prem relay' matches the gateway",
    ],
  ])('no warn: %s', (_n, input, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe('not-applicable');
    expect(evidenceText(out)).toContain(evidence);
  });

  test('a restricting connector scoped to another domain does not cover the device domain', () => {
    const out = run(check, conns(certLockdown({ SenderDomains: ['fabrikam.com'] }), device()));
    expect(evidenceText(out)).toContain('gateway mail whose MAIL FROM domain is contoso.com');
  });

  test('not-applicable: the device connector is disabled', () => {
    expect(run(check, conns(gatewayAllow(), device({ Enabled: false }))).status).toBe('not-applicable');
  });

  test.each<[string, ContextInput, string]>([
    [
      'the device connector has Enabled missing',
      conns(gatewayAllow(), device({ Enabled: undefined })),
      "connector 'Scanners - HQ': Enabled missing",
    ],
    [
      'the gateway is unknown',
      withGateway(conns(gatewayAllow(), device()), { source: 'none' }),
      'declare the gateway in mxlock.yaml',
    ],
  ])('unknown: %s', (_n, input, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe('unknown');
    expect(evidenceText(out)).toContain(evidence);
  });
});

test('warn: a lock-down certificate name wider than the gateway certificate admits other certificate holders', () => {
  const out = run(check, conns(certLockdown({ TlsSenderCertificateName: '*.example.com' })));
  expect(out.status).toBe('warn');
  expect(evidenceText(out)).toContain(
    "TlsSenderCertificateName = '*.example.com' is wider than the gateway certificate '*.mail-gateway.example.com'",
  );
});

test('not-applicable, not pass, when no * lock-down exists and the gateway satisfies the scoped connector', () => {
  const out = run(
    check,
    conns(
      ipLockdown({
        Name: 'Scanners - HQ',
        SenderDomains: ['contoso.com'],
        SenderIPAddresses: ['192.0.2.50', ...GATEWAY_IPS],
      }),
    ),
  );
  expect(out.status).toBe('not-applicable');
  expect(evidenceText(out)).toContain('the gateway satisfies it');
});
