/**
 * The RCPT stage (eop-model §9): which connectors match the connection (CON-1), then per recipient relay
 * (CON-7), the connection-filter block list (CF-6.5), the Partner restriction (CON-5), RequireTls (CON-6) and
 * RejectDirectSend (DS-2, DS-3). The connector predicates are model/connectors.ts's, asked of the evaluation's world.
 */
import { certificateMatches, domainOrSubdomain } from '../common/domains.js';
import type { SimConfig } from './config.js';
import {
  firstOnPremises,
  patternsCover,
  planIsPartner as isPartner,
  planRcptInScope as rcptInScope,
  planRestricts as restricts,
  planSenderInScope as senderInScope,
} from './connectors.js';
import { isAllowBySender, normalisedPatternMatches, patternHits, type ConnectorPlan } from './precompiled.js';
import { assumedDecision, ipv6Acceptance, reply4725, reply4726, reply521 } from './ipv6.js';
import type { Decision, Outcome } from './types.js';
import { accepted, domainOrSubdomainLower, ipLabel, quotedNames, type Call, type World } from './world.js';

export const REPLY_5_7_51 =
  "550 5.7.51 TenantInboundAttribution; There is a partner connector configured that matched the message's recipient domain. The connector had either the RestrictDomainsToIPAddresses or RestrictDomainsToCertificate set";
export const REPLY_5_7_68 =
  '550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources';
export const REPLY_5_7_64 = '550 5.7.64 TenantAttribution; Relay Access Denied';

/** `hits` in ascending order without repeats (configuration order, each connector once). */
function sortedUnique(hits: number[]): number[] {
  hits.sort((x, y) => x - y);
  let n = 0;
  for (const i of hits) if (n === 0 || hits[n - 1] !== i) hits[n++] = i;
  hits.length = n;
  return hits;
}

/** CON-1: the enabled connectors that match the connection by IP or certificate, in configuration order. */
export function matchedConnectors(call: Call, w: World): ConnectorPlan[] {
  const { plan, a } = call;
  const certs = a.tls && a.certNames.length > 0;
  if (call.reference) {
    return plan.connectors.filter(
      (p) =>
        w.b(p.c.enabled, p.kEnabled) &&
        (p.c.ips.has(a.clientIp) ||
          (a.tls && p.c.certificate !== undefined && certificateMatches(p.c.certificate, a.certNames))),
    );
  }
  // Every connector's Enabled is asked of the world, as the model tests every connector.
  for (const i of plan.unknownEnabled) w.b(undefined, plan.connectors[i]!.kEnabled);
  const byIp = plan.connectorIps.lookup(call.addr);
  if (!certs) {
    if (byIp.length === 0) return [];
    const out: ConnectorPlan[] = [];
    for (const i of byIp) {
      const p = plan.connectors[i]!;
      if (w.b(p.c.enabled, p.kEnabled)) out.push(p);
    }
    return out;
  }
  // CON-1: a presented name equal to the configured one or covered by its `*.` wildcard (certificateMatches):
  // the name itself and every suffix after a dot, looked up in the certificate index.
  const hits = byIp.slice();
  for (const name of a.certNames) patternHits(plan.certIndex, name.toLowerCase(), hits);
  if (hits.length > byIp.length) sortedUnique(hits);
  const out: ConnectorPlan[] = [];
  for (const i of hits) {
    const p = plan.connectors[i]!;
    if (w.b(p.c.enabled, p.kEnabled)) out.push(p);
  }
  return out;
}

export interface RcptResult {
  refused?: Outcome;
  alsoAccepted?: boolean;
  /** Further outcomes the model cannot rule out besides `refused` (e.g. a silent drop, OQ-7). */
  alternatives?: Outcome[];
  decisions: Decision[];
}

/** A presented certificate name that is an accepted domain or a host in one (CON-7 "certificate domain"). */
function certificateInAcceptedDomain(cfg: SimConfig, certNames: readonly string[]): string | undefined {
  return certNames.find((n) => {
    const name = n.toLowerCase().replace(/^\*\./, '');
    return cfg.acceptedDomains.some((d) => domainOrSubdomain(d, name));
  });
}

