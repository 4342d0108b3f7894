import { expect, test } from 'vitest';
import { check } from '../../../src/checks/step5/ef.scope.js';
import { run, type CtxOptions } from '../ctx4.js';

const C = "inbound connector 'From Secure Email Gateway'";
const ef = (props: Record<string, unknown>): CtxOptions => ({ patch: { 'Get-InboundConnector': { props } } });

test.each<[string, CtxOptions, string, string]>([
  ['pass: whole organisation', {}, 'pass', `${C}: EFUsers is empty and EFTestMode = false`],
  [
    'warn: EFUsers pilot',
    ef({ EFUsers: ['Pilot@contoso.com'] }),
    'warn',
    `${C}: EFUsers = pilot@contoso.com (pilot: EF applies only to messages whose every recipient is listed`,
  ],
  ['warn: test mode', ef({ EFTestMode: true }), 'warn', `${C}: EFTestMode = true`],
  [
    'not-applicable: EF off',
    ef({ EFSkipIPs: [] }),
    'not-applicable',
    `${C}: Enhanced Filtering is off (see ef.configured)`,
  ],
  ['not-applicable: no gateway', { gateway: null }, 'not-applicable', 'no gateway'],
  [
    'not-applicable: no gateway connector',
    ef({ Enabled: false }),
    'not-applicable',
    'no enabled Partner connector',
  ],
  [
    'unknown: connectors not exported',
    { omit: ['Get-InboundConnector'] },
    'unknown',
    'Get-InboundConnector.json was not exported',
  ],
  [
    'unknown: EFUsers/EFTestMode absent',
    ef({ EFUsers: undefined, EFTestMode: undefined }),
    'unknown',
    `${C}: EFUsers, EFTestMode absent from the export`,
  ],
])('%s', (_n, opts, status, line) => {
  const out = run(check, opts);
  expect(out.status).toBe(status);
  expect(out.evidence.some((e) => e.startsWith(line))).toBe(true);
});

test.each<[string, Parameters<typeof ef>[0], string[]]>([
  [
    'a pilot list only: EFUsers cleared, the reserved parameter left alone',
    { EFUsers: ['a@contoso.com'] },
    ["Set-InboundConnector -Identity 'From Secure Email Gateway' -EFUsers $null"],
  ],
  [
    'test mode only: the reserved parameter, marked as such',
    { EFTestMode: true },
    [
      '# EFTestMode is documented as reserved for internal Microsoft use: prefer the portal (Enhanced Filtering → Apply to entire organization); if it stays on:',
      "Set-InboundConnector -Identity 'From Secure Email Gateway' -EFTestMode $false",
    ],
  ],
  [
    'both',
    { EFUsers: ['a@contoso.com'], EFTestMode: true },
    [
      "Set-InboundConnector -Identity 'From Secure Email Gateway' -EFUsers $null",
      '# EFTestMode is documented as reserved for internal Microsoft use: prefer the portal (Enhanced Filtering → Apply to entire organization); if it stays on:',
      "Set-InboundConnector -Identity 'From Secure Email Gateway' -EFTestMode $false",
    ],
  ],
])('remediation changes only what is wrong: %s', (_n, over, lines) => {
  expect(run(check, ef(over)).remediation?.powershell).toBe(lines.join('\n'));
});
