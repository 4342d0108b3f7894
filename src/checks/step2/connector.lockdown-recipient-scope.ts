/**
 * AssociatedAcceptedDomains limits a connector to some recipient domains; empty means all, including
 * <tenant>.onmicrosoft.com (eop-model §2.2 [D], CON-5). A subset leaves the other accepted domains open to direct
 * delivery ([I] from S8 + S35/S36; [C] S54; §10 A2).
 */
import type { Check } from '../types.js';
import { connectorName, EAC_CONNECTORS, LEARN, notExported, psQuote } from '../util.js';
import { gatewayConnectorChoice } from '../../model/gateway-connector.js';
import { enabledLockdowns, prop } from './connectors.js';
import { GATEWAY_CHOICE_READS } from './connectors.js';

const PORTAL = `${EAC_CONNECTORS} → select the lock-down connector: it must not be limited to some accepted domains (clear AssociatedAcceptedDomains with PowerShell; the portal does not show it)`;

export const check: Check = {
  id: 'connector.lockdown-recipient-scope',
  requiresGateway: true,
  step: 2,
  title: 'The lock-down connector applies to every accepted domain, the onmicrosoft.com domains included',
  severity: 'high',
  references: [
    'eop-model CON-5 [D]',
    'eop-model §2.2 [D]',
    'eop-model CON-3 [D]',
    'eop-model §10 A2',
    LEARN.newInboundConnector,
    LEARN.useConnectors,
  ],
  remediation: {
    powershell: "Set-InboundConnector -Identity 'From Secure Email Gateway' -AssociatedAcceptedDomains $null",
    portal: PORTAL,
  },
  reads: {
    'Get-AcceptedDomain': ['DomainName'],
    'Get-InboundConnector': [...GATEWAY_CHOICE_READS, 'AssociatedAcceptedDomains'],
  },
  checklist: 'checklist.connector-lockdown',
  evaluate(ctx) {
    const gate = enabledLockdowns(ctx);
    if (!gate.ok) return gate.outcome;
    const lockdowns = gate.value;
    const evidence = lockdowns.map((c) => prop(c, 'AssociatedAcceptedDomains'));
    const unknownScope = lockdowns.filter((c) => c.AssociatedAcceptedDomains === undefined);
    // One lock-down without a recipient scope restricts every domain (CON-5 quantifies over connectors in scope).
    if (lockdowns.some((c) => c.AssociatedAcceptedDomains?.length === 0)) {
      return {
        status: 'pass',
        evidence: [...evidence, 'empty AssociatedAcceptedDomains = every accepted domain is restricted'],
      };
    }
    if (unknownScope.length > 0) {
      return {
        status: 'unknown',
        evidence: [
          ...evidence,
          'AssociatedAcceptedDomains missing: cannot tell which recipient domains are restricted',
        ],
      };
    }
    if (ctx.tenant.acceptedDomains === undefined) {
      return {
        status: 'unknown',
        evidence: [
          ...evidence,
          `${notExported('Get-AcceptedDomain')}: cannot tell which accepted domains are left out`,
        ],
      };
    }
    const scoped = new Set(lockdowns.flatMap((c) => c.AssociatedAcceptedDomains ?? []));
    const open = ctx.tenant.domainNames.filter((d) => !scoped.has(d));
    if (open.length === 0) {
      return {
        status: 'pass',
        evidence: [...evidence, `every accepted domain (${ctx.tenant.domainNames.join(', ')}) is listed`],
      };
    }
    // The gateway connector alone when it is one of them: empty, it restricts every accepted domain by itself (CON-5
    // quantifies over the connectors in scope), and it is the one the plan's stage 2 clears.
    const gatewayConnector = gatewayConnectorChoice(ctx.tenant.inboundConnectors, ctx.gateway).connector;
    const own = lockdowns.find((c) => c === gatewayConnector);
    const names = (own ? [own] : lockdowns).map(connectorName);
    return {
      status: 'fail',
      evidence: [
        ...evidence,
        ...open.map(
          (d) =>
            `accepted domain ${d} is not in any lock-down connector's AssociatedAcceptedDomains: mail to it can be delivered directly, bypassing the gateway`,
        ),
      ],
      remediation: {
        powershell: [
          '# Clear the recipient scope (empty = all accepted domains, including the onmicrosoft.com domains):',
          ...names.map(
            (n) => `Set-InboundConnector -Identity ${psQuote(n)} -AssociatedAcceptedDomains $null`,
          ),
        ].join('\n'),
        portal: PORTAL,
      },
    };
  },
};
