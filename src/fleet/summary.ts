/**
 * `mxlock assess --fleet` (issue 14 item 5): the summary of one tenant's assessment as the fleet run keeps it (counts,
 * the verdict, and the report state the next run compares with), the fleet's totals and exit code, and the reading of
 * an earlier run's JSON (`--previous`). What changed is judged by src/diff, never here. Pure.
 */
import { z } from 'zod';
import { FINDING_STATUS_ORDER, SEVERITY_ORDER, type Severity } from '../common/order.js';
import { type DiffResult, type FindingState, type PathState, type ReportState } from '../diff/compare.js';
import type { DiffEntry } from '../diff/drift.js';
import { InputError } from '../errors.js';
import { inlineSafe } from '../common/text.js';
import type { PathStatus } from '../model/types.js';
import type { Report } from '../report/model.js';
import { compareIds } from '../common/order.js';
import { PATH_KIND_ORDER } from '../report/text.js';

/** Where the DNS facts of every tenant came from: each export's dns.json (default), or live lookups (`--live-dns`). */
export type FleetDns = 'recorded' | 'live';

/** The severities a fleet line counts failing checks at (DESIGN §3.3 `severity`, `info` aside: it never fails a run). */
export const FLEET_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type FleetSeverity = (typeof FLEET_SEVERITIES)[number];

/** The run a tenant is compared with: an earlier `--fleet` JSON, or the dated export folder before the latest. */
export interface PreviousRun {
  /** The earlier fleet JSON or export folder, as given or found. */
  source: string;
  /** `absent`: the earlier fleet JSON has no entry for this tenant; `error`: it could not be assessed then. */
  status: 'ok' | 'error' | 'absent';
}

/** A DiffEntry as the fleet JSON writes it (DESIGN §3.4 `diff` entries): its drift is the list it is in. */
export type ChangeEntry = Omit<DiffEntry, 'drift'>;

export interface FleetChanges {
  regressions: ChangeEntry[];
  improvements: ChangeEntry[];
  changes: ChangeEntry[];
}

export interface FleetTenantOk {
  /** The tenant's folder name in the fleet folder (a bundle file's name without `.json`). */
  tenant: string;
  /** The export assessed: the tenant's folder, its latest dated subfolder, or its bundle file. */
  export: string;
  status: 'ok';
  initialDomain: string | null;
  verdict: ReportState['verdict'];
  /** Attack paths whose status is `open` (DESIGN §5): what reaches a mailbox around the gateway. */
  openPaths: string[];
  /** Findings whose status is `fail`, counted by severity. */
  failing: Record<FleetSeverity, number>;
  /** Findings whose status is `unknown`: never safe (DESIGN §1.1), so counted apart rather than hidden. */
  unknownChecks: number;
  /** What `mxlock assess` of this export alone would exit with at the run's --fail-on (0 or 1). */
  exitCode: 0 | 1;
  previous: PreviousRun | null;
  /** Since the previous run; null when there is none to compare with (none found, absent, or it failed then). */
  changes: FleetChanges | null;
  /** What `assess` would print on stderr for this export (the profile used, encoding guesses, unknown waiver ids). */
  notes: string[];
  /** The report state the next run compares with (`--previous`): every path and every finding, by id. */
  paths: PathState[];
  findings: FindingState[];
}

export interface FleetTenantError {
  tenant: string;
  export: string;
  status: 'error';
  /** One line: what could not be read or judged, naming the file. */
  error: string;
  exitCode: 2;
}

export type FleetTenant = FleetTenantOk | FleetTenantError;

export interface FleetSummary {
  schemaVersion: 1;
  tool: { name: 'mxlock'; version: string };
  fleet: string;
  dns: FleetDns;
  failOn: Severity | 'none';
  /** The earlier fleet JSON given with --previous, or null. */
  previous: string | null;
  totals: {
    tenants: number;
    ok: number;
    error: number;
    bypass: Record<Report['verdict']['bypass'], number>;
    /** Tenants with at least one regression since their previous run. */
    withRegressions: number;
  };
  /** Tenants of the --previous run that are not in the folder any more (their export may have failed to arrive). */
  gone: string[];
  tenants: FleetTenant[];
  generatedAt?: string;
}

/** What the next run compares with: the verdict, and each path and finding by id (sorted, as the report sorts them). */
export function reportState(report: Report): ReportState & { paths: PathState[]; findings: FindingState[] } {
  return {
    verdict: { bypass: report.verdict.bypass, legitimateFlows: report.verdict.legitimateFlows },
    paths: report.paths.map((p) => ({ id: p.id, kind: p.kind, status: p.status })),
    findings: report.findings.map((f) => ({ id: f.id, status: f.status, severity: f.severity })),
  };
}

function plainChanges(result: DiffResult): FleetChanges {
  const plain = ({ drift: _drift, ...rest }: DiffEntry): ChangeEntry => rest;
  return {
    regressions: result.regressions.map(plain),
    improvements: result.improvements.map(plain),
    changes: result.changes.map(plain),
  };
}

/** One tenant's summary line from its report; `changes` from src/diff when a previous run was compared. */
export function summariseTenant(
  tenant: { name: string; export: string },
  report: Report,
  facts: {
    exitCode: 0 | 1;
    notes: readonly string[];
    previous: PreviousRun | null;
    changes: DiffResult | undefined;
  },
): FleetTenantOk {
  const failing: Record<FleetSeverity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  let unknownChecks = 0;
  for (const f of report.findings) {
    if (f.status === 'unknown') unknownChecks++;
    if (f.status === 'fail' && f.severity !== 'info') failing[f.severity]++;
  }
  const state = reportState(report);
  return {
    tenant: tenant.name,
    export: tenant.export,
    status: 'ok',
    initialDomain: report.tenant.initialDomain,
    verdict: state.verdict,
    openPaths: report.paths.filter((p) => p.kind === 'attack' && p.status === 'open').map((p) => p.id),
    failing,
    unknownChecks,
    exitCode: facts.exitCode,
    previous: facts.previous,
    changes: facts.changes ? plainChanges(facts.changes) : null,
    notes: [...facts.notes],
    paths: state.paths,
    findings: state.findings,
  };
}

