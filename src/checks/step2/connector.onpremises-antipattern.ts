/**
 * An OnPremises connector is attributed by its certificate domain first (eop-model ATT-2 [D] S14); a certificate name
 * that is not an accepted domain breaks attribution (5.7.51, S11) and an OnPremises connector carrying the gateway's
 * IPs or certificate is refused by the cmdlet ([C] S48) and may let gateway-shared traffic skip the Partner restriction
 * (§12, [I]). §10 A6.
 */
import { certificateMatches, domainOrSubdomain } from '../../common/domains.js';
import { IpSet } from '../../common/ip.js';
import type { InboundConnector } from '../../snapshot/schema.js';
import type { Check, CheckContext, CheckOutcome } from '../types.js';
import {
  commentSafe,
  connectorName,
  EAC_CONNECTORS,
  isOnPremises,
  LEARN,
  notExported,
  psQuote,
  worst,
} from '../util.js';
import { connectorLabel, inboundConnectors } from './connectors.js';

const PORTAL = `${EAC_CONNECTORS} → select the connector from "Your organization's email server": use a certificate whose name is one of your accepted domains, and keep gateway IPs on the Partner lock-down connector only`;

interface Part {
  status: CheckOutcome['status'];
  line: string;
  fix?: string;
}

/** A certificate name is acceptable when it is an accepted domain, a subdomain of one, or a wildcard under one. */
function certInAcceptedDomains(ctx: CheckContext, name: string): boolean {
  const base = name.startsWith('*.') ? name.slice(2) : name;
  return ctx.tenant.domainNames.some((d) => domainOrSubdomain(d, base));
}

function review(ctx: CheckContext, c: InboundConnector): Part[] {
  const parts: Part[] = [];
  const label = `${connectorLabel(c)} (OnPremises)`;
  const name = c.TlsSenderCertificateName;
  if (name !== undefined) {
    if (ctx.tenant.acceptedDomains === undefined) {
      parts.push({
        status: 'unknown',
        line: `${label}: TlsSenderCertificateName = '${name}': ${notExported('Get-AcceptedDomain')}, cannot compare with accepted domains`,
      });
    } else if (!certInAcceptedDomains(ctx, name)) {
      parts.push({
        status: 'fail',
        line: `${label}: TlsSenderCertificateName = '${name}' is not an accepted domain nor under one: attribution by certificate domain fails and mail may be rejected with 5.7.51 (eop-model ATT-2 [D] S14, S11)`,
        fix: `Set-InboundConnector -Identity ${psQuote(connectorName(c))} -TlsSenderCertificateName '<certificate name in an accepted domain>'`,
      });
    } else {
      parts.push({
        status: 'pass',
        line: `${label}: TlsSenderCertificateName = '${name}' is under an accepted domain`,
      });
    }
    const gwCert = ctx.gateway.certificate;
    if (gwCert && (certificateMatches(name, [gwCert]) || certificateMatches(gwCert, [name]))) {
      parts.push({
        status: 'fail',
        line: `${label}: TlsSenderCertificateName = '${name}' matches the gateway certificate '${gwCert}': the gateway belongs on the Partner lock-down connector (eop-model CON-4 [D], §12)`,
        // Disabling it would cut hybrid mail flow when it also serves on-premises servers: narrow the name instead.
        fix: [
          `# Narrow the name to your on-premises servers' certificate so it no longer covers the gateway's (keep hybrid mail flowing):`,
          `Set-InboundConnector -Identity ${psQuote(connectorName(c))} -TlsSenderCertificateName '<on-premises server certificate name, in an accepted domain>'`,
          `# If the connector exists only for the gateway, once the Partner lock-down carries it: Set-InboundConnector -Identity ${commentSafe(psQuote(connectorName(c)))} -Enabled $false`,
        ].join('\n'),
      });
    }
  }
  const ips = c.SenderIPAddresses;
  if (ips === undefined) {
    parts.push({ status: 'unknown', line: `${label}: SenderIPAddresses missing` });
  } else if (ips.length > 0) {
    if (ctx.gateway.ips.length === 0) {
      parts.push({
        status: 'unknown',
        line: `${label}: SenderIPAddresses = [${ips.join(', ')}]: gateway IPs unknown, cannot tell whether they are the gateway's (declare gateway.ips in mxlock.yaml)`,
      });
    } else {
      const gw = new IpSet(ctx.gateway.ips);
      const overlap = ips.filter((e) => gw.overlaps(e));
      if (overlap.length > 0) {
        parts.push({
          status: 'fail',
          line: `${label}: SenderIPAddresses ${overlap.join(', ')} overlap the gateway IPs: gateway (possibly shared) traffic matched as your own servers may skip the Partner restriction (eop-model §12 [I]; the cmdlet refuses vendor IPs, [C] S48)`,
          fix: `Set-InboundConnector -Identity ${psQuote(connectorName(c))} -SenderIPAddresses @{Remove=${overlap.map(psQuote).join(',')}}`,
        });
      } else {
        parts.push({
          status: 'pass',
          line: `${label}: SenderIPAddresses = [${ips.join(', ')}] are not gateway IPs`,
        });
      }
    }
  }
  return parts;
}

