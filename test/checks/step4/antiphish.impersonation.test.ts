import { expect, test } from 'vitest';
import { check, protectedAddress } from '../../../src/checks/step4/antiphish.impersonation.js';
import { customPolicy, run, type CtxOptions } from '../ctx4.js';

const DEF = "anti-phish policy 'Office365 AntiPhish Default'";
const MDO_ABSENT = {
  EnableTargetedUserProtection: undefined,
  TargetedUsersToProtect: undefined,
  TargetedUserProtectionAction: undefined,
};

test.each([
  ['Chief Executive;CEO@Contoso.com', 'ceo@contoso.com'],
  ['ceo@contoso.com', 'ceo@contoso.com'],
  ['Doe; Jane;jane@contoso.com ', 'jane@contoso.com'],
])('protectedAddress(%j) = %s', (entry, address) => {
  expect(protectedAddress(entry)).toBe(address);
});

test.each<[string, CtxOptions, string, string]>([
  [
    'pass: every protected user listed (address matched case-insensitively)',
    {},
    'pass',
    `${DEF}: EnableTargetedUserProtection = true, TargetedUserProtectionAction = Quarantine, TargetedUsersToProtect lists ceo@contoso.com, cfo@contoso.com`,
  ],
  [
    'fail: a protected user missing',
    { profile: { protectedUsers: ['ceo@contoso.com', 'hr@contoso.com'] } },
    'fail',
    `${DEF}: TargetedUsersToProtect lacks hr@contoso.com`,
  ],
  [
    'fail: protection disabled',
    { patch: { 'Get-AntiPhishPolicy': { props: { EnableTargetedUserProtection: false } } } },
    'fail',
    `${DEF}: EnableTargetedUserProtection = false`,
  ],
  [
    'fail: action NoAction',
    { patch: { 'Get-AntiPhishPolicy': { props: { TargetedUserProtectionAction: 'NoAction' } } } },
    'fail',
    `${DEF}: TargetedUserProtectionAction = NoAction`,
  ],
  [
    'warn: a custom policy lacks them',
    {
      patch: {
        'Get-AntiPhishPolicy': customPolicy('Get-AntiPhishPolicy', 'Sales', { TargetedUsersToProtect: [] }),
      },
    },
    'warn',
    "custom anti-phish policy 'Sales': TargetedUsersToProtect lacks ceo@contoso.com, cfo@contoso.com",
  ],
  [
    'info: no protectedUsers in the profile',
    { profile: {} },
    'info',
    'no protectedUsers in the profile: declare protectedUsers in mxlock.yaml',
  ],
  [
    'unknown: EOP-only tenant',
    { patch: { 'Get-AntiPhishPolicy': { props: MDO_ABSENT } } },
    'unknown',
    `${DEF}: EnableTargetedUserProtection is absent from the export (Defender for Office 365 property`,
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

test('remediation adds exactly the missing users and fixes the switches, quoted', () => {
  const out = run(check, {
    profile: { protectedUsers: ['ceo@contoso.com', "o'neil@contoso.com"] },
    patch: {
      'Get-AntiPhishPolicy': {
        props: { EnableTargetedUserProtection: false, TargetedUserProtectionAction: 'NoAction' },
      },
    },
  });
  expect(out.status).toBe('fail');
  expect(out.remediation?.powershell).toBe(
    "Set-AntiPhishPolicy -Identity 'Office365 AntiPhish Default' -EnableTargetedUserProtection $true -TargetedUserProtectionAction Quarantine -TargetedUsersToProtect @{Add='o''neil@contoso.com;o''neil@contoso.com'}",
  );
});

test('no export outranks no protectedUsers: unknown, not info', () => {
  expect(run(check, { profile: {}, omit: ['Get-AntiPhishPolicy'] }).status).toBe('unknown');
});

test.each<[string, unknown, string, string]>([
  [
    'BccMessage still delivers to the recipient',
    'BccMessage',
    'fail',
    'TargetedUserProtectionAction = BccMessage',
  ],
  ['MoveToJmf puts impersonation in Junk', 'MoveToJmf', 'warn', 'TargetedUserProtectionAction = MoveToJmf'],
  ['an unmapped integer', 4, 'unknown', 'TargetedUserProtectionAction = #4 is not a value'],
  ['Delete is not weaker than the guide', 'Delete', 'pass', 'TargetedUserProtectionAction = Delete'],
])('action: %s', (_n, action, status, line) => {
  const out = run(check, {
    patch: { 'Get-AntiPhishPolicy': { props: { TargetedUserProtectionAction: action } } },
  });
  expect(out.status).toBe(status);
  expect(out.evidence).toContainEqual(expect.stringContaining(line));
});

test('a Standard preset lacking a protected user stays a warning, with the preset route and no Set-AntiPhishPolicy', () => {
  const out = run(check, {
    patch: {
      'Get-AntiPhishPolicy': customPolicy('Get-AntiPhishPolicy', 'Standard Preset Security Policy1', {
        RecommendedPolicyType: 'Standard',
        EnableTargetedUserProtection: true,
        TargetedUserProtectionAction: 'Quarantine',
        TargetedUsersToProtect: ['CEO;ceo@contoso.com'],
      }),
    },
  });
  expect(out.status).toBe('warn');
  const line = out.evidence.find((e) =>
    e.startsWith("preset anti-phish policy 'Standard Preset Security Policy1'"),
  );
  expect(line).toContain('TargetedUsersToProtect lacks cfo@contoso.com');
  expect(line).toContain("set this in the preset's configuration, Microsoft Defender portal");
  expect(out.remediation?.powershell ?? '').not.toContain('Standard Preset Security Policy1');
});
