/**
 * Whether a Direct Send source (a printer, an application, a SaaS sender: its IPs and the domains it sends as) is
 * admitted by the tenant's inbound connectors, for the two controls that refuse it (DESIGN §6):
 *
 * - RejectDirectSend exempts a message that ANY enabled connector matches by IP or certificate, whatever its
 *   SenderDomains (eop-model DS-2 [D], March 2026 wording).
 * - The lock-down (a restricting Partner connector whose SenderDomains cover the P1 domain) refuses it with 5.7.51
 *   unless the connection satisfies SOME restricting Partner connector in scope — by IP when it restricts by IP —
 *   (CON-5 [D]; "one satisfying connector suffices", §12 OQ-2 [I]) or matches an OnPremises connector (§12 [I]).
 *   A Partner connector that lists the source but does not restrict, or whose SenderDomains miss the source's
 *   domain, satisfies nothing: it exempts the source from RejectDirectSend only.
 * - A connector applies only to the recipient domains in its AssociatedAcceptedDomains (empty = every accepted
 *   domain; §2.2 [D] S8, CON-5 [D]): one scoped to other recipient domains admits nothing for the source's mail.
 *
 * Pure; shared by the inventory check and the planner so that both judge admission the same way.
 */
import type { InboundConnector } from '../snapshot/schema.js';
import {
  connectorName,
  coversSenders,
  isEnabled,
  isOnPremises,
  isPartner,
  recipientGap,
  restrictsByCertificate,
  restrictsByIp,
} from './connectors.js';
import { IpSet, IpSetIndex, parseIpEntry } from '../common/ip.js';

export type AdmissionKind =
  /** Exempt from RejectDirectSend and satisfies the lock-down (an OnPremises connector, or a Partner connector restricting by IP whose SenderDomains cover every domain the source sends as), for every recipient domain it delivers to. */
  | 'admitted'
  /** A Partner connector covering the source's domains lists it but does not restrict: admitted once it restricts by IP, which must happen with the lock-down (not before: a restricting connector scoped to an own domain refuses that domain's mail from every other source). */
  | 'restrict-with-lockdown'
  /** Listed only on connectors that cannot satisfy the lock-down for its domains: exempt from RejectDirectSend, refused with 5.7.51 once the lock-down is on. */
  | 'exempt-only'
  /** No enabled connector lists it. */
  | 'none';

/**
 * Whether a source with this admission needs a route it does not have for the lock-down and RejectDirectSend: nothing
 * lists it, or only connectors that cannot satisfy the lock-down do (the inventory check and devices.submission-route
 * ask this one question). A source listed on a Partner connector that is to restrict by IP keeps its route.
 */
export function needsNewRoute(kind: AdmissionKind): boolean {
  return kind === 'none' || kind === 'exempt-only';
}

export interface SourceAdmission {
  kind: AdmissionKind;
  /** The connectors behind the verdict (for `none`, empty). */
  connectors: InboundConnector[];
  /** For `exempt-only`: why each listing connector does not satisfy the lock-down. */
  reasons: string[];
}

/** Where the source's mail goes and what it sends as: the two scopes a connector must cover to admit it. */
export interface AdmissionScope {
  /** Lower-case domains the source sends as (P1, §12 OQ-3); empty = not declared, then only SenderDomains `*` covers. */
  senders: readonly string[];
  /**
   * Lower-case accepted domains it delivers to (`deviceRecipientDomains`); empty = unknown, then only a connector
   * with an empty AssociatedAcceptedDomains covers.
   */
  recipients: readonly string[];
  /**
   * The connector the lock-down restricts by certificate (the plan's, or the one the profile's certificate names).
   * It is judged as restricting by certificate whatever it does today: IPs and a certificate do not share a connector
   * (CON-3 [D]), so it never admits a source by IP, nor is it restricted by IP for one.
   */
  lockedByCertificate?: InboundConnector | undefined;
}

/**
 * The recipient domains a Direct Send source is taken to deliver to: the default accepted domain and every accepted
 * domain outside onmicrosoft.com. Devices and applications write to users' primary addresses, which live in the
 * custom domains; the *.onmicrosoft.com and *.mail.onmicrosoft.com domains are routing addresses (and Microsoft
 * manages their SPF). All of them must be covered by a connector's AssociatedAcceptedDomains for it to admit the
 * source: a scan to a user in an uncovered domain is refused like any other (CON-5 [D]). The declared-source path
 * (model/paths.ts) sends to a user of the default domain, which is always one of these.
 */
