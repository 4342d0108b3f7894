/**
 * Human-readable report for a terminal: the verdict first, then the paths, the findings by guide step and the final
 * checklist. Lines fit `width` columns (hanging indents; only URLs and PowerShell tokens that cannot be split may
 * overflow). Every tenant-derived string passes through `inlineSafe`, so a hostile object name cannot move the
 * cursor, recolour the terminal or reorder the text around it.
 */
import pc from 'picocolors';
import type { Step } from '../checks/types.js';
import { benchmarkLabel, FRAMEWORK_INFO, type BenchmarkRef } from '../checks/benchmarks.js';
import {
  FINDING_STATUS_ORDER,
  rank,
  SEVERITY_ORDER,
  type FindingStatus,
  type Severity,
} from '../common/order.js';
import { inlineSafe, appendAll } from '../common/text.js';
import { compareIds } from '../common/order.js';
import type { PathStatus } from '../model/types.js';
import type { ChecklistItem, Report, ReportFinding, ReportPath } from './model.js';
import { STEP_TITLES } from './model.js';
import {
  CHECKLIST_MARK,
  PATH_KIND_ORDER,
  describePath,
  displayWidth,
  isPassing,
  truncate,
  wrapPowerShell,
  wrapText,
} from './text.js';

export interface TerminalOptions {
  /** Colour only when the caller knows stdout is a TTY and NO_COLOR is unset. */
  color: boolean;
  /** Columns; 80 when absent. */
  width?: number;
}

const DEFAULT_WIDTH = 80;
/** Below this the hanging indents leave no room for text. */
const MIN_WIDTH = 40;
/** Evidence lines shown per path; the JSON report has them all. */
const PATH_EVIDENCE_LINES = 3;

type Colors = ReturnType<typeof pc.createColors>;
type Formatter = (text: string) => string;

const STEPS: readonly Step[] = [0, 1, 2, 3, 4, 5, 6];

function pathColor(c: Colors, status: PathStatus): Formatter {
  switch (status) {
    case 'open':
    case 'broken':
      return (s) => c.bold(c.red(s));
    case 'uncertain':
      return c.yellow;
    case 'mitigated':
      return c.cyan;
    case 'closed':
    case 'preserved':
      return c.green;
  }
}

function findingColor(c: Colors, status: FindingStatus): Formatter {
  switch (status) {
    case 'fail':
      return (s) => c.bold(c.red(s));
    case 'warn':
      return c.yellow;
    case 'unknown':
      return c.magenta;
    case 'waived':
    case 'info':
      return c.cyan;
    case 'pass':
      return c.green;
    case 'not-applicable':
      return c.dim;
  }
}

function severityColor(c: Colors, severity: Severity): Formatter {
  return severity === 'critical' || severity === 'high' ? c.red : severity === 'medium' ? c.yellow : c.dim;
}

/** Pads a plain label to `columns` display columns, then colours only the label. */
function label(text: string, columns: number, color: Formatter): string {
  return color(text) + ' '.repeat(Math.max(0, columns - displayWidth(text)));
}

/**
 * Wraps `text` after a coloured lead-in whose plain form is `plainLead`: the wrap is computed on plain text so the
 * colour codes never count towards the width.
 */
function leadWrap(
  width: number,
  plainLead: string,
  colouredLead: string,
  text: string,
  rest: string,
): string[] {
  return wrapText(text, width, plainLead, rest).map((line, i) =>
    i === 0 ? colouredLead + line.slice(plainLead.length) : line,
  );
}

function heading(c: Colors, text: string, width: number): string[] {
  return ['', ...wrapText(text, width, '', '  ').map((l) => c.bold(l))];
}

function verdictSection(report: Report, c: Colors, width: number): string[] {
  const { bypass, legitimateFlows, summary } = report.verdict;
  const bypassColor =
    bypass === 'open'
      ? pathColor(c, 'open')
      : bypass === 'closed' || bypass === 'no-gateway'
        ? c.green
        : c.yellow;
  const flowsColor =
    legitimateFlows === 'broken'
      ? pathColor(c, 'broken')
      : legitimateFlows === 'preserved'
        ? c.green
        : c.yellow;
  const lines = heading(c, 'VERDICT', width);
  lines.push(`  Gateway bypass     ${bypassColor(bypass.toUpperCase())}`);
  lines.push(`  Legitimate flows   ${flowsColor(legitimateFlows)}`);
  if (summary.trim() !== '') appendAll(lines, wrapText(inlineSafe(summary), width, '  ', '  '));
  return lines;
}

