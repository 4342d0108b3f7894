import { expect, test } from 'vitest';
import { check } from '../../../src/checks/monitoring/audit.unified-audit-log.js';
import { run, type CtxOptions } from '../ctx4.js';

const CFG = "admin audit log config 'Admin Audit Log Settings'";
const ORG = "organization config 'contoso.onmicrosoft.com'";
const audit = (props: Record<string, unknown>): CtxOptions => ({
  patch: { 'Get-AdminAuditLogConfig': { props } },
});
const org = (props: Record<string, unknown>): CtxOptions => ({
  patch: { 'Get-OrganizationConfig': { props } },
});

test.each<[string, CtxOptions, string, string]>([
  ['pass', {}, 'pass', `${CFG}: UnifiedAuditLogIngestionEnabled = true`],
  [
    'fail: unified audit log off',
    audit({ UnifiedAuditLogIngestionEnabled: false }),
    'fail',
    `${CFG}: UnifiedAuditLogIngestionEnabled = false`,
  ],
  [
    'fail: mailbox auditing disabled org-wide',
    org({ AuditDisabled: true }),
    'fail',
    `${ORG}: AuditDisabled = true`,
  ],
  [
    'unknown: export missing',
    { omit: ['Get-AdminAuditLogConfig'] },
    'unknown',
    'Get-AdminAuditLogConfig.json was not exported',
  ],
  [
    'unknown: property missing',
    audit({ UnifiedAuditLogIngestionEnabled: undefined }),
    'unknown',
    `${CFG}: UnifiedAuditLogIngestionEnabled is absent from the export`,
  ],
  [
    'unknown: AuditDisabled missing',
    org({ AuditDisabled: undefined }),
    'unknown',
    `${ORG}: AuditDisabled is absent from the export`,
  ],
  [
    'unknown: organization config missing',
    { omit: ['Get-OrganizationConfig'] },
    'unknown',
    'Get-OrganizationConfig.json was not exported, so AuditDisabled cannot be checked',
  ],
  [
    'fail wins over unknown',
    { ...audit({ UnifiedAuditLogIngestionEnabled: false }), omit: ['Get-OrganizationConfig'] },
    'fail',
    `${CFG}: UnifiedAuditLogIngestionEnabled = false`,
  ],
])('%s', (_n, opts, status, line) => {
  const out = run(check, opts);
  expect(out.status).toBe(status);
  expect(out.evidence.some((e) => e.startsWith(line))).toBe(true);
});

test('monitoring is step 6', () => {
  expect(check.step).toBe(6);
});

test('remediation fixes only what is off', () => {
  expect(run(check, org({ AuditDisabled: true })).remediation?.powershell).toBe(
    'Set-OrganizationConfig -AuditDisabled $false',
  );
  expect(run(check, audit({ UnifiedAuditLogIngestionEnabled: false })).remediation?.powershell).toBe(
    'Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled $true',
  );
});
