/**
 * Hunting queries for Microsoft Defender advanced hunting and Microsoft Sentinel (the `EmailEvents` table), built from
 * what mxlock knows of the tenant: the gateway's egress ranges, the accepted domains, the declared Direct Send sources
 * and hybrid servers, the safety-net rule's name (issue 12 item 5). The same questions `trace`/`events` answer on one
 * machine, asked of Defender's own engine. Pure.
 *
 * Columns are the documented ones (learn.microsoft.com, "EmailEvents table in the advanced hunting schema", ms.date
 * 2026-08-03; reference/formats.md §3): EmailDirection, DeliveryAction, SenderIPv4/SenderIPv6 ("the last detected mail
 * server that relayed the message"), SenderMailFromDomain (P1) / SenderFromDomain (P2), AuthenticationDetails (JSON
 * text), DetectionMethods, Connectors, ExchangeTransportRule (added in the 2026 revision, hence column_ifexists).
 */
import type { ResolvedGateway } from '../common/gateway.js';
import { coversTooMuch, parseIpEntry, cidrBlocks, ipv4Text } from '../common/ip.js';
import { headersContext } from '../headers/context.js';
import { buildTenant } from '../model/tenant.js';

import { SAFETY_NET_NAME, safetyNetTarget } from '../plan/stages/stage-1.js';
import type { Profile } from '../profile/schema.js';
import type { Snapshot } from '../snapshot/types.js';
import { kqlComment, kqlList, kqlString } from './literal.js';

/** What the queries are parameterised by. */
export interface KqlTenant {
  /** The export (or "profile only") the facts come from, for the header. */
  source: string;
  /** undefined: neither a profile gateway nor an export to infer it from. */
  gateway: ResolvedGateway | undefined;
  /** Lower-case accepted domains; undefined when Get-AcceptedDomain.json was not read. */
  acceptedDomains: readonly string[] | undefined;
  hybridIps: readonly string[];
  directSendSources: readonly { name: string; ips: readonly string[] }[];
  /** The safety-net rule's name and where it comes from. */
  safetyNet: { name: string; basis: string };
}

/**
 * The tenant as the rest of mxlock sees it: the gateway, accepted domains and hybrid IPs exactly as `headers` resolves
 * them (headersContext), the profile's declared sources, and the safety net the plan adopts or creates (stage 1).
 */
export function kqlTenant(profile: Profile | undefined, snapshot: Snapshot | undefined): KqlTenant {
  const ctx = headersContext(profile, snapshot);
  const rules = snapshot ? buildTenant(snapshot).transportRules : undefined;
  let safetyNet: KqlTenant['safetyNet'];
  if (!rules) {
    safetyNet = {
      name: SAFETY_NET_NAME,
      basis: `Get-TransportRule.json was not read: the name is the one 'mxlock plan' gives the rule; change SafetyNetRule if yours is named otherwise`,
    };
  } else {
    const target = safetyNetTarget(rules);
    safetyNet = {
      name: target.name,
      basis: target.rule
        ? 'the safety-net rule of the export (model/safety-net.ts isSafetyNet)'
        : `the export has no safety-net rule: the name is the one 'mxlock plan' stage 1 creates`,
    };
  }
  return {
    source: snapshot ? snapshot.source : 'the profile only (no export)',
    gateway: ctx.gateway,
    acceptedDomains: ctx.acceptedDomains,
    hybridIps: ctx.hybridIps,
    directSendSources: profile?.directSendSources ?? [],
    safetyNet,
  };
}

/** IPv4 and IPv6 CIDR texts as ipv4_is_in_any_range / ipv6_is_in_any_range take them. */
interface Ranges {
  v4: string[];
  v6: string[];
}

/**
 * Each entry validated and written in CIDR form (an `a-b` range becomes the blocks that cover it exactly, host bits are
 * cleared, IPv4-mapped IPv6 is IPv4); an invalid entry, or one wider than a sender can be (SENDER_MIN_PREFIX: it
 * would count most of the internet as the gateway and hide every bypass), is left out with a note.
 */
