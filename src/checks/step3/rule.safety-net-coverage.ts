/**
 * The safety net must except exactly the legitimate direct senders. SenderIpRanges is evaluated on the connecting IP
 * (eop-model §4.2 [D] S20, field-notes 5); a gateway range it misses gets legitimate mail NDR'd, an unknown range is a
 * hole. Exceptions keyed on headers the sender can write are a bypass: only X-MS-Exchange-Organization-* headers are
 * stripped from untrusted mail by the header firewall (§7.3 [D] S38). Microsoft service mail (meeting forwards) needs
 * an exception (§4.6 [C] S51), hybrid mail an AuthAs exception (guide step 3).
 */
import { IpSet } from '../../common/ip.js';
import type { TransportRule } from '../../snapshot/schema.js';
import type { Check, CheckContext, CheckOutcome } from '../types.js';
import { EAC_RULES, LEARN, notExported, psQuote, ruleName, worst } from '../util.js';
import { knownSources, ruleLabel, safetyNets } from './safety-net.js';
import { SAFETY_NET_READS } from './safety-net.js';

const PORTAL = `${EAC_RULES} → select the safety-net rule → Except if: the sender IP address is in the gateway's ranges; the message type is Calendaring; the message header X-MS-Exchange-Organization-AuthAs includes Internal (hybrid)`;

const ORG_HEADER_PREFIX = 'x-ms-exchange-organization-';
const AUTH_AS = 'x-ms-exchange-organization-authas';
const MEETING_FORWARD = 'x-ms-exchange-meetingforward-message';

interface Part {
  status: CheckOutcome['status'];
  line: string;
  fix?: string;
}

interface HeaderException {
  prop: string;
  /** The property holding the patterns or words, cleared together with the header name. */
  valuesProp: string;
  /** Regular expressions (HeaderMatches) or words (HeaderContains), eop-model §4.2 [D] S20. */
  kind: 'patterns' | 'words';
  header: string;
  values: string[];
}

/** Header exceptions of a rule: name and the values it looks for. */
function headerExceptions(r: TransportRule): HeaderException[] {
  const out: HeaderException[] = [];
  if (r.ExceptIfHeaderMatchesMessageHeader) {
    out.push({
      prop: 'ExceptIfHeaderMatchesMessageHeader',
      valuesProp: 'ExceptIfHeaderMatchesPatterns',
      kind: 'patterns',
      header: r.ExceptIfHeaderMatchesMessageHeader.trim(),
      values: r.ExceptIfHeaderMatchesPatterns ?? [],
    });
  }
  if (r.ExceptIfHeaderContainsMessageHeader) {
    out.push({
      prop: 'ExceptIfHeaderContainsMessageHeader',
      valuesProp: 'ExceptIfHeaderContainsWords',
      kind: 'words',
      header: r.ExceptIfHeaderContainsMessageHeader.trim(),
      values: r.ExceptIfHeaderContainsWords ?? [],
    });
  }
  return out;
}

/** Whether a header value would meet the exception: `true`, `false`, or `undefined` when a pattern is not readable. */
function exceptionMatches(h: HeaderException, value: string): boolean | undefined {
  let undecided = false;
  for (const v of h.values) {
    if (h.kind === 'words') {
      if (v.trim().toLowerCase() === value.toLowerCase()) return true;
      continue;
    }
    try {
      // Exchange matches patterns case-insensitively; .NET and JavaScript agree on the simple patterns used here.
      if (new RegExp(v, 'i').test(value)) return true;
    } catch {
      undecided = true;
    }
  }
  return undecided ? undefined : false;
}

