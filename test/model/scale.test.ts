/**
 * Issue 10 item 6: tens of thousands of transport rules are evaluated in a loop, not a recursion per rule, and an
 * exploration cut short by the branch budget (MAX_BRANCHES) leaves a bounded number of outcomes, however many
 * undecided rules follow.
 */
import { describe, expect, test } from 'vitest';
import { simulate, simulateReference } from '../../src/model/simulate.js';
import type { Attempt, AuthVerdict } from '../../src/model/types.js';
import type { SnapshotObjects } from '../../src/snapshot/types.js';
import { baseData, configOf, DNS_MX_SEG } from './helpers.js';

type Rule = Partial<SnapshotObjects['Get-TransportRule']>;
const TASKS = 'Microsoft.Exchange.MessagingPolicies.Rules.Tasks.';
const PASS: AuthVerdict = { spf: 'pass', dkim: 'pass', dmarc: 'pass', dmarcPolicy: 'reject', notes: [] };
const foreign: Attempt = {
  clientIp: '198.18.7.7',
  tls: true,
  certNames: [],
  mailFrom: 'x@sender.example',
  headerFrom: 'x@sender.example',
  rcpts: ['user@contoso.com'],
  adversarial: true,
  auth: PASS,
};

/** `n` rules on external mail at priorities 0..n-1: `mode` Audit, or Enforce with an action that lets it go on. */
function externalRules(n: number, mode: 'Audit' | 'Enforce'): Rule[] {
  return Array.from({ length: n }, (_, i) => ({
    Name: `tag ${i}`,
    Priority: i,
    State: 'Enabled',
    Mode: mode,
    Conditions: [`${TASKS}FromScopePredicate`],
    FromScope: 'NotInOrganization',
    Actions: [`${TASKS}SetHeaderAction`],
  }));
}

/** `n` rules whose condition the model does not evaluate (SubjectContainsWords): each match is undecided. */
function undecidedRules(n: number): Rule[] {
  return Array.from({ length: n }, (_, i) => ({
    Name: `subject ${i}`,
    Priority: i,
    State: 'Enabled',
    Mode: 'Enforce',
    Conditions: [`${TASKS}SubjectContainsWordsPredicate`],
    Actions: [`${TASKS}PrependSubjectAction`],
  }));
}

function configWith(rules: Rule[]) {
  const d = baseData();
  d['Get-TransportRule'] = rules;
  return configOf(d, { dns: DNS_MX_SEG });
}

describe('many transport rules (issue 10 item 6)', () => {
  test.each(['Audit', 'Enforce'] as const)(
    '20,000 %s rules that let the message go on: every one is on its trail, none overflows the stack',
    (mode) => {
      const cfg = configWith(externalRules(20_000, mode));
      const none = simulate(configWith([]), foreign);
      const r = simulate(cfg, foreign);
      expect(r.outcomes.map((o) => o.disposition)).toEqual(none.outcomes.map((o) => o.disposition));
      const texts = r.outcomes[0]!.decisions.map((d) => d.text).join('\n');
      expect(texts).toContain("'tag 0'");
      expect(texts).toContain("'tag 19999'");
      expect(simulateReference(cfg, foreign)).toEqual(r);
    },
  );

  test('past the branch budget, the outcomes stop growing with the number of undecided rules', () => {
    const counts = [80, 400, 4000].map((n) => {
      const cfg = configWith(undecidedRules(n));
      const r = simulate(cfg, foreign);
      expect(simulateReference(cfg, foreign)).toEqual(r);
      expect(r.uncertainties).toContain('too many undecided transport rules to explore every combination');
      // What was not explored stands as an NDR, never as nothing.
      expect(r.outcomes.some((o) => o.disposition === 'ndr')).toBe(true);
      return r.outcomes.length;
    });
    expect(new Set(counts).size).toBe(1);
  });
});