function ranges(entries: readonly string[], what: string, notes: string[]): Ranges {
  const out: Ranges = { v4: [], v6: [] };
  for (const text of entries) {
    const e = parseIpEntry(text);
    if (e.kind === 'invalid') {
      notes.push(`left out ${what} '${text}': not an IP address or CIDR range`);
      continue;
    }
    if (coversTooMuch(text)) {
      notes.push(`left out ${what} '${text}': wider than one sender can be`);
      continue;
    }
    if (e.kind === 'v4') {
      for (const b of cidrBlocks(e.range.lo, e.range.hi, 0))
        out.v4.push(b.bits === 32 ? ipv4Text(b.base) : `${ipv4Text(b.base)}/${b.bits}`);
    } else {
      const [addr, bits] = e.net;
      out.v6.push(bits === 128 ? addr.toString() : `${addr.toString()}/${bits}`);
    }
  }
  out.v4 = [...new Set(out.v4)];
  out.v6 = [...new Set(out.v6)];
  return out;
}

/** `let` statements for a range list (none when empty) and the predicate on SenderIPv4/SenderIPv6. */
function rangeTest(r: Ranges, name: string): { lets: string[]; test: string } {
  const lets: string[] = [];
  const parts: string[] = [];
  // ipv4_is_in_any_range gives null for an empty or unparsable address (an IPv6 sender has no SenderIPv4): coalesce
  // makes that "not in the list", so a row without an address counts as not from the gateway, never as from it.
  if (r.v4.length > 0) {
    lets.push(`let ${name}IPv4 = ${kqlList(r.v4)};`);
    parts.push(`coalesce(ipv4_is_in_any_range(SenderIPv4, ${name}IPv4), false)`);
  }
  if (r.v6.length > 0) {
    lets.push(`let ${name}IPv6 = ${kqlList(r.v6)};`);
    parts.push(`coalesce(ipv6_is_in_any_range(SenderIPv6, ${name}IPv6), false)`);
  }
  return { lets, test: parts.length > 0 ? parts.join(' or ') : 'false' };
}

/** The look-back: advanced hunting keeps 30 days of EmailEvents. */
const LOOKBACK = 'let Lookback = 30d;';
const TIME_LIMIT =
  'Timestamp window: the last 30 days (advanced hunting keeps 30 days; in Sentinel, raise Lookback to your retention).';
const SMTP_REJECTIONS =
  'SMTP-time rejections (550 5.7.68 RejectDirectSend, 550 5.7.51 connector lock-down) happen before a message exists and may not appear in EmailEvents: their absence proves nothing.';
const NEEDS_MDO = 'EmailEvents is filled by Defender for Office 365: without it the table is empty.';

interface Prepared {
  tenant: KqlTenant;
  gateway: Ranges;
  known: Ranges;
  /** Notes on left-out entries, shown in each query that uses the lists and on stderr. */
  gatewayNotes: string[];
  knownNotes: string[];
}

type Built = { ok: true; about: string[]; body: string[] } | { ok: false; reason: string };

export interface KqlQueryDef {
  id: string;
  /** What the query finds, its first comment line. */
  finds: string;
  build(p: Prepared): Built;
}

function gatewayMissing(p: Prepared): string | undefined {
  const gw = p.tenant.gateway;
  if (!gw) return 'the gateway is unknown (no export to infer it from, no gateway section in the profile)';
  if (gw.source === 'none')
    return 'the tenant has no gateway (every MX points at Exchange Online): there is no bypass to hunt';
  if (p.gateway.v4.length + p.gateway.v6.length === 0)
    return gw.source === 'unknown'
      ? 'the gateway is unknown: declare gateway.ips in mxlock.yaml'
      : 'no valid gateway IP range is known (a certificate-only gateway has no addresses EmailEvents could be matched on): declare gateway.ips in mxlock.yaml';
  return undefined;
}

