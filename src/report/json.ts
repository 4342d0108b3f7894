/** The canonical JSON report (DESIGN §3.3): the model itself, with keys in the documented order. */
import type { ChecklistItem, Report, ReportFinding, ReportPath } from './model.js';
import { sortById } from '../common/order.js';
import { stringifyJson } from './text.js';

function outcomeJson(o: ReportPath['outcome']): unknown {
  return o.reply === undefined
    ? { stage: o.stage, disposition: o.disposition }
    : { stage: o.stage, reply: o.reply, disposition: o.disposition };
}

function path(p: ReportPath): unknown {
  const outcome = outcomeJson(p.outcome);
  const out: Record<string, unknown> = {
    id: p.id,
    kind: p.kind,
    status: p.status,
    outcome,
    evidence: [...p.evidence],
  };
  if (p.domains)
    out['domains'] = p.domains.map((d) => ({
      domain: d.domain,
      status: d.status,
      outcome: outcomeJson(d.outcome),
    }));
  return out;
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
    benchmarks: f.benchmarks.map((b) => ({ framework: b.framework, id: b.id, version: b.version })),
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
    tenant: {
      initialDomain: report.tenant.initialDomain,
      acceptedDomains: [...report.tenant.acceptedDomains],
    },
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
  if (report.benchmark !== undefined) model['benchmark'] = report.benchmark;
  if (report.generatedAt !== undefined) model['generatedAt'] = report.generatedAt;
  return model;
}

export function renderJson(report: Report): string {
  return stringifyJson(toJsonModel(report));
}
