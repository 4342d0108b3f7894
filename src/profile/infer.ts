/**
 * Which gateway mxlock reasons about (DESIGN §3.2): the profile's when declared, otherwise inferred from the MX
 * records of the accepted domains and from the Partner inbound connector that admits every sender domain (`*`).
 * Pure: works on the snapshot only. `snapshot.dns` is the run's one set of DNS facts: the export's dns.json offline,
 * the answers recorded live otherwise (assess-export.ts puts them there before anything reads them).
 */
import { lookup, type MxRecord } from '../common/zone.js';
import { isRestricting, restrictsByCertificate } from '../model/connectors.js';
import { rankGatewayConnectors } from '../model/gateway-connector.js';
import { buildTenant } from '../model/tenant.js';
import type { InboundConnector } from '../snapshot/schema.js';
import type { Snapshot } from '../snapshot/types.js';
import { NO_GATEWAY, type ResolvedGateway } from '../common/gateway.js';
import type { Profile } from './schema.js';
import { certificateVendor, classifyMx, type MxClass, type SegVendor } from '../common/vendors.js';

/** MX answer of one accepted domain, classified. */
export interface DomainMx {
  domain: string;
  /** `answer`: records present; the others as in `Lookup`. */
  status: 'answer' | 'nodata' | 'nxdomain' | 'unavailable' | 'null-mx';
  /** Why the MX is unknown (`unavailable`): DNS not analysed, or the lookup failed. */
  reason?: string;
  /** Lowest-preference (primary) records first. */
  records: (MxRecord & { class: MxClass })[];
}

/** The `*.onmicrosoft.com` domains always route to EOP and say nothing about the gateway. */
function isMicrosoftDomain(domain: string): boolean {
  return domain.endsWith('.onmicrosoft.com');
}

function describeClass(c: MxClass): string {
  if (c.kind === 'eop') return 'EOP';
  if (c.kind === 'seg') return c.vendor.name;
  return 'not EOP, vendor not recognised';
}

/**
 * The domains whose MX the gateway inference reads: the tenant's own accepted domains (`*.onmicrosoft.com` left out),
 * default domain first. A live run asks their MX before inferring the gateway (assess-export.ts).
 */
export function gatewayMxDomains(snapshot: Snapshot): string[] {
  const tenant = buildTenant(snapshot);
  const domains = tenant.domainNames.filter((d) => !isMicrosoftDomain(d));
  return [...new Set([...(tenant.defaultDomain ? [tenant.defaultDomain] : []), ...domains])].filter(
    (d) => !isMicrosoftDomain(d),
  );
}

/** MX answers of the tenant's own accepted domains (`*.onmicrosoft.com` left out), default domain first. */
export function acceptedDomainMx(snapshot: Snapshot): DomainMx[] {
  return gatewayMxDomains(snapshot).map((domain) => {
    const answer = lookup(snapshot.dns, domain, 'MX');
    if (answer.kind === 'unavailable')
      return { domain, status: answer.kind, reason: answer.reason, records: [] };
    if (answer.kind !== 'answer') return { domain, status: answer.kind, records: [] };
    // RFC 7505: a single MX with the root as exchange ("MX 0 .") says the domain accepts no mail at all.
    if (answer.records.every((r) => r.exchange.replace(/\.$/, '') === ''))
      return { domain, status: 'null-mx', records: [] };
    const records = [...answer.records]
      .filter((r) => r.exchange.replace(/\.$/, '') !== '')
      .sort((a, b) => a.priority - b.priority || a.exchange.localeCompare(b.exchange))
      .map((r) => ({ ...r, class: classifyMx(r.exchange) }));
    return { domain, status: 'answer', records };
  });
}

function primary(mx: DomainMx): DomainMx['records'] {
  const first = mx.records[0];
  return first ? mx.records.filter((r) => r.priority === first.priority) : [];
}

/**
 * Does the default accepted domain's MX point to Exchange Online (eop-model §6.1: with MX elsewhere EOP suppresses
 * some spoof checks)? `undefined` when DNS was not analysed or the default domain is not known. A primary MX that
 * includes an EOP host counts as pointing to EOP; no MX at all (NODATA/NXDOMAIN) does not; a `*.onmicrosoft.com`
 * default domain always routes to EOP.
 */
