import { describe, expect, test } from 'vitest';
import { check } from '../../../src/checks/step3/rule.scl-bypass.js';
import type { SnapshotObjects } from '../../../src/snapshot/types.js';
import { evidenceText, run, type ContextInput } from '../helpers.js';
import { GATEWAY_IPS, hardened, safetyNetRule, taggingRule } from '../../fixtures/checks/seg-tenant.js';

type Rule = Partial<SnapshotObjects['Get-TransportRule']>;
const bypass = (over: Rule): ContextInput =>
  hardened({
    data: {
      'Get-TransportRule': [
        safetyNetRule(),
        taggingRule({ Name: 'Bypass for SEG', FromScope: undefined, SetSCL: -1, ...over }),
      ],
    },
  });

describe('rule.scl-bypass', () => {
  test.each<[string, ContextInput, string, string]>([
    ['no SCL -1 rule', hardened(), 'pass', 'no other SCL -1 rule'],
    [
      'only an own-domain unguarded bypass (the spoofable check reports it)',
      bypass({ SenderDomainIs: ['contoso.com'] }),
      'pass',
      'no other SCL -1 rule',
    ],
    [
      'SCL -1 on the gateway IPs',
      bypass({ SenderIpRanges: [...GATEWAY_IPS] }),
      'fail',
      'keyed on the gateway IPs (SenderIpRanges [203.0.113.10, 203.0.113.11, 198.51.100.0/28]): gateway IPs are shared among its customers',
    ],
    [
      'SCL -1 on a partner domain',
      bypass({ SenderDomainIs: ['fabrikam.com'] }),
      'fail',
      "rule 'Bypass for SEG': SetSCL = -1 (State = Enabled, Mode = Enforce): mail matching it skips spam, phish and bulk filtering",
    ],
    [
      'an own-domain bypass guarded by IPs (not spoofable, still a bypass)',
      bypass({ SenderDomainIs: ['contoso.com'], SenderIpRanges: ['192.0.2.0/24'] }),
      'fail',
      'skips spam, phish and bulk filtering',
    ],
    ['disabled', bypass({ SenderIpRanges: [...GATEWAY_IPS], State: 'Disabled' }), 'info', 'not enforced now'],
    [
      'State unreadable',
      bypass({ SenderIpRanges: [...GATEWAY_IPS], State: undefined }),
      'unknown',
      'State = (not exported)',
    ],
  ])('%s', (_n, input, status, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe(status);
    expect(evidenceText(out)).toContain(evidence);
  });

  test('remediation removes the rule after Enhanced Filtering is in place', () => {
    const ps = run(check, bypass({ SenderIpRanges: [...GATEWAY_IPS] })).remediation?.powershell ?? '';
    expect(ps.indexOf('Enhanced Filtering')).toBeLessThan(ps.indexOf('Remove-TransportRule'));
    expect(ps).toContain("Remove-TransportRule -Identity 'Bypass for SEG'");
  });

  test('without accepted domains, own-domain bypasses are reported here too', () => {
    const h = bypass({ SenderDomainIs: ['contoso.com'] });
    delete h.data?.['Get-AcceptedDomain'];
    const out = run(check, h);
    expect(out.status).toBe('fail');
    expect(evidenceText(out)).toContain('Get-AcceptedDomain.json was not exported');
  });

  test('unknown when Get-TransportRule was not exported', () => {
    const h = hardened();
    delete h.data?.['Get-TransportRule'];
    expect(run(check, h).status).toBe('unknown');
  });
});

test('rule.scl-bypass: unknown when a rule lists the SetSCL action without its value', () => {
  const out = run(
    check,
    bypass({
      SetSCL: undefined,
      SenderIpRanges: [...GATEWAY_IPS],
      Actions: ['Microsoft.Exchange.MessagingPolicies.Rules.Tasks.SetSclAction'],
    }),
  );
  expect(out.status).toBe('unknown');
  expect(evidenceText(out)).toContain('SetSclAction listed in Actions but SetSCL is not in the export');
});
