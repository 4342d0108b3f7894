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

test('every connector that carries the gateway mail is checked, not only the best-ranked one', () => {
  // Two regions of the gateway, each delivering through its own connector (CON-1 [D]: matched by IP).
  const out = run(check, {
    patch: {
      'Get-InboundConnector': [
        {
          props: {
            SenderIPAddresses: ['203.0.113.10', '203.0.113.11'],
            EFSkipIPs: ['203.0.113.10', '203.0.113.11'],
          },
        },
        {
          index: 2,
          props: {
            Name: 'SEG US',
            Identity: 'SEG US',
            Enabled: true,
            ConnectorType: 'Partner',
            SenderDomains: ['smtp:*;1'],
            SenderIPAddresses: ['198.51.100.0/28'],
            RestrictDomainsToIPAddresses: true,
            RestrictDomainsToCertificate: false,
            EFSkipIPs: ['198.51.100.0/28'],
            EFSkipLastIP: false,
            EFUsers: ['pilot@contoso.com'],
            EFTestMode: false,
          },
        },
      ],
    },
  });
  expect(out.status).toBe('warn');
  expect(out.evidence).toContain(
    `${C}: EFUsers is empty and EFTestMode = false (EF applies to every recipient)`,
  );
  expect(
    out.evidence.some((e) => e.startsWith("inbound connector 'SEG US': EFUsers = pilot@contoso.com")),
  ).toBe(true);
  expect(out.remediation?.powershell).toBe("Set-InboundConnector -Identity 'SEG US' -EFUsers $null");
});