/**
 * CON-5: the enabled Partner connectors with a restriction on, in configuration order. Outside reference mode, only
 * those that can take part in the decision below: a restricting connector with every setting exported is in it only
 * when its SenderDomains cover the P1 domain (or list `*` for the null sender) or the From: domain (CON-2), so the
 * others are not looked at (SimPlan.restrictIndex); one with a setting not exported is, as the world is asked about it.
 */
function restrictingConnectors(call: Call, w: World): ConnectorPlan[] {
  if (call.reference) return call.plan.connectors.filter((p) => restricts(p, w));
  const { maybeRestricting, restrictIndex: ri } = call.plan;
  if (maybeRestricting.length === 0) return [];
  const hits = ri.asked.slice();
  if (call.p1Domain === undefined) for (const i of ri.nullSender) hits.push(i);
  else patternHits(ri.bySender, call.p1Domain, hits);
  if (call.p2Domain !== undefined) patternHits(ri.bySender, call.p2Domain, hits);
  const out: ConnectorPlan[] = [];
  for (const i of sortedUnique(hits)) {
    const m = maybeRestricting[i]!;
    if (m.fixed || restricts(m.p, w)) out.push(m.p);
  }
  return out;
}

function directSendRefusal(evidence: Decision['evidence'], text: string, note?: Decision): Outcome {
  return {
    stage: 'rcpt',
    disposition: 'rejected',
    reply: REPLY_5_7_68,
    decisions: note ? [{ rule: 'DS-2', evidence, text }, note] : [{ rule: 'DS-2', evidence, text }],
  };
}

/**
 * DS-1 [D]: since the reference text of 2026-03-17 ("we only consider inbound connectors configured to match the sender
 * IP or certificate", Set-OrganizationConfig -RejectDirectSend), a Partner connector that covers the P1 domain by
 * SenderDomains but matched the connection neither by IP nor by certificate does not exempt it: the note naming the
 * enabled Partner connectors that restrict nothing and cover it, when there are any. Only called once RejectDirectSend
 * refuses, and no connector matched then.
 */
function allowBySenderNote(call: Call, p1Domain: string): Decision | undefined {
  const { plan } = call;
  let names: string[];
  if (call.reference) {
    names = plan.connectors
      .filter(
        (p) => isAllowBySender(p.c) && p.senderPatterns.some((x) => normalisedPatternMatches(x, p1Domain)),
      )
      .map((p) => p.quoted);
  } else {
    const hits: number[] = [];
    patternHits(plan.allowBySender, p1Domain, hits);
    if (hits.length === 0) return undefined;
    names = sortedUnique(hits).map((i) => plan.connectors[i]!.quoted);
  }
  if (names.length === 0) return undefined;
  return {
    rule: 'DS-1',
    evidence: 'D',
    text: `Partner connector(s) ${names.join(', ')} cover P1 domain ${p1Domain} by SenderDomains but match this connection neither by IP nor by certificate: only connectors configured to match the sender IP or certificate exempt from RejectDirectSend (Set-OrganizationConfig reference, 2026-03-17)`,
  };
}

/** What the IPv6 rules (model/ipv6.ts) say about one recipient of a connection over IPv6. */
interface Ipv6Verdict {
  /** IPV6-1: refused before anything else is looked at (the recipient domain takes no IPv6). */
  optedOut?: Outcome;
  /** IPV6-2 / IPV6-3: temporary refusals of an anonymous sender. */
  deferred: Outcome[];
  /** The refusals may not apply (an authentication result that is not known). */
  undecided: boolean;
  decisions: Decision[];
}

function refusal(reply: string, d: Decision): Outcome {
  return { stage: 'rcpt', disposition: 'rejected', reply, decisions: [d] };
}

/**
 * The IPv6 rules for a recipient in `rcptDomain` (eop-model §13 [D] S42): a domain opted out refuses (IPV6-1); an
 * anonymous sender (no connector matched by IP or certificate, not SMTP AUTH) needs a PTR record (IPV6-2) and an SPF or
 * DKIM pass (IPV6-3). The 450 replies are temporary refusals: the sender retries, and the message is not delivered
 * while the cause stays (a deferral is not delivery).
 */
