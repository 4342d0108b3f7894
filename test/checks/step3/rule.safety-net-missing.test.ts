import { describe, expect, test } from 'vitest';
import { check } from '../../../src/checks/step3/rule.safety-net-missing.js';
import type { SnapshotObjects } from '../../../src/snapshot/types.js';
import { evidenceText, run, type ContextInput } from '../helpers.js';
import { hardened, safetyNetRule, taggingRule } from '../../fixtures/checks/seg-tenant.js';

type Rule = Partial<SnapshotObjects['Get-TransportRule']>;
const rules = (...r: Rule[]): ContextInput => hardened({ data: { 'Get-TransportRule': r } });
const noReject = { RejectMessageEnhancedStatusCode: undefined, RejectMessageReasonText: undefined };

describe('rule.safety-net-missing', () => {
  test.each<[string, ContextInput, string]>([
    [
      'the guide rule (reject)',
      rules(safetyNetRule(), taggingRule()),
      "rule 'BLOCK - Direct EOP Ingress (Bypass SEG)': FromScope = NotInOrganization, reject (5.7.1 Mail not delivered via SEG.)",
    ],
    ['a delete variant', rules(safetyNetRule({ ...noReject, DeleteMessage: true })), 'delete'],
    ['a quarantine variant', rules(safetyNetRule({ ...noReject, Quarantine: true })), 'quarantine'],
    [
      'a route-to-gateway variant',
      rules(safetyNetRule({ ...noReject, RouteMessageOutboundConnector: 'To SEG' })),
      "route to outbound connector 'To SEG'",
    ],
    [
      'no sender-scope condition at all',
      rules(safetyNetRule({ FromScope: undefined })),
      'FromScope = (none)',
    ],
    [
      'a disabled one still exists (mode is another check)',
      rules(safetyNetRule({ State: 'Disabled' })),
      'State = Disabled',
    ],
  ])('pass: %s', (_n, input, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe('pass');
    expect(evidenceText(out)).toContain(evidence);
  });

  test.each<[string, ContextInput, string]>([
    ['no transport rules', rules(), '0 transport rule(s)'],
    [
      'a reject rule without gateway exception',
      rules(safetyNetRule({ ExceptIfSenderIpRanges: [] })),
      'has no ExceptIfSenderIpRanges, so it is not a gateway safety net',
    ],
    [
      'a reject rule scoped to internal senders',
      rules(safetyNetRule({ FromScope: 'InOrganization' })),
      'FromScope = InOrganization: not scoped to external senders',
    ],
    [
      'an external rule that blocks nothing',
      rules(safetyNetRule(noReject), taggingRule()),
      '2 transport rule(s), none with',
    ],
  ])('fail: %s', (_n, input, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe('fail');
    expect(evidenceText(out)).toContain(evidence);
  });

  test('unknown when Get-TransportRule was not exported', () => {
    const h = hardened();
    delete h.data?.['Get-TransportRule'];
    expect(run(check, h)).toEqual({
      status: 'unknown',
      evidence: ['Get-TransportRule.json was not exported'],
    });
  });

  test('remediation: the guide rule in AuditAndNotify excepting gateway, hybrid and declared sources', () => {
    const out = run(check, {
      ...rules(),
      profile: {
        hybrid: { ips: ['192.0.2.10'] },
        directSendSources: [{ name: 'scanner', ips: ['192.0.2.50'], senders: ['s@contoso.com'] }],
      },
    });
    const ps = out.remediation?.powershell ?? '';
    expect(ps).toContain(
      "-ExceptIfSenderIpRanges '203.0.113.10','203.0.113.11','198.51.100.0/28','192.0.2.10','192.0.2.50'",
    );
    expect(ps).toContain('-FromScope NotInOrganization');
    expect(ps).toContain('-ExceptIfMessageTypeMatches Calendaring');
    expect(ps).toContain('-Mode AuditAndNotify');
    expect(ps).not.toContain('# replace');
  });
});
