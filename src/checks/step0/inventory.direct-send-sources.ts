/**
 * Direct Send candidates to admit before RejectDirectSend and the connector lock-down (hardening guide step 1:
 * "every entry in your SPF record is a candidate"). RejectDirectSend rejects anonymous mail with an own P1 domain
 * unless a connector matches the sending IP or certificate (eop-model DS-2 [D]); the lock-down rejects everything not
 * from the gateway (CON-5 [D]). Senders found here break on the day either is switched on, unless admitted first.
 */
import { spfSenders, spfTreeOfZone, type SpfGrant } from '../../dns/spf/analyse.js';
import type { DnsZone } from '../../dns/zone.js';
import { MICROSOFT_SPF_INCLUDE } from '../../profile/vendors.js';
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
  /** Why it, or part of it, could not be done (no DNS, a domain not in the recorded DNS, a broken record). */
  unknown: string[];
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
  reads: {
    'Get-AcceptedDomain': ['DomainName', 'Default'],
    'Get-InboundConnector': [
      'ConnectorType',
      'Enabled',
      'SenderDomains',
      'SenderIPAddresses',
      'TlsSenderCertificateName',
      'RestrictDomainsToIPAddresses',
      'RestrictDomainsToCertificate',
      'AssociatedAcceptedDomains',
    ],
    dns: true,
  },
  checklist: 'checklist.direct-send-inventory',
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
