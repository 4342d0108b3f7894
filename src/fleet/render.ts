/**
 * `mxlock assess --fleet` output: the fleet summary as JSON (schemaVersion 1, the keys of summary.ts), and the terminal
 * table, one line per tenant, at the report's width (80 columns off a TTY). Tenant names are folder names and error
 * messages quote files: every one is escaped. Pure.
 */
import pc from 'picocolors';
import { appendAll, inlineSafe } from '../common/text.js';
import { driftLine } from '../diff/render.js';
import { displayWidth, stringifyJson, truncate, wrapText } from '../report/text.js';
import type { FleetSummary, FleetTenant, FleetTenantOk } from './summary.js';

export function renderFleetJson(summary: FleetSummary): string {
  return stringifyJson(summary);
}

type Paint = (s: string) => string;

/** Columns after the tenant's: bypass, flows, open paths, failing C/H/M/L, unknown, then the changes. */
const BYPASS_COLUMNS = 10;
const FLOWS_COLUMNS = 9;
const OPEN_COLUMNS = 4;
const FAILING_COLUMNS = 11;
const UNKNOWN_COLUMNS = 3;
const FIXED_COLUMNS = BYPASS_COLUMNS + FLOWS_COLUMNS + OPEN_COLUMNS + FAILING_COLUMNS + UNKNOWN_COLUMNS + 6;
/** Room kept for the changes column ("12 worse, 3 better"). */
const CHANGES_COLUMNS = 18;
const MIN_TENANT_COLUMNS = 6;

function pad(text: string, columns: number, paint: Paint = (s) => s): string {
  return paint(text) + ' '.repeat(Math.max(0, columns - displayWidth(text)));
}

function padStart(text: string, columns: number): string {
  return ' '.repeat(Math.max(0, columns - displayWidth(text))) + text;
}

/** What changed since the previous run, in a few columns (the lists follow the table). */
function changesCell(t: FleetTenantOk): string {
  if (t.previous === null) return '-';
  if (t.previous.status === 'absent') return 'new';
  if (t.changes === null) return 'not compared';
  const { regressions, improvements, changes } = t.changes;
  if (regressions.length + improvements.length + changes.length === 0) return 'no change';
  const parts = [
    ...(regressions.length ? [`${regressions.length} worse`] : []),
    ...(improvements.length ? [`${improvements.length} better`] : []),
  ];
  return parts.length ? parts.join(', ') : `${changes.length} other`;
}

function tenantName(t: FleetTenant): string {
  const name = inlineSafe(t.tenant);
  return t.status === 'ok' && t.initialDomain !== null && t.initialDomain !== t.tenant
    ? `${name} (${inlineSafe(t.initialDomain)})`
    : name;
}

/** The row's error without the tenant's own path in front (the row names the tenant; the list below has it whole). */
function shortError(t: FleetTenant & { status: 'error' }): string {
  for (const sep of ['/', '\\'])
    if (t.error.startsWith(`${t.export}${sep}`)) return t.error.slice(t.export.length + 1);
  return t.error;
}