export function mxPointsToEop(snapshot: Snapshot): boolean | undefined {
  const tenant = buildTenant(snapshot);
  if (tenant.defaultDomain && isMicrosoftDomain(tenant.defaultDomain)) return true;
  if (!snapshot.dns) return undefined;
  const domain = tenant.defaultDomain;
  if (!domain) return undefined;
  const answer = lookup(snapshot.dns, domain, 'MX');
  if (answer.kind === 'unavailable') return undefined;
  if (answer.kind !== 'answer') return false;
  const lowest = Math.min(...answer.records.map((r) => r.priority));
  return answer.records.some((r) => r.priority === lowest && classifyMx(r.exchange).kind === 'eop');
}

function connectorLabel(c: InboundConnector): string {
  return JSON.stringify(c.Name ?? c.Identity ?? '(unnamed)');
}

/**
 * The connectors the gateway is inferred from: the enabled Partner connectors with SenderDomains `*`, restricting ones
 * when any exist (CON-3 [D] S10: they take precedence), else all of them. The gateway is what is being inferred, so
 * nothing can match it yet: model/gateway-connector.ts ranks them by enabled, then restricting, and this takes the
 * whole best rank. `Enabled` absent is unknown and not used as evidence (eop-model §2.2: disabled never match [D]).
 */
function gatewayConnectors(
  snapshot: Snapshot,
  mxVendor: SegVendor | undefined,
): {
  connectors: InboundConnector[];
  restricting: boolean;
  /** Why connectors were passed over. */
  notes: string[];
} {
  const notes: string[] = [];
  // A connector restricted to another vendor's certificate than the MX's is not this gateway's: a previous gateway's
  // stale lock-down taken as this one's would have the simulator present that certificate for the gateway.
  const live = rankGatewayConnectors(snapshot.data['Get-InboundConnector'], undefined).filter((c) => {
    if (!c.enabled) return false;
    const cert = c.connector.TlsSenderCertificateName?.trim();
    if (!mxVendor || !cert) return true;
    const v = certificateVendor(cert);
    if (v === undefined || v.id === mxVendor.id) return true;
    notes.push(
      `connector ${connectorLabel(c.connector)} names ${v.name}'s certificate ${JSON.stringify(cert)} while the MX is ${mxVendor.name}'s: not taken as the gateway's (a previous gateway's lock-down?)`,
    );
    return false;
  });
  const best = live[0];
  if (!best) return { connectors: [], restricting: false, notes };
  return {
    connectors: live.filter((c) => c.rank === best.rank).map((c) => c.connector),
    restricting: best.restricting,
    notes,
  };
}

function restrictionText(c: InboundConnector): string {
  const parts: string[] = [];
  if (c.RestrictDomainsToIPAddresses === true) parts.push('RestrictDomainsToIPAddresses');
  if (c.RestrictDomainsToCertificate === true) parts.push('RestrictDomainsToCertificate');
  return parts.length > 0
    ? `and ${parts.join(' and ')}`
    : 'but without RestrictDomainsTo* (it does not restrict anything)';
}

function pickVendor(mx: DomainMx[]): { vendor: SegVendor | undefined; unknownHost: string | undefined } {
  const counts = new Map<string, { vendor: SegVendor; n: number }>();
  for (const d of mx) {
    for (const r of primary(d)) {
      if (r.class.kind !== 'seg') continue;
      const e = counts.get(r.class.vendor.id) ?? { vendor: r.class.vendor, n: 0 };
      e.n++;
      counts.set(r.class.vendor.id, e);
    }
  }
  // The default domain (first) decides; otherwise the vendor most domains use.
  const first = mx[0] ? primary(mx[0]).find((r) => r.class.kind === 'seg') : undefined;
  if (first && first.class.kind === 'seg') return { vendor: first.class.vendor, unknownHost: undefined };
  const ranked = [...counts.values()].sort((a, b) => b.n - a.n || a.vendor.id.localeCompare(b.vendor.id));
  if (ranked[0]) return { vendor: ranked[0].vendor, unknownHost: undefined };
  const unknown = mx.flatMap(primary).find((r) => r.class.kind === 'unknown');
  return { vendor: undefined, unknownHost: unknown?.exchange };
}

