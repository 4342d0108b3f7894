import { expect, test } from 'vitest';
import { check } from '../../../src/checks/step4/antiphish.trusted-senders.js';
import { customPolicy, evidenceText, run, type CtxOptions } from '../ctx4.js';

const DEF = "anti-phish policy 'Office365 AntiPhish Default'";
const ap = (props: Record<string, unknown>): CtxOptions => ({
  patch: { 'Get-AntiPhishPolicy': { props } },
});

test.each<[string, CtxOptions, string, string | undefined, string]>([
  ['pass: both lists empty', {}, 'pass', undefined, `${DEF}: ExcludedSenders is empty`],
  [
    'fail + critical: own domain trusted',
    ap({ ExcludedDomains: ['Contoso.com'] }),
    'fail',
    'critical',
    `${DEF}: ExcludedDomains trusts own domain(s) contoso.com: mail with that From address, which anyone can forge, is never judged as user, domain or mailbox-intelligence impersonation`,
  ],
  [
    'fail + critical: own address trusted (PowerShell 5.1 {value,Count} list)',
    ap({ ExcludedSenders: { value: ['ceo@fabrikam.com'], Count: 1 } }),
    'fail',
    'critical',
    `${DEF}: ExcludedSenders trusts own address(s) ceo@fabrikam.com`,
  ],
  [
    'fail + critical: own domain in a custom policy (not downgraded)',
    {
      patch: {
        'Get-AntiPhishPolicy': customPolicy('Get-AntiPhishPolicy', 'Execs', {
          ExcludedDomains: ['contoso.com'],
        }),
      },
    },
    'fail',
    'critical',
    "custom anti-phish policy 'Execs': ExcludedDomains trusts own domain(s) contoso.com",
  ],
  [
    'warn: a foreign domain trusted',
    ap({ ExcludedDomains: ['partner.example'] }),
    'warn',
    undefined,
    `${DEF}: ExcludedDomains trusts partner.example (their mail skips the impersonation actions`,
  ],
  [
    'warn: a foreign sender trusted, as a single string',
    ap({ ExcludedSenders: 'bob@partner.example' }),
    'warn',
    undefined,
    `${DEF}: ExcludedSenders trusts bob@partner.example`,
  ],
  [
    'unknown: the file is missing',
    { omit: ['Get-AntiPhishPolicy'] },
    'unknown',
    undefined,
    'Get-AntiPhishPolicy.json was not exported',
  ],
  [
    'unknown, not fail: the property is absent (EOP-only tenant)',
    ap({ ExcludedDomains: undefined }),
    'unknown',
    undefined,
    `${DEF}: ExcludedDomains is absent from the export (Defender for Office 365 property`,
  ],
])('%s', (_n, opts, status, severity, line) => {
  const out = run(check, opts);
  expect(out.status).toBe(status);
  expect(out.severity).toBe(severity);
  expect(out.evidence.some((e) => e.startsWith(line))).toBe(true);
});

test('without accepted domains a trusted entry cannot be cleared of being own', () => {
  const out = run(check, { ...ap({ ExcludedDomains: ['contoso.com'] }), omit: ['Get-AcceptedDomain'] });
  expect(out.status).toBe('warn');
  expect(evidenceText(out)).toContain('Get-AcceptedDomain.json was not exported, so ExcludedDomains entries');
});

test('a preset policy is reported, with where to change it, not failed', () => {
  const out = run(check, {
    patch: {
      'Get-AntiPhishPolicy': customPolicy(
        'Get-AntiPhishPolicy',
        'Standard Preset Security Policy1700000000000',
        {
          RecommendedPolicyType: 'Standard',
          ExcludedDomains: ['contoso.com'],
        },
      ),
    },
  });
  expect(out.status).toBe('warn');
  expect(evidenceText(out)).toContain(
    'Preset security policies → Manage protection settings → Trusted senders and domains',
  );
  expect(out.remediation).toBeUndefined();
});

test('remediation removes the entries of each flagged policy, quoted', () => {
  const out = run(check, ap({ ExcludedDomains: ['contoso.com', "o'partner.example"], ExcludedSenders: [] }));
  expect(out.remediation?.powershell).toBe(
    "Set-AntiPhishPolicy -Identity 'Office365 AntiPhish Default' -ExcludedDomains @{Remove='contoso.com','o''partner.example'}",
  );
  expect(out.remediation?.portal).toContain('Trusted senders and domains');
});
