/** The check contract (DESIGN §4, STYLE.md habit 2). */
import type { FindingStatus, Severity, VerdictStatus } from '../common/order.js';
import type { Profile } from '../profile/schema.js';
import type { CmdletName } from '../snapshot/schema.js';
import type { Snapshot, SnapshotObjects } from '../snapshot/types.js';
import type { Tenant } from '../model/tenant.js';
import type { PathResult } from '../model/paths.js';
import type { ResolvedGateway } from '../common/gateway.js';
import type { DnsZone } from '../common/zone.js';
import type { DnsReport } from '../dns/analyse.js';
import type { BenchmarkRef } from './benchmarks.js';

/** Hardening-guide step: 0 inventory, 1–5 the guide's steps, 6 monitoring. */
export type Step = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export interface Remediation {
  powershell: string;
  portal: string;
}

export interface CheckContext {
  snapshot: Snapshot;
  tenant: Tenant;
  profile: Profile;
  gateway: ResolvedGateway;
  /** Recorded or live DNS; undefined when DNS was not analysed. */
  dns: DnsZone | undefined;
  /** The standard paths already simulated (DESIGN §5). */
  paths: readonly PathResult[];
  /** SPF/DMARC/DKIM/MX analysis of the tenant's own domains; undefined when DNS was not analysed. */
  dnsReport?: DnsReport | undefined;
  /**
   * What every registered check declares (src/checks/registry.ts), for the checks about the run itself:
   * inventory.snapshot-complete names from it the checks a missing export leaves unknown. Passed in, not imported,
   * because that check is itself in the registry.
   */
  catalog: readonly CheckDeclaration[];
}

/** What a check returns; waivers are applied by the runner. */
export interface CheckOutcome {
  status: VerdictStatus;
  evidence: string[];
  /** Overrides the check's severity for this tenant (e.g. critical when an own domain is allowed). */
  severity?: Severity;
  /** Overrides or completes the remediation with tenant-specific commands. */
  remediation?: Remediation;
}

/** Every evidence line may name an object by these; they are implied for every export and never declared. */
export type NamingProperty = 'Name' | 'Identity';

/** A property of one export's objects that a check can declare it reads. */
export type ExportProperty<K extends CmdletName> = Exclude<keyof SnapshotObjects[K] & string, NamingProperty>;

/**
 * What a check reads (DESIGN §4), directly or through `ctx.tenant`: per export, the properties of its objects (`[]`:
 * only which objects exist), or `'all'`; `dns: true` when it reads the DNS of the tenant's domains (`ctx.dns`,
 * `ctx.dnsReport`: dns.json offline, live answers otherwise). The resolved gateway, the profile and the simulated paths
 * are inputs of their own and are not declared. inventory.snapshot-complete's "checks left unknown" is derived from it
 * (src/checks/catalog.ts); test/checks/declarations.test.ts drops exports and strips undeclared properties to keep it
 * exact.
 */
export type Reads = { readonly [K in CmdletName]?: readonly ExportProperty<K>[] | 'all' } & {
  readonly dns?: true;
};

/**
 * The rows of the hardening guide's final checklist. Their titles, order and kinds (how a row weighs its checks:
 * all must pass for `done`, or a failure only proves it `open`) are in src/report/checklist.ts.
 */
export type ChecklistRowId =
  | 'checklist.direct-send-inventory'
  | 'checklist.backup'
  | 'checklist.connector-lockdown'
  | 'checklist.reject-direct-send'
  | 'checklist.safety-net-rule'
  | 'checklist.email-authentication'
  | 'checklist.antiphish'
  | 'checklist.enhanced-filtering'
  | 'checklist.tests'
  | 'checklist.monitoring';

export interface Check {
  id: string;
  step: Step;
  title: string;
  severity: Severity;
  references: string[];
  remediation: Remediation;
  /**
   * Only meaningful when mail passes a gateway (the lock-down, the safety net, Enhanced Filtering): the runner makes it
   * `not-applicable` for a tenant with no gateway and `unknown` when whether there is one is unknown, without calling
   * `evaluate` (one decision in one place, src/assess.ts `runCheck`).
   */
  requiresGateway?: true;
  /** The exports (and their properties) the check reads: see `Reads`. */
  reads: Reads;
  /**
   * The final-checklist row this check rests on, when one does. The row's kind says how it counts: on a `findings`
   * row it must pass for the row to be `done`; on an `open-only` row (monitoring) a failure proves the row `open`, but
   * a pass cannot prove it `done`.
   */
  checklist?: ChecklistRowId;
  evaluate(ctx: CheckContext): CheckOutcome;
}

/** A check without its code: what the catalogue, inventory.snapshot-complete and the reporters derive lists from. */
export type CheckDeclaration = Pick<Check, 'id' | 'reads' | 'checklist'>;

export interface Finding {
  id: string;
  status: FindingStatus;
  severity: Severity;
  step: Step;
  title: string;
  evidence: string[];
  remediation: Remediation;
  references: string[];
  /** The benchmark ids the check is mapped to (src/checks/benchmarks.ts), only cited ones (DESIGN §3.3). */
  benchmarks: BenchmarkRef[];
  /**
   * The remediation was written for this tenant (the check returned one), not the check's generic template: the plan
   * takes DNS records to propose only from these. Not part of the JSON report.
   */
  tailored?: true;
}
