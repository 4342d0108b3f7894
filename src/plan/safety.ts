/**
 * The planner's safety (DESIGN §1 principle 4, §6): every stage is applied to the snapshot model and simulated with
 * the same engine as `assess`; a stage that breaks a legitimate path that worked before is refused, with the reason.
 * The stages after the first refused one are still judged, each on its own, so the administrator sees every stage that
 * would break a path and why (e.g. a printer nothing admits breaks at the lock-down, CON-5, and at RejectDirectSend, DS-2).
 */
import { simulatePaths } from '../assess.js';
import type { DnsZone } from '../dns/zone.js';
import type { PathResult } from '../model/paths.js';
import type { ResolvedGateway } from '../profile/gateway.js';
import type { Profile } from '../profile/schema.js';
import type { Snapshot } from '../snapshot/types.js';
import { applyAll, CMDLET_OF } from './model.js';
import type { Change, Plan, RefusedPath, Stage, StageNo, StageRefusal } from './types.js';

export interface StageSimulation {
  stage: StageNo;
  paths: PathResult[];
}

export interface CheckedPlan {
  plan: Plan;
  before: PathResult[];
  /** After each stage that was checked (cumulative), up to the refused one included. */
  stages: StageSimulation[];
  /** After every stage that is safe to run. */
  after: PathResult[];
  afterSnapshot: Snapshot;
}

export interface SafetyInput {
  tenant: string;
  snapshot: Snapshot;
  profile: Profile;
  gateway: ResolvedGateway;
  stages: Stage[];
  warnings: string[];
  dnsRecords: string[];
  zone?: DnsZone | undefined;
  now?: Date;
}

const ADVICE =
  'Admit the source in an earlier stage (declare it under directSendSources in mxlock.yaml, or route it through the gateway / SMTP AUTH), then plan again.';

/** The rules of the outcome the path reports (its evidence lists the same decisions as `RULE [E]: text`). */
function decidingRules(p: PathResult): string[] {
  const o = p.result.outcomes.find(
    (x) =>
      x.stage === p.outcome.stage && x.disposition === p.outcome.disposition && x.reply === p.outcome.reply,
  );
  return (o?.decisions ?? []).map((d) => `${d.rule} [${d.evidence}]`);
}

function ending(p: PathResult): string {
  return `${p.id} ends "${p.outcome.disposition}"${p.outcome.reply ? ` (${p.outcome.reply.slice(0, 60)})` : ''}`;
}

/** A change whose object is neither in the state nor created by it: it needs an object a refused stage creates. */
function needsMissingObject(s: Snapshot, c: Change): boolean {
  if (c.kind === 'OrganizationConfig' || c.creates) return false;
  const list = (s.data as Record<string, Record<string, unknown>[] | undefined>)[CMDLET_OF[c.kind]] ?? [];
  const id = c.identity.toLowerCase();
  return !list.some((o) =>
    [o['Name'], o['Identity']].some((v) => typeof v === 'string' && v.toLowerCase() === id),
  );
}

export function checkPlan(input: SafetyInput): CheckedPlan {
  const opts = { ...(input.zone ? { zone: input.zone } : {}), ...(input.now ? { now: input.now } : {}) };
  const simulate = (s: Snapshot) => simulatePaths(s, input.profile, input.gateway, opts);
  const before = simulate(input.snapshot);
  const beforeById = new Map(before.map((p) => [p.id, p]));
  /** Legitimate paths that work before the plan and are broken in `paths`. */
  const brokenBy = (paths: PathResult[]) =>
    paths.filter(
      (p) => p.kind === 'legitimate' && p.status === 'broken' && beforeById.get(p.id)?.status !== 'broken',
    );
  const refusalOf = (stage: Stage, broken: PathResult[], without: StageNo[]): StageRefusal => {
    const paths: RefusedPath[] = broken.map((p) => ({
      id: p.id,
      before: beforeById.get(p.id)?.status ?? 'absent',
      after: p.status,
      outcome: p.outcome,
      rules: decidingRules(p),
      evidence: p.evidence,
    }));
    const judged = without.length
      ? ` (judged on its own, with refused stage${without.length > 1 ? 's' : ''} ${without.join(', ')} left out)`
      : '';
    return {
      stage: stage.no,
      paths,
      without,
      explanation:
        `stage ${stage.no} (${stage.title}) would${without.length ? ' also' : ''} break ${broken.map((p) => p.id).join(', ')}` +
        `${judged}: ${broken.map(ending).join('; ')}. ${ADVICE}`,
    };
  };

  let state = input.snapshot;
  let safeState = state;
  let after = before;
  const stages: StageSimulation[] = [];
  let refusal: StageRefusal | undefined;
  const laterRefusals: StageRefusal[] = [];
  const warnings = [...input.warnings];
  for (const stage of input.stages) {
    if (refusal) {
      // Stages after the first refusal are not safe to run, but each is still judged (one simulation per stage): on
      // the last safe state plus the later stages that passed, so a refusal here is this stage's own doing.
      if (stage.changes.length === 0) continue;
      const without = [refusal.stage, ...laterRefusals.map((r) => r.stage)];
      const applicable = stage.changes.filter((c) => !needsMissingObject(state, c));
      for (const c of stage.changes.filter((x) => !applicable.includes(x)))
        warnings.push(
          `stage ${stage.no} was judged without "${c.title}": it changes ${c.kind} '${c.identity}', which only a refused stage (${without.join(', ')}) creates`,
        );
      if (applicable.length === 0) continue;
      const candidate = applyAll(state, applicable);
      const broken = brokenBy(simulate(candidate));
      if (broken.length > 0) laterRefusals.push(refusalOf(stage, broken, without));
      else state = candidate;
      continue;
    }
    if (stage.changes.length === 0) {
      stages.push({ stage: stage.no, paths: after });
      continue;
    }
    state = applyAll(state, stage.changes);
    const paths = simulate(state);
    stages.push({ stage: stage.no, paths });
    const broken = brokenBy(paths);
    if (broken.length > 0) {
      refusal = refusalOf(stage, broken, []);
      state = safeState;
      continue;
    }
    for (const p of paths.filter(
      (x) =>
        x.kind === 'legitimate' && x.status === 'uncertain' && beforeById.get(x.id)?.status === 'preserved',
    )) {
      warnings.push(
        `after stage ${stage.no}, ${p.id} can no longer be confirmed (uncertain): ${p.evidence.filter((e) => e.startsWith('uncertain')).join('; ') || 'see its evidence'}`,
      );
    }
    safeState = state;
    after = paths;
  }
  return {
    plan: {
      tenant: input.tenant,
      stages: input.stages,
      refusal,
      laterRefusals,
      warnings,
      dnsRecords: input.dnsRecords,
    },
    before,
    stages,
    after,
    afterSnapshot: safeState,
  };
}
