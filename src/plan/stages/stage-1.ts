/**
 * Stage 1 (guide step 3): the safety-net transport rule in AuditAndNotify at priority 0, with exceptions for the
 * gateway, the declared sources and hybrid. An existing net (model/safety-net.ts) is adopted rather than duplicated.
 */
import { isSafetyNet } from '../../model/safety-net.js';
import type { TransportRule } from '../../snapshot/schema.js';
import type { Obj } from '../drafts.js';
import { nameOf, type PlanStage } from './context.js';

export const SAFETY_NET_NAME = 'mxlock - BLOCK direct EOP ingress (bypass SEG)';
export const SAFETY_NET_REASON =
  'Mail to this organization must be delivered via the official Secure Email Gateway.';

/** The rule stages 1 and 4 work on: the export's first safety net in evaluation order, or the one stage 1 creates. */
export interface SafetyNetTarget {
  rule: TransportRule | undefined;
  name: string;
}

export function safetyNetTarget(rules: readonly TransportRule[]): SafetyNetTarget {
  const rule = rules.find((r) => isSafetyNet(r));
  return { rule, name: rule ? nameOf(rule) : SAFETY_NET_NAME };
}

export const stage1: PlanStage = {
  no: 1,
  title: 'Safety-net transport rule in audit mode (AuditAndNotify)',
  observe: 'one week: every rule match in the reports must be an attack, not legitimate mail',
  draft(ctx) {
    const { gateway: gw, profile } = ctx;
    const { rule: net, name: netName } = ctx.safetyNet;
    const hybridIps = profile.hybrid?.ips ?? [];
    // The connector flows stage 0 admits are excepted too: the net must not reject what the lock-down lets in.
    const exceptIps = [
      ...new Set([
        ...gw.ips,
        ...profile.directSendSources.flatMap((s) => s.ips),
        ...ctx.flowSources.flatMap((f) => f.ips),
        ...hybridIps,
      ]),
    ];
    const enforcedNet = net?.Mode === 'Enforce' && net.State === 'Enabled';
    ctx.drafts.push({
      stage: 1,
      title: net
        ? `Safety-net rule '${netName}': gateway exceptions, first place${enforcedNet ? '' : ', audit mode'}`
        : `Safety-net rule '${netName}' in AuditAndNotify`,
      why: [
        'a second layer that rejects external mail not arriving from the gateway, after acceptance (TR-1 [D], §4.6 [C])',
        'priority 0 so no SCL -1 or stop-processing rule above it overrides it (TR-2 [D])',
        'exceptions: the gateway, the declared sources, the partner connectors in place and hybrid (X-MS-Exchange-Organization-AuthAs Internal), calendaring (§4.6 [C] S51)',
      ],
      kind: 'TransportRule',
      identity: netName,
      object: net as Obj | undefined,
      set: {
        ...(net
          ? {}
          : {
              FromScope: 'NotInOrganization',
              RejectMessageEnhancedStatusCode: '5.7.1',
              RejectMessageReasonText: SAFETY_NET_REASON,
              ExceptIfHeaderMatchesMessageHeader: 'X-MS-Exchange-Organization-AuthAs',
              ExceptIfHeaderMatchesPatterns: ['Internal'],
              ExceptIfMessageTypeMatches: 'Calendaring',
            }),
        ExceptIfSenderIpRanges: net
          ? [...new Set([...(net.ExceptIfSenderIpRanges ?? []), ...exceptIps])]
          : exceptIps,
        ...(enforcedNet ? {} : { Mode: 'AuditAndNotify' }),
        State: 'Enabled',
        Priority: 0,
      },
    });
  },
};
