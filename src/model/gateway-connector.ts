/**
 * "The gateway connector": the Partner inbound connector with SenderDomains `*` that the Secure Email Gateway
 * delivers through and that, once it restricts by IP or certificate, is the lock-down (hardening guide step 2).
 * One ranking for everything that needs it: inferring the gateway (src/profile/infer.ts), the step-5 Enhanced
 * Filtering checks (src/checks/step5/gateway-connector.ts) and the planner (src/plan/planner.ts). Pure.
 *
 * Candidates are the Partner connectors whose SenderDomains include `*` (CON-2 [D] S8: only those see every sender
 * domain; HCW writes `smtp:*;1`, which the reader normalises to `*`). They are ranked by three keys, in this order:
 *
 * 1. Matching the gateway before not matching it (CON-1 [D] S8, S9): some SenderIPAddresses entry overlaps a gateway
 *    IP or range, or TlsSenderCertificateName covers the gateway's certificate (equal ignoring case, or its `*.`
 *    wildcard covers the name: domains.certificateMatches). Overlap, not full coverage: a connector listing part of
 *    the gateway's ranges is still the gateway's; whether it covers all of them is connector.lockdown-gateway-coverage's
 *    question. With the gateway unknown (being inferred) nothing matches.
 * 2. Enabled before not enabled. `Enabled = false` never matches a connection (eop-model §2.2 [D] S8); `Enabled`
 *    absent is unknown and is not taken as evidence either way, so it ranks with the disabled (DESIGN §1.1).
 * 3. Restricting (RestrictDomainsToIPAddresses or RestrictDomainsToCertificate) before not (CON-3 [D] S10: the
 *    restricting connector takes precedence, so among several matches it is the gateway's real entry point).
 *
 * Ties keep export order. `gatewayConnectorChoice` below is the one answer every caller reads: the planner's stage 2
 * and the step-2 checks' remediation take the first candidate of all (stage 2 may re-enable it); the step-5 checks,
 * which report what EOP does today, take the first enabled one (a disabled connector is never "the lock-down").
 */
import { hasGateway, type GatewaySource } from '../common/gateway.js';
import type { InboundConnector } from '../snapshot/schema.js';
import { connectorName, coversEverySender, isEnabled, isPartner, isRestricting } from './connectors.js';
import { certificateMatches } from '../common/domains.js';
import { IpSet } from '../common/ip.js';

/** What is known of the gateway (a ResolvedGateway fits): egress IPs/ranges and the certificate name it presents. */
export interface GatewayKeys {
  readonly ips: readonly string[];
  readonly certificate?: string | undefined;
}

/** How a connector matches the gateway (CON-1 [D]). */
export type GatewayMatch =
  /** `entries`: the connector's SenderIPAddresses entries that overlap a gateway IP or range. */
  | { by: 'ip'; entries: string[] }
  /** `name`: the connector's TlsSenderCertificateName, which covers the gateway's `certificate`. */
  | { by: 'certificate'; name: string; certificate: string }
  | { by: 'none' };

export interface GatewayConnectorCandidate {
  connector: InboundConnector;
  /** `Enabled === true`. */
  enabled: boolean;
  /** RestrictDomainsToIPAddresses or RestrictDomainsToCertificate is true (CON-5 [D]). */
  restricting: boolean;
  match: GatewayMatch;
  /**
   * 0–7, lower first: +4 when it does not match the gateway, +2 when not enabled, +1 when it does not restrict.
   * 0 the lock-down in place · 1 the gateway's connector before step 2 · 2–3 the same, not enabled · 4 an enabled
   * lock-down the gateway does not match (a misconfiguration, or a gateway only partly known;
   * connector.lockdown-gateway-coverage reports it) · 5 an enabled `*` connector that neither matches nor restricts · 6–7 the same, not enabled.
   */
  rank: number;
}

/** How `c` matches the gateway by IP overlap first, else by certificate; `none` when the gateway is unknown. */
export function matchGateway(c: InboundConnector, gateway: GatewayKeys | undefined): GatewayMatch {
  if (gateway === undefined) return { by: 'none' };
  if (gateway.ips.length > 0) {
    const gatewayIps = new IpSet(gateway.ips);
    const entries = (c.SenderIPAddresses ?? []).filter((e) => gatewayIps.overlaps(e));
    if (entries.length > 0) return { by: 'ip', entries };
  }
  const certificate = gateway.certificate?.trim();
  const name = c.TlsSenderCertificateName;
  if (certificate && name !== undefined && name.trim() !== '' && certificateMatches(name, [certificate]))
    return { by: 'certificate', name, certificate };
  return { by: 'none' };
}

