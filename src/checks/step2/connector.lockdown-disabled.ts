/**
 * A disabled connector never matches (eop-model §2.2 `Enabled` [D]), so a disabled lock-down restricts nothing and
 * the tenant is as open as without one (§10 A17).
 */
import type { Check } from '../types.js';
import { connectorName, EAC_CONNECTORS, isLockdown, isRestricting, LEARN, psQuote } from '../util.js';
import { gatewayUnknown } from '../../model/gateway-connector.js';
import {
  connectorLabel,
  gatewayLockdownScript,
  inboundConnectors,
  prop,
  unclassifiedConnectors,
} from './connectors.js';
import { GATEWAY_CHOICE_READS } from './connectors.js';

const PORTAL = `${EAC_CONNECTORS} → select the lock-down connector → turn it on (Status: On)`;

function enableScript(names: readonly string[]): string {
  return [
    '# Admit legitimate Direct Send sources first (inventory.direct-send-sources), then:',
    ...names.map((n) => `Set-InboundConnector -Identity ${psQuote(n)} -Enabled $true`),
  ].join('\n');
}

export const check: Check = {
  id: 'connector.lockdown-disabled',
  requiresGateway: true,
  step: 2,
  title: 'The restricting Partner connector (SenderDomains *) is enabled',
  severity: 'critical',
  references: [
    'eop-model CON-5 [D]',
    'eop-model §2.2 [D]',
    'eop-model §10 A17',
    LEARN.newInboundConnector,
    LEARN.thirdPartyCloud,
  ],
  remediation: { powershell: enableScript(['From Secure Email Gateway']), portal: PORTAL },
  reads: { 'Get-InboundConnector': GATEWAY_CHOICE_READS },
  checklist: 'checklist.connector-lockdown',
  evaluate(ctx) {
    const gate = inboundConnectors(ctx);
    if (!gate.ok) return gate.outcome;
    const restricting = gate.value.filter(isRestricting);
    if (restricting.length === 0) {
      const unclassified = unclassifiedConnectors(gate.value);
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
    // Judge the `*` connectors; when none has `*` (connector.lockdown-sender-scope fails), judge the restricting ones.
    const candidates = lockdowns.length > 0 ? lockdowns : restricting;
    const evidence = candidates.map((c) => prop(c, 'Enabled'));
    if (lockdowns.length === 0)
      evidence.push(
        'no restricting connector has SenderDomains *: judged on the scoped ones (see connector.lockdown-sender-scope)',
      );
    if (candidates.some((c) => c.Enabled === true)) return { status: 'pass', evidence };
    // A restricting connector without SenderDomains in the export may be the `*` one, in force.
    const scopeUnknown = restricting.filter((c) => c.SenderDomains === undefined && c.Enabled !== false);
    if (lockdowns.length > 0 && scopeUnknown.length > 0) {
      return {
        status: 'unknown',
        evidence: [
          ...evidence,
          ...scopeUnknown.map(
            (c) =>
              `${prop(c, 'Enabled')}, ${connectorLabel(c)}: SenderDomains missing: it may be the lock-down`,
          ),
        ],
      };
    }
    if (candidates.some((c) => c.Enabled === undefined)) {
      return {
        status: 'unknown',
        evidence: [...evidence, 'Enabled missing: cannot tell whether the restriction is in force'],
      };
    }
    return {
      status: 'fail',
      evidence: [
        ...evidence,
        'every restricting connector is disabled: direct delivery to the tenant is not restricted (eop-model §10 A17)',
      ],
      // With the gateway known, the plan's stage 2 (model/gateway-connector.ts's choice): it enables the gateway's
      // connector, not every disabled one (one the gateway does not satisfy would refuse its mail, CON-5 [D]).
      remediation: {
        powershell: gatewayUnknown(ctx.gateway)
          ? enableScript(candidates.map(connectorName))
          : gatewayLockdownScript(gate.value, ctx.gateway),
        portal: PORTAL,
      },
    };
  },
};
