/**
 * The tenant an export describes, as exported or after the plan's runnable stages: the one place `probe --export`
 * (its prediction) and `emulate` (its answers) build it, so the two always rehearse the same tenant (issue 11).
 */
import { assessExport } from '../assess-export.js';
import type { ResolvedGateway } from '../common/gateway.js';
import type { DnsZone } from '../common/zone.js';
import { ConfigError } from '../errors.js';
import { buildPlan } from '../plan/index.js';
import { resolveGateway } from '../profile/infer.js';
import { EMPTY_PROFILE, type Profile } from '../profile/schema.js';
import type { Snapshot } from '../snapshot/types.js';

export interface ExportTenantOptions {
  profilePath?: string | undefined;
  offline?: boolean | undefined;
  dnsServers?: readonly string[] | undefined;
  /** The tenant after the plan (`mxlock plan`), as `simulate --after-plan` shows it. */
  afterPlan?: boolean | undefined;
  now?: Date | undefined;
  log?: ((line: string) => void) | undefined;
}

export interface ExportTenant {
  /** The export, or the tenant after the plan's runnable stages. */
  snapshot: Snapshot;
  /** The profile found (undefined without one). */
  profile: Profile | undefined;
  gateway: ResolvedGateway;
  zone: DnsZone | undefined;
  acceptedDomains: readonly string[];
  initialDomain: string | undefined;
  /** Which state this is: "the configuration", "the configuration after the plan". */
  label: string;
}

export async function exportTenant(exportPath: string, o: ExportTenantOptions = {}): Promise<ExportTenant> {
  const now = o.now ?? new Date();
  const result = await assessExport(exportPath, {
    profilePath: o.profilePath,
    offline: o.offline,
    dnsServers: o.dnsServers,
    now,
    ...(o.log ? { log: o.log } : {}),
  });
  const gateway = resolveGateway(result.profile, result.snapshot);
  let snapshot = result.snapshot;
  let label = 'the configuration';
  if (o.afterPlan) {
    const built = buildPlan({
      snapshot,
      profile: result.profile ?? EMPTY_PROFILE,
      gateway,
      report: result.report,
      zone: result.zone,
      now,
    });
    if (!built.ok) throw new ConfigError(`cannot plan: ${built.reason}`);
    const refusal = built.checked.plan.refusal;
    if (refusal)
      o.log?.(
        `the plan stops before stage ${refusal.stage}: the tenant after the stages before it (${refusal.explanation})`,
      );
    snapshot = built.checked.afterSnapshot;
    label = 'the configuration after the plan';
  }
  return {
    snapshot,
    profile: result.profile,
    gateway,
    zone: result.zone,
    acceptedDomains: result.report.tenant.acceptedDomains,
    initialDomain: result.report.tenant.initialDomain ?? undefined,
    label,
  };
}
