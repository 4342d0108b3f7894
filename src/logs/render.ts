/**
 * `mxlock trace` / `mxlock events` output: the DESIGN §3.4 JSON and a terminal view readable at 80 columns. Every
 * address, domain and code comes from the logs (attacker-influenced): escaped in the terminal, JSON escapes the rest.
 * Pure.
 */
import pc from 'picocolors';
import { inlineSafe } from '../common/text.js';
import type { InboundClass } from './classify.js';
import type { CountRow, TraceReport } from './summary.js';
import { stringifyJson, stringifyJsonLine, wrapText } from '../report/text.js';

/** A string as a YAML double-quoted scalar: JSON's string syntax is YAML's, escapes included. */
function yamlString(s: string): string {
  return stringifyJsonLine(s).trimEnd();
}

/** Columns the YAML suggestion's lines keep within: the terminal's 80 less the 4 it is indented by there. */
const YAML_WIDTH = 76;

/**
 * The Direct Send inventory as mxlock.yaml `directSendSources` (DESIGN §3.2), one source per address, ready to paste
 * once each is confirmed as a legitimate sender (names are placeholders to replace with what the device is). A sender
 * list that does not fit on one line is written one sender per line.
 */
export function directSendSourcesYaml(report: Pick<TraceReport, 'directSendInventory'>): string {
  const byIp = new Map<string, string[]>();
  for (const e of report.directSendInventory) {
    const list = byIp.get(e.ip) ?? [];
    if (!list.includes(e.sender)) list.push(e.sender);
    byIp.set(e.ip, list);
  }
  if (byIp.size === 0) return '';
  const lines = ['directSendSources:'];
  for (const [ip, senders] of byIp) {
    lines.push(`  - name: ${yamlString(`Direct Send from ${ip}`)}`);
    lines.push(`    ips: [${yamlString(ip)}]`);
    const flow = `    senders: [${senders.map(yamlString).join(', ')}]`;
    if (flow.length <= YAML_WIDTH) lines.push(flow);
    else lines.push('    senders:', ...senders.map((x) => `      - ${yamlString(x)}`));
  }
  return `${lines.join('\n')}\n`;
}

const countsJson = (r: CountRow) => ({ key: r.key, total: r.total, ...r.counts });

/** DESIGN §3.4 `trace`/`events` (every contract key present), with the rest of the analysis beside it. */
export function traceJsonModel(report: TraceReport): Record<string, unknown> {
  return {
    schemaVersion: 1,
    command: report.command,
    rows: report.rows,
    outbound: report.outbound,
    inbound: report.inbound,
    directSources: report.directSources,
    directSendInventory: report.directSendInventory,
    directSendSourcesYaml: directSendSourcesYaml(report),
    impact: report.impact,
    impactUncertain: report.impactUncertain,
    replay: report.replay,
    rejections: report.rejections,
    byDay: report.byDay.map(countsJson),
    topSourceIps: report.topSourceIps.map(countsJson),
    topSenderDomains: report.topSenderDomains.map(countsJson),
    topRecipients: report.topRecipients.map(countsJson),
    files: report.files.map((f) => ({
      path: f.path,
      layout: f.layout,
      encoding: f.encoding,
      records: f.records,
      bytes: f.bytes,
    })),
    caveats: report.caveats,
    notes: report.notes,
  };
}

export function renderTraceJson(report: TraceReport): string {
  return stringifyJson(traceJsonModel(report));
}

const LABELS: Record<InboundClass, string> = {
  viaGateway: 'via the gateway',
  viaDeclaredSource: 'via a declared source',
  viaOtherConnector: 'via another inbound connector',
  direct: 'direct (around the gateway)',
  rejected: 'rejected or blocked',
  unknownSource: 'delivered, client address unknown',
  unknownOutcome: 'status pending or unknown',
};

const TERMINAL_TOP = 10;

function countLine(r: CountRow): string {
  const parts = [`${r.total}`];
  if (r.counts.direct) parts.push(`${r.counts.direct} direct`);
  if (r.counts.rejected) parts.push(`${r.counts.rejected} rejected`);
  return `  ${inlineSafe(r.key)}  ${parts.join(', ')}`;
}