export function renderFleetTerminal(
  summary: FleetSummary,
  options: { color: boolean; width?: number },
): string {
  const c = pc.createColors(options.color);
  const width = Math.max(60, options.width ?? 80);
  const tenantColumns = Math.max(
    MIN_TENANT_COLUMNS,
    Math.min(
      summary.tenants.reduce((n, t) => Math.max(n, displayWidth(inlineSafe(t.tenant))), 0),
      width - FIXED_COLUMNS - CHANGES_COLUMNS,
    ),
  );
  const out: string[] = [];
  const dns =
    summary.dns === 'live' ? 'DNS asked live' : "DNS from each export's dns.json (--live-dns to ask live)";
  appendAll(
    out,
    wrapText(
      `mxlock assess --fleet ${inlineSafe(summary.fleet)}: ${summary.totals.tenants} tenant(s); ${dns}${summary.previous !== null ? `; compared with ${inlineSafe(summary.previous)}` : ''}.`,
      width,
      '',
      '  ',
    ),
  );
  out.push('');
  out.push(
    c.bold(
      [
        pad('TENANT', tenantColumns),
        pad('BYPASS', BYPASS_COLUMNS),
        pad('FLOWS', FLOWS_COLUMNS),
        padStart('OPEN', OPEN_COLUMNS),
        padStart('C/H/M/L', FAILING_COLUMNS),
        padStart('UNK', UNKNOWN_COLUMNS),
        'CHANGES',
      ].join(' '),
    ),
  );
  const bypassPaint: Record<string, Paint> = {
    open: (s) => c.red(c.bold(s)),
    uncertain: c.yellow,
    closed: c.green,
    'no-gateway': (s) => s,
  };
  for (const t of summary.tenants) {
    const name = pad(truncate(inlineSafe(t.tenant), tenantColumns), tenantColumns);
    if (t.status === 'error') {
      const room = Math.max(10, width - tenantColumns - 1 - 'error: '.length);
      out.push(`${name} ${c.red('error')}: ${truncate(inlineSafe(shortError(t)), room)}`);
      continue;
    }
    const f = t.failing;
    out.push(
      [
        name,
        pad(t.verdict.bypass, BYPASS_COLUMNS, bypassPaint[t.verdict.bypass]),
        pad(
          t.verdict.legitimateFlows,
          FLOWS_COLUMNS,
          t.verdict.legitimateFlows === 'preserved' ? c.green : c.yellow,
        ),
        padStart(String(t.openPaths.length), OPEN_COLUMNS),
        padStart(`${f.critical}/${f.high}/${f.medium}/${f.low}`, FAILING_COLUMNS),
        padStart(String(t.unknownChecks), UNKNOWN_COLUMNS),
        changesCell(t),
      ].join(' '),
    );
  }
  out.push('');
  const { totals } = summary;
  appendAll(
    out,
    wrapText(
      `Bypass: ${totals.bypass.open} open, ${totals.bypass.uncertain} uncertain, ${totals.bypass.closed} closed, ` +
        `${totals.bypass['no-gateway']} without a gateway; ${totals.error} could not be assessed; ` +
        `${totals.withRegressions} with regressions since the previous run.`,
      width,
      '',
      '  ',
    ),
  );
  const regressed = summary.tenants.filter(
    (t): t is FleetTenantOk => t.status === 'ok' && (t.changes?.regressions.length ?? 0) > 0,
  );
  if (regressed.length) {
    out.push('', c.red(c.bold('Regressions since the previous run')));
    for (const t of regressed) {
      appendAll(
        out,
        wrapText(`${tenantName(t)} (since ${inlineSafe(t.previous?.source ?? '')}):`, width, '  ', '    '),
      );
      for (const e of t.changes!.regressions)
        appendAll(out, wrapText(driftLine(e), width, '    - ', '        '));
    }
  }
  const failed = summary.tenants.filter((t) => t.status === 'error');
  if (failed.length) {
    out.push('', c.bold('Could not be assessed'));
    for (const t of failed)
      appendAll(out, wrapText(`${inlineSafe(t.tenant)}: ${inlineSafe(t.error)}`, width, '  ', '    '));
  }
  if (summary.gone.length) {
    out.push('');
    appendAll(
      out,
      wrapText(
        `In the previous run but not in this folder: ${summary.gone.map(inlineSafe).join(', ')}.`,
        width,
        '',
        '  ',
      ),
    );
  }
  out.push('');
  appendAll(
    out,
    wrapText(
      'OPEN: attack paths open around the gateway; C/H/M/L: failing checks by severity; UNK: checks left unknown; ' +
        'CHANGES since the previous run: worse = regressions, better = improvements (as `mxlock diff` judges them; ' +
        '--format json lists every change). Exit 1 when a tenant is open, fails at --fail-on, or could not be assessed.',
      width,
      '',
      '',
    ),
  );
  return `${out.join('\n')}\n`;
}