// Predicates (Conditions/Exceptions type names, formats.md §6.1) whose properties this check reads.
const TASKS = 'Microsoft.Exchange.MessagingPolicies.Rules.Tasks.';
const KNOWN_CONDITIONS = new Set([
  'FromScopePredicate',
  'SenderDomainIsPredicate',
  'FromPredicate',
  'FromAddressContainsPredicate',
  'FromAddressMatchesPredicate',
  'SenderIpRangesPredicate',
  'RecipientDomainIsPredicate',
  'HeaderMatchesPredicate',
  'HeaderContainsPredicate',
  'MessageTypeMatchesPredicate',
  'SentToScopePredicate',
]);
const KNOWN_EXCEPTIONS = new Set([
  'FromScopePredicate',
  'SenderIpRangesPredicate',
  'HeaderMatchesPredicate',
  'HeaderContainsPredicate',
  'MessageTypeMatchesPredicate',
  'SenderDomainIsPredicate',
  'FromPredicate',
  'FromAddressContainsPredicate',
  'FromAddressMatchesPredicate',
  'RecipientDomainIsPredicate',
]);

const shortName = (typeName: string) =>
  typeName.startsWith(TASKS) ? typeName.slice(TASKS.length) : typeName;

/** Predicates a rule lists that this check does not model (the export names them even when their properties are not read). */
function unmodelled(list: readonly string[] | undefined, known: ReadonlySet<string>): string[] {
  return (list ?? []).map(shortName).filter((n) => !known.has(n));
}

/** Conditions beyond the sender scope: each one narrows what the net catches. */
function narrowingConditions(r: TransportRule): string[] {
  const lists: [string, readonly string[] | undefined][] = [
    ['SenderDomainIs', r.SenderDomainIs],
    ['From', r.From],
    ['FromAddressContainsWords', r.FromAddressContainsWords],
    ['FromAddressMatchesPatterns', r.FromAddressMatchesPatterns],
    ['SenderIpRanges', r.SenderIpRanges],
    ['RecipientDomainIs', r.RecipientDomainIs],
  ];
  const out = lists.filter(([, v]) => (v?.length ?? 0) > 0).map(([k, v]) => `${k} [${(v ?? []).join(', ')}]`);
  if (r.HeaderMatchesMessageHeader) out.push(`HeaderMatchesMessageHeader '${r.HeaderMatchesMessageHeader}'`);
  if (r.HeaderContainsMessageHeader)
    out.push(`HeaderContainsMessageHeader '${r.HeaderContainsMessageHeader}'`);
  if (r.MessageTypeMatches) out.push(`MessageTypeMatches ${r.MessageTypeMatches}`);
  // Inbound mail to the tenant's users is always SentToScope InOrganization; any other scope narrows.
  if (r.SentToScope && r.SentToScope.toLowerCase() !== 'inorganization')
    out.push(`SentToScope ${r.SentToScope}`);
  // A condition mxlock does not read still narrows the net (TR-4 [D]: all conditions must match).
  out.push(
    ...unmodelled(r.Conditions, KNOWN_CONDITIONS).map((n) => `${n} (a condition mxlock does not evaluate)`),
  );
  return out;
}