export const check: Check = {
  id: 'connector.onpremises-antipattern',
  step: 2,
  title:
    "OnPremises connectors identify your own servers by a certificate in an accepted domain, never by the gateway's IPs",
  severity: 'high',
  references: [
    'eop-model ATT-2 [D]',
    'eop-model CON-4 [D]',
    'eop-model §2.2 [C] S48',
    'eop-model §10 A6',
    'eop-model §12',
    LEARN.useConnectors,
    LEARN.newInboundConnector,
  ],
  remediation: {
    powershell: [
      "Set-InboundConnector -Identity 'From on-premises' -TlsSenderCertificateName 'mail.contoso.com'",
      "Set-InboundConnector -Identity 'From on-premises' -SenderIPAddresses @{Remove='203.0.113.10'}",
    ].join('\n'),
    portal: PORTAL,
  },
  reads: {
    'Get-AcceptedDomain': ['DomainName'],
    'Get-InboundConnector': ['ConnectorType', 'Enabled', 'SenderIPAddresses', 'TlsSenderCertificateName'],
  },
  evaluate(ctx) {
    const gate = inboundConnectors(ctx);
    if (!gate.ok) return gate.outcome;
    const onPrem = gate.value.filter(isOnPremises);
    const unknownType = gate.value.filter(
      (c) => c.ConnectorType === undefined || c.ConnectorType.startsWith('#'),
    );
    if (onPrem.length === 0) {
      if (unknownType.length > 0)
        return {
          status: 'unknown',
          evidence: unknownType.map((c) => `${connectorLabel(c)}: ConnectorType missing or unknown`),
        };
      return { status: 'not-applicable', evidence: ['no OnPremises inbound connectors'] };
    }
    const parts: Part[] = unknownType.map((c) => ({
      status: 'unknown',
      line: `${connectorLabel(c)}: ConnectorType missing or unknown`,
    }));
    for (const c of onPrem) {
      if (c.Enabled === false) {
        parts.push({
          status: 'pass',
          line: `${connectorLabel(c)} (OnPremises): Enabled = false, not reviewed`,
        });
        continue;
      }
      for (const p of review(ctx, c)) {
        // With Enabled missing a finding cannot be confirmed: it is unknown, not a fail.
        parts.push(
          c.Enabled === undefined && p.status === 'fail'
            ? { ...p, status: 'unknown', line: `${p.line} (Enabled missing)` }
            : p,
        );
      }
    }
    if (parts.length === 0)
      parts.push({
        status: 'pass',
        line: 'OnPremises connectors carry neither a certificate name nor IPs to review',
      });
    const outcome: CheckOutcome = {
      status: worst(parts.map((p) => p.status)),
      evidence: parts.map((p) => p.line),
    };
    const fixes = parts.flatMap((p) => (p.fix && p.status === 'fail' ? [p.fix] : []));
    if (fixes.length > 0) outcome.remediation = { powershell: fixes.join('\n'), portal: PORTAL };
    return outcome;
  },
};
