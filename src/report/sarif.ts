/**
 * SARIF 2.1.0 (OASIS) for code-scanning dashboards: one run; a rule per check id present in the findings and per
 * reported attack path; a result per failing, warning or undecided finding and per open or uncertain attack path.
 * A tenant configuration has no files, so results carry at most logical locations (the named Exchange object).
 */
import type { FindingStatus, Severity } from '../common/order.js';
import type { PathStatus } from '../model/types.js';
import type { Report, ReportFinding, ReportPath } from './model.js';
import { STEP_TITLES } from './model.js';
import { mdFence, mdText } from './markdown.js';
import { sortById } from '../common/order.js';
import { describePath, stringifyJson } from './text.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SARIF_VERSION = '2.1.0';
/** The package page; replace with the project site once it has one. */
export const INFORMATION_URI = 'https://www.npmjs.com/package/mxlock';

type Level = 'error' | 'warning' | 'note';

/** GitHub code scanning ranks security results by this score (critical ≥ 9.0, high 7.0–8.9, medium 4.0–6.9, low < 4). */
const SECURITY_SEVERITY: Readonly<Record<Severity, string | undefined>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: undefined,
};

function severityLevel(severity: Severity): Level {
  return severity === 'critical' || severity === 'high' ? 'error' : 'warning';
}

function findingLevel(f: ReportFinding): Level | undefined {
  switch (f.status) {
    case 'fail':
      return severityLevel(f.severity);
    case 'warn':
      return 'warning';
    case 'unknown':
      return 'note';
    default:
      return undefined;
  }
}

/** Open attack paths are the verdict; a residual path (another customer of the same gateway) does not change it. */
function pathLevel(p: ReportPath): Level | undefined {
  if (p.kind === 'attack')
    return p.status === 'open' ? 'error' : p.status === 'uncertain' ? 'warning' : undefined;
  if (p.kind === 'residual')
    return p.status === 'open' ? 'warning' : p.status === 'uncertain' ? 'note' : undefined;
  return undefined;
}

const FINDING_LEAD: Partial<Record<FindingStatus, string>> = {
  fail: 'Not met',
  warn: 'Partly met',
  unknown: 'Could not be verified',
};

const PATH_LEAD: Partial<Record<PathStatus, string>> = { open: 'Open', uncertain: 'Possibly open' };

function withEvidence(first: string, evidence: readonly string[]): string {
  return evidence.length === 0 ? first : `${first}\n${evidence.map((e) => `- ${e}`).join('\n')}`;
}

/**
 * How evidence names an Exchange object: a noun, then the name as a single-quoted literal (quotes inside doubled, as
 * psQuote writes them) or double-quoted, e.g. `connector 'From SEG': Enabled = false`, `anti-phish policy 'Office365
 * AntiPhish Default'`, `organization config 'contoso.onmicrosoft.com'`. Longer nouns come first so they win.
 */
const NAMED_OBJECT =
  /\b(organization config|(?:dkim )?signing config|accepted domain|outbound connector|connector|transport rule|anti-phish policy|anti-spam policy|connection filter policy|policy|rule)\s+(?:'((?:[^']|'')*)'|"([^"]*)")/gi;

/** A bare `policy`/`rule` belongs to the check's family (DESIGN §4); otherwise a rule is a transport rule. */
const FAMILY: readonly (readonly [prefix: string, policy: string, rule: string])[] = [
  ['antiphish.', 'AntiPhishPolicy', 'AntiPhishRule'],
  ['antispam.', 'HostedContentFilterPolicy', 'HostedContentFilterRule'],
  ['connfilter.', 'HostedConnectionFilterPolicy', 'HostedConnectionFilterPolicy'],
];

const NOUN_TYPE: Readonly<Record<string, string>> = {
  'organization config': 'OrganizationConfig',
  'signing config': 'DkimSigningConfig',
  'dkim signing config': 'DkimSigningConfig',
  'accepted domain': 'AcceptedDomain',
  'outbound connector': 'OutboundConnector',
  connector: 'InboundConnector',
  'transport rule': 'TransportRule',
  'anti-phish policy': 'AntiPhishPolicy',
  'anti-spam policy': 'HostedContentFilterPolicy',
  'connection filter policy': 'HostedConnectionFilterPolicy',
};

/** Checks about one tenant-wide object: its type is the location when the evidence names nothing. */
const SINGLETON: Readonly<Record<string, string>> = {
  'direct-send.reject-flag': 'OrganizationConfig',
  'audit.unified-audit-log': 'AdminAuditLogConfig',
};

function objectType(noun: string, checkId: string): string {
  const key = noun.toLowerCase();
  const known = NOUN_TYPE[key];
  if (known !== undefined) return known;
  const family = FAMILY.find(([prefix]) => checkId.startsWith(prefix));
  if (key === 'policy') return family ? family[1] : 'Policy';
  return family ? family[2] : 'TransportRule';
}

interface LogicalLocation {
  name: string;
  fullyQualifiedName: string;
  kind: 'object';
}

/** The Exchange objects a finding's evidence names (see NAMED_OBJECT), first mention first. */
export function logicalLocations(f: ReportFinding): LogicalLocation[] {
  const found = new Map<string, LogicalLocation>();
  for (const line of f.evidence) {
    for (const m of line.matchAll(NAMED_OBJECT)) {
      const name = m[2] !== undefined ? m[2].replace(/''/g, "'") : (m[3] ?? '');
      if (name === '') continue;
      const fullyQualifiedName = `${objectType(m[1] ?? '', f.id)}/${name}`;
      if (!found.has(fullyQualifiedName))
        found.set(fullyQualifiedName, { name, fullyQualifiedName, kind: 'object' });
    }
  }
  const singleton = SINGLETON[f.id];
  if (found.size === 0 && singleton !== undefined) {
    found.set(singleton, { name: singleton, fullyQualifiedName: singleton, kind: 'object' });
  }
  return [...found.values()];
}