export function deviceRecipientDomains(domainNames: readonly string[], defaultDomain?: string): string[] {
  const custom = domainNames.map((d) => d.toLowerCase()).filter((d) => !d.endsWith('.onmicrosoft.com'));
  const all = defaultDomain ? [defaultDomain.toLowerCase(), ...custom] : custom;
  return [...new Set(all)].sort();
}

const certificateLocked = (c: InboundConnector, scope: AdmissionScope) =>
  c === scope.lockedByCertificate || restrictsByCertificate(c);

/** The connector admits mail sent as `senders` to `recipients` from an address it lists (CON-5 [D], §12 [I]). */
function admits(c: InboundConnector, scope: AdmissionScope): boolean {
  if (!isEnabled(c) || recipientGap(c, scope.recipients) !== undefined) return false;
  if (isOnPremises(c)) return true;
  return restrictsByIp(c) && !certificateLocked(c, scope) && coversSenders(c, scope.senders);
}

/**
 * The connector would admit the source once it restricts by IP: a Partner connector in scope that restricts by
 * neither IP nor certificate. One restricting by certificate is satisfied by the certificate only, and IPs and a
 * certificate do not belong in one connector (CON-3 [D]): restricting it by IP as well is no remedy.
 */
function pending(c: InboundConnector, scope: AdmissionScope): boolean {
  return (
    isEnabled(c) &&
    isPartner(c) &&
    !restrictsByIp(c) &&
    !certificateLocked(c, scope) &&
    coversSenders(c, scope.senders) &&
    recipientGap(c, scope.recipients) === undefined
  );
}

/** Why a connector that lists `ip` neither admits the source nor would once restricted. */
function reasonFor(c: InboundConnector, ip: string, scope: AdmissionScope): string {
  const what =
    scope.senders.length > 0 ? scope.senders.join(', ') : 'every domain (its senders are not declared)';
  const head = `connector '${connectorName(c)}' lists ${ip} but`;
  if (!isPartner(c) && !isOnPremises(c))
    return `${head} its ConnectorType is ${c.ConnectorType ?? 'not exported'}`;
  const gap = recipientGap(c, scope.recipients);
  if (isOnPremises(c)) return `${head} ${gap ?? 'it does not admit the source'}`;
  if (!coversSenders(c, scope.senders))
    return `${head} its SenderDomains (${(c.SenderDomains ?? []).join(', ') || 'not exported'}) do not cover ${what}`;
  if (gap !== undefined) return `${head} ${gap}`;
  if (c === scope.lockedByCertificate && !restrictsByCertificate(c))
    return `${head} the lock-down restricts it by certificate, which the source does not present (CON-5; CON-3 [D]: IPs and a certificate belong in separate connectors)`;
  return `${head} restricts by certificate, which the source does not present (CON-5; CON-3: IPs and a certificate belong in separate connectors)`;
}

/**
 * The enabled connectors with their SenderIPAddresses compiled once, indexed by address: which of them list a source
 * address is then found without testing each (a tenant may have thousands; stage 0 and the inventory ask per source).
 * The connectors are read when this is built: build it again if they change.
 */
export class ConnectorAddresses {
  private readonly enabled: InboundConnector[];
  private readonly sets: IpSet[];
  private readonly index: IpSetIndex;

  constructor(connectors: readonly InboundConnector[]) {
    this.enabled = connectors.filter(isEnabled);
    this.sets = this.enabled.map((c) => new IpSet(c.SenderIPAddresses ?? []));
    this.index = new IpSetIndex(this.sets);
  }

  /**
   * The enabled connectors whose SenderIPAddresses cover every address of `ip` (`IpSet.covers`), in configuration
   * order. A set covering an entry contains its first address, so only the sets holding that address are tested.
   */
  listing(ip: string): InboundConnector[] {
    const e = parseIpEntry(ip);
    if (e.kind === 'invalid') return [];
    return this.index
      .lookup(e.kind === 'v4' ? e.range.lo : e.net[0])
      .filter((i) => this.sets[i]!.covers(ip))
      .map((i) => this.enabled[i]!);
  }
}

const addressesOf = (connectors: readonly InboundConnector[] | ConnectorAddresses) =>
  connectors instanceof ConnectorAddresses ? connectors : new ConnectorAddresses(connectors);

/**
 * The admission of one source address (IP or range: every address of it must be listed). Pass a ConnectorAddresses
 * when asking about many addresses of one tenant.
 */
