import { expect, test } from 'vitest';
import { check } from '../../../src/checks/step4/antiphish.org-domain-impersonation.js';
import { customPolicy, evidenceText, run, type CtxOptions } from '../ctx4.js';

const DEF = "anti-phish policy 'Office365 AntiPhish Default'";
const ap = (props: Record<string, unknown>): CtxOptions => ({
  patch: { 'Get-AntiPhishPolicy': { props } },
});

test.each<[string, CtxOptions, string, string]>([
  [
    'pass: on and quarantined',
    {},
    'pass',
    `${DEF}: EnableOrganizationDomainsProtection = true, TargetedDomainProtectionAction = Quarantine`,
  ],
  [
    'fail: off (the default)',
    ap({ EnableOrganizationDomainsProtection: false }),
    'fail',
    `${DEF}: EnableOrganizationDomainsProtection = false`,
  ],
  [
    'fail: off, as a PowerShell string',
    ap({ EnableOrganizationDomainsProtection: 'False' }),
    'fail',
    `${DEF}: EnableOrganizationDomainsProtection = false`,
  ],
  [
    'fail: on but NoAction',
    ap({ TargetedDomainProtectionAction: 'NoAction' }),
    'fail',
    "TargetedDomainProtectionAction = NoAction (impersonation is detected but the message still reaches the recipient's inbox)",
  ],
  [
    'warn: on but Junk',
    ap({ TargetedDomainProtectionAction: 'MoveToJmf' }),
    'warn',
    'TargetedDomainProtectionAction = MoveToJmf (impersonation lands in the Junk folder',
  ],
  [
    'warn: a custom policy with it off applies to its recipients only',
    {
      patch: {
        'Get-AntiPhishPolicy': customPolicy('Get-AntiPhishPolicy', 'Finance', {
          EnableOrganizationDomainsProtection: false,
        }),
      },
    },
    'warn',
    "custom anti-phish policy 'Finance': EnableOrganizationDomainsProtection = false",
  ],
  [
    'unknown, not fail: no Defender for Office 365 (property absent)',
    ap({ EnableOrganizationDomainsProtection: undefined }),
    'unknown',
    `${DEF}: EnableOrganizationDomainsProtection is absent from the export (Defender for Office 365 property: an EOP-only tenant does not have it)`,
  ],
  [
    'unknown: action absent',
    ap({ TargetedDomainProtectionAction: undefined }),
    'unknown',
    `${DEF}: TargetedDomainProtectionAction is absent from the export`,
  ],
  [
    'unknown: action an unmapped integer',
    ap({ TargetedDomainProtectionAction: 4 }),
    'unknown',
    'TargetedDomainProtectionAction = #4 is not a value Set-AntiPhishPolicy documents',
  ],
  [
    'unknown: file missing',
    { omit: ['Get-AntiPhishPolicy'] },
    'unknown',
    'Get-AntiPhishPolicy.json was not exported',
  ],
])('%s', (_n, opts, status, line) => {
  const out = run(check, opts);
  expect(out.status).toBe(status);
  expect(evidenceText(out)).toContain(line);
});

test('remediation turns it on and quarantines, per policy, quoted', () => {
  const out = run(check, {
    patch: {
      'Get-AntiPhishPolicy': [
        { props: { EnableOrganizationDomainsProtection: false, TargetedDomainProtectionAction: 'NoAction' } },
        customPolicy('Get-AntiPhishPolicy', "Finance's", { TargetedDomainProtectionAction: 'MoveToJmf' }),
      ],
    },
  });
  expect(out.remediation?.powershell.split('\n')).toEqual([
    "Set-AntiPhishPolicy -Identity 'Office365 AntiPhish Default' -EnableOrganizationDomainsProtection $true -TargetedDomainProtectionAction Quarantine",
    "Set-AntiPhishPolicy -Identity 'Finance''s' -TargetedDomainProtectionAction Quarantine",
  ]);
});
