/**
 * `assess`: the pipeline of DESIGN §1 principle 5 — snapshot → facts → checks + simulation → findings → report.
 * Pure once the snapshot and profile are loaded; `assessExport` is the I/O wrapper the CLI uses.
 */
import { CHECKS } from './checks/registry.js';
import { benchmarksOf } from './checks/benchmarks.js';
import type { Check, CheckContext, CheckOutcome, Finding } from './checks/types.js';
import { rank, SEVERITY_ORDER, sortById, type Severity } from './common/order.js';
import type { DnsReport } from './dns/analyse.js';
import { recordedAuthOracle } from './dns/oracle.js';
import type { DnsZone } from './common/zone.js';
import { compileConfig, type AuthOracle, type SimConfig } from './model/config.js';
import { connectorFlows, type ConnectorFlow } from './model/flows.js';
import { spfNetworksOfZone } from './dns/spf/analyse.js';
import {
  evaluatePathsInOrder,
  evaluatePaths,
  standardPaths,
  verdictOf,
  type PathResult,
  type StandardPath,
} from './model/paths.js';
import { buildTenant } from './model/tenant.js';
import { mxPointsToEop, resolveGateway } from './profile/infer.js';
import { hasGateway, type ResolvedGateway } from './common/gateway.js';
import { EMPTY_PROFILE, type Profile } from './profile/schema.js';
import { buildChecklist } from './report/checklist.js';
import { toReportPath, type Report, type ReportFinding, type ReportPath } from './report/model.js';
import { lackingExports } from './snapshot/partial.js';
import type { Snapshot } from './snapshot/types.js';
import { VERSION } from './version.js';

export interface AssessOptions {
  /** The profile, when one was given or found; undefined = infer everything. */
  profile?: Profile | undefined;
  /** Used only to decide rules with ActivationDate/ExpiryDate. */
  now?: Date;
  /** Adds `generatedAt` to the report. */
  timestamp?: Date;
  /** The DNS analysis of the tenant's domains (src/dns/tenant.ts); without it the dns.* checks are unknown. */
  dns?: DnsReport | undefined;
  /** Recorded answers for the simulator's SPF/DMARC evaluation; default: the export's dns.json. */
  zone?: DnsZone | undefined;
}

export interface AssessResult {
  report: Report;
  /** Diagnostics for stderr (unknown waiver ids, encoding guesses…). */
  warnings: string[];
}

export function severityAtLeast(s: Severity, threshold: Severity): boolean {
  return rank(SEVERITY_ORDER, s) <= rank(SEVERITY_ORDER, threshold);
}

/**
 * The outcome of a gateway-only check when no gateway is known (DESIGN §3.3): not applicable, for a known reason, when
 * the tenant has none; unknown when mxlock cannot tell (principle 1: unknown is never `not-applicable`, never done).
 */
function withoutGateway(gateway: ResolvedGateway): CheckOutcome | undefined {
  if (gateway.source === 'none')
    return {
      status: 'not-applicable',
      evidence: [
        `no gateway: ${gateway.basis.join('; ') || 'none declared or inferred'}; this applies only to mail that passes a gateway before Exchange Online`,
      ],
    };
  if (gateway.source === 'unknown')
    return {
      status: 'unknown',
      evidence: [
        `whether mail passes a gateway is unknown (${gateway.basis.join('; ') || 'nothing declared or inferred'}): declare the gateway in mxlock.yaml (gateway.ips, gateway.certificate) to judge this`,
      ],
    };
  return undefined;
}

