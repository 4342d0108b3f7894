/**
 * "The gateway connector" of step 5: the inbound connector the gateway delivers through, which is where Enhanced
 * Filtering is configured (eop-model §5 EF-2, per inbound connector [D] S8, S19).
 */
import type { InboundConnector } from '../../snapshot/schema.js';
import { IpSet } from '../../model/ip.js';
import type { CheckContext, Remediation } from '../types.js';
import { activeLockdowns, connectorName, isLockdown, isPartner, psQuote } from '../util.js';

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

export const EF_PORTAL =
  'https://security.microsoft.com → Email & collaboration → Policies & rules → Threat policies → Enhanced filtering (https://security.microsoft.com/skiplisting) → select the gateway connector';

export const EF_REFS = [
  'https://learn.microsoft.com/exchange/mail-flow-best-practices/use-connectors-to-configure-mail-flow/enhanced-filtering-for-connectors',
  'https://learn.microsoft.com/powershell/module/exchangepowershell/set-inboundconnector',
];

/**
 * The enabled Partner connector with SenderDomains `*` that matches the gateway by IP overlap or by certificate name;
 * failing that, the enabled lock-down connector (util.isLockdown), which by construction carries the gateway's mail.
 */
export function findGatewayConnector(ctx: CheckContext): GatewayConnectorLookup {
  const connectors = ctx.tenant.inboundConnectors;
  if (!connectors) return { kind: 'not-exported', evidence: 'Get-InboundConnector.json was not exported' };
  const gatewayIps = new IpSet(ctx.gateway.ips);
  const cert = ctx.gateway.certificate?.trim().toLowerCase();

  const matches: { connector: InboundConnector; basis: string }[] = [];
  for (const c of connectors) {
    if (c.Enabled !== true || !isPartner(c) || !(c.SenderDomains ?? []).includes('*')) continue;
    const shared =
      gatewayIps.size > 0 ? (c.SenderIPAddresses ?? []).filter((e) => gatewayIps.overlaps(e)) : [];
    if (shared.length > 0)
      matches.push({
        connector: c,
        basis: `its SenderIPAddresses overlap the gateway's IPs (${shared.join(', ')})`,
      });
    else if (cert !== undefined && c.TlsSenderCertificateName === cert) {
      matches.push({
        connector: c,
        basis: `its TlsSenderCertificateName is the gateway's certificate '${cert}'`,
      });
    }
  }
  // Among several matches the restricting one is the gateway's real entry point (the others only attribute mail).
  const best = matches.find((m) => isLockdown(m.connector)) ?? matches[0];
  if (best)
    return found(
      best.connector,
      `enabled Partner connector with SenderDomains *; ${best.basis}`,
      matches.filter((m) => m !== best).map((m) => m.connector),
    );

  const lockdown = activeLockdowns(ctx)[0];
  if (lockdown)
    return found(
      lockdown,
      "the enabled lock-down connector (none matched the gateway's IPs or certificate)",
      [],
    );
  return {
    kind: 'none',
    evidence:
      "no enabled Partner connector with SenderDomains * matches the gateway's IPs or certificate, and no enabled lock-down connector exists",
  };
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
