/** eop-model §6.5, §10 A11: the connection filter's IP Allow List skips spam filtering for whole IPs (IPV:CAL). */
import { IpSet } from '../../common/ip.js';
import type { Check } from '../types.js';
import { psQuote } from '../util.js';
import { ANTI_SPAM_PORTAL } from './antispam-portal.js';
import {
  CONNECTION_FILTER,
  absent,
  note,
  outcomeOf,
  perPolicyRemediation,
  reviewPolicies,
  type Note,
} from './shared.js';
import { mergeReads } from '../catalog.js';

const PORTAL = `${ANTI_SPAM_PORTAL} → Connection filter policy (Default) → Edit connection filter policy → Always allow messages from the following IP addresses or address range`;

export const check: Check = {
  id: 'connfilter.ip-allow-list',
  step: 4,
  title: 'The connection filter IP Allow List is empty',
  severity: 'medium',
  references: [
    'eop-model §10 A11 [D] S30, S57',
    'eop-model §6.5 IPAllowList skips spam filtering (IPV:CAL) [D] S30, S32; SCuBA: no allow-list entries [C] S57',
    'eop-model EF-1 [D] S19 (Enhanced Filtering, not an allow list, is how EOP should treat the gateway)',
    'hardening-guide step 4.3 (avoid allow lists)',
    'https://learn.microsoft.com/defender-office-365/connection-filter-policies-configure',
    'https://learn.microsoft.com/powershell/module/exchangepowershell/set-hostedconnectionfilterpolicy',
  ],
  remediation: {
    powershell: "Set-HostedConnectionFilterPolicy -Identity 'Default' -IPAllowList @{Remove='192.0.2.25'}",
    portal: PORTAL,
  },
  reads: mergeReads(CONNECTION_FILTER.reads, {
    'Get-HostedConnectionFilterPolicy': ['IPAllowList'],
  }),
  evaluate(ctx) {
    const gateway = new IpSet(ctx.gateway.ips);
    const { notes, flagged } = reviewPolicies(ctx, CONNECTION_FILTER, ({ policy, label }) => {
      const list = policy.IPAllowList;
      if (list === undefined) return [absent(label, 'IPAllowList')];
      if (list.length === 0) return [note('ok', `${label}: IPAllowList is empty`)];
      const out: Note[] = [
        note(
          'fail',
          `${label}: IPAllowList = ${list.join(', ')} (mail from these IPs skips spam filtering, IPV:CAL, eop-model §6.5 [D] S30)`,
        ),
      ];
      const viaGateway = gateway.size > 0 ? list.filter((e) => gateway.overlaps(e)) : [];
      if (viaGateway.length > 0) {
        out.push(
          note(
            'fail',
            `${label}: IPAllowList entries ${viaGateway.join(', ')} are gateway IPs: Enhanced Filtering on the gateway connector is the supported way to handle the gateway (eop-model EF-1 [D] S19; see ef.configured), and gateway IPs are shared with its other customers (field-notes 4)`,
          ),
        );
      }
      return out;
    });
    return outcomeOf(
      notes,
      perPolicyRemediation(flagged, PORTAL, ({ policy, name }) => {
        const list = policy.IPAllowList ?? [];
        return list.length > 0
          ? `Set-HostedConnectionFilterPolicy -Identity ${psQuote(name)} -IPAllowList @{Remove=${list.map(psQuote).join(',')}}`
          : undefined;
      }),
    );
  },
};
