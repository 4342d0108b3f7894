/**
 * Who sends as your domains, from DMARC aggregate reports: sources by IP, header_from domain and DMARC result, each
 * judged known (the gateway's, the profile's hybrid or declared Direct Send IPs, or authorised by the domain's SPF in
 * the recorded DNS) or not. Unknown is never safe (DESIGN §1.1): without recorded DNS, SPF is "not checked" and a
 * source outside the gateway and the profile is not known. Pure.
 */
import { hasGateway, type ResolvedGateway } from '../common/gateway.js';
import { IpSet } from '../common/ip.js';
import type { DnsZone } from '../common/zone.js';
import { recordedSpf } from '../dns/oracle.js';
import type { Profile } from '../profile/schema.js';
import type { AlignedResult } from './report.js';
import type { FoundReport } from './extract.js';
import { daysCovered, MAX_SPREAD_DAYS, spreadOverDays, UNKNOWN_DAY } from './days.js';

/** What a source is known as; `spf` = the header_from domain's SPF passes for the IP (RFC 7208 check_host). */
export type KnownBy = 'gateway' | 'hybrid' | 'declared-source' | 'spf';

export interface KnownContext {
  /** Undefined when neither a profile nor an export was given: the gateway is unknown. */
  gateway: ResolvedGateway | undefined;
  profile: Profile | undefined;
  /** The export's dns.json; undefined: SPF was not checked. */
  zone: DnsZone | undefined;
}

export interface DmarcSource {
  ip: string;
  headerFrom: string;
  count: number;
  dmarc: AlignedResult;
  known: boolean;
  knownBy: KnownBy | undefined;
  /** SPF of header_from for this IP over the recorded DNS, or `not-checked` (no dns.json). */
  spf: string;
  /** Why it is (not) known, for the report. */
  reason: string;
  /** Messages by disposition (none, quarantine, reject). */
  dispositions: Record<string, number>;
  spfAligned: number;
  dkimAligned: number;
  reporters: string[];
}

/** Messages of one UTC day (days.ts: a report spanning several days is split over them). */
export interface DmarcDay {
  /** `YYYY-MM-DD`, or `unknown` (no readable date, or a range too long to spread). */
  day: string;
  messages: number;
  /** DMARC pass: aligned SPF or aligned DKIM (policy_evaluated). */
  aligned: number;
  unaligned: number;
}

export interface DmarcSummary {
  reports: number;
  messages: number;
  sources: DmarcSource[];
  /** By UTC day, oldest first, `unknown` last. */
  byDay: DmarcDay[];
  domains: string[];
  begin: string | undefined;
  end: string | undefined;
  spfChecked: boolean;
  gateway: { source: string; ips: string[] } | undefined;
  files: {
    source: string;
    org: string;
    reportId: string;
    domain: string;
    policy: string;
    begin: string | undefined;
    end: string | undefined;
    records: number;
  }[];
  notes: string[];
}

interface Acc {
  ip: string;
  headerFrom: string;
  dmarc: AlignedResult;
  count: number;
  dispositions: Map<string, number>;
  spfAligned: number;
  dkimAligned: number;
  reporters: Set<string>;
}

function judge(
  ip: string,
  domain: string,
  ctx: KnownContext,
  sets: { gateway: IpSet; hybrid: IpSet; declared: { name: string; ips: IpSet }[] },
): Pick<DmarcSource, 'known' | 'knownBy' | 'spf' | 'reason'> {
  const spfResult = (): { spf: string; trace: string } => {
    if (!ctx.zone) return { spf: 'not-checked', trace: 'SPF not checked (no dns.json: give --export)' };
    const r = recordedSpf(ctx.zone, { ip, domain, sender: `postmaster@${domain}` });
    return { spf: r.result, trace: r.trace[r.trace.length - 1] ?? '' };
  };
  if (sets.gateway.has(ip))
    return { known: true, knownBy: 'gateway', spf: spfResult().spf, reason: "the gateway's IP" };
  if (sets.hybrid.has(ip))
    return {
      known: true,
      knownBy: 'hybrid',
      spf: spfResult().spf,
      reason: 'a hybrid (on-premises) IP of the profile',
    };
  const declared = sets.declared.find((d) => d.ips.has(ip));
  if (declared)
    return {
      known: true,
      knownBy: 'declared-source',
      spf: spfResult().spf,
      reason: `declared Direct Send source "${declared.name}" of the profile`,
    };
  const { spf, trace } = spfResult();
  if (spf === 'pass')
    return { known: true, knownBy: 'spf', spf, reason: `authorised by ${domain}'s SPF (${trace})` };
  const gatewayWhy =
    ctx.gateway === undefined
      ? 'the gateway is unknown (give --export or --profile)'
      : hasGateway(ctx.gateway)
        ? 'not the gateway'
        : `no gateway known (${ctx.gateway.source})`;
  const spfWhy = spf === 'not-checked' ? trace : `${domain}'s SPF gives ${spf} for it`;
  return { known: false, knownBy: undefined, spf, reason: `${gatewayWhy}; ${spfWhy}` };
}