function review(ctx: CheckContext, r: TransportRule): Part[] {
  const parts: Part[] = [];
  const label = ruleLabel(r);
  const id = psQuote(ruleName(r));
  const except = r.ExceptIfSenderIpRanges ?? [];
  const set = new IpSet(except);
  const gw = ctx.gateway;

  // 1. Every gateway range is excepted, else the rule NDRs legitimate gateway mail.
  if (gw.ips.length === 0) {
    parts.push({
      status: 'unknown',
      line: `${label}: gateway IPs unknown, cannot verify ExceptIfSenderIpRanges = [${except.join(', ')}] (declare gateway.ips in mxlock.yaml)`,
    });
  } else {
    const missing = gw.ips.filter((ip) => !set.covers(ip));
    // Declared Direct Send sources send anonymously as own domains, so NotInOrganization matches them (OQ-9 [C]).
    const sources = ctx.profile.directSendSources
      .map((src) => ({ name: src.name, ips: src.ips.filter((ip) => !set.covers(ip)) }))
      .filter((src) => src.ips.length > 0);
    const added = [...new Set([...missing, ...sources.flatMap((src) => src.ips)])];
    // The parameter replaces the whole list: one command with every missing range.
    const listFix =
      added.length > 0
        ? `Set-TransportRule -Identity ${id} -ExceptIfSenderIpRanges ${[...except, ...added].map(psQuote).join(',')}`
        : undefined;
    let fixGiven = false;
    const takeFix = () => {
      if (fixGiven || listFix === undefined) return {};
      fixGiven = true;
      return { fix: listFix };
    };
    for (const ip of missing) {
      parts.push({
        status: 'fail',
        line: `${label}: gateway IP ${ip} is not in ExceptIfSenderIpRanges: once enforced, the rule rejects legitimate gateway mail from it`,
        ...takeFix(),
      });
    }
    for (const src of sources) {
      parts.push({
        status: 'warn',
        line: `${label}: declared Direct Send source '${src.name}' (${src.ips.join(', ')}) is not in ExceptIfSenderIpRanges: once enforced, the rule rejects its mail (anonymous own-domain mail counts as NotInOrganization, eop-model §12 OQ-9 [C])`,
        ...takeFix(),
      });
    }
    if (missing.length === 0)
      parts.push({
        status: 'pass',
        line: `${label}: ExceptIfSenderIpRanges covers every gateway IP (${gw.ips.join(', ')})`,
      });
    // 2. Ranges beyond gateway, hybrid and declared sources: whoever sends from them skips the net.
    const known = knownSources(ctx);
    for (const entry of except) {
      if (set.invalid.includes(entry.trim())) {
        parts.push({
          status: 'warn',
          line: `${label}: ExceptIfSenderIpRanges entry '${entry}' is not a valid address or range`,
        });
      } else if (!known.covers(entry)) {
        parts.push({
          status: 'warn',
          line: `${label}: ExceptIfSenderIpRanges entry ${entry} is neither a gateway, hybrid nor declared-source address: mail from it skips the safety net (declare it in mxlock.yaml if legitimate)`,
        });
      }
    }
  }

  // 3. Hybrid: promoted on-premises mail carries AuthAs Internal (§7.3), or its IPs are excepted.
  const headers = headerExceptions(r);
  if (ctx.profile.hybrid) {
    const authAs = headers.some(
      (h) => h.header.toLowerCase() === AUTH_AS && h.values.some((v) => /internal/i.test(v)),
    );
    const hybridIps = ctx.profile.hybrid.ips;
    const ipsExcepted = hybridIps.length > 0 && hybridIps.every((ip) => set.covers(ip));
    if (authAs)
      parts.push({
        status: 'pass',
        line: `${label}: excepts X-MS-Exchange-Organization-AuthAs Internal (hybrid mail)`,
      });
    else if (ipsExcepted)
      parts.push({ status: 'pass', line: `${label}: excepts every hybrid IP (${hybridIps.join(', ')})` });
    else {
      parts.push({
        status: 'warn',
        line: `${label}: hybrid is declared but the rule has no exception on header X-MS-Exchange-Organization-AuthAs (Internal) nor for every hybrid IP: on-premises mail may be rejected (hardening-guide step 3)`,
        fix: `Set-TransportRule -Identity ${id} -ExceptIfHeaderMatchesMessageHeader 'X-MS-Exchange-Organization-AuthAs' -ExceptIfHeaderMatchesPatterns 'Internal'`,
      });
    }
  }

  // 4. Header exceptions the sender can forge are a bypass (§7.3 [D] S38: only X-MS-Exchange-Organization-* is firewalled).
  for (const h of headers) {
    const name = h.header.toLowerCase();
    const clear = `Set-TransportRule -Identity ${id} -${h.prop} $null -${h.valuesProp} $null`;
    if (!name.startsWith(ORG_HEADER_PREFIX)) {
      const alt = name === MEETING_FORWARD ? '; use -ExceptIfMessageTypeMatches Calendaring instead' : '';
      parts.push({
        status: 'fail',
        line: `${label}: ${h.prop} = '${h.header}': an attacker can write this header into a direct message and skip the safety net; EOP's header firewall only strips X-MS-Exchange-Organization-* headers (eop-model §7.3 [D] S38)${alt}`,
        fix: `${clear}${alt ? ' -ExceptIfMessageTypeMatches Calendaring' : ''}`,
      });
    } else if (name === AUTH_AS) {
      // Direct and other anonymous mail carries AuthAs Anonymous (§7.3 [D] S38, field-notes 7): excepting it voids the net.
      const anon = exceptionMatches(h, 'Anonymous');
      if (anon !== false) {
        const which = h.values.map((v) => `'${v}'`).join(', ');
        parts.push({
          status: anon ? 'fail' : 'unknown',
          line: anon
            ? `${label}: ${h.prop} = '${h.header}' with ${which} matches anonymous mail (AuthAs Anonymous, eop-model §7.3 [D] S38): the net excepts exactly the direct mail it exists to stop`
            : `${label}: ${h.prop} = '${h.header}' with ${which}: a pattern is not readable, cannot tell whether it matches AuthAs Anonymous`,
          ...(anon
            ? {
                fix: `Set-TransportRule -Identity ${id} -ExceptIfHeaderMatchesMessageHeader 'X-MS-Exchange-Organization-AuthAs' -ExceptIfHeaderMatchesPatterns 'Internal'${h.prop === 'ExceptIfHeaderContainsMessageHeader' ? ' -ExceptIfHeaderContainsMessageHeader $null -ExceptIfHeaderContainsWords $null' : ''}`,
              }
            : {}),
        });
      }
    } else {
      parts.push({
        status: 'unknown',
        line: `${label}: ${h.prop} = '${h.header}': EOP stamps this header itself, and mxlock cannot tell whether direct mail carries the excepted value (${h.values.join(', ') || 'no value'})`,
      });
    }
  }

  // 4b. Exceptions on the sender address: the sender writes it (P1 and P2), so a direct message can meet them at will.
  const senderExceptions: [string, readonly string[] | undefined][] = [
    ['ExceptIfSenderDomainIs', r.ExceptIfSenderDomainIs],
    ['ExceptIfFrom', r.ExceptIfFrom],
    ['ExceptIfFromAddressContainsWords', r.ExceptIfFromAddressContainsWords],
    ['ExceptIfFromAddressMatchesPatterns', r.ExceptIfFromAddressMatchesPatterns],
  ];
  for (const [prop, values] of senderExceptions) {
    if ((values?.length ?? 0) === 0) continue;
    parts.push({
      status: 'fail',
      line: `${label}: ${prop} [${(values ?? []).join(', ')}]: the sender chooses its own address, so a direct message using one of these skips the safety net (eop-model §4.5 [D] S31; except legitimate sources by IP instead)`,
      fix: `Set-TransportRule -Identity ${id} -${prop} $null  # except legitimate sources by IP (ExceptIfSenderIpRanges) instead`,
    });
  }
  if ((r.ExceptIfRecipientDomainIs?.length ?? 0) > 0) {
    parts.push({
      status: 'warn',
      line: `${label}: ExceptIfRecipientDomainIs [${(r.ExceptIfRecipientDomainIs ?? []).join(', ')}]: direct mail to these domains is not caught`,
    });
  }
  for (const n of unmodelled(r.Exceptions, KNOWN_EXCEPTIONS)) {
    parts.push({
      status: 'warn',
      line: `${label}: exception ${n} is not evaluated by mxlock: if a direct message can meet it (subject, body, attachment, sender), it skips the safety net`,
    });
  }

  // 5. Microsoft service mail: meeting forwards from Microsoft IPs with your domain hit the rule ([C] S51).
  const calendaring =
    r.ExceptIfMessageTypeMatches?.toLowerCase() === 'calendaring' ||
    headers.some((h) => h.header.toLowerCase() === MEETING_FORWARD);
  if (!calendaring) {
    parts.push({
      status: 'warn',
      line: `${label}: ExceptIfMessageTypeMatches = ${r.ExceptIfMessageTypeMatches ?? '(none)'}, no calendaring / meeting-forward exception: meeting forwards sent by Microsoft 365 on your users' behalf are rejected (eop-model §4.6 [C] S51)`,
      fix: `Set-TransportRule -Identity ${id} -ExceptIfMessageTypeMatches Calendaring`,
    });
  }

  // 6. Extra conditions narrow the net: external mail that does not meet them is not caught.
  const narrowing = narrowingConditions(r);
  if (narrowing.length > 0) {
    parts.push({
      status: 'warn',
      line: `${label}: also requires ${narrowing.join(', ')}: direct external mail that does not meet these conditions is not caught`,
    });
  }

  // 7. Routing back to the gateway needs an existing, enabled outbound connector.
  const route = r.RouteMessageOutboundConnector;
  if (
    route !== undefined &&
    r.RejectMessageReasonText === undefined &&
    r.RejectMessageEnhancedStatusCode === undefined &&
    r.DeleteMessage !== true &&
    r.Quarantine !== true
  ) {
    const outbound = ctx.snapshot.data['Get-OutboundConnector'];
    const target = outbound?.find((c) =>
      [c.Name, c.Identity].some((n) => n?.toLowerCase() === route.toLowerCase()),
    );
    if (!outbound)
      parts.push({
        status: 'unknown',
        line: `${label}: routes to outbound connector '${route}': ${notExported('Get-OutboundConnector')}`,
      });
    else if (!target)
      parts.push({
        status: 'fail',
        line: `${label}: routes to outbound connector '${route}', which does not exist: the action fails`,
      });
    else if (target.Enabled === false)
      parts.push({
        status: 'fail',
        line: `${label}: routes to outbound connector '${route}', which is disabled`,
      });
  }
  return parts;
}