function ipv6Rules(call: Call, w: World, matched: ConnectorPlan[], rcptDomain: string): Ipv6Verdict {
  const { cfg, a } = call;
  const out: Ipv6Verdict = { deferred: [], undecided: false, decisions: [] };
  const acceptance = ipv6Acceptance(cfg.tenant.ipv6Statuses, rcptDomain);
  const ip = ipLabel(call, 0);
  const anonymous = matched.length === 0 && !a.authenticated;
  if (!acceptance.accepts) {
    out.optedOut = refusal(reply521(rcptDomain), {
      rule: 'IPV6-1',
      evidence: anonymous ? 'D' : 'I',
      text: `${rcptDomain} is opted out of IPv6 inbound (Disable-IPv6ForAcceptedDomain) and ${ip} connects over IPv6${anonymous ? '' : ` (matched connector '${matched[0]!.c.name}'; the refusal is documented for anonymous mail, taken to hold for all)`}`,
    });
    return out;
  }
  if (acceptance.basis === 'default') out.decisions.push(assumedDecision(acceptance));
  if (!anonymous) {
    out.decisions.push({
      rule: 'IPV6-2',
      evidence: 'I',
      text: `over IPv6, but not anonymous (${a.authenticated ? 'SMTP AUTH' : `matched connector '${matched[0]!.c.name}' by certificate`}): the PTR and SPF-or-DKIM requirements of anonymous IPv6 senders do not apply`,
    });
    return out;
  }
  if (!w.b(a.ptr, `PTR record of the sending IPv6 address ${ip}`)) {
    out.deferred.push(
      refusal(reply4725(ip), {
        rule: 'IPV6-2',
        evidence: 'D',
        text: `anonymous sender over IPv6 without a PTR record for ${ip}: deferred (a temporary refusal; not delivered while it lasts)`,
      }),
    );
  }
  const v =
    a.auth ??
    (call.reference
      ? cfg.auth.verdict({ ip: a.clientIp, mailFrom: a.mailFrom, headerFrom: a.headerFrom, dkimDomains: [] })
      : call.plan.authVerdict(a.clientIp, a.mailFrom, a.headerFrom));
  const signer = a.signedBy?.[0];
  if (v.spf === 'pass' || v.dkim === 'pass' || signer !== undefined) {
    out.decisions.push({
      rule: 'IPV6-3',
      evidence: signer !== undefined && v.spf !== 'pass' && v.dkim !== 'pass' ? 'I' : 'D',
      text:
        v.spf === 'pass'
          ? `over IPv6: SPF passes for ${call.p1Domain ?? 'the HELO name'}`
          : v.dkim === 'pass'
            ? `over IPv6: DKIM passes for ${call.p2Domain ?? 'the From: domain'}`
            : `over IPv6: SPF ${v.spf}, but the message carries a valid DKIM signature of ${signer}, the sender's own domain; no alignment with From: is asked for`,
    });
    return out;
  }
  const undecided = v.spf === 'unknown' || v.spf === 'temperror';
  out.deferred.push(
    refusal(reply4726(ip), {
      rule: 'IPV6-3',
      evidence: undecided ? 'I' : 'D',
      text: `anonymous sender over IPv6: SPF ${v.spf} for ${call.p1Domain ?? 'the HELO name'} and no DKIM pass: deferred after DATA (a temporary refusal; not delivered while it lasts)${undecided ? '; SPF could not be evaluated, so it may pass' : ''}`,
    }),
  );
  if (undecided) {
    out.undecided = true;
    call.uncertainties.push(
      `SPF of ${call.p1Domain ?? 'the HELO name'} for ${ip} is ${v.spf}: the IPv6 SPF-or-DKIM requirement (IPV6-3) may or may not be met`,
    );
  }
  return out;
}

