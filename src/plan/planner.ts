/**
 * The planner (DESIGN §6, guide "activation order"): the changes that close every path for THIS tenant, in
 * stages 0 backup + admit declared Direct Send sources → 1 safety-net rule in AuditAndNotify → 2 restrict the
 * Partner connector → 3 RejectDirectSend → 4 rule to Enforce → 5 anti-spoofing, anti-spam, Enhanced Filtering.
 * One module per stage (stages/stage-N.ts), listed below the way src/checks/registry.ts lists checks; what spans
 * stages is decided once, before any stage drafts (stages/context.ts). Pure: reads the snapshot, writes nothing.
 * Never an allow-by-sender-domain connector.
 */
import { coversEverySender, isEnabled, restrictsByCertificate } from '../model/connectors.js';
import { gatewayConnectorChoice, gatewayUnknown } from '../model/gateway-connector.js';
import { buildTenant } from '../model/tenant.js';
import type { ResolvedGateway } from '../common/gateway.js';
import type { Profile } from '../profile/schema.js';
import { lackingExports } from '../snapshot/partial.js';
import type { Snapshot } from '../snapshot/types.js';
import { resolveStages } from './drafts.js';
import { nameOf, type PlanBase, type PlanContext, type PlanStage } from './stages/context.js';
import { admitDeclaredSources, stage0 } from './stages/stage-0.js';
import { safetyNetTarget, stage1 } from './stages/stage-1.js';
import { competingConnectors, stage2 } from './stages/stage-2.js';
import { stage3 } from './stages/stage-3.js';
import { stage4 } from './stages/stage-4.js';
import { stage5 } from './stages/stage-5.js';
import type { Stage } from './types.js';
import { existingFlows } from '../assess.js';
import type { ConnectorFlow } from '../model/flows.js';
import { parseIpEntry } from '../common/ip.js';
import type { FlowSource } from './stages/context.js';

/** The widest entry a flow's connector may list for the plan to put it on a lock-down: a /24 (256 addresses). */
const MAX_FLOW_ENTRY_ADDRESSES = 256;

/**
 * The flows stage 0 admits like declared sources: Partner connectors for named sender domains whose addresses the
 * connector itself lists, each entry an IPv4 address or network of at most a /24. Addresses read from SPF [I] (a
 * provider's shared ranges, as often as not) and wide or IPv6 entries are never put on a lock-down: the safety check
 * refuses a stage that breaks such a flow, naming the connector, and the warning says why it was not admitted.
 */
function flowSources(flows: readonly ConnectorFlow[], warnings: string[]): FlowSource[] {
  const out: FlowSource[] = [];
  for (const f of flows) {
    if (f.connector.ConnectorType !== 'Partner' || f.senderDomains === undefined) continue;
    if (f.addresses === 'spf') {
      warnings.push(
        `connector '${f.name}' (path.connector:${f.name}) lists no address; its sender domains' SPF names ${f.ips.join(', ')}, which the plan does not put on the lock-down (they may be a provider's addresses shared with others): list the partner's own IPs or certificate on '${f.name}', or route its mail through the gateway`,
      );
      continue;
    }
    if (f.addresses !== 'connector') continue;
    const wide = f.ips.filter((e) => {
      const p = parseIpEntry(e);
      return p.kind !== 'v4' || p.range.hi - p.range.lo + 1 > MAX_FLOW_ENTRY_ADDRESSES;
    });
    if (wide.length > 0) {
      warnings.push(
        `connector '${f.name}' (path.connector:${f.name}) lists ${wide.join(', ')}: wider than a /24 or not IPv4, so the plan does not put it on the lock-down (everyone there could then send as any domain past it); narrow the connector's SenderIPAddresses to the partner's own servers`,
      );
      continue;
    }
    out.push({
      connector: f.name,
      ips: f.ips,
      senders: f.senderDomains.map((d) => `partner@${d}`),
    });
  }
  return out;
}

export { SAFETY_NET_NAME, SAFETY_NET_REASON } from './stages/stage-1.js';

/** Every stage, in the order they run; each drafts after the ones before it (drafts.ts resolveStages). */
export const STAGES: readonly PlanStage[] = [stage0, stage1, stage2, stage3, stage4, stage5];

export interface PlanInput {
  snapshot: Snapshot;
  profile: Profile;
  gateway: ResolvedGateway;
}

export interface PlanDraft {
  stages: Stage[];
  warnings: string[];
  /** Why no plan can be made (e.g. no gateway): the CLI reports it and exits 2. */
  blocked?: string;
}