function remediationText(f: ReportFinding): string {
  const parts: string[] = [];
  const powershell = f.remediation.powershell.replace(/\r\n/g, '\n').trim();
  if (powershell !== '') parts.push(`PowerShell:\n${powershell}`);
  if (f.remediation.portal.trim() !== '') parts.push(`Portal: ${f.remediation.portal.trim()}`);
  return parts.length > 0 ? parts.join('\n\n') : 'No remediation recorded for this check.';
}

function remediationMarkdown(f: ReportFinding): string {
  const parts: string[] = [];
  if (f.remediation.powershell.trim() !== '')
    parts.push(mdFence(f.remediation.powershell.trim(), 'powershell'));
  if (f.remediation.portal.trim() !== '') parts.push(`Portal: ${mdText(f.remediation.portal.trim())}`);
  return parts.length > 0 ? parts.join('\n\n') : 'No remediation recorded for this check.';
}

function checkRule(f: ReportFinding): Record<string, unknown> {
  const helpUri = f.references.find((r) => /^https:\/\//.test(r));
  const securitySeverity = SECURITY_SEVERITY[f.severity];
  const properties: Record<string, unknown> = {
    // Benchmark ids as tags (`cis-m365:6.5.5`) so dashboards can filter by them, and in full under `benchmarks`.
    tags: ['security', 'mxlock', `step-${f.step}`, ...f.benchmarks.map((b) => `${b.framework}:${b.id}`)],
    step: f.step,
    stepTitle: STEP_TITLES[f.step],
    severity: f.severity,
  };
  if (f.benchmarks.length > 0)
    properties['benchmarks'] = f.benchmarks.map((b) => ({
      framework: b.framework,
      id: b.id,
      version: b.version,
    }));
  if (securitySeverity !== undefined) properties['security-severity'] = securitySeverity;
  return {
    id: f.id,
    shortDescription: { text: f.title },
    help: { text: remediationText(f), markdown: remediationMarkdown(f) },
    ...(helpUri === undefined ? {} : { helpUri }),
    defaultConfiguration: { level: severityLevel(f.severity) },
    properties,
  };
}

function pathRule(p: ReportPath): Record<string, unknown> {
  const help =
    'A message on this path can reach the tenant without passing through the gateway. ' +
    'Run `mxlock plan` for the staged change that closes it and `mxlock probe` to verify.';
  return {
    id: p.id,
    shortDescription: { text: describePath(p.id) },
    help: { text: help },
    defaultConfiguration: { level: p.kind === 'attack' ? 'error' : 'warning' },
    properties: { tags: ['security', 'mxlock', 'attack-path', p.kind], kind: p.kind },
  };
}

export function renderSarif(report: Report): string {
  const findings = sortById(report.findings);
  const ruleFindings = new Map<string, ReportFinding>();
  for (const f of findings) if (!ruleFindings.has(f.id)) ruleFindings.set(f.id, f);
  const reportedPaths = sortById(report.paths).filter((p) => pathLevel(p) !== undefined);

  const rules = [...[...ruleFindings.values()].map(checkRule), ...reportedPaths.map(pathRule)];
  const ruleIndex = new Map(rules.map((r, i) => [String(r['id']), i]));
  const fingerprintScope = report.tenant.initialDomain ?? '';

  const results: Record<string, unknown>[] = [];
  for (const f of findings) {
    const level = findingLevel(f);
    if (level === undefined) continue;
    const locations = logicalLocations(f);
    results.push({
      ruleId: f.id,
      ruleIndex: ruleIndex.get(f.id),
      level,
      message: { text: withEvidence(`${FINDING_LEAD[f.status] ?? f.status}: ${f.title}`, f.evidence) },
      ...(locations.length === 0 ? {} : { locations: [{ logicalLocations: locations }] }),
      partialFingerprints: { 'mxlockFinding/v1': `${fingerprintScope}|${f.id}` },
      properties: { status: f.status, severity: f.severity, step: f.step },
    });
  }
  for (const p of reportedPaths) {
    const { stage, reply, disposition } = p.outcome;
    const outcome = `Outcome: ${disposition} (stage ${stage})${reply === undefined ? '' : `, reply: ${reply}`}`;
    results.push({
      ruleId: p.id,
      ruleIndex: ruleIndex.get(p.id),
      level: pathLevel(p),
      message: {
        text: withEvidence(
          `${PATH_LEAD[p.status] ?? p.status} ${p.kind} path: ${describePath(p.id)}. ${outcome}`,
          p.evidence,
        ),
      },
      partialFingerprints: { 'mxlockPath/v1': `${fingerprintScope}|${p.id}` },
      properties: { status: p.status, kind: p.kind },
    });
  }

  const log = {
    $schema: SARIF_SCHEMA,
    version: SARIF_VERSION,
    runs: [
      {
        tool: {
          driver: {
            name: 'mxlock',
            version: report.tool.version,
            informationUri: INFORMATION_URI,
            rules,
          },
        },
        results,
        properties: {
          tenant: {
            initialDomain: report.tenant.initialDomain,
            acceptedDomains: [...report.tenant.acceptedDomains],
          },
          verdict: { ...report.verdict },
          ...(report.benchmark === undefined ? {} : { benchmark: report.benchmark }),
          ...(report.generatedAt === undefined ? {} : { generatedAt: report.generatedAt }),
        },
      },
    ],
  };
  return stringifyJson(log);
}
