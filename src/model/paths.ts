/**
 * The standard paths of DESIGN §5, their attempts, and how an outcome set becomes a path status and the
 * headline verdict. Pure.
 */
import { certificateMatches } from '../common/domains.js';
import { hasGateway, type ResolvedGateway } from '../common/gateway.js';
import { IpSet, parseIpEntry, ipv4Text } from '../common/ip.js';
import { sortById } from '../common/order.js';
import type { SimConfig } from './config.js';
import type { ConnectorFlow } from './flows.js';
import { ipv6Acceptance, reply521 } from './ipv6.js';
import { dedupeOutcomes } from './outcomes.js';
import { simulate } from './simulate.js';
import type {
  Attempt,
  AuthVerdict,
  Disposition,
  Outcome,
  PathKind,
  PathStatus,
  SimResult,
  Stage,
} from './types.js';

export type PathOutcome = { stage: Stage; reply?: string; disposition: Disposition };

/** One accepted domain's share of a path: the attempts that spoof or address it (DESIGN §3.3 `paths[].domains`). */
export interface DomainResult {
  domain: string;
  status: PathStatus;
  outcome: PathOutcome;
}

export interface PathResult {
  id: string;
  kind: PathKind;
  status: PathStatus;
  outcome: PathOutcome;
  evidence: string[];
  result: SimResult;
  /** Each domain the path was tried for, in the order tried (the default first); absent for paths not per domain. */
  domains?: DomainResult[];
  /**
   * What the attempts gave when the path reads `uncertain` only because they cannot stand for it (an existing
   * connector whose addresses are unknown, tried from an arbitrary one): the plan's safety check still refuses a stage
   * that turns this to `broken`.
   */
  modelStatus?: PathStatus;
}

export interface StandardPath {
  id: string;
  kind: PathKind;
  description: string;
  attempt: Attempt;
  /**
   * Further attempts the path stands for: every declared address (first and last host of each range) and every
   * declared sender. The path's status is the worst over `attempt` and these.
   */
  variants?: Attempt[];
  /**
   * Certificates the sender may present instead of the attempt's (none known for sure): each attempt is also made
   * presenting each of them, and every outcome of any of them is possible (a path decided differently by them reads
   * uncertain, with the reason).
   */
  eitherCertificate?: string[];
  /**
   * The accepted domain each attempt stands for, parallel to `[attempt, ...variants]`: the path is then reported per
   * domain, its status the worst over them, and its evidence names the deciding domain.
   */
  domains?: string[];
  /** Set when the attempts cannot stand for the path (where its mail comes from is unknown): it then reads uncertain. */
  uncertain?: string;
  /**
   * Attempts the sender may or may not make (e.g. over IPv6 from an address nobody declared): for a legitimate path,
   * if one of them is not delivered while the others are, the path reads uncertain, with `reason`, and shows that
   * attempt's outcome. An attack path counts them like its other attempts (the attacker chooses).
   */
  conditional?: { attempts: Attempt[]; reason: string };
  /** Lines added to the path's evidence (e.g. how the path was tried over IPv6). */
  notes?: string[];
}

/**
 * What the standard paths read of the profile (mxlock.yaml, profile/schema.ts): the senders declared besides the
 * gateway. A `Profile` is one; the model names the fields rather than importing the profile's schema.
 */
export interface DeclaredSenders {
  readonly hybrid?:
    { readonly ips: readonly string[]; readonly certificate?: string | undefined } | undefined;
  readonly directSendSources: readonly {
    readonly name: string;
    readonly ips: readonly string[];
    readonly senders: readonly string[];
  }[];
}

/** "Foreign": a domain whose SPF, DKIM and DMARC pass for the sending IP (DESIGN §5). */
export const FOREIGN_DOMAIN = 'sender.example';

/** The id of a declared Direct Send source's path is this prefix and the source's name (DESIGN §5). */
export const DECLARED_SOURCE_PATH = 'path.declared-source:';
/** The id of the path of mail an existing inbound connector carries is this prefix and its name (DESIGN §5). */
export const CONNECTOR_PATH = 'path.connector:';
/** The hybrid path mxlock.yaml declares (`hybrid`). */
export const HYBRID_PATH = 'path.hybrid-onpremises';

/** Whether a path stands for a source mxlock.yaml declares (a Direct Send source or hybrid): the plan must admit it. */
export function isDeclaredSourcePath(id: string): boolean {
  return id.startsWith(DECLARED_SOURCE_PATH) || id === HYBRID_PATH;
}
const FOREIGN_PASS: AuthVerdict = {
  spf: 'pass',
  dkim: 'pass',
  dmarc: 'pass',
  dmarcPolicy: 'reject',
  notes: [`${FOREIGN_DOMAIN} is a domain the sender controls: SPF, DKIM and DMARC pass by construction`],
};

/** Candidate "arbitrary internet" addresses (RFC 2544 benchmarking range first); the first that no configuration names is used. */
const ATTACKER_CANDIDATES = [
  '198.18.7.7',
  '198.19.200.9',
  '100.64.77.7',
  '192.0.2.222',
  '203.0.113.222',
  '198.51.100.222',
];

/**
 * Candidate attacker addresses over IPv6 (RFC 3849 documentation prefix 2001:db8::/32); the first that no configuration
 * names is used.
 */
const ATTACKER_V6_CANDIDATES = ['2001:db8:bad:7::7', '2001:db8:fee:9::9', '2001:db8:77:77::77'];

