/**
 * `mxlock diff <old> <new>` (issue 12 item 6): drift between two assessed exports, as regressions, improvements and
 * other changes (DESIGN §3.4). Findings and paths come from the two reports (each assessed by `assess`'s pipeline),
 * objects from the two snapshots (objects.ts). Every value is judged by drift.ts's one rule. Pure.
 */
import type { FindingStatus } from '../common/order.js';
import { rank, SEVERITY_ORDER } from '../common/order.js';
import type { PathStatus } from '../model/types.js';
import type { Report, ReportFinding, ReportPath } from '../report/model.js';
import { compareIds } from '../common/order.js';
import { driftOf, type DiffEntry, type Drift, type Grade } from './drift.js';
import { compareObjects, type DiffSide } from './objects.js';

/** One export, assessed. */
export interface AssessedSide extends DiffSide {
  report: Report;
}

/** What `diff` compares of a report (verdict, paths, findings): a whole report, or the state a fleet run kept of one. */
export interface ReportState {
  verdict: Pick<Report['verdict'], 'bypass' | 'legitimateFlows'>;
  paths: readonly PathState[];
  findings: readonly FindingState[];
}
export type PathState = Pick<ReportPath, 'id' | 'kind' | 'status'>;
export type FindingState = Pick<ReportFinding, 'id' | 'status' | 'severity'>;

export interface DiffResult {
  regressions: DiffEntry[];
  improvements: DiffEntry[];
  changes: DiffEntry[];
}

// --- Findings ---

/**
 * pass, info and not-applicable are safe; warn is better than fail; unknown is unknown (never safe, DESIGN §1.1).
 * `waived` is an accepted risk: moving into or out of it is reported as a change, never judged.
 */
const FINDING_GRADES: Partial<Record<FindingStatus, Grade>> = {
  pass: { rank: 0, good: true },
  info: { rank: 0, good: true },
  'not-applicable': { rank: 0, good: true },
  warn: { rank: 1, good: false },
  fail: { rank: 2, good: false },
};

function findingText(f: FindingState): string {
  return f.status === 'fail' || f.status === 'warn' ? `${f.status} (${f.severity})` : f.status;
}

function findingDrift(b: FindingState, a: FindingState): Drift | undefined {
  if (b.status === a.status) {
    // Still failing, at another severity (antispam.allowed-senders is critical for an own domain).
    if ((a.status !== 'fail' && a.status !== 'warn') || b.severity === a.severity) return undefined;
    return rank(SEVERITY_ORDER, a.severity) < rank(SEVERITY_ORDER, b.severity) ? 'regression' : 'improvement';
  }
  if (b.status === 'waived' || a.status === 'waived') return 'change';
  // Within the safe statuses (pass ↔ info ↔ not-applicable) nothing moved that matters.
  return driftOf(FINDING_GRADES[b.status], FINDING_GRADES[a.status]);
}

export function compareFindings(
  before: readonly FindingState[],
  after: readonly FindingState[],
): DiffEntry[] {
  const was = new Map(before.map((f) => [f.id, f]));
  const out: DiffEntry[] = [];
  for (const a of after) {
    const b = was.get(a.id);
    // A check only one side ran (another mxlock version's catalogue) is compared with nothing: a failing one is new.
    const drift = b ? findingDrift(b, a) : driftOf(FINDING_GRADES.pass, FINDING_GRADES[a.status]);
    if (drift)
      out.push({
        kind: 'finding',
        id: a.id,
        before: b ? findingText(b) : 'absent',
        after: findingText(a),
        drift,
      });
  }
  return out;
}

// --- Paths and the verdict (DESIGN §5) ---

/**
 * Attack and residual paths: closed, then mitigated (accepted, then NDR/quarantine), both safe; open is not; uncertain
 * is unknown. Legitimate paths: preserved safe, broken not, uncertain unknown.
 */
const PATH_GRADES: Partial<Record<PathStatus, Grade>> = {
  closed: { rank: 0, good: true },
  mitigated: { rank: 1, good: true },
  open: { rank: 2, good: false },
  preserved: { rank: 0, good: true },
  broken: { rank: 2, good: false },
};

