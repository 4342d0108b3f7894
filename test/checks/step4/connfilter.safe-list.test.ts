import { expect, test } from 'vitest';
import { check } from '../../../src/checks/step4/connfilter.safe-list.js';
import { customPolicy, run, type CtxOptions } from '../ctx4.js';

const DEF = "connection filter policy 'Default'";
const cf = (props: Record<string, unknown>): CtxOptions => ({
  patch: { 'Get-HostedConnectionFilterPolicy': { props } },
});

test.each<[string, CtxOptions, string, string]>([
  ['pass', {}, 'pass', `${DEF}: EnableSafeList = false`],
  ['fail', cf({ EnableSafeList: true }), 'fail', `${DEF}: EnableSafeList = true`],
  [
    'warn: custom policy',
    {
      patch: {
        'Get-HostedConnectionFilterPolicy': customPolicy('Get-HostedConnectionFilterPolicy', 'Legacy', {
          EnableSafeList: true,
        }),
      },
    },
    'warn',
    "custom connection filter policy 'Legacy': EnableSafeList = true",
  ],
  [
    'unknown: file missing',
    { omit: ['Get-HostedConnectionFilterPolicy'] },
    'unknown',
    'Get-HostedConnectionFilterPolicy.json was not exported',
  ],
  [
    'unknown: property missing',
    cf({ EnableSafeList: undefined }),
    'unknown',
    `${DEF}: EnableSafeList is absent from the export`,
  ],
])('%s', (_n, opts, status, line) => {
  const out = run(check, opts);
  expect(out.status).toBe(status);
  expect(out.evidence.some((e) => e.startsWith(line))).toBe(true);
});

test('remediation', () => {
  expect(run(check, cf({ EnableSafeList: true })).remediation?.powershell).toBe(
    "Set-HostedConnectionFilterPolicy -Identity 'Default' -EnableSafeList $false",
  );
});
