/**
 * GitHub-flavoured Markdown report (for tickets, pull requests and wikis). GitHub renders raw HTML and Markdown
 * inside tenant strings, so every tenant-derived value goes through `mdText` (or `mdCode`), and PowerShell goes into
 * fenced blocks whose fence is longer than any backtick run inside them.
 */
import type { Step } from '../checks/types.js';
import { benchmarkLabel, FRAMEWORK_INFO, type BenchmarkRef } from '../checks/benchmarks.js';
import { FINDING_STATUS_ORDER, rank, SEVERITY_ORDER, type FindingStatus } from '../common/order.js';
import { isUnsafeChar, UNSAFE_CHARS, visibleEscape, appendAll } from '../common/text.js';
import type { Report, ReportFinding, ReportPath } from './model.js';
import { STEP_TITLES } from './model.js';
import { compareIds } from '../common/order.js';
import { PATH_KIND_ORDER, describePath, isPassing, longestRun } from './text.js';

/** ASCII punctuation that starts Markdown/GFM syntax anywhere in a line (`$` is GitHub's inline math). */
const MD_INLINE = new Set(['\\', '`', '*', '_', '[', ']', '|', '~', '$']);
/** Block syntax a value could open when it starts a list item: bullets, ATX headings, ordered-list markers. */
const BLOCK_START = /^(?:[-+]|#{1,6}|\d{1,9}[.)])(?=\s|$)/;
const HTML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Renders a tenant value as inert inline Markdown: HTML-significant characters become entities, Markdown
 * punctuation is backslash-escaped (including `|`, so it is safe inside table cells), newlines become `<br>`, and
 * control or bidi characters become visible escapes such as `\x1b` and `\u202e`.
 */
export function mdText(value: string): string {
  let out = '';
  const chars = [...value.replace(/\r\n/g, '\n')];
  // `- x`, `# x` or `1. x` at the start would open a nested list or heading: escape the marker's last character.
  const marker = BLOCK_START.exec(value)?.[0].length ?? 0;
  for (const [i, ch] of chars.entries()) {
    const entity = HTML_ENTITIES[ch];
    if (entity !== undefined) out += entity;
    else if (ch === '\n') out += '<br>';
    else if (MD_INLINE.has(ch) || i === marker - 1) out += `\\${ch}`;
    else if (isUnsafeChar(ch)) out += `\\${visibleEscape(ch)}`;
    else out += ch;
  }
  return out;
}

/** Identifiers in a code span when they are plain; anything else (a declared source's name) as escaped text. */
export function mdCode(value: string): string {
  return /^[A-Za-z0-9._:/@-]+$/.test(value) ? `\`${value}\`` : mdText(value);
}

/** A URL made only of URL characters, safe as a `<…>` autolink (whose content Markdown takes literally). */
const PLAIN_URL = /^https?:\/\/[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]+$/;

/** A reference: an autolink when it is a plain URL (so escapes cannot mangle it), else escaped text. */
export function mdReference(value: string): string {
  return PLAIN_URL.test(value) ? `<${value}>` : mdText(value);
}

/** A fenced code block that nothing inside can close early; control and bidi characters are made visible. */
export function mdFence(code: string, info: string): string {
  const body = code
    .replace(/\r\n/g, '\n')
    .replace(UNSAFE_CHARS, (ch) => (ch === '\n' || ch === '\t' ? ch : visibleEscape(ch)))
    .replace(/\n+$/, '');
  const fence = '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
  return `${fence}${info}\n${body}\n${fence}`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}

const STEPS: readonly Step[] = [0, 1, 2, 3, 4, 5, 6];

function verdictSection(report: Report): string[] {
  const { bypass, legitimateFlows, summary } = report.verdict;
  const lines = [`**Gateway bypass: ${bypass.toUpperCase()}** · **Legitimate flows: ${legitimateFlows}**`];
  if (summary.trim() !== '') lines.push('', `> ${mdText(summary)}`);
  return lines;
}

function contextSection(report: Report): string[] {
  const { tenant, gateway } = report;
  const domains =
    tenant.acceptedDomains.length > 0 ? tenant.acceptedDomains.map(mdText).join(', ') : 'none exported';
  const tenantLine = `**Tenant:** ${mdText(tenant.initialDomain ?? 'initial domain unknown')} · accepted domains: ${domains}`;
  let gatewayLine: string;
  if (gateway.source === 'none') {
    gatewayLine =
      '**Gateway:** none: every MX of the accepted domains points at Exchange Online and none is declared';
  } else if (gateway.source === 'unknown') {
    gatewayLine =
      '**Gateway:** unknown: not declared in the profile, and the MX records and connectors do not tell (see the verdict)';
  } else {
    const source = gateway.source === 'profile' ? 'from the profile' : 'inferred from MX and connectors';
    const ips = gateway.ips.length > 0 ? gateway.ips.map(mdText).join(', ') : 'none';
    const certificate = gateway.certificate === null ? 'none' : mdText(gateway.certificate);
    gatewayLine = `**Gateway:** ${mdText(gateway.name ?? 'unnamed')} (${source}) · IPs: ${ips} · certificate: ${certificate}`;
  }
  // Two trailing spaces: a hard line break between the two lines of one paragraph.
  return [`${tenantLine}  `, gatewayLine];
}

function comparePaths(a: ReportPath, b: ReportPath): number {
  return rank(PATH_KIND_ORDER, a.kind) - rank(PATH_KIND_ORDER, b.kind) || compareIds(a.id, b.id);
}

function pathSection(report: Report): string[] {
  const lines = ['## Paths', ''];
  if (report.paths.length === 0) return [...lines, 'No path was simulated.'];
  const rows = [...report.paths].sort(comparePaths).map((p) => {
    const description = describePath(p.id);
    const name = description === p.id ? mdCode(p.id) : `${mdCode(p.id)}<br>${mdText(description)}`;
    const { stage, reply, disposition } = p.outcome;
    const outcome = `${disposition} (stage ${stage})${reply === undefined ? '' : `<br>reply: ${mdText(reply)}`}`;
    const status = p.status === 'open' || p.status === 'broken' ? `**${p.status}**` : p.status;
    return [status, name, p.kind, outcome, p.evidence.map(mdText).join('<br>')];
  });
  return [...lines, ...table(['Status', 'Path', 'Kind', 'Outcome', 'Evidence'], rows)];
}

function compareFindings(a: ReportFinding, b: ReportFinding): number {
  return (
    rank(FINDING_STATUS_ORDER, a.status) - rank(FINDING_STATUS_ORDER, b.status) ||
    rank(SEVERITY_ORDER, a.severity) - rank(SEVERITY_ORDER, b.severity) ||
    compareIds(a.id, b.id)
  );
}

function statusCell(status: FindingStatus): string {
  return status === 'fail' ? '**fail**' : status;
}

/** The ids a finding carries, with their edition: `CIS 6.5.5 (6.0.0)`. */
function benchmarkList(benchmarks: readonly BenchmarkRef[]): string {
  return benchmarks.map((b) => `${mdText(benchmarkLabel(b))} (${mdText(b.version)})`).join(' · ');
}

function findingDetail(f: ReportFinding): string[] {
  const lines = [
    `#### ${f.status.toUpperCase()} · ${f.severity} · ${mdCode(f.id)}`,
    '',
    `**${mdText(f.title)}**`,
    '',
  ];
  const evidence = f.evidence.length > 0 ? f.evidence : ['(no evidence recorded)'];
  appendAll(
    lines,
    evidence.map((e) => `- ${mdText(e)}`),
  );
  if (f.status === 'fail' || f.status === 'warn') {
    if (f.remediation.powershell.trim() !== '') {
      lines.push('', 'PowerShell:', '', mdFence(f.remediation.powershell, 'powershell'));
    }
    if (f.remediation.portal.trim() !== '') lines.push('', `Portal: ${mdText(f.remediation.portal)}`);
  }
  if (f.references.length > 0) lines.push('', `References: ${f.references.map(mdReference).join(' · ')}`);
  if (f.benchmarks.length > 0) lines.push('', `Benchmarks: ${benchmarkList(f.benchmarks)}`);
  return lines;
}

function findingSection(report: Report): string[] {
  const lines = ['## Findings', ''];
  if (report.findings.length === 0)
    return [
      ...lines,
      report.benchmark === undefined
        ? 'No check was run.'
        : `No finding is mapped to the ${mdText(FRAMEWORK_INFO[report.benchmark].name)}.`,
    ];
  const counts = FINDING_STATUS_ORDER.map(
    (s) => [s, report.findings.filter((f) => f.status === s).length] as const,
  )
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  if (report.benchmark !== undefined)
    lines.push(
      `Only the findings mapped to the ${mdText(FRAMEWORK_INFO[report.benchmark].name)}, with its ids.`,
      '',
    );
  lines.push(`${report.findings.length} findings: ${counts.join(', ')}.`);
  for (const step of STEPS) {
    const inStep = report.findings.filter((f) => f.step === step).sort(compareFindings);
    if (inStep.length === 0) continue;
    lines.push('', `### ${STEP_TITLES[step]}`, '');
    lines.push(
      ...table(
        ['Status', 'Severity', 'Check', 'Title', 'Benchmarks'],
        inStep.map((f) => [
          statusCell(f.status),
          f.severity,
          mdCode(f.id),
          mdText(f.title),
          f.benchmarks.map((b) => mdText(benchmarkLabel(b))).join('<br>'),
        ]),
      ),
    );
    for (const f of inStep) if (!isPassing(f.status)) lines.push('', ...findingDetail(f));
  }
  return lines;
}

function checklistSection(report: Report): string[] {
  const lines = ['## Final checklist', ''];
  for (const item of report.checklist) {
    const box = item.status === 'done' ? '- [x] ' : '- [ ] ';
    const tag = item.status === 'done' ? '' : `**${item.status}:** `;
    lines.push(`${box}${tag}${mdText(item.title)}`);
  }
  return lines;
}

export function renderMarkdown(report: Report): string {
  const sections = [
    [`# mxlock assessment: ${mdText(report.tenant.initialDomain ?? 'unnamed tenant')}`],
    verdictSection(report),
    contextSection(report),
    pathSection(report),
    findingSection(report),
    checklistSection(report),
    [
      `_mxlock ${mdText(report.tool.version)}${report.generatedAt === undefined ? '' : `, ${mdText(report.generatedAt)}`}_`,
    ],
  ];
  return `${sections.map((s) => s.join('\n')).join('\n\n')}\n`;
}
