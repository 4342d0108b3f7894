/** Renderers for `mxlock dns` (terminal and JSON), pure like the assess reporters. DNS answers are untrusted text. */
import pc from 'picocolors';
import { type DomainDns } from '../dns/analyse.js';
import {
  dkimSelectorsVerdict,
  dmarcPolicyVerdict,
  dmarcReportingVerdict,
  mxVerdict,
  spfVerdict,
  worstStatus,
  type DnsStatus,
  type DnsVerdict,
  type MxContext,
  type SpfContext,
} from '../dns/findings.js';
import { inlineSafe, appendAll } from '../common/text.js';
import { stringifyJson, wrapText } from './text.js';

export interface DnsDomainReport {
  domain: string;
  status: DnsStatus;
  spf: DnsVerdict & { lookups: number; voidLookups: number; all: string | null };
  dmarcPolicy: DnsVerdict & { policy: string; at: string | null };
  dmarcReporting: DnsVerdict;
  dkimSelectors: DnsVerdict;
  mx: DnsVerdict & { hosts: string[] };
}

export interface DnsCommandReport {
  schemaVersion: 1;
  source: string;
  domains: DnsDomainReport[];
}

export function buildDnsReport(
  source: string,
  results: readonly DomainDns[],
  ctx: { spf?: SpfContext; mx?: MxContext } = {},
): DnsCommandReport {
  const domains = results.map((d): DnsDomainReport => {
    const spf = spfVerdict(d, ctx.spf);
    const dmarcPolicy = dmarcPolicyVerdict(d);
    const dmarcReporting = dmarcReportingVerdict(d);
    const dkimSelectors = dkimSelectorsVerdict(d);
    const mx = mxVerdict(d, ctx.mx ?? { gatewayDeclared: false });
    return {
      domain: d.domain,
      status: worstStatus([
        spf.status,
        dmarcPolicy.status,
        dmarcReporting.status,
        dkimSelectors.status,
        mx.status,
      ]),
      spf: {
        ...spf,
        lookups: d.spf.lookups,
        voidLookups: d.spf.voidLookups,
        all: d.spf.allQualifier ? `${d.spf.allQualifier}all` : null,
      },
      dmarcPolicy: {
        ...dmarcPolicy,
        policy: d.dmarc.failure ? 'unknown' : d.dmarc.policy,
        at: d.dmarc.at ?? null,
      },
      dmarcReporting,
      dkimSelectors,
      mx: { ...mx, hosts: d.mx.hosts.map((h) => h.exchange) },
    };
  });
  return { schemaVersion: 1, source, domains };
}

export function renderDnsJson(report: DnsCommandReport): string {
  return stringifyJson(report);
}

const LABEL: Record<DnsStatus, string> = {
  pass: 'pass',
  fail: 'FAIL',
  warn: 'WARN',
  info: 'info',
  unknown: 'UNKNOWN',
  'not-applicable': 'n/a',
};

export function renderDnsTerminal(
  report: DnsCommandReport,
  options: { color: boolean; width?: number },
): string {
  const c = pc.createColors(options.color);
  const width = Math.max(40, options.width ?? 80);
  const paint = (s: DnsStatus, text: string) =>
    s === 'fail'
      ? c.red(c.bold(text))
      : s === 'warn' || s === 'unknown'
        ? c.yellow(text)
        : s === 'pass'
          ? c.green(text)
          : text;
  const out: string[] = [];
  for (const d of report.domains) {
    out.push(`${c.bold(inlineSafe(d.domain))}  ${paint(d.status, LABEL[d.status])}`);
    const rows: [string, DnsVerdict][] = [
      [`SPF (${d.spf.lookups} lookups${d.spf.all ? `, ${d.spf.all}` : ''})`, d.spf],
      [`DMARC policy (${d.dmarcPolicy.policy})`, d.dmarcPolicy],
      ['DMARC reporting', d.dmarcReporting],
      ['DKIM selectors', d.dkimSelectors],
      ['MX', d.mx],
    ];
    for (const [label, v] of rows) {
      out.push(`  ${paint(v.status, LABEL[v.status].padEnd(8))}${label}`);
      if (v.status === 'pass' || v.status === 'not-applicable') continue;
      for (const e of v.evidence) appendAll(out, wrapText(`- ${inlineSafe(e)}`, width, '      ', '        '));
    }
    out.push('');
  }
  const counts = new Map<DnsStatus, number>();
  for (const d of report.domains) counts.set(d.status, (counts.get(d.status) ?? 0) + 1);
  out.push(
    `${report.domains.length} domain(s): ${[...counts].map(([s, n]) => `${n} ${LABEL[s].toLowerCase()}`).join(', ')} (${inlineSafe(report.source)})`,
  );
  return `${out.join('\n')}\n`;
}
