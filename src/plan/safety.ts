/**
 * The planner's safety (DESIGN §1 principle 4, §6): every stage is applied to the snapshot model and simulated with
 * the same engine as `assess`; a stage that breaks a legitimate path that worked before is refused, with the reason.
 * The stages after the first refused one are still judged, each on its own, so the administrator sees every stage that
 * would break a path and why (e.g. a printer nothing admits breaks at the lock-down, CON-5, and at RejectDirectSend, DS-2).
 * A stage that turns a closed or mitigated attack or residual path open or uncertain is not refused (it breaks nothing)
 * but is listed as a weakening, so security is never lowered unawares.
 */
import { groupBy } from '../common/collections.js';
import { existingFlows, simulatePaths } from '../assess.js';
import { IpSet } from '../common/ip.js';
import { boundedList } from '../common/text.js';
import { buildTenant } from '../model/tenant.js';
import type { InboundConnector } from '../snapshot/schema.js';
import type { DnsZone } from '../common/zone.js';
import {
  CONNECTOR_PATH,
  DECLARED_SOURCE_PATH,
  HYBRID_PATH,
  isDeclaredSourcePath,
  type PathResult,
} from '../model/paths.js';
import type { ResolvedGateway } from '../common/gateway.js';
import type { Profile } from '../profile/schema.js';
import type { Snapshot } from '../snapshot/types.js';
import { applyAll, ChangedSnapshot } from './model.js';
import type {
  Change,
  Plan,
  RefusedPath,
  Stage,
  StageNo,
  StageRefusal,
  StageWeakening,
  UndeliveredSource,
  WeakenedPath,
} from './types.js';

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

/**
 * The enabled OnPremises connectors that match on-premises Exchange by certificate when mxlock.yaml declares hybrid
 * without one: the simulator then sends the hybrid path with no certificate, so such a connector cannot match it
 * (CON-1 [D]) and the path breaks although the tenant admits on-premises mail. Only when no enabled OnPremises
 * connector lists every declared hybrid IP (then the path would match by IP and the certificate is not the cause).
 */
function hybridCertificateConnectors(s: Snapshot, profile: Profile): InboundConnector[] {
  const hybrid = profile.hybrid;
  if (!hybrid || hybrid.certificate) return [];
  const onPremises = (buildTenant(s).inboundConnectors ?? []).filter(
    (c) => c.Enabled === true && c.ConnectorType === 'OnPremises',
  );
  if (
    hybrid.ips.length > 0 &&
    onPremises.some((c) => hybrid.ips.every((ip) => new IpSet(c.SenderIPAddresses ?? []).covers(ip)))
  )
    return [];
  return onPremises.filter((c) => (c.TlsSenderCertificateName?.trim() ?? '') !== '');
}

/**
 * What to do about a path a stage breaks, by what the path stands for (a declared source is not told to declare itself).
 * `whole`: the path is broken after the whole plan rather than by one stage (Plan.undelivered).
 */
function adviceFor(id: string, s: Snapshot, profile: Profile, whole = false): string {
  if (id.startsWith(DECLARED_SOURCE_PATH))
    return `The source is declared, but ${whole ? 'no stage of the plan admits it' : 'no earlier stage admits it the way this stage needs'} (see the warnings): route it through the gateway or have it submit with SMTP AUTH, or admit it by hand, then plan again.`;
  if (id === HYBRID_PATH) {
    const byCertificate = hybridCertificateConnectors(s, profile);
    if (byCertificate.length > 0) {
      const names = byCertificate.map(
        (c) => `'${c.Name ?? c.Identity ?? ''}' (${c.TlsSenderCertificateName?.trim() ?? ''})`,
      );
      const first = byCertificate[0]!.TlsSenderCertificateName?.trim() ?? '';
      return `The OnPremises connector ${names.join(', ')} matches on-premises Exchange by its certificate, but mxlock.yaml declares hybrid without one, so the simulated on-premises mail presents none and matches no connector (CON-1 [D], CON-8 [D]): declare hybrid.certificate: ${first} in mxlock.yaml (the name the on-premises send connector presents), then plan again.`;
    }
    return `Admit on-premises Exchange${whole ? '' : ' before this stage'} (an OnPremises inbound connector matching its IPs or certificate, CON-8), then plan again.`;
  }
  if (id.startsWith(CONNECTOR_PATH)) return connectorAdvice([id.slice(CONNECTOR_PATH.length)]);
  if (id === 'path.gateway-delivery')
    return "The gateway's own mail would be refused: check gateway.ips and gateway.certificate in mxlock.yaml against the gateway's real egress, then plan again.";
  return 'Admit the source in an earlier stage (declare it under directSendSources in mxlock.yaml, or route it through the gateway / SMTP AUTH), then plan again.';
}