function contextSection(report: Report, width: number): string[] {
  const lead = '  Tenant             ';
  const rest = ' '.repeat(lead.length);
  const { tenant, gateway } = report;
  const domains =
    tenant.acceptedDomains.length > 0 ? tenant.acceptedDomains.map(inlineSafe).join(', ') : 'none exported';
  const tenantText = `${inlineSafe(tenant.initialDomain ?? 'initial domain unknown')}; accepted domains: ${domains}`;
  let gatewayText: string;
  if (gateway.source === 'none') {
    gatewayText = 'none: every MX of the accepted domains points at Exchange Online and none is declared';
  } else if (gateway.source === 'unknown') {
    gatewayText =
      'unknown: not declared in the profile, and the MX records and connectors do not tell (see the verdict)';
  } else {
    const source = gateway.source === 'profile' ? 'from the profile' : 'inferred from MX and connectors';
    const parts = [`${inlineSafe(gateway.name ?? 'unnamed')} (${source})`];
    parts.push(`IPs: ${gateway.ips.length > 0 ? gateway.ips.map(inlineSafe).join(', ') : 'none'}`);
    parts.push(`certificate: ${gateway.certificate === null ? 'none' : inlineSafe(gateway.certificate)}`);
    gatewayText = parts.join('; ');
  }
  return [
    '',
    ...wrapText(tenantText, width, lead, rest),
    ...wrapText(gatewayText, width, '  Gateway            ', rest),
  ];
}

function comparePaths(a: ReportPath, b: ReportPath): number {
  return rank(PATH_KIND_ORDER, a.kind) - rank(PATH_KIND_ORDER, b.kind) || compareIds(a.id, b.id);
}

function pathSection(report: Report, c: Colors, width: number): string[] {
  const lines = heading(c, `PATHS (${report.paths.length})`, width);
  if (report.paths.length === 0) {
    lines.push('  No path was simulated.');
    return lines;
  }
  const statusColumns = 11;
  const indent = ' '.repeat(2 + statusColumns);
  for (const p of [...report.paths].sort(comparePaths)) {
    const plainLabel = p.status.toUpperCase();
    const plainLead = `  ${plainLabel.padEnd(statusColumns)}`;
    const colouredLead = `  ${label(plainLabel, statusColumns, pathColor(c, p.status))}`;
    appendAll(lines, leadWrap(width, plainLead, colouredLead, `${inlineSafe(p.id)} [${p.kind}]`, indent));
    const description = describePath(p.id);
    if (description !== p.id) appendAll(lines, wrapText(inlineSafe(description), width, indent, indent));
    const { stage, reply, disposition } = p.outcome;
    const outcome = `outcome: ${disposition} (stage ${stage})${reply === undefined ? '' : `, reply: ${inlineSafe(reply)}`}`;
    appendAll(lines, wrapText(outcome, width, indent, indent));
    for (const e of p.evidence.slice(0, PATH_EVIDENCE_LINES)) {
      appendAll(lines, wrapText(inlineSafe(e), width, `${indent}- `, `${indent}  `));
    }
    const more = p.evidence.length - PATH_EVIDENCE_LINES;
    if (more > 0) {
      lines.push(
        ...wrapText(
          `(${more} more evidence line${more === 1 ? '' : 's'} in --format json)`,
          width,
          indent,
          indent,
        ).map((l) => c.dim(l)),
      );
    }
  }
  return lines;
}

function compareFindings(a: ReportFinding, b: ReportFinding): number {
  return (
    rank(FINDING_STATUS_ORDER, a.status) - rank(FINDING_STATUS_ORDER, b.status) ||
    rank(SEVERITY_ORDER, a.severity) - rank(SEVERITY_ORDER, b.severity) ||
    compareIds(a.id, b.id)
  );
}

