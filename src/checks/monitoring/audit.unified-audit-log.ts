/**
 * Guide "Monitoring & reporting": every bypass attempt and every change to the controls must leave a trace, which
 * needs the unified audit log on and mailbox auditing not disabled organisation-wide.
 */
import { absentProperty } from '../../snapshot/partial.js';
import type { Check } from '../types.js';

const PORTAL =
  'Microsoft Purview portal (https://purview.microsoft.com) → Solutions → Audit → Start recording user and admin activity; mailbox auditing has no portal switch (Exchange Online PowerShell: Set-OrganizationConfig -AuditDisabled $false)';

export const check: Check = {
  id: 'audit.unified-audit-log',
  step: 6,
  title: 'The unified audit log is recording and mailbox auditing is not disabled',
  severity: 'medium',
  references: [
    'hardening-guide "Monitoring & reporting" (message trace, Defender reports, alerting, SIEM forwarding)',
    'https://learn.microsoft.com/purview/audit-log-enable-disable',
    'https://learn.microsoft.com/purview/audit-mailboxes',
    'https://learn.microsoft.com/powershell/module/exchangepowershell/set-adminauditlogconfig',
  ],
  remediation: {
    powershell: [
      'Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled $true',
      'Set-OrganizationConfig -AuditDisabled $false',
    ].join('\n'),
    portal: PORTAL,
  },
  reads: {
    'Get-AdminAuditLogConfig': ['UnifiedAuditLogIngestionEnabled'],
    'Get-OrganizationConfig': ['AuditDisabled'],
  },
  checklist: 'checklist.monitoring',
  evaluate(ctx) {
    const configs = ctx.snapshot.data['Get-AdminAuditLogConfig'];
    if (!configs)
      return {
        status: 'unknown',
        evidence: [
          'Get-AdminAuditLogConfig.json was not exported (optional export; collect it to check the unified audit log)',
        ],
      };
    const cfg = configs[0];
    if (!cfg) return { status: 'unknown', evidence: ['Get-AdminAuditLogConfig.json holds no object'] };
    const name = cfg.Identity ?? cfg.Name ?? 'Admin Audit Log Settings';
    const evidence: string[] = [];
    const fixes: string[] = [];
    let failed = false;
    let unknown = false;

    const ual = cfg.UnifiedAuditLogIngestionEnabled;
    if (ual === undefined) {
      unknown = true;
      evidence.push(
        `admin audit log config '${name}': ${absentProperty(ctx.snapshot, 'Get-AdminAuditLogConfig', 'UnifiedAuditLogIngestionEnabled')}`,
      );
    } else if (ual) {
      evidence.push(`admin audit log config '${name}': UnifiedAuditLogIngestionEnabled = true`);
    } else {
      failed = true;
      // Security & Compliance PowerShell always reports False here; only Exchange Online PowerShell gives the real value.
      evidence.push(
        `admin audit log config '${name}': UnifiedAuditLogIngestionEnabled = false (no audit trail of mail-flow changes; if the export came from Security & Compliance PowerShell this value is always false: re-export from Exchange Online PowerShell)`,
      );
      fixes.push('Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled $true');
    }

    const org = ctx.tenant.org;
    if (!org) {
      unknown = true;
      evidence.push('Get-OrganizationConfig.json was not exported, so AuditDisabled cannot be checked');
    } else {
      const orgName = org.Identity ?? org.Name ?? 'organization';
      if (org.AuditDisabled === undefined) {
        unknown = true;
        evidence.push(
          `organization config '${orgName}': ${absentProperty(ctx.snapshot, 'Get-OrganizationConfig', 'AuditDisabled')}`,
        );
      } else if (org.AuditDisabled) {
        failed = true;
        evidence.push(
          `organization config '${orgName}': AuditDisabled = true (mailbox auditing is off for the whole organisation)`,
        );
        fixes.push('Set-OrganizationConfig -AuditDisabled $false');
      } else {
        evidence.push(`organization config '${orgName}': AuditDisabled = false`);
      }
    }
    if (failed)
      return { status: 'fail', evidence, remediation: { powershell: fixes.join('\n'), portal: PORTAL } };
    return { status: unknown ? 'unknown' : 'pass', evidence };
  },
};
