/**
 * Direct Send candidates to admit before RejectDirectSend and the connector lock-down (hardening guide step 1:
 * "every entry in your SPF record is a candidate"). RejectDirectSend rejects anonymous mail with an own P1 domain
 * unless a connector matches the sending IP or certificate (eop-model DS-2 [D]); the lock-down rejects everything not
 * from the gateway (CON-5 [D]). Senders found here break on the day either is switched on, unless admitted first.
 */
import { lookup, type DnsZone } from '../../dns/zone.js';
import {
  connectorsFor,
  deviceRecipientDomains,
  sourceAdmission,
  type SourceAdmission,
} from '../../model/admission.js';
import { restrictsByIp } from '../../model/connectors.js';
import { gatewayConnectorChoice } from '../../model/gateway-connector.js';
import { domainOf } from '../../model/domains.js';
import { IpSet } from '../../model/ip.js';
import type { InboundConnector } from '../../snapshot/schema.js';
import type { Check, CheckContext, CheckOutcome } from '../types.js';
import {
  activeLockdowns,
  commentSafe,
  connectorName,
  EAC_CONNECTORS,
  LEARN,
  notExported,
  psQuote,
  worst,
} from '../util.js';
import { inboundConnectors } from '../step2/connectors.js';

/** RFC 7208 §4.6.4: at most 10 DNS-querying terms per evaluation; we stop expanding there. */
export const MAX_SPF_LOOKUPS = 10;
/** Microsoft 365's own outbound servers: mail from them to the tenant is not Direct Send. */
const MICROSOFT_SPF = 'spf.protection.outlook.com';

interface SpfWalk {
  zone: DnsZone;
  covered: IpSet;
  lookups: number;
  seen: Set<string>;
}

interface TermVerdict {
  covered: boolean;
  /** Why it is not covered (uncovered addresses, unresolvable names). */
  detail: string[];
  /** The address entries it authorises that are not covered (to name the connectors that list them). */
  uncovered: string[];
}

const COVERED: TermVerdict = { covered: true, detail: [], uncovered: [] };
const notCovered = (detail: string[]): TermVerdict => ({ covered: false, detail, uncovered: [] });

/** Adds `v` to the running verdict `into`. */
function merge(into: TermVerdict, v: TermVerdict): void {
  if (v.covered) return;
  into.covered = false;
  into.detail.push(...v.detail);
  into.uncovered.push(...v.uncovered);
}

function spfRecords(zone: DnsZone, domain: string): { records: string[]; note?: string } {
  const res = lookup(zone, domain, 'TXT');
  if (res.kind === 'unavailable') return { records: [], note: res.reason };
  if (res.kind === 'nxdomain') return { records: [], note: 'NXDOMAIN' };
  if (res.kind === 'nodata') return { records: [], note: 'no TXT records' };
  return { records: res.records.filter((t) => /^v=spf1(\s|$)/i.test(t.trim())) };
}

/** Addresses a name resolves to in the recorded zone (A and AAAA), or undefined when it does not resolve. */
function addresses(zone: DnsZone, name: string): string[] | undefined {
  const out: string[] = [];
  for (const type of ['A', 'AAAA'] as const) {
    const r = lookup(zone, name, type);
    if (r.kind === 'answer') out.push(...r.records);
  }
  return out.length > 0 ? out : undefined;
}

function ipsCovered(
  walk: SpfWalk,
  ips: readonly string[],
  cidr: string | undefined,
  label: string,
): TermVerdict {
  const uncovered = ips.map((ip) => (cidr ? `${ip}/${cidr}` : ip)).filter((e) => !walk.covered.covers(e));
  return uncovered.length === 0
    ? COVERED
    : { covered: false, detail: uncovered.map((u) => `${label} → ${u}`), uncovered };
}