function mxBasis(snapshot: Snapshot, mx: DomainMx[]): string[] {
  const out: string[] = [];
  for (const d of mx) {
    const [first, ...rest] = d.records;
    if (d.status === 'nodata') out.push(`MX of ${d.domain}: no MX records (NODATA)`);
    else if (d.status === 'null-mx') out.push(`MX of ${d.domain}: null MX (RFC 7505), it accepts no mail`);
    else if (d.status === 'nxdomain') out.push(`MX of ${d.domain}: not in the recorded DNS (NXDOMAIN)`);
    else if (d.status === 'unavailable' && snapshot.dns !== undefined)
      out.push(`MX of ${d.domain}: unknown (${d.reason ?? 'the lookup failed'})`);
    if (!first) continue;
    out.push(`MX of ${d.domain} → ${first.exchange} (${describeClass(first.class)})`);
    // A secondary MX at EOP is a published bypass of the gateway: worth saying.
    for (const r of rest) {
      if (
        r.class.kind !== first.class.kind ||
        (r.class.kind === 'seg' && first.class.kind === 'seg' && r.class.vendor.id !== first.class.vendor.id)
      ) {
        out.push(
          `MX of ${d.domain} also lists ${r.exchange} at preference ${r.priority} (${describeClass(r.class)})`,
        );
      }
    }
  }
  return out;
}

function nameMentions(name: string, vendor: SegVendor): boolean {
  const n = name.toLowerCase();
  const firstWord = vendor.name.split(' ')[0]?.toLowerCase() ?? vendor.id;
  return n.includes(vendor.id) || n.includes(firstWord);
}

/**
 * The certificate a declared gateway without one must present, read from the certificate lock-down in place: the
 * enabled Partner connectors with SenderDomains `*` that restrict to a certificate (RestrictDomainsToCertificate and a
 * TlsSenderCertificateName). Such a connector refuses every sender that does not present its certificate (CON-5 [D]),
 * so the gateway's mail passes it only with that certificate; taking it as the gateway's is [I]. One that lists the
 * declared IPs says so outright; one that lists none of them (CON-3 [D] S10 asks for IPs and certificate in separate
 * connectors) is the lock-down all the same. Several naming different certificates: which one the gateway presents
 * is not in the export, so none is taken and the basis says why (the checks and paths then treat it as unknown).
 */
