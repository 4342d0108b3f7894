import { describe, expect, test } from 'vitest';
import { check } from '../../../src/checks/step2/connector.lockdown-disabled.js';
import type { SnapshotObjects } from '../../../src/snapshot/types.js';
import { evidenceText, run, type ContextInput } from '../helpers.js';
import { certLockdown, hardened, ipLockdown, onPremConnector } from '../../fixtures/checks/seg-tenant.js';

type Connector = Partial<SnapshotObjects['Get-InboundConnector']>;
const conns = (...c: Connector[]): ContextInput => hardened({ data: { 'Get-InboundConnector': c } });
const device = ipLockdown({
  Name: 'Scanners',
  SenderDomains: ['contoso.com'],
  SenderIPAddresses: ['192.0.2.50'],
});

describe('connector.lockdown-disabled', () => {
  test.each<[string, ContextInput, string, string]>([
    [
      'the lock-down is enabled',
      conns(certLockdown()),
      'pass',
      "connector 'From Secure Email Gateway': Enabled = true",
    ],
    [
      'one of two lock-downs is enabled',
      conns(certLockdown({ Enabled: false }), ipLockdown()),
      'pass',
      "connector 'From SEG (IP-bound)': Enabled = true",
    ],
    [
      'no * connector, a scoped restricting one enabled (sender scope is another check)',
      conns(device),
      'pass',
      "connector 'Scanners': Enabled = true",
    ],
    [
      'the lock-down is disabled',
      conns(certLockdown({ Enabled: false })),
      'fail',
      "connector 'From Secure Email Gateway': Enabled = false",
    ],
    [
      'the * lock-down is disabled, only a device connector is on',
      conns(certLockdown({ Enabled: false }), device),
      'fail',
      'every restricting connector is disabled',
    ],
    [
      'Enabled missing on the lock-down',
      conns(certLockdown({ Enabled: undefined })),
      'unknown',
      "connector 'From Secure Email Gateway': Enabled = (not exported)",
    ],
    [
      'no restricting connector',
      conns(onPremConnector()),
      'not-applicable',
      'no restricting Partner connector',
    ],
    [
      'a Partner connector whose restriction flags are missing',
      conns(certLockdown({ RestrictDomainsToCertificate: undefined })),
      'unknown',
      "connector 'From Secure Email Gateway': RestrictDomainsToCertificate missing",
    ],
  ])('%s', (_n, input, status, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe(status);
    expect(evidenceText(out)).toContain(evidence);
  });

  test('unknown when Get-InboundConnector was not exported', () => {
    const h = hardened();
    delete h.data?.['Get-InboundConnector'];
    expect(run(check, h)).toEqual({
      status: 'unknown',
      evidence: ['Get-InboundConnector.json was not exported'],
    });
  });

  test('remediation enables the named connector, quoted', () => {
    const out = run(check, conns(certLockdown({ Name: "SEG 'prod'", Enabled: false })));
    expect(out.remediation?.powershell).toContain(
      "Set-InboundConnector -Identity 'SEG ''prod''' -Enabled $true",
    );
  });
});

test('connector.lockdown-disabled: unknown, not fail, when an enabled restricting connector has SenderDomains missing', () => {
  const out = run(
    check,
    hardened({
      data: {
        'Get-InboundConnector': [
          certLockdown({ Enabled: false }),
          ipLockdown({ SenderDomains: undefined, Enabled: true }),
        ],
      },
    }),
  );
  expect(out.status).toBe('unknown');
  expect(evidenceText(out)).toContain("connector 'From SEG (IP-bound)': SenderDomains missing");
});
