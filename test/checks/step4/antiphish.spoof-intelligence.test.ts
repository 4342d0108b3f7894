import { expect, test } from 'vitest';
import { check } from '../../../src/checks/step4/antiphish.spoof-intelligence.js';
import { customPolicy, run, type CtxOptions } from '../ctx4.js';

const DEF = "anti-phish policy 'Office365 AntiPhish Default'";

test.each<[string, CtxOptions, string, string]>([
  ['pass', {}, 'pass', `${DEF}: EnableSpoofIntelligence = true`],
  [
    'pass: "True" string from a CSV-ish export',
    { patch: { 'Get-AntiPhishPolicy': { props: { EnableSpoofIntelligence: 'True' } } } },
    'pass',
    `${DEF}: EnableSpoofIntelligence = true`,
  ],
  [
    'fail: default off',
    { patch: { 'Get-AntiPhishPolicy': { props: { EnableSpoofIntelligence: false } } } },
    'fail',
    `${DEF}: EnableSpoofIntelligence = false`,
  ],
  [
    'warn: a custom policy off',
    {
      patch: {
        'Get-AntiPhishPolicy': customPolicy('Get-AntiPhishPolicy', 'Exec protection', {
          EnableSpoofIntelligence: false,
        }),
      },
    },
    'warn',
    "custom anti-phish policy 'Exec protection': EnableSpoofIntelligence = false",
  ],
  [
    'unknown: file missing',
    { omit: ['Get-AntiPhishPolicy'] },
    'unknown',
    'Get-AntiPhishPolicy.json was not exported',
  ],
  [
    'unknown: property missing',
    { patch: { 'Get-AntiPhishPolicy': { props: { EnableSpoofIntelligence: undefined } } } },
    'unknown',
    `${DEF}: EnableSpoofIntelligence is absent from the export`,
  ],
])('%s', (_n, opts, status, line) => {
  const out = run(check, opts);
  expect(out.status).toBe(status);
  expect(out.evidence.some((e) => e.startsWith(line))).toBe(true);
});

test('remediation names each weak policy, quoted', () => {
  const out = run(check, {
    patch: {
      'Get-AntiPhishPolicy': [
        { props: { EnableSpoofIntelligence: false } },
        customPolicy('Get-AntiPhishPolicy', "Sales' team", { EnableSpoofIntelligence: false }),
      ],
    },
  });
  expect(out.status).toBe('fail');
  expect(out.remediation?.powershell).toBe(
    "Set-AntiPhishPolicy -Identity 'Office365 AntiPhish Default' -EnableSpoofIntelligence $true\nSet-AntiPhishPolicy -Identity 'Sales'' team' -EnableSpoofIntelligence $true",
  );
  expect(out.remediation?.portal).toContain(
    'https://security.microsoft.com → Email & collaboration → Policies & rules → Threat policies → Anti-phishing',
  );
});

test('no tenant remediation on pass', () => {
  expect(run(check).remediation).toBeUndefined();
});
