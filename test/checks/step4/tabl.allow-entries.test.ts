import { expect, test } from 'vitest';
import { check } from '../../../src/checks/step4/tabl.allow-entries.js';
import { evidenceText, run, type CtxOptions } from '../ctx4.js';

const sender = (props: Record<string, unknown>) => ({
  Identity: 'RgAAAAAI-sender',
  ListType: 'Sender',
  ListSubType: 'Tenant',
  Action: 'Allow',
  ExpirationDate: '2026-12-20T00:00:00Z',
  ...props,
});
const ip = (props: Record<string, unknown>) => ({
  Identity: 'RgAAAAAI-ip',
  ListType: 'IP',
  ListSubType: 'Tenant',
  Action: 'Allow',
  ExpirationDate: null,
  ...props,
});
const tabl = (...items: Record<string, unknown>[]): CtxOptions => ({
  set: { 'Get-TenantAllowBlockListItems': items },
});

test.each<[string, CtxOptions, string, string]>([
  [
    'pass: only a block entry',
    {},
    'pass',
    'Get-TenantAllowBlockListItems: 1 entry, no sender or IP allow entry',
  ],
  [
    'pass: empty list',
    tabl(),
    'pass',
    'Get-TenantAllowBlockListItems: 0 entries, no sender or IP allow entry',
  ],
  [
    'fail: own domain allowed',
    tabl(sender({ Value: 'Contoso.com' })),
    'fail',
    "Tenant Allow/Block List sender allow entry 'Contoso.com' (Identity RgAAAAAI-sender): Action = Allow for own domain Contoso.com (expires 2026-12-20T00:00:00.000Z)",
  ],
  [
    'fail: address in an own domain (subdomain of an accepted one)',
    tabl(sender({ Value: 'ceo@mail.fabrikam.com' })),
    'fail',
    'Action = Allow for own address ceo@mail.fabrikam.com',
  ],
  [
    'info: a foreign sender with an expiry date',
    tabl(sender({ Value: 'partner.example' })),
    'info',
    "sender allow entry 'partner.example' (Identity RgAAAAAI-sender): Action = Allow, expires 2026-12-20T00:00:00.000Z",
  ],
  [
    'warn: a foreign sender without ExpirationDate',
    tabl(sender({ Value: 'partner.example', ExpirationDate: null })),
    'warn',
    'no ExpirationDate: it stays until 45 days after the filters last find the sender clean (-RemoveAfter 45), or for ever',
  ],
  [
    'warn: an IPv6 entry that never expires',
    tabl(ip({ Value: '2001:db8:1::25' })),
    'warn',
    "IP allow entry '2001:db8:1::25' (Identity RgAAAAAI-ip): Action = Allow, no ExpirationDate: it never expires",
  ],
  [
    'info: a narrow IPv6 entry with a date',
    tabl(ip({ Value: '2001:db8:1::/64', ExpirationDate: '/Date(1798761600000)/' })),
    'info',
    'Action = Allow, expires 2027-01-01T00:00:00.000Z (mail from it skips the IP filters',
  ],
  [
    'warn: a /40 is broader than any sender publishes',
    tabl(ip({ Value: '2001:db8::/40', ExpirationDate: '2026-12-20T00:00:00Z' })),
    'warn',
    'Action = Allow for a /40, broader than the /48 a mail sender publishes at most',
  ],
  [
    'fail: a /16 is wider than any one sender',
    tabl(ip({ Value: '2001::/16' })),
    'fail',
    'Action = Allow for a range wider than any one sender can be',
  ],
  ['fail: ::/0', tabl(ip({ Value: '::/0' })), 'fail', "IP allow entry '::/0'"],
  [
    'untagged entries are told by their value',
    tabl(sender({ ListType: undefined, Value: 'contoso.com' })),
    'fail',
    "sender allow entry 'contoso.com' (Identity RgAAAAAI-sender) (ListType not in the export: taken from the value)",
  ],
  [
    'URL entries are not this check’s concern',
    tabl(sender({ ListType: 'Url', Value: 'contoso.com' })),
    'pass',
    'no sender or IP allow entry',
  ],
  [
    'unknown: export missing',
    { omit: ['Get-TenantAllowBlockListItems'] },
    'unknown',
    'Get-TenantAllowBlockListItems.json was not exported',
  ],
  [
    'unknown: Action missing',
    tabl(sender({ Value: 'partner.example', Action: undefined })),
    'unknown',
    "sender allow entry 'partner.example' (Identity RgAAAAAI-sender): Action is absent from the export",
  ],
  [
    'unknown: Action an unmapped integer',
    tabl(sender({ Value: 'contoso.com', Action: 0 })),
    'unknown',
    'Action = #0 is not a value the Tenant Allow/Block List documents',
  ],
  [
    'unknown: Value missing',
    tabl(sender({ Value: undefined })),
    'unknown',
    "sender allow entry '?' (Identity RgAAAAAI-sender): Value is absent from the export",
  ],
  [
    'unknown: IP value unreadable',
    tabl(ip({ Value: 'not-an-ip' })),
    'unknown',
    'Value is not an IP address or CIDR range',
  ],
  [
    'unknown: accepted domains not exported',
    { ...tabl(sender({ Value: 'contoso.com' })), omit: ['Get-AcceptedDomain'] },
    'unknown',
    'Get-AcceptedDomain.json was not exported, so it cannot be told whether contoso.com is an own domain',
  ],
])('%s', (_n, opts, status, line) => {
  const out = run(check, opts);
  expect(out.status).toBe(status);
  expect(evidenceText(out)).toContain(line);
});

test('an own domain is critical; other findings keep the check severity', () => {
  expect(run(check, tabl(sender({ Value: 'contoso.com' }))).severity).toBe('critical');
  expect(run(check, tabl(ip({ Value: '::/0' }))).severity).toBe(undefined);
  expect(check.severity).toBe('high');
});

test('the PowerShell export shapes read alike: {value,Count} and a single object', () => {
  const one = sender({ Value: 'contoso.com' });
  for (const shape of [{ value: [one], Count: 1 }, one]) {
    const out = run(check, { set: { 'Get-TenantAllowBlockListItems': shape } });
    expect(out.status).toBe('fail');
  }
});

test('remediation removes own-domain and too-wide entries and dates the ones that never expire, quoted', () => {
  const out = run(
    check,
    tabl(
      sender({ Value: "o'contoso.com", ExpirationDate: null }),
      sender({ Value: 'contoso.com' }),
      sender({ Value: 'partner.example', ExpirationDate: null }),
      ip({ Value: '::/0' }),
      ip({ Value: '2001:db8:1::25' }),
    ),
  );
  expect(out.status).toBe('fail');
  expect(out.remediation?.powershell.split('\n')).toEqual([
    "Remove-TenantAllowBlockListItems -ListType Sender -Entries 'contoso.com'",
    "Remove-TenantAllowBlockListItems -ListType IP -Entries '::/0'",
    "Set-TenantAllowBlockListItems -ListType Sender -Entries 'o''contoso.com','partner.example' -RemoveAfter 45  # or remove them",
    "Set-TenantAllowBlockListItems -ListType IP -Entries '2001:db8:1::25' -ExpirationDate (Get-Date).AddDays(30).ToUniversalTime()  # or remove them",
  ]);
  expect(out.remediation?.portal).toContain('tenantAllowBlockList');
});
