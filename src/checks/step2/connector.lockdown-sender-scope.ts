/**
 * The restriction only applies to mail whose P1 domain is in the connector's SenderDomains (eop-model CON-2, CON-5
 * [D]; P1 per §12 OQ-3). A lock-down scoped to a few domains leaves mail with any other MAIL FROM domain unrestricted.
 */
import type { Check } from '../types.js';
import { EAC_CONNECTORS, isLockdown, isRestricting, LEARN, show } from '../util.js';
import {
  connectorLabel,
  gatewayLockdownScript,
  inboundConnectors,
  prop,
  unclassifiedConnectors,
} from './connectors.js';
import { GATEWAY_CHOICE_READS } from './connectors.js';

const PORTAL = `${EAC_CONNECTORS} → select the gateway connector → Edit sent email identity / domains: use * (all sender domains)`;

export const check: Check = {
  id: 'connector.lockdown-sender-scope',
  requiresGateway: true,
  step: 2,
  title: 'A restricting Partner connector covers every sender domain (SenderDomains *)',
  severity: 'high',
  references: [
    'eop-model CON-2 [D]',
    'eop-model CON-5 [D]',
    'eop-model §12 OQ-3 [C]',
    'field-notes 3',
    LEARN.thirdPartyCloud,
    LEARN.newInboundConnector,
  ],
  remediation: {
    powershell: "Set-InboundConnector -Identity 'From Secure Email Gateway' -SenderDomains '*'",
    portal: PORTAL,
  },
  reads: {
    'Get-InboundConnector': GATEWAY_CHOICE_READS,
  },
  checklist: 'checklist.connector-lockdown',
  evaluate(ctx) {
    const gate = inboundConnectors(ctx);
    if (!gate.ok) return gate.outcome;
    const restricting = gate.value.filter(isRestricting);
    const unclassified = unclassifiedConnectors(gate.value);
    if (restricting.length === 0) {
      if (unclassified.length > 0)
        return {
          status: 'unknown',
          evidence: [...unclassified, 'cannot tell whether a restricting connector exists'],
        };
      return {
        status: 'not-applicable',
        evidence: ['no restricting Partner connector exists (see connector.lockdown-missing)'],
      };
    }
    const lockdowns = restricting.filter(isLockdown);
    if (lockdowns.length > 0) {
      const scoped = restricting.filter((c) => !isLockdown(c));
      const evidence = lockdowns.map((c) => prop(c, 'SenderDomains'));
      for (const c of scoped) {
        evidence.push(
          `${connectorLabel(c)}: SenderDomains = ${show(c.SenderDomains)}: an extra restricting connector scoped to some domains (e.g. for a device) is fine beside the * connector; one satisfied connector admits the message (eop-model §12 OQ-2 [I])`,
        );
      }
      return { status: 'pass', evidence };
    }
    if (unclassified.length > 0) {
      return {
        status: 'unknown',
        evidence: [...unclassified, ...restricting.map((c) => prop(c, 'SenderDomains'))],
      };
    }
    // The `*` lock-down is the gateway connector the plan's stage 2 restricts (model/gateway-connector.ts), never a
    // scoped connector widened to `*`: widening a device connector the gateway does not satisfy would refuse every
    // gateway delivery with 5.7.51 (eop-model CON-5 [D]), and the plan and this report must name the same connector.
    return {
      status: 'fail',
      evidence: [
        ...restricting.map((c) => prop(c, 'SenderDomains')),
        'no restricting connector has SenderDomains *: mail whose MAIL FROM domain is not listed is not restricted and can be delivered directly (eop-model CON-5 [D], §12 OQ-3 → P1)',
      ],
      remediation: {
        powershell: [
          "# Keep the scoped connector(s) for their senders (one satisfying restricting connector suffices, §12 OQ-2 [I]), and lock down the gateway's path for every sender domain:",
          gatewayLockdownScript(gate.value, ctx.gateway),
        ].join('\n'),
        portal: PORTAL,
      },
    };
  },
};