/**
 * Stands for the gateway's IPv6 egress when mxlock.yaml lists none: whether the gateway delivers over IPv6 is then
 * unknown, and the path is also tried from here (RFC 3849 documentation prefix).
 */
export const UNDECLARED_GATEWAY_V6 = '2001:db8:6a7e::25';

/** Every address the configuration and the profile name: attacker addresses are chosen outside it. */
function namedAddresses(cfg: SimConfig, profile: DeclaredSenders, gateway: ResolvedGateway): IpSet {
  const named: string[] = [
    ...cfg.connectors.flatMap((c) => c.ips.entries.map((e) => e.text)),
    ...cfg.rules.flatMap((r) => [...(r.raw.SenderIpRanges ?? []), ...(r.raw.ExceptIfSenderIpRanges ?? [])]),
    ...(cfg.tenant.connectionFilter?.IPAllowList ?? []),
    ...(cfg.tenant.connectionFilter?.IPBlockList ?? []),
    ...gateway.ips,
    ...(profile.hybrid?.ips ?? []),
    ...profile.directSendSources.flatMap((s) => s.ips),
  ];
  return new IpSet(named);
}

function attackerIp(named: IpSet): string {
  return ATTACKER_CANDIDATES.find((ip) => !named.has(ip)) ?? '198.18.0.1';
}

function attackerIpv6(named: IpSet): string {
  return ATTACKER_V6_CANDIDATES.find((ip) => !named.has(ip)) ?? '2001:db8:ffff::1';
}

/** An IPv6 client address (not an IPv4-mapped one). */
function isV6(ip: string): boolean {
  return parseIpEntry(ip).kind === 'v6';
}

/**
 * The accepted domains (of `domains`) that take mail over IPv6 (model/ipv6.ts: Enabled, or Microsoft's default when
 * the export does not say), and those opted out, in order.
 */
export function ipv6Split(
  cfg: SimConfig,
  domains: readonly string[],
): { accepting: string[]; optedOut: string[] } {
  const accepting: string[] = [];
  const optedOut: string[] = [];
  for (const d of domains)
    (ipv6Acceptance(cfg.tenant.ipv6Statuses, d).accepts ? accepting : optedOut).push(d);
  return { accepting, optedOut };
}

/**
 * The attack path also tried over IPv6 (DESIGN §5): from `ip`, for each of its domains that takes IPv6. The attacker
 * runs its own server, so it has a PTR record (IPV6-2) and signs with its own domain (IPV6-3 [I]). Domains opted out are
 * not tried (IPV6-1 refuses them: never worse than IPv4) and are named in the notes.
 */
function withIpv6Attempts(
  p: StandardPath,
  ip: string,
  accepting: ReadonlySet<string>,
  optedOut: readonly string[],
): StandardPath {
  const attempts = [p.attempt, ...(p.variants ?? [])];
  const domains = p.domains ?? [];
  const extra: Attempt[] = [];
  const extraDomains: string[] = [];
  attempts.forEach((a, i) => {
    const d = domains[i];
    if (d === undefined || !accepting.has(d)) return;
    extra.push({ ...a, clientIp: ip, ptr: true, signedBy: [FOREIGN_DOMAIN] });
    extraDomains.push(d);
  });
  const notes = [...(p.notes ?? [])];
  if (extra.length > 0)
    notes.push(
      `also tried over IPv6 from ${ip} for ${extra.length} accepted domain${extra.length > 1 ? 's' : ''} that take IPv6 (the attacker has a PTR record and signs with its own domain: IPV6-2 [D], IPV6-3 [I])`,
    );
  const mine = optedOut.filter((d) => domains.includes(d));
  if (mine.length > 0)
    notes.push(
      `over IPv6, ${mine.slice(0, 10).join(', ')}${mine.length > 10 ? ', …' : ''} ${mine.length > 1 ? 'are' : 'is'} opted out: ${reply521(mine[0]!)} (IPV6-1 [D])`,
    );
  if (extra.length === 0) return notes.length > 0 ? { ...p, notes } : p;
  return {
    ...p,
    variants: [...(p.variants ?? []), ...extra],
    domains: [...domains, ...extraDomains],
    notes,
  };
}

/**
 * A legitimate sender's attempts with those from IPv6 addresses sent to `v6Recipient` (a user of a domain that takes
 * IPv6: a sender connects over IPv6 only to an endpoint with AAAA records). With no domain taking IPv6, the IPv6
 * attempts are dropped when the sender has IPv4 ones (it falls back to them), kept otherwise (refused 5.2.1).
 */
function routedByVersion(attempts: Attempt[], v6Recipient: string | undefined): Attempt[] {
  const hasV4 = attempts.some((a) => !isV6(a.clientIp));
  return attempts.flatMap((a) => {
    if (!isV6(a.clientIp)) return [a];
    if (v6Recipient !== undefined) return [{ ...a, rcpts: [v6Recipient] }];
    return hasV4 ? [] : [a];
  });
}

/**
 * Addresses that stand for an entry: its first and last usable host, so that a connector or rule covering only
 * part of a declared range is noticed at either end.
 */
function sampleAddresses(entry: string): string[] {
  const e = parseIpEntry(entry);
  if (e.kind === 'v6') return [e.net[0].toString()];
  if (e.kind !== 'v4') return [];
  const { lo, hi } = e.range;
  if (hi - lo >= 3) return [ipv4Text(lo + 1), ipv4Text(hi - 1)];
  return lo === hi ? [ipv4Text(lo)] : [ipv4Text(lo), ipv4Text(hi)];
}

function samplesOf(entries: readonly string[]): string[] {
  return [...new Set(entries.flatMap(sampleAddresses))];
}