/** Whether every address a term authorises is a gateway IP or already admitted by a connector. */
function termVerdict(walk: SpfWalk, domain: string, term: string): TermVerdict {
  const m = /^([a-z0-9]+)(?::([^/]*))?(?:\/(\d+))?(?:\/\/(\d+))?$/i.exec(term);
  const mech = (m?.[1] ?? term).toLowerCase();
  const arg = m?.[2];
  if (mech === 'ip4' || mech === 'ip6') {
    const value = term.slice(4);
    return walk.covered.covers(value) ? COVERED : { covered: false, detail: [value], uncovered: [value] };
  }
  if (term.includes('%{')) return notCovered([`${term} uses macros: not evaluable offline`]);
  if (mech === 'all') return notCovered(['+all authorises every address on the internet']);
  if (mech === 'exists' || mech === 'ptr') return notCovered([`${mech} cannot be expanded to addresses`]);
  if (walk.lookups >= MAX_SPF_LOOKUPS)
    return notCovered([`not expanded: more than ${MAX_SPF_LOOKUPS} DNS lookups (RFC 7208 §4.6.4)`]);
  walk.lookups++;
  const target = (arg ?? domain).toLowerCase();
  if (mech === 'include' || mech === 'redirect') {
    if (!arg) return notCovered([`${mech} without a domain`]);
    return domainVerdict(walk, target);
  }
  if (mech === 'a') {
    const ips = addresses(walk.zone, target);
    if (!ips) return notCovered([`${target} has no A/AAAA record in the recorded DNS`]);
    return ipsCovered(walk, ips, m?.[3], target);
  }
  if (mech === 'mx') {
    const mx = lookup(walk.zone, target, 'MX');
    if (mx.kind !== 'answer') return notCovered([`${target} has no MX record in the recorded DNS`]);
    const out: TermVerdict = { covered: true, detail: [], uncovered: [] };
    for (const host of mx.records.map((r) => r.exchange)) {
      const ips = addresses(walk.zone, host);
      merge(
        out,
        ips
          ? ipsCovered(walk, ips, m?.[3], host)
          : notCovered([`${host} has no A/AAAA record in the recorded DNS`]),
      );
    }
    return out;
  }
  return notCovered([`unknown mechanism ${mech}`]);
}

/** Split an SPF record into authorising terms (qualifier `+` or none); `-`, `~` and `?` terms authorise nobody. */
function authorisingTerms(record: string): string[] {
  const terms = record.trim().split(/\s+/).slice(1);
  const hasAll = terms.some((t) => /^[+?~-]?all$/i.test(t));
  const out: string[] = [];
  for (const raw of terms) {
    if (/^[-~?]/.test(raw)) continue;
    const t = raw.replace(/^\+/, '');
    const eq = /^([a-z][a-z0-9._-]*)=(.*)$/i.exec(t);
    if (eq) {
      // redirect= applies only when no `all` mechanism is present (RFC 7208 §6.1); other modifiers authorise nobody.
      if (eq[1]?.toLowerCase() === 'redirect' && !hasAll) out.push(`redirect:${eq[2] ?? ''}`);
      continue;
    }
    out.push(t);
  }
  return out;
}

function domainVerdict(walk: SpfWalk, domain: string): TermVerdict {
  if (domain === MICROSOFT_SPF) return COVERED;
  if (walk.seen.has(domain)) return COVERED;
  walk.seen.add(domain);
  const { records, note } = spfRecords(walk.zone, domain);
  if (records.length === 0)
    return notCovered([`${domain}: no SPF record in the recorded DNS (${note ?? 'none'})`]);
  const out: TermVerdict = { covered: true, detail: [], uncovered: [] };
  for (const record of records) {
    for (const term of authorisingTerms(record)) merge(out, termVerdict(walk, domain, term));
  }
  return out;
}

interface SpfCandidate {
  domain: string;
  term: string;
  detail: string[];
  uncovered: string[];
}