/**
 * What to do about connectors whose mail a stage breaks, one sentence for all of them: a tenant with thousands of
 * partner connectors gets one advice naming the first few, not one per connector (plan.md stayed readable).
 */
function connectorAdvice(names: readonly string[]): string {
  const one = names.length === 1 ? `'${names[0]}'` : 'each';
  const which =
    names.length === 1
      ? `The inbound connector '${names[0]}' carries`
      : `The inbound connectors ${boundedList(
          names.map((n) => `'${n}'`),
          LISTED_PATHS,
        )} carry`;
  return `${which} mail someone set up (DESIGN §6): keep ${names.length === 1 ? 'it' : 'them'} admitted before this stage — restrict ${one} by its own IPs or certificate in the same change as the lock-down (one satisfying restricting connector suffices, §12 OQ-2 [I]), or add its IPs to the lock-down — or, if that mail is no longer wanted, disable ${one} first; then plan again.`;
}

/** Paths a refusal's explanation names one by one; the rest are counted (plan.md lists them). */
const LISTED_PATHS = 10;

function stageList(nos: readonly StageNo[]): string {
  return `stage${nos.length > 1 ? 's' : ''} ${nos.join(', ')}`;
}

/** The rules of the outcome the path reports (its evidence lists the same decisions as `RULE [E]: text`). */
function decidingRules(p: PathResult): string[] {
  const o = p.result.outcomes.find(
    (x) =>
      x.stage === p.outcome.stage && x.disposition === p.outcome.disposition && x.reply === p.outcome.reply,
  );
  return (o?.decisions ?? []).map((d) => `${d.rule} [${d.evidence}]`);
}

/** How a path ends: `ends "rejected" (550 5.7.51 …)`. */
function howItEnds(p: PathResult, many = false): string {
  return `end${many ? '' : 's'} "${p.outcome.disposition}"${p.outcome.reply ? ` (${p.outcome.reply.slice(0, 60)})` : ''}`;
}

function ending(p: PathResult): string {
  return `${p.id} ${howItEnds(p)}`;
}

/** How each path ends, the paths that end alike in one clause (a few named, the rest counted). */
function endings(paths: readonly PathResult[]): string {
  const groups = groupBy(paths, (p) => howItEnds(p));
  const [only] = groups.values();
  if (groups.size === 1 && paths.length > 1) return `all ${howItEnds(only![0]!, true)}`;
  return [...groups.values()]
    .map((g) =>
      g.length === 1
        ? ending(g[0]!)
        : `${boundedList(
            g.map((p) => p.id),
            LISTED_PATHS,
          )} ${howItEnds(g[0]!, true)}`,
    )
    .join('; ');
}

/** A change whose object is neither in the state nor created by it: it needs an object a refused stage creates. */
function needsMissingObject(s: ChangedSnapshot, c: Change): boolean {
  if (c.kind === 'OrganizationConfig' || c.creates) return false;
  return s.find(c.kind, c.identity) === undefined;
}

/** Statuses of an attack or residual path: protected, and not (DESIGN §5). */
const PROTECTED = new Set(['closed', 'mitigated']);
const EXPOSED = new Set(['open', 'uncertain']);

/**
 * Whether a plan needs the administrator before it can be run as it is (the CLI's exit 1 for `plan` and
 * `simulate --after-plan`): a stage is refused, a stage weakens protection, or a declared source stays broken.
 */
export function planNeedsAttention(plan: Plan): boolean {
  return plan.refusal !== undefined || plan.weakenings.length > 0 || plan.undelivered.length > 0;
}