function domainsMissing(p: Prepared): string | undefined {
  const d = p.tenant.acceptedDomains;
  if (d === undefined) return 'the accepted domains are unknown (Get-AcceptedDomain.json was not read)';
  if (d.length === 0) return 'the export lists no accepted domain';
  return undefined;
}

function gatewayAbout(p: Prepared): string[] {
  const gw = p.tenant.gateway!;
  return [
    `Gateway: ${gw.name ?? '(unnamed)'} (${gw.source}); its egress ranges are GatewayIPv4/GatewayIPv6. If it also sends over IPv6, declare those ranges too: an IPv6 egress not listed shows here as direct.`,
    ...p.gatewayNotes,
  ];
}

function knownAbout(p: Prepared): string[] {
  return p.known.v4.length + p.known.v6.length > 0
    ? [
        'KnownSource: the declared Direct Send sources and hybrid servers of the profile (legitimate, not via the gateway).',
        ...p.knownNotes,
      ]
    : ['KnownSource is false everywhere: the profile declares no Direct Send source and no hybrid server.'];
}

/**
 * The start both bypass queries share: inbound rows past `filter` that did not come from the gateway's ranges, with
 * KnownSource set for the declared sources and hybrid. The gateway's ranges must be known (gatewayMissing).
 */
function inboundNotFromGateway(p: Prepared, lets: readonly string[], filter: string): string[] {
  const gw = rangeTest(p.gateway, 'Gateway');
  const known = rangeTest(p.known, 'Known');
  return [
    LOOKBACK,
    ...lets,
    ...gw.lets,
    ...known.lets,
    'EmailEvents',
    '| where Timestamp > ago(Lookback)',
    '| where EmailDirection == "Inbound"',
    filter,
    `| extend ViaGateway = ${gw.test}`,
    '| where not(ViaGateway)',
    `| extend KnownSource = ${known.test}`,
  ];
}

const DIRECT_INBOUND: KqlQueryDef = {
  id: 'direct-inbound',
  finds:
    "Inbound mail that reached a mailbox without coming from the gateway's IPs: the bypass, and the durable signal of one once hardened.",
  build(p) {
    const missing = gatewayMissing(p);
    if (missing) return { ok: false, reason: missing };
    return {
      ok: true,
      about: [
        ...gatewayAbout(p),
        ...knownAbout(p),
        'Every DeliveryAction but Blocked counts (Delivered, Junked, Replaced, and any new value). A row without a sender address counts as not from the gateway.',
        'SenderIPv4/SenderIPv6 is the last server that relayed the message to Microsoft 365, as the connector and the safety net see it.',
        SMTP_REJECTIONS,
        TIME_LIMIT,
        NEEDS_MDO,
      ],
      body: [
        ...inboundNotFromGateway(p, [], '| where DeliveryAction !~ "Blocked"'),
        '| project Timestamp, NetworkMessageId, SenderIPv4, SenderIPv6, SenderMailFromAddress, SenderFromAddress,',
        '    RecipientEmailAddress, Subject, DeliveryAction, DeliveryLocation, Connectors, AuthenticationDetails, KnownSource',
        '| order by KnownSource asc, Timestamp desc',
      ],
    };
  },
};

/** AuthenticationDetails is JSON text whose keys may come in any case (formats.md §3): read from its lower-case form. */
const AUTH_COLUMNS = [
  '| extend Auth = parse_json(tolower(AuthenticationDetails))',
  '| extend SPF = tostring(Auth.spf), DKIM = tostring(Auth.dkim), DMARC = tostring(Auth.dmarc), CompAuth = tostring(Auth.compauth)',
];

