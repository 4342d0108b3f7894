import { describe, expect, test } from 'vitest';
import { check } from '../../../src/checks/step3/rule.safety-net-order.js';
import type { SnapshotObjects } from '../../../src/snapshot/types.js';
import { evidenceText, run, type ContextInput } from '../helpers.js';
import { GATEWAY_IPS, hardened, safetyNetRule, taggingRule } from '../../fixtures/checks/seg-tenant.js';

type Rule = Partial<SnapshotObjects['Get-TransportRule']>;
const rules = (...r: Rule[]): ContextInput => hardened({ data: { 'Get-TransportRule': r } });
const above = (over: Rule) =>
  rules(taggingRule({ Name: 'Above', Priority: 0, ...over }), safetyNetRule({ Priority: 1 }));

describe('rule.safety-net-order', () => {
  test.each<[string, ContextInput, string, string]>([
    [
      'the net is first',
      rules(safetyNetRule(), taggingRule({ SetSCL: -1 })),
      'pass',
      "rule 'BLOCK - Direct EOP Ingress (Bypass SEG)': Priority = 0",
    ],
    ['a harmless rule above', above({}), 'pass', 'Priority = 1'],
    [
      'SCL -1 above, keyed on gateway IPs only',
      above({ SetSCL: -1, SenderIpRanges: [...GATEWAY_IPS] }),
      'pass',
      'cannot match direct external mail',
    ],
    [
      'StopRuleProcessing above, internal senders only',
      above({ StopRuleProcessing: true, FromScope: 'InOrganization' }),
      'pass',
      'cannot match direct external mail (FromScope = InOrganization',
    ],
    [
      'SCL -1 above but disabled',
      above({ SetSCL: -1, State: 'Disabled' }),
      'pass',
      'does not act now, but would once enforced',
    ],
    [
      'SCL -1 above',
      above({ SetSCL: -1 }),
      'fail',
      "rule 'Above': Priority = 0 (above the safety net), SetSCL = -1",
    ],
    [
      'StopRuleProcessing above',
      above({ StopRuleProcessing: true }),
      'fail',
      'StopRuleProcessing = true (later rules do not run)',
    ],
    [
      'Quarantine above',
      above({ Quarantine: true }),
      'fail',
      'Quarantine = true (stops later rules, TR-2 [D])',
    ],
    [
      'SCL -1 above, State an unmapped integer',
      above({ SetSCL: -1, State: 1 as unknown as string }),
      'unknown',
      'cannot tell whether it acts',
    ],
    ['the net has no Priority', rules(safetyNetRule({ Priority: undefined })), 'unknown', 'Priority missing'],
    ['no safety net', rules(taggingRule()), 'not-applicable', 'no safety-net rule exists'],
  ])('%s', (_n, input, status, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe(status);
    expect(evidenceText(out)).toContain(evidence);
  });

  test('the first enforced net is judged when an audit-mode net sits above the bypass', () => {
    const input = rules(
      safetyNetRule({ Name: 'Pilot net', Priority: 0, Mode: 'AuditAndNotify' }),
      taggingRule({ Name: 'Bypass', Priority: 1, SetSCL: -1 }),
      safetyNetRule({ Priority: 2 }),
    );
    const out = run(check, input);
    expect(out.status).toBe('fail');
    expect(evidenceText(out)).toContain("rule 'Bypass': Priority = 1 (above the safety net)");
  });

  test('remediation moves the net to priority 0', () => {
    const out = run(check, above({ SetSCL: -1 }));
    expect(out.remediation?.powershell).toBe(
      "Set-TransportRule -Identity 'BLOCK - Direct EOP Ingress (Bypass SEG)' -Priority 0",
    );
  });
});