export function admissionOf(
  connectors: readonly InboundConnector[] | ConnectorAddresses,
  ip: string,
  scope: AdmissionScope,
): SourceAdmission {
  const listing = addressesOf(connectors).listing(ip);
  if (listing.length === 0) return { kind: 'none', connectors: [], reasons: [] };
  const admitting = listing.filter((c) => admits(c, scope));
  if (admitting.length > 0) return { kind: 'admitted', connectors: admitting, reasons: [] };
  const toRestrict = listing.filter((c) => pending(c, scope));
  if (toRestrict.length > 0) return { kind: 'restrict-with-lockdown', connectors: toRestrict, reasons: [] };
  return { kind: 'exempt-only', connectors: listing, reasons: listing.map((c) => reasonFor(c, ip, scope)) };
}

const ORDER: AdmissionKind[] = ['none', 'exempt-only', 'restrict-with-lockdown', 'admitted'];

/**
 * The worst admission over a source's addresses (`none` < `exempt-only` < `restrict-with-lockdown` < `admitted`).
 * `connectors` are those of the addresses whose admission is that worst kind only, so a `restrict-with-lockdown`
 * verdict never names another address's OnPremises connector (CON-4 [D]: only Partner connectors restrict); act on
 * `perIp` when the addresses differ.
 */
export function sourceAdmission(
  connectors: readonly InboundConnector[] | ConnectorAddresses,
  ips: readonly string[],
  scope: AdmissionScope,
): SourceAdmission & { perIp: { ip: string; admission: SourceAdmission }[] } {
  const addresses = addressesOf(connectors);
  const perIp = ips.map((ip) => ({ ip, admission: admissionOf(addresses, ip, scope) }));
  if (perIp.length === 0) return { kind: 'none', connectors: [], reasons: [], perIp };
  let kind: AdmissionKind = 'admitted';
  for (const { admission } of perIp)
    if (ORDER.indexOf(admission.kind) < ORDER.indexOf(kind)) kind = admission.kind;
  const worst = perIp.filter((p) => p.admission.kind === kind);
  return {
    kind,
    connectors: [...new Set(worst.flatMap((p) => p.admission.connectors))],
    reasons: perIp.flatMap((p) => p.admission.reasons),
    perIp,
  };
}

/**
 * The enabled connectors that bear on mail sent as `domain` once the lock-down is on: `admitting` (their listed
 * addresses satisfy it: OnPremises, or Partner restricting by IP with the domain in scope) and `pending` (Partner
 * connectors covering the domain that do not restrict: their addresses are exempt from RejectDirectSend today but get
 * 550 5.7.51 once the lock-down is on, unless the connector is restricted with it).
 */
export function connectorsFor(
  connectors: readonly InboundConnector[],
  domain: string,
  recipients: readonly string[],
  lockedByCertificate?: InboundConnector,
): { admitting: InboundConnector[]; pending: InboundConnector[] } {
  const scope: AdmissionScope = { senders: [domain], recipients, lockedByCertificate };
  return {
    admitting: connectors.filter((c) => admits(c, scope)),
    pending: connectors.filter((c) => pending(c, scope)),
  };
}

/**
 * The declared Direct Send sources that deliver through an IP lock-down listing `connectorIps`: matched by it, they are
 * held to its RequireTls (CON-6 [D]), and a device that sends in plain text is then refused. An address inside the
 * gateway's own ranges is the gateway's traffic. One decision for the plan (which leaves RequireTls as it is) and
 * connector.require-tls (which then warns instead of proposing $true).
 */
export function sourcesOnIpLockdown<S extends { ips: readonly string[] }>(
  connectorIps: readonly string[],
  declared: readonly S[],
  gatewayIps: readonly string[],
): S[] {
  const listed = new IpSet(connectorIps);
  const gateway = new IpSet(gatewayIps);
  return declared.filter((s) => s.ips.some((ip) => listed.overlaps(ip) && !gateway.covers(ip)));
}

/**
 * The source addresses that lie within the gateway's egress ranges, each with the ranges that contain it, as the
 * warning says it: `203.0.113.50 lies within the gateway's addresses (203.0.113.0/24)`. Those addresses also carry the
 * gateway's other customers' mail, so admitting them by IP lets those customers past the lock-down. Undefined when
 * none does. One wording for inventory.direct-send-sources and the plan.
 */
export function withinGatewayText(
  sourceIps: readonly string[],
  gatewayIps: readonly string[],
): string | undefined {
  const parts = sourceIps.flatMap((ip) => {
    const containing = gatewayIps.filter((g) => new IpSet([g]).overlaps(ip));
    return containing.length > 0
      ? [`${ip} lies within the gateway's addresses (${containing.join(', ')})`]
      : [];
  });
  return parts.length > 0 ? parts.join('; ') : undefined;
}
