/**
 * Most cloud gateways share egress IPs among their customers: an IP-only lock-down still admits mail that another
 * customer of the same gateway sends straight to this tenant (eop-model §10 A3, §4.4 [D] S9; field-notes 4). Microsoft
 * calls the certificate restriction "preferred" (S9).
 */
import { certificateMatches } from '../../common/domains.js';
import type { Check } from '../types.js';
import { connectorName, EAC_CONNECTORS, LEARN, psQuote } from '../util.js';
import { connectorLabel, enabledLockdowns, gatewayLockdownScript } from './connectors.js';
import { GATEWAY_CHOICE_READS } from './connectors.js';

const PORTAL = `${EAC_CONNECTORS} → select the gateway's lock-down connector → Edit sent email identity: authenticate by the certificate subject the gateway presents instead of its IP addresses`;

export const check: Check = {
  id: 'connector.ip-only',
  requiresGateway: true,
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
  reads: {
    // The remediation names the gateway's connector as the plan chooses it (GATEWAY_CHOICE_READS).
    'Get-InboundConnector': GATEWAY_CHOICE_READS,
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
      // One satisfied restricting connector admits a message (§12 OQ-2 [I]): an IP restriction beside the certificate
      // one still lets anyone on the gateway's shared IPs through (§10 A3).
      const byIp = gate.value.filter((c) => c.RestrictDomainsToIPAddresses === true);
      if (byIp.length > 0) {
        return {
          status: 'warn',
          evidence: [
            ...lines,
            ...byIp.map(
              (c) =>
                `${connectorLabel(c)}: RestrictDomainsToIPAddresses = true: any sender on these (shared) IPs satisfies it, whatever certificate it presents; one satisfied restricting connector admits the message (eop-model CON-5 [D], §12 OQ-2 [I], §10 A3)`,
            ),
            ...simulated,
          ],
          remediation: {
            powershell: [
              '# Once the gateway delivers with its certificate (observe 1–2 days), stop admitting by IP:',
              ...byIp.map((c) =>
                c.RestrictDomainsToCertificate === true
                  ? `Set-InboundConnector -Identity ${psQuote(connectorName(c))} -RestrictDomainsToIPAddresses $false -SenderIPAddresses $null`
                  : `Set-InboundConnector -Identity ${psQuote(connectorName(c))} -Enabled $false  # move its Enhanced Filtering settings to the certificate connector first (ef.configured)`,
              ),
            ].join('\n'),
            portal: PORTAL,
          },
        };
      }
      const gwCert = ctx.gateway.certificate;
      const wider = byCert.filter(
        (c) =>
          gwCert === undefined ||
          c.TlsSenderCertificateName === undefined ||
          !certificateMatches(gwCert, [c.TlsSenderCertificateName]),
      );
      if (ctx.gateway.certificateUnique && wider.length > 0) {
        return {
          status: 'info',
          evidence: [
            ...lines,
            ...wider.map((c) =>
              gwCert === undefined || c.TlsSenderCertificateName === undefined
                ? `${connectorLabel(c)}: gateway.certificateUnique = true, but the gateway certificate or the connector's TlsSenderCertificateName is not known, so uniqueness cannot be confirmed`
                : `${connectorLabel(c)}: TlsSenderCertificateName '${c.TlsSenderCertificateName}' is wider than the tenant-unique certificate '${gwCert}': certificates under it that are not yours satisfy it too (eop-model CON-1 [D])`,
            ),
            ...simulated,
          ],
        };
      }
      const ipFlagUnknown = gate.value.filter((c) => c.RestrictDomainsToIPAddresses === undefined);
      if (ctx.gateway.certificateUnique && ipFlagUnknown.length > 0) {
        return {
          status: 'unknown',
          evidence: [
            ...lines,
            ...ipFlagUnknown.map(
              (c) =>
                `${connectorLabel(c)}: RestrictDomainsToIPAddresses missing: it may still admit the gateway's shared IPs`,
            ),
          ],
        };
      }
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
        // The plan's stage 2 on the same connector (model/gateway-connector.ts): the gateway's lock-down turns to its
        // certificate in place, keeping its Enhanced Filtering settings; rollback.ps1 restores the IP restriction.
        powershell: ctx.gateway.certificate
          ? gatewayLockdownScript(ctx.tenant.inboundConnectors, ctx.gateway)
          : [
              "# Declare gateway.certificate in mxlock.yaml (the name your gateway presents; ask the vendor for one unique to your tenant), then run mxlock plan: stage 2 turns the gateway's lock-down to that certificate in place:",
              gatewayLockdownScript(ctx.tenant.inboundConnectors, {
                ...ctx.gateway,
                certificate: '<certificate name the gateway presents>',
              }),
            ].join('\n'),
        portal: PORTAL,
      },
    };
  },
};