/** The first attempt plus the rest as variants. */
function withVariants(attempts: Attempt[]): { attempt: Attempt; variants?: Attempt[] } {
  const [first, ...rest] = attempts;
  return rest.length > 0 ? { attempt: first!, variants: rest } : { attempt: first! };
}

/** A host name presented under a configured certificate name (`*.x` → `mail.x`). */
export function certHost(name: string): string {
  return name.startsWith('*.') ? `mail.${name.slice(2)}` : name;
}

/**
 * Host names another customer of the same gateway may present that a restricting connector of this tenant accepts:
 * one per enabled Partner connector with RestrictDomainsToCertificate and a TlsSenderCertificateName (CON-5 [D]: one
 * satisfied restricting connector admits the connection, §12 OQ-2 [D]/[I]), e.g. an old lock-down to the SEG's shared
 * `*.mimecast.com` left beside the new one to a certificate unique to this tenant. Left out: names the gateway's own
 * attempt already presents, and, when the profile marks the gateway's certificate unique, names it covers (this
 * tenant's alone). For a wildcard, a host under it that the unique certificate does not cover.
 */
function otherAcceptedCertificates(cfg: SimConfig, gateway: ResolvedGateway): string[] {
  const own = gateway.certificate?.trim();
  const unique = gateway.certificateUnique && own ? own : undefined;
  const presented = own ? certHost(own).toLowerCase() : undefined;
  const hosts = new Map<string, string>();
  for (const c of cfg.connectors) {
    const name = c.certificate?.trim();
    if (c.type !== 'Partner' || c.enabled !== true || c.restrictCert !== true || !name) continue;
    const candidates = name.startsWith('*.') ? [certHost(name), `other-customer.${name.slice(2)}`] : [name];
    const host = candidates.find((h) => !unique || !certificateMatches(unique, [h]));
    if (host === undefined || (!unique && host.toLowerCase() === presented)) continue;
    if (!hosts.has(host.toLowerCase())) hosts.set(host.toLowerCase(), host);
  }
  return [...hosts.values()];
}

/**
 * The accepted domains the attack paths spoof and address (DESIGN §5), the default first. Every one of them: a domain
 * added after the lock-down is often missing from its AssociatedAcceptedDomains, and a `*.onmicrosoft.com` default
 * hides the custom domains attackers actually spoof.
 */
export function ownDomains(cfg: SimConfig): string[] {
  const t = cfg.tenant;
  const list = [
    ...new Set(
      [t.defaultDomain, ...t.domainNames].filter((d): d is string => !!d).map((d) => d.toLowerCase()),
    ),
  ];
  return list.length > 0 ? list : ['unknown-domain.invalid'];
}

/** An attack attempt (DESIGN §5): from `ip`, over TLS without a client certificate, foreign P1 and P2, to user@`own`. */
function attackAttempt(ip: string, own: string, over: Partial<Attempt>): Attempt {
  return {
    clientIp: ip,
    tls: true,
    certNames: [],
    mailFrom: `attacker@${FOREIGN_DOMAIN}`,
    headerFrom: `attacker@${FOREIGN_DOMAIN}`,
    rcpts: [`user@${own}`],
    adversarial: true,
    ...over,
  };
}

/**
 * The attack paths of DESIGN §5 (own-domain P1; foreign P1 with own-domain From:; foreign domain; null sender; the
 * initial domain) from `ip`, over TLS without a client certificate, each tried for every domain in `domains` (the
 * default first). The one definition of them: `standardPaths` simulates them, the live probe (src/smtp/probe.ts) sends
 * them.
 */
export function attackPaths(
  domains: readonly string[],
  initialDomain: string | undefined,
  ip: string,
): StandardPath[] {
  const own = domains[0]!;
  const attack = (over: Partial<Attempt>) => attackAttempt(ip, own, over);
  /** One attempt per accepted domain, spoofing and addressing it. */
  const perDomain = (make: (domain: string) => Partial<Attempt>) => ({
    ...withVariants(domains.map((d) => attack({ rcpts: [`user@${d}`], ...make(d) }))),
    domains: [...domains],
  });
  const each = domains.length > 1 ? `each of the ${domains.length} accepted domains` : own;
  const paths: StandardPath[] = [
    {
      id: 'path.direct-send-own-domain',
      kind: 'attack',
      description: `Direct Send spoof: ${ip} → EOP, MAIL FROM and From: ${each}, to a user of the same domain`,
      ...perDomain((d) => ({ mailFrom: `ceo@${d}`, headerFrom: `ceo@${d}` })),
    },
    {
      id: 'path.spoof-header-own-domain',
      kind: 'attack',
      description: `Header spoof: MAIL FROM ${FOREIGN_DOMAIN}, From: ${each}, to a user of the same domain`,
      ...perDomain((d) => ({ headerFrom: `ceo@${d}` })),
    },
    {
      id: 'path.foreign-domain-direct',
      kind: 'attack',
      description: `Phishing from an authenticated foreign domain straight to EOP, to a user of ${each}`,
      ...perDomain(() => ({ auth: FOREIGN_PASS })),
    },
    {
      id: 'path.null-sender-direct',
      kind: 'attack',
      description: `Null sender <> with From: ${each}, to a user of the same domain`,
      ...perDomain((d) => ({ mailFrom: '', headerFrom: `ceo@${d}` })),
    },
  ];
  if (initialDomain) {
    paths.push({
      id: 'path.initial-domain-direct',
      kind: 'attack',
      description: `Phishing addressed to user@${initialDomain}`,
      attempt: attack({ rcpts: [`user@${initialDomain}`], auth: FOREIGN_PASS }),
      domains: [initialDomain.toLowerCase()],
    });
  }
  return paths;
}

