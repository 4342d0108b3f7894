/**
 * Direct Send candidates in SPF (hardening guide step 1: "every entry in your SPF record is a candidate"): the terms of
 * an own domain's SPF that authorise senders neither the gateway nor a connector admitting the domain covers. On the
 * day RejectDirectSend (eop-model DS-2 [D]) or the connector lock-down (CON-5 [D]) is switched on they break, unless
 * admitted first. One inventory for the inventory.direct-send-sources check and the plan's warnings; pure.
 */
import { connectorsFor, deviceRecipientDomains } from '../model/admission.js';
import { connectorName, enabledLockdowns } from '../model/connectors.js';
import { gatewayConnectorChoice, type GatewayIdentity } from '../model/gateway-connector.js';
import { IpSet } from '../common/ip.js';
import type { Tenant } from '../model/tenant.js';
import { MICROSOFT_SPF_INCLUDE } from '../common/vendors.js';
import { notExported } from '../snapshot/partial.js';
import type { InboundConnector } from '../snapshot/schema.js';
import type { Snapshot } from '../snapshot/types.js';
import { spfSenders, spfTreeOfZone, type SpfGrant } from './spf/analyse.js';
import type { DnsZone } from '../common/zone.js';

/** What the inventory reads: the check context fits it, and the plan builds it from its own input. */
export interface InventoryInput {
  snapshot: Pick<Snapshot, 'dns' | 'dnsLive'>;
  tenant: Pick<Tenant, 'inboundConnectors' | 'domainNames' | 'defaultDomain' | 'acceptedDomains'>;
  gateway: GatewayIdentity;
  /** Recorded or live DNS; undefined when DNS was not analysed. */
  dns: DnsZone | undefined;
}

/** What admission is judged against (model/admission.ts): see admissionContext. */
export interface AdmissionContext {
  lockdownOn: boolean;
  recipients: string[];
  lockedByCertificate: InboundConnector | undefined;
}

interface SpfCandidate {
  domain: string;
  term: string;
  /** What it authorises that neither the gateway nor a connector admitting the domain covers. */
  uncovered: SpfGrant[];
  /** What it authorises that cannot be listed as addresses, and why. */
  unlisted: string[];
}

/**
 * Authorising terms of an own domain's SPF that are neither the gateway nor admitted by a connector. The senders come
 * from the project's one SPF tree (dns/spf/analyse.ts, the walk `mxlock dns` and dns.spf read) under its RFC 7208
 * limits; Microsoft 365's include is the tenant's own outbound, not Direct Send.
 */
function spfCandidates(
  zone: DnsZone,
  source: string,
  domain: string,
  covered: IpSet,
): { candidates: SpfCandidate[]; notes: string[]; unknown?: string } {
  const notInventoried = (why: string) => ({
    candidates: [],
    notes: [`${why}: its SPF senders were not inventoried`],
    unknown: why,
  });
  const run = spfTreeOfZone(zone, domain);
  // The walk asks only names a recording answers (no macros, no PTR); an unanswerable one would be a gap, not a pass.
  if (!run.done) return notInventoried(`${domain}: ${run.why}`);
  const spf = run.value;
  switch (spf.state) {
    case 'ok':
      break;
    case 'nxdomain':
      // A verified accepted domain exists in DNS: absent from the recording (NXDOMAIN there, DESIGN §3.1) means the
      // recording does not cover it, not that it has no SPF.
      return notInventoried(`${domain} is not in ${source} (NXDOMAIN for an accepted domain)`);
    case 'none':
      return {
        candidates: [],
        notes: [
          `${domain}: no SPF record (${spf.tree.void ? 'no TXT records' : 'no "v=spf1" TXT record'}), so SPF names no sender to admit`,
        ],
      };
    case 'dns-failure':
      return notInventoried(
        `${domain}: temperror, the SPF record could not be read (${spf.error ?? 'DNS failure'})`,
      );
    default:
      // Several records or one that does not parse: receivers return permerror (RFC 7208 §4.5, §4.6), and which
      // senders the domain means cannot be read from it.
      return notInventoried(
        `${domain}: ${spf.state === 'syntax' ? `the SPF record does not parse (${spf.error ?? 'syntax error'})` : (spf.error ?? spf.state)}, fix the record`,
      );
  }
  const candidates: SpfCandidate[] = [];
  for (const t of spfSenders(spf.tree, { known: (d) => d === MICROSOFT_SPF_INCLUDE }).terms) {
    const uncovered = t.grants.filter((g) => !covered.covers(g.network));
    if (uncovered.length === 0 && t.unlisted.length === 0) continue;
    candidates.push({ domain, term: t.term, uncovered, unlisted: t.unlisted });
  }
  const notes =
    candidates.length === 0
      ? [`${domain}: SPF authorises only the gateway, connector-admitted IPs and Microsoft 365`]
      : [];
  return { candidates, notes };
}