/**
 * Every Partner connector with SenderDomains `*`, ranked as the header says (best first, export order within a
 * rank). `gateway` undefined: the gateway is being inferred from these very connectors, so nothing matches and the
 * ranking is enabled, then restricting. `connectors` undefined (not exported) gives no candidates.
 */
export function rankGatewayConnectors(
  connectors: readonly InboundConnector[] | undefined,
  gateway: GatewayKeys | undefined,
): GatewayConnectorCandidate[] {
  const candidates: GatewayConnectorCandidate[] = [];
  for (const connector of connectors ?? []) {
    if (!isPartner(connector) || !coversEverySender(connector)) continue;
    const enabled = isEnabled(connector);
    const restricting = isRestricting(connector);
    const match = matchGateway(connector, gateway);
    const rank = (match.by !== 'none' ? 0 : 4) + (enabled ? 0 : 2) + (restricting ? 0 : 1);
    candidates.push({ connector, enabled, restricting, match, rank });
  }
  // Array.prototype.sort is stable (ES2019), so export order survives within a rank.
  return candidates.sort((a, b) => a.rank - b.rank);
}

/**
 * Whether a candidate can be "the gateway connector" once the gateway is known: it matches the gateway, or it
 * restricts (then it is the tenant's lock-down, which by construction is where the gateway's mail must enter,
 * CON-5 [D]). A `*` connector that does neither is some other partner's, or an allow-by-domain leftover (CON-3 [D]).
 */
export function isGatewayCandidate(c: GatewayConnectorCandidate): boolean {
  return c.match.by !== 'none' || c.restricting;
}

/** What the gateway connector decision needs of the gateway: its keys, and its name for a connector the plan creates. */
export interface GatewayIdentity extends GatewayKeys {
  readonly name?: string | undefined;
}

/** The gateway's connector, as stage 2 of the plan finds it (or the one it creates). */
export interface GatewayConnectorChoice {
  /** The best-ranked candidate that can be the gateway's; undefined when stage 2 must create one. */
  candidate: GatewayConnectorCandidate | undefined;
  /** `candidate.connector`, for callers that want the export object. */
  connector: InboundConnector | undefined;
  /** Its name (connectors.connectorName), or the name stage 2 gives the connector it creates. */
  name: string;
  /**
   * The gateway's IP entries its SenderIPAddresses do not cover (every entry when it is created). Coverage is a
   * property of the gateway connector, reported by connector.lockdown-gateway-coverage and completed by the plan; it
   * never makes another connector the gateway's (CON-5 [D]: a missing range is refused with 5.7.51 until added).
   */
  missingIps: string[];
}

/**
 * Whether nothing is known to tell the gateway's mail by (no gateway, or neither IPs nor a certificate): then there is
 * no gateway connector to name, the plan is refused, and the checks that verify one answer `unknown` (DESIGN §1.1).
 */
export function gatewayUnknown(gateway: GatewayKeys & { readonly source: GatewaySource }): boolean {
  return !hasGateway(gateway) || (gateway.ips.length === 0 && !gateway.certificate);
}

/** The name stage 2 gives the lock-down connector it creates when no connector can be the gateway's. */
export function newGatewayConnectorName(gatewayName: string | undefined): string {
  return `mxlock - From ${gatewayName ?? 'Secure Email Gateway'}`;
}

/**
 * THE gateway connector: the one decision that the plan's stage 2 restricts (or creates) and that the step-2 checks'
 * remediation names. The best-ranked candidate that matches the gateway or already restricts (isGatewayCandidate),
 * enabled or not: a disabled match ranks above a lock-down the gateway does not match, since it already names the
 * gateway and restricting it includes enabling it, so reusing it beats creating a duplicate. Ties keep export order.
 * `enabledOnly` asks what carries the gateway's mail today (step 5): a disabled connector never does (§2.2 [D] S8).
 */
export function gatewayConnectorChoice(
  connectors: readonly InboundConnector[] | undefined,
  gateway: GatewayIdentity,
  options: { enabledOnly?: boolean } = {},
): GatewayConnectorChoice {
  const ranked = rankGatewayConnectors(connectors, gateway);
  const candidate = ranked.find((c) => isGatewayCandidate(c) && (!options.enabledOnly || c.enabled));
  const listed = new IpSet(candidate?.connector.SenderIPAddresses ?? []);
  return {
    candidate,
    connector: candidate?.connector,
    name: candidate ? connectorName(candidate.connector) : newGatewayConnectorName(gateway.name),
    missingIps: gateway.ips.filter((ip) => !listed.covers(ip)),
  };
}
