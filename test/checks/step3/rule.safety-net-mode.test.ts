import { describe, expect, test } from 'vitest';
import { check } from '../../../src/checks/step3/rule.safety-net-mode.js';
import type { SnapshotObjects } from '../../../src/snapshot/types.js';
import { evidenceText, run, type ContextInput } from '../helpers.js';
import { hardened, safetyNetRule, taggingRule } from '../../fixtures/checks/seg-tenant.js';

type Rule = Partial<SnapshotObjects['Get-TransportRule']>;
const rules = (...r: Rule[]): ContextInput => hardened({ data: { 'Get-TransportRule': r } });

describe('rule.safety-net-mode', () => {
  test.each<[string, ContextInput, string, string]>([
    [
      'enabled and enforced',
      rules(safetyNetRule()),
      'pass',
      'State = Enabled, Mode = Enforce: acts on delivery',
    ],
    [
      'a disabled net beside an enforced one',
      rules(safetyNetRule(), safetyNetRule({ Name: 'Old net', Priority: 2, State: 'Disabled' })),
      'pass',
      'acts on delivery',
    ],
    [
      'disabled',
      rules(safetyNetRule({ State: 'Disabled' })),
      'fail',
      'a disabled rule does not run (TR-3 [D])',
    ],
    [
      'Audit',
      rules(safetyNetRule({ Mode: 'Audit' })),
      'fail',
      'audit mode does not affect delivery, TR-3 [D]',
    ],
    [
      'AuditAndNotify (the guide’s pilot mode)',
      rules(safetyNetRule({ Mode: 'AuditAndNotify' })),
      'fail',
      'Mode = AuditAndNotify: audit mode does not affect delivery, TR-3 [D]',
    ],
    [
      'Mode as an unmapped integer',
      rules(safetyNetRule({ Mode: 2 as unknown as string })),
      'unknown',
      'Mode = #2: value missing or unknown',
    ],
    ['State missing', rules(safetyNetRule({ State: undefined })), 'unknown', 'State = (not exported)'],
    ['no safety net', rules(taggingRule()), 'not-applicable', 'no safety-net rule exists'],
  ])('%s', (_n, input, status, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe(status);
    expect(evidenceText(out)).toContain(evidence);
  });

  test('remediation enables and enforces the named rule, quoted', () => {
    const out = run(
      check,
      rules(safetyNetRule({ Name: "Block 'direct'", State: 'Disabled', Mode: 'AuditAndNotify' })),
    );
    expect(out.remediation?.powershell).toContain("Enable-TransportRule -Identity 'Block ''direct'''");
    expect(out.remediation?.powershell).toContain(
      "Set-TransportRule -Identity 'Block ''direct''' -Mode Enforce",
    );
  });

  test('unknown when Get-TransportRule was not exported', () => {
    const h = hardened();
    delete h.data?.['Get-TransportRule'];
    expect(run(check, h).status).toBe('unknown');
  });
});

// ActivationDate/ExpiryDate bound when a rule acts (eop-model TR-3 [D]); a check has no clock, so it cannot say.
test.each<[string, Rule]>([
  ['an expiry date', { ExpiryDate: '2025-01-31T00:00:00Z' }],
  ['an activation date', { ActivationDate: '2027-01-01T00:00:00Z' }],
])('rule.safety-net-mode: an enforced net with %s is unknown, not pass', (_n, over) => {
  const out = run(check, rules(safetyNetRule(over)));
  expect(out.status).toBe('unknown');
  expect(evidenceText(out)).toMatch(
    /(ExpiryDate|ActivationDate) = 20\d\d-.*: whether it acts today depends on the date/,
  );
});
