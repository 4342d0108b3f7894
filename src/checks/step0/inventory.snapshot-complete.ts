/**
 * Every export `assess` needs is present (DESIGN §3.1). A missing file never passes a check: the checks and paths
 * that read it say `unknown`, and this check tells the admin which file to re-export to resolve them.
 */
import { partialCmdlet } from '../../snapshot/partial.js';
import { CMDLETS, CMDLET_NAMES, type CmdletName } from '../../snapshot/schema.js';
import type { Check } from '../types.js';
import { LEARN } from '../util.js';

interface Impact {
  checks: readonly string[];
  paths: string;
}

/** What each export feeds (DESIGN §4, §5). Keyed by every cmdlet so a new export cannot be forgotten here. */
export const EXPORT_IMPACT: Readonly<Record<CmdletName, Impact>> = {
  'Get-OrganizationConfig': {
    checks: ['direct-send.reject-flag'],
    paths: 'path.direct-send-own-domain and every path.declared-source:* (RejectDirectSend, eop-model DS-2)',
  },
  'Get-AcceptedDomain': {
    checks: [
      'inventory.direct-send-sources',
      'connector.lockdown-recipient-scope',
      'connector.onpremises-antipattern',
      'rule.scl-bypass-spoofable',
      'antispam.allowed-senders',
      'tabl.spoof-allow',
      'dns.spf',
      'dns.dmarc-policy',
      'dns.mx-gateway',
    ],
    paths: 'every path (recipients are attributed to the tenant by accepted domain, eop-model ATT-1)',
  },
  'Get-InboundConnector': {
    checks: [
      'inventory.direct-send-sources',
      'connector.lockdown-missing',
      'connector.lockdown-disabled',
      'connector.lockdown-sender-scope',
      'connector.lockdown-recipient-scope',
      'connector.lockdown-gateway-coverage',
      'connector.require-tls',
      'connector.ip-only',
      'connector.mixed-restrictions',
      'connector.onpremises-antipattern',
      'connector.treat-as-internal',
      'ef.configured',
      'ef.scope',
      'ef.gateway-coverage',
      'ef.hybrid-skip',
    ],
    paths: 'every path (the Partner restriction decides at RCPT, eop-model CON-5)',
  },
  'Get-TransportRule': {
    checks: [
      'rule.safety-net-missing',
      'rule.safety-net-mode',
      'rule.safety-net-coverage',
      'rule.safety-net-order',
      'rule.scl-bypass-spoofable',
      'rule.scl-bypass',
    ],
    paths: 'the post-acceptance outcome of every path (transport rules, eop-model TR-1)',
  },
  'Get-HostedConnectionFilterPolicy': {
    checks: ['connfilter.ip-allow-list', 'connfilter.safe-list'],
    paths: 'the post-acceptance outcome of every attack path (IP Allow List skips spam filtering)',
  },
  'Get-HostedContentFilterPolicy': {
    checks: ['antispam.thresholds', 'antispam.allowed-senders'],
    paths: 'the post-acceptance outcome of every attack path (spam verdict and action)',
  },
  'Get-AntiPhishPolicy': {
    checks: [
      'antiphish.spoof-intelligence',
      'antiphish.honor-dmarc',
      'antiphish.unauthenticated-action',
      'antiphish.impersonation',
      'antiphish.mailbox-intelligence',
    ],
    paths: 'the post-acceptance outcome of every spoofing path (spoof and DMARC actions)',
  },
  'Get-DkimSigningConfig': {
    checks: ['dkim.signing-enabled', 'dns.dkim-selectors'],
    paths: 'none directly (DKIM of own outbound mail)',
  },
  'Get-HostedContentFilterRule': {
    checks: ['antispam.thresholds'],
    paths: 'which anti-spam policy applies to which recipients (the default policy is assumed)',
  },
  'Get-AntiPhishRule': {
    checks: ['antiphish.impersonation'],
    paths: 'which anti-phishing policy applies to which recipients (the default policy is assumed)',
  },
  'Get-TenantAllowBlockListSpoofItems': {
    checks: ['tabl.spoof-allow'],
    paths: 'spoofing paths that a spoof allow entry would let through',
  },
  'Get-AdminAuditLogConfig': {
    checks: ['audit.unified-audit-log'],
    paths: 'none',
  },
  'Get-OutboundConnector': {
    checks: ['rule.safety-net-coverage'],
    paths: 'safety-net rules that route direct mail back to the gateway (RouteMessageOutboundConnector)',
  },
};

function collectScript(names: readonly CmdletName[]): string {
  // -InputObject @(…) writes [] for an empty result instead of an empty file.
  return names
    .map((n) => `ConvertTo-Json -InputObject @(${n}) -Depth 6 | Out-File -Encoding utf8 ${n}.json`)
    .join('\n');
}

const PORTAL =
  'No portal equivalent: the export is taken with Exchange Online PowerShell (or `mxlock collect`, read-only REST).';

export const check: Check = {
  id: 'inventory.snapshot-complete',
  step: 0,
  title: 'Every export that assess needs is present, so no verdict rests on missing data',
  severity: 'high',
  references: [
    'hardening-guide step 0 (configuration backup before any change)',
    'eop-model §8 [C]',
    LEARN.setOrganizationConfig,
  ],
  remediation: {
    powershell: [
      '# In an Exchange Online PowerShell session (Connect-ExchangeOnline), from the export folder:',
      collectScript(CMDLET_NAMES),
      '# or run: mxlock collect --script',
    ].join('\n'),
    portal: PORTAL,
  },
  evaluate(ctx) {
    // A cmdlet another tool exported only in part (ScubaGear's Select-Object) counts as missing: the checks reading
    // the rest are unknown, so it must never pass (DESIGN §1.1).
    const partial = CMDLET_NAMES.filter((n) => partialCmdlet(ctx.snapshot, n) !== undefined);
    const missing = [...ctx.snapshot.missing, ...partial];
    const required = missing.filter((n) => CMDLETS[n].required);
    const optional = missing.filter((n) => !CMDLETS[n].required);
    const describe = (n: CmdletName) => {
      const impact = EXPORT_IMPACT[n];
      const part = partialCmdlet(ctx.snapshot, n);
      if (part) return `${part}; checks reading other properties are unknown: ${impact.checks.join(', ')}`;
      return `${n}.json was not exported: checks left unknown or partial: ${impact.checks.join(', ')}; paths affected: ${impact.paths}`;
    };
    if (required.length > 0) {
      return {
        status: 'fail',
        evidence: [
          ...required.map(describe),
          ...optional.map((n) => `optional ${describe(n)}`),
          `source: ${ctx.snapshot.source}`,
        ],
        remediation: { powershell: collectScript(required.concat(optional)), portal: PORTAL },
      };
    }
    if (optional.length > 0) {
      return {
        status: 'info',
        evidence: [
          `all ${CMDLET_NAMES.filter((n) => CMDLETS[n].required).length} required exports present`,
          ...optional.map((n) => `optional ${describe(n)}`),
        ],
        remediation: { powershell: collectScript(optional), portal: PORTAL },
      };
    }
    return {
      status: 'pass',
      evidence: [`all ${CMDLET_NAMES.length} exports present in ${ctx.snapshot.source}`],
    };
  },
};
