/**
 * Guide step 5: "Do not add on-premises hybrid server IPs to the skip list when your MX points to EOP." No Microsoft
 * wording was found for this rule (eop-model EF-5, OQ-12 [I]); with the MX elsewhere, skipping hops that handle mail
 * before EOP is the documented use (EF-1, EF-5 hybrid note [D] S9, S19).
 */
import { IpSet } from '../../common/ip.js';
import { lookup } from '../../common/zone.js';
import type { Check, CheckContext } from '../types.js';
import { connectorName, psQuote } from '../util.js';
import { EF_PORTAL, EF_REFS } from './gateway-connector.js';

/** EOP's inbound MX hosts: `<tenant>.mail.protection.outlook.com`, and the DNSSEC-capable `*.mx.microsoft` form. */
const EOP_MX = /\.(mail\.protection\.outlook\.com|mx\.microsoft)$/;

type MxFinding = { kind: 'eop' | 'elsewhere'; hosts: string[] } | { kind: 'unknown'; reason: string };

/** Where the default domain's preferred MX points; unknown without DNS data. */
export function defaultDomainMx(ctx: CheckContext): MxFinding {
  const domain = ctx.tenant.defaultDomain;
  if (!domain)
    return {
      kind: 'unknown',
      reason: 'the default accepted domain is not known (Get-AcceptedDomain.json missing or empty)',
    };
  const answer = lookup(ctx.dns, domain, 'MX');
  if (answer.kind === 'unavailable')
    return { kind: 'unknown', reason: `MX of ${domain} unknown: ${answer.reason}` };
  if (answer.kind !== 'answer')
    return {
      kind: 'unknown',
      reason: `MX of ${domain} unknown: the recorded DNS has ${answer.kind === 'nxdomain' ? 'no such name' : 'no MX record'}`,
    };
  const best = Math.min(...answer.records.map((r) => r.priority));
  const hosts = answer.records.filter((r) => r.priority === best).map((r) => r.exchange);
  // Any preferred host at EOP means internet mail reaches EOP without passing on-premises first.
  return { kind: hosts.some((h) => EOP_MX.test(h)) ? 'eop' : 'elsewhere', hosts };
}

export const check: Check = {
  id: 'ef.hybrid-skip',
  requiresGateway: true,
  step: 5,
  title: 'Hybrid (on-premises) server IPs are not skip-listed while the MX points at EOP',
  severity: 'low',
  references: [
    'eop-model EF-5 / OQ-12 [I] (no Microsoft wording found for this rule; logical basis only)',
    'eop-model EF-5 hybrid note [D] S9 (with mail routed through on-premises first, EF on the OnPremises connector is documented)',
    'hardening-guide step 5 ("Do not add on-premises hybrid server IPs to the skip list when your MX points to EOP")',
    ...EF_REFS,
  ],
  remediation: {
    powershell: "Set-InboundConnector -Identity 'Inbound from on-premises' -EFSkipIPs @{Remove='192.0.2.10'}",
    portal: `${EF_PORTAL} → Skip these IP addresses that are associated with the connector → remove the on-premises servers`,
  },
  reads: {
    'Get-AcceptedDomain': ['DomainName', 'Default'],
    'Get-InboundConnector': ['EFSkipIPs'],
    dns: true,
  },
  evaluate(ctx) {
    const hybrid = ctx.profile.hybrid?.ips ?? [];
    if (hybrid.length === 0)
      return { status: 'not-applicable', evidence: ['no hybrid IPs declared in mxlock.yaml (hybrid.ips)'] };
    const connectors = ctx.tenant.inboundConnectors;
    if (!connectors) return { status: 'unknown', evidence: ['Get-InboundConnector.json was not exported'] };

    const hybridSet = new IpSet(hybrid);
    const listed: string[] = [];
    const fixes: string[] = [];
    const unreadable: string[] = [];
    for (const c of connectors) {
      if (c.EFSkipIPs === undefined) {
        unreadable.push(`inbound connector '${connectorName(c)}': EFSkipIPs is absent from the export`);
        continue;
      }
      const hits = c.EFSkipIPs.filter((e) => hybridSet.overlaps(e));
      if (hits.length === 0) continue;
      listed.push(
        `inbound connector '${connectorName(c)}': EFSkipIPs ${hits.join(', ')} include hybrid server(s) ${hybrid.filter((h) => new IpSet(hits).overlaps(h)).join(', ')}`,
      );
      fixes.push(
        `Set-InboundConnector -Identity ${psQuote(connectorName(c))} -EFSkipIPs @{Remove=${hits.map(psQuote).join(',')}}`,
      );
    }
    if (listed.length === 0) {
      if (unreadable.length > 0) return { status: 'unknown', evidence: unreadable };
      return {
        status: 'pass',
        evidence: [`no inbound connector skip-lists the hybrid IPs (${hybrid.join(', ')})`],
      };
    }
    const mx = defaultDomainMx(ctx);
    if (mx.kind === 'unknown') return { status: 'unknown', evidence: [...listed, mx.reason, ...unreadable] };
    if (mx.kind === 'elsewhere') {
      return {
        status: 'pass',
        evidence: [
          ...listed,
          `the MX of ${ctx.tenant.defaultDomain ?? 'the default domain'} points at ${mx.hosts.join(', ')}, not EOP: mail can pass on-premises before EOP, so skipping those hops is the documented use (eop-model EF-5 [D] S9)`,
        ],
      };
    }
    return {
      status: 'warn',
      evidence: [
        ...listed,
        `the MX of ${ctx.tenant.defaultDomain ?? 'the default domain'} points at EOP (${mx.hosts.join(', ')}): internet mail never passes on-premises first, so skipping those hops makes EOP judge internal mail by the IP that sent it to on-premises (eop-model EF-5, OQ-12 [I]: no Microsoft wording, the guide's advice)`,
      ],
      remediation: {
        powershell: fixes.join('\n'),
        portal: `${EF_PORTAL} → Skip these IP addresses that are associated with the connector → remove the on-premises servers`,
      },
    };
  },
};
