/** Guide step 5 / eop-model EF-2, EF-5: the EF skip list covers every gateway IP and no Microsoft 365 range. */
import { IpSet } from '../../common/ip.js';
import { MICROSOFT_365_SMTP_RANGES } from '../../common/vendors.js';
import type { Check, CheckOutcome } from '../types.js';
import { psQuote } from '../util.js';
import { EF_PORTAL, EF_REFS, findGatewayConnector } from './gateway-connector.js';
import { EF_CONNECTOR_READS } from './gateway-connector.js';

export { MICROSOFT_365_SMTP_RANGES };
const M365_SET = new IpSet(MICROSOFT_365_SMTP_RANGES);
const PORTAL = `${EF_PORTAL} → Skip these IP addresses that are associated with the connector`;

export const check: Check = {
  id: 'ef.gateway-coverage',
  requiresGateway: true,
  step: 5,
  title: 'The Enhanced Filtering skip list covers every gateway IP and no Microsoft 365 range',
  severity: 'medium',
  references: [
    'eop-model EF-2 EFSkipIPs: hops in the list are skipped, the first IP not in it is the original sender [D] S8, S19',
    'eop-model EF-5 skipping Microsoft 365 IPs is not supported [D] S19',
    'hardening-guide step 5 ("add all public IPs of the SEG (including any intermediate hops)")',
    ...EF_REFS,
    'https://learn.microsoft.com/microsoft-365/enterprise/urls-and-ip-address-ranges',
  ],
  remediation: {
    powershell:
      "Set-InboundConnector -Identity 'From Secure Email Gateway' -EFSkipIPs @{Add='198.51.100.0/28'}",
    portal: PORTAL,
  },
  reads: { 'Get-InboundConnector': EF_CONNECTOR_READS },
  checklist: 'checklist.enhanced-filtering',
  evaluate(ctx) {
    const found = findGatewayConnector(ctx);
    if (found.kind === 'not-exported') return { status: 'unknown', evidence: [found.evidence] };
    if (found.kind === 'none')
      return {
        status: 'not-applicable',
        evidence: [found.evidence, 'no gateway connector (see ef.configured)'],
      };
    const c = found.connector;
    const label = found.label;
    if (c.EFSkipLastIP === undefined)
      return { status: 'unknown', evidence: [`${label}: EFSkipLastIP is absent from the export`] };
    if (c.EFSkipLastIP) {
      // EF-2 [D]: with EFSkipLastIP the skip list is not used, so there is no list to cover the gateway with.
      return {
        status: 'not-applicable',
        evidence: [
          `${label}: EFSkipLastIP = true (EOP skips the last hop whatever its address; EFSkipIPs is not used, eop-model EF-2 [D] S8)`,
        ],
      };
    }
    if (c.EFSkipIPs === undefined)
      return { status: 'unknown', evidence: [`${label}: EFSkipIPs is absent from the export`] };
    if (c.EFSkipIPs.length === 0)
      return {
        status: 'not-applicable',
        evidence: [`${label}: EFSkipIPs is empty: Enhanced Filtering is off (see ef.configured)`],
      };

    const skip = new IpSet(c.EFSkipIPs);
    const evidence: string[] = [`${label}: EFSkipIPs = ${c.EFSkipIPs.join(', ')}`];
    let status: 'pass' | 'warn' | 'fail' = 'pass';
    const fixes: string[] = [];

    const microsoft = c.EFSkipIPs.filter((e) => M365_SET.overlaps(e));
    if (microsoft.length > 0) {
      status = 'warn';
      evidence.push(
        `${label}: EFSkipIPs entries ${microsoft.join(', ')} are Microsoft 365 ranges: skipping them is not supported (eop-model EF-5 [D] S19)`,
      );
      fixes.push(
        `Set-InboundConnector -Identity ${psQuote(found.name)} -EFSkipIPs @{Remove=${microsoft.map(psQuote).join(',')}}`,
      );
    }
    if (skip.invalid.length > 0) {
      status = 'warn';
      evidence.push(
        `${label}: EFSkipIPs entries ${skip.invalid.join(', ')} are not an IP, CIDR or a-b range`,
      );
    }
    if (ctx.gateway.ips.length === 0) {
      evidence.push(
        "the gateway's IPs are not known (declare gateway.ips in mxlock.yaml), so coverage cannot be checked",
      );
      const out: CheckOutcome = { status: status === 'warn' ? 'warn' : 'unknown', evidence };
      if (fixes.length > 0) out.remediation = { powershell: fixes.join('\n'), portal: PORTAL };
      return out;
    }
    const uncovered = ctx.gateway.ips.filter((ip) => !skip.covers(ip));
    if (uncovered.length > 0) {
      status = 'fail';
      evidence.push(
        `${label}: EFSkipIPs does not cover gateway ${uncovered.join(', ')}: mail through those hops is authenticated against the gateway's IP, not the original sender (eop-model EF-2 [D] S19)`,
      );
      fixes.unshift(
        `Set-InboundConnector -Identity ${psQuote(found.name)} -EFSkipIPs @{Add=${uncovered.map(psQuote).join(',')}}`,
      );
    } else {
      evidence.push(`EFSkipIPs covers every gateway entry (${ctx.gateway.ips.join(', ')})`);
    }
    const out: CheckOutcome = { status, evidence };
    if (fixes.length > 0) out.remediation = { powershell: fixes.join('\n'), portal: PORTAL };
    return out;
  },
};
