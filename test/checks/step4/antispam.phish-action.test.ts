import { expect, test } from 'vitest';
import { check } from '../../../src/checks/step4/antispam.phish-action.js';
import { customPolicy, evidenceText, run, type CtxOptions } from '../ctx4.js';

const DEF = "anti-spam policy 'Default'";
const cf = (props: Record<string, unknown>): CtxOptions => ({
  patch: { 'Get-HostedContentFilterPolicy': { props } },
});

test.each<[string, CtxOptions, string, string]>([
  ['pass: Quarantine', {}, 'pass', `${DEF}: PhishSpamAction = Quarantine`],
  [
    'pass: Delete keeps it from the user',
    cf({ PhishSpamAction: 'Delete' }),
    'pass',
    `${DEF}: PhishSpamAction = Delete`,
  ],
  [
    "warn: MoveToJmf (the default policy's value)",
    cf({ PhishSpamAction: 'MoveToJmf' }),
    'warn',
    `${DEF}: PhishSpamAction = MoveToJmf (phishing lands in the Junk folder`,
  ],
  [
    'fail: AddXHeader delivers to the inbox',
    cf({ PhishSpamAction: 'AddXHeader' }),
    'fail',
    `${DEF}: PhishSpamAction = AddXHeader (phishing is delivered to the inbox, only tagged`,
  ],
  [
    'fail: ModifySubject, in another case',
    cf({ PhishSpamAction: 'modifysubject' }),
    'fail',
    `${DEF}: PhishSpamAction = ModifySubject`,
  ],
  [
    'warn: a custom policy delivering to the inbox applies to its recipients only',
    {
      patch: {
        'Get-HostedContentFilterPolicy': customPolicy('Get-HostedContentFilterPolicy', 'Sales', {
          PhishSpamAction: 'AddXHeader',
        }),
      },
    },
    'warn',
    "custom anti-spam policy 'Sales': PhishSpamAction = AddXHeader",
  ],
  [
    'unknown: an integer enum (the portal API form) is not guessed',
    cf({ PhishSpamAction: 3 }),
    'unknown',
    `${DEF}: PhishSpamAction = #3 is not a value Set-HostedContentFilterPolicy documents`,
  ],
  [
    'unknown: property absent',
    cf({ PhishSpamAction: undefined }),
    'unknown',
    `${DEF}: PhishSpamAction is absent from the export`,
  ],
  [
    'unknown: file missing',
    { omit: ['Get-HostedContentFilterPolicy'] },
    'unknown',
    'Get-HostedContentFilterPolicy.json was not exported',
  ],
])('%s', (_n, opts, status, line) => {
  const out = run(check, opts);
  expect(out.status).toBe(status);
  expect(evidenceText(out)).toContain(line);
});

test('remediation sets Quarantine on each flagged policy, quoted', () => {
  const out = run(check, {
    patch: {
      'Get-HostedContentFilterPolicy': [
        { props: { PhishSpamAction: 'MoveToJmf' } },
        customPolicy('Get-HostedContentFilterPolicy', "Sales'", { PhishSpamAction: 'NoAction' }),
      ],
    },
  });
  expect(out.remediation?.powershell.split('\n')).toEqual([
    "Set-HostedContentFilterPolicy -Identity 'Default' -PhishSpamAction Quarantine",
    "Set-HostedContentFilterPolicy -Identity 'Sales''' -PhishSpamAction Quarantine",
  ]);
});
