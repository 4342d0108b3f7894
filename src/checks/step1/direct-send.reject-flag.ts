/**
 * RejectDirectSend refuses anonymous mail whose P1 domain is an accepted domain, unless an enabled connector matches
 * the sender by IP or certificate (eop-model DS-1, DS-2 [D]). It does not see P2-only spoofs (DS-3); the connector
 * lock-down of step 2 closes those.
 */
import type { Check } from '../types.js';
import { absentProperty, CONVERT_TO_JSON } from '../../snapshot/partial.js';
import { LEARN, notExported } from '../util.js';

export const check: Check = {
  id: 'direct-send.reject-flag',
  step: 1,
  title: 'RejectDirectSend is on: anonymous mail from own domains is refused in the SMTP session (5.7.68)',
  severity: 'high',
  references: [
    'eop-model DS-1 [D]',
    'eop-model DS-2 [D]',
    'eop-model DS-4 [C]',
    'eop-model §10 A5',
    LEARN.setOrganizationConfig,
    LEARN.directSendBlog,
  ],
  remediation: {
    powershell: [
      '# First inventory and admit legitimate Direct Send sources (printers, apps, SaaS sending as your domains):',
      '# see inventory.direct-send-sources; otherwise they are rejected with 550 5.7.68 once this is on.',
      'Set-OrganizationConfig -RejectDirectSend $true',
      '# Takes up to 30 minutes to propagate (eop-model DS-2 [C]). Verify:',
      'Get-OrganizationConfig | Format-List RejectDirectSend',
    ].join('\n'),
    portal:
      'No admin-center toggle is documented for RejectDirectSend: use Exchange Online PowerShell (Connect-ExchangeOnline, then Set-OrganizationConfig). Review sources first in Exchange admin center (https://admin.exchange.microsoft.com) → Reports → Mail flow.',
  },
  reads: { 'Get-OrganizationConfig': ['RejectDirectSend'] },
  checklist: 'checklist.reject-direct-send',
  evaluate(ctx) {
    if (!ctx.tenant.org) {
      const why = ctx.snapshot.missing.includes('Get-OrganizationConfig')
        ? notExported('Get-OrganizationConfig')
        : 'Get-OrganizationConfig.json holds no object';
      return { status: 'unknown', evidence: [why] };
    }
    const value = ctx.tenant.org.RejectDirectSend;
    const name = ctx.tenant.org.Identity ?? ctx.tenant.org.Name ?? 'organization';
    if (value === undefined) {
      return {
        status: 'unknown',
        evidence: [
          // ScubaGear's Select-Object of Get-OrganizationConfig never has it: "not in the export" (partial.ts).
          `organization config '${name}': ${absentProperty(ctx.snapshot, 'Get-OrganizationConfig', 'RejectDirectSend', `module or tenant too old, re-export: Update-Module ExchangeOnlineManagement, then Get-OrganizationConfig | ${CONVERT_TO_JSON}`)}`,
        ],
      };
    }
    if (value) {
      return {
        status: 'pass',
        evidence: [
          `organization config '${name}': RejectDirectSend = true (own-domain P1 from unmatched sources gets 550 5.7.68, DS-2 [D])`,
        ],
      };
    }
    return {
      status: 'fail',
      evidence: [
        `organization config '${name}': RejectDirectSend = false`,
        'anyone can deliver mail with an own-domain MAIL FROM straight to <tenant>.mail.protection.outlook.com, bypassing the gateway (eop-model DS-2 [D], §3.3)',
      ],
    };
  },
};
