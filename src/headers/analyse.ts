/**
 * `mxlock headers`: was this message delivered through the gateway, did Enhanced Filtering judge it against the real
 * sender, and did EOP override its own enforcement? Each answer with its reasons, from the headers and, when given,
 * the tenant's gateway (profile/export) and accepted domains. Unknown is never safe (DESIGN §1.1). Pure.
 */
import { domainOf, domainPatternMatches } from '../common/domains.js';
import { hasGateway, type ResolvedGateway } from '../common/gateway.js';
import { IpSet, isValidIp } from '../common/ip.js';
import {
  arcSets,
  authenticationView,
  resultOf,
  type ArcSet,
  type AuthResults,
  type MethodResult,
} from './auth.js';
import { fromMailbox } from './address.js';
import { decodeEncodedWords, firstField, parseInput, type ParsedMessage } from './parse.js';
import { entryHop, receivedChain, type Hop } from './received.js';
import {
  antispamView,
  enhancedFilteringIp,
  organizationHeaders,
  type ForeignStamp,
  type OrgHeader,
} from './stamps.js';

export type HeadersVerdict = 'via-gateway' | 'bypass' | 'internal' | 'unknown';
export type EnhancedFiltering = 'applied' | 'not-applied' | 'unknown';
/** Whether EOP's own authentication enforcement was bypassed for this message (compauth 4xx/9xx, action=oreject). */
export type Enforcement = 'overridden' | 'not-overridden' | 'unknown';

/** What mxlock knows of the receiving tenant; undefined members are unknown, never assumed. */
export interface HeadersContext {
  /** The gateway (profile or export, resolveGateway); undefined when neither was given. */
  gateway: ResolvedGateway | undefined;
  /** Lower-case accepted domains from the export; undefined without one. */
  acceptedDomains: readonly string[] | undefined;
  /** On-premises (hybrid) servers from the profile. */
  hybridIps: readonly string[];
}

export const NO_CONTEXT: HeadersContext = { gateway: undefined, acceptedDomains: undefined, hybridIps: [] };

export interface AuthenticationSummary {
  spf: string | undefined;
  dkim: string | undefined;
  dmarc: string | undefined;
  compauth: string | undefined;
  compauthReason: string | undefined;
  dmarcAction: string | undefined;
  /** The IP SPF was judged against (`sender IP is …`). */
  spfSenderIp: string | undefined;
  smtpMailfrom: string | undefined;
  headerFrom: string | undefined;
  /** The header the results were read from; undefined when EOP's results are absent. */
  source: string | undefined;
}

export interface HeadersAnalysis {
  verdict: HeadersVerdict;
  enhancedFiltering: EnhancedFiltering;
  enforcement: Enforcement;
  reasons: string[];
  /** Oldest first. */
  hops: Hop[];
  /** The hop into the receiving tenant's Exchange Online. */
  entry: Hop | undefined;
  connectingIp: string | undefined;
  antispam: Record<string, string> | undefined;
  authentication: AuthenticationSummary;
  upstream: AuthResults[];
  otherResults: AuthResults[];
  arc: ArcSet[];
  foreign: ForeignStamp[];
  organization: Partial<Record<OrgHeader, string>>;
  message: { from?: string; to?: string; subject?: string; messageId?: string; date?: string };
  notes: string[];
}

export interface HeadersResult {
  messages: HeadersAnalysis[];
  notes: string[];
}

function describe(r: MethodResult | undefined): string | undefined {
  return r ? r.result : undefined;
}

function summarise(results: AuthResults | undefined): AuthenticationSummary {
  const spf = resultOf(results, 'spf');
  const dmarc = resultOf(results, 'dmarc');
  const compauth = resultOf(results, 'compauth');
  const dkim = results?.results.filter((r) => r.method === 'dkim') ?? [];
  const ip = spf?.comment ? /sender ip is\s+([0-9A-Fa-f:.]{2,60})/i.exec(spf.comment)?.[1] : undefined;
  return {
    spf: describe(spf),
    // Several signatures: any pass is shown first, the way DMARC counts an aligned pass.
    dkim: dkim.find((d) => d.result === 'pass')?.result ?? dkim[0]?.result,
    dmarc: describe(dmarc),
    compauth: describe(compauth),
    compauthReason: compauth?.props['reason'],
    dmarcAction: dmarc?.props['action'],
    spfSenderIp: ip && isValidIp(ip) ? ip : undefined,
    smtpMailfrom: spf?.props['smtp.mailfrom'],
    headerFrom: dmarc?.props['header.from'],
    source: results?.header,
  };
}