export function standardPaths(
  cfg: SimConfig,
  profile: DeclaredSenders,
  gateway: ResolvedGateway,
  flows: readonly ConnectorFlow[] = [],
): StandardPath[] {
  const domains = ownDomains(cfg);
  const own = domains[0]!;
  const user = `user@${own}`;
  const named = namedAddresses(cfg, profile, gateway);
  const ip = attackerIp(named);
  const attack = (over: Partial<Attempt>) => attackAttempt(ip, own, over);
  const initial = cfg.tenant.initialDomain?.toLowerCase();
  const v6 = ipv6Split(cfg, initial && !domains.includes(initial) ? [...domains, initial] : domains);
  const accepting = new Set(v6.accepting);
  const v6Ip = attackerIpv6(named);
  const paths = attackPaths(domains, cfg.tenant.initialDomain, ip).map((p) =>
    withIpv6Attempts(p, v6Ip, accepting, v6.optedOut),
  );
  /** Where a legitimate sender's IPv6 mail goes: a user of the first domain (default first) that takes IPv6. */
  const v6User = v6.accepting[0] !== undefined ? `user@${v6.accepting[0]}` : undefined;
  // Every gateway egress entry is a way in for the gateway's mail: one left off a restricting connector breaks
  // delivery from it with 550 5.7.51 (CON-5 [D]), so each entry is an attempt (first and last host of a range).
  // Every entry, never a sample: an entry left out of the simulation could be the one the lock-down lacks, and the
  // path would read `preserved` while delivery from it breaks. The cost is linear and small: one simulatePaths with
  // 256 gateway entries (up to 512 attempts per gateway path) takes ~15 ms.
  const gwIps = samplesOf(gateway.ips);
  const gwIp = gwIps[0];
  const gwCert = gateway.certificate ? [certHost(gateway.certificate)] : [];
  if (hasGateway(gateway) && (gwIp || gwCert.length)) {
    const ips = gwIps.length > 0 ? gwIps : [ip];
    const relayed = (clientIp: string, rcpt: string): Attempt => ({
      clientIp,
      ...(isV6(clientIp) ? { ptr: true } : {}),
      tls: true,
      certNames: gwCert,
      auth: FOREIGN_PASS,
      mailFrom: `partner@${FOREIGN_DOMAIN}`,
      headerFrom: `partner@${FOREIGN_DOMAIN}`,
      rcpts: [rcpt],
      receivedIps: ['198.18.40.40'],
    });
    // Over IPv6 the gateway is anonymous unless its certificate matches a connector (IPV6-4). A mail service that
    // delivers over IPv6 at all has PTR records for it (the large receivers, Exchange Online among them, require one:
    // IPV6-2) [I], and relayed mail keeps its DKIM signature (IPV6-3).
    const declaredV6 = gwIps.some(isV6);
    paths.push({
      id: 'path.gateway-delivery',
      kind: 'legitimate',
      description: `Mail relayed by the gateway (${[gwIp, ...gwCert].filter(Boolean).join(', ')})`,
      ...(gwCert.length === 0 && gateway.certificateCandidates?.length
        ? { eitherCertificate: gateway.certificateCandidates }
        : {}),
      ...withVariants(
        routedByVersion(
          ips.map((clientIp) => relayed(clientIp, user)),
          v6User,
        ),
      ),
      ...(v6User !== undefined && !declaredV6
        ? {
            conditional: {
              attempts: [relayed(UNDECLARED_GATEWAY_V6, v6User)],
              reason: `${v6.accepting.slice(0, 5).join(', ')}${v6.accepting.length > 5 ? ', …' : ''} take${v6.accepting.length > 1 ? '' : 's'} mail over IPv6 (their endpoints answer AAAA queries) and mxlock.yaml lists no IPv6 address for the gateway, so whether it delivers over IPv6 is unknown; tried from ${UNDECLARED_GATEWAY_V6}, which stands for its IPv6 egress (declare the gateway's IPv6 ranges in gateway.ips if it has any)`,
            },
          }
        : {}),
    });
    // Another customer of the gateway sends from its IPs with the gateway's certificate, unless that certificate is
    // this tenant's alone; and with any certificate another restricting connector accepts (CON-5 [D], OQ-2).
    const otherCerts = otherAcceptedCertificates(cfg, gateway);
    const sharedCerts = [gateway.certificateUnique ? [] : gwCert, ...otherCerts.map((h) => [h])];
    const accepted =
      otherCerts.length > 0
        ? `, or presenting ${otherCerts.join(', ')}, which a restricting connector accepts`
        : '';
    paths.push({
      id: 'path.shared-gateway-ip',
      kind: 'residual',
      description: gateway.certificateUnique
        ? `Another customer of the same gateway: its IP, without this tenant's unique certificate${accepted}`
        : gwCert.length > 0
          ? `Another customer of the same gateway: its IP and shared certificate${accepted}`
          : `Another customer of the same gateway: its IP (the gateway's certificate is unknown)${accepted}`,
      ...withVariants(
        sharedCerts.flatMap((certNames) =>
          ips.map((clientIp) => attack({ clientIp, certNames, auth: FOREIGN_PASS })),
        ),
      ),
    });
  }
  for (const src of profile.directSendSources) {
    const srcIps = samplesOf(src.ips);
    const srcIp = srcIps[0];
    const sender = src.senders[0];
    if (!srcIp || !sender) continue;
    paths.push({
      id: `${DECLARED_SOURCE_PATH}${src.name}`,
      kind: 'legitimate',
      description: `Declared Direct Send source '${src.name}' (${srcIp}) sending as ${sender}`,
      // A device is assumed to offer STARTTLS without a client certificate [I]; over IPv6, whether its address has a
      // PTR record is not known (IPV6-2).
      ...withVariants(
        routedByVersion(
          srcIps.flatMap((clientIp) =>
            src.senders.map((s) => ({
              clientIp,
              tls: true,
              certNames: [],
              mailFrom: s,
              headerFrom: s,
              rcpts: [user],
            })),
          ),
          v6User,
        ),
      ),
    });
  }
  if (profile.hybrid && (profile.hybrid.ips.length > 0 || profile.hybrid.certificate)) {
    const hIps = samplesOf(profile.hybrid.ips);
    const certNames = profile.hybrid.certificate ? [certHost(profile.hybrid.certificate)] : [];
    paths.push({
      id: HYBRID_PATH,
      kind: 'legitimate',
      description: 'On-premises Exchange sending to cloud mailboxes',
      ...withVariants(
        routedByVersion(
          (hIps.length > 0 ? hIps : [ip]).map((clientIp) => ({
            clientIp,
            // An Exchange server sending over IPv6 is taken to have a PTR record, as a mail server does [I] (IPV6-2).
            ...(isV6(clientIp) ? { ptr: true } : {}),
            tls: true,
            certNames,
            mailFrom: `onprem.user@${own}`,
            headerFrom: `onprem.user@${own}`,
            rcpts: [user],
            // Exchange hybrid stamps its organization headers as cross-premises headers for Exchange Online (CON-8).
            headers: { 'X-MS-Exchange-CrossPremises-AuthAs': 'Internal' },
          })),
          v6User,
        ),
      ),
    });
  }
  for (const f of flows) paths.push(connectorPath(f, cfg, own, ip, v6User));
  return paths;
}

