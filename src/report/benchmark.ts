/**
 * The `--benchmark` view of a report (issue 13 item 5): only the findings mapped to one framework, each with that
 * framework's ids, for an auditor. The verdict, the paths and the checklist stay whole: they are not findings, and
 * narrowing them would hide an open path. The exit code is computed on the whole report (src/cli/commands/assess.ts).
 */
import type { BenchmarkFramework } from '../checks/benchmarks.js';
import type { Report, ReportFinding } from './model.js';

export function benchmarkView(report: Report, framework: BenchmarkFramework): Report {
  const findings: ReportFinding[] = [];
  for (const f of report.findings) {
    const benchmarks = f.benchmarks.filter((b) => b.framework === framework);
    if (benchmarks.length > 0) findings.push({ ...f, benchmarks });
  }
  return { ...report, findings, benchmark: framework };
}