function statusCounts(findings: readonly ReportFinding[]): string {
  return FINDING_STATUS_ORDER.map((s) => [s, findings.filter((f) => f.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
}

const FINDING_STATUS_COLUMNS = 9;
const SEVERITY_COLUMNS = 10;

function benchmarkText(benchmarks: readonly BenchmarkRef[]): string {
  return benchmarks.map((b) => `${benchmarkLabel(b)} (${b.version})`).join(', ');
}

function detailedFinding(f: ReportFinding, c: Colors, width: number): string[] {
  const plainLabel = f.status.toUpperCase();
  const plainLead = `  ${plainLabel.padEnd(FINDING_STATUS_COLUMNS)}${f.severity.padEnd(SEVERITY_COLUMNS)}`;
  const colouredLead =
    `  ${label(plainLabel, FINDING_STATUS_COLUMNS, findingColor(c, f.status))}` +
    label(f.severity, SEVERITY_COLUMNS, severityColor(c, f.severity));
  const body = '    ';
  const lines = leadWrap(width, plainLead, colouredLead, inlineSafe(f.id), body);
  appendAll(
    lines,
    wrapText(inlineSafe(f.title), width, body, body).map((l) => c.bold(l)),
  );
  const evidence = f.evidence.length > 0 ? f.evidence : ['(no evidence recorded)'];
  for (const e of evidence) appendAll(lines, wrapText(inlineSafe(e), width, `${body}- `, `${body}  `));
  if (f.benchmarks.length > 0)
    appendAll(lines, wrapText(`Benchmarks: ${benchmarkText(f.benchmarks)}`, width, body, `${body}  `));
  if (f.status === 'fail' || f.status === 'warn') {
    if (f.remediation.powershell.trim() !== '') {
      lines.push(`${body}PowerShell:`);
      const code = wrapPowerShell(f.remediation.powershell.trim(), width, `${body}  `, inlineSafe);
      appendAll(
        lines,
        code.map((l) => c.cyan(l)),
      );
    }
    if (f.remediation.portal.trim() !== '') {
      appendAll(lines, wrapText(`Portal: ${inlineSafe(f.remediation.portal)}`, width, body, `${body}  `));
    }
  }
  return lines;
}

/** One line per passing finding; in the `--benchmark` view its ids lead, so an auditor sees them first. */
function compactFinding(f: ReportFinding, c: Colors, width: number, withBenchmarks: boolean): string {
  const plainLabel = f.status === 'not-applicable' ? 'n/a' : f.status;
  const lead = `  ${label(plainLabel, FINDING_STATUS_COLUMNS, findingColor(c, f.status))}`;
  const ids = withBenchmarks ? `[${f.benchmarks.map(benchmarkLabel).join(', ')}] ` : '';
  const text = truncate(
    `${ids}${inlineSafe(f.id)}: ${inlineSafe(f.title)}`,
    width - 2 - FINDING_STATUS_COLUMNS,
  );
  return lead + c.dim(text);
}

function findingSection(report: Report, c: Colors, width: number): string[] {
  const lines = heading(c, `FINDINGS (${report.findings.length})`, width);
  if (report.benchmark !== undefined)
    appendAll(
      lines,
      wrapText(
        `Only the findings mapped to the ${FRAMEWORK_INFO[report.benchmark].name}.`,
        width,
        '  ',
        '  ',
      ),
    );
  if (report.findings.length === 0)
    lines.push(report.benchmark === undefined ? '  No check was run.' : '  No finding is mapped to it.');
  else appendAll(lines, wrapText(statusCounts(report.findings), width, '  ', '  '));
  for (const step of STEPS) {
    const inStep = report.findings.filter((f) => f.step === step).sort(compareFindings);
    if (inStep.length === 0) continue;
    lines.push('', ...wrapText(STEP_TITLES[step], width, '', '  ').map((l) => c.bold(c.underline(l))));
    for (const f of inStep) {
      if (isPassing(f.status)) lines.push(compactFinding(f, c, width, report.benchmark !== undefined));
      else appendAll(lines, detailedFinding(f, c, width));
    }
  }
  return lines;
}

function checklistColor(c: Colors, status: ChecklistItem['status']): Formatter {
  return status === 'done' ? c.green : status === 'open' ? pathColor(c, 'open') : c.yellow;
}

function checklistSection(report: Report, c: Colors, width: number): string[] {
  const items = report.checklist;
  const count = (s: ChecklistItem['status']) => items.filter((i) => i.status === s).length;
  const lines = heading(
    c,
    `FINAL CHECKLIST (${count('done')} done, ${count('open')} open, ${count('unknown')} unknown)`,
    width,
  );
  for (const item of items) {
    const mark = CHECKLIST_MARK[item.status];
    lines.push(
      ...leadWrap(
        width,
        `  ${mark} `,
        `  ${checklistColor(c, item.status)(mark)} `,
        inlineSafe(item.title),
        '      ',
      ),
    );
  }
  return lines;
}

export function renderTerminal(report: Report, options: TerminalOptions): string {
  const c = pc.createColors(options.color);
  const width = Math.max(MIN_WIDTH, Math.floor(options.width ?? DEFAULT_WIDTH));
  const title = `mxlock ${inlineSafe(report.tool.version)}: gateway bypass assessment of ${inlineSafe(report.tenant.initialDomain ?? 'an unnamed tenant')}`;
  const lines = [
    ...wrapText(title, width, '', '  ').map((l) => c.bold(l)),
    ...verdictSection(report, c, width),
    ...contextSection(report, width),
    ...pathSection(report, c, width),
    ...findingSection(report, c, width),
    ...checklistSection(report, c, width),
  ];
  if (report.generatedAt !== undefined) lines.push('', c.dim(`Generated ${inlineSafe(report.generatedAt)}`));
  return `${lines.join('\n')}\n`;
}