/** A sender domain's own mail, assumed to authenticate as it (SPF, DKIM and DMARC pass) [I]. */
function partnerPass(domain: string): AuthVerdict {
  return {
    spf: 'pass',
    dkim: 'pass',
    dmarc: 'pass',
    dmarcPolicy: 'reject',
    notes: [`${domain} is the connector partner's own domain: its mail is assumed to authenticate [I]`],
  };
}

/**
 * `path.connector:<name>` (DESIGN §5): the mail an existing inbound connector was set up for, from its addresses (or
 * its sender domains' SPF addresses [I]), presenting its certificate when it names one, sending as its sender domains
 * (an own domain through an OnPremises connector; a partner domain that authenticates, through a Partner one).
 */
function connectorPath(
  f: ConnectorFlow,
  cfg: SimConfig,
  own: string,
  anyIp: string,
  v6User: string | undefined,
): StandardPath {
  const ips = f.addresses === 'connector' || f.addresses === 'spf' ? samplesOf(f.ips) : [];
  const froms = f.senderDomains?.length
    ? f.senderDomains.map((d) => `partner@${d}`)
    : f.connector.ConnectorType === 'OnPremises'
      ? [`relay@${own}`]
      : [`partner@${FOREIGN_DOMAIN}`];
  const certNames = f.certificate ? [certHost(f.certificate)] : [];
  const from = (clientIp: string, sender: string): Attempt => {
    const domain = sender.slice(sender.lastIndexOf('@') + 1);
    return {
      clientIp,
      // A partner's mail server sending over IPv6 is taken to have a PTR record, as a mail server does [I] (IPV6-2).
      ...(isV6(clientIp) ? { ptr: true } : {}),
      tls: true,
      certNames,
      mailFrom: sender,
      headerFrom: sender,
      rcpts: [`user@${own}`],
      ...(cfg.tenant.isAccepted(domain)
        ? {}
        : { auth: domain === FOREIGN_DOMAIN ? FOREIGN_PASS : partnerPass(domain) }),
    };
  };
  const first = ips[0] ?? anyIp;
  const attempts = [
    ...(ips.length > 0 ? ips : [anyIp]).map((clientIp) => from(clientIp, froms[0]!)),
    ...froms.slice(1).map((sender) => from(first, sender)),
  ];
  const kind = f.connector.ConnectorType ?? 'connector';
  const scope = f.senderDomains ? `, SenderDomains ${f.senderDomains.join(', ')}` : '';
  return {
    id: `${CONNECTOR_PATH}${f.name}`,
    kind: 'legitimate',
    description: `Mail the inbound connector '${f.name}' (${kind}${scope}) was set up for: ${f.basis[0] ?? ''}`,
    ...withVariants(routedByVersion(attempts, v6User)),
    ...(f.addresses === 'none' ? { uncertain: f.basis.join('; ') } : {}),
  };
}

function attackStatus(o: Outcome): PathStatus {
  if (o.stage === 'rcpt') return 'closed';
  return o.disposition === 'inbox' || o.disposition === 'junk' ? 'open' : 'mitigated';
}

/**
 * Outcome set → status. Attack/residual: all refused in session → closed; none reaches the mailbox → mitigated
 * (the weaker claim that holds for every outcome); all reach the mailbox (inbox or junk) → open; a mix → uncertain.
 * Legitimate: all delivered → preserved; none → broken; a mix → uncertain.
 */
