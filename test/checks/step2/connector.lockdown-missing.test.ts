import { describe, expect, test } from 'vitest';
import { check } from '../../../src/checks/step2/connector.lockdown-missing.js';
import type { SnapshotObjects } from '../../../src/snapshot/types.js';
import { evidenceText, run, type ContextInput } from '../helpers.js';
import { certLockdown, hardened, ipLockdown, onPremConnector } from '../../fixtures/checks/seg-tenant.js';

type Connector = Partial<SnapshotObjects['Get-InboundConnector']>;
const conns = (...c: Connector[]): ContextInput => hardened({ data: { 'Get-InboundConnector': c } });
const allowByDomain = (over: Connector = {}) =>
  certLockdown({
    Name: 'Partner fabrikam',
    SenderDomains: ['fabrikam.com'],
    RestrictDomainsToCertificate: false,
    TlsSenderCertificateName: undefined,
    ...over,
  });

describe('connector.lockdown-missing', () => {
  test.each<[string, ContextInput, string]>([
    [
      'certificate lock-down',
      conns(certLockdown()),
      "connector 'From Secure Email Gateway': ConnectorType = 'Partner', RestrictDomainsToIPAddresses = false, RestrictDomainsToCertificate = true",
    ],
    ['IP lock-down', conns(ipLockdown()), 'RestrictDomainsToIPAddresses = true'],
    [
      'a restricting connector that is disabled (reported by lockdown-disabled)',
      conns(certLockdown({ Enabled: false })),
      'Enabled = false',
    ],
    [
      'a restricting connector scoped to some domains (reported by lockdown-sender-scope)',
      conns(ipLockdown({ SenderDomains: ['contoso.com'] })),
      'RestrictDomainsToIPAddresses = true',
    ],
  ])('pass: %s', (_n, input, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe('pass');
    expect(evidenceText(out)).toContain(evidence);
  });

  test.each<[string, ContextInput, string]>([
    ['no inbound connectors', conns(), 'no inbound connectors at all'],
    [
      'only an OnPremises connector (cannot restrict, CON-4)',
      conns(onPremConnector()),
      'restrictions apply to Partner connectors only',
    ],
    [
      'only an allow-by-domain Partner connector',
      conns(allowByDomain()),
      "connector 'Partner fabrikam': ConnectorType = 'Partner', RestrictDomainsToIPAddresses = false, RestrictDomainsToCertificate = false",
    ],
  ])('fail: %s', (_n, input, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe('fail');
    expect(evidenceText(out)).toContain(evidence);
    expect(evidenceText(out)).toContain('Ghost-Sender');
  });

  test.each<[string, ContextInput, string]>([
    [
      'Get-InboundConnector not exported',
      (() => {
        const h = hardened();
        delete h.data?.['Get-InboundConnector'];
        return h;
      })(),
      'Get-InboundConnector.json was not exported',
    ],
    [
      'restriction flags missing on a Partner connector',
      conns(allowByDomain({ RestrictDomainsToIPAddresses: undefined })),
      "connector 'Partner fabrikam': RestrictDomainsToIPAddresses missing",
    ],
    ['ConnectorType missing', conns(allowByDomain({ ConnectorType: undefined })), 'ConnectorType missing'],
    [
      'ConnectorType an unmapped integer',
      conns({ ...allowByDomain(), ConnectorType: 7 as unknown as string }),
      "ConnectorType = '#7' (unknown value)",
    ],
  ])('unknown: %s', (_n, input, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe('unknown');
    expect(evidenceText(out)).toContain(evidence);
  });

  // The connector the plan's stage 2 creates (model/gateway-connector.ts): its name, restricted by certificate when the
  // gateway's is known (S9 [D]), else by every gateway IP.
  test('remediation creates the connector the plan creates, by certificate when known', () => {
    const out = run(check, conns());
    const ps = out.remediation?.powershell ?? '';
    expect(ps).toContain(
      "New-InboundConnector -Name 'mxlock - From Example SEG' -ConnectorType Partner -SenderDomains '*'",
    );
    expect(ps).toContain(
      "-RestrictDomainsToCertificate $true -TlsSenderCertificateName '*.mail-gateway.example.com' -RequireTls $true",
    );
    expect(ps).not.toContain('RestrictDomainsToIPAddresses');
    expect(ps).not.toContain('replace');
  });

  test('remediation restricts by IP when only IPs are known, and marks placeholders when nothing is', () => {
    const ipsOnly =
      run(check, { ...conns(), gateway: { source: 'profile', ips: ['192.0.2.1'] } }).remediation
        ?.powershell ?? '';
    expect(ipsOnly).toContain(
      "New-InboundConnector -Name 'mxlock - From Secure Email Gateway' -ConnectorType Partner -SenderDomains '*'",
    );
    expect(ipsOnly).toContain("-RestrictDomainsToIPAddresses $true -SenderIPAddresses '192.0.2.1'");
    expect(ipsOnly).not.toContain('RestrictDomainsToCertificate');
    const none = run(check, { ...conns(), gateway: { source: 'none' } }).remediation?.powershell ?? '';
    expect(none).toContain('# replace the name with the certificate subject your gateway presents');
    expect(none).toContain('# replace the addresses with every egress IP/range');
  });
});
