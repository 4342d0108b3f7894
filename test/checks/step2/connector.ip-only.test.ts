import { describe, expect, test } from 'vitest';
import { check } from '../../../src/checks/step2/connector.ip-only.js';
import type { PathResult } from '../../../src/model/paths.js';
import type { SnapshotObjects } from '../../../src/snapshot/types.js';
import { evidenceText, run, type ContextInput } from '../helpers.js';
import {
  GATEWAY_CERT,
  GATEWAY_IPS,
  certLockdown,
  hardened,
  ipLockdown,
} from '../../fixtures/checks/seg-tenant.js';

type Connector = Partial<SnapshotObjects['Get-InboundConnector']>;
const conns = (...c: Connector[]): ContextInput => hardened({ data: { 'Get-InboundConnector': c } });
const sharedPath: PathResult = {
  id: 'path.shared-gateway-ip',
  kind: 'residual',
  status: 'open',
  outcome: { stage: 'post-acceptance', disposition: 'inbox' },
  evidence: [],
  result: { outcomes: [], uncertainties: [] },
};

describe('connector.ip-only', () => {
  test.each<[string, ContextInput, string, string]>([
    [
      'certificate lock-down, certificate unique to the tenant',
      {
        ...conns(certLockdown()),
        gateway: { ips: GATEWAY_IPS, certificate: GATEWAY_CERT, certificateUnique: true },
      },
      'pass',
      'gateway.certificateUnique = true',
    ],
    [
      'certificate lock-down, certificate maybe shared',
      conns(certLockdown()),
      'info',
      'may be shared by its other customers',
    ],
    [
      // The IP lock-down still admits every sender on the shared IPs (one satisfied connector suffices, §12 OQ-2).
      'certificate lock-down beside an IP one',
      conns(ipLockdown(), certLockdown()),
      'warn',
      "connector 'From Secure Email Gateway': RestrictDomainsToCertificate = true",
    ],
    [
      'IP-only lock-down',
      conns(ipLockdown()),
      'warn',
      "connector 'From SEG (IP-bound)': RestrictDomainsToIPAddresses = true, RestrictDomainsToCertificate = false",
    ],
    [
      'IP lock-down whose certificate flag is missing',
      conns(ipLockdown({ RestrictDomainsToCertificate: undefined })),
      'unknown',
      'RestrictDomainsToCertificate missing',
    ],
    ['no lock-down', conns(), 'not-applicable', 'no Partner connector'],
  ])('%s', (_n, input, status, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe(status);
    expect(evidenceText(out)).toContain(evidence);
  });

  test('warn names the residual path, its simulated status, and proposes the certificate connector', () => {
    const out = run(check, { ...conns(ipLockdown()), paths: [sharedPath] });
    const text = evidenceText(out);
    expect(text).toContain('residual path path.shared-gateway-ip');
    expect(text).toContain('simulated: path.shared-gateway-ip is open');
    // The plan's stage 2 on the same connector: the IP lock-down turns to the certificate in place (one gateway
    // connector rule, model/gateway-connector.ts), never a second connector beside it.
    expect(out.remediation?.powershell).toContain(
      `Set-InboundConnector -Identity 'From SEG (IP-bound)' -RestrictDomainsToCertificate $true -TlsSenderCertificateName '${GATEWAY_CERT}' -RequireTls $true -RestrictDomainsToIPAddresses $false`,
    );
    expect(out.remediation?.powershell).not.toContain('New-InboundConnector');
  });

  test('without the gateway certificate the remediation says to declare it and names the same connector', () => {
    const out = run(check, { ...conns(ipLockdown()), gateway: { ips: GATEWAY_IPS } });
    const ps = out.remediation?.powershell ?? '';
    expect(ps).toContain('# Declare gateway.certificate in mxlock.yaml');
    expect(ps).toContain(
      "Set-InboundConnector -Identity 'From SEG (IP-bound)' -RestrictDomainsToCertificate $true",
    );
    expect(ps).not.toContain('New-InboundConnector');
  });
});

describe('connector.ip-only: a unique certificate does not close the shared-IP path while an IP restriction admits it', () => {
  const unique = { ips: GATEWAY_IPS, certificate: GATEWAY_CERT, certificateUnique: true };
  test.each<[string, ContextInput, string, string]>([
    [
      'an enabled IP lock-down beside the certificate one',
      { ...conns(certLockdown(), ipLockdown()), gateway: unique },
      'warn',
      "connector 'From SEG (IP-bound)': RestrictDomainsToIPAddresses = true: any sender on these (shared) IPs satisfies it",
    ],
    [
      'the certificate lock-down also restricts by IP',
      {
        ...conns(certLockdown({ RestrictDomainsToIPAddresses: true, SenderIPAddresses: [...GATEWAY_IPS] })),
        gateway: unique,
      },
      'warn',
      "connector 'From Secure Email Gateway': RestrictDomainsToIPAddresses = true",
    ],
    [
      'the connector name is wider than the unique certificate',
      { ...conns(certLockdown({ TlsSenderCertificateName: '*.example.com' })), gateway: unique },
      'info',
      "TlsSenderCertificateName '*.example.com' is wider than the tenant-unique certificate '*.mail-gateway.example.com'",
    ],
  ])('%s', (_n, input, status, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe(status);
    expect(evidenceText(out)).toContain(evidence);
  });

  test('the IP-only remediation converts the connector in place, so its Enhanced Filtering settings stay on it', () => {
    const out = run(check, conns(ipLockdown({ EFSkipIPs: [...GATEWAY_IPS], EFSkipLastIP: false })));
    expect(out.status).toBe('warn');
    const ps = out.remediation?.powershell ?? '';
    expect(ps).not.toContain('-Enabled $false');
    expect(ps).not.toContain('-EFSkipIPs');
  });
});

test('connector.ip-only: unknown, not pass, when a lock-down lacks RestrictDomainsToIPAddresses', () => {
  const out = run(check, {
    ...conns(certLockdown({ RestrictDomainsToIPAddresses: undefined })),
    gateway: { ips: GATEWAY_IPS, certificate: GATEWAY_CERT, certificateUnique: true },
  });
  expect(out.status).toBe('unknown');
  expect(evidenceText(out)).toContain('RestrictDomainsToIPAddresses missing');
});