const OWN_DOMAIN_SPOOF: KqlQueryDef = {
  id: 'own-domain-spoof',
  finds:
    'Inbound mail claiming one of your accepted domains that Defender flagged as spoofing or that failed composite authentication.',
  build(p) {
    const missing = domainsMissing(p);
    if (missing) return { ok: false, reason: missing };
    const gwKnown = gatewayMissing(p) === undefined;
    const gw = gwKnown ? rangeTest(p.gateway, 'Gateway') : undefined;
    return {
      ok: true,
      about: [
        'OwnDomains: the accepted domains of the export. A row counts when the header From (SenderFromDomain) or the envelope (SenderMailFromDomain) is one of them,',
        'and DetectionMethods names a spoof detection, or CompAuth is not pass (missing counts), or DMARC fails.',
        ...(gw
          ? [
              'ViaGateway: from the gateway\'s IPs; own-domain mail through a gateway without Enhanced Filtering often fails CompAuth ("spoof" by the gateway, eop-model §6).',
              ...p.gatewayNotes,
            ]
          : [`ViaGateway is not shown: ${gatewayMissing(p)!}`]),
        'AuthenticationDetails keys are read case-insensitively; its values are not documented beyond pass/fail.',
        SMTP_REJECTIONS,
        TIME_LIMIT,
        NEEDS_MDO,
      ],
      body: [
        LOOKBACK,
        `let OwnDomains = ${kqlList(p.tenant.acceptedDomains!)};`,
        ...(gw ? gw.lets : []),
        'EmailEvents',
        '| where Timestamp > ago(Lookback)',
        '| where EmailDirection == "Inbound"',
        '| where SenderFromDomain in~ (OwnDomains) or SenderMailFromDomain in~ (OwnDomains)',
        ...AUTH_COLUMNS,
        '| where DetectionMethods has "spoof" or CompAuth != "pass" or DMARC == "fail"',
        ...(gw ? [`| extend ViaGateway = ${gw.test}`] : []),
        '| project Timestamp, NetworkMessageId, SenderIPv4, SenderIPv6, SenderMailFromAddress, SenderFromAddress,',
        `    RecipientEmailAddress, Subject, DeliveryAction, DeliveryLocation, DetectionMethods, SPF, DKIM, DMARC, CompAuth${gw ? ', ViaGateway' : ''}`,
        '| order by Timestamp desc',
      ],
    };
  },
};

const SAFETY_NET_HITS: KqlQueryDef = {
  id: 'safety-net-hits',
  finds:
    'Messages the safety-net transport rule acted on: mail that did not come from the gateway (hardening-guide step 3, eop-model §4.6).',
  build(p) {
    return {
      ok: true,
      about: [
        `SafetyNetRule: ${p.tenant.safetyNet.basis}.`,
        'Read from the ExchangeTransportRule column (mail flow rules that took action on the email), documented since 2026; column_ifexists gives an empty value where the column is absent, and then this query returns nothing.',
        'The column format is not documented: the rule name is matched as a case-insensitive substring, so a rule whose name contains it matches too.',
        'A rule in audit mode (AuditAndNotify) and a message it rejected in transport may not be recorded here; Get-MailDetailTransportRuleReport and the message trace detail are the authoritative record of rule hits (10 days).',
        SMTP_REJECTIONS,
        TIME_LIMIT,
        NEEDS_MDO,
      ],
      body: [
        LOOKBACK,
        `let SafetyNetRule = ${kqlString(p.tenant.safetyNet.name)};`,
        'EmailEvents',
        '| where Timestamp > ago(Lookback)',
        '| extend TransportRules = tostring(column_ifexists("ExchangeTransportRule", ""))',
        '| where TransportRules contains SafetyNetRule',
        '| project Timestamp, NetworkMessageId, SenderIPv4, SenderIPv6, SenderMailFromAddress, SenderFromAddress,',
        '    RecipientEmailAddress, Subject, EmailDirection, DeliveryAction, DeliveryLocation, EmailActionPolicy, TransportRules',
        '| order by Timestamp desc',
      ],
    };
  },
};

