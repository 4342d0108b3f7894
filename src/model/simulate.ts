/**
 * The EOP simulator (DESIGN §5, eop-model §9): RCPT-stage decisions, then the post-acceptance pass
 * (Enhanced Filtering, transport rules, spoof/DMARC). Pure; every outcome carries the rules that decided it.
 *
 * Speed (DESIGN §8): everything that depends on the configuration alone is in its plan (plan.ts), built once. Per
 * evaluation the client address is parsed once, connectors are found through an IP index, and transport rules that
 * certainly do not match are skipped through the rule index (rules.ts) without being evaluated. `simulateReference`
 * runs the same model without these shortcuts (every connector and rule tested, no verdict cache); the differential
 * tests hold the two to identical results.
 */
import type { SimConfig, Tri } from './config.js';
import { certificateMatches, domainOf, domainOrSubdomain } from '../common/domains.js';
import { parseAddress, type Address } from '../common/ip.js';
import {
  firstOnPremises,
  patternsCover,
  planIsPartner as isPartner,
  planRcptInScope as rcptInScope,
  planRestricts as restricts,
  planSenderInScope as senderInScope,
} from './connectors.js';
import { planOf, REPLY_RULE_REJECT_DEFAULT, type ConnectorPlan, type SimPlan } from './precompiled.js';
import {
  ruleFacts,
  ruleMatches,
  ruleMatchesIndexed,
  type RuleFacts,
  type RuleMatch,
  type RuleMessage,
} from './rules.js';
import {
  instantiate,
  keepVerdict,
  knownVerdict,
  lookup,
  seenBefore,
  placeholder,
  probeOf,
  store,
  templateOf,
  type Probe,
  SEEN,
  type Template,
  type SlotRange,
} from './replay.js';
import { spoofStage } from './spoof.js';
import { decisionsOf, extend, trailOf, type Trail } from './trail.js';
import type { Attempt, AuthVerdict, Decision, Disposition, Outcome, SimResult } from './types.js';

export const REPLY_5_7_51 =
  "550 5.7.51 TenantInboundAttribution; There is a partner connector configured that matched the message's recipient domain. The connector had either the RestrictDomainsToIPAddresses or RestrictDomainsToCertificate set";
export const REPLY_5_7_68 =
  '550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources';
export const REPLY_5_7_64 = '550 5.7.64 TenantAttribution; Relay Access Denied';
export { REPLY_RULE_REJECT_DEFAULT };

/** How many undecided branches one evaluation may explore before it gives up on precision. */
const MAX_BRANCHES = 64;

const HARM: Record<Disposition, number> = {
  rejected: 0,
  ndr: 1,
  dropped: 2,
  quarantine: 3,
  junk: 4,
  inbox: 5,
};

export function harm(outcomes: readonly Outcome[]): number {
  let h = -1;
  for (const o of outcomes) if (HARM[o.disposition] > h) h = HARM[o.disposition];
  return h;
}

const NO_ASSIGNMENT: ReadonlyMap<string, boolean> = new Map();

/**
 * Resolves unknown booleans in one "world": each unknown setting (keyed by what it is) takes the value the
 * world assigns it, `fallback` when the world has not been told about it yet (its key is then recorded).
 */
class World {
  /** Created on the first unknown: most configurations have none. */
  unknowns: Set<string> | undefined;
  constructor(
    readonly assign: ReadonlyMap<string, boolean>,
    readonly fallback: boolean,
  ) {}
  b(v: Tri, what: string): boolean {
    if (v === undefined) {
      (this.unknowns ??= new Set()).add(what);
      return this.assign.get(what) ?? this.fallback;
    }
    return v;
  }
}

/** One evaluation: the attempt with what is derived from it once. */
interface Call {
  cfg: SimConfig;
  plan: SimPlan;
  a: Attempt;
  /** The parsed client address. */
  addr: Address | undefined;
  p1Domain: string | undefined;
  p2Domain: string | undefined;
  /** `domainOf` of each recipient. */
  rcptDomains: (string | undefined)[];
  /** Reference mode: no index, no verdict cache, every connector and rule tested. */
  reference: boolean;
  uncertainties: string[];
  /**
   * Set while a replay-cache entry is being made: how texts write each address slot (placeholders), and the SPF
   * ranges the evaluation's verdicts hold for.
   */
  template: EntryInMaking | undefined;
}