/** Authorising terms of an own domain's SPF that are neither the gateway nor admitted by a connector. */
function spfCandidates(
  zone: DnsZone,
  domain: string,
  covered: IpSet,
): { candidates: SpfCandidate[]; notes: string[]; unresolved?: true } {
  const { records, note } = spfRecords(zone, domain);
  // A verified accepted domain exists in DNS, so NXDOMAIN here means the recording does not cover it.
  if (lookup(zone, domain, 'TXT').kind === 'nxdomain') {
    return {
      candidates: [],
      notes: [
        `${domain}: not in the recorded DNS (NXDOMAIN for an accepted domain): its SPF was not inventoried`,
      ],
      unresolved: true,
    };
  }
  if (records.length === 0)
    return {
      candidates: [],
      notes: [`${domain}: no SPF record (${note ?? 'none'}), so SPF names no sender to admit`],
    };
  const notes =
    records.length > 1
      ? [`${domain}: ${records.length} SPF records (permerror, RFC 7208 §4.5); all are listed`]
      : [];
  const candidates: SpfCandidate[] = [];
  for (const record of records) {
    const walk: SpfWalk = { zone, covered, lookups: 0, seen: new Set([domain]) };
    for (const term of authorisingTerms(record)) {
      if (/^include:/i.test(term) && term.slice(8).toLowerCase() === MICROSOFT_SPF) continue;
      const v = termVerdict(walk, domain, term);
      if (!v.covered)
        candidates.push({
          domain,
          term: term.replace(/^redirect:/i, 'redirect='),
          detail: v.detail,
          uncovered: v.uncovered,
        });
    }
  }
  if (candidates.length === 0)
    notes.push(`${domain}: SPF authorises only the gateway, connector-admitted IPs and Microsoft 365`);
  return { candidates, notes };
}

const WHY =
  'why it matters: once RejectDirectSend is on, anonymous mail with an own P1 domain is rejected with 550 5.7.68 unless an enabled connector matches the sender by IP or certificate (eop-model DS-2 [D]); the connector lock-down then rejects any source that is not the gateway with 550 5.7.51 (CON-5 [D])';

interface Source {
  name: string;
  ips: string[];
  senders: string[];
}

/** Admission commands per source; `ipLockdown` is the enabled IP-restricted lock-down connector, when there is one. */
function remediationFor(
  ipLockdown: InboundConnector | undefined,
  sources: readonly Source[],
  lockdownOn = false,
): string {
  const lines = [
    '# For each legitimate Direct Send source, in this order of preference (DESIGN §6):',
    '# 1. route it through the gateway, or have it submit with SMTP AUTH to smtp.office365.com (not Direct Send at all)',
  ];
  for (const s of sources) {
    const domains = [...new Set(s.senders.map((a) => a.slice(a.lastIndexOf('@') + 1).toLowerCase()))];
    if (ipLockdown) {
      lines.push(
        `# 2. ${commentSafe(s.name)}: the lock-down restricts by IP, so add the source to its SenderIPAddresses (it then matches by IP, DS-2)`,
        `Set-InboundConnector -Identity ${psQuote(connectorName(ipLockdown))} -SenderIPAddresses @{Add=${s.ips.map(psQuote).join(',')}}`,
      );
    } else {
      lines.push(
        `# 3. ${commentSafe(s.name)}: a separate IP-restricted Partner connector scoped to the domains it sends as (eop-model §12 OQ-2 [I])`,
        // RequireTls is left off: many devices send in plain text, and a connector requiring TLS refuses them (CON-6 [D]).
        `#    add -RequireTls $true if it uses STARTTLS${lockdownOn ? '' : '; restrict it (-RestrictDomainsToIPAddresses $true) in the same change as the lock-down, not before: alone, it would refuse its domains from the gateway (CON-5)'}`,
        `New-InboundConnector -Name ${psQuote(`Direct Send: ${s.name}`)} -ConnectorType Partner -SenderDomains ${domains.map(psQuote).join(',')} \``,
        `  ${lockdownOn ? '-RestrictDomainsToIPAddresses $true ' : ''}-SenderIPAddresses ${s.ips.map(psQuote).join(',')} -Enabled $true`,
      );
    }
  }
  if (sources.length === 0) {
    lines.push(
      "# 2. IP lock-down: Set-InboundConnector -Identity '<lock-down connector>' -SenderIPAddresses @{Add='<source IP>'}",
      "# 3. certificate lock-down: New-InboundConnector -Name 'Direct Send: <source>' -ConnectorType Partner -SenderDomains '<own domain>' -RestrictDomainsToIPAddresses $true -SenderIPAddresses '<source IP>'",
    );
  }
  lines.push(
    '# Never an allow-by-sender-domain connector: it does not exempt anything (eop-model CON-3 [D], DS-1 [D]).',
  );
  lines.push(
    '# Declare each source under directSendSources in mxlock.yaml so the simulator keeps checking it.',
  );
  return lines.join('\n');
}

