/**
 * After acceptance (eop-model §9): Enhanced Filtering recovers the original IP (EF-1–EF-4), an OnPremises
 * connector may promote the message to internal (CON-8), transport rules run in priority order with a branch for each
 * undecided match (TR-1–TR-4), and the spoof stage (spoof.ts) decides the rest.
 */
import { parseAddress } from '../common/ip.js';
import { firstOnPremises, planIsPartner as isPartner } from './connectors.js';
import { harm } from './outcomes.js';
import type { ConnectorPlan } from './precompiled.js';
import { keepVerdict, knownVerdict } from './replay.js';
import {
  ruleFacts,
  ruleMatches,
  ruleMatchesIndexed,
  type RuleFacts,
  type RuleMatch,
  type RuleMessage,
} from './rules.js';
import { spoofStage } from './spoof.js';
import { decisionsOf, extend, trailOf, type Trail } from './trail.js';
import type { Attempt, AuthVerdict, Decision, Disposition, Outcome } from './types.js';
import { accepted, ipLabel, MAX_BRANCHES, quotedNames, type Call, type World } from './world.js';

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
 * Where the rules after a match go on: `stop` when the rule ends rule processing (the spoof stage next), `then` when
 * the rules after it run, with the SCL and the evidence the rule leaves (TR-2).
 */
type Continuation =
  { outcomes: Outcome[] } | { next: { scl: number | undefined; trail: Trail }; held?: Outcome };

/**
 * The rule at candidate position `k` applies: its actions (eop-model §4.3). A final action gives the outcomes; a rule
 * that lets the message go on gives the state the following rules start from, and the outcome of an action that may
 * hold the message. `prior` already holds the model choices the match rests on.
 */
function applyRule(ctx: PostContext, k: number, scl: number | undefined, prior: Trail): Continuation {
  const rp = ctx.call.plan.rules[ctx.candidates[k]!]!;
  const effect = rp.effect;
  const [first, second] = rp.effectDecisions;
  switch (effect.kind) {
    case 'reject':
      return { outcomes: [postOutcome('ndr', prior, first, effect.reply)] };
    case 'delete':
      return { outcomes: [postOutcome('dropped', prior, first)] };
    case 'quarantine':
      return { outcomes: [postOutcome('quarantine', prior, first)] };
    case 'reroute':
      ctx.call.uncertainties.push(effect.uncertainty);
      return { outcomes: [postOutcome('dropped', prior, first), postOutcome('inbox', prior, second)] };
    case 'continue': {
      const setScl = rp.c.raw.SetSCL;
      const nextScl = setScl !== undefined ? setScl : scl;
      const next = extend(prior, first!);
      let held: Outcome | undefined;
      if (effect.unmodelled.length > 0) {
        // An action whose effect on delivery is not modelled (moderation, notify-and-reject…) may hold the message.
        ctx.call.uncertainties.push(effect.unmodelledUncertainty);
        held = postOutcome('quarantine', prior, second);
      }
      if (effect.stop) {
        const rest = finish(ctx, nextScl, next);
        return { outcomes: held ? [held, ...rest] : rest };
      }
      return held ? { next: { scl: nextScl, trail: next }, held } : { next: { scl: nextScl, trail: next } };
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

/** The trail with the model choices a match rests on. */
function withBasis(trail: Trail, match: RuleMatch): Trail {
  let t = trail;
  if (match.basis) for (const d of match.basis) t = extend(t, d);
  return t;
}

/**
 * The branch where the rule at candidate position `k` applies: its actions, then the rules after it (runRules) or
 * the spoof stage.
 */
function matchBranch(
  ctx: PostContext,
  k: number,
  scl: number | undefined,
  trail: Trail,
  match: RuleMatch,
): Outcome[] {
  const c = applyRule(ctx, k, scl, withBasis(trail, match));
  if ('outcomes' in c) return c.outcomes;
  const rest = runRules(ctx, k + 1, c.next.scl, c.next.trail);
  return c.held ? [c.held, ...rest] : rest;
}

/**
 * The rules from candidate position `k` on (TR-2: in priority order), then the spoof stage. `scl` is the SCL a rule
 * set so far; `trail` the evidence so far (persistent: branches share it).
 *
 * A loop, not a recursion per rule: a tenant may hold tens of thousands of rules (issue 10 item 6). Only an
 * undecided match splits the evaluation in two, and MAX_BRANCHES bounds how often that happens, so the depth of the
 * recursion is bounded whatever the number of rules. Outcomes keep the order of the rule chain: those a rule leaves
 * before the rules after it (`before`: a held message) first, then the rest of the chain, then the open end of an
 * exploration cut short (`cut`).
 *
 * Once the budget is spent, each further undecided rule is passed over and stands for an outcome the model did not
 * explore, as an NDR. One such outcome per chain says it: the innermost, the one nearest the chain's end (a chain
 * used to list one per undecided rule, each with the evidence so far, so that a tenant with thousands of undecided
 * rules had thousands of outcomes of thousands of decisions each; they differed in their decisions only).
 */
function runRules(ctx: PostContext, k: number, scl: number | undefined, trail: Trail): Outcome[] {
  const cands = ctx.candidates;
  const rules = ctx.call.plan.rules;
  const before: Outcome[] = [];
  let cut: Trail | undefined;
  const done = (rest: Outcome[]): Outcome[] => {
    if (before.length === 0 && cut === undefined) return rest;
    const out = before.concat(rest);
    if (cut !== undefined) out.push(postOutcome('ndr', cut));
    return out;
  };
  for (;;) {
    // Rules that are off or certainly do not match are passed over, as a false match would be.
    let m: RuleMatch | undefined;
    for (; k < cands.length; k++) {
      if (rules[cands[k]!]!.active === false) continue;
      m = ruleMatchOf(ctx, k);
      if (m.truth !== false) break;
    }
    if (k >= cands.length || m === undefined) return done(finish(ctx, scl, trail));
    const rp = rules[cands[k]!]!;
    const active = rp.active;
    if (active === 'audit') {
      trail = extend(trail, rp.audit);
      k++;
      continue;
    }
    if (m.truth === true && active === true) {
      const c = applyRule(ctx, k, scl, withBasis(trail, m));
      if ('outcomes' in c) return done(c.outcomes);
      if (c.held) before.push(c.held);
      ({ scl, trail } = c.next);
      k++;
      continue;
    }

    ctx.budget.branches++;
    if (ctx.budget.branches > MAX_BRANCHES) {
      ctx.call.uncertainties.push('too many undecided transport rules to explore every combination');
      cut = trail;
      k++;
      continue;
    }
    const a = matchBranch(ctx, k, scl, trail, m);
    const b = runRules(ctx, k + 1, scl, trail);
    if (m.truth === 'attacker' && active === true) {
      // The sender writes the header the rule looks at: they pick the side that delivers ([I]). The picked
      // outcomes are this evaluation's own: extended in place.
      const pick = harm(a) >= harm(b) ? a : b;
      for (const o of pick) o.decisions.push(rp.tr4);
      return done(pick);
    }
    const why =
      active === 'unknown'
        ? rp.undecidedStateText
        : `rule '${rp.c.name}': ${m.notes.join('; ') || 'a condition is not decidable'}`;
    ctx.call.uncertainties.push(why);
    return done([...a, ...b]);
  }
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

export function postAcceptance(
  call: Call,
  w: World,
  matched: ConnectorPlan[],
  decisions: Decision[],
): Outcome[] {
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
