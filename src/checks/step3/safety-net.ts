/**
 * The safety-net transport rule of hardening-guide step 3 (eop-model §4.6 [C] S51): external mail that did not come
 * from the gateway's IPs is rejected, deleted, quarantined or routed back to the gateway after acceptance (TR-1 [D]).
 * The checks' view of it (the predicate itself is model/safety-net.ts, shared with the plan), and the SCL -1
 * predicates of rule.scl-bypass*.
 */
import { domainOf, domainOrSubdomain } from '../../common/domains.js';
import { IpSet } from '../../common/ip.js';
import { isSafetyNet } from '../../model/safety-net.js';
import type { TransportRule } from '../../snapshot/schema.js';
import type { CheckContext, ExportProperty } from '../types.js';
import { type Gate, isUnmappedEnum, notExported, psQuote, ruleName } from '../util.js';

export function ruleLabel(r: TransportRule): string {
  return `rule '${ruleName(r)}'`;
}

/**
 * What `transportRules` (priority order), `isSafetyNet` and `blockingActions` read, for the declarations of the checks
 * that use them.
 */
export const SAFETY_NET_READS = [
  'Priority',
  'FromScope',
  'ExceptIfSenderIpRanges',
  'RejectMessageReasonText',
  'RejectMessageEnhancedStatusCode',
  'DeleteMessage',
  'Quarantine',
  'RouteMessageOutboundConnector',
] as const satisfies readonly ExportProperty<'Get-TransportRule'>[];

/** Enabled and enforcing: the only state in which a rule changes delivery (eop-model TR-3 [D]). */
export function isEnforced(r: TransportRule): boolean {
  return r.State === 'Enabled' && r.Mode === 'Enforce';
}

/**
 * ActivationDate/ExpiryDate bound when a rule acts (eop-model TR-3 [D]); checks have no clock, so a bounded rule's
 * effect today cannot be told. Returns the bounds as evidence, or undefined for an unbounded rule.
 */
export function timeBounds(r: TransportRule): string | undefined {
  const parts = [
    ...(r.ActivationDate !== undefined ? [`ActivationDate = ${r.ActivationDate}`] : []),
    ...(r.ExpiryDate !== undefined ? [`ExpiryDate = ${r.ExpiryDate}`] : []),
  ];
  return parts.length > 0 ? parts.join(', ') : undefined;
}

const TASKS = 'Microsoft.Exchange.MessagingPolicies.Rules.Tasks.';

/** Whether the rule's `Actions` name this action type (`SetSclAction`, with or without the .NET namespace). */
export function listsAction(r: TransportRule, action: string): boolean {
  const wanted = action.toLowerCase();
  return (r.Actions ?? []).some(
    (a) => (a.startsWith(TASKS) ? a.slice(TASKS.length) : a).toLowerCase() === wanted,
  );
}

/** The rule lists the SetSCL action but the export lacks its value: whether it sets SCL -1 cannot be told. */
export function sclUnknown(r: TransportRule): boolean {
  return r.SetSCL === undefined && listsAction(r, 'SetSclAction');
}

export const SCL_UNKNOWN_EVIDENCE = 'SetSclAction listed in Actions but SetSCL is not in the export';

/** State or Mode absent or an unmapped integer: whether the rule acts cannot be told. */
export function stateUnknown(r: TransportRule): boolean {
  return isUnmappedEnum(r.State) || isUnmappedEnum(r.Mode);
}

/** The transport rules in priority order, or `unknown` when the file was not exported. */
export function transportRules(ctx: CheckContext): Gate<TransportRule[]> {
  const rules = ctx.tenant.transportRules;
  if (!rules)
    return { ok: false, outcome: { status: 'unknown', evidence: [notExported('Get-TransportRule')] } };
  return { ok: true, value: rules };
}

/**
 * The safety nets to judge: the ones not disabled when there are any (a disabled one beside an active one does not
 * matter), else all of them. `not-applicable` when there is none (rule.safety-net-missing reports it).
 */
