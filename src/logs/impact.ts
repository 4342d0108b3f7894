/**
 * Impact replay (issue 12 item 2): each delivered inbound flow of the logs is sent through the simulator against the
 * tenant as exported and after each runnable stage of the plan of the same export and profile (`mxlock plan`), so the
 * flows hardening would refuse are named, with the stage that refuses them, before anything is enforced. Flows are
 * replayed once per (address, sender domain, recipient domain): a million rows are a few thousand attempts.
 */
import type { ResolvedGateway } from '../common/gateway.js';
import type { DnsZone } from '../common/zone.js';
import { compareIds } from '../common/order.js';
import { attemptSimulator, authOracleFor } from '../assess.js';
import { certHost, type PathResult, type StandardPath } from '../model/paths.js';
import { buildPlan } from '../plan/index.js';
import { applyAll } from '../plan/model.js';
import type { Profile } from '../profile/schema.js';
import type { Report } from '../report/model.js';
import type { Snapshot } from '../snapshot/types.js';
import { authObserver, type ObservedAuth } from './auth.js';
import type { Flow, SourceClass } from './classify.js';

export interface ImpactEntry {
  sender: string;
  ip: string;
  recipientDomain: string;
  source: SourceClass;
  /** Rows of this flow in the logs. */
  count: number;
  /** `refused at stage N` / `uncertain after stage N` / `refused by the configuration as exported`. */
  wouldBe: string;
  stage: number | null;
  reply: string | null;
  rules: string[];
  /** Why the simulator cannot tell (an `uncertain` flow), null otherwise. */
  reason: string | null;
  /**
   * EmailEvents: the authentication EOP recorded and whether the replay used it (logs/auth.ts); null for the other
   * layouts, whose authentication the simulator computes from the recorded DNS.
   */
  authentication: string | null;
}

/** Flows the simulator cannot settle after a stage, grouped by its reason (often: the sender's authentication). */
export interface UncertainImpact {
  reason: string;
  stage: number;
  flows: number;
  rows: number;
  /** The largest few, as ImpactEntry. */
  examples: ImpactEntry[];
}

const UNCERTAIN_EXAMPLES = 5;
/** Flows simulated per call in the replay: the results of one batch are held at a time. */
const REPLAY_BATCH = 250;

export interface ImpactResult {
  /** Flows refused after a stage (or by the configuration as exported although the log says delivered). */
  impact: ImpactEntry[];
  uncertain: UncertainImpact[];
  /** Flows replayed (distinct address, sender domain, recipient domain). */
  flows: number;
  /** Stages the flows were replayed after. */
  stages: number[];
  notes: string[];
}

export interface ImpactInput {
  snapshot: Snapshot;
  profile: Profile;
  gateway: ResolvedGateway;
  report: Report;
  zone: DnsZone | undefined;
  now: Date;
}

/**
 * The attempt a logged flow stands for: the gateway's rows over TLS with its certificate (as path.gateway-delivery);
 * EmailEvents rows with their header From and, where it holds after hardening, the authentication EOP recorded.
 */
function pathOf(f: Flow, i: number, gateway: ResolvedGateway, auth: ObservedAuth): StandardPath {
  const viaGateway = f.source === 'gateway';
  const cert = viaGateway && gateway.certificate ? [certHost(gateway.certificate)] : [];
  return {
    id: `flow:${i}`,
    kind: 'legitimate',
    description: `${f.sender || '<>'} from ${f.ip} to ${f.recipient}`,
    attempt: {
      clientIp: f.ip,
      // Message trace does not record TLS: the gateway uses it (the lock-down depends on it), a device may not.
      tls: viaGateway,
      certNames: cert,
      mailFrom: f.sender,
      headerFrom: f.headerFrom || f.sender,
      rcpts: [f.recipient],
      ...(auth.use ? { auth: auth.use } : {}),
    },
    ...(viaGateway && cert.length === 0 && gateway.certificateCandidates?.length
      ? { eitherCertificate: gateway.certificateCandidates }
      : {}),
  };
}

function authText(o: ObservedAuth): string | null {
  if (o.use) return o.use.notes.join('; ');
  return o.why ?? null;
}

function rulesOf(p: PathResult): string[] {
  const rules = new Set<string>();
  for (const o of p.result.outcomes) for (const d of o.decisions) rules.add(d.rule);
  return [...rules].sort();
}