const is = (value: string | undefined, expected: string) =>
  value?.trim().toLowerCase() === expected.toLowerCase();

/** compauth reasons 4xx and 9xx: "the message bypassed composite authentication" (eop-model §6.2 [D] S26, §13). */
function bypassedCompauth(reason: string | undefined): boolean {
  return reason !== undefined && /^[49]\d\d$/.test(reason);
}

function enforcementOf(a: AuthenticationSummary, reasons: string[]): Enforcement {
  const found: string[] = [];
  // 4xx/9xx means bypassed whatever the result word says: read as "enforcement bypassed", never as a pass (§13 [C]).
  if (a.compauth !== undefined && bypassedCompauth(a.compauthReason))
    found.push(
      `compauth=${a.compauth} reason=${a.compauthReason}: EOP bypassed composite authentication (reasons 4xx/9xx, eop-model §6.2 [D] S26, §13 [C]); the spoof checks did not decide this message, and this is never a pass`,
    );
  if (is(a.dmarc, 'fail') && is(a.dmarcAction, 'oreject'))
    found.push(
      "dmarc=fail action=oreject: the From: domain's DMARC policy says reject and EOP overrode it, delivering the message (eop-model §13 Ghost-Sender [C] S37)",
    );
  if (found.length === 2)
    found.push(
      'together these are the Ghost-Sender pattern (eop-model §13 [C] S37): a spoof delivered despite failing authentication',
    );
  reasons.push(...found);
  if (found.length) return 'overridden';
  if (a.compauth !== undefined) return 'not-overridden';
  reasons.push(
    "EOP's compauth result is not in these headers: whether EOP enforced authentication on this message is unknown",
  );
  return 'unknown';
}

function gatewayLabel(g: ResolvedGateway): string {
  return `${g.name ?? 'the gateway'} (${g.source === 'profile' ? 'profile' : 'inferred from the export'})`;
}

/** Whether the hop into EOP is the gateway's: its IP in the gateway's IPs, or [I] its name under the certificate. */
function fromGateway(
  gateway: ResolvedGateway,
  ip: string | undefined,
  entry: Hop | undefined,
): { yes: boolean; reason: string } | undefined {
  const ips = new IpSet(gateway.ips);
  if (ip && ips.has(ip))
    return {
      yes: true,
      reason: `the hop into Exchange Online came from ${ip}, an IP of ${gatewayLabel(gateway)}`,
    };
  const helo = entry?.from?.replace(/\.$/, '').toLowerCase();
  const cert = gateway.certificate;
  // The HELO name is the client's own claim; it stands in for the certificate only for a gateway known by certificate
  // alone. A gateway with declared IPs is judged by the IP Exchange Online saw, which a sender cannot choose.
  const byName = !ip || gateway.ips.length === 0;
  if (byName && cert && helo && !helo.startsWith('[') && domainPatternMatches(cert, helo))
    return {
      yes: true,
      reason: `the hop into Exchange Online came from a host that calls itself ${helo}, under the gateway certificate ${cert}; the certificate itself is not in the headers, and a sender can claim any name in EHLO: declare the gateway's IPs to judge by address [I]`,
    };
  if (!ip) return undefined;
  return {
    yes: false,
    reason: `the hop into Exchange Online came from ${ip}${helo ? ` (${helo})` : ''}, not an IP of ${gatewayLabel(gateway)}${cert && byName ? ` nor a host under its certificate ${cert}` : ''}: the message went around the gateway (eop-model §1.2)${cert && !byName && helo && domainPatternMatches(cert, helo) ? `; its name is under the gateway certificate ${cert}, but a sender chooses its EHLO name and the IP decides` : ''}`,
  };
}