export function safetyNets(ctx: CheckContext): Gate<TransportRule[]> {
  const gate = transportRules(ctx);
  if (!gate.ok) return gate;
  const nets = netsToJudge(gate.value);
  if (nets.length === 0) {
    return {
      ok: false,
      outcome: {
        status: 'not-applicable',
        evidence: ['no safety-net rule exists (see rule.safety-net-missing)'],
      },
    };
  }
  return { ok: true, value: nets };
}

/**
 * The safety nets among `rules` that count: the ones not disabled when there are any (a disabled one beside an active
 * one does not matter), else all of them; empty when there is none.
 */
export function netsToJudge(rules: readonly TransportRule[]): TransportRule[] {
  const nets = rules.filter(isSafetyNet);
  const active = nets.filter((r) => r.State !== 'Disabled');
  return active.length > 0 ? active : nets;
}

/** The net that decides, of `netsToJudge` (priority order): the first enforced one (rules run in Priority order, TR-2), else the first. */
export function decidingSafetyNet(nets: readonly TransportRule[]): TransportRule | undefined {
  return nets.find(isEnforced) ?? nets[0];
}

/** Addresses that legitimately connect directly: the gateway, hybrid servers and declared Direct Send sources. */
export function knownSources(ctx: Pick<CheckContext, 'gateway' | 'profile'>): IpSet {
  return new IpSet([
    ...ctx.gateway.ips,
    ...(ctx.profile.hybrid?.ips ?? []),
    ...ctx.profile.directSendSources.flatMap((s) => s.ips),
  ]);
}

/** A rule condition keyed only on gateway IPs cannot match mail that connects from elsewhere. */
export function onlyFromGateway(ctx: CheckContext, r: TransportRule): boolean {
  const ranges = r.SenderIpRanges ?? [];
  if (ranges.length === 0 || ctx.gateway.ips.length === 0) return false;
  const gw = new IpSet(ctx.gateway.ips);
  return ranges.every((e) => gw.covers(e));
}

// --- SCL -1 rules (eop-model §4.4, §4.5) ---

const unescape = (s: string) => s.replace(/\\/g, '').toLowerCase();

/** Sender conditions of a rule that name one of the tenant's accepted domains (eop-model §4.5, ORCA 118-4 [C] S45). */
export function ownDomainConditions(ctx: CheckContext, r: TransportRule): string[] {
  const accepted = ctx.tenant.domainNames;
  const related = (d: string) => accepted.some((a) => domainOrSubdomain(d, a) || domainOrSubdomain(a, d));
  const out: string[] = [];
  for (const d of r.SenderDomainIs ?? []) if (related(d)) out.push(`SenderDomainIs '${d}'`);
  for (const addr of r.From ?? []) {
    const d = domainOf(addr);
    if (d && related(d)) out.push(`From '${addr}'`);
  }
  for (const w of r.FromAddressContainsWords ?? [])
    if (accepted.some((a) => unescape(w).includes(a))) out.push(`FromAddressContainsWords '${w}'`);
  for (const p of r.FromAddressMatchesPatterns ?? [])
    if (accepted.some((a) => unescape(p).includes(a))) out.push(`FromAddressMatchesPatterns '${p}'`);
  // The sender writes From:, Sender: and the envelope (Return-Path) too: a header condition naming an own domain is the
  // same spoofable key (eop-model §4.5 [D] S31).
  const headerConds: [string, string | undefined, readonly string[] | undefined][] = [
    ['HeaderMatchesMessageHeader', r.HeaderMatchesMessageHeader, r.HeaderMatchesPatterns],
    ['HeaderContainsMessageHeader', r.HeaderContainsMessageHeader, r.HeaderContainsWords],
  ];
  for (const [prop, header, values] of headerConds) {
    if (!header || !SENDER_HEADERS.has(header.trim().toLowerCase())) continue;
    const own = (values ?? []).filter((v) => accepted.some((a) => unescape(v).includes(a)));
    if (own.length > 0) out.push(`${prop} '${header}' [${own.join(', ')}]`);
  }
  return out;
}

const SENDER_HEADERS: ReadonlySet<string> = new Set(['from', 'sender', 'return-path']);

const AUTH_RESULTS = 'authentication-results';