export function replayImpact(flows: readonly Flow[], input: ImpactInput): ImpactResult {
  const notes: string[] = [];
  if (flows.length === 0) return { impact: [], uncertain: [], flows: 0, stages: [], notes };
  const built = buildPlan({ ...input });
  if (!built.ok) {
    notes.push(`impact unknown: cannot plan (${built.reason})`);
    return { impact: [], uncertain: [], flows: flows.length, stages: [], notes };
  }
  const plan = built.checked.plan;
  const refusedAt = plan.refusal?.stage;
  if (refusedAt !== undefined)
    notes.push(`the plan stops before stage ${refusedAt}: the replay covers the stages before it`);
  const observe = authObserver(input.zone);
  const observed = flows.map(observe);
  const relayed = observed.filter(
    (o, i) => o.use === undefined && o.why && flows[i]!.source === 'gateway',
  ).length;
  if (relayed > 0)
    notes.push(
      `${relayed} flow(s) relayed by the gateway have no DKIM pass in EmailEvents: their authentication after Enhanced Filtering (which makes EOP check the original sender's address, EF-1) is computed from the recorded DNS, not taken from the log`,
    );
  const list = flows.map((f, i) => pathOf(f, i, input.gateway, observed[i]!));
  const impact: ImpactEntry[] = [];
  const unsettled: ImpactEntry[] = [];
  const entry = (i: number, wouldBe: string, stage: number | null, p: PathResult): ImpactEntry => {
    const f = flows[i]!;
    return {
      sender: f.sender,
      ip: f.ip,
      recipientDomain: f.recipient.slice(f.recipient.lastIndexOf('@') + 1),
      source: f.source,
      count: f.count,
      wouldBe,
      stage,
      reply: p.outcome.reply ?? null,
      rules: rulesOf(p),
      reason: p.status === 'uncertain' ? (p.result.uncertainties[0] ?? null) : null,
      authentication: authText(observed[i]!),
    };
  };
  // The flows not settled yet (by index), replayed against the tenant as exported, then after each runnable stage,
  // cumulatively as the plan's safety check builds it; a flow leaves at the first state that refuses it or cannot
  // tell. Results are read REPLAY_BATCH flows at a time and dropped (20,000 flows' decisions are a few hundred MB).
  let pending = flows.map((_, i) => i);
  // One oracle for every configuration over the same zone (the stages change no DNS), so that a flow's
  // authentication is computed once, not once per stage.
  const zone = input.zone ?? input.snapshot.dns;
  const shared = authOracleFor(input.snapshot, { zone: input.zone });
  /** Replays the pending flows against `s`; gives the flows that stay pending, after `settle` saw the others. */
  const replay = (s: Snapshot, settle: (i: number, p: PathResult) => boolean): number[] => {
    const auth = (input.zone ?? s.dns) === zone ? shared : undefined;
    // The entries read the status, the outcome and the decisions: no evidence lines are written for them.
    const simulate = attemptSimulator(s, input.gateway, {
      zone: input.zone,
      now: input.now,
      auth,
      evidence: false,
    });
    const still: number[] = [];
    for (let from = 0; from < pending.length; from += REPLAY_BATCH) {
      const batch = pending.slice(from, from + REPLAY_BATCH);
      simulate(batch.map((i) => list[i]!)).forEach((p, k) => {
        if (!settle(batch[k]!, p)) still.push(batch[k]!);
      });
    }
    return still;
  };
  // The log says it was delivered; a simulation that refuses it today means the export and the log disagree (an
  // older configuration, or what the model does not know): said, never read as "still fine".
  pending = replay(input.snapshot, (i, p) => {
    if (p.status !== 'broken') return false;
    impact.push(entry(i, 'refused by the configuration as exported (the log says delivered)', null, p));
    return true;
  });
  const stages: number[] = [];
  let state = input.snapshot;
  for (const stage of plan.stages) {
    if (refusedAt !== undefined && stage.no >= refusedAt) break;
    if (stage.changes.length === 0) continue;
    state = applyAll(state, stage.changes);
    stages.push(stage.no);
    pending = replay(state, (i, p) => {
      if (p.status === 'broken') impact.push(entry(i, `refused at stage ${stage.no}`, stage.no, p));
      else if (p.status === 'uncertain')
        unsettled.push(entry(i, `uncertain after stage ${stage.no}`, stage.no, p));
      else return false;
      return true;
    });
  }
  // A total order (the entries are made stage by stage, so their order before sorting tells nothing).
  const order = (a: ImpactEntry, b: ImpactEntry) =>
    b.count - a.count ||
    compareIds(a.ip, b.ip) ||
    compareIds(a.sender, b.sender) ||
    compareIds(a.recipientDomain, b.recipientDomain) ||
    (a.stage ?? -1) - (b.stage ?? -1);
  impact.sort(order);
  const groups = new Map<string, UncertainImpact>();
  for (const e of unsettled.sort(order)) {
    const reason = e.reason ?? 'the simulator cannot tell';
    const key = `${e.stage}\u0000${reason}`;
    let g = groups.get(key);
    if (!g) {
      g = { reason, stage: e.stage ?? 0, flows: 0, rows: 0, examples: [] };
      groups.set(key, g);
    }
    g.flows++;
    g.rows += e.count;
    if (g.examples.length < UNCERTAIN_EXAMPLES) g.examples.push(e);
  }
  const uncertain = [...groups.values()].sort((a, b) => b.rows - a.rows || a.stage - b.stage);
  return { impact, uncertain, flows: flows.length, stages, notes };
}
