import { expect, test } from 'vitest';
import { check } from '../../../src/checks/step4/tabl.spoof-allow.js';
import { run, type CtxOptions } from '../ctx4.js';

const item = (props: Record<string, unknown>) => ({
  Identity: '11111111-2222-3333-4444-555555555555',
  SendingInfrastructure: 'mailer.example',
  SpoofType: 'External',
  Action: 'Allow',
  ...props,
});
const spoof = (...items: Record<string, unknown>[]): CtxOptions => ({
  set: { 'Get-TenantAllowBlockListSpoofItems': items },
});

test.each<[string, CtxOptions, string, string]>([
  [
    'pass: only block entries',
    {},
    'pass',
    'Get-TenantAllowBlockListSpoofItems: 1 entry, none with Action = Allow',
  ],
  [
    'pass: empty list',
    spoof(),
    'pass',
    'Get-TenantAllowBlockListSpoofItems: 0 entries, none with Action = Allow',
  ],
  [
    'fail: own domain allowed',
    spoof(item({ SpoofedUser: 'Contoso.com' })),
    'fail',
    "spoofed-sender entry 'contoso.com' via 'mailer.example' (Identity 11111111-2222-3333-4444-555555555555): Action = Allow for own domain contoso.com",
  ],
  [
    'fail: own address allowed',
    spoof(item({ SpoofedUser: 'ceo@fabrikam.com' })),
    'fail',
    "spoofed-sender entry 'ceo@fabrikam.com' via 'mailer.example' (Identity 11111111-2222-3333-4444-555555555555): Action = Allow for own address ceo@fabrikam.com",
  ],
  [
    'fail: intra-org spoof allowed',
    spoof(item({ SpoofedUser: 'printer@partner.example', SpoofType: 'Internal' })),
    'fail',
    "spoofed-sender entry 'printer@partner.example' via 'mailer.example' (Identity 11111111-2222-3333-4444-555555555555): Action = Allow, SpoofType = Internal",
  ],
  [
    'warn: foreign domain allowed',
    spoof(item({ SpoofedUser: 'partner.example' })),
    'warn',
    "spoofed-sender entry 'partner.example' via 'mailer.example' (Identity 11111111-2222-3333-4444-555555555555): Action = Allow (messages spoofing partner.example",
  ],
  [
    'unknown: export missing',
    { omit: ['Get-TenantAllowBlockListSpoofItems'] },
    'unknown',
    'Get-TenantAllowBlockListSpoofItems.json was not exported (optional export',
  ],
  [
    'unknown: Action missing',
    spoof(item({ SpoofedUser: 'partner.example', Action: undefined })),
    'unknown',
    "spoofed-sender entry 'partner.example' via 'mailer.example' (Identity 11111111-2222-3333-4444-555555555555): Action is absent from the export",
  ],
  [
    'unknown: SpoofedUser missing',
    spoof(item({})),
    'unknown',
    "spoofed-sender entry '?' via 'mailer.example' (Identity 11111111-2222-3333-4444-555555555555): SpoofedUser is absent from the export",
  ],
])('%s', (_n, opts, status, line) => {
  const out = run(check, opts);
  expect(out.status).toBe(status);
  expect(out.evidence.some((e) => e.startsWith(line))).toBe(true);
});

test('remediation removes only the own-domain / intra-org entries, quoted', () => {
  const out = run(
    check,
    spoof(
      item({ SpoofedUser: 'contoso.com', Identity: "id-1'x" }),
      item({ SpoofedUser: 'partner.example', Identity: 'id-2' }),
      item({ SpoofedUser: 'a@b.example', SpoofType: 'Internal', Identity: 'id-3' }),
    ),
  );
  expect(out.status).toBe('fail');
  expect(out.remediation?.powershell).toBe(
    "Remove-TenantAllowBlockListSpoofItems -Identity Default -Ids 'id-1''x','id-3'",
  );
  expect(out.remediation?.portal).toContain('Tenant Allow/Block Lists');
});

test.each<[string, unknown]>([
  ['an unmapped integer Action', 0],
  ['an undocumented Action string', 'Permit'],
])('unknown, not pass: %s', (_n, action) => {
  const out = run(check, spoof(item({ SpoofedUser: 'contoso.com', Action: action })));
  expect(out.status).toBe('unknown');
  expect(out.evidence).toContainEqual(
    expect.stringContaining('is not a value the Tenant Allow/Block List documents'),
  );
});
