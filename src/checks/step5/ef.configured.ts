/**
 * Guide step 5 / eop-model §10 A10: Enhanced Filtering on the gateway connector, so EOP authenticates the original
 * sender rather than the gateway (EF-1 [D] S19) and applies Honor DMARC at all while the MX points elsewhere (EF-5 [D] S27).
 */
import type { Check } from '../types.js';
import { certificateMatches } from '../../common/domains.js';
import { IpSet } from '../../common/ip.js';
import type { InboundConnector } from '../../snapshot/schema.js';
import { connectorName } from '../util.js';
import {
  EF_PORTAL,
  EF_REFS,
  efEnabled,
  enableEfRemediation,
  findGatewayConnector,
} from './gateway-connector.js';
import { EF_CONNECTOR_READS } from './gateway-connector.js';

export const check: Check = {
  id: 'ef.configured',
  requiresGateway: true,
  step: 5,
  title: 'Enhanced Filtering for Connectors is enabled on the gateway connector',
  severity: 'medium',
  references: [
    'eop-model §10 A10 [D] S19, [C] S45',
    'eop-model EF-1 purpose, EF-2 configuration states [D] S8, S19',
    'eop-model EF-5 [D] S27 (with the MX elsewhere, Honor DMARC is applied only with EF on the receiving connector)',
    'hardening-guide step 5 (Enhanced Filtering for Connectors)',
    ...EF_REFS,
  ],
  remediation: {
    powershell:
      "Set-InboundConnector -Identity 'From Secure Email Gateway' -EFSkipLastIP $false -EFSkipIPs '203.0.113.10','203.0.113.11','198.51.100.0/28'",
    portal: `${EF_PORTAL} → Skip these IP addresses that are associated with the connector (the gateway's public IPs) → Apply to entire organization`,
  },
  reads: { 'Get-InboundConnector': EF_CONNECTOR_READS },
  checklist: 'checklist.enhanced-filtering',
  evaluate(ctx) {
    const found = findGatewayConnector(ctx);
    if (found.kind === 'not-exported') return { status: 'unknown', evidence: [found.evidence] };
    if (found.kind === 'none') {
      const ef = enableEfRemediation(ctx, 'From Secure Email Gateway');
      return {
        status: 'fail',
        evidence: [found.evidence, 'no connector to enable EF on; see connector.lockdown-missing'],
        remediation: {
          powershell: `# First create the gateway's lock-down connector (see connector.lockdown-missing), then enable EF on it:\n${ef.powershell}`,
          portal: ef.portal,
        },
      };
    }
    const c = found.connector;
    const head = `${found.label} is the gateway connector (${found.basis})`;
    const skipIps = c.EFSkipIPs ?? [];
    switch (efEnabled(c)) {
      case true: {
        // EF is per connector (EF-2 [D]); which of several matching connectors takes the gateway's mail is undocumented.
        const without = found.others.filter((o) => efEnabled(o) !== true);
        // A connector that alone matches some gateway addresses (the primary does not list them) certainly takes the
        // gateway's mail from there (CON-1 [D], matched by IP): with EF off on it, that mail is filtered as the gateway's.
        // Unless the primary matches the same mail by certificate (CON-1 [D]: IP or certificate): then both match it,
        // and which one EOP attributes it to is undocumented, so it stays `unknown` below.
        const primaryIps = new IpSet(c.SenderIPAddresses ?? []);
        const gatewayIps = new IpSet(ctx.gateway.ips);
        const onlyHere = (o: InboundConnector) =>
          (o.SenderIPAddresses ?? []).filter((e) => gatewayIps.overlaps(e) && !primaryIps.covers(e));
        const byCertificate = primaryMatchesByCertificate(c, ctx.gateway.certificate);
        const alone =
          byCertificate === false
            ? without.filter((o) => efEnabled(o) === false && onlyHere(o).length > 0)
            : [];
        const certificateNote =
          byCertificate === false || !without.some((o) => onlyHere(o).length > 0)
            ? []
            : [
                byCertificate
                  ? `${found.label} matches the gateway's mail by certificate too (its TlsSenderCertificateName '${c.TlsSenderCertificateName?.trim() ?? ''}' covers the gateway's certificate '${ctx.gateway.certificate?.trim() ?? ''}', CON-1 [D]), including from the addresses only the connectors below list`
                  : `${found.label} has TlsSenderCertificateName '${c.TlsSenderCertificateName?.trim() ?? ''}' and the gateway's certificate is unknown: it may match the gateway's mail by certificate (CON-1 [D]), including from the addresses only the connectors below list`,
              ];
        if (alone.length > 0) {
          return {
            status: 'fail',
            evidence: [
              head,
              `${found.label}: Enhanced Filtering is on`,
              ...alone.map(
                (o) =>
                  `inbound connector '${connectorName(o)}' alone matches the gateway's ${onlyHere(o).join(', ')} and has Enhanced Filtering off: the gateway's mail from there is authenticated against the gateway's IP (eop-model EF-1 [D] S19)`,
              ),
            ],
            remediation: enableEfRemediation(ctx, connectorName(alone[0]!)),
          };
        }
        if (without.length > 0) {
          return {
            status: 'unknown',
            evidence: [
              head,
              `${found.label}: Enhanced Filtering is on`,
              ...certificateNote,
              ...without.map(
                (o) =>
                  `inbound connector '${connectorName(o)}' also carries the gateway's mail and has Enhanced Filtering off (or not exported): which connector EOP attributes the gateway's mail to is not documented`,
              ),
            ],
            remediation: enableEfRemediation(ctx, connectorName(without[0]!)),
          };
        }
        return {
          status: 'pass',
          evidence: [
            head,
            c.EFSkipLastIP === true
              ? `${found.label}: EFSkipLastIP = true (EOP skips the gateway hop)`
              : `${found.label}: EFSkipIPs = ${skipIps.join(', ')}`,
          ],
        };
      }
      case undefined: {
        const missing = (['EFSkipLastIP', 'EFSkipIPs'] as const).filter((k) => c[k] === undefined);
        return {
          status: 'unknown',
          evidence: [head, `${found.label}: ${missing.join(', ')} absent from the export`],
        };
      }
      case false:
        return {
          status: 'fail',
          evidence: [
            head,
            `${found.label}: EFSkipLastIP = false, EFSkipIPs is empty: Enhanced Filtering is off`,
            "EOP evaluates SPF/DKIM/DMARC against the gateway's IP, so spoofs pass through as implicitly authenticated (eop-model EF-1 [D] S19)",
            'with the MX elsewhere, Honor DMARC policy is not applied without EF (eop-model EF-5 [D] S27)',
          ],
          remediation: enableEfRemediation(ctx, found.name),
        };
    }
  },
};

/**
 * Whether the gateway connector also matches the gateway's mail by certificate (CON-1 [D]: IP or certificate; the
 * `*.` wildcard rule of domains.certificateMatches). `undefined` when it names a certificate but the gateway's is
 * unknown: the gateway may present it.
 */
function primaryMatchesByCertificate(
  c: InboundConnector,
  gatewayCertificate: string | undefined,
): boolean | undefined {
  const name = c.TlsSenderCertificateName?.trim();
  if (!name) return false;
  const certificate = gatewayCertificate?.trim();
  return certificate ? certificateMatches(name, [certificate]) : undefined;
}