/** Why no plan can be made for this input, or undefined. */
function blockedBy(input: PlanInput): string | undefined {
  const { snapshot, gateway: gw } = input;
  if (gw.source === 'none')
    return 'the tenant has no gateway (every MX of the accepted domains points at Exchange Online): the staged gateway lock-down does not apply; act on the findings of `mxlock assess` (RejectDirectSend, SPF/DKIM/DMARC, anti-spoofing), or declare gateway.ips in mxlock.yaml if mail does pass a gateway';
  if (gatewayUnknown(gw))
    return 'the gateway is not known: declare gateway.ips (and gateway.certificate, if it presents one) in mxlock.yaml, or run `mxlock init`';
  for (const need of [
    'Get-InboundConnector',
    'Get-TransportRule',
    'Get-OrganizationConfig',
    'Get-AcceptedDomain',
  ] as const) {
    // A tool's partial copy (ScubaGear's Select-Object of Get-OrganizationConfig) lacks what the rollback restores.
    if (lackingExports(snapshot).includes(need))
      return `${need}.json is not in the export: a plan built without it could undo or duplicate what is there`;
  }
  return undefined;
}

/**
 * A certificate lock-down in place that the gateway's profile does not tie to the gateway (src/profile/infer.ts takes
 * its certificate when it matches the declared IPs or names the gateway vendor's zone) may be a previous gateway's or
 * a SaaS's. Keeping it as the lock-down, replacing it, or restricting by IP beside it could each lock the gateway out
 * or let others in (§12 OQ-2): no plan until the profile says which certificate the gateway presents.
 */
function untiedCertificateLockdown(base: PlanBase): string | undefined {
  if (base.gateway.certificate !== undefined) return undefined;
  const certLocks = base.connectors.filter(
    (c) =>
      isEnabled(c) &&
      coversEverySender(c) &&
      restrictsByCertificate(c) &&
      (c.TlsSenderCertificateName?.trim() ?? '') !== '',
  );
  if (certLocks.length === 0) return undefined;
  return `${certLocks.map((c) => `'${nameOf(c)}' restricts every sender domain to the certificate ${c.TlsSenderCertificateName!.trim()}`).join('; ')}, which mxlock cannot tie to the gateway: declare gateway.certificate in mxlock.yaml (the certificate your gateway presents), or disable a stale lock-down, then plan again`;
}

/**
 * The context every stage drafts into (stages/context.ts), or why no plan can be made. Warnings said before the
 * stages (the gateway's cautions) are in it, and are returned with a refusal too.
 */
export function planContext(
  input: PlanInput,
): { ok: true; ctx: PlanContext } | { ok: false; blocked: string; warnings: string[] } {
  const { snapshot, profile, gateway: gw } = input;
  const t = buildTenant(snapshot);
  const warnings: string[] = [];
  const early = blockedBy(input);
  if (early !== undefined) return { ok: false, blocked: early, warnings };

  // What was inferred about the gateway rather than declared: the plan rests on it, so it is said again here.
  for (const c of gw.cautions ?? []) warnings.push(`gateway: ${c}`);
  // The connector stage 2 turns into the lock-down, or creates: the one decision the step-2 checks name too.
  const choice = gatewayConnectorChoice(t.inboundConnectors, gw);
  const base: PlanBase = {
    snapshot,
    profile,
    gateway: gw,
    tenant: t,
    connectors: t.inboundConnectors ?? [],
    rules: t.transportRules ?? [],
    lockdown: { connector: choice.connector, name: choice.name, certificate: gw.certificate },
    flowSources: flowSources(existingFlows(snapshot, gw, profile), warnings),
  };
  const untied = untiedCertificateLockdown(base);
  if (untied !== undefined) return { ok: false, blocked: untied, warnings };

  // What spans stages, decided once and in stage order, so each stage module reads it rather than recomputing it.
  const sources = admitDeclaredSources(base);
  return {
    ok: true,
    ctx: {
      ...base,
      sources,
      safetyNet: safetyNetTarget(base.rules),
      competing: competingConnectors(base, sources),
      warnings,
      notes: { 0: [], 1: [], 2: [], 3: [], 4: [], 5: [] },
      drafts: [],
    },
  };
}

export function planChanges(input: PlanInput): PlanDraft {
  const made = planContext(input);
  if (!made.ok) return { stages: [], warnings: made.warnings, blocked: made.blocked };
  const { ctx } = made;
  for (const stage of STAGES) stage.draft(ctx);
  return {
    stages: resolveStages(STAGES, ctx.drafts, input.snapshot, ctx.notes),
    warnings: [...new Set(ctx.warnings)],
  };
}
