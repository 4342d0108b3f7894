/**
 * Most cloud gateways share egress IPs among their customers: an IP-only lock-down still admits mail that another
 * customer of the same gateway sends straight to this tenant (eop-model §10 A3, §4.4 [D] S9; field-notes 4). Microsoft
 * calls the certificate restriction "preferred" (S9).
 */
import type { Check } from '../types.js';
import { connectorName, EAC_CONNECTORS, LEARN, psQuote } from '../util.js';
import { connectorLabel, enabledLockdowns, certLockdownScript } from './connectors.js';

const PORTAL = `${EAC_CONNECTORS} → Add a connector from Partner organization that authenticates by the certificate subject the gateway presents; once mail flows through it, turn off the IP-bound one`;

export const check: Check = {
  id: 'connector.ip-only',
  step: 2,
  title:
    'The lock-down authenticates the gateway by a certificate unique to this tenant, not only by shared IPs',
  severity: 'medium',
  references: [
    'eop-model §10 A3',
    'eop-model §4.4 [D]',
    'eop-model CON-1 [D]',
    'field-notes 4',
    LEARN.thirdPartyCloud,
    LEARN.policyPrecedence,
  ],
  remediation: {
    powershell: [
      '# Add a certificate lock-down beside the IP one, observe, then disable the IP-bound connector:',
      "New-InboundConnector -Name 'From Secure Email Gateway' -ConnectorType Partner -SenderDomains '*' `",
      "  -RestrictDomainsToCertificate $true -TlsSenderCertificateName '*.mail-gateway.example.com' -RequireTls $true -Enabled $true",
      "Set-InboundConnector -Identity 'From SEG (IP-bound)' -Enabled $false",
    ].join('\n'),
    portal: PORTAL,
  },
  evaluate(ctx) {
    const gate = enabledLockdowns(ctx);
    if (!gate.ok) return gate.outcome;
    const shared = ctx.paths.find((p) => p.id === 'path.shared-gateway-ip');
    const simulated = shared ? [`simulated: path.shared-gateway-ip is ${shared.status}`] : [];
    const byCert = gate.value.filter((c) => c.RestrictDomainsToCertificate === true);
    if (byCert.length > 0) {
      const lines = byCert.map(
        (c) =>
          `${connectorLabel(c)}: RestrictDomainsToCertificate = true, TlsSenderCertificateName = '${c.TlsSenderCertificateName ?? '(not exported)'}'`,
      );
      if (ctx.gateway.certificateUnique) {
        return {
          status: 'pass',
          evidence: [
            ...lines,
            "gateway.certificateUnique = true: the certificate is this tenant's alone",
            ...simulated,
          ],
        };
      }
      return {
        status: 'info',
        evidence: [
          ...lines,
          "gateway.certificateUnique is not true: the gateway's certificate may be shared by its other customers, who could then deliver directly (residual path path.shared-gateway-ip); set gateway.certificateUnique: true in mxlock.yaml when the certificate is yours alone",
          ...simulated,
        ],
      };
    }
    const unknownCert = gate.value.filter((c) => c.RestrictDomainsToCertificate === undefined);
    if (unknownCert.length > 0) {
      return {
        status: 'unknown',
        evidence: unknownCert.map((c) => `${connectorLabel(c)}: RestrictDomainsToCertificate missing`),
      };
    }
    const ipOnly = gate.value;
    return {
      status: 'warn',
      evidence: [
        ...ipOnly.map(
          (c) =>
            `${connectorLabel(c)}: RestrictDomainsToIPAddresses = true, RestrictDomainsToCertificate = false`,
        ),
        "IP-only lock-down: gateway egress IPs are usually shared by the gateway's customers, so any of them can send straight to this tenant through the shared IPs (residual path path.shared-gateway-ip, eop-model §10 A3, field-notes 4); a certificate unique to this tenant closes it",
        ...simulated,
      ],
      remediation: {
        powershell: [
          '# Add a certificate lock-down beside the IP one, observe 1–2 days, then disable the IP-bound connector:',
          certLockdownScript(ctx.gateway),
          ...ipOnly.map((c) => `Set-InboundConnector -Identity ${psQuote(connectorName(c))} -Enabled $false`),
        ].join('\n'),
        portal: PORTAL,
      },
    };
  },
};
