/**
 * RejectDirectSend refuses anonymous mail whose P1 domain is an accepted domain, unless an enabled connector matches
 * the sender by IP or certificate (eop-model DS-1, DS-2 [D]). It does not see P2-only spoofs or foreign-domain mail
 * (DS-3, §3.3); the connector lock-down of step 2 closes those. With the flag on, a gateway and no lock-down, the flag
 * gives a false sense of safety: the check warns, naming the attack paths the simulation still finds open.
 */
import { hasGateway } from '../../common/gateway.js';
import type { PathResult } from '../../model/paths.js';
import type { Check, CheckContext, CheckOutcome } from '../types.js';
import { absentProperty, CONVERT_TO_JSON } from '../../snapshot/partial.js';
import { activeLockdowns, EAC_CONNECTORS, LEARN, notExported, psQuote } from '../util.js';

/** At most this many attack paths are named, each with the evidence line that decided it. */
const LISTED_PATHS = 6;

function pathLine(p: PathResult): string {
  const why = p.evidence[0];
  return `${p.id}: ${p.status}${why !== undefined ? ` (${why})` : ''}`;
}

/**
 * The flag is on: the attack paths that still get past it when no lock-down restricts the gateway's connector, or
 * undefined when none does (or there is no gateway, or the connectors were not exported: the connector checks say so).
 */
function falseSafety(ctx: CheckContext, head: string): CheckOutcome | undefined {
  if (!hasGateway(ctx.gateway) || ctx.tenant.inboundConnectors === undefined) return undefined;
  if (activeLockdowns(ctx).length > 0) return undefined;
  const leaking = ctx.paths.filter(
    (p) => p.kind === 'attack' && (p.status === 'open' || p.status === 'uncertain'),
  );
  if (leaking.length === 0) return undefined;
  const more = leaking.length - LISTED_PATHS;
  return {
    status: 'warn',
    evidence: [
      head,
      "no enabled lock-down (a Partner connector for every sender domain, `*`, restricted to the gateway's IPs or certificate: connector.lockdown-missing, connector.lockdown-sender-scope): RejectDirectSend alone gives a false sense of safety",
      'it only refuses an own-domain MAIL FROM (P1); header-only spoofs of own domains and mail from other domains sent straight to Exchange Online skip the gateway as before (eop-model DS-3 [D], §3.3)',
      ...leaking.slice(0, LISTED_PATHS).map((p) => `attack path still ${pathLine(p)}`),
      ...(more > 0 ? [`… and ${more} more attack path(s) open or uncertain (mxlock simulate)`] : []),
    ],
    remediation: {
      powershell: [
        '# Keep RejectDirectSend on; close the other paths with the lock-down of step 2 (connector.lockdown-missing, mxlock plan stage 2):',
        "New-InboundConnector -Name 'From Secure Email Gateway' -ConnectorType Partner -SenderDomains '*' -RequireTls $true `",
        ctx.gateway.certificate !== undefined
          ? `  -TlsSenderCertificateName ${psQuote(ctx.gateway.certificate)} -RestrictDomainsToCertificate $true`
          : `  -SenderIPAddresses ${ctx.gateway.ips.length > 0 ? ctx.gateway.ips.map(psQuote).join(',') : "'<gateway IP>'"} -RestrictDomainsToIPAddresses $true`,
      ].join('\n'),
      portal: `${EAC_CONNECTORS} → Add a connector (Partner organization → Office 365) → identify the gateway by its certificate or IP addresses → reject mail not sent from them`,
    },
  };
}

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
  reads: {
    'Get-OrganizationConfig': ['RejectDirectSend'],
    'Get-InboundConnector': [
      'ConnectorType',
      'Enabled',
      'SenderDomains',
      'RestrictDomainsToIPAddresses',
      'RestrictDomainsToCertificate',
    ],
  },
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
      const head = `organization config '${name}': RejectDirectSend = true (own-domain P1 from unmatched sources gets 550 5.7.68, DS-2 [D])`;
      return falseSafety(ctx, head) ?? { status: 'pass', evidence: [head] };
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