export function classify(kind: PathKind, result: SimResult): PathStatus {
  const outs = result.outcomes;
  if (outs.length === 0) return 'uncertain';
  if (kind === 'legitimate') {
    const delivered = outs.map((o) => o.disposition === 'inbox' || o.disposition === 'junk');
    if (delivered.every(Boolean)) return 'preserved';
    if (delivered.every((x) => !x)) return 'broken';
    return 'uncertain';
  }
  const statuses = new Set(outs.map(attackStatus));
  if (statuses.size === 1) return [...statuses][0]!;
  if (statuses.has('open')) return 'uncertain';
  return 'mitigated';
}

function evidenceOf(path: StandardPath, result: SimResult, status: PathStatus, pick: Outcome): string[] {
  const lines = [path.description];
  const tag = (e: string) => `[${e}]`;
  for (const d of pick.decisions) lines.push(`${d.rule} ${tag(d.evidence)}: ${d.text}`);
  if (result.outcomes.length > 1) {
    const others = result.outcomes.filter((o) => o !== pick);
    for (const o of others) {
      const last = o.decisions[o.decisions.length - 1];
      lines.push(
        `alternative outcome: ${o.stage} ${o.disposition}${o.reply ? ` (${o.reply})` : ''}${last ? ` — ${last.rule} [${last.evidence}]: ${last.text}` : ''}`,
      );
    }
  }
  for (const u of result.uncertainties) lines.push(`uncertain: ${u}`);
  if (status === 'uncertain' && result.uncertainties.length === 0)
    lines.push('uncertain: outcomes differ between undecided branches');
  return lines;
}

/** The outcome shown for a path: the worst for the defender (attack) or the worst for delivery (legitimate). */
function representative(kind: PathKind, outs: Outcome[]): Outcome {
  const rank = (o: Outcome) =>
    ({ rejected: 0, ndr: 1, dropped: 2, quarantine: 3, junk: 4, inbox: 5 })[o.disposition];
  const sorted = [...outs].sort((a, b) => (kind === 'legitimate' ? rank(a) - rank(b) : rank(b) - rank(a)));
  return sorted[0]!;
}

/** Exports whose absence means no attack path may be reported closed or mitigated (DESIGN §1 principle 1). */
export const PATH_CRITICAL_EXPORTS = [
  'Get-InboundConnector',
  'Get-OrganizationConfig',
  'Get-AcceptedDomain',
  'Get-TransportRule',
] as const;

/** An attempt in the evidence: its address, the certificate it presents when it presents one, its MAIL FROM. */
function attemptLabel(a: Attempt): string {
  const cert = a.certNames.length > 0 ? ` presenting certificate ${a.certNames.join(', ')}` : '';
  return `${a.clientIp}${cert} with MAIL FROM <${a.mailFrom}>`;
}

/** Worse first: the attacker picks the attempt that gets through; a legitimate flow breaks if any attempt breaks. */
const STATUS_RANK: Record<PathStatus, number> = {
  closed: 0,
  mitigated: 1,
  uncertain: 2,
  open: 3,
  preserved: 0,
  broken: 3,
};

export function evaluatePaths(
  cfg: SimConfig,
  profile: DeclaredSenders,
  gateway: ResolvedGateway,
  missing: readonly string[] = [],
  flows: readonly ConnectorFlow[] = [],
): PathResult[] {
  return evaluatePathList(cfg, standardPaths(cfg, profile, gateway, flows), missing);
}

/**
 * The attempt as it is and presenting each certificate in `certificates`: every outcome of any of them, with the
 * reason when they differ.
 */
function eitherResult(cfg: SimConfig, attempt: Attempt, certificates: readonly string[]): SimResult {
  const results = [
    simulate(cfg, attempt),
    ...certificates.map((c) => simulate(cfg, { ...attempt, tls: true, certNames: [certHost(c)] })),
  ];
  const outcomes = dedupeOutcomes(results.flatMap((r) => r.outcomes));
  const uncertainties = [...new Set(results.flatMap((r) => r.uncertainties))];
  const dispositions = new Set(results.map((r) => r.outcomes.map((o) => o.disposition).join(',')));
  if (dispositions.size > 1)
    uncertainties.push(
      `which certificate the sender presents is unknown (${['none', ...certificates.map((c) => JSON.stringify(c))].join(', ')}), and the outcome depends on it`,
    );
  return { outcomes, uncertainties };
}

/**
 * Evaluates any list of paths (standard ones, or a scenario file's attempts) the same way; the results sorted by id,
 * as reports list paths. Ids compare as text (`flow:10` before `flow:2`): a caller that pairs results with its own
 * list by position wants `evaluatePathsInOrder`.
 */
export function evaluatePathList(
  cfg: SimConfig,
  list: readonly StandardPath[],
  missing: readonly string[] = [],
): PathResult[] {
  return sortById(evaluatePathsInOrder(cfg, list, missing));
}

/**
 * `evaluatePathList` with the results in the order of `list`: result k is `list[k]`'s, whatever the ids. With
 * `evidence: false` the results carry no evidence lines (empty): for a caller that reads only the status, the outcome
 * and the simulator's result, as the impact replay does for thousands of flows per stage.
 */
