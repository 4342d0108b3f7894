/** The canonical report (DESIGN §3.3, schemaVersion 1). Every other format renders this. */
import type { Finding, Step } from '../checks/types.js';
import type { Disposition, PathKind, PathStatus, Stage } from '../model/types.js';
import type { DomainResult, PathResult, Verdict } from '../model/paths.js';
import type { GatewaySource } from '../common/gateway.js';
import type { BenchmarkFramework } from '../checks/benchmarks.js';

export interface ReportPath {
  id: string;
  kind: PathKind;
  status: PathStatus;
  outcome: { stage: Stage; reply?: string; disposition: Disposition };
  evidence: string[];
  /** Each accepted domain the path was tried for (attack paths), with its own status and outcome. */
  domains?: DomainResult[];
}

/** A finding as the checks produce it (src/checks/types.ts). */
export type ReportFinding = Finding;

export interface ChecklistItem {
  id: string;
  title: string;
  status: 'done' | 'open' | 'unknown';
}

export interface Report {
  schemaVersion: 1;
  tool: { name: 'mxlock'; version: string };
  tenant: { initialDomain: string | null; acceptedDomains: string[] };
  gateway: {
    source: GatewaySource;
    name: string | null;
    ips: string[];
    certificate: string | null;
  };
  verdict: Verdict;
  paths: ReportPath[];
  findings: ReportFinding[];
  checklist: ChecklistItem[];
  /** Only in the `--benchmark` view (src/report/benchmark.ts): the framework the findings were narrowed to. */
  benchmark?: BenchmarkFramework;
  /** Only with --timestamp. */
  generatedAt?: string;
}

export const STEP_TITLES: Record<Step, string> = {
  0: 'Step 0: Inventory and backup',
  1: 'Step 1: Reject Direct Send',
  2: 'Step 2: Restrict the inbound connector',
  3: 'Step 3: Safety-net transport rule',
  4: 'Step 4: Anti-spoofing and DMARC',
  5: 'Step 5: Enhanced Filtering for Connectors',
  6: 'Monitoring',
};

/** A simulated path as the reports carry it (the simulator's own result objects left out). */
export function toReportPath(p: PathResult): ReportPath {
  const out: ReportPath = {
    id: p.id,
    kind: p.kind,
    status: p.status,
    outcome: p.outcome,
    evidence: p.evidence,
  };
  if (p.domains) out.domains = p.domains;
  return out;
}
