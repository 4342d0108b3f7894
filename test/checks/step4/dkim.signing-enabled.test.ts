import { expect, test } from 'vitest';
import { check } from '../../../src/checks/step4/dkim.signing-enabled.js';
import { evidenceText, run, type CtxOptions } from '../ctx4.js';

const ONLY_CONTOSO: CtxOptions['set'] = {
  'Get-DkimSigningConfig': [{ Domain: 'contoso.com', Enabled: true, Status: 'Valid' }],
};

test.each<[string, CtxOptions, string, string[]]>([
  [
    'pass: every own domain signs, the initial domain may be absent',
    {},
    'pass',
    [
      "DKIM signing config 'contoso.com': Enabled = true, Status = Valid",
      "DKIM signing config 'fabrikam.com': Enabled = true, Status = Valid",
      "accepted domain 'contoso.onmicrosoft.com': no DKIM signing config, and the initial *.onmicrosoft.com domain signs by default (eop-model §6.7)",
    ],
  ],
  [
    'fail: a domain has no signing config',
    { set: ONLY_CONTOSO },
    'fail',
    ["accepted domain 'fabrikam.com': no DKIM signing config in Get-DkimSigningConfig"],
  ],
  [
    'fail: signing disabled',
    { patch: { 'Get-DkimSigningConfig': { index: 1, props: { Enabled: false } } } },
    'fail',
    ["DKIM signing config 'fabrikam.com': Enabled = false"],
  ],
  [
    'warn: enabled but Status not Valid',
    { patch: { 'Get-DkimSigningConfig': { props: { Status: 'CnameMissing' } } } },
    'warn',
    [
      "DKIM signing config 'contoso.com': Enabled = true but Status = CnameMissing (expected Valid: the selector CNAMEs are missing or wrong)",
    ],
  ],
  [
    'info: the gateway signs, so EOP not signing is not a gap (field-notes 11)',
    { set: ONLY_CONTOSO, gateway: { dkimSelectors: ['seg1'] } },
    'info',
    [
      "accepted domain 'fabrikam.com': no DKIM signing config in Get-DkimSigningConfig (the gateway signs outbound mail with selector(s) seg1, field-notes 11)",
    ],
  ],
  [
    'fail: the initial domain explicitly disabled',
    {
      patch: {
        'Get-DkimSigningConfig': {
          index: 2,
          props: { Domain: 'contoso.onmicrosoft.com', Enabled: false, Status: 'Valid' },
        },
      },
    },
    'fail',
    ["DKIM signing config 'contoso.onmicrosoft.com': Enabled = false"],
  ],
  [
    'unknown: Get-DkimSigningConfig not exported',
    { omit: ['Get-DkimSigningConfig'] },
    'unknown',
    ['Get-DkimSigningConfig.json was not exported'],
  ],
  [
    'unknown: Get-AcceptedDomain not exported',
    { omit: ['Get-AcceptedDomain'] },
    'unknown',
    ['Get-AcceptedDomain.json was not exported'],
  ],
  [
    'unknown: Enabled missing',
    { patch: { 'Get-DkimSigningConfig': { props: { Enabled: undefined } } } },
    'unknown',
    ["DKIM signing config 'contoso.com': Enabled is absent from the export"],
  ],
  [
    'unknown: Status missing',
    { patch: { 'Get-DkimSigningConfig': { props: { Status: undefined } } } },
    'unknown',
    ["DKIM signing config 'contoso.com': Status is absent from the export"],
  ],
  [
    'unknown: DomainType missing',
    { patch: { 'Get-AcceptedDomain': { index: 1, props: { DomainType: undefined } } } },
    'unknown',
    ["accepted domain 'fabrikam.com': DomainType is absent from the export"],
  ],
])('%s', (_name, opts, status, evidence) => {
  const out = run(check, opts);
  expect(out.status).toBe(status);
  for (const line of evidence) expect(out.evidence).toContain(line);
});

test('InternalRelay and the coexistence domain are not required to sign', () => {
  const text = evidenceText(run(check));
  expect(text).not.toContain('relay.contoso.net');
  expect(text).not.toContain('contoso.mail.onmicrosoft.com');
});

test('remediation is per domain and quoted', () => {
  const out = run(check, {
    set: {
      'Get-AcceptedDomain': [{ DomainName: "o'brien.example", DomainType: 'Authoritative', Default: true }],
      'Get-DkimSigningConfig': [],
    },
  });
  expect(out.status).toBe('fail');
  expect(out.remediation?.powershell).toContain(
    "New-DkimSigningConfig -DomainName 'o''brien.example' -Enabled $false",
  );
  expect(out.remediation?.powershell).toContain(
    "Set-DkimSigningConfig -Identity 'o''brien.example' -Enabled $true",
  );
  expect(out.remediation?.portal).toMatch(
    /^https:\/\/security\.microsoft\.com → Email & collaboration → Policies & rules → Threat policies → /,
  );
});

test('no remediation script when the gateway signs instead', () => {
  expect(run(check, { set: ONLY_CONTOSO, gateway: { dkimSelectors: ['seg1'] } }).remediation).toBeUndefined();
});

test('an unmapped DomainType is unknown, not silently skipped', () => {
  const out = run(check, { patch: { 'Get-AcceptedDomain': { index: 1, props: { DomainType: 7 } } } });
  expect(out.status).toBe('unknown');
  expect(out.evidence).toContain(
    "accepted domain 'fabrikam.com': DomainType = #7 is not a value Get-AcceptedDomain documents (Authoritative, InternalRelay, ExternalRelay)",
  );
});
