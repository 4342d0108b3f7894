/** The check contract (DESIGN §4, STYLE.md habit 2). */
import type { Profile } from '../profile/schema.js';
import type { Snapshot } from '../snapshot/types.js';
import type { Tenant } from '../model/tenant.js';
import type { PathResult } from '../model/paths.js';
import type { ResolvedGateway } from '../profile/gateway.js';
import type { DnsZone } from '../dns/zone.js';
import type { DnsReport } from '../dns/analyse.js';

export type FindingStatus = 'pass' | 'fail' | 'warn' | 'info' | 'unknown' | 'waived' | 'not-applicable';
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
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
}

/** What a check returns; waivers are applied by the runner. */
export interface CheckOutcome {
  status: Exclude<FindingStatus, 'waived'>;
  evidence: string[];
  /** Overrides the check's severity for this tenant (e.g. critical when an own domain is allowed). */
  severity?: Severity;
  /** Overrides or completes the remediation with tenant-specific commands. */
  remediation?: Remediation;
}

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
  evaluate(ctx: CheckContext): CheckOutcome;
}

export interface Finding {
  id: string;
  status: FindingStatus;
  severity: Severity;
  step: Step;
  title: string;
  evidence: string[];
  remediation: Remediation;
  references: string[];
}
