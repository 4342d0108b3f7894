import { expect, test } from 'vitest';
import { check } from '../../../src/checks/step4/antiphish.unauthenticated-action.js';
import { customPolicy, run, type CtxOptions } from '../ctx4.js';

const DEF = "anti-phish policy 'Office365 AntiPhish Default'";

test.each<[string, CtxOptions, string, string]>([
  ['pass: Quarantine', {}, 'pass', `${DEF}: AuthenticationFailAction = Quarantine`],
  [
    'pass: any casing',
    { patch: { 'Get-AntiPhishPolicy': { props: { AuthenticationFailAction: 'quarantine' } } } },
    'pass',
    `${DEF}: AuthenticationFailAction = Quarantine`,
  ],
  [
    'fail: MoveToJmf (Microsoft default)',
    { patch: { 'Get-AntiPhishPolicy': { props: { AuthenticationFailAction: 'MoveToJmf' } } } },
    'fail',
    `${DEF}: AuthenticationFailAction = MoveToJmf`,
  ],
  [
    'warn: custom MoveToJmf',
    {
      patch: {
        'Get-AntiPhishPolicy': customPolicy('Get-AntiPhishPolicy', 'Exec', {
          AuthenticationFailAction: 'MoveToJmf',
        }),
      },
    },
    'warn',
    "custom anti-phish policy 'Exec': AuthenticationFailAction = MoveToJmf",
  ],
  [
    'unknown: integer enum the reader cannot map',
    { patch: { 'Get-AntiPhishPolicy': { props: { AuthenticationFailAction: 1 } } } },
    'unknown',
    `${DEF}: AuthenticationFailAction = #1 is not a value`,
  ],
  [
    'unknown: file missing',
    { omit: ['Get-AntiPhishPolicy'] },
    'unknown',
    'Get-AntiPhishPolicy.json was not exported',
  ],
  [
    'unknown: property missing',
    { patch: { 'Get-AntiPhishPolicy': { props: { AuthenticationFailAction: undefined } } } },
    'unknown',
    `${DEF}: AuthenticationFailAction is absent from the export`,
  ],
])('%s', (_n, opts, status, line) => {
  const out = run(check, opts);
  expect(out.status).toBe(status);
  expect(out.evidence.some((e) => e.startsWith(line))).toBe(true);
});

test('remediation sets Quarantine on the weak policy', () => {
  const out = run(check, {
    patch: { 'Get-AntiPhishPolicy': { props: { AuthenticationFailAction: 'MoveToJmf' } } },
  });
  expect(out.remediation?.powershell).toBe(
    "Set-AntiPhishPolicy -Identity 'Office365 AntiPhish Default' -AuthenticationFailAction Quarantine",
  );
});

test.each<[string, Record<string, unknown>, string]>([
  ['RecommendedPolicyType Standard', { RecommendedPolicyType: 'Standard' }, 'Exec'],
  [
    'the service-given name, RecommendedPolicyType not exported',
    {},
    'Standard Preset Security Policy1622548800000',
  ],
])(
  'a preset policy (%s) is reported as info and gets no Set-AntiPhishPolicy: Microsoft manages it',
  (_n, props, name) => {
    const out = run(check, {
      patch: {
        'Get-AntiPhishPolicy': customPolicy('Get-AntiPhishPolicy', name, {
          AuthenticationFailAction: 'MoveToJmf',
          ...props,
        }),
      },
    });
    expect(out.status).toBe('info');
    const line = out.evidence.find((e) => e.startsWith(`preset anti-phish policy '${name}'`));
    expect(line).toContain('AuthenticationFailAction = MoveToJmf');
    expect(line).toContain('Microsoft manages this setting, which cannot be changed');
    expect(out.remediation?.powershell ?? '').not.toContain(name);
  },
);

test('RecommendedPolicyType Custom is a custom policy whatever its name', () => {
  const out = run(check, {
    patch: {
      'Get-AntiPhishPolicy': customPolicy('Get-AntiPhishPolicy', 'Strict Preset Security Policy copy', {
        AuthenticationFailAction: 'MoveToJmf',
        RecommendedPolicyType: 'Custom',
      }),
    },
  });
  expect(out.status).toBe('warn');
  expect(out.remediation?.powershell).toContain("'Strict Preset Security Policy copy'");
});

test('a policy named like a preset but bound by a Get-AntiPhishRule is a custom policy', () => {
  const name = 'Strict Preset Security Policy - Finance (custom copy)';
  const out = run(check, {
    patch: {
      'Get-AntiPhishPolicy': customPolicy('Get-AntiPhishPolicy', name, {
        AuthenticationFailAction: 'MoveToJmf',
      }),
    },
    set: {
      'Get-AntiPhishRule': [
        {
          Name: 'Finance',
          AntiPhishPolicy: name,
          State: 'Enabled',
          Priority: 0,
          RecipientDomainIs: ['contoso.com'],
        },
      ],
    },
  });
  expect(out.status).toBe('warn');
  expect(out.evidence.some((e) => e.startsWith(`custom anti-phish policy '${name}'`))).toBe(true);
  expect(out.remediation?.powershell).toContain(`'${name}'`);
});
