/**
 * Without a Partner connector that restricts by IP or certificate, <tenant>.mail.protection.outlook.com accepts mail
 * from anyone, whatever the MX says (eop-model CON-5 [D], §10 A1; Ghost-Sender [C] S37). OnPremises connectors cannot
 * restrict (CON-4 [D]).
 */
import type { Check } from '../types.js';
import { EAC_CONNECTORS, isRestricting, LEARN, show } from '../util.js';
import {
  connectorLabel,
  GATEWAY_CHOICE_READS,
  gatewayLockdownScript,
  inboundConnectors,
  lockdownConnectorScript,
  unclassifiedConnectors,
} from './connectors.js';
import { NO_GATEWAY } from '../../common/gateway.js';

const PORTAL = `${EAC_CONNECTORS} → Add a connector: Connection from Partner organization, to Office 365; authenticate by the certificate subject the gateway presents (preferred) or by its IP addresses; reject messages not sent over TLS; save and enable`;

export const check: Check = {
  id: 'connector.lockdown-missing',
  requiresGateway: true,
  step: 2,
  title:
    'A Partner inbound connector restricts delivery to the gateway (RestrictDomainsToCertificate or RestrictDomainsToIPAddresses)',
  severity: 'critical',
  references: [
    'eop-model CON-5 [D]',
    'eop-model CON-4 [D]',
    'eop-model §10 A1',
    'field-notes 2',
    LEARN.thirdPartyCloud,
    LEARN.newInboundConnector,
  ],
  remediation: {
    powershell: lockdownConnectorScript(NO_GATEWAY),
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
    if (restricting.length > 0) {
      return {
        status: 'pass',
        evidence: restricting.map(
          (c) =>
            `${connectorLabel(c)}: ConnectorType = 'Partner', RestrictDomainsToIPAddresses = ${show(c.RestrictDomainsToIPAddresses)}, RestrictDomainsToCertificate = ${show(c.RestrictDomainsToCertificate)}, Enabled = ${show(c.Enabled)}`,
        ),
      };
    }
    const unclassified = unclassifiedConnectors(gate.value);
    if (unclassified.length > 0) {
      return {
        status: 'unknown',
        evidence: [
          ...unclassified,
          'cannot tell whether any Partner connector restricts by IP or certificate',
        ],
      };
    }
    const evidence =
      gate.value.length === 0
        ? ['no inbound connectors at all']
        : gate.value.map(
            (c) =>
              `${connectorLabel(c)}: ConnectorType = '${c.ConnectorType ?? ''}'${c.ConnectorType === 'Partner' ? ', RestrictDomainsToIPAddresses = false, RestrictDomainsToCertificate = false' : ' (restrictions apply to Partner connectors only, CON-4 [D])'}`,
          );
    evidence.push(
      'anyone on the internet can deliver straight to <tenant>.mail.protection.outlook.com and skip the gateway (Ghost-Sender, eop-model §10 A1 [D]/[C])',
    );
    return {
      status: 'fail',
      evidence,
      // The connector the plan's stage 2 restricts, or creates (model/gateway-connector.ts): one answer for both.
      remediation: { powershell: gatewayLockdownScript(gate.value, ctx.gateway), portal: PORTAL },
    };
  },
};
