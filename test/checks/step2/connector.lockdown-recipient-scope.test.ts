import { describe, expect, test } from 'vitest';
import { check } from '../../../src/checks/step2/connector.lockdown-recipient-scope.js';
import type { SnapshotObjects } from '../../../src/snapshot/types.js';
import { evidenceText, run, type ContextInput } from '../helpers.js';
import { certLockdown, hardened, ipLockdown } from '../../fixtures/checks/seg-tenant.js';

type Connector = Partial<SnapshotObjects['Get-InboundConnector']>;
const conns = (...c: Connector[]): ContextInput => hardened({ data: { 'Get-InboundConnector': c } });
const ALL = ['contoso.com', 'contoso.onmicrosoft.com', 'contoso.mail.onmicrosoft.com'];

describe('connector.lockdown-recipient-scope', () => {
  test.each<[string, ContextInput, string, string]>([
    [
      'AssociatedAcceptedDomains empty = all domains',
      conns(certLockdown()),
      'pass',
      'empty AssociatedAcceptedDomains = every accepted domain',
    ],
    [
      'every accepted domain listed',
      conns(certLockdown({ AssociatedAcceptedDomains: ALL })),
      'pass',
      'every accepted domain (contoso.com, contoso.onmicrosoft.com, contoso.mail.onmicrosoft.com) is listed',
    ],
    [
      'a scoped lock-down beside an unscoped one',
      conns(certLockdown({ AssociatedAcceptedDomains: ['contoso.com'] }), ipLockdown()),
      'pass',
      'empty AssociatedAcceptedDomains',
    ],
    [
      'the lock-down is disabled',
      conns(certLockdown({ Enabled: false, AssociatedAcceptedDomains: ['contoso.com'] })),
      'not-applicable',
      'every lock-down connector is disabled',
    ],
    ['no lock-down', conns(), 'not-applicable', 'no Partner connector with SenderDomains *'],
    [
      'AssociatedAcceptedDomains missing',
      conns(certLockdown({ AssociatedAcceptedDomains: undefined })),
      'unknown',
      'AssociatedAcceptedDomains = (not exported)',
    ],
    [
      'Enabled missing on the lock-down',
      conns(certLockdown({ Enabled: undefined })),
      'unknown',
      'Enabled = (not exported)',
    ],
  ])('%s', (_n, input, status, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe(status);
    expect(evidenceText(out)).toContain(evidence);
  });

  test('fail: a subset leaves the onmicrosoft.com domains open, each listed', () => {
    const out = run(check, conns(certLockdown({ AssociatedAcceptedDomains: ['Contoso.com'] })));
    expect(out.status).toBe('fail');
    const text = evidenceText(out);
    expect(text).toContain(
      "connector 'From Secure Email Gateway': AssociatedAcceptedDomains = [contoso.com]",
    );
    expect(text).toContain('accepted domain contoso.onmicrosoft.com is not in');
    expect(text).toContain('accepted domain contoso.mail.onmicrosoft.com is not in');
    expect(text).not.toContain('accepted domain contoso.com is not in');
    expect(out.remediation?.powershell).toContain(
      "Set-InboundConnector -Identity 'From Secure Email Gateway' -AssociatedAcceptedDomains $null",
    );
  });

  test('unknown when accepted domains were not exported and the connector is scoped', () => {
    const h = conns(certLockdown({ AssociatedAcceptedDomains: ['contoso.com'] }));
    delete h.data?.['Get-AcceptedDomain'];
    const out = run(check, h);
    expect(out.status).toBe('unknown');
    expect(evidenceText(out)).toContain('Get-AcceptedDomain.json was not exported');
  });
});