export function rcptStage(call: Call, w: World, matched: ConnectorPlan[], r: number): RcptResult {
  const { cfg, a, p1Domain } = call;
  const decisions: Decision[] = [];
  const rcpt = a.rcpts[r]!;
  const rcptDomain = call.rcptDomains[r];
  const rcptAccepted = accepted(call, rcptDomain);

  if (!rcptAccepted) {
    // CON-7 [D]: relay needs an OnPremises connector match and an own certificate domain or P1 domain.
    const onPrem = firstOnPremises(matched, w) !== undefined;
    const ownCert = a.tls ? certificateInAcceptedDomain(cfg, a.certNames) : undefined;
    if (onPrem && (accepted(call, p1Domain) || ownCert !== undefined)) {
      decisions.push({
        rule: 'CON-7',
        evidence: 'D',
        text: `relayed through an OnPremises connector (${ownCert !== undefined ? `certificate ${ownCert}` : `P1 domain ${p1Domain}`} is the tenant's)`,
      });
      return { decisions };
    }
    return {
      refused: {
        stage: 'rcpt',
        disposition: 'rejected',
        reply: REPLY_5_7_64,
        decisions: [
          {
            rule: 'CON-7',
            evidence: 'D',
            text: `${rcptDomain ?? rcpt} is not an accepted domain: relay denied`,
          },
        ],
      },
      decisions,
    };
  }

  let refusals: Outcome[] | undefined;
  let alternatives: Outcome[] | undefined;
  let undecided = false;
  let v6: Ipv6Verdict | undefined;
  if (call.ipv6) {
    v6 = ipv6Rules(call, w, matched, rcptDomain!);
    if (v6.optedOut) (refusals ??= []).push(v6.optedOut);
    for (const d of v6.decisions) decisions.push(d);
  }
  const blocked = call.reference
    ? cfg.ipBlock.has(a.clientIp) && !cfg.ipAllow.has(a.clientIp)
    : cfg.ipBlock.size > 0 && cfg.ipBlock.hasAddress(call.addr) && !cfg.ipAllow.hasAddress(call.addr);
  if (blocked) {
    const ip = ipLabel(call, 0);
    const why = `${ip} is on the connection-filter IP Block List`;
    (refusals ??= []).push({
      stage: 'rcpt',
      disposition: 'rejected',
      reply: `550 5.7.513 Service unavailable, Client host [${ip}] blocked by ${rcptDomain} using Customer Block list (AS16012607)`,
      decisions: [{ rule: 'CF-6.5', evidence: 'D', text: `${why}: rejected with 5.7.513 (S30, S40)` }],
    });
    // OQ-7: S24 says such mail is silently dropped instead; the order against the other RCPT rules is unknown
    // (OQ-2), so a drop may also pre-empt them.
    (alternatives ??= []).push({
      stage: 'post-acceptance',
      disposition: 'dropped',
      decisions: [
        ...decisions,
        { rule: 'CF-6.5', evidence: 'D', text: `${why}: silently dropped (S24; OQ-7 open)` },
      ],
    });
    call.uncertainties.push('IP Block List: refused in session (5.7.513) or silently dropped (OQ-7)');
  }

  // CON-5: Partner restriction. One satisfying restricting connector whose scope covers the message suffices (§12 OQ-2 [I]).
  const restricting = restrictingConnectors(call, w);
  if (restricting.length > 0) {
    // In scope: SenderDomains covers P1 and the recipient's domain is associated. Restricting connectors that cover
    // only the From: domain are named in the evidence (CON-2).
    const p2Domain = call.p2Domain;
    const inScope: ConnectorPlan[] = [];
    const byP2Only: ConnectorPlan[] = [];
    for (const p of restricting) {
      const sender = senderInScope(p, w, p1Domain);
      if (!rcptInScope(p, w, rcptDomain, rcpt)) continue;
      if (sender) inScope.push(p);
      else if (p2Domain !== undefined && patternsCover(p, p2Domain)) byP2Only.push(p);
    }
    if (inScope.length > 0) {
      // Every in-scope connector's settings are asked of the world (the model tests each), the first satisfied one
      // is named.
      let satisfied: ConnectorPlan | undefined;
      for (const p of inScope) {
        const ok =
          (w.b(p.c.restrictIp, p.kRestrictIp) &&
            (call.reference ? p.c.ips.has(a.clientIp) : p.c.ips.hasAddress(call.addr))) ||
          (w.b(p.c.restrictCert, p.kRestrictCert) &&
            a.tls &&
            p.c.certificate !== undefined &&
            certificateMatches(p.c.certificate, a.certNames));
        if (ok) satisfied ??= p;
      }
      const onPremMatch = firstOnPremises(matched, w);
      if (satisfied !== undefined) {
        decisions.push(inScope.length > 1 ? satisfied.satisfiesOneOf : satisfied.satisfies);
      } else if (onPremMatch) {
        decisions.push({
          rule: 'CON-5',
          evidence: 'I',
          text: `matches OnPremises connector '${onPremMatch.c.name}': taken as exempt from the Partner restriction (§12)`,
        });
      } else {
        const names = quotedNames(inScope);
        const why =
          p1Domain === undefined
            ? `null sender <>: SenderDomains * of ${names} is taken to cover it [I]`
            : `P1 domain ${p1Domain} is in scope of restricting connector(s) ${names} and the connection satisfies none (IP ${ipLabel(call, 0)}${a.tls ? '' : ', no TLS'}${a.certNames.length ? `, certificate ${a.certNames.join(' ')}` : ''})`;
        const con5: Decision[] = [{ rule: 'CON-5', evidence: p1Domain === undefined ? 'I' : 'D', text: why }];
        if (call.ipv6 && inScope.some((p) => w.b(p.c.restrictIp, p.kRestrictIp)))
          con5.push({
            rule: 'IPV6-4',
            evidence: 'I',
            text: `${ipLabel(call, 0)} is IPv6: SenderIPAddresses takes IPv4 only (S8 [D]) and IP-based connectors need the same IP version on both ends (MC835648 [D]), so no IP restriction can admit it; only a certificate can`,
          });
        (refusals ??= []).push({
          stage: 'rcpt',
          disposition: 'rejected',
          reply: REPLY_5_7_51,
          decisions: con5,
        });
      }
    }
    // The recipient's decisions are read only when it is accepted, and a refusal so far rules that out (see the
    // end): their text is then not built. CON-2 comes first among them.
    if (byP2Only.length > 0 && (call.reference || refusals === undefined))
      decisions.unshift({
        rule: 'CON-2',
        evidence: 'C',
        text: `restricting connector(s) ${quotedNames(byP2Only)} cover the From: domain ${p2Domain} but not the P1 domain ${p1Domain ?? '<>'}: SenderDomains is compared with P1 (§12 OQ-3)`,
      });
  }

  // CON-6: a matched Partner connector with RequireTls refuses plain-text sessions (reply undocumented, OQ-6).
  let tlsRequired: ConnectorPlan | undefined;
  for (const p of matched)
    if (isPartner(p, w) && w.b(p.c.requireTls, p.kRequireTls)) {
      tlsRequired = p;
      break;
    }
  if (tlsRequired && !a.tls) {
    (refusals ??= []).push({
      stage: 'rcpt',
      disposition: 'rejected',
      reply: 'unknown',
      decisions: [
        {
          rule: 'CON-6',
          evidence: 'D',
          text: `connector '${tlsRequired.c.name}' requires TLS and the session is plain text (reply text undocumented, OQ-6)`,
        },
      ],
    });
  }

  // DS-2: RejectDirectSend, P1 only, exempt when any connector matched by IP or certificate (March 2026 wording [D]).
  const keep = call.reference || refusals === undefined;
  const rds = w.b(cfg.rejectDirectSend, 'Get-OrganizationConfig RejectDirectSend');
  if (rds && !a.authenticated && matched.length === 0 && p1Domain !== undefined) {
    const ds = (refusals ??= []);
    const base = `RejectDirectSend is on, P1 domain ${p1Domain}`;
    const tail = 'and no connector matched by IP or certificate (stage RCPT per OQ-1 [C])';
    if (accepted(call, p1Domain)) {
      const type = call.plan.acceptedDomainType(p1Domain);
      const note = allowBySenderNote(call, p1Domain);
      if (type === 'Authoritative') ds.push(directSendRefusal('D', `${base} is accepted ${tail}`, note));
      else if (type === 'InternalRelay')
        ds.push(
          directSendRefusal(
            'I',
            `${base} is an InternalRelay accepted domain, taken as covered (§12 OQ-4) ${tail}`,
            note,
          ),
        );
      else {
        // OQ-4: ExternalRelay domains are not settled, and an unexported DomainType could be one.
        ds.push(
          directSendRefusal(
            'I',
            `${base} is an accepted domain of type ${type ?? '(not exported)'}: RejectDirectSend may or may not cover it (OQ-4) ${tail}`,
            note,
          ),
        );
        undecided = true;
        call.uncertainties.push(
          `RejectDirectSend and the ${type ?? 'unexported'} DomainType of ${p1Domain} (OQ-4)`,
        );
      }
    } else if (
      call.reference
        ? cfg.tenant.coveredByMatchSubDomains(p1Domain)
        : call.plan.matchSubLower.some((n) => p1Domain === n || domainOrSubdomainLower(n, p1Domain))
    ) {
      // OQ-4: MatchSubDomains is undocumented for RejectDirectSend; explore both answers.
      ds.push(
        directSendRefusal(
          'I',
          `P1 domain ${p1Domain} is a subdomain of a MatchSubDomains accepted domain: RejectDirectSend may or may not cover it (OQ-4)`,
        ),
      );
      undecided = true;
      call.uncertainties.push('RejectDirectSend and MatchSubDomains subdomains (OQ-4)');
    } else {
      const parent = !keep
        ? undefined
        : call.reference
          ? cfg.acceptedDomains.find((d) => domainOrSubdomain(d, p1Domain))
          : cfg.acceptedDomains[call.plan.acceptedList.findIndex((d) => domainOrSubdomainLower(d, p1Domain))];
      if (keep)
        decisions.push(
          parent === undefined
            ? {
                rule: 'DS-3',
                evidence: 'D',
                text: `RejectDirectSend does not apply: P1 domain ${p1Domain} is not an accepted domain (the P2 From is not checked)`,
              }
            : {
                rule: 'DS-3',
                evidence: 'I',
                text: `RejectDirectSend does not apply: P1 domain ${p1Domain} is a subdomain of ${parent}, not itself an accepted domain (§12 OQ-4)`,
              },
        );
    }
  } else if (!keep) {
    // Refused already: the DS-1/DS-3 notes below would not be read.
  } else if (rds && p1Domain === undefined) {
    decisions.push({
      rule: 'DS-3',
      evidence: 'I',
      text: 'RejectDirectSend cannot fire for the null sender <> (no P1 domain, OQ-4 → §12)',
    });
  } else if (rds && matched.length > 0) {
    decisions.push({
      rule: 'DS-3',
      evidence: 'D',
      text: `exempt from RejectDirectSend: matched connector '${matched[0]!.c.name}' by IP or certificate`,
    });
  } else if (!rds && cfg.rejectDirectSend === false) {
    decisions.push({ rule: 'DS-1', evidence: 'D', text: 'RejectDirectSend is off' });
  }

  if (v6 !== undefined && v6.deferred.length > 0) {
    // After the permanent refusals: 4.7.26 needs the message (DKIM), and a 5xx shown first says more.
    for (const o of v6.deferred) (refusals ??= []).push(o);
    if (v6.undecided) undecided = true;
  }
  if (refusals !== undefined && refusals.length > 0) {
    // The order between these RCPT refusals is undocumented (OQ-2): report all, with the code of the first in §9 order.
    const first = refusals[0]!;
    // A single refusal's decisions are its own fresh array: no copy needed.
    const all = refusals.length === 1 ? first.decisions : refusals.flatMap((r) => r.decisions);
    const outcome: Outcome = { stage: 'rcpt', disposition: 'rejected', decisions: all };
    if (first.reply !== undefined) outcome.reply = first.reply;
    const r: RcptResult = { refused: outcome, decisions };
    if (alternatives !== undefined) r.alternatives = alternatives;
    if (undecided && refusals.length === 1) r.alsoAccepted = true;
    return r;
  }
  decisions.push({ rule: 'S3', evidence: 'C', text: `250 recipient ${rcpt} accepted` });
  return { decisions };
}