function enhancedFilteringOf(
  verdict: HeadersVerdict,
  gateway: ResolvedGateway | undefined,
  a: AuthenticationSummary,
  org: Partial<Record<OrgHeader, string>>,
  antispam: Record<string, string> | undefined,
  reasons: string[],
): EnhancedFiltering {
  const external =
    org['X-MS-Exchange-ExternalOriginalInternetSender'] ??
    org['X-MS-Exchange-Organization-ExternalOriginalInternetSender'];
  const skip =
    org['X-MS-Exchange-SkipListedInternetSender'] ??
    org['X-MS-Exchange-Organization-SkipListedInternetSender'];
  if (verdict === 'bypass') {
    reasons.push(
      "Enhanced Filtering not applied: it works per inbound connector, and a message that did not come through the gateway's connector is not covered (eop-model §13 [I])",
    );
    return 'not-applied';
  }
  if (external) {
    reasons.push(
      `Enhanced Filtering applied: X-MS-Exchange-ExternalOriginalInternetSender names the original sender ${enhancedFilteringIp(external) ?? external} (eop-model EF-4 [D] S19)`,
    );
    return 'applied';
  }
  const ips = gateway && hasGateway(gateway) ? new IpSet(gateway.ips) : undefined;
  if (a.spfSenderIp && ips) {
    if (ips.has(a.spfSenderIp)) {
      reasons.push(
        `Enhanced Filtering not applied: SPF was judged against ${a.spfSenderIp}, the gateway's own IP, so authentication was only implicit (eop-model EF-1 [D] S19)${skip ? '; X-MS-Exchange-SkipListedInternetSender shows skip listing ran but EF did not act on this message (test mode, or the recipient not in EFUsers, EF-3/EF-4)' : ''}`,
      );
      return 'not-applied';
    }
    if (verdict === 'via-gateway') {
      reasons.push(
        `Enhanced Filtering applied: SPF was judged against ${a.spfSenderIp}, not the gateway's IP, so EOP looked past the gateway to the real sender (eop-model EF-1 [D] S19)`,
      );
      return 'applied';
    }
  }
  if (skip) {
    reasons.push(
      'Enhanced Filtering not applied to this message: X-MS-Exchange-SkipListedInternetSender without X-MS-Exchange-ExternalOriginalInternetSender means skip listing ran but EF did not act (test mode, or the recipient not in EFUsers; eop-model EF-3/EF-4 [D] S19)',
    );
    return 'not-applied';
  }
  const cip = antispam?.['CIP'];
  if (verdict === 'via-gateway' && cip && ips && isValidIp(cip) && !ips.has(cip)) {
    reasons.push(
      `Enhanced Filtering probably applied: CIP ${cip} is not the gateway's IP though the gateway delivered the message (whether CIP shows the original IP is undocumented, eop-model OQ-11) [I]`,
    );
    return 'applied';
  }
  reasons.push(
    ips
      ? 'Enhanced Filtering unknown: neither the EF headers (eop-model EF-4) nor an SPF sender IP are in these headers'
      : "Enhanced Filtering unknown: without the gateway's IPs (--export or --profile) mxlock cannot tell whether SPF was judged against the gateway or the real sender",
  );
  return 'unknown';
}

function internalReasons(
  org: Partial<Record<OrgHeader, string>>,
  antispam: Record<string, string> | undefined,
  ip: string | undefined,
  hybridIps: readonly string[],
): string[] {
  const out: string[] = [];
  if (is(org['X-MS-Exchange-Organization-AuthAs'], 'Internal'))
    out.push(
      'X-MS-Exchange-Organization-AuthAs: Internal: Exchange Online authenticated the sender as part of the organization (eop-model §7.3 [D] S38)',
    );
  if (is(org['X-MS-Exchange-CrossTenant-FromEntityHeader'], 'HybridOnPrem'))
    out.push(
      'X-MS-Exchange-CrossTenant-FromEntityHeader: HybridOnPrem: it came from the on-premises organization (eop-model §7.3 [C] S46)',
    );
  if (is(org['X-MS-Exchange-Organization-MessageDirectionality'], 'Originating'))
    out.push(
      'X-MS-Exchange-Organization-MessageDirectionality: Originating: sent from inside the organization (eop-model §7.3 [D-blog] S39)',
    );
  if (is(antispam?.['DIR'], 'INT'))
    out.push('DIR:INT in X-Forefront-Antispam-Report: an internal message (eop-model §7.1 [D] S26)');
  if (ip && hybridIps.length && new IpSet([...hybridIps]).has(ip))
    out.push(`the hop into Exchange Online came from ${ip}, a hybrid (on-premises) IP of the profile`);
  return out;
}