export function renderTraceTerminal(report: TraceReport, style: { color: boolean; width: number }): string {
  const c = pc.createColors(style.color);
  const out: string[] = [];
  const wrap = (text: string, first = '', rest = '  ') =>
    out.push(...wrapText(text, style.width, first, rest));
  const inbound = Object.values(report.inbound).reduce((a, b) => a + b, 0);
  out.push(
    c.bold(
      `mxlock ${report.command}: ${report.rows} rows, ${inbound} inbound, ${report.outbound} not inbound`,
    ),
  );
  for (const f of report.files)
    wrap(`${inlineSafe(f.path)}: ${f.layout}, ${f.encoding}, ${f.records} records`, '  ', '    ');
  out.push('');
  out.push(c.bold('Inbound'));
  for (const k of Object.keys(LABELS) as InboundClass[]) {
    const n = report.inbound[k];
    if (n === 0 && (k === 'viaOtherConnector' || k === 'unknownSource' || k === 'unknownOutcome')) continue;
    const line = `  ${String(n).padStart(9)}  ${LABELS[k]}`;
    out.push(k === 'direct' && n > 0 ? c.red(line) : line);
  }
  if (report.rejections.length) {
    out.push('');
    out.push(c.bold('Rejected or blocked, by code'));
    for (const r of report.rejections.slice(0, TERMINAL_TOP))
      out.push(`  ${String(r.count).padStart(9)}  ${inlineSafe(r.code)}`);
  }
  out.push('');
  out.push(c.bold('Direct deliveries by source (address, sender domain)'));
  if (report.directSources.length === 0) out.push('  none in these logs');
  for (const d of report.directSources.slice(0, TERMINAL_TOP))
    wrap(
      `${inlineSafe(d.ip)}  ${inlineSafe(d.senderDomain)}  ${d.count}  ${d.firstSeen ?? '?'} … ${d.lastSeen ?? '?'}`,
      '  ',
      '    ',
    );
  if (report.directSources.length > TERMINAL_TOP)
    out.push(`  … and ${report.directSources.length - TERMINAL_TOP} more (--format json lists them all)`);
  out.push('');
  out.push(c.bold('Direct Send inventory (own-domain senders from addresses other than the gateway)'));
  if (report.directSendInventory.length === 0) out.push('  none in these logs');
  for (const e of report.directSendInventory.slice(0, TERMINAL_TOP))
    wrap(
      `${inlineSafe(e.sender)} from ${inlineSafe(e.ip)}: ${e.count}, ${e.firstSeen ?? '?'} … ${e.lastSeen ?? '?'}`,
      '  ',
      '    ',
    );
  const yaml = directSendSourcesYaml(report);
  if (yaml) {
    out.push('  Once confirmed as legitimate, declare them in mxlock.yaml:');
    for (const l of yaml.trimEnd().split('\n')) out.push(`    ${l}`);
  }
  out.push('');
  out.push(c.bold('Impact of the plan on delivered flows'));
  if (report.replay === null) out.push('  not replayed');
  else if (report.impact.length === 0)
    wrap(
      `none of the ${report.replay.flows} delivered flows would be refused after stages ${report.replay.stages.join(', ') || '(none)'}`,
      '  ',
      '    ',
    );
  for (const i of report.impact.slice(0, TERMINAL_TOP * 2)) {
    const why = i.reply ?? i.reason;
    const line = `would break: ${inlineSafe(i.sender || '<>')} from ${inlineSafe(i.ip)} to ${inlineSafe(i.recipientDomain)} (${i.count}): ${i.wouldBe}${why ? `, ${inlineSafe(why)}` : ''}${i.rules.length ? ` [${i.rules.join(', ')}]` : ''}`;
    for (const l of wrapText(line, style.width, '  ', '    ')) out.push(c.yellow(l));
    // EmailEvents: what EOP recorded of its authentication, and whether the replay used it.
    if (i.authentication)
      for (const l of wrapText(inlineSafe(i.authentication), style.width, '    ', '    ')) out.push(l);
  }
  if (report.impact.length > TERMINAL_TOP * 2)
    out.push(`  … and ${report.impact.length - TERMINAL_TOP * 2} more (--format json lists them all)`);
  for (const g of report.impactUncertain.slice(0, TERMINAL_TOP)) {
    const first = g.examples[0];
    const example = first ? `, e.g. ${inlineSafe(first.sender || '<>')} from ${inlineSafe(first.ip)}` : '';
    for (const l of wrapText(
      `may break: ${g.flows} flow(s), ${g.rows} row(s), uncertain after stage ${g.stage}${example}: ${inlineSafe(g.reason)}`,
      style.width,
      '  ',
      '    ',
    ))
      out.push(c.yellow(l));
  }
  for (const [title, rows] of [
    ['Top source addresses', report.topSourceIps],
    ['Top sender domains', report.topSenderDomains],
    ['Top recipients', report.topRecipients],
  ] as const) {
    out.push('');
    out.push(c.bold(title));
    for (const r of rows.slice(0, TERMINAL_TOP)) out.push(countLine(r));
  }
  out.push('');
  out.push(c.bold('By day'));
  for (const r of report.byDay) out.push(countLine(r));
  out.push('');
  for (const n of [...report.caveats, ...report.notes]) wrap(inlineSafe(n), 'Note: ', '  ');
  return `${out.join('\n')}\n`;
}