/**
 * The connector a certificate lock-down will restrict when it does not yet: the gateway's connector (the ranking of
 * model/gateway-connector.ts) when the gateway's certificate is known and that connector does not restrict by IP today.
 * It will not admit a source by IP (CON-3 [D]: IPs and a certificate belong in separate connectors), so a source listed
 * on it needs a connector of its own. One that restricts by IP today admits today: reported as it is.
 */
function certificateLockdownTarget(
  connectors: readonly InboundConnector[],
  gateway: GatewayIdentity,
): InboundConnector | undefined {
  if (!gateway.certificate) return undefined;
  const c = gatewayConnectorChoice(connectors, gateway).connector;
  return c && c.RestrictDomainsToIPAddresses !== true ? c : undefined;
}

/**
 * What admission is judged against, for the declared sources and the SPF inventory alike: whether a lock-down is on,
 * the recipient domains a source must be admitted for, and the connector the lock-down restricts by certificate.
 */
export function admissionContext(
  input: Pick<InventoryInput, 'tenant' | 'gateway'>,
  connectors: readonly InboundConnector[],
): AdmissionContext {
  return {
    lockdownOn: enabledLockdowns(input.tenant.inboundConnectors).length > 0,
    recipients: deviceRecipientDomains(input.tenant.domainNames, input.tenant.defaultDomain),
    lockedByCertificate: certificateLockdownTarget(connectors, input.gateway),
  };
}

/**
 * Why an SPF address listed on a Partner connector that covers the domain but does not restrict is still a
 * candidate: that connector exempts it from RejectDirectSend (DS-2 [D]) but satisfies no lock-down (CON-5 [D]).
 */
function pendingNote(listedOn: readonly InboundConnector[], domain: string, lockdownOn: boolean): string {
  const names = listedOn.map((c) => `'${connectorName(c)}'`).join(', ');
  const when = lockdownOn ? 'today (the lock-down is on)' : 'once the lock-down is on';
  return ` — it is listed on ${names} (SenderDomains covering ${domain}), which does not restrict by IP: that exempts it from RejectDirectSend (DS-2 [D]) but satisfies no restricting connector, so it gets 550 5.7.51 ${when} (CON-5 [D]). Declare it under directSendSources: the plan then restricts ${names} with a certificate lock-down, or adds it to the IP lock-down`;
}

/** One SPF term of an own domain that authorises addresses nothing admits once the lock-down is on. */
export interface SpfDirectSendCandidate {
  domain: string;
  term: string;
  /** The address entries it authorises that are not covered; empty when they could not be listed (macros, missing DNS). */
  uncovered: string[];
  /** The evidence line, as the finding shows it. */
  line: string;
}

export interface SpfInventory {
  status: 'pass' | 'warn' | 'unknown';
  candidates: SpfDirectSendCandidate[];
  /** Every evidence line: candidates, notes and the reasons it could not be done. */
  lines: string[];
  /** Why it, or part of it, could not be done (no DNS, a domain not in the recorded DNS, a broken record). */
  unknown: string[];
}