function lockdownCertificate(
  snapshot: Snapshot,
  ips: readonly string[],
  gatewayVendor: SegVendor | undefined,
): { certificate: string | undefined; candidates?: string[]; basis: string[] } {
  const all = rankGatewayConnectors(snapshot.data['Get-InboundConnector'], { ips })
    .filter(
      (c) =>
        c.enabled && restrictsByCertificate(c.connector) && !!c.connector.TlsSenderCertificateName?.trim(),
    )
    .map((c) => ({
      name: c.connector.TlsSenderCertificateName!.trim(),
      label: `'${c.connector.Name ?? c.connector.Identity ?? ''}'`,
      byIp: c.match.by === 'ip',
    }));
  // A lock-down that lists none of the declared IPs is only taken as the gateway's when its certificate is in the
  // gateway vendor's zones: a leftover of a previous gateway, or a SaaS's own certificate, taken as this gateway's would
  // make the plan lock the gateway out while the simulator, presenting that certificate for it, saw nothing wrong.
  const locks = all.filter(
    (l) => l.byIp || (gatewayVendor && certificateVendor(l.name)?.id === gatewayVendor.id),
  );
  const basis = all
    .filter((l) => !locks.includes(l))
    .map(
      (l) =>
        `connector ${l.label} restricts every sender domain to ${JSON.stringify(l.name)}, which is not known to be this gateway's (${gatewayVendor ? `not ${gatewayVendor.name}'s` : 'the gateway vendor is unknown'}, and it lists none of the declared IPs): not taken as the gateway's certificate; declare gateway.certificate`,
    );
  // The rank order puts the connectors matching the declared IPs first.
  const [lock] = locks;
  if (lock === undefined) return { certificate: undefined, basis };
  if (new Set(locks.map((l) => l.name.toLowerCase())).size > 1) {
    const candidates: string[] = [];
    for (const l of locks)
      if (!candidates.some((c) => c.toLowerCase() === l.name.toLowerCase())) candidates.push(l.name);
    return {
      certificate: undefined,
      candidates,
      basis: [
        ...basis,
        `certificate unknown: the enabled connectors ${locks.map((l) => `${l.label} (${JSON.stringify(l.name)})`).join(', ')} restrict every sender domain to different certificates, and the export does not say which one the gateway presents; declare gateway.certificate`,
      ],
    };
  }
  const why = lock.byIp
    ? 'which matches the declared IPs and restricts to it [I]'
    : "which restricts every sender domain to it, lists none of the declared IPs and names the gateway vendor's zone: the gateway's mail passes it only with that certificate (CON-5 [D]) [I]";
  return {
    certificate: lock.name,
    basis: [
      ...basis,
      `certificate ${JSON.stringify(lock.name)} taken from connector ${lock.label}, ${why}; declare gateway.certificate to make it explicit`,
    ],
  };
}

/**
 * Where the accepted domains' mail is routed, when no MX points elsewhere: `eop` when every MX answer is Exchange
 * Online's (a `*.onmicrosoft.com` domain always routes to EOP; a domain without MX receives no mail by MX, which is not
 * "MX elsewhere"), else `unknown`: no DNS, no MX answer for any own domain, a lookup that failed, or no accepted domains.
 */
function mxRouting(
  snapshot: Snapshot,
  mx: readonly DomainMx[],
): { kind: 'eop' | 'unknown'; basis: string[] } {
  const tenant = buildTenant(snapshot);
  if (tenant.domainNames.length === 0)
    return {
      kind: 'unknown',
      basis: [
        snapshot.data['Get-AcceptedDomain'] === undefined
          ? 'Get-AcceptedDomain.json is not in the export, so the MX records of the accepted domains are unknown'
          : 'Get-AcceptedDomain.json lists no domain, so the MX records of the accepted domains are unknown',
      ],
    };
  if (mx.length === 0)
    return {
      kind: 'eop',
      basis: ['only *.onmicrosoft.com domains are accepted, and their MX is always Exchange Online'],
    };
  if (!snapshot.dns)
    return {
      kind: 'unknown',
      basis: ['DNS not analysed (no dns.json in the export), so the MX records are unknown'],
    };
  const failed = mx.filter((d) => d.status === 'unavailable');
  if (failed.length > 0)
    return {
      kind: 'unknown',
      basis: [
        `the MX lookup failed for ${failed.map((d) => d.domain).join(', ')}, so where its mail goes is unknown`,
      ],
    };
  const answered = mx.filter((d) => d.status === 'answer');
  if (answered.length === 0)
    return {
      kind: 'unknown',
      basis: [
        `no accepted domain has an MX record in the recorded DNS (${mx.map((d) => d.domain).join(', ')}), so where mail enters is unknown`,
      ],
    };
  // The default domain certainly receives mail: with no MX answer for it, where that mail enters is unknown.
  const defaultMx = mx.find((d) => d.domain === tenant.defaultDomain);
  if (defaultMx && (defaultMx.status === 'nodata' || defaultMx.status === 'nxdomain'))
    return {
      kind: 'unknown',
      basis: [
        `the default domain ${defaultMx.domain} has no MX record in the recorded DNS, so where its mail enters is unknown`,
      ],
    };
  const silent = mx.filter((d) => d.status !== 'answer').map((d) => d.domain);
  return {
    kind: 'eop',
    basis: [
      'every MX of the accepted domains points at Exchange Online, and no gateway is declared: there is no gateway to go around',
      ...(silent.length > 0 ? [`without MX (they receive no mail by MX): ${silent.join(', ')}`] : []),
    ],
  };
}

/**
 * The gateway for this tenant: the profile's when declared, otherwise inferred; `none` when every MX is Exchange
 * Online's and nothing is declared; `unknown` when mxlock cannot tell. Each with the reasons in `basis`.
 */
export function resolveGateway(profile: Profile | undefined, snapshot: Snapshot): ResolvedGateway {
  const mx = acceptedDomainMx(snapshot);
  const { vendor, unknownHost } = pickVendor(mx);

  const declared = profile?.gateway;
  if (declared) {
    // The MX vendor is only attached when it does not contradict the name the profile gives the gateway.
    const agrees = vendor && (!declared.name || nameMentions(declared.name, vendor));
    const basis = ['declared in the profile (gateway section)'];
    let certificate = declared.certificate ?? undefined;
    let candidates: string[] | undefined;
    if (certificate === undefined) {
      // The gateway's vendor: the MX's, when the profile's name does not contradict it.
      const lent = lockdownCertificate(snapshot, declared.ips, agrees ? vendor : undefined);
      certificate = lent.certificate;
      candidates = lent.candidates;
      basis.push(...lent.basis);
    }
    const out: ResolvedGateway = {
      source: 'profile',
      name: declared.name ?? vendor?.name,
      vendor: agrees ? vendor.id : undefined,
      ips: [...declared.ips],
      certificate,
      ...(candidates ? { certificateCandidates: candidates } : {}),
      certificateUnique: declared.certificateUnique,
      dkimSelectors: [...declared.dkimSelectors],
      basis,
    };
    // Every line after the first is an inference or a refusal to infer: the administrator should confirm it.
    if (basis.length > 1) out.cautions = basis.slice(1);
    return out;
  }

  const basis = mxBasis(snapshot, mx);
  const hasInboundExport = snapshot.data['Get-InboundConnector'] !== undefined;
  const { connectors, restricting, notes: passedOver } = gatewayConnectors(snapshot, vendor);
  basis.push(...passedOver);
  const cautions = [...passedOver];

  const mxElsewhere = vendor !== undefined || unknownHost !== undefined;
  if (!mxElsewhere) {
    const routing = mxRouting(snapshot, mx);
    // An enabled lock-down in force refuses every internet sender that follows those MX records (CON-5 [D]): it is
    // evidence of a gateway, never of its absence, so the gateway is inferred from it below.
    const lockdownInForce = connectors.some((c) => c.Enabled === true && isRestricting(c));
    if (routing.kind === 'eop' && lockdownInForce) {
      basis.push(
        ...routing.basis.filter((b) => !b.startsWith('every MX')),
        'every recorded MX points at Exchange Online, yet an enabled Partner connector restricts every sender domain: inferred as the gateway all the same (declare it in mxlock.yaml, or remove the lock-down if no gateway is in front)',
      );
      cautions.push(basis[basis.length - 1]!);
    } else if (routing.kind === 'eop') {
      // Every MX is Exchange Online's: internet mail reaches EOP directly, so there is no gateway to go around.
      const leftovers = connectors.map(
        (c) =>
          `Partner connector ${connectorLabel(c)} accepts every sender domain (*) while every MX points at Exchange Online: a previous gateway's leftover? Declare the gateway in mxlock.yaml if mail still passes one`,
      );
      return {
        ...NO_GATEWAY,
        basis: [...basis, ...routing.basis, ...leftovers],
        ...(cautions.length + leftovers.length > 0 ? { cautions: [...cautions, ...leftovers] } : {}),
      };
    }
    if (connectors.length === 0) {
      basis.push(...routing.basis);
      basis.push(
        hasInboundExport
          ? 'no enabled Partner inbound connector with SenderDomains *'
          : 'Get-InboundConnector.json is not in the export, so connectors could not be read',
      );
      return { ...NO_GATEWAY, source: 'unknown', basis };
    }
  }

  const ips: string[] = [];
  let certificate: string | undefined;
  for (const c of connectors) {
    for (const ip of c.SenderIPAddresses ?? []) if (!ips.includes(ip)) ips.push(ip);
    certificate ??= c.TlsSenderCertificateName;
    basis.push(`Partner connector ${connectorLabel(c)} with SenderDomains * ${restrictionText(c)}`);
  }

  // Without an MX answer, the connector's certificate name can still tell the vendor (`*.mimecast.com`).
  let found = vendor;
  if (!found && certificate) {
    found = certificateVendor(certificate);
    if (found) basis.push(`certificate ${JSON.stringify(certificate)} is ${found.name}'s`);
  }
  const name = found?.name ?? unknownHost ?? connectors[0]?.Name ?? connectors[0]?.Identity;
  if (connectors.length === 0) {
    basis.push(
      hasInboundExport
        ? 'no enabled Partner inbound connector with SenderDomains *: the gateway IPs and certificate are unknown'
        : 'Get-InboundConnector.json is not in the export: the gateway IPs and certificate are unknown',
    );
  } else if (!restricting) {
    basis.push('no connector restricts by IP or certificate yet; the IPs above are what the connector lists');
  }
  return {
    source: 'inferred',
    name,
    vendor: found?.id,
    ips,
    certificate,
    certificateUnique: false,
    dkimSelectors: [],
    basis,
    ...(cautions.length > 0 ? { cautions } : {}),
  };
}