function runCheck(check: Check, ctx: CheckContext, waivers: ReadonlyMap<string, string>): Finding {
  let outcome;
  try {
    outcome = (check.requiresGateway ? withoutGateway(ctx.gateway) : undefined) ?? check.evaluate(ctx);
  } catch (err) {
    // A check that throws is a bug; it must not turn into a pass or abort the audit.
    outcome = {
      status: 'unknown' as const,
      evidence: [`check failed internally: ${err instanceof Error ? err.message : String(err)}`],
    };
  }
  const finding: Finding = {
    id: check.id,
    status: outcome.status,
    severity: outcome.severity ?? check.severity,
    step: check.step,
    title: check.title,
    evidence: outcome.evidence,
    remediation: outcome.remediation ?? check.remediation,
    ...(outcome.remediation !== undefined ? { tailored: true as const } : {}),
    references: check.references,
    benchmarks: benchmarksOf(check.id),
  };
  const waiver = waivers.get(check.id);
  if (
    waiver !== undefined &&
    (finding.status === 'fail' || finding.status === 'warn' || finding.status === 'unknown')
  ) {
    finding.evidence = [...finding.evidence, `waived (was ${finding.status}): ${waiver}`];
    finding.status = 'waived';
  }
  return finding;
}

/**
 * The standard paths simulated for a snapshot (DESIGN §5): one place that builds the simulator's configuration, so
 * `assess`, `plan` and `simulate` judge before and after states with the same engine.
 */
export function simulatePaths(
  snapshot: Snapshot,
  profile: Profile,
  gateway: ResolvedGateway,
  options: Pick<AssessOptions, 'zone' | 'now'> & {
    /** The flows of the connectors in place before a change (path.connector:*), kept across the plan's states. */
    flows?: readonly ConnectorFlow[];
  } = {},
): PathResult[] {
  const cfg = configFor(snapshot, gateway, options);
  const flows = options.flows ?? existingFlows(snapshot, gateway, profile, options.zone);
  return evaluatePaths(cfg, profile, gateway, lackingExports(snapshot), flows);
}

/** The mail flows the snapshot's own inbound connectors carry (DESIGN §5 `path.connector:<name>`). */
export function existingFlows(
  snapshot: Snapshot,
  gateway: ResolvedGateway,
  profile: Pick<Profile, 'hybrid'>,
  zone?: DnsZone,
): ConnectorFlow[] {
  const hybrid = profile.hybrid
    ? { ips: profile.hybrid.ips, certificate: profile.hybrid.certificate ?? undefined }
    : undefined;
  return connectorFlows(
    snapshot.data['Get-InboundConnector'],
    hasGateway(gateway) ? gateway : undefined,
    (d) => spfNetworksOfZone(zone ?? snapshot.dns, d),
    hybrid,
  );
}

/**
 * The authentication oracle over the zone `options` name (default: the export's dns.json): what configFor makes for
 * each configuration. A caller that simulates several configurations over the same zone makes one and passes it to
 * each (`auth`), so that every verdict is computed once.
 */
export function authOracleFor(snapshot: Snapshot, options: Pick<AssessOptions, 'zone'>): AuthOracle {
  return recordedAuthOracle(options.zone ?? snapshot.dns);
}

/** What configFor and attemptSimulator take: the zone, the time, and optionally an oracle made by authOracleFor. */
export type SimulatorOptions = Pick<AssessOptions, 'zone' | 'now'> & { auth?: AuthOracle | undefined };

/** The simulator's configuration for a snapshot, built once the same way for every caller (the emulator too). */
export function configFor(
  snapshot: Snapshot,
  gateway: ResolvedGateway,
  options: SimulatorOptions,
): SimConfig {
  const mx = mxPointsToEop(snapshot);
  // Without an MX answer: a known gateway means the MX is elsewhere [I]; no gateway means it is EOP's.
  const mxEop = mx ?? (hasGateway(gateway) ? false : gateway.source === 'none' ? true : undefined);
  return compileConfig({
    tenant: buildTenant(snapshot),
    tablSpoof: snapshot.data['Get-TenantAllowBlockListSpoofItems'],
    mxPointsToEop: mxEop,
    mxBasis:
      mx !== undefined
        ? 'MX records'
        : hasGateway(gateway)
          ? 'a gateway is declared or inferred [I]'
          : gateway.source === 'none'
            ? 'every MX of the accepted domains points at Exchange Online'
            : 'unknown',
    auth: options.auth ?? authOracleFor(snapshot, options),
    ...(options.now ? { now: options.now } : {}),
  });
}

/**
 * The standard paths of a snapshot as `simulatePaths` tries them (DESIGN §5), for a caller that makes the same attempts
 * elsewhere: the live probe sends them and predicts each with `simulateAttempts`.
 */
