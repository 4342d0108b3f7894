import { expect, test } from 'vitest';
import { check } from '../../../src/checks/step4/antispam.thresholds.js';
import { customPolicy, run, type CtxOptions } from '../ctx4.js';

const DEF = "anti-spam policy 'Default'";
const cf = (props: Record<string, unknown>): CtxOptions => ({
  patch: { 'Get-HostedContentFilterPolicy': { props } },
});

test.each<[string, CtxOptions, string, string]>([
  ['pass', {}, 'pass', `${DEF}: BulkThreshold = 6`],
  ['pass: BCL 4', cf({ BulkThreshold: 4 }), 'pass', `${DEF}: BulkThreshold = 4`],
  ['fail: BCL 7 (Microsoft default)', cf({ BulkThreshold: 7 }), 'fail', `${DEF}: BulkThreshold = 7`],
  ['fail: BCL as a string "9"', cf({ BulkThreshold: '9' }), 'fail', `${DEF}: BulkThreshold = 9`],
  [
    'warn: SpamAction MoveToJmf',
    cf({ SpamAction: 'MoveToJmf' }),
    'warn',
    `${DEF}: SpamAction = MoveToJmf (the guide asks for Quarantine)`,
  ],
  [
    'fail: HighConfidencePhishAction Redirect',
    cf({ HighConfidencePhishAction: 'Redirect' }),
    'fail',
    `${DEF}: HighConfidencePhishAction = Redirect`,
  ],
  [
    'fail: HighConfidencePhishAction MoveToJmf',
    cf({ HighConfidencePhishAction: 'MoveToJmf' }),
    'fail',
    `${DEF}: HighConfidencePhishAction = MoveToJmf`,
  ],
  [
    'warn: HighConfidenceSpamAction MoveToJmf',
    cf({ HighConfidenceSpamAction: 'MoveToJmf' }),
    'warn',
    `${DEF}: HighConfidenceSpamAction = MoveToJmf`,
  ],
  [
    'pass: HighConfidenceSpamAction Delete is not weaker than the guide',
    cf({ HighConfidenceSpamAction: 'Delete' }),
    'pass',
    `${DEF}: HighConfidenceSpamAction = Delete`,
  ],
  [
    'warn: a custom policy with BCL 8',
    {
      patch: {
        'Get-HostedContentFilterPolicy': customPolicy('Get-HostedContentFilterPolicy', 'Marketing', {
          BulkThreshold: 8,
        }),
      },
    },
    'warn',
    "custom anti-spam policy 'Marketing': BulkThreshold = 8",
  ],
  [
    'unknown: file missing',
    { omit: ['Get-HostedContentFilterPolicy'] },
    'unknown',
    'Get-HostedContentFilterPolicy.json was not exported',
  ],
  [
    'unknown: BulkThreshold missing',
    cf({ BulkThreshold: undefined }),
    'unknown',
    `${DEF}: BulkThreshold is absent from the export`,
  ],
  [
    'unknown: HighConfidencePhishAction missing',
    cf({ HighConfidencePhishAction: undefined }),
    'unknown',
    `${DEF}: HighConfidencePhishAction is absent from the export`,
  ],
  [
    'unknown: unmapped integer enum',
    cf({ SpamAction: 3 }),
    'unknown',
    `${DEF}: SpamAction = #3 is not a value`,
  ],
])('%s', (_n, opts, status, line) => {
  const out = run(check, opts);
  expect(out.status).toBe(status);
  expect(out.evidence.some((e) => e.startsWith(line))).toBe(true);
});

test('fail outranks warn, and the remediation sets only what is weak', () => {
  const out = run(check, cf({ BulkThreshold: 7, SpamAction: 'MoveToJmf' }));
  expect(out.status).toBe('fail');
  expect(out.remediation?.powershell).toBe(
    "Set-HostedContentFilterPolicy -Identity 'Default' -BulkThreshold 6 -SpamAction Quarantine",
  );
  expect(out.remediation?.portal).toContain('Threat policies → Anti-spam');
});

// AddXHeader and ModifySubject deliver high-confidence spam to the inbox (eop-model §6.4 [D] S32): weaker than Junk.
test.each(['AddXHeader', 'ModifySubject'])(
  'fail: HighConfidenceSpamAction %s delivers to the inbox, and the remediation quarantines it',
  (action) => {
    const out = run(check, cf({ HighConfidenceSpamAction: action }));
    expect(out.status).toBe('fail');
    expect(out.evidence).toContainEqual(expect.stringContaining(`HighConfidenceSpamAction = ${action}`));
    expect(out.remediation?.powershell).toContain('-HighConfidenceSpamAction Quarantine');
  },
);