/** A replay-cache entry in the making: placeholders, the verdicts asked so far (per slot) and their ranges. */
interface EntryInMaking {
  labels: readonly string[];
  verdicts: (AuthVerdict | undefined)[];
  ranges: SlotRange[];
}

/** How texts write the address in `slot` (0 the client, k the k-th Received hop). */
function ipLabel(call: Call, slot: number): string {
  if (call.template) return call.template.labels[slot]!;
  return slot === 0 ? call.a.clientIp : call.a.receivedIps![slot - 1]!;
}

/** `tenant.isAccepted` for a domain from `domainOf` (lower-case already). */
function accepted(call: Call, domain: string | undefined): boolean {
  if (call.reference) return call.cfg.tenant.isAccepted(domain);
  return domain !== undefined && domain !== '' && call.plan.acceptedLower.has(domain);
}

/** `domainOrSubdomain(base, domain)` for a lower-case base and domain. */
function domainOrSubdomainLower(base: string, domain: string): boolean {
  return (
    domain === base || (domain.endsWith(base) && domain.charCodeAt(domain.length - base.length - 1) === 46)
  );
}

/** `'a', 'b'` */
function quotedNames(list: readonly ConnectorPlan[]): string {
  if (list.length === 1) return list[0]!.quoted;
  return list.map((p) => p.quoted).join(', ');
}

function addHits(hits: number[], list: readonly number[] | undefined): void {
  if (list) for (const i of list) if (!hits.includes(i)) hits.push(i);
}

/** CON-1: the enabled connectors that match the connection by IP or certificate, in configuration order. */
function matchedConnectors(call: Call, w: World): ConnectorPlan[] {
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
  const ci = plan.certIndex;
  const hits = byIp.slice();
  addHits(hits, ci.all);
  for (const name of a.certNames) {
    const n = name.toLowerCase();
    addHits(hits, ci.exact.get(n));
    addHits(hits, ci.wildcard.get(n));
    for (let at = n.indexOf('.'); at >= 0; at = n.indexOf('.', at + 1))
      addHits(hits, ci.wildcard.get(n.slice(at + 1)));
  }
  if (hits.length > byIp.length) hits.sort((x, y) => x - y);
  const out: ConnectorPlan[] = [];
  for (const i of hits) {
    const p = plan.connectors[i]!;
    if (w.b(p.c.enabled, p.kEnabled)) out.push(p);
  }
  return out;
}

