/**
 * `mxlock simulate` output: the path matrix before and after the plan, each cell with the deciding rule and its
 * evidence level (terminal), and the DESIGN §3.4 JSON. Pure.
 */
import pc from 'picocolors';
import type { PathResult, Verdict } from '../model/paths.js';
import { toReportPath } from './model.js';
import { inlineSafe, appendAll } from '../common/text.js';
import { stringifyJson, wrapText } from './text.js';

export interface SimulateSide {
  verdict: Verdict;
  paths: PathResult[];
}

export interface SimulateReport {
  before: SimulateSide;
  after?: SimulateSide;
  /** Plan refusal or other notes shown above the matrix. */
  notes: string[];
}

/** DESIGN §3.4: {"schemaVersion":1,"before":{"verdict","paths"},"after":{…}} — more keys may be added. */
export function renderSimulateJson(r: SimulateReport): string {
  const side = (s: SimulateSide) => ({ verdict: s.verdict, paths: s.paths.map(toReportPath) });
  return stringifyJson({
    schemaVersion: 1,
    before: side(r.before),
    ...(r.after ? { after: side(r.after) } : {}),
    ...(r.notes.length ? { notes: r.notes } : {}),
  });
}

/**
 * The decision that settled the shown outcome, with its evidence level (`CON-5 [D]`): the last rule of that outcome,
 * except for a refusal at RCPT, whose decisions are every refusal reason in §9 order and whose reply is the first's
 * (model/rcpt.ts, OQ-2): there the first reason is the one the reply shows (5.7.51 is CON-5's even when RejectDirectSend
 * would refuse too).
 */
export function decidingRule(p: PathResult): string {
  const o =
    p.result.outcomes.find(
      (x) =>
        x.stage === p.outcome.stage && x.disposition === p.outcome.disposition && x.reply === p.outcome.reply,
    ) ?? p.result.outcomes[0];
  const refusedAtRcpt = o?.stage === 'rcpt' && o.disposition === 'rejected';
  const d = refusedAtRcpt ? o.decisions[0] : o?.decisions[o.decisions.length - 1];
  const tag = d ? `${d.rule} [${d.evidence}]` : '-';
  return p.result.outcomes.length > 1 && p.status === 'uncertain'
    ? `${tag} +${p.result.outcomes.length - 1}`
    : tag;
}

function cell(p: PathResult | undefined): string {
  if (!p) return '-';
  return `${p.status} ${decidingRule(p)}`;
}

export function renderSimulateTerminal(
  r: SimulateReport,
  options: { color: boolean; width?: number },
): string {
  const c = pc.createColors(options.color);
  const width = Math.max(60, options.width ?? 80);
  const paint = (status: string, text: string) =>
    status === 'open' || status === 'broken'
      ? c.red(c.bold(text))
      : status === 'uncertain'
        ? c.yellow(text)
        : c.green(text);
  const out: string[] = [];
  const head = (label: string, v: Verdict) =>
    `${label}: bypass ${paint(v.bypass === 'closed' ? 'closed' : v.bypass, v.bypass.toUpperCase())}, legitimate flows ${v.legitimateFlows}`;
  out.push(head('Before', r.before.verdict));
  if (r.after) out.push(head('After the plan', r.after.verdict));
  for (const n of r.notes) appendAll(out, wrapText(inlineSafe(n), width, '  ! ', '    '));
  out.push('');
  const ids = [...new Set([...r.before.paths.map((p) => p.id), ...(r.after?.paths.map((p) => p.id) ?? [])])];
  const idWidth = Math.min(
    40,
    ids.reduce((m, i) => Math.max(m, i.length), -Infinity),
  );
  const colWidth = Math.max(8, ...ids.map((id) => cell(r.before.paths.find((p) => p.id === id)).length));
  out.push(`${'path'.padEnd(idWidth)}  ${'before'.padEnd(colWidth)}${r.after ? '  after' : ''}`);
  for (const id of ids) {
    const b = r.before.paths.find((p) => p.id === id);
    const a = r.after?.paths.find((p) => p.id === id);
    const name = inlineSafe(id.length > idWidth ? `${id.slice(0, idWidth - 1)}…` : id).padEnd(idWidth);
    const bt = cell(b).padEnd(colWidth);
    out.push(
      `${name}  ${b ? paint(b.status, bt) : bt}${r.after ? `  ${a ? paint(a.status, cell(a)) : '-'}` : ''}`,
    );
  }
  out.push(
    '',
    'Cells: status, then the rule of the EOP model that decided it and its evidence level ([D] documented, [C] community-observed, [I] inferred). --format json has every evidence line.',
  );
  return `${out.join('\n')}\n`;
}
