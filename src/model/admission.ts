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
 *
 * Pure; shared by the inventory check and the planner so that both judge admission the same way.
 */
import type { InboundConnector } from '../snapshot/schema.js';
import { domainPatternMatches } from './domains.js';
import { IpSet } from './ip.js';

export type AdmissionKind =
  /** Exempt from RejectDirectSend and satisfies the lock-down (an OnPremises connector, or a Partner connector restricting by IP whose SenderDomains cover every domain the source sends as). */
  | 'admitted'
  /** A Partner connector covering the source's domains lists it but does not restrict by IP: admitted once it restricts, which must happen with the lock-down (not before: a restricting connector scoped to an own domain refuses that domain's mail from every other source). */
  | 'restrict-with-lockdown'
  /** Listed only on connectors that cannot satisfy the lock-down for its domains: exempt from RejectDirectSend, refused with 5.7.51 once the lock-down is on. */
  | 'exempt-only'
  /** No enabled connector lists it. */
  | 'none';

export interface SourceAdmission {
  kind: AdmissionKind;
  /** The connectors behind the verdict (for `none`, empty). */
  connectors: InboundConnector[];
  /** For `exempt-only`: why each listing connector does not satisfy the lock-down. */
  reasons: string[];
}

const nameOf = (c: InboundConnector) => c.Name ?? c.Identity ?? '(unnamed)';

/** Every domain the source sends as is covered by the connector's SenderDomains (CON-2 [D]; `*` and `*.x` patterns). */
function coversDomains(c: InboundConnector, domains: readonly string[]): boolean {
  const patterns = c.SenderDomains ?? [];
  return domains.every((d) => patterns.some((p) => domainPatternMatches(p, d)));
}

/**
 * The admission of one source address. `domains`: the lower-case domains the source sends as (P1, §12 OQ-3); with
 * none known, only connectors with SenderDomains `*` can be said to cover it.
 */
export function admissionOf(
  connectors: readonly InboundConnector[],
  ip: string,
  domains: readonly string[],
): SourceAdmission {
  const listing = connectors.filter(
    (c) => c.Enabled === true && new IpSet(c.SenderIPAddresses ?? []).covers(ip),
  );
  if (listing.length === 0) return { kind: 'none', connectors: [], reasons: [] };
  // Without the source's domains, only SenderDomains `*` is sure to cover what it sends as.
  const covering = (c: InboundConnector) =>
    domains.length === 0 ? (c.SenderDomains ?? []).includes('*') : coversDomains(c, domains);
  const what = domains.length > 0 ? domains.join(', ') : 'every domain (its senders are not declared)';
  const admitting = listing.filter(
    (c) =>
      c.ConnectorType === 'OnPremises' ||
      (c.ConnectorType === 'Partner' && c.RestrictDomainsToIPAddresses === true && covering(c)),
  );
  if (admitting.length > 0) return { kind: 'admitted', connectors: admitting, reasons: [] };
  // A connector that restricts by certificate is satisfied by the certificate only, and IPs and a certificate do not
  // belong in one connector (CON-3 [D]): restricting it by IP as well is no remedy.
  const pending = listing.filter(
    (c) => c.ConnectorType === 'Partner' && covering(c) && c.RestrictDomainsToCertificate !== true,
  );
  if (pending.length > 0) return { kind: 'restrict-with-lockdown', connectors: pending, reasons: [] };
  const reasons = listing.map((c) =>
    c.ConnectorType !== 'Partner'
      ? `connector '${nameOf(c)}' lists ${ip} but its ConnectorType is ${c.ConnectorType ?? 'not exported'}`
      : covering(c)
        ? `connector '${nameOf(c)}' lists ${ip} but restricts by certificate, which the source does not present (CON-5; CON-3: IPs and a certificate belong in separate connectors)`
        : `connector '${nameOf(c)}' lists ${ip} but its SenderDomains (${(c.SenderDomains ?? []).join(', ') || 'not exported'}) do not cover ${what}`,
  );
  return { kind: 'exempt-only', connectors: listing, reasons };
}

/** The worst admission over a source's addresses (`none` < `exempt-only` < `restrict-with-lockdown` < `admitted`). */
export function sourceAdmission(
  connectors: readonly InboundConnector[],
  ips: readonly string[],
  domains: readonly string[],
): SourceAdmission & { perIp: { ip: string; admission: SourceAdmission }[] } {
  const order: AdmissionKind[] = ['none', 'exempt-only', 'restrict-with-lockdown', 'admitted'];
  const perIp = ips.map((ip) => ({ ip, admission: admissionOf(connectors, ip, domains) }));
  let worst: SourceAdmission = { kind: 'admitted', connectors: [], reasons: [] };
  for (const { admission } of perIp)
    if (order.indexOf(admission.kind) < order.indexOf(worst.kind)) worst = admission;
  const connectorsAll = [...new Set(perIp.flatMap((p) => p.admission.connectors))];
  return {
    kind: ips.length === 0 ? 'none' : worst.kind,
    connectors: connectorsAll,
    reasons: perIp.flatMap((p) => p.admission.reasons),
    perIp,
  };
}

/**
 * The SenderIPAddresses entries that admit mail sent as `domain` once the lock-down is on (admitted, or to be
 * restricted with it): enabled OnPremises connectors, and enabled Partner connectors whose SenderDomains cover it.
 */
export function admittingEntries(connectors: readonly InboundConnector[], domain: string): string[] {
  return connectors
    .filter(
      (c) =>
        c.Enabled === true &&
        (c.ConnectorType === 'OnPremises' || (c.ConnectorType === 'Partner' && coversDomains(c, [domain]))),
    )
    .flatMap((c) => c.SenderIPAddresses ?? []);
}