/**
 * The connector a certificate lock-down will restrict when it does not yet: the gateway's connector (the ranking of
 * model/gateway-connector.ts) when the gateway's certificate is known and that connector does not restrict by IP today.
 * It will not admit a source by IP (CON-3 [D]: IPs and a certificate belong in separate connectors), so a source listed
 * on it needs a connector of its own. One that restricts by IP today admits today: reported as it is.
 */
function certificateLockdownTarget(
  connectors: readonly InboundConnector[],
  gateway: CheckContext['gateway'],
): InboundConnector | undefined {
  if (!gateway.certificate) return undefined;
  const c = gatewayConnectorChoice(connectors, gateway).connector;
  return c && c.RestrictDomainsToIPAddresses !== true ? c : undefined;
}

/**
 * What admission is judged against, for the declared sources and the SPF inventory alike: whether a lock-down is on,
 * the recipient domains a source must be admitted for, and the connector the lock-down restricts by certificate.
 */
function admissionContext(ctx: CheckContext, connectors: readonly InboundConnector[]) {
  return {
    lockdownOn: activeLockdowns(ctx).length > 0,
    recipients: deviceRecipientDomains(ctx.tenant.domainNames, ctx.tenant.defaultDomain),
    lockedByCertificate: certificateLockdownTarget(connectors, ctx.gateway),
  };
}

