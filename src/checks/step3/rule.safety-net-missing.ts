/**
 * Hardening-guide step 3: a transport rule as a second layer behind the connector lock-down, rejecting external mail
 * that did not come from the gateway (eop-model §4.6 [C] S51; acts after acceptance, TR-1 [D]).
 */
import type { Check } from '../types.js';
import { NO_GATEWAY } from '../../common/gateway.js';
import { EMPTY_PROFILE } from '../../profile/schema.js';
import { EAC_RULES, LEARN } from '../util.js';
import { blockingActions, isSafetyNet } from '../../model/safety-net.js';
import { ruleLabel, safetyNetScript, transportRules } from './safety-net.js';
import { SAFETY_NET_READS } from './safety-net.js';

const PORTAL = `${EAC_RULES} → Add a rule → Create a new rule: apply if the sender is located Outside the organization; do the following: Reject the message with the explanation; except if the sender IP address is in the gateway's ranges, or the message header X-MS-Exchange-Organization-AuthAs includes Internal, or the message type is Calendaring; mode: Test with policy tips first, then Enforce`;

export const check: Check = {
  id: 'rule.safety-net-missing',
  requiresGateway: true,
  step: 3,
  title: "A safety-net transport rule rejects external mail that did not come from the gateway's IPs",
  severity: 'high',
  references: [
    'eop-model §4.6 [C]',
    'eop-model TR-1 [D]',
    'eop-model §4.2 [D]',
    'eop-model §10 A15',
    'hardening-guide step 3',
    LEARN.newTransportRule,
    LEARN.mailFlowRules,
  ],
  remediation: {
    powershell: safetyNetScript({ gateway: NO_GATEWAY, profile: EMPTY_PROFILE }),
    portal: PORTAL,
  },
  reads: { 'Get-TransportRule': [...SAFETY_NET_READS, 'State', 'Mode'] },
  checklist: 'checklist.safety-net-rule',
  evaluate(ctx) {
    const gate = transportRules(ctx);
    if (!gate.ok) return gate.outcome;
    const nets = gate.value.filter(isSafetyNet);
    if (nets.length > 0) {
      return {
        status: 'pass',
        evidence: nets.map(
          (r) =>
            `${ruleLabel(r)}: FromScope = ${r.FromScope ?? '(none)'}, ${blockingActions(r).join(', ')}, ExceptIfSenderIpRanges = [${(r.ExceptIfSenderIpRanges ?? []).join(', ')}], State = ${r.State ?? '(not exported)'}, Mode = ${r.Mode ?? '(not exported)'}`,
        ),
      };
    }
    // Rules that look meant as a safety net but miss one part: say why they do not count.
    const nearMisses = gate.value
      .filter(
        (r) =>
          blockingActions(r).length > 0 &&
          (r.FromScope === 'NotInOrganization' || (r.ExceptIfSenderIpRanges?.length ?? 0) > 0),
      )
      .map((r) =>
        (r.ExceptIfSenderIpRanges?.length ?? 0) === 0
          ? `${ruleLabel(r)}: blocks external mail but has no ExceptIfSenderIpRanges, so it is not a gateway safety net`
          : `${ruleLabel(r)}: FromScope = ${r.FromScope ?? '(none)'}: not scoped to external senders`,
      );
    return {
      status: 'fail',
      evidence: [
        `${gate.value.length} transport rule(s), none with FromScope NotInOrganization, a reject/delete/quarantine/route action and ExceptIfSenderIpRanges`,
        ...nearMisses,
        'without it, a gap in the connector lock-down (a disabled connector, a forgotten domain) lets direct mail through unnoticed (eop-model §4.6 [C])',
      ],
      remediation: { powershell: safetyNetScript(ctx), portal: PORTAL },
    };
  },
};
