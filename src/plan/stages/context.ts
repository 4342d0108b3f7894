/**
 * What the stage modules share (planner.ts lists them): the plan's input and the tenant as the export shows it, the
 * decisions that span stages, made once before any stage drafts, and the sinks every stage writes to. Passed to each
 * stage as one object, so what a stage reads is visible in its signature.
 */
import type { Tenant } from '../../model/tenant.js';
import type { ResolvedGateway } from '../../common/gateway.js';
import type { Profile } from '../../profile/schema.js';
import type { InboundConnector, TransportRule } from '../../snapshot/schema.js';
import type { Snapshot } from '../../snapshot/types.js';
import type { Draft, StageHead } from '../drafts.js';
import type { StageNo } from '../types.js';
import type { SourcesAdmitted } from './stage-0.js';
import type { SafetyNetTarget } from './stage-1.js';
import type { CompetingConnectors } from './stage-2.js';

/** The connector stage 2 turns into the lock-down, or creates (model/gateway-connector.ts gatewayConnectorChoice). */
export interface LockdownTarget {
  /** The export's connector; undefined when stage 2 creates it. */
  connector: InboundConnector | undefined;
  name: string;
  /** The gateway's certificate: a certificate lock-down (CON-3 [D]); undefined: an IP lock-down. */
  certificate: string | undefined;
}

/** What every stage may read: the input, and facts of the export that do not depend on any stage. */
export interface PlanBase {
  snapshot: Snapshot;
  profile: Profile;
  gateway: ResolvedGateway;
  tenant: Tenant;
  /** The export's inbound connectors (empty when not exported; planChanges refuses a plan without them). */
  connectors: readonly InboundConnector[];
  /** The export's transport rules, in evaluation order (TR-2 [D]). */
  rules: readonly TransportRule[];
  lockdown: LockdownTarget;
  /**
   * The mail flows of the partner connectors in place (path.connector:<name>, DESIGN §6) whose addresses are known:
   * admitted like declared sources (their IPs into the IP lock-down, or their connector restricted with a certificate
   * lock-down) and excepted from the safety net, so the plan keeps them working.
   */
  flowSources: FlowSource[];
}

/** A connector flow as stage 0 admits it: a name, its addresses and the sender addresses it sends as. */
export interface FlowSource {
  /** The connector's name. */
  connector: string;
  ips: string[];
  senders: string[];
}

export interface PlanContext extends PlanBase {
  /** Stage 0's admission of the declared sources: stage 2 restricts with the lock-down what it lists (§12 OQ-2 [I]). */
  sources: SourcesAdmitted;
  /** The safety-net rule stage 1 puts in audit mode and stage 4 enforces. */
  safetyNet: SafetyNetTarget;
  /** The restricting connectors stage 2 disables beside a certificate lock-down; stage 5 leaves them without EF. */
  competing: CompetingConnectors;
  /** Warnings in the order the stages give them (the plan deduplicates, keeping the first). */
  warnings: string[];
  notes: Record<StageNo, string[]>;
  /** Drafts in stage order: resolveStages compares each with the state the drafts before it leave. */
  drafts: Draft[];
}

/** One stage of the plan: its heading, and what it adds to the context's drafts, notes and warnings. */
export interface PlanStage extends StageHead {
  draft(ctx: PlanContext): void;
}

export const nameOf = (o: { Name?: string | undefined; Identity?: string | undefined }) =>
  o.Name ?? o.Identity ?? '';

export const quoted = (list: readonly InboundConnector[]) => list.map((c) => `'${nameOf(c)}'`).join(', ');