/** The sources of `found`, most messages first among the unknown, then among the known. */
export function summarise(
  found: readonly FoundReport[],
  ctx: KnownContext,
  notes: readonly string[] = [],
): DmarcSummary {
  const gatewayIps = ctx.gateway && hasGateway(ctx.gateway) ? ctx.gateway.ips : [];
  const sets = {
    gateway: new IpSet(gatewayIps),
    hybrid: new IpSet(ctx.profile?.hybrid?.ips ?? []),
    declared: (ctx.profile?.directSendSources ?? []).map((d) => ({ name: d.name, ips: new IpSet(d.ips) })),
  };
  const out = [...notes];
  // The same report can arrive twice (an .eml and the saved attachment): counted once. A reporter's report_id is
  // unique only to itself, and some reuse one id for each policy domain or period (RFC 7489 §7.2.1.1 asks no more),
  // so the key is org, report_id, policy domain and date range: a report for another domain or day is never dropped.
  const seen = new Map<string, string>();
  const reports: FoundReport[] = [];
  let duplicates = 0;
  for (const f of found) {
    const r = f.report;
    const key = r.reportId
      ? [r.orgName, r.reportId, r.domain, r.begin ?? '', r.end ?? ''].join('\u0000')
      : undefined;
    const first = key === undefined ? undefined : seen.get(key);
    if (first !== undefined) {
      duplicates++;
      out.push(
        `${f.source}: the same report as ${first} (${r.orgName}, ${r.reportId}, ${r.domain}, ${r.begin ?? 'no begin'} to ${r.end ?? 'no end'}): counted once`,
      );
      continue;
    }
    if (key !== undefined) seen.set(key, f.source);
    reports.push(f);
  }
  if (duplicates > 0)
    out.push(
      `${duplicates} duplicate report(s) dropped (same org, report_id, policy domain and date range as one already read)`,
    );
  const acc = new Map<string, Acc>();
  let messages = 0;
  let begin: string | undefined;
  let end: string | undefined;
  const domains = new Set<string>();
  const days = new Map<string, { aligned: number; unaligned: number }>();
  let spread = 0;
  let unspread = 0;
  for (const { report, source } of reports) {
    domains.add(report.domain);
    let aligned = 0;
    let unaligned = 0;
    for (const r of report.records) {
      if (r.dmarc === 'pass') aligned += r.count;
      else unaligned += r.count;
    }
    const covered = daysCovered(report.begin, report.end);
    if (covered > MAX_SPREAD_DAYS) unspread++;
    else if (covered > 1) spread++;
    for (const [key, n] of [
      ['aligned', aligned],
      ['unaligned', unaligned],
    ] as const) {
      for (const share of spreadOverDays(n, report.begin, report.end)) {
        let d = days.get(share.day);
        if (!d) days.set(share.day, (d = { aligned: 0, unaligned: 0 }));
        d[key] += share.count;
      }
    }
    if (report.begin && (begin === undefined || report.begin < begin)) begin = report.begin;
    if (report.end && (end === undefined || report.end > end)) end = report.end;
    for (const n of report.notes) out.push(`${source}: ${n}`);
    for (const r of report.records) {
      messages += r.count;
      const key = `${r.sourceIp}\u0000${r.headerFrom}\u0000${r.dmarc}`;
      let a = acc.get(key);
      if (!a) {
        a = {
          ip: r.sourceIp,
          headerFrom: r.headerFrom,
          dmarc: r.dmarc,
          count: 0,
          dispositions: new Map(),
          spfAligned: 0,
          dkimAligned: 0,
          reporters: new Set(),
        };
        acc.set(key, a);
      }
      a.count += r.count;
      a.dispositions.set(r.disposition, (a.dispositions.get(r.disposition) ?? 0) + r.count);
      if (r.spf === 'pass') a.spfAligned += r.count;
      if (r.dkim === 'pass') a.dkimAligned += r.count;
      a.reporters.add(report.orgName);
    }
  }
  if (spread > 0)
    out.push(
      `${spread} report(s) cover more than one UTC day: their messages were split over those days in proportion to the time each day covers (largest remainders, so each report's total stays exact)`,
    );
  if (unspread > 0)
    out.push(
      `${unspread} report(s) cover more than ${MAX_SPREAD_DAYS} days: their messages count under day "${UNKNOWN_DAY}"`,
    );
  const byDay = [...days]
    .map(([day, d]): DmarcDay => ({ day, messages: d.aligned + d.unaligned, ...d }))
    .sort((a, b) =>
      a.day === b.day ? 0 : a.day === UNKNOWN_DAY ? 1 : b.day === UNKNOWN_DAY ? -1 : a.day < b.day ? -1 : 1,
    );
  const verdicts = new Map<string, ReturnType<typeof judge>>();
  const sources = [...acc.values()].map((a): DmarcSource => {
    const vKey = `${a.ip}\u0000${a.headerFrom}`;
    let v = verdicts.get(vKey);
    if (!v) {
      v = judge(a.ip, a.headerFrom, ctx, sets);
      verdicts.set(vKey, v);
    }
    return {
      ip: a.ip,
      headerFrom: a.headerFrom,
      count: a.count,
      dmarc: a.dmarc,
      ...v,
      dispositions: Object.fromEntries([...a.dispositions].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))),
      spfAligned: a.spfAligned,
      dkimAligned: a.dkimAligned,
      reporters: [...a.reporters].sort(),
    };
  });
  sources.sort(
    (x, y) =>
      Number(x.known) - Number(y.known) ||
      y.count - x.count ||
      (x.ip < y.ip ? -1 : x.ip > y.ip ? 1 : 0) ||
      (x.headerFrom < y.headerFrom ? -1 : x.headerFrom > y.headerFrom ? 1 : 0) ||
      (x.dmarc < y.dmarc ? -1 : x.dmarc > y.dmarc ? 1 : 0),
  );
  return {
    reports: reports.length,
    messages,
    sources,
    byDay,
    domains: [...domains].sort(),
    begin,
    end,
    spfChecked: ctx.zone !== undefined,
    gateway: ctx.gateway ? { source: ctx.gateway.source, ips: [...gatewayIps] } : undefined,
    files: reports.map(({ source, report: r }) => ({
      source,
      org: r.orgName,
      reportId: r.reportId,
      domain: r.domain,
      policy: r.policy,
      begin: r.begin,
      end: r.end,
      records: r.records.length,
    })),
    notes: out,
  };
}
