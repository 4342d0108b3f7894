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
      'certificate lock-down beside an IP one',
      conns(ipLockdown(), certLockdown()),
      'info',
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
    expect(out.remediation?.powershell).toContain(
      `-RestrictDomainsToCertificate $true -TlsSenderCertificateName '${GATEWAY_CERT}'`,
    );
    expect(out.remediation?.powershell).toContain(
      "Set-InboundConnector -Identity 'From SEG (IP-bound)' -Enabled $false",
    );
  });
});