export function standardPathsFor(
  snapshot: Snapshot,
  profile: Profile,
  gateway: ResolvedGateway,
  options: Pick<AssessOptions, 'zone' | 'now'> = {},
): StandardPath[] {
  return standardPaths(configFor(snapshot, gateway, options), profile, gateway);
}

/**
 * A scenario file's attempts (or any list of paths) through the same engine as the standard paths, the results in the
 * order of `list` (result k is `list[k]`'s), not sorted by id: the impact replay (logs/impact.ts) pairs them with its
 * flows by position, and its ids sort as text (`flow:10` before `flow:2`).
 */
export function simulateAttempts(
  snapshot: Snapshot,
  gateway: ResolvedGateway,
  list: readonly StandardPath[],
  options: Pick<AssessOptions, 'zone' | 'now'> = {},
): PathResult[] {
  return attemptSimulator(snapshot, gateway, options)(list);
}

/**
 * simulateAttempts with the configuration compiled once (and its caches kept), for a caller that simulates a long list
 * part by part so as not to hold every result at once.
 */
export function attemptSimulator(
  snapshot: Snapshot,
  gateway: ResolvedGateway,
  options: SimulatorOptions & { evidence?: boolean } = {},
): (list: readonly StandardPath[]) => PathResult[] {
  const cfg = configFor(snapshot, gateway, options);
  const lacking = lackingExports(snapshot);
  const evidence = { evidence: options.evidence !== false };
  return (list) => evaluatePathsInOrder(cfg, list, lacking, evidence);
}

export function assessSnapshot(snapshot: Snapshot, options: AssessOptions = {}): AssessResult {
  const profile = options.profile ?? EMPTY_PROFILE;
  const warnings = [...snapshot.warnings];
  const tenant = buildTenant(snapshot);
  const gateway = resolveGateway(options.profile, snapshot);
  for (const c of gateway.cautions ?? []) warnings.push(`gateway: ${c}`);
  const paths = simulatePaths(snapshot, profile, gateway, options);
  const ctx: CheckContext = {
    snapshot,
    tenant,
    profile,
    gateway,
    dns: options.zone ?? snapshot.dns,
    paths,
    dnsReport: options.dns,
    catalog: CHECKS,
  };

  const waivers = new Map(profile.waivers.map((w) => [w.id, w.reason]));
  const known = new Set(CHECKS.map((c) => c.id));
  for (const id of waivers.keys())
    if (!known.has(id)) warnings.push(`profile waiver for unknown check id "${id}" ignored`);
  const findings: ReportFinding[] = sortById(CHECKS.map((c) => runCheck(c, ctx, waivers)));

  const reportPaths: ReportPath[] = paths.map(toReportPath);
  const present = (n: string) => snapshot.data[n as keyof Snapshot['data']] !== undefined;
  const report: Report = {
    schemaVersion: 1,
    tool: { name: 'mxlock', version: VERSION },
    tenant: {
      initialDomain: tenant.initialDomain ?? null,
      acceptedDomains: [...tenant.domainNames].sort(),
    },
    gateway: {
      source: gateway.source,
      name: gateway.name ?? null,
      ips: gateway.ips,
      certificate: gateway.certificate ?? null,
    },
    verdict: verdictOf(paths, gateway, lackingExports(snapshot)),
    paths: reportPaths,
    findings,
    checklist: buildChecklist(findings, reportPaths, {
      backup:
        present('Get-OrganizationConfig') && present('Get-InboundConnector') && present('Get-TransportRule'),
    }),
  };
  if (options.timestamp) report.generatedAt = options.timestamp.toISOString();
  return { report, warnings };
}

/** Exit code per DESIGN §2: 1 when the bypass is open or a failing finding is at or above `failOn`. */
export function exitCodeFor(report: Report, failOn: Severity | 'none'): 0 | 1 {
  if (failOn === 'none') return 0;
  if (report.verdict.bypass === 'open') return 1;
  return report.findings.some((f) => f.status === 'fail' && severityAtLeast(f.severity, failOn)) ? 1 : 0;
}