interface RcptResult {
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

/** CON-5: the enabled Partner connectors with a restriction on, in configuration order. */
function restrictingConnectors(call: Call, w: World): ConnectorPlan[] {
  if (call.reference) return call.plan.connectors.filter((p) => restricts(p, w));
  const out: ConnectorPlan[] = [];
  for (const m of call.plan.maybeRestricting) if (m.fixed || restricts(m.p, w)) out.push(m.p);
  return out;
}

function directSendRefusal(evidence: Decision['evidence'], text: string): Outcome {
  return {
    stage: 'rcpt',
    disposition: 'rejected',
    reply: REPLY_5_7_68,
    decisions: [{ rule: 'DS-2', evidence, text }],
  };
}

function rcptStage(call: Call, w: World, matched: ConnectorPlan[], r: number): RcptResult {
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
        (refusals ??= []).push({
          stage: 'rcpt',
          disposition: 'rejected',
          reply: REPLY_5_7_51,
          decisions: [{ rule: 'CON-5', evidence: p1Domain === undefined ? 'I' : 'D', text: why }],
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
      if (type === 'Authoritative') ds.push(directSendRefusal('D', `${base} is accepted ${tail}`));
      else if (type === 'InternalRelay')
        ds.push(
          directSendRefusal(
            'I',
            `${base} is an InternalRelay accepted domain, taken as covered (§12 OQ-4) ${tail}`,
          ),
        );
      else {
        // OQ-4: ExternalRelay domains are not settled, and an unexported DomainType could be one.
        ds.push(
          directSendRefusal(
            'I',
            `${base} is an accepted domain of type ${type ?? '(not exported)'}: RejectDirectSend may or may not cover it (OQ-4) ${tail}`,
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

interface EfResult {
  originalIp: string;
  /** Where `originalIp` is among the hops: 0 the client, k the k-th Received hop. */
  originalSlot: number;
  applied: boolean;
  note?: Decision;
}

/** Enhanced Filtering: the original IP and whether EF applies to this message (EF-2, EF-3 [D]). */
function enhancedFiltering(call: Call, p: ConnectorPlan | undefined, w: World): EfResult {
  const a = call.a;
  if (!p) return { originalIp: a.clientIp, originalSlot: 0, applied: false };
  const c = p.c;
  const skipLast = w.b(c.efSkipLastIp, p.kEfSkipLastIp);
  const configured = skipLast || c.efSkipIps.size > 0;
  if (!configured) return { originalIp: a.clientIp, originalSlot: 0, applied: false };
  const hops = [a.clientIp, ...(a.receivedIps ?? [])];
  let slot: number;
  if (skipLast) slot = hops.length > 1 ? 1 : 0;
  else {
    slot = hops.findIndex((h) => !c.efSkipIps.has(h));
    if (slot < 0) slot = hops.length - 1;
  }
  const originalIp = hops[slot]!;
  const testMode = w.b(c.efTestMode, p.kEfTestMode);
  const users = c.efUsers.length === 0 || a.rcpts.every((r) => c.efUsers.includes(r.toLowerCase()));
  const applied = !testMode && users;
  // EFTestMode is "reserved for internal Microsoft use" [D]; reading it as "EF not effective" is ORCA's [C].
  const note: Decision = testMode
    ? {
        rule: 'EF-3',
        evidence: 'C',
        text: `Enhanced Filtering on '${c.name}' is in test mode: taken as not applied (ORCA, S45)`,
      }
    : {
        rule: 'EF-3',
        evidence: 'D',
        text: `Enhanced Filtering on '${c.name}' ${applied ? `applies: original IP ${ipLabel(call, slot)}` : 'is limited to EFUsers that do not include every recipient'}`,
      };
  // Authentication uses the recovered IP only when EF actually applies (EF-1, EF-4).
  return applied
    ? { originalIp, originalSlot: slot, applied, note }
    : { originalIp: a.clientIp, originalSlot: 0, applied, note };
}

interface PostContext {
  call: Call;
  msg: RuleMessage;
  /** Rule positions that may match this message, ascending (all rules in reference mode). */
  candidates: readonly number[];
  /** The indexed predicates of this message (undefined in reference mode). */
  facts: RuleFacts | undefined;
  /** ruleMatches per candidate position, computed on first use (the message is the same in every branch). */
  matches: (RuleMatch | undefined)[];
  efApplied: boolean;
  originalIp: string;
  originalSlot: number;
  budget: { branches: number };
}

/** A post-acceptance outcome whose decisions are the trail's, then `more`. */
function postOutcome(disposition: Disposition, trail: Trail, more?: Decision, reply?: string): Outcome {
  const decisions = decisionsOf(trail, more);
  return reply === undefined
    ? { stage: 'post-acceptance', disposition, decisions }
    : { stage: 'post-acceptance', disposition, reply, decisions };
}

/**
 * The branch where the rule at candidate position `k` applies: its actions (eop-model §4.3), then the rules after
 * it or the spoof stage. `prior` already holds the model choices the match rests on.
 */
function applyRule(ctx: PostContext, k: number, scl: number | undefined, prior: Trail): Outcome[] {
  const rp = ctx.call.plan.rules[ctx.candidates[k]!]!;
  const effect = rp.effect;
  const [first, second] = rp.effectDecisions;
  switch (effect.kind) {
    case 'reject':
      return [postOutcome('ndr', prior, first, effect.reply)];
    case 'delete':
      return [postOutcome('dropped', prior, first)];
    case 'quarantine':
      return [postOutcome('quarantine', prior, first)];
    case 'reroute':
      ctx.call.uncertainties.push(effect.uncertainty);
      return [postOutcome('dropped', prior, first), postOutcome('inbox', prior, second)];
    case 'continue': {
      const setScl = rp.c.raw.SetSCL;
      const nextScl = setScl !== undefined ? setScl : scl;
      const next = extend(prior, first!);
      if (effect.unmodelled.length > 0) {
        // An action whose effect on delivery is not modelled (moderation, notify-and-reject…) may hold the message.
        ctx.call.uncertainties.push(effect.unmodelledUncertainty);
        const held = postOutcome('quarantine', prior, second);
        const rest = effect.stop ? finish(ctx, nextScl, next) : runRules(ctx, k + 1, nextScl, next);
        return [held, ...rest];
      }
      return effect.stop ? finish(ctx, nextScl, next) : runRules(ctx, k + 1, nextScl, next);
    }
  }
}

/** The match of the rule at candidate position `k`, computed once per message. */
function ruleMatchOf(ctx: PostContext, k: number): RuleMatch {
  let m = ctx.matches[k];
  if (m === undefined) {
    const i = ctx.candidates[k]!;
    const plan = ctx.call.plan;
    m = ctx.facts
      ? ruleMatchesIndexed(plan.ruleIndex, ctx.facts, i, plan.rules[i]!.c, ctx.msg)
      : ruleMatches(plan.rules[i]!.c, ctx.msg);
    ctx.matches[k] = m;
  }
  return m;
}

/** The branch where the rule at candidate position `k` applies. */
function matchBranch(
  ctx: PostContext,
  k: number,
  scl: number | undefined,
  trail: Trail,
  match: RuleMatch,
): Outcome[] {
  let t = trail;
  if (match.basis) for (const d of match.basis) t = extend(t, d);
  return applyRule(ctx, k, scl, t);
}

/**
 * The rules from candidate position `k` on (TR-2: in priority order), then the spoof stage. `scl` is the SCL a rule
 * set so far; `trail` the evidence so far (persistent: branches share it).
 */
function runRules(ctx: PostContext, k: number, scl: number | undefined, trail: Trail): Outcome[] {
  const cands = ctx.candidates;
  const rules = ctx.call.plan.rules;
  // Rules that are off or certainly do not match are passed over, as a false match would be.
  let m: RuleMatch | undefined;
  for (; k < cands.length; k++) {
    if (rules[cands[k]!]!.active === false) continue;
    m = ruleMatchOf(ctx, k);
    if (m.truth !== false) break;
  }
  if (k >= cands.length || m === undefined) return finish(ctx, scl, trail);
  const rp = rules[cands[k]!]!;
  const active = rp.active;
  if (active === 'audit') return runRules(ctx, k + 1, scl, extend(trail, rp.audit));
  if (m.truth === true && active === true) return matchBranch(ctx, k, scl, trail, m);

  ctx.budget.branches++;
  if (ctx.budget.branches > MAX_BRANCHES) {
    ctx.call.uncertainties.push('too many undecided transport rules to explore every combination');
    return [...runRules(ctx, k + 1, scl, trail), postOutcome('ndr', trail)];
  }
  const a = matchBranch(ctx, k, scl, trail, m);
  const b = runRules(ctx, k + 1, scl, trail);
  if (m.truth === 'attacker' && active === true) {
    // The sender writes the header the rule looks at: they pick the side that delivers ([I]). The picked
    // outcomes are this evaluation's own: extended in place.
    const pick = harm(a) >= harm(b) ? a : b;
    for (const o of pick) o.decisions.push(rp.tr4);
    return pick;
  }
  const why =
    active === 'unknown'
      ? rp.undecidedStateText
      : `rule '${rp.c.name}': ${m.notes.join('; ') || 'a condition is not decidable'}`;
  ctx.call.uncertainties.push(why);
  return [...a, ...b];
}

/** The oracle's verdict while a replay entry is made: notes with the placeholder, and the range it holds for. */
function templateVerdict(call: Call, ctx: PostContext): AuthVerdict {
  const t = call.template!;
  const a = call.a;
  const slot = ctx.originalSlot;
  // Asked once per slot, as the verdict cache does for plain evaluations: branches share it.
  const known = t.verdicts[slot];
  if (known !== undefined) return known;
  // Another entry's verdict for an address of the same range, in the same slot (its notes write this placeholder).
  const cache = call.plan.replay;
  const addr = parseAddress(ctx.originalIp) as number;
  const kept = knownVerdict(cache, slot, addr, a.mailFrom, a.headerFrom);
  if (kept !== undefined) {
    t.ranges.push({ slot, lo: kept.lo, hi: kept.hi });
    t.verdicts[slot] = kept.verdict;
    return kept.verdict;
  }
  const v = call.cfg.auth.verdict({
    ip: ctx.originalIp,
    ipLabel: t.labels[slot]!,
    mailFrom: a.mailFrom,
    headerFrom: a.headerFrom,
    dkimDomains: [],
  });
  const range = v.ipRange;
  // An oracle that does not say which addresses its verdict holds for is trusted for this very address text only.
  if (range !== undefined) {
    t.ranges.push({ slot, lo: range[0], hi: range[1] });
    keepVerdict(cache, a.mailFrom, a.headerFrom, { slot, lo: range[0], hi: range[1], verdict: v });
  } else t.ranges.push({ slot, lo: 0, hi: 0xffffffff, text: ctx.originalIp });
  t.verdicts[slot] = v;
  return v;
}

function finish(ctx: PostContext, scl: number | undefined, trail: Trail): Outcome[] {
  const { call } = ctx;
  const a = call.a;
  const auth =
    a.auth ??
    (call.reference
      ? call.cfg.auth.verdict({
          ip: ctx.originalIp,
          mailFrom: a.mailFrom,
          headerFrom: a.headerFrom,
          dkimDomains: [],
        })
      : call.template
        ? templateVerdict(call, ctx)
        : call.plan.authVerdict(ctx.originalIp, a.mailFrom, a.headerFrom));
  const res = spoofStage({
    cfg: call.cfg,
    clientIp: a.clientIp,
    clientIpLabel: ipLabel(call, 0),
    mailFrom: a.mailFrom,
    headerFrom: a.headerFrom,
    p2Domain: call.p2Domain,
    auth,
    authAs: ctx.msg.authAs,
    ruleScl: scl,
    efApplied: ctx.efApplied,
    originalIp: ctx.originalIp,
    trail,
  });
  for (const u of res.uncertainties) call.uncertainties.push(u);
  return res.outcomes;
}

/** A sender-written header value, case-insensitively by name. */
function headerOf(a: Attempt, name: string): string | undefined {
  if (!a.headers) return undefined;
  const n = name.toLowerCase();
  for (const k of Object.keys(a.headers)) if (k.toLowerCase() === n) return a.headers[k];
  return undefined;
}

const NO_HEADERS: ReadonlyMap<string, string> = new Map();

function postAcceptance(call: Call, w: World, matched: ConnectorPlan[], decisions: Decision[]): Outcome[] {
  const { cfg, a, plan, uncertainties } = call;
  const onPrem = firstOnPremises(matched, w);
  // Which of several connectors matching by IP or certificate the message is attributed to is undocumented:
  // when their Enhanced Filtering differs, every answer is explored (Partner connectors first, as before).
  let candidates = matched;
  if (matched.length > 1) {
    candidates = matched.filter((p) => isPartner(p, w));
    for (const p of matched) if (!isPartner(p, w)) candidates.push(p);
  }
  const efs: EfResult[] = [];
  for (const p of candidates.length > 0 ? candidates : [undefined]) {
    const ef = enhancedFiltering(call, p, w);
    if (!efs.some((x) => x.applied === ef.applied && x.originalIp === ef.originalIp)) efs.push(ef);
  }
  if (efs.length > 1)
    uncertainties.push(
      `the message may be attributed to any of the connectors ${quotedNames(candidates)} that match it; their Enhanced Filtering differs`,
    );
  const d = [...decisions];
  let authAs: 'Anonymous' | 'Internal' = 'Anonymous';
  const p1 = call.p1Domain;
  // CON-8 [D]: promotion needs the cross-premises headers that Exchange hybrid writes; a sender that reaches the
  // connector and controls the message can write them too [I].
  const crossPremises = /^internal$/i.test(headerOf(a, 'X-MS-Exchange-CrossPremises-AuthAs')?.trim() ?? '');
  if (
    onPrem &&
    (crossPremises || a.adversarial === true) &&
    w.b(onPrem.c.cloudServicesMailEnabled, onPrem.kCloudServices)
  ) {
    authAs = 'Internal';
    d.push(
      crossPremises
        ? {
            rule: 'CON-8',
            evidence: 'D',
            text: `OnPremises connector '${onPrem.c.name}' with CloudServicesMailEnabled and cross-premises headers: promoted to internal`,
          }
        : {
            rule: 'CON-8',
            evidence: 'I',
            text: `OnPremises connector '${onPrem.c.name}' with CloudServicesMailEnabled: the sender can write the cross-premises headers and be promoted to internal`,
          },
    );
  } else if (
    matched.some((p) => !isPartner(p, w) && w.b(p.c.treatAsInternal, p.kTreatAsInternal)) &&
    accepted(call, p1)
  ) {
    authAs = 'Internal';
    d.push({
      rule: 'CON-8',
      evidence: 'D',
      text: 'TreatMessagesAsInternal: an own sender domain is treated as internal',
    });
  }
  if (!cfg.rulesKnown)
    uncertainties.push('Get-TransportRule was not exported: transport rules could not be evaluated');
  let headers = NO_HEADERS;
  // Only header conditions read them (TR-4).
  if (a.headers && (call.reference || plan.ruleIndex.usesHeaders)) {
    const h = new Map<string, string>();
    for (const k of Object.keys(a.headers)) h.set(k.toLowerCase(), a.headers[k]!);
    headers = h;
  }
  const msg: RuleMessage = {
    clientIp: a.clientIp,
    mailFrom: a.mailFrom,
    headerFrom: a.headerFrom,
    rcpts: a.rcpts,
    authAs,
    headers,
    adversarial: a.adversarial === true,
    isAccepted: plan.isAccepted,
    acceptedDomainType: plan.acceptedDomainType,
  };
  if (!call.reference) {
    msg.isAcceptedLower = plan.isAcceptedLower;
    msg.domains = { header: call.p2Domain, envelope: call.p1Domain, rcpts: call.rcptDomains };
  }
  const base = trailOf(d);
  const ruleCount = plan.rules.length;
  let facts: RuleFacts | undefined;
  let ruleSet: readonly number[];
  if (ruleCount === 0) ruleSet = [];
  else if (call.reference) ruleSet = Array.from({ length: ruleCount }, (_, i) => i);
  else {
    facts = ruleFacts(plan.ruleIndex, msg, call.addr, plan.depth > 1);
    ruleSet = facts.candidates;
  }
  // Every attribution sees the same message, so rule matches are shared between them.
  const matches = new Array<RuleMatch | undefined>(ruleSet.length).fill(undefined);
  let outcomes: Outcome[] = [];
  for (const ef of efs) {
    const ctx: PostContext = {
      call,
      msg,
      candidates: ruleSet,
      facts,
      matches,
      efApplied: ef.applied,
      originalIp: ef.originalIp,
      originalSlot: ef.originalSlot,
      budget: { branches: 0 },
    };
    const out = runRules(ctx, 0, undefined, ef.note ? extend(base, ef.note) : base);
    outcomes = efs.length === 1 ? out : outcomes.concat(out);
  }
  if (!cfg.rulesKnown) {
    // Unknown rules could reject, quarantine or bypass: the outcome is open-ended.
    return [
      ...outcomes,
      {
        stage: 'post-acceptance',
        disposition: 'ndr',
        decisions: [
          ...d,
          { rule: 'TR-1', evidence: 'I', text: 'an unexported transport rule might reject it' },
        ],
      },
    ];
  }
  return outcomes;
}

function simulateInWorld(call: Call, w: World): Outcome[] {
  const { cfg, a, uncertainties } = call;
  if (!cfg.connectorsKnown)
    uncertainties.push('Get-InboundConnector was not exported: connector decisions are unknown');
  const outcomes: Outcome[] = [];
  let first: { decisions: Decision[] } | undefined;
  if (a.rcpts.length > 0) {
    // The same connectors match the connection for every recipient.
    const matched = matchedConnectors(call, w);
    for (let i = 0; i < a.rcpts.length; i++) {
      const r = rcptStage(call, w, matched, i);
      if (r.refused) outcomes.push(r.refused);
      if (r.alternatives) for (const x of r.alternatives) outcomes.push(x);
      if (!r.refused || r.alsoAccepted) first ??= r;
    }
    if (first) for (const o of postAcceptance(call, w, matched, first.decisions)) outcomes.push(o);
  }
  if (!cfg.connectorsKnown) {
    // Without the connectors, a lock-down may or may not exist.
    outcomes.push({
      stage: 'rcpt',
      disposition: 'rejected',
      reply: REPLY_5_7_51,
      decisions: [
        { rule: 'CON-5', evidence: 'I', text: 'an unexported restricting connector might refuse it' },
      ],
    });
  }
  if (cfg.tenant.acceptedDomains === undefined) {
    // Every recipient looks like a relay attempt without the accepted domains; it may well be a mailbox.
    uncertainties.push('Get-AcceptedDomain was not exported: which recipients are the tenant’s is unknown');
    outcomes.push({
      stage: 'post-acceptance',
      disposition: 'inbox',
      decisions: [
        {
          rule: 'ATT-1',
          evidence: 'I',
          text: 'the recipient domain may be an accepted domain (not exported) and the message delivered',
        },
      ],
    });
  }
  return outcomes;
}

/** Up to 2^10 worlds are enumerated exhaustively; beyond that the answer is marked imprecise. */
const MAX_UNKNOWN_SETTINGS = 10;

function run(cfg: SimConfig, attempt: Attempt, reference: boolean): SimResult {
  const plan = planOf(cfg);
  // Evaluations of one configuration nest only if an oracle simulates: the inner one then keeps its own buffers.
  plan.depth++;
  try {
    return evaluate(cfg, plan, attempt, reference);
  } finally {
    plan.depth--;
  }
}

function evaluate(
  cfg: SimConfig,
  plan: SimPlan,
  attempt: Attempt,
  reference: boolean,
  template?: Call['template'],
): SimResult {
  const uncertainties: string[] = [];
  const call: Call = {
    cfg,
    plan,
    a: attempt,
    addr: reference ? undefined : parseAddress(attempt.clientIp),
    p1Domain: domainOf(attempt.mailFrom),
    p2Domain: domainOf(attempt.headerFrom),
    rcptDomains: attempt.rcpts.map(domainOf),
    reference,
    uncertainties,
    template,
  };
  const probe = new World(NO_ASSIGNMENT, true);
  let outcomes = simulateInWorld(call, probe);
  if (probe.unknowns !== undefined) {
    const discovered = new Set(probe.unknowns);
    let explored = 0;
    while (discovered.size > explored && discovered.size <= MAX_UNKNOWN_SETTINGS) {
      const keys = [...discovered].sort();
      explored = keys.length;
      outcomes = [];
      for (let mask = 0; mask < 2 ** keys.length; mask++) {
        const assign = new Map(keys.map((k, i) => [k, ((mask >> i) & 1) === 0]));
        const w = new World(assign, true);
        outcomes.push(...simulateInWorld(call, w));
        // A value can reveal further unknowns (e.g. a connector's flags once it is taken as enabled).
        for (const u of w.unknowns ?? []) discovered.add(u);
      }
    }
    if (discovered.size > MAX_UNKNOWN_SETTINGS) {
      outcomes.push(...simulateInWorld(call, new World(NO_ASSIGNMENT, false)));
      const why = `${discovered.size} settings missing from the export: too many combinations to explore`;
      uncertainties.push(why);
      // Unexplored combinations may end either way: never report a clean result.
      const d: Decision[] = [{ rule: 'MODEL', evidence: 'I', text: why }];
      outcomes.push(
        { stage: 'rcpt', disposition: 'rejected', reply: 'unknown', decisions: d },
        { stage: 'post-acceptance', disposition: 'inbox', decisions: d },
      );
    }
    uncertainties.push(`not in the export: ${[...discovered].sort().join(', ')}`);
  }
  return {
    outcomes: reference ? dedupeByKey(outcomes) : dedupeOutcomes(outcomes),
    uncertainties: uncertainties.length < 2 ? uncertainties : [...new Set(uncertainties)],
  };
}

/**
 * Simulates one attempt. Settings the export lacks are unknowns: every combination of their values is explored
 * (two extremes alone miss mixed cases), and every outcome the model allows is returned. The result's lists are
 * its own; its decisions may be shared with other results and are frozen (replay.ts): read them, do not change them.
 */
export function simulate(cfg: SimConfig, attempt: Attempt): SimResult {
  const plan = planOf(cfg);
  // The replay cache (replay.ts) takes IPv4 attempts, outside nested runs.
  if (plan.depth === 0) {
    const probe = probeOf(plan.ipClasses, attempt);
    if (probe !== undefined) return replayed(cfg, plan, attempt, probe);
  }
  return run(cfg, attempt, false);
}

/** `simulate` through the replay cache: an entry of the attempt's class, or a new one made from this attempt. */
function replayed(cfg: SimConfig, plan: SimPlan, a: Attempt, probe: Probe): SimResult {
  const cache = plan.replay;
  let t = lookup(cache, probe);
  if (t === undefined && !seenBefore(cache, probe)) {
    cache.plain++;
    return run(cfg, a, false);
  }
  if (t !== undefined && t !== SEEN) cache.hits++;
  else {
    // newEntry reads the attempt into the probe again after evaluating it.
    t = newEntry(cfg, plan, a);
    if (t === undefined) return run(cfg, a, false);
  }
  const r = instantiate(t, probe);
  if (t.slotted) {
    // Texts that differed by an address slot may now be equal: de-duplicated as the plain evaluation does.
    r.outcomes = dedupeOutcomes(r.outcomes);
    if (r.uncertainties.length > 1) r.uncertainties = [...new Set(r.uncertainties)];
  }
  return r;
}

/** A replay-cache entry made from this attempt: evaluated with placeholders for its addresses, then stored. */
function newEntry(cfg: SimConfig, plan: SimPlan, a: Attempt): Template | undefined {
  const cache = plan.replay;
  cache.misses++;
  const slots = 1 + (a.receivedIps?.length ?? 0);
  const template: EntryInMaking = {
    labels: Array.from({ length: slots }, (_, i) => placeholder(cache, i)),
    verdicts: [],
    ranges: [],
  };
  plan.depth++;
  let r: SimResult;
  try {
    r = evaluate(cfg, plan, a, false, template);
  } finally {
    plan.depth--;
  }
  const t = templateOf(cache, r);
  // The oracle may have simulated another configuration meanwhile, reusing the one probe: read the attempt again
  // (replayed goes on with it).
  if (t !== undefined) store(cache, probeOf(plan.ipClasses, a)!, template.ranges, t);
  return t;
}

/**
 * The same model without the shortcuts of DESIGN §8 (no IP or rule index, no verdict cache, every connector and rule
 * tested in order): the oracle of the differential tests. Not for production use: it is slower by orders of magnitude.
 */
export function simulateReference(cfg: SimConfig, attempt: Attempt): SimResult {
  return run(cfg, attempt, true);
}

/** An outcome's identity for de-duplication: stage, disposition, reply and the rules and texts that decided it. */
function outcomeKey(o: Outcome): string {
  return `${o.stage}|${o.disposition}|${o.reply ?? ''}|${o.decisions.map((d) => d.rule + d.text).join('|')}`;
}

function dedupeByKey(outcomes: Outcome[]): Outcome[] {
  const seen = new Set<string>();
  return outcomes.filter((o) => {
    const k = outcomeKey(o);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The length of `outcomeKey(o)`, without building it. */
function outcomeKeyLength(o: Outcome): number {
  let n =
    o.stage.length + o.disposition.length + (o.reply?.length ?? 0) + 3 + Math.max(0, o.decisions.length - 1);
  for (const d of o.decisions) n += d.rule.length + d.text.length;
  return n;
}

/** Same stage, disposition, reply and decisions (rule and text): then certainly the same `outcomeKey`. */
function sameOutcome(p: Outcome, o: Outcome): boolean {
  if ((p.reply ?? '') !== (o.reply ?? '') || p.decisions.length !== o.decisions.length) return false;
  for (let i = 0; i < p.decisions.length; i++) {
    const x = p.decisions[i]!;
    const y = o.decisions[i]!;
    if (x.rule !== y.rule || x.text !== y.text) return false;
  }
  return true;
}

/**
 * The outcomes with each repeated one (same stage, disposition, reply, rules and texts) left out, the first kept:
 * `dedupeByKey` without building keys where the answer is certain: a key starts with the stage and the
 * disposition, neither of which contains `|`, so two outcomes can only share a key when they share both; keys of
 * different lengths differ; identical outcomes have identical keys. Only what is left is compared by key.
 */
export function dedupeOutcomes(outcomes: Outcome[]): Outcome[] {
  const n = outcomes.length;
  if (n < 2) return outcomes;
  if (n > 8) return dedupeByKey(outcomes);
  const kept: Outcome[] = [];
  next: for (const o of outcomes) {
    for (const p of kept) {
      if (p.stage !== o.stage || p.disposition !== o.disposition) continue;
      if (outcomeKeyLength(p) !== outcomeKeyLength(o)) continue;
      if (sameOutcome(p, o) || outcomeKey(p) === outcomeKey(o)) continue next;
    }
    kept.push(o);
  }
  return kept.length === n ? outcomes : kept;
}
