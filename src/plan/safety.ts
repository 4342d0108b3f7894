/**
 * The planner's safety (DESIGN §1 principle 4, §6): every stage is applied to the snapshot model and simulated with
 * the same engine as `assess`; a stage that breaks a legitimate path that worked before is refused, with the reason.
 */
import { simulatePaths } from '../assess.js';
import type { DnsZone } from '../dns/zone.js';
import type { PathResult } from '../model/paths.js';
import type { ResolvedGateway } from '../profile/gateway.js';
import type { Profile } from '../profile/schema.js';
import type { Snapshot } from '../snapshot/types.js';
import { applyAll } from './model.js';
import type { Plan, Stage, StageNo, StageRefusal } from './types.js';

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

export function checkPlan(input: SafetyInput): CheckedPlan {
  const opts = { ...(input.zone ? { zone: input.zone } : {}), ...(input.now ? { now: input.now } : {}) };
  const before = simulatePaths(input.snapshot, input.profile, input.gateway, opts);
  const beforeById = new Map(before.map((p) => [p.id, p]));
  let state = input.snapshot;
  let safeState = state;
  let after = before;
  const stages: StageSimulation[] = [];
  let refusal: StageRefusal | undefined;
  const warnings = [...input.warnings];
  for (const stage of input.stages) {
    if (stage.changes.length === 0) {
      stages.push({ stage: stage.no, paths: after });
      continue;
    }
    state = applyAll(state, stage.changes);
    const paths = simulatePaths(state, input.profile, input.gateway, opts);
    stages.push({ stage: stage.no, paths });
    const broken = paths.filter(
      (p) => p.kind === 'legitimate' && p.status === 'broken' && beforeById.get(p.id)?.status !== 'broken',
    );
    if (broken.length > 0) {
      refusal = {
        stage: stage.no,
        paths: broken.map((p) => ({
          id: p.id,
          before: beforeById.get(p.id)?.status ?? 'absent',
          after: p.status,
          evidence: p.evidence,
        })),
        explanation:
          `stage ${stage.no} (${stage.title}) would break ${broken.map((p) => p.id).join(', ')}: ` +
          broken
            .map(
              (p) =>
                `${p.id} ends "${p.outcome.disposition}"${p.outcome.reply ? ` (${p.outcome.reply.slice(0, 60)})` : ''}`,
            )
            .join('; ') +
          '. Admit the source in an earlier stage (declare it under directSendSources in mxlock.yaml, or route it through the gateway / SMTP AUTH), then plan again.',
      };
      break;
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
    plan: { tenant: input.tenant, stages: input.stages, refusal, warnings, dnsRecords: input.dnsRecords },
    before,
    stages,
    after,
    afterSnapshot: safeState,
  };
}