export const check: Check = {
  id: 'rule.safety-net-coverage',
  requiresGateway: true,
  step: 3,
  title:
    'The safety-net rule excepts exactly the gateway (plus hybrid, declared sources and meeting forwards) and no forgeable header',
  severity: 'medium',
  references: [
    'eop-model §4.2 [D]',
    'eop-model §4.6 [C]',
    'eop-model §7.3 [D]',
    'field-notes 5',
    'hardening-guide step 3',
    LEARN.newTransportRule,
    LEARN.mailFlowRules,
  ],
  remediation: {
    powershell: [
      "Set-TransportRule -Identity 'BLOCK - Direct EOP Ingress (Bypass SEG)' -ExceptIfSenderIpRanges '203.0.113.10','203.0.113.11','198.51.100.0/28' `",
      "  -ExceptIfMessageTypeMatches Calendaring -ExceptIfHeaderMatchesMessageHeader 'X-MS-Exchange-Organization-AuthAs' -ExceptIfHeaderMatchesPatterns 'Internal'",
    ].join('\n'),
    portal: PORTAL,
  },
  reads: {
    'Get-TransportRule': [
      ...SAFETY_NET_READS,
      'State',
      'Conditions',
      'Exceptions',
      'SentToScope',
      'SenderIpRanges',
      'SenderDomainIs',
      'From',
      'FromAddressContainsWords',
      'FromAddressMatchesPatterns',
      'HeaderMatchesMessageHeader',
      'HeaderContainsMessageHeader',
      'MessageTypeMatches',
      'RecipientDomainIs',
      'ExceptIfSenderDomainIs',
      'ExceptIfFrom',
      'ExceptIfFromAddressContainsWords',
      'ExceptIfFromAddressMatchesPatterns',
      'ExceptIfHeaderMatchesMessageHeader',
      'ExceptIfHeaderMatchesPatterns',
      'ExceptIfHeaderContainsMessageHeader',
      'ExceptIfHeaderContainsWords',
      'ExceptIfMessageTypeMatches',
      'ExceptIfRecipientDomainIs',
    ],
    'Get-OutboundConnector': ['Enabled'],
  },
  evaluate(ctx) {
    const gate = safetyNets(ctx);
    if (!gate.ok) return gate.outcome;
    const parts = gate.value.flatMap((r) => review(ctx, r));
    const outcome: CheckOutcome = {
      status: worst(parts.map((p) => p.status)),
      evidence: parts.map((p) => p.line),
    };
    const fixes = parts.flatMap((p) => (p.fix ? [p.fix] : []));
    if (fixes.length > 0) outcome.remediation = { powershell: fixes.join('\n'), portal: PORTAL };
    return outcome;
  },
};
