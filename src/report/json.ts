/** The canonical JSON report (DESIGN §3.3): the model itself, with keys in the documented order. */
import type { ChecklistItem, Report, ReportFinding, ReportPath } from './model.js';
import { sortById } from './text.js';

/**
 * Characters JSON.stringify leaves raw that would still act on a terminal or reorder text when the file is viewed
 * (DEL, C1 controls, bidi controls, U+2028/9). Escaping them as `\uXXXX` keeps the value identical after JSON.parse.
 */
const RAW_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function path(p: ReportPath): unknown {
  const outcome =
    p.outcome.reply === undefined
      ? { stage: p.outcome.stage, disposition: p.outcome.disposition }
      : { stage: p.outcome.stage, reply: p.outcome.reply, disposition: p.outcome.disposition };
  return { id: p.id, kind: p.kind, status: p.status, outcome, evidence: [...p.evidence] };
}

function finding(f: ReportFinding): unknown {
  return {
    id: f.id,
    status: f.status,
    severity: f.severity,
    step: f.step,
    title: f.title,
    evidence: [...f.evidence],
    remediation: { powershell: f.remediation.powershell, portal: f.remediation.portal },
    references: [...f.references],
  };
}

function checklistItem(c: ChecklistItem): unknown {
  return { id: c.id, title: c.title, status: c.status };
}

/** Rebuilds the report key by key so the order is the documented one whatever the caller's object looks like. */
export function toJsonModel(report: Report): Record<string, unknown> {
  const model: Record<string, unknown> = {
    schemaVersion: report.schemaVersion,
    tool: { name: report.tool.name, version: report.tool.version },
    tenant: { initialDomain: report.tenant.initialDomain, acceptedDomains: [...report.tenant.acceptedDomains] },
    gateway: {
      source: report.gateway.source,
      name: report.gateway.name,
      ips: [...report.gateway.ips],
      certificate: report.gateway.certificate,
    },
    verdict: {
      bypass: report.verdict.bypass,
      legitimateFlows: report.verdict.legitimateFlows,
      summary: report.verdict.summary,
    },
    paths: sortById(report.paths).map(path),
    findings: sortById(report.findings).map(finding),
    checklist: report.checklist.map(checklistItem),
  };
  if (report.generatedAt !== undefined) model['generatedAt'] = report.generatedAt;
  return model;
}

export function renderJson(report: Report): string {
  const text = JSON.stringify(toJsonModel(report), null, 2);
  // These characters only ever occur inside string literals, so escaping them in place is lossless.
  return `${text.replace(RAW_UNSAFE, (ch) => `\\u${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`)}\n`;
}
