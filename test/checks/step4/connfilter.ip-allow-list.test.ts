import { expect, test } from 'vitest';
import { check } from '../../../src/checks/step4/connfilter.ip-allow-list.js';
import { customPolicy, evidenceText, run, type CtxOptions } from '../ctx4.js';

const DEF = "connection filter policy 'Default'";
const EF_HINT = 'are gateway IPs: Enhanced Filtering on the gateway connector is the supported way';
const cf = (props: Record<string, unknown>): CtxOptions => ({
  patch: { 'Get-HostedConnectionFilterPolicy': { props } },
});

test.each<[string, CtxOptions, string, string]>([
  ['pass: empty', {}, 'pass', `${DEF}: IPAllowList is empty`],
  ['pass: null serialises as empty', cf({ IPAllowList: null }), 'pass', `${DEF}: IPAllowList is empty`],
  [
    'fail: any entry',
    cf({ IPAllowList: ['192.0.2.25'] }),
    'fail',
    `${DEF}: IPAllowList = 192.0.2.25 (mail from these IPs skips spam filtering, IPV:CAL`,
  ],
  [
    'warn: a custom policy with an entry',
    {
      patch: {
        'Get-HostedConnectionFilterPolicy': customPolicy('Get-HostedConnectionFilterPolicy', 'Legacy', {
          IPAllowList: ['192.0.2.0/24'],
        }),
      },
    },
    'warn',
    "custom connection filter policy 'Legacy': IPAllowList = 192.0.2.0/24",
  ],
  [
    'unknown: file missing',
    { omit: ['Get-HostedConnectionFilterPolicy'] },
    'unknown',
    'Get-HostedConnectionFilterPolicy.json was not exported',
  ],
  [
    'unknown: property missing',
    cf({ IPAllowList: undefined }),
    'unknown',
    `${DEF}: IPAllowList is absent from the export`,
  ],
])('%s', (_n, opts, status, line) => {
  const out = run(check, opts);
  expect(out.status).toBe(status);
  expect(out.evidence.some((e) => e.startsWith(line))).toBe(true);
});

test.each([
  [['203.0.113.10'], true],
  [['198.51.100.0/24'], true],
  [['198.51.100.16-198.51.100.20'], false],
  [['192.0.2.25'], false],
])('gateway entries %j explain Enhanced Filtering: %s', (list, hinted) => {
  const text = evidenceText(run(check, cf({ IPAllowList: list })));
  expect(text.includes(EF_HINT)).toBe(hinted);
});

test('no gateway: no Enhanced Filtering hint', () => {
  expect(evidenceText(run(check, { ...cf({ IPAllowList: ['203.0.113.10'] }), gateway: null }))).not.toContain(
    EF_HINT,
  );
});

test('remediation removes the entries', () => {
  expect(run(check, cf({ IPAllowList: ['192.0.2.25', '203.0.113.10'] })).remediation?.powershell).toBe(
    "Set-HostedConnectionFilterPolicy -Identity 'Default' -IPAllowList @{Remove='192.0.2.25','203.0.113.10'}",
  );
});
