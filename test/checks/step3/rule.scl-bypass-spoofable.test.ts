import { describe, expect, test } from 'vitest';
import { check } from '../../../src/checks/step3/rule.scl-bypass-spoofable.js';
import type { SnapshotObjects } from '../../../src/snapshot/types.js';
import { evidenceText, run, type ContextInput } from '../helpers.js';
import { GATEWAY_IPS, hardened, safetyNetRule, taggingRule } from '../../fixtures/checks/seg-tenant.js';

type Rule = Partial<SnapshotObjects['Get-TransportRule']>;
const bypass = (over: Rule): ContextInput =>
  hardened({
    data: {
      'Get-TransportRule': [
        safetyNetRule(),
        taggingRule({ Name: 'Trust own domain', FromScope: undefined, SetSCL: -1, ...over }),
      ],
    },
  });

describe('rule.scl-bypass-spoofable', () => {
  test.each<[string, ContextInput, string]>([
    ['no SCL -1 rule', hardened(), 'none sets SCL -1'],
    [
      'own domain guarded by SenderIpRanges',
      bypass({ SenderDomainIs: ['contoso.com'], SenderIpRanges: [...GATEWAY_IPS] }),
      'none keyed on own sender domains without a guard',
    ],
    [
      'own domain guarded by an Authentication-Results exception',
      bypass({
        SenderDomainIs: ['contoso.com'],
        ExceptIfHeaderContainsMessageHeader: 'authentication-results',
        ExceptIfHeaderContainsWords: ['dmarc=fail'],
      }),
      'none keyed',
    ],
    [
      'own domain guarded by an Authentication-Results condition',
      bypass({
        From: ['ceo@contoso.com'],
        HeaderMatchesMessageHeader: 'Authentication-Results',
        HeaderMatchesPatterns: ['dmarc=pass'],
      }),
      'none keyed',
    ],
    [
      'a foreign sender domain (rule.scl-bypass reports it)',
      bypass({ SenderDomainIs: ['fabrikam.com'] }),
      'none keyed',
    ],
  ])('pass: %s', (_n, input, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe('pass');
    expect(evidenceText(out)).toContain(evidence);
  });

  test.each<[string, ContextInput, string]>([
    [
      'SenderDomainIs an accepted domain',
      bypass({ SenderDomainIs: ['Contoso.com'] }),
      "SetSCL = -1 on SenderDomainIs 'contoso.com'",
    ],
    [
      'SenderDomainIs a parent of an accepted domain',
      bypass({ SenderDomainIs: ['onmicrosoft.com'] }),
      "SenderDomainIs 'onmicrosoft.com'",
    ],
    ['From an own address', bypass({ From: ['CEO@contoso.com'] }), "From 'ceo@contoso.com'"],
    [
      'FromAddressContainsWords with the domain',
      bypass({ FromAddressContainsWords: ['@contoso.com'] }),
      "FromAddressContainsWords '@contoso.com'",
    ],
    [
      'FromAddressMatchesPatterns with an escaped domain',
      bypass({ FromAddressMatchesPatterns: ['@contoso\\.com$'] }),
      "FromAddressMatchesPatterns '@contoso\\.com$'",
    ],
  ])('fail: %s', (_n, input, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe('fail');
    expect(out.severity).toBeUndefined();
    const text = evidenceText(out);
    expect(text).toContain(evidence);
    expect(text).toContain('no SenderIpRanges and no Authentication-Results check');
    expect(out.remediation?.powershell).toContain("Remove-TransportRule -Identity 'Trust own domain'");
  });

  test.each<[string, ContextInput]>([
    ['disabled', bypass({ SenderDomainIs: ['contoso.com'], State: 'Disabled' })],
    ['audit mode', bypass({ SenderDomainIs: ['contoso.com'], Mode: 'Audit' })],
  ])('info: %s', (_n, input) => {
    const out = run(check, input);
    expect(out.status).toBe('info');
    expect(evidenceText(out)).toContain('dangerous if re-enabled');
  });

  test('unknown when State is not readable', () => {
    expect(run(check, bypass({ SenderDomainIs: ['contoso.com'], State: undefined })).status).toBe('unknown');
  });

  test('unknown when accepted domains were not exported', () => {
    const h = bypass({ SenderDomainIs: ['contoso.com'] });
    delete h.data?.['Get-AcceptedDomain'];
    const out = run(check, h);
    expect(out.status).toBe('unknown');
    expect(evidenceText(out)).toContain('Get-AcceptedDomain.json was not exported');
  });

  test('unknown when Get-TransportRule was not exported', () => {
    const h = hardened();
    delete h.data?.['Get-TransportRule'];
    expect(run(check, h).status).toBe('unknown');
  });
});

describe('rule.scl-bypass-spoofable: data the ORCA predicate misses', () => {
  test.each<[string, ContextInput, string]>([
    [
      'a From header condition naming an own domain',
      bypass({ HeaderMatchesMessageHeader: 'From', HeaderMatchesPatterns: ['@contoso\\.com'] }),
      "HeaderMatchesMessageHeader 'From' [@contoso\\.com]",
    ],
    [
      'a Return-Path header word condition naming an own domain',
      bypass({ HeaderContainsMessageHeader: 'Return-Path', HeaderContainsWords: ['contoso.com'] }),
      "HeaderContainsMessageHeader 'Return-Path' [contoso.com]",
    ],
  ])('fail: %s', (_n, input, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe('fail');
    expect(evidenceText(out)).toContain(evidence);
  });

  test('unknown when the rule lists the SetSCL action but the SCL value was not exported', () => {
    const out = run(
      check,
      bypass({
        SetSCL: undefined,
        SenderDomainIs: ['contoso.com'],
        Actions: ['Microsoft.Exchange.MessagingPolicies.Rules.Tasks.SetSclAction'],
      }),
    );
    expect(out.status).toBe('unknown');
    expect(evidenceText(out)).toContain('SetSclAction listed in Actions but SetSCL is not in the export');
  });
});
