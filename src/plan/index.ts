/** The plan pipeline: draft the changes, check every stage with the simulator, gather DNS proposals and warnings. */
import type { DnsZone } from '../common/zone.js';
import { spfInventory, type SpfDirectSendCandidate } from '../dns/direct-send-inventory.js';
import { IpSet } from '../common/ip.js';
import { buildTenant } from '../model/tenant.js';
import type { ResolvedGateway } from '../common/gateway.js';
import type { Profile } from '../profile/schema.js';
import type { Report } from '../report/model.js';
import type { Snapshot } from '../snapshot/types.js';
import { assessSnapshot } from '../assess.js';
import { planChanges } from './planner.js';
import { checkPlan, type CheckedPlan } from './safety.js';

export { applyAll, applyChange, revertAll, revertChange } from './model.js';
export { planChanges } from './planner.js';
export { checkPlan, planNeedsAttention, type CheckedPlan } from './safety.js';
export { renderPlanFiles, renderPlanMarkdown, renderRollback, renderStageScript } from './render.js';
export type {
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

export interface BuildPlanInput {
  snapshot: Snapshot;
  profile: Profile;
  gateway: ResolvedGateway;
  /** The assess report of the same snapshot: DNS proposals and Direct Send candidates come from its findings. */
  report: Report;
  zone?: DnsZone | undefined;
  now?: Date;
}

export type BuildPlanResult = { ok: true; checked: CheckedPlan } | { ok: false; reason: string };

/** `name. IN TYPE value [; note]` as a proposal line writes it; a TXT value is quoted strings, which may hold `;`. */
const RECORD_LINE =
  /^#\s{3}(\S+?)\.? IN (TXT|CNAME|MX) ("(?:[^"\\]|\\.)*"(?:\s+"(?:[^"\\]|\\.)*")*|[^;]*?)\s*(?:;\s*(.*))?$/;

/**
 * DNS records the dns.* findings propose (`#   name. IN TXT "…"` lines of their remediation), one per name and type:
 * several checks may propose the same record (dns.dmarc-policy and dns.dmarc-reporting both write `_dmarc.<domain>`,
 * from one function), and publishing a second TXT there would void it (two DMARC or SPF records). Each record is
 * written once, after a comment naming every finding that proposes it; a different value proposed for the same name
 * and type stays a comment for the administrator to settle, never a second record.
 */
export function proposedDnsRecords(report: Pick<Report, 'findings'>): string[] {
  interface Proposal {
    name: string;
    type: string;
    value: string;
    note: string | undefined;
    findings: { id: string; title: string }[];
    others: { id: string; value: string }[];
  }
  const byKey = new Map<string, Proposal>();
  for (const f of report.findings) {
    // Only what a check wrote for this tenant: a generic template (yourcompany.com) is never a record to publish, and a
    // passing check may still propose the guide's next step (dns.dmarc-policy at p=quarantine: p=reject).
    if (!f.id.startsWith('dns.') || f.tailored !== true || f.status === 'waived') continue;
    for (const line of f.remediation.powershell.split('\n')) {
      const m = RECORD_LINE.exec(line);
      if (!m) continue;
      const [, name = '', type = '', value = '', note] = m;
      const key = `${name.toLowerCase()} ${type}`;
      const p = byKey.get(key);
      if (!p) {
        byKey.set(key, { name, type, value, note, findings: [{ id: f.id, title: f.title }], others: [] });
        continue;
      }
      if (!p.findings.some((x) => x.id === f.id)) p.findings.push({ id: f.id, title: f.title });
      if (value !== p.value && !p.others.some((o) => o.value === value)) p.others.push({ id: f.id, value });
    }
  }
  const out: string[] = [];
  for (const p of byKey.values()) {
    out.push(
      `; ${p.findings.map((x) => x.id).join(', ')}: ${p.findings.map((x) => x.title).join('; ')}`,
      `${p.name}. IN ${p.type} ${p.value}${p.note ? ` ; ${p.note}` : ''}`,
      ...p.others.map(
        (o) =>
          `; ${o.id} proposes another value for ${p.name} ${p.type}, not written (settle which one): ${o.value}`,
      ),
    );
  }
  return out;
}

/**
 * The SPF candidates of the inventory (hardening guide step 1) that no declared source covers: the plan admits declared
 * sources only, so these break at the lock-down unless declared (or routed through the gateway). A candidate whose
 * addresses could not be listed (macros, missing DNS) is kept: it cannot be shown to be declared.
 */
export function undeclaredCandidates(
  candidates: readonly SpfDirectSendCandidate[],
  profile: Profile,
): SpfDirectSendCandidate[] {
  const declared = new IpSet(profile.directSendSources.flatMap((s) => s.ips));
  return candidates.filter((c) => c.uncovered.length === 0 || !c.uncovered.every((a) => declared.covers(a)));
}

export function buildPlan(input: BuildPlanInput): BuildPlanResult {
  const draft = planChanges(input);
  if (draft.blocked) return { ok: false, reason: draft.blocked };
  const warnings = [...draft.warnings];
  const inventory = input.report.findings.find((f) => f.id === 'inventory.direct-send-sources');
  const spf = spfInventory({
    snapshot: input.snapshot,
    tenant: buildTenant(input.snapshot),
    gateway: input.gateway,
    dns: input.zone ?? input.snapshot.dns,
  });
  const undeclared = undeclaredCandidates(spf.candidates, input.profile).map((c) => c.line);
  if (undeclared.length > 0) {
    // The plan admits declared sources only; an SPF sender that a connector merely lists (exempt from RejectDirectSend
    // but satisfying no lock-down, CON-5 [D]) is one of these candidates, and breaks at stage 2 unless declared.
    warnings.push(
      'Direct Send senders the lock-down or RejectDirectSend would refuse (inventory.direct-send-sources): declare each real, undeclared one under directSendSources in mxlock.yaml so the plan admits it before the lock-down:',
      ...undeclared.map((e) => `  ${e}`),
    );
  }
  // Why (part of) the inventory could not be done: its own reasons, or the finding's when it stopped before SPF.
  const unknown =
    spf.unknown.length > 0 ? spf.unknown : inventory?.status === 'unknown' ? inventory.evidence : [];
  if (unknown.length > 0)
    warnings.push(
      `Direct Send candidates could not all be listed: ${unknown.join('; ')}. Check those SPF records for senders to declare`,
    );
  const checked = checkPlan({
    tenant: input.report.tenant.initialDomain ?? input.report.tenant.acceptedDomains[0] ?? 'tenant',
    snapshot: input.snapshot,
    profile: input.profile,
    gateway: input.gateway,
    stages: draft.stages,
    warnings,
    dnsRecords: proposedDnsRecords(input.report),
    ...(input.zone ? { zone: input.zone } : {}),
    ...(input.now ? { now: input.now } : {}),
  });
  // What the plan does not settle, on the model's state after every runnable stage: an administrator must see that
  // the work is not done when the last script has run (DNS records, policies the plan does not touch, refusals).
  const after = assessSnapshot(checked.afterSnapshot, {
    profile: input.profile,
    ...(input.zone ? { zone: input.zone } : {}),
    ...(input.now ? { now: input.now } : {}),
  }).report;
  checked.plan.remaining = after.findings
    .filter((f) => f.status === 'fail' || f.status === 'warn')
    .map((f) => ({ id: f.id, status: f.status, title: f.title }));
  return { ok: true, checked };
}