function bypassSignals(
  org: Partial<Record<OrgHeader, string>>,
  entry: Hop | undefined,
  fromDomain: string | undefined,
  accepted: readonly string[] | undefined,
): string[] {
  const out: string[] = [];
  if (is(org['X-MS-Exchange-Organization-IsAnonymousDirectSend'], 'True'))
    out.push(
      'X-MS-Exchange-Organization-IsAnonymousDirectSend: True: Exchange Online took it as anonymous Direct Send, matched to no connector (eop-model §13 [C]; field-notes 7)',
    );
  if (is(org['X-MS-Exchange-Organization-AuthAs'], 'Anonymous'))
    out.push(
      'X-MS-Exchange-Organization-AuthAs: Anonymous: the sender was not authenticated (eop-model §7.3 [D] S38)',
    );
  if (is(org['X-MS-Exchange-Organization-InternalOrgSender'], 'True'))
    out.push(
      'X-MS-Exchange-Organization-InternalOrgSender: True: the sender claims an address of the organization (eop-model §13 [C])',
    );
  if (entry?.from && /^\[[^\]]*\]$/.test(entry.from))
    out.push(
      `the sending host introduced itself with an address literal ${entry.from}, as Direct Send scripts do (field-notes 7)`,
    );
  if (entry?.from && /(?:^|\.)outbound\.protection\.outlook\.com$/i.test(entry.from))
    out.push(
      "it came straight from another Microsoft 365 tenant's outbound servers, not through the MX (eop-model ATT-1)",
    );
  if (fromDomain && accepted?.includes(fromDomain))
    out.push(
      `the From: domain ${fromDomain} is one of your accepted domains, yet the message came from outside: a spoof of your own domain (eop-model §6.2, compauth 6xx)`,
    );
  return out;
}

