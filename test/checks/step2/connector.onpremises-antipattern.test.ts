import { describe, expect, test } from 'vitest';
import { check } from '../../../src/checks/step2/connector.onpremises-antipattern.js';
import type { SnapshotObjects } from '../../../src/snapshot/types.js';
import { evidenceText, run, type ContextInput } from '../helpers.js';
import { GATEWAY_CERT, certLockdown, hardened, onPremConnector } from '../../fixtures/checks/seg-tenant.js';

type Connector = Partial<SnapshotObjects['Get-InboundConnector']>;
const conns = (...c: Connector[]): ContextInput => hardened({ data: { 'Get-InboundConnector': c } });
const onPrem = (over: Connector = {}) => conns(certLockdown(), onPremConnector(over));

describe('connector.onpremises-antipattern', () => {
  test.each<[string, ContextInput, string, string]>([
    [
      'certificate name under an accepted domain',
      onPrem(),
      'pass',
      "connector 'Inbound from on-premises' (OnPremises): TlsSenderCertificateName = 'mail.contoso.com' is under an accepted domain",
    ],
    [
      'wildcard certificate of an accepted domain',
      onPrem({ TlsSenderCertificateName: '*.contoso.com' }),
      'pass',
      'is under an accepted domain',
    ],
    [
      'own server IPs',
      onPrem({ TlsSenderCertificateName: undefined, SenderIPAddresses: ['192.0.2.10'] }),
      'pass',
      'SenderIPAddresses = [192.0.2.10] are not gateway IPs',
    ],
    [
      'a disabled anti-pattern',
      onPrem({ Enabled: false, TlsSenderCertificateName: 'mx.fabrikam.net' }),
      'pass',
      'Enabled = false, not reviewed',
    ],
    [
      'certificate name outside the accepted domains',
      onPrem({ TlsSenderCertificateName: 'mail.fabrikam.net' }),
      'fail',
      "TlsSenderCertificateName = 'mail.fabrikam.net' is not an accepted domain nor under one",
    ],
    [
      'the gateway certificate on an OnPremises connector',
      onPrem({ TlsSenderCertificateName: GATEWAY_CERT }),
      'fail',
      'matches the gateway certificate',
    ],
    [
      'gateway IPs on an OnPremises connector',
      onPrem({ SenderIPAddresses: ['203.0.113.0/24'] }),
      'fail',
      'SenderIPAddresses 203.0.113.0/24 overlap the gateway IPs',
    ],
    [
      'an anti-pattern with Enabled missing',
      onPrem({ Enabled: undefined, TlsSenderCertificateName: 'mail.fabrikam.net' }),
      'unknown',
      '(Enabled missing)',
    ],
    [
      'IPs but no gateway IPs declared',
      { ...onPrem({ SenderIPAddresses: ['192.0.2.10'] }), gateway: { certificate: GATEWAY_CERT } },
      'unknown',
      'gateway IPs unknown',
    ],
    [
      'SenderIPAddresses missing',
      onPrem({ SenderIPAddresses: undefined }),
      'unknown',
      'SenderIPAddresses missing',
    ],
    ['no OnPremises connector', conns(certLockdown()), 'not-applicable', 'no OnPremises inbound connectors'],
  ])('%s', (_n, input, status, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe(status);
    expect(evidenceText(out)).toContain(evidence);
  });

  test('unknown when accepted domains were not exported', () => {
    const h = onPrem();
    delete h.data?.['Get-AcceptedDomain'];
    const out = run(check, h);
    expect(out.status).toBe('unknown');
    expect(evidenceText(out)).toContain('Get-AcceptedDomain.json was not exported');
  });

  test('remediation removes the gateway ranges from the named connector', () => {
    const out = run(check, onPrem({ SenderIPAddresses: ['192.0.2.10', '203.0.113.10'] }));
    expect(out.remediation?.powershell).toBe(
      "Set-InboundConnector -Identity 'Inbound from on-premises' -SenderIPAddresses @{Remove='203.0.113.10'}",
    );
  });
});

// A hybrid connector whose wildcard also covers a tenant-unique gateway certificate under the own domain: disabling it
// would cut hybrid mail flow; the fix narrows the name to the on-premises servers' certificate.
test('connector.onpremises-antipattern: a certificate overlap is fixed by narrowing the name, not by disabling the connector', () => {
  const out = run(check, {
    ...onPrem({ TlsSenderCertificateName: '*.contoso.com' }),
    gateway: { certificate: 'seg.contoso.com', ips: ['203.0.113.10'] },
  });
  expect(out.status).toBe('fail');
  const ps = out.remediation?.powershell ?? '';
  expect(ps).toContain("Set-InboundConnector -Identity 'Inbound from on-premises' -TlsSenderCertificateName");
  expect(ps.split('\n').filter((l) => !l.trimStart().startsWith('#'))).not.toContainEqual(
    expect.stringContaining('-Enabled $false'),
  );
});
