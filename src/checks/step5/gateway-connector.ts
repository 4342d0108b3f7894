/**
 * "The gateway connector" of step 5: the inbound connector the gateway delivers through, which is where Enhanced
 * Filtering is configured (eop-model §5 EF-2, per inbound connector [D] S8, S19).
 */
import type { InboundConnector } from '../../snapshot/schema.js';
import {
  gatewayConnectorChoice,
  rankGatewayConnectors,
  type GatewayMatch,
} from '../../model/gateway-connector.js';
import type { CheckContext, ExportProperty, Remediation } from '../types.js';
import { connectorName, psQuote } from '../util.js';
import { GATEWAY_CHOICE_READS } from '../step2/connectors.js';

export type GatewayConnectorLookup =
  | { kind: 'not-exported'; evidence: string }
  | { kind: 'none'; evidence: string }
  | {
      kind: 'found';
      connector: InboundConnector;
      name: string;
      label: string;
      basis: string;
      /** Other enabled `*` Partner connectors that match the gateway too: EOP may attribute its mail to them. */
      others: InboundConnector[];
    };

/** What the gateway-connector lookup and the Enhanced Filtering settings read, for the declarations of the ef.* checks. */
export const EF_CONNECTOR_READS = [
  ...GATEWAY_CHOICE_READS,
  'EFSkipIPs',
  'EFSkipLastIP',
] as const satisfies readonly ExportProperty<'Get-InboundConnector'>[];

export const EF_PORTAL =
  'https://security.microsoft.com → Email & collaboration → Policies & rules → Threat policies → Enhanced filtering (https://security.microsoft.com/skiplisting) → select the gateway connector';

export const EF_REFS = [
  'https://learn.microsoft.com/exchange/mail-flow-best-practices/use-connectors-to-configure-mail-flow/enhanced-filtering-for-connectors',
  'https://learn.microsoft.com/powershell/module/exchangepowershell/set-inboundconnector',
];

/**
 * The gateway connector of step 5: model/gateway-connector.ts's choice among the enabled candidates, the one that
 * matches the gateway (IP overlap or certificate, CON-1 [D]) or, failing any match, restricts (the lock-down, which by
 * construction carries the gateway's mail, CON-5 [D]). Disabled connectors never carry mail (eop-model §2.2 [D] S8), so
 * they are never reported here; a lock-down the gateway does not match is still returned, and
 * connector.lockdown-gateway-coverage reports the mismatch.
 */
export function findGatewayConnector(ctx: CheckContext): GatewayConnectorLookup {
  const connectors = ctx.tenant.inboundConnectors;
  if (!connectors) return { kind: 'not-exported', evidence: 'Get-InboundConnector.json was not exported' };
  const best = gatewayConnectorChoice(connectors, ctx.gateway, { enabledOnly: true }).candidate;
  if (!best) {
    return {
      kind: 'none',
      evidence:
        "no enabled Partner connector with SenderDomains * matches the gateway's IPs or certificate, and no enabled lock-down connector exists",
    };
  }
  if (best.match.by === 'none')
    return found(
      best.connector,
      "the enabled lock-down connector (none matched the gateway's IPs or certificate)",
      [],
    );
  // The others that match too: EOP may attribute the gateway's mail to any of them (which one is undocumented).
  const others = rankGatewayConnectors(connectors, ctx.gateway)
    .filter((c) => c.enabled && c.connector !== best.connector && c.match.by !== 'none')
    .map((c) => c.connector);
  return found(
    best.connector,
    `enabled Partner connector with SenderDomains *; ${matchBasis(best.match)}`,
    others,
  );
}

function matchBasis(match: Exclude<GatewayMatch, { by: 'none' }>): string {
  if (match.by === 'ip')
    return `its SenderIPAddresses overlap the gateway's IPs (${match.entries.join(', ')})`;
  return match.name.trim().toLowerCase() === match.certificate.toLowerCase()
    ? `its TlsSenderCertificateName is the gateway's certificate '${match.certificate}'`
    : `its TlsSenderCertificateName '${match.name}' covers the gateway's certificate '${match.certificate}'`;
}

function found(
  connector: InboundConnector,
  basis: string,
  others: InboundConnector[],
): GatewayConnectorLookup {
  const name = connectorName(connector);
  return { kind: 'found', connector, name, label: `inbound connector '${name}'`, basis, others };
}

/** Whether skip listing is on (EF-2 [D]): EFSkipLastIP, or a non-empty EFSkipIPs. `undefined` when the export cannot tell. */
export function efEnabled(c: InboundConnector): boolean | undefined {
  if (c.EFSkipLastIP === true || (c.EFSkipIPs?.length ?? 0) > 0) return true;
  if (c.EFSkipLastIP === undefined || c.EFSkipIPs === undefined) return undefined;
  return false;
}

/** Microsoft's recommended EF setting for the gateway connector: skip the gateway's IPs when known, else the last hop. */
export function enableEfRemediation(ctx: CheckContext, connectorIdentity: string): Remediation {
  const ips = ctx.gateway.ips;
  const powershell =
    ips.length > 0
      ? `Set-InboundConnector -Identity ${psQuote(connectorIdentity)} -EFSkipLastIP $false -EFSkipIPs ${ips.map(psQuote).join(',')}`
      : `Set-InboundConnector -Identity ${psQuote(connectorIdentity)} -EFSkipLastIP $true`;
  return {
    powershell,
    portal: `${EF_PORTAL} → Skip these IP addresses that are associated with the connector (the gateway's public IPs) → Apply to entire organization`,
  };
}
