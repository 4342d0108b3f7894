/** The plan's vocabulary (DESIGN §6): typed changes in stages, each reversible from the export's prior values. */
import type { PathResult } from '../model/paths.js';

export type StageNo = 0 | 1 | 2 | 3 | 4 | 5;

export type PsValue = boolean | number | string | string[];

/** The cmdlet family a change works through; the verbs are derived from it. */
export type ObjectKind =
  | 'OrganizationConfig'
  | 'InboundConnector'
  | 'TransportRule'
  | 'AntiPhishPolicy'
  | 'HostedContentFilterPolicy'
  | 'HostedConnectionFilterPolicy';

export interface Change {
  /** Stable id: `<kind>:<identity>:<what>`. */
  id: string;
  stage: StageNo;
  title: string;
  /** Why, with the eop-model rules and checks it answers. */
  why: string[];
  kind: ObjectKind;
  /** The object's Identity (Name); for OrganizationConfig, empty. */
  identity: string;
  /** New-* instead of Set-*: the rollback removes the object. */
  creates: boolean;
  /** The values the export holds for the properties this change sets (undefined: absent from the export). */
  before: Readonly<Record<string, PsValue | undefined>>;
  after: Readonly<Record<string, PsValue>>;
  /** For a created object: the cmdlet's documented defaults of properties the script does not set (model only). */
  defaults?: Readonly<Record<string, PsValue>>;
  /**
   * Properties of this change that a later stage of the plan sets to another value on the same object (e.g. stage 0
   * creates a device connector unrestricted, stage 2 restricts it): once the property holds the later stage's value,
   * re-running this stage leaves it alone (the script, its verification and the model), so an earlier stage never
   * undoes a later one.
   */
  ownedLater?: Readonly<Record<string, { stage: StageNo; value: PsValue }>>;
  /**
   * Properties whose export value was null (read as absent, `before` undefined) and whose rollback therefore writes
   * `$null` rather than leaving the plan's value in place. Only where null is the one prior value consistent with the
   * export (drafts.ts, nullBefore).
   */
  rollbackToNull?: readonly string[];
}

export interface Stage {
  no: StageNo;
  title: string;
  /** How long to watch before the next stage (guide's activation order). */
  observe: string;
  changes: Change[];
  /** Steps that are not configuration changes (backup, advice). */
  notes: string[];
}

/** A legitimate path a stage breaks, as the simulator answers it after the stage. */
export interface RefusedPath {
  id: string;
  /** Status before the plan, and after the stage. */
  before: string;
  after: string;
  /** How the path ends after the stage: the SMTP reply or the disposition (the simulator's representative outcome). */
  outcome: PathResult['outcome'];
  /** The eop-model rules that decided that outcome, with their evidence level (`CON-5 [D]`), in the simulator's order. */
  rules: string[];
  evidence: string[];
  /**
   * A later refusal's path that is not broken once the refused stages left out are applied too (every stage up to
   * this one, in order): it breaks only while they are left out. Always false for the first refusal.
   */
  onlyWithout: boolean;
}

export interface StageRefusal {
  stage: StageNo;
  /** The legitimate paths the simulator says this stage breaks. */
  paths: RefusedPath[];
  /** Refused stages left out of the state this stage was judged on (empty for the first refusal). */
  without: StageNo[];
  /** Every path breaks only while the refused stages are left out: after them, in order, this stage breaks none. */
  onlyWithout: boolean;
  explanation: string;
}

/** An attack or residual path a stage turns from closed or mitigated into open or uncertain. */
export interface WeakenedPath {
  id: string;
  kind: 'attack' | 'residual';
  /** Status on the state the stage was judged on, and after the stage. */
  before: string;
  after: string;
  /** How the path ends after the stage (the simulator's representative outcome: the worst for the defender). */
  outcome: PathResult['outcome'];
  /** The eop-model rules that decided that outcome, with their evidence level. */
  rules: string[];
  evidence: string[];
}

/** A declared source that stays broken after the plan, with what to do about it. */
export interface UndeliveredSource {
  id: string;
  /** How the path ends after the runnable stages (the simulator's representative outcome). */
  outcome: PathResult['outcome'];
  /** The eop-model rules that decided that outcome, with their evidence level. */
  rules: string[];
  evidence: string[];
  explanation: string;
}

/**
 * A stage that lowers protection without breaking a legitimate path. It is not refused (DESIGN §6 refuses only
 * breaks), but an administrator must not weaken security unawares: the plan lists it and the CLI exits 1.
 */
export interface StageWeakening {
  stage: StageNo;
  paths: WeakenedPath[];
  /** Refused stages left out of the state this stage was judged on (empty before the first refusal). */
  without: StageNo[];
  explanation: string;
}

export interface Plan {
  tenant: string;
  stages: Stage[];
  /** Set when the planner refuses a stage: that stage and the later ones are not to be run. */
  refusal: StageRefusal | undefined;
  /**
   * Stages after `refusal` that would also break a legitimate path that works before the plan, each judged on its own:
   * on the last safe state plus the later stages that were not refused. Empty when nothing is refused.
   */
  laterRefusals: StageRefusal[];
  /** Stages that turn a closed or mitigated attack or residual path open or uncertain, in stage order. */
  weakenings: StageWeakening[];
  /**
   * Sources mxlock.yaml declares (Direct Send sources, hybrid) that are broken before the plan and still broken once
   * every runnable stage is applied: no stage breaks them, so none is refused, but the plan does not deliver what it
   * was asked to admit (stage 0). `before` and `after` are both broken; the CLI exits 1 when any is listed.
   */
  undelivered: UndeliveredSource[];
  warnings: string[];
  /** DNS records proposed for publication (never changed by the scripts). */
  dnsRecords: string[];
  /**
   * Findings still failing or warning once every runnable stage is applied (assessed on the model's after state):
   * what the plan leaves for the administrator. Undefined when not computed (checkPlan alone).
   */
  remaining?: { id: string; status: string; title: string }[];
}
