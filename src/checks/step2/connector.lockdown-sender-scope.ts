/**
 * The restriction only applies to mail whose P1 domain is in the connector's SenderDomains (eop-model CON-2, CON-5
 * [D]; P1 per §12 OQ-3). A lock-down scoped to a few domains leaves mail with any other MAIL FROM domain unrestricted.
 */
import type { Check } from '../types.js';
import { connectorName, EAC_CONNECTORS, isLockdown, isRestricting, LEARN, psQuote, show } from '../util.js';
import {
  connectorLabel,
  gatewaySatisfies,
  inboundConnectors,
  prop,
  restrictGatewayScript,
  unclassifiedConnectors,
} from './connectors.js';
import { LOCKDOWN_READS } from './connectors.js';

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
    'Get-InboundConnector': [...LOCKDOWN_READS, 'SenderIPAddresses', 'TlsSenderCertificateName'],
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
    // Only a connector the gateway satisfies may become the `*` lock-down: widening a device connector would refuse
    // every gateway delivery with 5.7.51 (eop-model CON-5 [D]).
    const target = restricting.find((c) => c.Enabled !== false && gatewaySatisfies(ctx.gateway, c) === 'yes');
    return {
      status: 'fail',
      evidence: [
        ...restricting.map((c) => prop(c, 'SenderDomains')),
        'no restricting connector has SenderDomains *: mail whose MAIL FROM domain is not listed is not restricted and can be delivered directly (eop-model CON-5 [D], §12 OQ-3 → P1)',
      ],
      remediation: {
        powershell: target
          ? [
              `# Either widen the gateway's connector to every sender domain:`,
              `Set-InboundConnector -Identity ${psQuote(connectorName(target))} -SenderDomains '*'`,
              '# or keep it as it is and add a separate lock-down connector with SenderDomains * (see connector.lockdown-missing).',
            ].join('\n')
          : [
              `# Keep the scoped connector(s) for their devices (the gateway does not satisfy them: widening one to * would refuse all gateway mail with 5.7.51), and lock down the gateway's path:`,
              restrictGatewayScript(gate.value, ctx.gateway),
            ].join('\n'),
        portal: PORTAL,
      },
    };
  },
};
