import { describe, expect, test } from 'vitest';
import { check } from '../../../src/checks/step2/connector.treat-as-internal.js';
import type { SnapshotObjects } from '../../../src/snapshot/types.js';
import { evidenceText, run, type ContextInput } from '../helpers.js';
import { certLockdown, hardened, onPremConnector } from '../../fixtures/checks/seg-tenant.js';

type Connector = Partial<SnapshotObjects['Get-InboundConnector']>;
const conns = (...c: Connector[]): ContextInput => hardened({ data: { 'Get-InboundConnector': c } });

describe('connector.treat-as-internal', () => {
  test.each<[string, ContextInput, string, string]>([
    [
      'no connector treats mail as internal',
      conns(certLockdown(), onPremConnector()),
      'pass',
      '2 inbound connector(s), none with TreatMessagesAsInternal = true',
    ],
    ['no connectors at all', conns(), 'pass', 'no inbound connectors'],
    [
      'an OnPremises connector with TreatMessagesAsInternal',
      conns(
        certLockdown(),
        onPremConnector({ TreatMessagesAsInternal: true, CloudServicesMailEnabled: false }),
      ),
      'fail',
      "connector 'Inbound from on-premises': TreatMessagesAsInternal = true (Enabled = true)",
    ],
    [
      'a disabled one still fails (re-enabling restores the bypass)',
      conns(onPremConnector({ TreatMessagesAsInternal: true, Enabled: false })),
      'fail',
      'TreatMessagesAsInternal = true (Enabled = false)',
    ],
    [
      'property missing',
      conns(certLockdown({ TreatMessagesAsInternal: undefined })),
      'unknown',
      "connector 'From Secure Email Gateway': TreatMessagesAsInternal = (not exported)",
    ],
  ])('%s', (_n, input, status, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe(status);
    expect(evidenceText(out)).toContain(evidence);
  });

  test('remediation turns it off on the named connector', () => {
    const out = run(check, conns(onPremConnector({ TreatMessagesAsInternal: true })));
    expect(out.remediation?.powershell).toBe(
      "Set-InboundConnector -Identity 'Inbound from on-premises' -TreatMessagesAsInternal $false",
    );
  });

  test('unknown when Get-InboundConnector was not exported', () => {
    const h = hardened();
    delete h.data?.['Get-InboundConnector'];
    expect(run(check, h).status).toBe('unknown');
  });
});