export function evaluatePathsInOrder(
  cfg: SimConfig,
  list: readonly StandardPath[],
  missing: readonly string[] = [],
  options: { evidence?: boolean } = {},
): PathResult[] {
  const withEvidence = options.evidence !== false;
  const lacking = PATH_CRITICAL_EXPORTS.filter((m) => missing.includes(m));
  /** Missing exports never let a path read closed, mitigated or preserved (DESIGN §1 principle 1). */
  const capped = (status: PathStatus): PathStatus =>
    lacking.length > 0 && (status === 'closed' || status === 'mitigated' || status === 'preserved')
      ? 'uncertain'
      : status;
  return list.map((p) => {
    const judge = (attempt: Attempt) => {
      const result = p.eitherCertificate
        ? eitherResult(cfg, attempt, p.eitherCertificate)
        : simulate(cfg, attempt);
      return { attempt, result, status: classify(p.kind, result) };
    };
    const definite = [p.attempt, ...(p.variants ?? [])];
    // An attacker makes whichever attempt gets through: its conditional attempts count like the others.
    const attempts =
      p.conditional && p.kind !== 'legitimate' ? [...definite, ...p.conditional.attempts] : definite;
    const judged = attempts.map(judge);
    let worst = judged[0]!;
    /** A legitimate path's attempts by status other than preserved: the evidence names each one that fails. */
    const failing = new Map<PathStatus, Attempt[]>();
    for (const j of judged) {
      if (p.kind === 'legitimate' && j.status !== 'preserved')
        failing.set(j.status, [...(failing.get(j.status) ?? []), j.attempt]);
      if (STATUS_RANK[j.status] > STATUS_RANK[worst.status]) worst = j;
    }
    // A legitimate sender may or may not make its conditional attempts: one not delivered while the definite ones are
    // leaves the path uncertain, showing that attempt's outcome (e.g. the gateway over IPv6, model/ipv6.ts).
    const maybe =
      p.conditional && p.kind === 'legitimate' && worst.status === 'preserved'
        ? p.conditional.attempts.map(judge).find((j) => j.status !== 'preserved')
        : undefined;
    const shown = maybe ?? worst;
    const { attempt, result } = shown;
    let status = worst.status;
    const pick = representative(p.kind, result.outcomes);
    const evidence = withEvidence ? evidenceOf(p, result, status, pick) : [];
    if (maybe !== undefined) {
      status = 'uncertain';
      evidence.splice(
        1,
        0,
        `${maybe.status} if the sender makes this attempt: ${attemptLabel(maybe.attempt)} to <${maybe.attempt.rcpts.join('>, <')}>; the other ${definite.length} attempt${definite.length > 1 ? 's are' : ' is'} preserved`,
      );
      evidence.push(`uncertain: ${p.conditional!.reason}`);
    }
    for (const n of p.notes ?? []) evidence.push(n);
    if (attempts.length > 1 && !p.domains) {
      const lines = [
        `${attempts.length} attempts evaluated (every declared address and sender); shown: ${attemptLabel(attempt)}`,
      ];
      for (const [s, list] of [...failing].sort(([a], [b]) => STATUS_RANK[b] - STATUS_RANK[a]))
        lines.push(
          `${s} in ${list.length} of ${attempts.length} attempts: ${list.map(attemptLabel).join(', ')}`,
        );
      evidence.splice(1, 0, ...lines);
    }
    const domains = p.domains ? domainResults(p, judged, capped) : undefined;
    if (domains && domains.length > 1) {
      const decidingDomain = p.domains![judged.indexOf(worst)]!;
      evidence.splice(
        1,
        0,
        ...domainLines(
          domains,
          decidingDomain,
          `${attemptLabel(attempt)} to <${attempt.rcpts.join('>, <')}>`,
        ),
      );
    }
    let modelStatus: PathStatus | undefined;
    if (p.uncertain !== undefined) {
      modelStatus = status;
      status = 'uncertain';
      evidence.push(`uncertain: ${p.uncertain}`);
    }
    if (capped(status) !== status) {
      status = capped(status);
      evidence.push(
        `uncertain: ${lacking.map((m) => `${m}.json`).join(', ')} not in the export, so this cannot be confirmed`,
      );
    }
    const outcome = outcomeOf(pick);
    const out: PathResult = {
      id: p.id,
      kind: p.kind,
      status,
      outcome,
      evidence: withEvidence ? evidence : [],
      result,
    };
    if (domains) out.domains = domains;
    if (modelStatus !== undefined) out.modelStatus = modelStatus;
    return out;
  });
}

function outcomeOf(o: Outcome): PathOutcome {
  const out: PathOutcome = { stage: o.stage, disposition: o.disposition };
  if (o.reply !== undefined) out.reply = o.reply;
  return out;
}

/** Each domain's status (the worst of its attempts) and shown outcome, in the order the path tried them. */
function domainResults(
  p: StandardPath,
  judged: readonly { result: SimResult; status: PathStatus }[],
  capped: (s: PathStatus) => PathStatus,
): DomainResult[] {
  const byDomain = new Map<string, { result: SimResult; status: PathStatus }>();
  judged.forEach((j, i) => {
    const d = p.domains![i] ?? p.domains![0]!;
    const seen = byDomain.get(d);
    if (!seen || STATUS_RANK[j.status] > STATUS_RANK[seen.status]) byDomain.set(d, j);
  });
  return [...byDomain].map(([domain, j]) => ({
    domain,
    status: capped(j.status),
    outcome: outcomeOf(representative(p.kind, j.result.outcomes)),
  }));
}

/** The evidence of a path tried for several domains: which one decides, and how the others fared. */
function domainLines(domains: readonly DomainResult[], deciding: string, shown: string): string[] {
  const counts = new Map<PathStatus, string[]>();
  for (const d of domains) counts.set(d.status, [...(counts.get(d.status) ?? []), d.domain]);
  const MAX_NAMED = 10;
  const parts = [...counts]
    .sort(([a], [b]) => STATUS_RANK[b] - STATUS_RANK[a])
    .map(([s, names]) => {
      const named = names.slice(0, MAX_NAMED).join(', ');
      return `${s} for ${names.length}${names.length > MAX_NAMED ? ` (${named}, …)` : ` (${named})`}`;
    });
  return [
    `${domains.length} accepted domains tried; deciding domain: ${deciding} (shown: ${shown}); ${parts.join('; ')}`,
  ];
}