/**
 * The fleet's exit code: 2 when no tenant could be assessed (an empty folder included: nothing was judged, which is
 * never a pass); 1 when any tenant's own `assess` would exit 1 (an open bypass, a failing finding at or above
 * --fail-on) or any tenant could not be assessed; else 0. Regressions since the previous run are reported, and they
 * fail the run only through what they make fail.
 */
export function fleetExitCode(tenants: readonly FleetTenant[]): 0 | 1 | 2 {
  if (!tenants.some((t) => t.status === 'ok')) return 2;
  return tenants.some((t) => t.exitCode !== 0) ? 1 : 0;
}

/** The totals line of the summary. */
export function fleetTotals(tenants: readonly FleetTenant[]): FleetSummary['totals'] {
  const bypass: FleetSummary['totals']['bypass'] = { open: 0, uncertain: 0, closed: 0, 'no-gateway': 0 };
  let ok = 0;
  let withRegressions = 0;
  for (const t of tenants) {
    if (t.status !== 'ok') continue;
    ok++;
    bypass[t.verdict.bypass]++;
    if ((t.changes?.regressions.length ?? 0) > 0) withRegressions++;
  }
  return { tenants: tenants.length, ok, error: tenants.length - ok, bypass, withRegressions };
}

/** Tenants sorted by name (code-point order, as ids are), so a run's output does not depend on the disk's order. */
export function sortTenants<T extends { tenant: string }>(tenants: T[]): T[] {
  return tenants.sort((a, b) => compareIds(a.tenant, b.tenant));
}

// --- Reading an earlier run (--previous) ---

/**
 * The vocabularies of DESIGN §3.3, checked so a hand-edited summary cannot smuggle in a status. The kinds and finding
 * statuses are the orders the reports list them in; the path statuses are named here, and the check below fails to
 * compile when PathStatus gains a value this list lacks.
 */
const PATH_STATUSES = [
  'open',
  'closed',
  'mitigated',
  'uncertain',
  'preserved',
  'broken',
] as const satisfies readonly PathStatus[];
const _everyPathStatus: [Exclude<PathStatus, (typeof PATH_STATUSES)[number]>] extends [never] ? true : never =
  true;
void _everyPathStatus;
const nonEmpty = <T>(list: readonly T[]) => list as [T, ...T[]];

const PreviousTenantSchema = z.discriminatedUnion('status', [
  z.looseObject({
    tenant: z.string(),
    status: z.literal('ok'),
    verdict: z.looseObject({
      bypass: z.enum(['open', 'closed', 'uncertain', 'no-gateway']),
      legitimateFlows: z.enum(['preserved', 'broken', 'uncertain']),
    }),
    paths: z.array(
      z.looseObject({
        id: z.string(),
        kind: z.enum(nonEmpty(PATH_KIND_ORDER)),
        status: z.enum(PATH_STATUSES),
      }),
    ),
    findings: z.array(
      z.looseObject({
        id: z.string(),
        status: z.enum(nonEmpty(FINDING_STATUS_ORDER)),
        severity: z.enum(nonEmpty(SEVERITY_ORDER)),
      }),
    ),
  }),
  z.looseObject({ tenant: z.string(), status: z.literal('error') }),
]);

const PreviousFleetSchema = z.looseObject({
  schemaVersion: z.literal(1),
  tenants: z.array(PreviousTenantSchema),
});

/** An earlier run's tenant: its report state, or null when it could not be assessed then. */
export type PreviousTenants = ReadonlyMap<string, ReportState | null>;

/**
 * An earlier `assess --fleet --format json` (its parsed JSON), by tenant name; an InputError naming the file and the
 * field when it is not one (an `assess` report of one tenant is named as such).
 */
export function parsePreviousFleet(value: unknown, file: string): PreviousTenants {
  const parsed = PreviousFleetSchema.safeParse(value);
  if (!parsed.success) {
    const single =
      value !== null && typeof value === 'object' && 'findings' in value && !('tenants' in value);
    if (single)
      throw new InputError(
        `${file}: an \`assess\` report of one tenant, not a fleet summary: give --previous the JSON of an earlier \`mxlock assess --fleet … --format json\``,
        file,
      );
    const issue = parsed.error.issues[0];
    const path = (issue?.path ?? [])
      .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`))
      .join('');
    throw new InputError(
      `${file}: ${path || '(root)'}: ${issue?.message ?? 'invalid'} (expected the JSON of an earlier \`mxlock assess --fleet … --format json\`)`,
      file,
      path,
    );
  }
  const out = new Map<string, ReportState | null>();
  for (const t of parsed.data.tenants) {
    if (out.has(t.tenant))
      throw new InputError(
        `${file}: tenants: "${inlineSafe(t.tenant)}" is given twice; keep one`,
        file,
        'tenants',
      );
    out.set(
      t.tenant,
      t.status === 'ok' ? { verdict: t.verdict, paths: t.paths, findings: t.findings } : null,
    );
  }
  return out;
}

/** The tenants of the previous run that this run did not see. */
export function goneSince(previous: PreviousTenants | undefined, tenants: readonly FleetTenant[]): string[] {
  if (!previous) return [];
  const now = new Set(tenants.map((t) => t.tenant));
  return [...previous.keys()].filter((t) => !now.has(t)).sort(compareIds);
}