const DIRECT_SEND_INVENTORY: KqlQueryDef = {
  id: 'direct-send-inventory',
  finds:
    "The Direct Send inventory: senders using your own domains from IPs that are not the gateway's, with counts and first/last seen (what RejectDirectSend and the lock-down will refuse).",
  build(p) {
    const missing = gatewayMissing(p) ?? domainsMissing(p);
    if (missing) return { ok: false, reason: missing };
    return {
      ok: true,
      about: [
        'OwnDomains: the accepted domains of the export; RejectDirectSend keys on the envelope domain (SenderMailFromDomain), spoofing on the header From: both count.',
        ...gatewayAbout(p),
        ...knownAbout(p),
        'Blocked messages count too (Actions lists what happened); paste the senders and IPs you recognise into directSendSources in mxlock.yaml.',
        `Once RejectDirectSend or the lock-down is enforced, refused senders vanish from this list: ${SMTP_REJECTIONS}`,
        TIME_LIMIT,
        NEEDS_MDO,
      ],
      body: [
        ...inboundNotFromGateway(
          p,
          [`let OwnDomains = ${kqlList(p.tenant.acceptedDomains!)};`],
          '| where SenderMailFromDomain in~ (OwnDomains) or SenderFromDomain in~ (OwnDomains)',
        ),
        '| extend SenderIP = iff(isnotempty(SenderIPv4), SenderIPv4, SenderIPv6)',
        '| summarize Count = count(), FirstSeen = min(Timestamp), LastSeen = max(Timestamp),',
        '    Recipients = dcount(RecipientEmailAddress), Actions = make_set(DeliveryAction, 8)',
        '    by SenderMailFromAddress, SenderFromAddress, SenderIP, KnownSource',
        '| order by KnownSource asc, Count desc',
      ],
    };
  },
};

/** Every query, in output order. */
export const KQL_QUERIES: readonly KqlQueryDef[] = [
  DIRECT_INBOUND,
  OWN_DOMAIN_SPOOF,
  SAFETY_NET_HITS,
  DIRECT_SEND_INVENTORY,
];

export const KQL_QUERY_IDS: readonly string[] = KQL_QUERIES.map((q) => q.id);

export interface KqlOutput {
  text: string;
  queries: { id: string; written: boolean; reason?: string }[];
  /** For stderr: left-out entries and queries not written. */
  warnings: string[];
}

/**
 * The queries `ids` selects (all when undefined; unknown ids are the caller's to refuse), each a block that runs on its
 * own (its own `let` statements), headed by comments saying what it finds and its limits. A query whose inputs are
 * unknown is not written with an empty list (it would look clean): its block says why instead.
 */
export function kqlQueries(tenant: KqlTenant, ids?: readonly string[]): KqlOutput {
  const gatewayNotes: string[] = [];
  const knownNotes: string[] = [];
  const p: Prepared = {
    tenant,
    gateway: ranges(tenant.gateway?.ips ?? [], 'gateway IP', gatewayNotes),
    known: ranges(
      [...tenant.directSendSources.flatMap((s) => s.ips), ...tenant.hybridIps],
      'declared source IP',
      knownNotes,
    ),
    gatewayNotes,
    knownNotes,
  };
  const warnings = [...gatewayNotes, ...knownNotes];
  const selected = KQL_QUERIES.filter((q) => !ids || ids.includes(q.id));
  const blocks: string[] = [
    kqlComment([
      'mxlock kql: hunting queries for Microsoft Defender advanced hunting and Microsoft Sentinel (EmailEvents).',
      `Parameterised from ${tenant.source}. Run each query on its own: each block carries its own let statements.`,
    ]),
  ];
  const queries: KqlOutput['queries'] = [];
  for (const q of selected) {
    const built = q.build(p);
    const head = kqlComment([`---- ${q.id} ----`, q.finds]);
    if (built.ok) {
      blocks.push(`${head}\n${kqlComment(built.about)}\n${built.body.join('\n')}`);
      queries.push({ id: q.id, written: true });
    } else {
      blocks.push(`${head}\n${kqlComment(`Not written: ${built.reason}.`)}`);
      queries.push({ id: q.id, written: false, reason: built.reason });
      warnings.push(`query ${q.id} not written: ${built.reason}`);
    }
  }
  return { text: `${blocks.join('\n\n')}\n`, queries, warnings: [...new Set(warnings)] };
}