/** What keeps an own-domain SCL -1 rule from being spoofable: a SenderIpRanges condition or an Authentication-Results check. */
export function spoofGuard(r: TransportRule): string | undefined {
  if ((r.SenderIpRanges?.length ?? 0) > 0) return `SenderIpRanges [${(r.SenderIpRanges ?? []).join(', ')}]`;
  const headers: [string, string | undefined][] = [
    ['HeaderMatchesMessageHeader', r.HeaderMatchesMessageHeader],
    ['HeaderContainsMessageHeader', r.HeaderContainsMessageHeader],
    ['ExceptIfHeaderMatchesMessageHeader', r.ExceptIfHeaderMatchesMessageHeader],
    ['ExceptIfHeaderContainsMessageHeader', r.ExceptIfHeaderContainsMessageHeader],
  ];
  const hit = headers.find(([, h]) => h?.trim().toLowerCase() === AUTH_RESULTS);
  return hit ? `${hit[0]} '${hit[1] ?? ''}'` : undefined;
}

/**
 * What `ownDomainConditions`, `spoofGuard` and `onlyFromGateway` read (with the accepted domains' DomainName): how a
 * bypass rule is keyed on its senders.
 */
export const SENDER_KEY_READS = [
  'SenderDomainIs',
  'From',
  'FromAddressContainsWords',
  'FromAddressMatchesPatterns',
  'HeaderMatchesMessageHeader',
  'HeaderMatchesPatterns',
  'HeaderContainsMessageHeader',
  'HeaderContainsWords',
  'SenderIpRanges',
  'ExceptIfHeaderMatchesMessageHeader',
  'ExceptIfHeaderContainsMessageHeader',
] as const satisfies readonly ExportProperty<'Get-TransportRule'>[];

/** What `sclUnknown`, `ownDomainConditions` and `spoofGuard` read (with the accepted domains' DomainName). */
export const SCL_BYPASS_READS = [
  'SetSCL',
  'Actions',
  ...SENDER_KEY_READS,
] as const satisfies readonly ExportProperty<'Get-TransportRule'>[];

/** SCL -1 keyed on own sender domains without a guard: "an open invitation to receive spoofed messages" (§4.5 [D] S31). */
export function isSpoofableSclBypass(ctx: CheckContext, r: TransportRule): boolean {
  return r.SetSCL === -1 && ownDomainConditions(ctx, r).length > 0 && spoofGuard(r) === undefined;
}

/** The guide's safety-net rule (step 3, PowerShell variant) in AuditAndNotify, with the known legitimate ranges. */
export function safetyNetScript(ctx: Pick<CheckContext, 'gateway' | 'profile'>): string {
  const ranges = [
    ...ctx.gateway.ips,
    ...(ctx.profile.hybrid?.ips ?? []),
    ...ctx.profile.directSendSources.flatMap((s) => s.ips),
  ];
  const known = ranges.length > 0;
  const list = (known ? [...new Set(ranges)] : ['203.0.113.10', '203.0.113.11', '198.51.100.0/28'])
    .map(psQuote)
    .join(',');
  return [
    '# Observe a week in AuditAndNotify, then: Set-TransportRule -Identity <name> -Mode Enforce (activation order, DESIGN §6)',
    ...(known
      ? []
      : [
          '# replace the ranges with every gateway egress IP/range (plus hybrid and declared Direct Send sources)',
        ]),
    "New-TransportRule -Name 'BLOCK - Direct EOP Ingress (Bypass SEG)' -Priority 0 `",
    '  -FromScope NotInOrganization `',
    `  -ExceptIfSenderIpRanges ${list} \``,
    "  -ExceptIfHeaderMatchesMessageHeader 'X-MS-Exchange-Organization-AuthAs' -ExceptIfHeaderMatchesPatterns 'Internal' `",
    '  -ExceptIfMessageTypeMatches Calendaring `',
    "  -RejectMessageEnhancedStatusCode '5.7.1' -RejectMessageReasonText 'Mail to this organization must be delivered via the official Secure Email Gateway.' `",
    '  -Mode AuditAndNotify -Enabled $true',
  ].join('\n');
}
