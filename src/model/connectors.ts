/**
 * The inbound-connector predicates, in one place (eop-model §2.2, CON-1–CON-5, §12): what makes a connector a Partner
 * or OnPremises one, enabled, restricting (by IP, by certificate), open to every sender domain (`*`), in scope for a
 * sender or recipient domain, and the lock-down. Checks (src/checks/util.ts re-exports them), the gateway-connector
 * ranking, admission, profile inference and the planner read these. The simulator's versions over its compiled
 * connectors are at the end of this file (they ask its "world" about what the export lacks instead of answering
 * false), and test/model/connectors.test.ts holds the two sets to the same answers whenever nothing is missing. Pure.
 *
 * Three-valued where the export may lack a property: the boolean predicates answer `true` only when the export says
 * so (an absent `Enabled` is not "enabled", DESIGN §1.1); callers that must tell "no" from "not exported" read the
 * property themselves.
 */
import type { InboundConnector } from '../snapshot/schema.js';
import type { Tri } from './config.js';
import { domainPatternMatches } from '../common/domains.js';
import { normalisedPatternMatches, type ConnectorPlan } from './precompiled.js';

/** `Name`, else `Identity`: how evidence and scripts name a connector. */
export function connectorName(c: InboundConnector): string {
  return c.Name ?? c.Identity ?? '(unnamed connector)';
}

/** `ConnectorType = Partner`: restrictions exist on these only (CON-4 [D]). */
export const isPartner = (c: InboundConnector): boolean => c.ConnectorType === 'Partner';

/** `ConnectorType = OnPremises`. */
export const isOnPremises = (c: InboundConnector): boolean => c.ConnectorType === 'OnPremises';

/** `Enabled = true`; absent is unknown, not enabled (a disabled connector never matches, §2.2 [D] S8). */
export const isEnabled = (c: InboundConnector): boolean => c.Enabled === true;

/** A Partner connector with RestrictDomainsToIPAddresses (CON-5 [D]). */
export const restrictsByIp = (c: InboundConnector): boolean =>
  isPartner(c) && c.RestrictDomainsToIPAddresses === true;

/** A Partner connector with RestrictDomainsToCertificate (CON-5 [D]). */
export const restrictsByCertificate = (c: InboundConnector): boolean =>
  isPartner(c) && c.RestrictDomainsToCertificate === true;

/**
 * A Partner connector restricting by IP or certificate (CON-5 [D]), enabled or not. OnPremises connectors have no
 * restriction (CON-4 [D]), whatever flags an export shows on them.
 */
export function isRestricting(c: InboundConnector): boolean {
  return restrictsByIp(c) || restrictsByCertificate(c);
}

/** SenderDomains include `*`: the connector applies to every sender domain (CON-2 [D]; HCW's `smtp:*;1` reads as `*`). */
export const coversEverySender = (c: InboundConnector): boolean => (c.SenderDomains ?? []).includes('*');

/** A restricting Partner connector for every sender domain: the SEG lock-down role (CON-5 [D], field-notes 3). */
export function isLockdown(c: InboundConnector): boolean {
  return isRestricting(c) && coversEverySender(c);
}

/** Enabled lock-down connectors. `Enabled` absent counts as unknown, so it is not included here. */
export function enabledLockdowns(connectors: readonly InboundConnector[] | undefined): InboundConnector[] {
  return (connectors ?? []).filter((c) => isLockdown(c) && isEnabled(c));
}

/**
 * Whether the SenderDomains entry `outer` covers every domain `inner` covers: `*` covers all, `*.contoso.com` the
 * domain and its subdomains (CON-2 [D] S8 wildcard rule, domains.domainPatternMatches), a plain domain only itself.
 */
export function senderPatternCovers(outer: string, inner: string): boolean {
  const o = outer.trim().toLowerCase();
  const i = inner.trim().toLowerCase();
  if (o === '*') return true;
  if (i === '*') return false;
  // A wildcard is covered only by a pattern that itself covers a whole subtree.
  if (i.startsWith('*.')) return o.startsWith('*.') && domainPatternMatches(o, i.slice(2));
  return domainPatternMatches(o, i);
}

/**
 * The connector's SenderDomains cover every one of `domains` (CON-2 [D]; compared with the P1 domain, §12 OQ-3). With
 * no domains (senders not declared) only `*` covers.
 */
