import { describe, expect, test } from 'vitest';
import { check } from '../../../src/checks/step2/connector.require-tls.js';
import type { SnapshotObjects } from '../../../src/snapshot/types.js';
import { EMPTY_PROFILE } from '../../../src/profile/schema.js';
import { evidenceText, run, type ContextInput } from '../helpers.js';
import { certLockdown, hardened, ipLockdown } from '../../fixtures/checks/seg-tenant.js';

type Connector = Partial<SnapshotObjects['Get-InboundConnector']>;
const conns = (...c: Connector[]): ContextInput => hardened({ data: { 'Get-InboundConnector': c } });

describe('connector.require-tls', () => {
  test.each<[string, ContextInput, string, string]>([
    [
      'RequireTls true',
      conns(certLockdown()),
      'pass',
      "connector 'From Secure Email Gateway': RequireTls = true",
    ],
    [
      'RequireTls false',
      conns(certLockdown({ RequireTls: false })),
      'fail',
      "connector 'From Secure Email Gateway': RequireTls = false",
    ],
    [
      'one of two lock-downs without TLS',
      conns(certLockdown(), ipLockdown({ RequireTls: false })),
      'fail',
      "connector 'From SEG (IP-bound)': RequireTls = false",
    ],
    [
      'RequireTls missing',
      conns(certLockdown({ RequireTls: undefined })),
      'unknown',
      'RequireTls = (not exported)',
    ],
    ['no lock-down', conns(), 'not-applicable', 'no Partner connector with SenderDomains *'],
  ])('%s', (_n, input, status, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe(status);
    expect(evidenceText(out)).toContain(evidence);
  });

  test('remediation names only the connectors without TLS', () => {
    const out = run(check, conns(certLockdown(), ipLockdown({ RequireTls: false })));
    expect(out.remediation?.powershell).toBe(
      "Set-InboundConnector -Identity 'From SEG (IP-bound)' -RequireTls $true",
    );
  });

  test('a declared device on the IP lock-down: warn with the CON-6 caveat, as the plan leaves RequireTls off', () => {
    const input = conns(ipLockdown({ RequireTls: false, SenderIPAddresses: ['203.0.113.10', '192.0.2.50'] }));
    const out = run(check, {
      ...input,
      profile: {
        ...EMPTY_PROFILE,
        directSendSources: [{ name: 'HQ scanner', ips: ['192.0.2.50'], senders: ['scan@contoso.com'] }],
      },
    });
    expect(out.status).toBe('warn');
    expect(evidenceText(out)).toContain(
      "declared source 'HQ scanner' delivers through connector 'From SEG (IP-bound)': with RequireTls $true it must offer STARTTLS or it is refused (CON-6 [D])",
    );
    expect(out.remediation?.powershell).toMatch(/^# Once every declared source .* offers STARTTLS/);
  });

  test('unknown when Get-InboundConnector was not exported', () => {
    const h = hardened();
    delete h.data?.['Get-InboundConnector'];
    expect(run(check, h).evidence).toEqual(['Get-InboundConnector.json was not exported']);
  });
});
