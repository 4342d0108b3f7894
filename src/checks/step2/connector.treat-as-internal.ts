/**
 * TreatMessagesAsInternal makes mail whose sender domain is a tenant domain internal, which bypasses anti-spam
 * (eop-model §2.2 [D], CON-8; §10 A7): anyone matching the connector can then spoof your domains past filtering.
 */
import type { Check } from '../types.js';
import { connectorName, EAC_CONNECTORS, LEARN, psQuote, show } from '../util.js';
import { inboundConnectors, prop } from './connectors.js';

const PORTAL = `No portal setting shows TreatMessagesAsInternal: use Exchange Online PowerShell. Review the connector in ${EAC_CONNECTORS}.`;

export const check: Check = {
  id: 'connector.treat-as-internal',
  step: 2,
  title: 'No inbound connector treats messages as internal (TreatMessagesAsInternal false)',
  severity: 'high',
  references: ['eop-model §2.2 [D]', 'eop-model CON-8 [D]', 'eop-model §10 A7', LEARN.newInboundConnector],
  remediation: {
    powershell: "Set-InboundConnector -Identity 'From on-premises' -TreatMessagesAsInternal $false",
    portal: PORTAL,
  },
  reads: { 'Get-InboundConnector': ['Enabled', 'TreatMessagesAsInternal'] },
  evaluate(ctx) {
    const gate = inboundConnectors(ctx);
    if (!gate.ok) return gate.outcome;
    if (gate.value.length === 0) return { status: 'pass', evidence: ['no inbound connectors'] };
    const internal = gate.value.filter((c) => c.TreatMessagesAsInternal === true);
    if (internal.length > 0) {
      return {
        status: 'fail',
        evidence: [
          ...internal.map((c) => `${prop(c, 'TreatMessagesAsInternal')} (Enabled = ${show(c.Enabled)})`),
          'mail from your own domains through this connector is treated as internal and bypasses anti-spam (eop-model §2.2 [D]); for hybrid Exchange use CloudServicesMailEnabled instead',
        ],
        remediation: {
          powershell: internal
            .map(
              (c) =>
                `Set-InboundConnector -Identity ${psQuote(connectorName(c))} -TreatMessagesAsInternal $false`,
            )
            .join('\n'),
          portal: PORTAL,
        },
      };
    }
    const missing = gate.value.filter((c) => c.TreatMessagesAsInternal === undefined);
    if (missing.length > 0)
      return { status: 'unknown', evidence: missing.map((c) => prop(c, 'TreatMessagesAsInternal')) };
    return {
      status: 'pass',
      evidence: [`${gate.value.length} inbound connector(s), none with TreatMessagesAsInternal = true`],
    };
  },
};
