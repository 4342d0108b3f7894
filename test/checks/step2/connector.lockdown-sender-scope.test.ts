import { describe, expect, test } from 'vitest';
import { check } from '../../../src/checks/step2/connector.lockdown-sender-scope.js';
import type { SnapshotObjects } from '../../../src/snapshot/types.js';
import { evidenceText, run, type ContextInput } from '../helpers.js';
import { certLockdown, hardened, ipLockdown, onPremConnector } from '../../fixtures/checks/seg-tenant.js';

type Connector = Partial<SnapshotObjects['Get-InboundConnector']>;
const conns = (...c: Connector[]): ContextInput => hardened({ data: { 'Get-InboundConnector': c } });
const device = ipLockdown({
  Name: 'Scanners',
  SenderDomains: ['smtp:contoso.com;1'],
  SenderIPAddresses: ['192.0.2.50'],
});

describe('connector.lockdown-sender-scope', () => {
  test.each<[string, ContextInput, string, string]>([
    [
      'SenderDomains * (export form smtp:*;1)',
      conns(certLockdown()),
      'pass',
      "connector 'From Secure Email Gateway': SenderDomains = [*]",
    ],
    [
      'a scoped device connector beside the * one',
      conns(certLockdown(), device),
      'pass',
      "connector 'Scanners': SenderDomains = [contoso.com]: an extra restricting connector scoped to some domains",
    ],
    [
      'the * connector is disabled (lockdown-disabled reports it)',
      conns(certLockdown({ Enabled: false })),
      'pass',
      'SenderDomains = [*]',
    ],
    [
      'only scoped restricting connectors',
      conns(certLockdown({ SenderDomains: ['contoso.com', 'fabrikam.com'] })),
      'fail',
      'SenderDomains = [contoso.com, fabrikam.com]',
    ],
    [
      'SenderDomains missing on the only restricting connector',
      conns(certLockdown({ SenderDomains: undefined })),
      'unknown',
      'SenderDomains missing',
    ],
    [
      'no restricting connector',
      conns(onPremConnector()),
      'not-applicable',
      'no restricting Partner connector',
    ],
  ])('%s', (_n, input, status, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe(status);
    expect(evidenceText(out)).toContain(evidence);
  });

  // The plan's stage 2 only ever restricts a `*` connector (model/gateway-connector.ts), so the report does the same:
  // the scoped connector is kept, and the `*` lock-down is created under the plan's name, never a widened copy.
  test('fail evidence explains the P1 gap and the remediation creates the lock-down the plan creates', () => {
    const out = run(check, conns(certLockdown({ SenderDomains: ['contoso.com'] })));
    expect(evidenceText(out)).toContain('§12 OQ-3 → P1');
    const ps = out.remediation?.powershell ?? '';
    expect(ps).toContain(
      "New-InboundConnector -Name 'mxlock - From Example SEG' -ConnectorType Partner -SenderDomains '*'",
    );
    expect(ps).not.toMatch(/Set-InboundConnector .*-SenderDomains/);
  });

  // examples/half-done: widening the device connector to * would make it a lock-down only the scanner satisfies, so
  // every gateway delivery would get 550 5.7.51 (eop-model CON-5 [D]).
  test('the remediation never widens a connector the gateway does not satisfy', () => {
    const gatewayAllow = ipLockdown({
      Name: 'SEG inbound',
      Identity: 'SEG inbound',
      RestrictDomainsToIPAddresses: false,
    });
    const out = run(check, conns(gatewayAllow, device));
    expect(out.status).toBe('fail');
    expect(out.remediation?.powershell).not.toContain("-Identity 'Scanners' -SenderDomains '*'");
    // Restricted to the gateway's certificate, which is known here, as the plan's stage 2 does (S9 [D]).
    expect(out.remediation?.powershell).toContain(
      "Set-InboundConnector -Identity 'SEG inbound' -RestrictDomainsToCertificate $true -TlsSenderCertificateName '*.mail-gateway.example.com'",
    );
  });

  test('without a connector carrying the gateway, the remediation creates the lock-down', () => {
    const out = run(check, conns(device));
    expect(out.remediation?.powershell).not.toContain("-Identity 'Scanners' -SenderDomains '*'");
    expect(out.remediation?.powershell).toContain("New-InboundConnector -Name 'mxlock - From Example SEG'");
  });

  test('unknown when Get-InboundConnector was not exported', () => {
    const h = hardened();
    delete h.data?.['Get-InboundConnector'];
    expect(run(check, h).status).toBe('unknown');
  });
});