function pathDrift(b: PathState | undefined, a: PathState | undefined): Drift | undefined {
  // A path on one side only (a connector or declared source added or removed): new, it is judged from nothing; gone,
  // it is a change (the object drift says what went).
  if (!b) return a && PATH_GRADES[a.status]?.good === true ? 'change' : 'regression';
  if (!a) return 'change';
  if (b.status === a.status) return undefined;
  return driftOf(PATH_GRADES[b.status], PATH_GRADES[a.status]);
}

export function comparePaths(before: readonly PathState[], after: readonly PathState[]): DiffEntry[] {
  const was = new Map(before.map((p) => [p.id, p]));
  const now = new Map(after.map((p) => [p.id, p]));
  const out: DiffEntry[] = [];
  for (const id of new Set([...was.keys(), ...now.keys()])) {
    const b = was.get(id);
    const a = now.get(id);
    const drift = pathDrift(b, a);
    if (drift)
      out.push({
        kind: 'path',
        id,
        before: b ? `${b.status} (${b.kind})` : 'absent',
        after: a ? `${a.status} (${a.kind})` : 'absent',
        drift,
      });
  }
  return out;
}

type Verdict = ReportState['verdict'];

function compareVerdicts(b: Verdict, a: Verdict): DiffEntry[] {
  const out: DiffEntry[] = [];
  const bypass = (v: Verdict['bypass']): Grade | undefined =>
    v === 'closed' ? { rank: 0, good: true } : v === 'open' ? { rank: 1, good: false } : undefined;
  if (b.bypass !== a.bypass) {
    // `no-gateway` is another kind of tenant, not a better or worse one (DESIGN §3.3): a change.
    const drift =
      b.bypass === 'no-gateway' || a.bypass === 'no-gateway'
        ? 'change'
        : driftOf(bypass(b.bypass), bypass(a.bypass));
    if (drift) out.push({ kind: 'path', id: 'verdict.bypass', before: b.bypass, after: a.bypass, drift });
  }
  if (b.legitimateFlows !== a.legitimateFlows) {
    const drift = driftOf(PATH_GRADES[b.legitimateFlows], PATH_GRADES[a.legitimateFlows]);
    if (drift)
      out.push({
        kind: 'path',
        id: 'verdict.legitimate-flows',
        before: b.legitimateFlows,
        after: a.legitimateFlows,
        drift,
      });
  }
  return out;
}

// --- All of it ---

const KIND_ORDER: readonly DiffEntry['kind'][] = ['path', 'object', 'finding'];

/** Paths first (what reaches the mailboxes), then objects, then findings; by id within a kind. */
function order(a: DiffEntry, b: DiffEntry): number {
  return rank(KIND_ORDER, a.kind) - rank(KIND_ORDER, b.kind) || compareIds(a.id, b.id);
}

function split(all: DiffEntry[]): DiffResult {
  all.sort(order);
  return {
    regressions: all.filter((e) => e.drift === 'regression'),
    improvements: all.filter((e) => e.drift === 'improvement'),
    changes: all.filter((e) => e.drift === 'change'),
  };
}

function reportEntries(before: ReportState, after: ReportState): DiffEntry[] {
  return [
    ...compareVerdicts(before.verdict, after.verdict),
    ...comparePaths(before.paths, after.paths),
    ...compareFindings(before.findings, after.findings),
  ];
}

export function diffAssessments(before: AssessedSide, after: AssessedSide): DiffResult {
  return split([...reportEntries(before.report, after.report), ...compareObjects(before, after)]);
}

/**
 * The drift of the verdict, the paths and the findings alone, for a side known only by its report state (an earlier
 * `assess --fleet` summary keeps no snapshot): the same judgements as `diffAssessments`, without the objects.
 */
export function diffReportStates(before: ReportState, after: ReportState): DiffResult {
  return split(reportEntries(before, after));
}

/** DESIGN §2 exit codes for `diff`: 1 on any regression. */
export function diffExitCode(result: DiffResult): 0 | 1 {
  return result.regressions.length > 0 ? 1 : 0;
}