export function checkPlan(input: SafetyInput): CheckedPlan {
  const opts = { ...(input.zone ? { zone: input.zone } : {}), ...(input.now ? { now: input.now } : {}) };
  // The flows of the connectors in place before the plan: a stage that changes or disables a connector must still
  // carry the mail it was set up for (path.connector:<name>, DESIGN §6).
  const flows = existingFlows(input.snapshot, input.gateway, input.profile, input.zone);
  const simulate = (s: Snapshot) => simulatePaths(s, input.profile, input.gateway, { ...opts, flows });
  const before = simulate(input.snapshot);
  const beforeById = new Map(before.map((p) => [p.id, p]));
  /** Legitimate paths that work before the plan and are broken in `paths`. */
  // A path that reads uncertain only because its attempts cannot stand for it (a connector whose addresses are unknown)
  // still breaks when what was simulated goes from delivered to refused: its modelStatus says so.
  const isBroken = (p: PathResult | undefined) => p?.status === 'broken' || p?.modelStatus === 'broken';
  const brokenBy = (paths: PathResult[]) =>
    paths.filter((p) => p.kind === 'legitimate' && isBroken(p) && !isBroken(beforeById.get(p.id)));
  /**
   * `withRefused`: for a later refusal, the paths once every stage up to this one is applied in order, the refused
   * ones included. A path that is not broken there breaks only because a refused stage is left out (e.g. the stage
   * that enables the connector admitting a declared source): the administrator must not be sent to fix it.
   */
  const refusalOf = (
    stage: Stage,
    broken: PathResult[],
    without: StageNo[],
    withRefused?: ReadonlyMap<string, PathResult>,
  ): StageRefusal => {
    const paths: RefusedPath[] = broken.map((p) => ({
      id: p.id,
      before: beforeById.get(p.id)?.status ?? 'absent',
      after: p.status,
      outcome: p.outcome,
      rules: decidingRules(p),
      evidence: p.evidence,
      onlyWithout: withRefused !== undefined && !isBroken(withRefused.get(p.id)),
    }));
    const judged = without.length ? ` (judged on its own, with refused ${stageList(without)} left out)` : '';
    const own = paths.filter((p) => !p.onlyWithout);
    const dependent = paths.filter((p) => p.onlyWithout);
    const connectors = own.filter((p) => p.id.startsWith(CONNECTOR_PATH));
    const advice = [
      ...new Set(
        own
          .filter((p) => !p.id.startsWith(CONNECTOR_PATH))
          .map((p) => adviceFor(p.id, input.snapshot, input.profile)),
      ),
    ];
    if (connectors.length > 0)
      advice.push(connectorAdvice(connectors.map((p) => p.id.slice(CONNECTOR_PATH.length))));
    if (dependent.length > 0)
      advice.push(
        `${boundedList(
          dependent.map((p) => p.id),
          LISTED_PATHS,
        )} break${dependent.length > 1 ? '' : 's'} only while ${stageList(without)} ${without.length > 1 ? 'are' : 'is'} left out: ` +
          `applied after ${without.length > 1 ? 'them' : 'it'}, stage ${stage.no} leaves ${boundedList(
            dependent.map((p) => `${p.id} ${withRefused?.get(p.id)?.status ?? 'absent'}`),
            LISTED_PATHS,
          )}. Resolve the refusal of ${stageList(without)} first.`,
      );
    return {
      stage: stage.no,
      paths,
      without,
      onlyWithout: own.length === 0,
      explanation:
        `stage ${stage.no} (${stage.title}) would${without.length ? ' also' : ''} break ${boundedList(
          broken.map((p) => p.id),
          LISTED_PATHS,
        )}` + `${judged}: ${endings(broken)}. ${advice.join(' ')}`,
    };
  };
  const weakenings: StageWeakening[] = [];
  /** Records the attack and residual paths `stage` exposes: protected in `prior` (the state it was judged on), not in `paths`. */
  const noteWeakening = (stage: Stage, prior: PathResult[], paths: PathResult[], without: StageNo[]) => {
    const priorById = new Map(prior.map((p) => [p.id, p.status]));
    const weakened: WeakenedPath[] = [];
    for (const p of paths) {
      const was = priorById.get(p.id);
      if (p.kind === 'legitimate' || !was || !PROTECTED.has(was) || !EXPOSED.has(p.status)) continue;
      weakened.push({
        id: p.id,
        kind: p.kind,
        before: was,
        after: p.status,
        outcome: p.outcome,
        rules: decidingRules(p),
        evidence: p.evidence,
      });
    }
    if (weakened.length === 0) return;
    const judged = without.length ? ` (judged on its own, with refused ${stageList(without)} left out)` : '';
    weakenings.push({
      stage: stage.no,
      paths: weakened,
      without,
      explanation:
        `stage ${stage.no} (${stage.title}) weakens ${weakened.map((w) => `${w.id} (${w.before} → ${w.after})`).join(', ')}${judged}: ` +
        `${weakened.map((w) => `${w.id} ends "${w.outcome.disposition}"${w.outcome.reply ? ` (${w.outcome.reply.slice(0, 60)})` : ''}${w.rules.length ? `, decided by ${w.rules.join(', ')}` : ''}`).join('; ')}. ` +
        'It breaks no legitimate path, so it is not refused; review its changes against the deciding rules before running it.',
    });
  };

  /** The state later stages are judged on, and its simulation. */
  let state = input.snapshot;
  let statePaths = before;
  /** Every stage so far applied in order, refused ones included (judges whether a later refusal is its own). */
  const full = new ChangedSnapshot(input.snapshot);
  let safeState = state;
  let after = before;
  const stages: StageSimulation[] = [];
  let refusal: StageRefusal | undefined;
  const laterRefusals: StageRefusal[] = [];
  const warnings = [...input.warnings];
  for (const stage of input.stages) {
    // A change on an object that no stage creates is left out here as on the judged state (applyChange would throw).
    for (const c of stage.changes) if (!needsMissingObject(full, c)) full.apply(c);
    if (refusal) {
      // Stages after the first refusal are not safe to run, but each is still judged (one simulation per stage): on
      // the last safe state plus the later stages that passed, so a refusal here is this stage's own doing. Only a
      // refusal costs one more simulation, with the refused stages applied, to tell whether it stands without them.
      if (stage.changes.length === 0) continue;
      const without = [refusal.stage, ...laterRefusals.map((r) => r.stage)];
      const judged = new ChangedSnapshot(state);
      const applicable = stage.changes.filter((c) => !needsMissingObject(judged, c));
      for (const c of stage.changes.filter((x) => !applicable.includes(x)))
        warnings.push(
          `stage ${stage.no} was judged without "${c.title}": it changes ${c.kind} '${c.identity}', which only a refused stage (${without.join(', ')}) creates`,
        );
      if (applicable.length === 0) continue;
      const candidate = applyAll(state, applicable);
      const paths = simulate(candidate);
      noteWeakening(stage, statePaths, paths, without);
      const broken = brokenBy(paths);
      if (broken.length > 0) {
        const withRefused = new Map(simulate(full.snapshot()).map((p) => [p.id, p]));
        laterRefusals.push(refusalOf(stage, broken, without, withRefused));
      } else {
        state = candidate;
        statePaths = paths;
      }
      continue;
    }
    if (stage.changes.length === 0) {
      stages.push({ stage: stage.no, paths: after });
      continue;
    }
    state = applyAll(state, stage.changes);
    const paths = simulate(state);
    stages.push({ stage: stage.no, paths });
    noteWeakening(stage, after, paths, []);
    const broken = brokenBy(paths);
    if (broken.length > 0) {
      refusal = refusalOf(stage, broken, []);
      state = safeState;
      statePaths = after;
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
    statePaths = paths;
    after = paths;
  }
  // A declared source broken before the plan and still broken after it: no stage broke it, so none was refused, but
  // the plan was asked to admit it (stage 0) and does not. Said, and the CLI exits 1, never a silent exit 0.
  const undelivered: UndeliveredSource[] = after
    .filter((p) => p.kind === 'legitimate' && isDeclaredSourcePath(p.id) && isBroken(p))
    .map((p) => ({
      id: p.id,
      outcome: p.outcome,
      rules: decidingRules(p),
      evidence: p.evidence,
      explanation:
        `${p.id} is ${isBroken(beforeById.get(p.id)) ? 'broken before the plan and stays broken' : 'broken'} after every runnable stage: ${ending(p)}. ` +
        adviceFor(p.id, safeState, input.profile, true),
    }));
  return {
    plan: {
      tenant: input.tenant,
      stages: input.stages,
      refusal,
      laterRefusals,
      weakenings,
      undelivered,
      warnings,
      dnsRecords: input.dnsRecords,
    },
    before,
    stages,
    after,
    afterSnapshot: safeState,
  };
}
