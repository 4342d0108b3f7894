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