/** One message's analysis. */
export function analyseMessage(message: ParsedMessage, context: HeadersContext): HeadersAnalysis {
  const notes = [...message.notes];
  const chain = receivedChain(message);
  if (chain.skipped)
    notes.push(`${chain.skipped} Received field(s) beyond the newest ${chain.hops.length} were not analysed`);
  const entry = entryHop(chain.hops);
  const antispam = antispamView(message);
  const org = organizationHeaders(message);
  const auth = authenticationView(message);
  const authentication = summarise(auth.eop);
  const cip = antispam.report?.['CIP'];
  const connectingIp = entry?.ip ?? (cip && isValidIp(cip) ? cip : undefined);

  const decoded = (name: string) => {
    const f = firstField(message, name);
    if (!f) return undefined;
    const d = decodeEncodedWords(f.value.trim());
    if (d.invalid) notes.push(`${f.name}: an encoded word (RFC 2047) does not decode; shown as written`);
    return d.text;
  };
  const info: HeadersAnalysis['message'] = {};
  const from = decoded('From');
  const to = decoded('To');
  const subject = decoded('Subject');
  const messageId = firstField(message, 'Message-ID')?.value.trim();
  const date = firstField(message, 'Date')?.value.trim();
  if (from !== undefined) info.from = from;
  if (to !== undefined) info.to = to;
  if (subject !== undefined) info.subject = subject;
  if (messageId !== undefined) info.messageId = messageId;
  if (date !== undefined) info.date = date;
  const mailbox = from === undefined ? undefined : fromMailbox(from);
  const fromDomain = mailbox && 'address' in mailbox ? domainOf(mailbox.address) : undefined;

  const reasons: string[] = [];
  let verdict: HeadersVerdict;
  const sawEop =
    entry !== undefined ||
    auth.eop !== undefined ||
    antispam.report !== undefined ||
    Object.keys(org).length > 0;
  const internal = internalReasons(org, antispam.report, connectingIp, context.hybridIps);
  const anonymous = is(org['X-MS-Exchange-Organization-AuthAs'], 'Anonymous');
  const signals = bypassSignals(org, entry, fromDomain, context.acceptedDomains);
  const gateway = context.gateway;
  if (!sawEop) {
    verdict = 'unknown';
    reasons.push(
      'no hop into Exchange Online, no EOP Authentication-Results, no X-Forefront-Antispam-Report and no organization headers: these headers do not show the message reaching Exchange Online (or they were removed)',
    );
  } else if (internal.length && !anonymous) {
    verdict = 'internal';
    reasons.push(...internal);
  } else if (!gateway) {
    const directSend = is(org['X-MS-Exchange-Organization-IsAnonymousDirectSend'], 'True');
    verdict = directSend ? 'bypass' : 'unknown';
    if (!directSend)
      reasons.push(
        `without --export or --profile the gateway's IPs are unknown: mxlock cannot tell whether the hop into Exchange Online${connectingIp ? ` (${connectingIp})` : ''} is the gateway's`,
      );
    reasons.push(...signals);
  } else if (!hasGateway(gateway)) {
    verdict = 'unknown';
    reasons.push(
      gateway.source === 'none'
        ? 'the tenant has no gateway (every MX of its accepted domains points at Exchange Online): there is no gateway to go around'
        : `mxlock cannot tell which gateway the tenant has (${gateway.basis.join('; ') || 'nothing declared'}): declare it in mxlock.yaml`,
    );
    reasons.push(...signals);
  } else {
    const judged = fromGateway(gateway, connectingIp, entry);
    if (!judged) {
      verdict = 'unknown';
      reasons.push(
        'the hop into Exchange Online shows no connecting IP and X-Forefront-Antispam-Report no CIP: whether the gateway delivered it is unknown',
      );
      reasons.push(...signals);
    } else if (judged.yes) {
      verdict = 'via-gateway';
      reasons.push(judged.reason);
    } else {
      verdict = 'bypass';
      reasons.push(judged.reason, ...signals);
    }
  }
  if (!entry && sawEop)
    notes.push(
      cip
        ? 'no Received hop into Exchange Online was found; the connecting IP is read from CIP'
        : 'no Received hop into Exchange Online was found',
    );
  if (!auth.eop && sawEop)
    notes.push("EOP's Authentication-Results is not in these headers: authentication results are unknown");
  else if (auth.eop && auth.eop.header.toLowerCase() !== 'authentication-results')
    notes.push(`EOP's results were read from ${auth.eop.header}, Authentication-Results being absent`);

  const enhancedFiltering = enhancedFilteringOf(
    verdict,
    gateway,
    authentication,
    org,
    antispam.report,
    reasons,
  );
  const enforcement = enforcementOf(authentication, reasons);

  return {
    verdict,
    enhancedFiltering,
    enforcement,
    reasons,
    hops: chain.hops,
    entry,
    connectingIp,
    antispam: antispam.report,
    authentication,
    upstream: auth.upstream,
    otherResults: auth.others,
    arc: arcSets(message),
    foreign: antispam.foreign,
    organization: org,
    message: info,
    notes,
  };
}

/** Every message of the input (one, or each of an mbox). */
export function analyseHeaders(text: string, context: HeadersContext = NO_CONTEXT): HeadersResult {
  const input = parseInput(text);
  const messages = input.messages.filter((m) => m.fields.length > 0).map((m) => analyseMessage(m, context));
  return { messages, notes: input.notes };
}

/**
 * Whether a message calls for attention (exit 1): a bypass, an overridden enforcement, or an unknown verdict; and mail
 * from outside (via the gateway) whose enforcement is unknown, since "EOP kept its enforcement" is then not shown
 * (DESIGN §1.1). Internal mail is not judged by composite authentication, so its unknown enforcement is no finding.
 */
export function needsAttention(a: HeadersAnalysis): boolean {
  return (
    a.verdict === 'bypass' ||
    a.verdict === 'unknown' ||
    a.enforcement === 'overridden' ||
    (a.verdict === 'via-gateway' && a.enforcement === 'unknown')
  );
}