export function coversSenders(c: InboundConnector, domains: readonly string[]): boolean {
  const patterns = c.SenderDomains ?? [];
  if (domains.length === 0) return patterns.includes('*');
  return domains.every((d) => patterns.some((p) => domainPatternMatches(p, d)));
}

/**
 * Why the connector's AssociatedAcceptedDomains miss some of `recipients`, or undefined when they cover them all
 * (empty = every accepted domain, §2.2 [D] S8, CON-5 [D]). Not exported is not taken as "all" (DESIGN §1.1).
 */
export function recipientGap(c: InboundConnector, recipients: readonly string[]): string | undefined {
  const associated = c.AssociatedAcceptedDomains;
  if (associated === undefined) return 'its AssociatedAcceptedDomains were not exported';
  if (associated.length === 0) return undefined;
  const scoped = new Set(associated.map((d) => d.toLowerCase()));
  if (recipients.length === 0)
    return `its AssociatedAcceptedDomains (${associated.join(', ')}) limit it to some recipient domains and the tenant's accepted domains are not known`;
  const missing = recipients.filter((r) => !scoped.has(r.toLowerCase()));
  return missing.length === 0
    ? undefined
    : `its AssociatedAcceptedDomains (${associated.join(', ')}) do not include ${missing.join(', ')}, which the source delivers to (CON-5 [D]: a connector applies to its associated recipient domains only)`;
}

// ---------------------------------------------------------------------------------------------------------------
// The same rules over the simulator's compiled connectors (precompiled.ts ConnectorPlan). A setting the export lacks
// is not answered here: it is asked of the evaluation's world (world.ts World), which explores both values.

/** How one simulated world answers a setting the export lacks (world.ts World). */
export interface WorldAnswers {
  b(value: Tri, what: string): boolean;
}

/** Partner or OnPremises; an unexported ConnectorType is an unknown of the world. */
export function planIsPartner(p: ConnectorPlan, w: WorldAnswers): boolean {
  const t = p.c.type;
  if (t !== 'unknown') return t === 'Partner';
  return w.b(undefined, p.kType);
}

/** The first matched connector that is an OnPremises one (asking the world about each type up to it). */
export function firstOnPremises(
  matched: readonly ConnectorPlan[],
  w: WorldAnswers,
): ConnectorPlan | undefined {
  for (const p of matched) if (!planIsPartner(p, w)) return p;
  return undefined;
}

/** CON-5: enabled, Partner (CON-4), and restricting by IP or certificate: `isEnabled && isRestricting` above. */
export function planRestricts(p: ConnectorPlan, w: WorldAnswers): boolean {
  return (
    w.b(p.c.enabled, p.kEnabled) &&
    planIsPartner(p, w) &&
    (w.b(p.c.restrictIp, p.kRestrictIp) || w.b(p.c.restrictCert, p.kRestrictCert))
  );
}

/** Whether one of a connector's SenderDomains patterns covers a lower-case domain (CON-2). */
export function patternsCover(p: ConnectorPlan, domain: string): boolean {
  const patterns = p.senderPatterns;
  for (let i = 0; i < patterns.length; i++) if (normalisedPatternMatches(patterns[i]!, domain)) return true;
  return false;
}

/**
 * CON-2: SenderDomains is compared with the P1 domain (§12 OQ-3 → P1 [C]); a null sender only under `*`.
 * `coversSenders` above, for one domain.
 */
export function planSenderInScope(p: ConnectorPlan, w: WorldAnswers, p1Domain: string | undefined): boolean {
  const c = p.c;
  if (!c.senderDomainsKnown)
    return w.b(undefined, `connector '${c.name}' SenderDomains (covering ${p1Domain ?? '<>'})`);
  return p1Domain === undefined ? c.senderDomains.includes('*') : patternsCover(p, p1Domain);
}

/**
 * AssociatedAcceptedDomains lists accepted domains: the recipient's accepted domain must be one of them, empty = all
 * [D] S8. `recipientGap` above, for one domain.
 */
export function planRcptInScope(
  p: ConnectorPlan,
  w: WorldAnswers,
  rcptDomain: string | undefined,
  rcpt: string,
): boolean {
  const c = p.c;
  if (!c.associatedDomainsKnown)
    return w.b(undefined, `connector '${c.name}' AssociatedAcceptedDomains (covering ${rcptDomain ?? rcpt})`);
  return (
    c.associatedDomains.length === 0 || (rcptDomain !== undefined && c.associatedDomains.includes(rcptDomain))
  );
}
