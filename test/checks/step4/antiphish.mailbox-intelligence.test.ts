import { expect, test } from 'vitest';
import { check } from '../../../src/checks/step4/antiphish.mailbox-intelligence.js';
import { customPolicy, run, type CtxOptions } from '../ctx4.js';

const DEF = "anti-phish policy 'Office365 AntiPhish Default'";

test.each<[string, CtxOptions, string, string]>([
  ['pass', {}, 'pass', `${DEF}: EnableMailboxIntelligenceProtection = true`],
  [
    'fail: mailbox intelligence off',
    { patch: { 'Get-AntiPhishPolicy': { props: { EnableMailboxIntelligence: false } } } },
    'fail',
    `${DEF}: EnableMailboxIntelligence = false`,
  ],
  [
    'fail: its impersonation protection off',
    { patch: { 'Get-AntiPhishPolicy': { props: { EnableMailboxIntelligenceProtection: false } } } },
    'fail',
    `${DEF}: EnableMailboxIntelligenceProtection = false`,
  ],
  [
    'warn: custom policy off',
    {
      patch: {
        'Get-AntiPhishPolicy': customPolicy('Get-AntiPhishPolicy', 'Exec', {
          EnableMailboxIntelligenceProtection: false,
        }),
      },
    },
    'warn',
    "custom anti-phish policy 'Exec': EnableMailboxIntelligenceProtection = false",
  ],
  [
    'unknown: EOP-only tenant (MDO properties absent)',
    {
      patch: {
        'Get-AntiPhishPolicy': {
          props: { EnableMailboxIntelligence: undefined, EnableMailboxIntelligenceProtection: undefined },
        },
      },
    },
    'unknown',
    `${DEF}: EnableMailboxIntelligence is absent from the export (Defender for Office 365 property`,
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
  expect(out.evidence.some((e) => e.startsWith(line))).toBe(true);
});

test('remediation turns both on', () => {
  expect(
    run(check, { patch: { 'Get-AntiPhishPolicy': { props: { EnableMailboxIntelligence: false } } } })
      .remediation?.powershell,
  ).toBe(
    "Set-AntiPhishPolicy -Identity 'Office365 AntiPhish Default' -EnableMailboxIntelligence $true -EnableMailboxIntelligenceProtection $true",
  );
});