/**
 * Hardening guide step 1 ("every entry in your SPF record is a candidate"): the SPF terms of every own domain that
 * authorise addresses neither the gateway nor a connector admitting that domain covers (model/admission.ts). Pure; the
 * inventory.direct-send-sources check reports it, and the plan warns about the candidates no declared source covers.
 */
export function spfInventory(ctx: InventoryInput): SpfInventory {
  const connectors = ctx.tenant.inboundConnectors ?? [];
  const { lockdownOn, recipients, lockedByCertificate } = admissionContext(ctx, connectors);
  const lines: string[] = [];
  const candidatesOut: SpfDirectSendCandidate[] = [];
  const domains = ctx.tenant.domainNames.filter((d) => !d.endsWith('.onmicrosoft.com'));
  if (ctx.dns === undefined) {
    const why = 'DNS not analysed (no dns.json in the export and no live DNS)';
    lines.push(`${why}: SPF-authorised senders were not inventoried`);
    return { status: 'unknown', candidates: [], lines, unknown: [why] };
  }
  if (ctx.tenant.acceptedDomains === undefined) {
    const why = `${notExported('Get-AcceptedDomain')}: own domains unknown`;
    lines.push(`${why}, SPF not inventoried`);
    return { status: 'unknown', candidates: [], lines, unknown: [why] };
  }
  // The export's dns.json, or the answers a live analysis recorded (assess-export.ts tenantDns).
  const source =
    ctx.dns === ctx.snapshot.dns && ctx.snapshot.dnsLive !== true
      ? 'the recorded DNS (dns.json)'
      : 'the DNS answers recorded live';
  const unknown: string[] = [];
  for (const domain of domains) {
    // Addresses that may send as this domain once the lock-down is on: the gateway and the connectors that
    // admit the domain (model/admission.ts). A connector scoped to other domains only exempts from DS-2; one
    // covering the domain that does not restrict ("pending") is named on the candidate.
    const { admitting, pending } = connectorsFor(connectors, domain, recipients, lockedByCertificate);
    const covered = new IpSet([...ctx.gateway.ips, ...admitting.flatMap((c) => c.SenderIPAddresses ?? [])]);
    const inventoried = spfCandidates(ctx.dns, source, domain, covered);
    const { candidates, notes } = inventoried;
    if (inventoried.unknown !== undefined) unknown.push(inventoried.unknown);
    for (const c of candidates) {
      const isIp = /^ip[46]:/i.test(c.term);
      const kind = isIp ? 'address' : 'service or host: a SaaS or server candidate';
      // An ip4/ip6 term's one grant is the term itself: only a host or include names what it resolved to.
      const detail = [...(isIp ? [] : c.uncovered.map((g) => g.label)), ...c.unlisted];
      const uncovered = c.uncovered.map((g) => g.network);
      const listedOn = pending.filter((p) => {
        const set = new IpSet(p.SenderIPAddresses ?? []);
        return uncovered.some((u) => set.covers(u));
      });
      const verdict =
        uncovered.length > 0
          ? `is neither a gateway IP nor in the SenderIPAddresses of an enabled connector that admits ${c.domain}`
          : 'authorises senders that cannot be listed as addresses, so none can be shown to be the gateway or admitted by a connector';
      const line = `SPF of ${c.domain}: ${c.term} (${kind}) ${verdict}${detail.length > 0 ? `: ${detail.join('; ')}` : ''}${listedOn.length > 0 ? pendingNote(listedOn, c.domain, lockdownOn) : ''}`;
      lines.push(line);
      candidatesOut.push({ domain: c.domain, term: c.term, uncovered, line });
    }
    lines.push(...notes);
  }
  if (candidatesOut.length > 0 && ctx.gateway.ips.length === 0)
    lines.push(
      'gateway IPs unknown (declare them in mxlock.yaml): gateway addresses in SPF are listed as candidates too',
    );
  return {
    status: candidatesOut.length > 0 ? 'warn' : unknown.length > 0 ? 'unknown' : 'pass',
    candidates: candidatesOut,
    lines,
    unknown,
  };
}
