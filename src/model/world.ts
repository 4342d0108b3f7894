/**
 * What every stage of one evaluation shares (eop-model §9): the attempt and what is derived from it once (`Call`),
 * and the branching over settings the export lacks: each unknown takes one value per `World`, and `acrossWorlds`
 * explores every combination. The stages are rcpt.ts (RCPT), post-acceptance.ts (Enhanced Filtering, transport rules,
 * then spoof.ts); simulate.ts runs them.
 */
import type { Address } from '../common/ip.js';
import type { SimConfig, Tri } from './config.js';
import type { ConnectorPlan, SimPlan } from './precompiled.js';
import type { SlotRange } from './replay.js';
import type { Attempt, AuthVerdict, Decision, Outcome } from './types.js';

/** How many undecided branches one evaluation may explore before it gives up on precision. */
export const MAX_BRANCHES = 64;

/** Up to 2^10 worlds are enumerated exhaustively; beyond that the answer is marked imprecise. */
const MAX_UNKNOWN_SETTINGS = 10;

const NO_ASSIGNMENT: ReadonlyMap<string, boolean> = new Map();

/**
 * Resolves unknown booleans in one "world": each unknown setting (keyed by what it is) takes the value the
 * world assigns it, `fallback` when the world has not been told about it yet (its key is then recorded).
 */
export class World {
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
export interface Call {
  cfg: SimConfig;
  plan: SimPlan;
  a: Attempt;
  /** The parsed client address. */
  addr: Address | undefined;
  /** The client connects over IPv6 (an IPv4-mapped address is IPv4): the IPv6 rules apply (model/ipv6.ts). */
  ipv6: boolean;
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
export interface EntryInMaking {
  labels: readonly string[];
  verdicts: (AuthVerdict | undefined)[];
  ranges: SlotRange[];
}

/** How texts write the address in `slot` (0 the client, k the k-th Received hop). */
export function ipLabel(call: Call, slot: number): string {
  if (call.template) return call.template.labels[slot]!;
  return slot === 0 ? call.a.clientIp : call.a.receivedIps![slot - 1]!;
}

/** `tenant.isAccepted` for a domain from `domainOf` (lower-case already). */
export function accepted(call: Call, domain: string | undefined): boolean {
  if (call.reference) return call.cfg.tenant.isAccepted(domain);
  return domain !== undefined && domain !== '' && call.plan.acceptedLower.has(domain);
}

/** `domainOrSubdomain(base, domain)` for a lower-case base and domain. */
export function domainOrSubdomainLower(base: string, domain: string): boolean {
  return (
    domain === base || (domain.endsWith(base) && domain.charCodeAt(domain.length - base.length - 1) === 46)
  );
}

/** `'a', 'b'` */
export function quotedNames(list: readonly ConnectorPlan[]): string {
  if (list.length === 1) return list[0]!.quoted;
  return list.map((p) => p.quoted).join(', ');
}

/**
 * Every outcome over the worlds the export leaves open. A first world answers every unknown `true` and records which
 * it met; if there were any, every combination of their values is explored (two extremes alone miss mixed cases).
 */
export function acrossWorlds(inWorld: (w: World) => Outcome[], uncertainties: string[]): Outcome[] {
  const probe = new World(NO_ASSIGNMENT, true);
  let outcomes = inWorld(probe);
  if (probe.unknowns === undefined) return outcomes;
  const discovered = new Set(probe.unknowns);
  let explored = 0;
  while (discovered.size > explored && discovered.size <= MAX_UNKNOWN_SETTINGS) {
    const keys = [...discovered].sort();
    explored = keys.length;
    outcomes = [];
    for (let mask = 0; mask < 2 ** keys.length; mask++) {
      const assign = new Map(keys.map((k, i) => [k, ((mask >> i) & 1) === 0]));
      const w = new World(assign, true);
      outcomes.push(...inWorld(w));
      // A value can reveal further unknowns (e.g. a connector's flags once it is taken as enabled).
      for (const u of w.unknowns ?? []) discovered.add(u);
    }
  }
  if (discovered.size > MAX_UNKNOWN_SETTINGS) {
    outcomes.push(...inWorld(new World(NO_ASSIGNMENT, false)));
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
  return outcomes;
}
