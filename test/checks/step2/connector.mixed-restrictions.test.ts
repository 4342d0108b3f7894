import { describe, expect, test } from 'vitest';
import { check } from '../../../src/checks/step2/connector.mixed-restrictions.js';
import type { SnapshotObjects } from '../../../src/snapshot/types.js';
import { evidenceText, run, type ContextInput } from '../helpers.js';
import {
  GATEWAY_CERT,
  GATEWAY_IPS,
  certLockdown,
  hardened,
  ipLockdown,
  onPremConnector,
} from '../../fixtures/checks/seg-tenant.js';

type Connector = Partial<SnapshotObjects['Get-InboundConnector']>;
const conns = (...c: Connector[]): ContextInput => hardened({ data: { 'Get-InboundConnector': c } });
const allowByDomain = (over: Connector = {}) =>
  certLockdown({
    Name: 'Allow fabrikam',
    SenderDomains: ['fabrikam.com'],
    RestrictDomainsToCertificate: false,
    TlsSenderCertificateName: undefined,
    ...over,
  });
const both = (over: Connector = {}) =>
  certLockdown({ RestrictDomainsToIPAddresses: true, SenderIPAddresses: [...GATEWAY_IPS], ...over });

describe('connector.mixed-restrictions', () => {
  test.each<[string, ContextInput, string, string]>([
    ['one certificate lock-down', conns(certLockdown()), 'pass', 'none mixes IPs and certificate'],
    [
      'certificate and IP lock-downs in separate connectors',
      conns(certLockdown(), ipLockdown({ SenderDomains: ['contoso.com'] })),
      'pass',
      '2 Partner connector(s)',
    ],
    [
      'an allow-by-domain connector without any restriction beside it',
      conns(allowByDomain()),
      'pass',
      'none mixes',
    ],
    [
      'a disabled connector with both restrictions',
      conns(certLockdown(), both({ Name: 'Old SEG', Enabled: false })),
      'pass',
      "connector 'Old SEG': RestrictDomainsToIPAddresses = true and RestrictDomainsToCertificate = true (Enabled = false): use one connector per method (CON-3 [D]); disabled now",
    ],
    [
      'both restriction flags on one connector',
      conns(both()),
      'fail',
      "connector 'From Secure Email Gateway': RestrictDomainsToIPAddresses = true and RestrictDomainsToCertificate = true",
    ],
    [
      'certificate restriction carrying IPs too',
      conns(certLockdown({ SenderIPAddresses: ['203.0.113.10'] })),
      'fail',
      "restricts by certificate but carries both SenderIPAddresses = [203.0.113.10] and TlsSenderCertificateName = '*.mail-gateway.example.com'",
    ],
    [
      'an allow-by-domain connector beside a restricting one',
      conns(certLockdown(), allowByDomain()),
      'fail',
      "connector 'Allow fabrikam': matches by sender domain only",
    ],
    [
      'a non-restricting gateway connector that matches by IP is not an allow-by-domain connector',
      conns(
        certLockdown({ SenderDomains: ['fabrikam.com'] }),
        allowByDomain({ Name: 'Gateway', SenderDomains: ['*'], SenderIPAddresses: [...GATEWAY_IPS] }),
      ),
      'pass',
      'none mixes',
    ],
    [
      'both restrictions, Enabled missing',
      conns(both({ Enabled: undefined })),
      'unknown',
      'Enabled = (not exported)',
    ],
    [
      'restriction flags missing on a Partner connector',
      conns(certLockdown(), allowByDomain({ RestrictDomainsToIPAddresses: undefined })),
      'unknown',
      "connector 'Allow fabrikam': RestrictDomainsToIPAddresses missing",
    ],
    [
      'only OnPremises connectors',
      conns(onPremConnector()),
      'not-applicable',
      'no Partner inbound connectors',
    ],
  ])('%s', (_n, input, status, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe(status);
    expect(evidenceText(out)).toContain(evidence);
  });

  test('remediation keeps the certificate and disables the allow-by-domain connector', () => {
    const ps = run(check, conns(both(), allowByDomain())).remediation?.powershell ?? '';
    expect(ps).toContain(
      "Set-InboundConnector -Identity 'From Secure Email Gateway' -RestrictDomainsToIPAddresses $false -SenderIPAddresses $null",
    );
    expect(ps).toContain("Set-InboundConnector -Identity 'Allow fabrikam' -Enabled $false");
  });

  test('an IP restriction carrying a certificate name drops the name', () => {
    const out = run(check, conns(ipLockdown({ TlsSenderCertificateName: GATEWAY_CERT })));
    expect(out.status).toBe('fail');
    expect(out.remediation?.powershell).toContain(
      "Set-InboundConnector -Identity 'From SEG (IP-bound)' -TlsSenderCertificateName $null",
    );
  });
});

test('connector.mixed-restrictions: unknown when the restricting connector beside an allow-by-domain one has Enabled missing', () => {
  const out = run(check, conns(certLockdown({ Enabled: undefined }), allowByDomain()));
  expect(out.status).toBe('unknown');
  expect(evidenceText(out)).toContain("connector 'From Secure Email Gateway': Enabled missing");
});
