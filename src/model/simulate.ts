/**
 * The EOP simulator (DESIGN §5, eop-model §9): RCPT-stage decisions (rcpt.ts), then the post-acceptance pass
 * (post-acceptance.ts: Enhanced Filtering, transport rules, spoof/DMARC), in every world the export leaves open
 * (world.ts). Pure; every outcome carries the rules that decided it. This file runs the stages, de-duplicates the
 * outcomes (outcomes.ts) and answers from the replay cache (replay.ts) when it can.
 *
 * Speed (DESIGN §8): everything that depends on the configuration alone is in its plan (precompiled.ts), built once.
 * Per evaluation the client address is parsed once, connectors are found through an IP index, and transport rules that
 * certainly do not match are skipped through the rule index (rules.ts) without being evaluated. `simulateReference`
 * runs the same model without these shortcuts (every connector and rule tested, no verdict cache); the differential
 * tests hold the two to identical results.
 */
import { domainOf } from '../common/domains.js';
import { parseAddress } from '../common/ip.js';
import type { SimConfig } from './config.js';
import { dedupeByKey, dedupeOutcomes } from './outcomes.js';
import { postAcceptance } from './post-acceptance.js';
import { planOf, type SimPlan } from './precompiled.js';
import { REPLY_5_7_51, matchedConnectors, rcptStage } from './rcpt.js';
import {
  instantiate,
  lookup,
  seenBefore,
  placeholder,
  probeOf,
  store,
  templateOf,
  type Probe,
  SEEN,
  type Template,
} from './replay.js';
import type { Attempt, Decision, Outcome, SimResult } from './types.js';
import { acrossWorlds, type Call, type EntryInMaking, type World } from './world.js';

/** One world: the RCPT stage per recipient, post-acceptance for the first accepted one, and what missing exports add. */
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
  const addr = parseAddress(attempt.clientIp);
  const call: Call = {
    cfg,
    plan,
    a: attempt,
    addr: reference ? undefined : addr,
    ipv6: typeof addr === 'object',
    p1Domain: domainOf(attempt.mailFrom),
    p2Domain: domainOf(attempt.headerFrom),
    rcptDomains: attempt.rcpts.map(domainOf),
    reference,
    uncertainties,
    template,
  };
  const outcomes = acrossWorlds((w) => simulateInWorld(call, w), uncertainties);
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
  // The replay cache (replay.ts) takes IPv4 attempts, outside nested runs; the others are answered by exact content.
  if (plan.depth === 0) {
    const probe = probeOf(plan.ipClasses, attempt);
    if (probe !== undefined) return replayed(cfg, plan, attempt, probe);
    return exactly(cfg, plan, attempt);
  }
  return run(cfg, attempt, false);
}

/** Results kept per configuration by exact content; past it the map starts again. */
const MAX_EXACT = 4096;

/**
 * Everything the model reads from an attempt, as one string: two attempts with the same key get the same result.
 * A given verdict is keyed by its fields (it may be a shared object whose fields a caller changes).
 */
function exactKey(a: Attempt): string {
  const v = a.auth;
  return JSON.stringify([
    a.clientIp,
    a.tls === true,
    a.certNames,
    a.mailFrom,
    a.headerFrom,
    a.rcpts,
    a.authenticated === true,
    a.headers ?? null,
    a.receivedIps ?? null,
    v == null ? null : [v.spf, v.dkim, v.dmarc, v.dmarcPolicy, v.notes],
    a.adversarial === true,
    a.ptr ?? null,
    a.signedBy ?? null,
  ]);
}

/** A copy whose lists and outcomes are its own; decisions are frozen and shared (as the replay cache shares them). */
function copyOf(r: SimResult): SimResult {
  return {
    outcomes: r.outcomes.map((o) => ({ ...o, decisions: o.decisions.slice() })),
    uncertainties: r.uncertainties.slice(),
  };
}

/**
 * `simulate` of an attempt the replay cache does not take (an IPv6 address, DESIGN §8): from the exact-content cache
 * when the same attempt came before (a device or a server replayed from logs keeps its address), else evaluated and
 * kept. The kept result's decisions are frozen, as every cached decision is.
 */
function exactly(cfg: SimConfig, plan: SimPlan, a: Attempt): SimResult {
  const key = exactKey(a);
  const known = plan.exact.get(key);
  if (known !== undefined) return copyOf(known);
  const r = run(cfg, a, false);
  for (const o of r.outcomes) for (const d of o.decisions) Object.freeze(d);
  if (plan.exact.size >= MAX_EXACT) plan.exact.clear();
  plan.exact.set(key, copyOf(r));
  return r;
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