/** The evidence line for (part of) a declared source, and what the remediation must do for it. */
function admissionVerdict(
  subject: string,
  adm: SourceAdmission,
  lockdownOn: boolean,
): { text: string; warn: boolean; restrict: InboundConnector[]; needsConnector: boolean } {
  const names = adm.connectors.map((c) => `'${connectorName(c)}'`).join(', ');
  if (adm.kind === 'admitted')
    return {
      text: `${subject}: admitted by ${names} (matched by IP: exempt from RejectDirectSend and the lock-down)`,
      warn: false,
      restrict: [],
      needsConnector: false,
    };
  if (adm.kind === 'restrict-with-lockdown')
    return lockdownOn
      ? {
          text: `${subject}: listed on ${names}, which does not restrict by IP: with the lock-down on, the source satisfies no restricting connector and gets 550 5.7.51 (CON-5 [D], §12 OQ-2 [I])`,
          warn: true,
          restrict: adm.connectors,
          needsConnector: false,
        }
      : {
          text: `${subject}: listed on ${names}; set RestrictDomainsToIPAddresses on it in the same change as the lock-down (not before: restricting it alone would refuse its domains' mail from the gateway, CON-5)`,
          warn: false,
          restrict: [],
          needsConnector: false,
        };
  return {
    text:
      adm.kind === 'none'
        ? `${subject}: not in any enabled connector's SenderIPAddresses`
        : `${subject}: exempt from RejectDirectSend only, refused with 550 5.7.51 once the lock-down is on: ${adm.reasons.join('; ')}`,
    warn: true,
    restrict: [],
    needsConnector: true,
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

const PORTAL = `${EAC_CONNECTORS} → Add a connector (Partner organization → Office 365, identify the sender by IP address), or edit the IP-restricted lock-down connector's IP addresses`;

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
}

/**
 * Hardening guide step 1 ("every entry in your SPF record is a candidate"): the SPF terms of every own domain that
 * authorise addresses neither the gateway nor a connector admitting that domain covers (model/admission.ts). Pure; the
 * check reports it, and the planner warns about the candidates no declared source covers.
 */
export function spfInventory(ctx: CheckContext): SpfInventory {
  const connectors = ctx.tenant.inboundConnectors ?? [];
  const { lockdownOn, recipients, lockedByCertificate } = admissionContext(ctx, connectors);
  const lines: string[] = [];
  const candidatesOut: SpfDirectSendCandidate[] = [];
  const domains = ctx.tenant.domainNames.filter((d) => !d.endsWith('.onmicrosoft.com'));
  if (ctx.dns === undefined) {
    lines.push(
      'DNS not analysed (no dns.json in the export and no live DNS): SPF-authorised senders were not inventoried',
    );
    return { status: 'unknown', candidates: [], lines };
  }
  if (ctx.tenant.acceptedDomains === undefined) {
    lines.push(`${notExported('Get-AcceptedDomain')}: own domains unknown, SPF not inventoried`);
    return { status: 'unknown', candidates: [], lines };
  }
  let unknown = false;
  for (const domain of domains) {
    // Addresses that may send as this domain once the lock-down is on: the gateway and the connectors that
    // admit the domain (model/admission.ts). A connector scoped to other domains only exempts from DS-2; one
    // covering the domain that does not restrict ("pending") is named on the candidate.
    const { admitting, pending } = connectorsFor(connectors, domain, recipients, lockedByCertificate);
    const covered = new IpSet([...ctx.gateway.ips, ...admitting.flatMap((c) => c.SenderIPAddresses ?? [])]);
    const { candidates, notes, unresolved } = spfCandidates(ctx.dns, domain, covered);
    if (unresolved) unknown = true;
    for (const c of candidates) {
      const isIp = /^ip[46]:/i.test(c.term);
      const kind = isIp ? 'address' : 'service or host: a SaaS or server candidate';
      const detail = !isIp && c.detail.length > 0 ? `: ${c.detail.join('; ')}` : '';
      const listedOn = pending.filter((p) => {
        const set = new IpSet(p.SenderIPAddresses ?? []);
        return c.uncovered.some((u) => set.covers(u));
      });
      const line = `SPF of ${c.domain}: ${c.term} (${kind}) is neither a gateway IP nor in the SenderIPAddresses of an enabled connector that admits ${c.domain}${detail}${listedOn.length > 0 ? pendingNote(listedOn, c.domain, lockdownOn) : ''}`;
      lines.push(line);
      candidatesOut.push({ domain: c.domain, term: c.term, uncovered: c.uncovered, line });
    }
    lines.push(...notes);
  }
  if (candidatesOut.length > 0 && ctx.gateway.ips.length === 0)
    lines.push(
      'gateway IPs unknown (declare them in mxlock.yaml): gateway addresses in SPF are listed as candidates too',
    );
  return {
    status: candidatesOut.length > 0 ? 'warn' : unknown ? 'unknown' : 'pass',
    candidates: candidatesOut,
    lines,
  };
}

export const check: Check = {
  id: 'inventory.direct-send-sources',
  step: 0,
  title:
    'Every Direct Send source (SPF-authorised or declared) is admitted by a connector before the lock-down',
  severity: 'medium',
  references: [
    'eop-model DS-2 [D]',
    'eop-model DS-4 [C]',
    'eop-model CON-5 [D]',
    'eop-model §12 [D]',
    LEARN.directSendBlog,
    LEARN.devices,
  ],
  remediation: {
    powershell: remediationFor(undefined, []),
    portal: PORTAL,
  },
  evaluate(ctx) {
    const gate = inboundConnectors(ctx);
    if (!gate.ok) return gate.outcome;
    const connectors = gate.value;
    const evidence: string[] = [];
    const statuses: CheckOutcome['status'][] = [];
    const { lockdownOn, recipients, lockedByCertificate } = admissionContext(ctx, connectors);
    const gatewayIps = new IpSet(ctx.gateway.ips);

    // (b) declared sources, judged as the lock-down and RejectDirectSend will judge them (model/admission.ts).
    const notAdmitted: Source[] = [];
    const toRestrict: InboundConnector[] = [];
    for (const s of ctx.profile.directSendSources) {
      const senders = [...new Set(s.senders.map(domainOf).filter((d): d is string => d !== undefined))];
      const adm = sourceAdmission(connectors, s.ips, { senders, recipients, lockedByCertificate });
      const label = `declared source '${s.name}' (${s.ips.join(', ')}, sends as ${s.senders.join(', ') || 'undeclared senders'})`;
      // One verdict for the source when its addresses agree, else one per address (an OnPremises connector admitting
      // one address is not the Partner connector to restrict for another, CON-4 [D]).
      const uniform = new Set(adm.perIp.map((p) => p.admission.kind)).size <= 1;
      const parts = uniform
        ? [{ subject: label, ips: s.ips, admission: adm }]
        : adm.perIp.map((p) => ({
            subject: `${label}, address ${p.ip}`,
            ips: [p.ip],
            admission: p.admission,
          }));
      const needsConnector: string[] = [];
      for (const part of parts) {
        const v = admissionVerdict(part.subject, part.admission, lockdownOn);
        evidence.push(v.text);
        if (v.warn) statuses.push('warn');
        toRestrict.push(...v.restrict);
        if (v.needsConnector) needsConnector.push(...part.ips);
      }
      if (needsConnector.length > 0) notAdmitted.push({ ...s, ips: needsConnector });
      const shared = s.ips.filter((ip) => gatewayIps.overlaps(ip));
      if (shared.length > 0) {
        // The gateway's egress addresses also carry its other customers' mail: admitting them by IP for an own domain
        // lets any of those customers send as it past the lock-down (residual path path.shared-gateway-ip).
        evidence.push(
          `${label}: ${shared.join(', ')} lies within the gateway's addresses (${ctx.gateway.ips.filter((g) => s.ips.some((ip) => new IpSet([g]).overlaps(ip))).join(', ')}): a connector that admits it by IP lets the gateway's other customers send as ${senders.join(', ') || 'the tenant'} past the lock-down (residual path path.shared-gateway-ip, CON-5 [D]); route it through the gateway, or have it use SMTP AUTH`,
        );
        statuses.push('warn');
      }
    }

    // (a) SPF of every own domain.
    const spf = spfInventory(ctx);
    evidence.push(...spf.lines);
    statuses.push(spf.status);

    const status = worst(statuses);
    if (status === 'warn') evidence.push(WHY);
    if (status === 'pass')
      evidence.push('no SPF-authorised or declared sender needs admitting before the lock-down');
    const outcome: CheckOutcome = { status, evidence };
    if (notAdmitted.length > 0 || toRestrict.length > 0) {
      // The gateway connector (model/gateway-connector.ts) when it is an IP lock-down: the one the plan adds sources to.
      const ipLockdowns = activeLockdowns(ctx).filter(restrictsByIp);
      const gatewayConnector = gatewayConnectorChoice(ctx.tenant.inboundConnectors, ctx.gateway).connector;
      const ipLockdown = ipLockdowns.find((c) => c === gatewayConnector) ?? ipLockdowns[0];
      const restrict = [...new Set(toRestrict)].map(
        (c) =>
          `Set-InboundConnector -Identity ${psQuote(connectorName(c))} -RestrictDomainsToIPAddresses $true   # the lock-down is on: the source must satisfy a restricting connector (CON-5)`,
      );
      outcome.remediation = {
        powershell: [
          ...restrict,
          ...(notAdmitted.length > 0 ? [remediationFor(ipLockdown, notAdmitted, lockdownOn)] : []),
        ].join('\n'),
        portal: PORTAL,
      };
    }
    return outcome;
  },
};
