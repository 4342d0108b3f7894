/**
 * The safety net must except exactly the legitimate direct senders. SenderIpRanges is evaluated on the connecting IP
 * (eop-model §4.2 [D] S20, field-notes 5); a gateway range it misses gets legitimate mail NDR'd, an unknown range is a
 * hole. Exceptions keyed on headers the sender can write are a bypass: only X-MS-Exchange-Organization-* headers are
 * stripped from untrusted mail by the header firewall (§7.3 [D] S38). Microsoft service mail (meeting forwards) needs
 * an exception (§4.6 [C] S51), hybrid mail an AuthAs exception (guide step 3).
 */
import { IpSet } from '../../model/ip.js';
import type { TransportRule } from '../../snapshot/schema.js';
import type { Check, CheckContext, CheckOutcome } from '../types.js';
import { EAC_RULES, LEARN, notExported, psQuote, ruleName, worst } from '../util.js';
import { knownSources, ruleLabel, safetyNets } from './safety-net.js';

const PORTAL = `${EAC_RULES} → select the safety-net rule → Except if: the sender IP address is in the gateway's ranges; the message type is Calendaring; the message header X-MS-Exchange-Organization-AuthAs includes Internal (hybrid)`;

const ORG_HEADER_PREFIX = 'x-ms-exchange-organization-';
const AUTH_AS = 'x-ms-exchange-organization-authas';
const MEETING_FORWARD = 'x-ms-exchange-meetingforward-message';

interface Part {
  status: CheckOutcome['status'];
  line: string;
  fix?: string;
}

/** Header exceptions of a rule: name and the values it looks for. */
function headerExceptions(r: TransportRule): { prop: string; header: string; values: string[] }[] {
  const out: { prop: string; header: string; values: string[] }[] = [];
  if (r.ExceptIfHeaderMatchesMessageHeader) {
    out.push({
      prop: 'ExceptIfHeaderMatchesMessageHeader',
      header: r.ExceptIfHeaderMatchesMessageHeader.trim(),
      values: r.ExceptIfHeaderMatchesPatterns ?? [],
    });
  }
  if (r.ExceptIfHeaderContainsMessageHeader) {
    out.push({
      prop: 'ExceptIfHeaderContainsMessageHeader',
      header: r.ExceptIfHeaderContainsMessageHeader.trim(),
      values: r.ExceptIfHeaderContainsWords ?? [],
    });
  }
  return out;
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
    missing.forEach((ip, i) => {
      parts.push({
        status: 'fail',
        line: `${label}: gateway IP ${ip} is not in ExceptIfSenderIpRanges: once enforced, the rule rejects legitimate gateway mail from it`,
        // The parameter replaces the whole list: one command with every missing range.
        ...(i === 0
          ? {
              fix: `Set-TransportRule -Identity ${id} -ExceptIfSenderIpRanges ${[...except, ...missing].map(psQuote).join(',')}`,
            }
          : {}),
      });
    });
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
    if (!h.header.toLowerCase().startsWith(ORG_HEADER_PREFIX)) {
      const alt =
        h.header.toLowerCase() === MEETING_FORWARD
          ? '; use -ExceptIfMessageTypeMatches Calendaring instead'
          : '';
      parts.push({
        status: 'fail',
        line: `${label}: ${h.prop} = '${h.header}': an attacker can write this header into a direct message and skip the safety net; EOP's header firewall only strips X-MS-Exchange-Organization-* headers (eop-model §7.3 [D] S38)${alt}`,
        fix: `Set-TransportRule -Identity ${id} -${h.prop} $null${alt ? ' -ExceptIfMessageTypeMatches Calendaring' : ''}`,
      });
    }
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
