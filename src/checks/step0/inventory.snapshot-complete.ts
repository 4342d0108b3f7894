/**
 * Every export `assess` needs is present (DESIGN §3.1). A missing file never passes a check: the checks and paths
 * that read it say `unknown`, and this check tells the admin which file to re-export to resolve them.
 */
import { partialCmdlet } from '../../snapshot/partial.js';
import { psExportLines } from '../../powershell/export-script.js';
import { CMDLETS, CMDLET_NAMES, type CmdletName } from '../../snapshot/schema.js';
import { readersOf, type Source } from '../catalog.js';
import type { Check, CheckContext } from '../types.js';
import { LEARN } from '../util.js';

/**
 * The paths each export feeds (DESIGN §5), for the evidence of a missing one; the checks it feeds are not listed here
 * but derived from their declarations (src/checks/catalog.ts). Keyed by every cmdlet so a new export cannot be
 * forgotten.
 */
export const EXPORT_PATHS: Readonly<Record<CmdletName, string>> = {
  'Get-OrganizationConfig':
    'path.direct-send-own-domain and every path.declared-source:* (RejectDirectSend, eop-model DS-2)',
  'Get-AcceptedDomain':
    'every path (recipients are attributed to the tenant by accepted domain, eop-model ATT-1)',
  'Get-InboundConnector': 'every path (the Partner restriction decides at RCPT, eop-model CON-5)',
  'Get-TransportRule': 'the post-acceptance outcome of every path (transport rules, eop-model TR-1)',
  'Get-HostedConnectionFilterPolicy':
    'the post-acceptance outcome of every attack path (IP Allow List skips spam filtering)',
  'Get-HostedContentFilterPolicy':
    'the post-acceptance outcome of every attack path (spam verdict and action)',
  'Get-AntiPhishPolicy': 'the post-acceptance outcome of every spoofing path (spoof and DMARC actions)',
  'Get-DkimSigningConfig': 'none directly (DKIM of own outbound mail)',
  'Get-HostedContentFilterRule':
    'which anti-spam policy applies to which recipients (the default policy is assumed)',
  'Get-AntiPhishRule':
    'which anti-phishing policy applies to which recipients (the default policy is assumed)',
  'Get-TenantAllowBlockListSpoofItems': 'spoofing paths that a spoof allow entry would let through',
  'Get-AdminAuditLogConfig': 'none',
  'Get-OutboundConnector':
    'safety-net rules that route direct mail back to the gateway (RouteMessageOutboundConnector)',
  'Get-ArcConfig': 'none (ARC trust of the gateway when it modifies mail)',
  'Get-TransportConfig': 'none (the routes offered to declared Direct Send sources)',
  'Get-TenantAllowBlockListItems':
    'none directly (sender, domain and IPv6 allow entries: which From addresses and IPs skip filtering)',
  'Get-IPv6StatusForAcceptedDomain':
    "the paths over IPv6: which accepted domains take mail over IPv6 (Microsoft's default, Enabled, is assumed for every domain; an IP-only lock-down cannot list IPv6 addresses, eop-model §13)",
};

/** What DNS feeds in the simulator: SPF and DMARC of the sending domains (eop-model §6.2, dns/oracle.ts). */
const DNS_PATHS = 'the SPF and DMARC verdicts of every path (composite authentication, eop-model §6.2)';

function collectScript(names: readonly CmdletName[]): string {
  return ['$out = (Get-Location).Path', ...psExportLines(names)].join('\n');
}

/** The checks a missing source leaves unknown or partial, from their declarations, and the paths it feeds. */
function impact(ctx: CheckContext, source: Source, paths: string): string {
  const checks = readersOf(ctx.catalog, source);
  return `checks left unknown or partial: ${checks.length > 0 ? checks.join(', ') : 'none'}; paths affected: ${paths}`;
}

const DNS_RECORD =
  '# DNS: run assess without --offline, or record the answers into the export: mxlock dns <domain…> --record <export>/dns.json';

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
  // It reads which exports are present, not what they hold.
  reads: {},
  evaluate(ctx) {
    // A cmdlet another tool exported only in part (ScubaGear's Select-Object) counts as missing: the checks reading
    // the rest are unknown, so it must never pass (DESIGN §1.1).
    const partial = CMDLET_NAMES.filter((n) => partialCmdlet(ctx.snapshot, n) !== undefined);
    const missing = [...ctx.snapshot.missing, ...partial];
    const required = missing.filter((n) => CMDLETS[n].required);
    const optional = missing.filter((n) => !CMDLETS[n].required);
    const describe = (n: CmdletName) => {
      const part = partialCmdlet(ctx.snapshot, n);
      if (part)
        return `${part}; checks reading other properties are unknown: ${readersOf(ctx.catalog, n).join(', ') || 'none'}`;
      const failed = ctx.snapshot.collection?.errors[n];
      const why =
        failed === undefined
          ? ''
          : ` (mxlock collect${ctx.snapshot.collection?.at ? ` at ${ctx.snapshot.collection.at}` : ''}: ${failed})`;
      return `${n}.json was not exported${why}: ${impact(ctx, n, EXPORT_PATHS[n])}`;
    };
    // Offline without dns.json (or a context without DNS) leaves the checks that read DNS unknown: say which.
    const dnsLines =
      ctx.dns === undefined || ctx.dnsReport === undefined
        ? [
            `DNS was not analysed (no dns.json in the export with --offline, or no live DNS): ${impact(ctx, 'dns', DNS_PATHS)}`,
          ]
        : [];
    if (required.length > 0) {
      return {
        status: 'fail',
        evidence: [
          ...required.map(describe),
          ...optional.map((n) => `optional ${describe(n)}`),
          ...dnsLines,
          `source: ${ctx.snapshot.source}`,
        ],
        remediation: { powershell: collectScript(required.concat(optional)), portal: PORTAL },
      };
    }
    if (optional.length > 0 || dnsLines.length > 0) {
      return {
        status: 'info',
        evidence: [
          `all ${CMDLET_NAMES.filter((n) => CMDLETS[n].required).length} required exports present`,
          ...optional.map((n) => `optional ${describe(n)}`),
          ...dnsLines,
        ],
        remediation: {
          powershell: [
            ...(optional.length > 0 ? [collectScript(optional)] : []),
            ...(dnsLines.length > 0 ? [DNS_RECORD] : []),
          ].join('\n'),
          portal: PORTAL,
        },
      };
    }
    return {
      status: 'pass',
      evidence: [`all ${CMDLET_NAMES.length} exports present in ${ctx.snapshot.source}`],
    };
  },
};