export interface Verdict {
  /** `no-gateway`: the tenant has no gateway, so there is nothing to bypass (DESIGN §3.3). */
  bypass: 'open' | 'closed' | 'uncertain' | 'no-gateway';
  legitimateFlows: 'preserved' | 'broken' | 'uncertain';
  summary: string;
}

/** The attack paths whose From: is an own domain: without a gateway they are still spoofing, and RejectDirectSend, SPF/DMARC and anti-spoofing must stop them. */
export const OWN_DOMAIN_SPOOF_PATHS: ReadonlySet<string> = new Set([
  'path.direct-send-own-domain',
  'path.spoof-header-own-domain',
  'path.null-sender-direct',
]);

/**
 * The attack paths that count against the tenant and are open or uncertain: every attack path, except that without a
 * gateway only the own-domain spoofs count (a foreign domain's mail reaching the inbox is then ordinary mail).
 */
export function exposedAttackPaths(
  paths: readonly PathResult[],
  gateway: Pick<ResolvedGateway, 'source'>,
): PathResult[] {
  return paths.filter(
    (p) =>
      p.kind === 'attack' &&
      (p.status === 'open' || p.status === 'uncertain') &&
      (gateway.source !== 'none' || OWN_DOMAIN_SPOOF_PATHS.has(p.id)),
  );
}

/**
 * The headline verdict (DESIGN §5): `no-gateway` when the tenant has none; `uncertain` when whether it has one is
 * unknown (the summary says what to declare); else `open` if any attack path is open, `uncertain` if any is undecided
 * or an export the paths need is missing, else `closed`.
 */
export function verdictOf(
  paths: readonly PathResult[],
  gateway: Pick<ResolvedGateway, 'source' | 'basis'>,
  missing: readonly string[] = [],
): Verdict {
  const attacks = paths.filter((p) => p.kind === 'attack');
  const legit = paths.filter((p) => p.kind === 'legitimate');
  const open = attacks.filter((p) => p.status === 'open');
  const uncertain = attacks.filter((p) => p.status === 'uncertain');
  const lacking = PATH_CRITICAL_EXPORTS.filter((m) => missing.includes(m));
  const broken = legit.filter((p) => p.status === 'broken');
  const legitUncertain = legit.filter((p) => p.status === 'uncertain');
  const legitimateFlows: Verdict['legitimateFlows'] =
    broken.length > 0 ? 'broken' : legitUncertain.length > 0 ? 'uncertain' : 'preserved';
  const parts: string[] = [];
  let bypass: Verdict['bypass'];
  if (gateway.source === 'none') {
    bypass = 'no-gateway';
    parts.push(
      'No gateway: every MX of the accepted domains points at Exchange Online and none is declared, so there is nothing to bypass; RejectDirectSend, SPF/DKIM/DMARC and anti-spoofing protect the tenant (see the findings).',
    );
    const spoofs = exposedAttackPaths(paths, gateway);
    if (spoofs.length > 0)
      parts.push(
        `Own-domain spoofing not known to be stopped: ${spoofs.map((p) => `${p.id} (${p.status})`).join(', ')}.`,
      );
  } else if (gateway.source === 'unknown') {
    bypass = 'uncertain';
    parts.push(
      `Whether mail must pass a gateway is unknown (${gateway.basis.join('; ')}): declare the gateway in mxlock.yaml (gateway.ips and gateway.certificate), or record the MX records of the accepted domains in dns.json (mxlock dns --record) so mxlock can tell.`,
    );
    if (open.length > 0)
      parts.push(
        `${open.length} of ${attacks.length} attack paths reach mailboxes directly (a bypass if a gateway is meant to be in front): ${open.map((p) => p.id).join(', ')}.`,
      );
  } else {
    bypass =
      open.length > 0
        ? 'open'
        : uncertain.length > 0 || lacking.length > 0 || attacks.length === 0
          ? 'uncertain'
          : 'closed';
    if (bypass === 'open')
      parts.push(
        `${open.length} of ${attacks.length} attack paths reach mailboxes without the gateway: ${open.map((p) => p.id).join(', ')}.`,
      );
    else if (bypass === 'closed') parts.push(`All ${attacks.length} attack paths are closed or mitigated.`);
    else
      parts.push(
        `No attack path is known to be open, but ${uncertain.length} cannot be decided${uncertain.length ? `: ${uncertain.map((p) => p.id).join(', ')}` : ''}.`,
      );
  }
  if (lacking.length > 0)
    parts.push(`Missing from the export: ${lacking.map((m) => `${m}.json`).join(', ')}.`);
  if (broken.length > 0) parts.push(`Legitimate flows broken: ${broken.map((p) => p.id).join(', ')}.`);
  else if (legitUncertain.length > 0)
    parts.push(`Legitimate flows not confirmed: ${legitUncertain.map((p) => p.id).join(', ')}.`);
  else if (legit.length > 0) parts.push('Legitimate flows are preserved.');
  const residualOpen = paths.filter((p) => p.kind === 'residual' && p.status === 'open');
  if (residualOpen.length > 0)
    parts.push(`Residual risk: ${residualOpen.map((p) => p.id).join(', ')} is open.`);
  return { bypass, legitimateFlows, summary: parts.join(' ') };
}
