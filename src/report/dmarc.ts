/**
 * `mxlock dmarc` output: the DESIGN §3.4 JSON and a terminal view readable at 80 columns. Everything in a report comes
 * from whoever wrote it (the reporter, or anyone who mails the rua address): the terminal escapes every value
 * (common/text.ts), JSON escapes the rest (stringifyJson). Pure.
 */
import pc from 'picocolors';
import { appendAll, inlineSafe } from '../common/text.js';
import type { DmarcSource, DmarcSummary } from '../dmarc/sources.js';
import { stringifyJson, wrapText } from './text.js';

const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

/** DESIGN §3.4 `dmarc`: reports, messages, sources (ip, headerFrom, count, dmarc, known) first, then the additions. */
export function renderDmarcJson(s: DmarcSummary): string {
  return stringifyJson({
    schemaVersion: 1,
    reports: s.reports,
    messages: s.messages,
    sources: s.sources.map((x) => ({
      ip: x.ip,
      headerFrom: x.headerFrom,
      count: x.count,
      dmarc: x.dmarc,
      known: x.known,
      knownBy: orNull(x.knownBy),
      spf: x.spf,
      reason: x.reason,
      dispositions: x.dispositions,
      spfAligned: x.spfAligned,
      dkimAligned: x.dkimAligned,
      reporters: x.reporters,
    })),
    unknownSources: s.sources.filter((x) => !x.known).length,
    byDay: s.byDay,
    domains: s.domains,
    period: { begin: orNull(s.begin), end: orNull(s.end) },
    spfChecked: s.spfChecked,
    gateway: orNull(s.gateway),
    files: s.files.map((f) => ({ ...f, begin: orNull(f.begin), end: orNull(f.end) })),
    notes: s.notes,
  });
}

const day = (iso: string | undefined) => (iso ? iso.slice(0, 16).replace('T', ' ') : '?');

function dispositions(x: DmarcSource): string {
  return Object.entries(x.dispositions)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

export function renderDmarcTerminal(s: DmarcSummary, options: { color: boolean; width?: number }): string {
  const c = pc.createColors(options.color);
  const width = Math.max(60, options.width ?? 80);
  const out: string[] = [];
  const wrap = (text: string, first = '', rest = '  ') =>
    appendAll(out, wrapText(inlineSafe(text), width, first, rest));
  const unknown = s.sources.filter((x) => !x.known);
  const known = s.sources.filter((x) => x.known);
  out.push(c.bold('DMARC aggregate reports'));
  wrap(
    `${s.reports} report(s), ${s.messages} message(s) for ${s.domains.join(', ') || 'no domain'}, ${day(s.begin)} to ${day(s.end)} UTC`,
    '  ',
    '    ',
  );
  wrap(
    s.gateway === undefined
      ? 'Gateway: unknown (no --export or --profile): no source can be known as the gateway'
      : s.gateway.ips.length
        ? `Gateway: ${s.gateway.ips.join(', ')} (${s.gateway.source})`
        : `Gateway: none known (${s.gateway.source})`,
    '  ',
    '    ',
  );
  wrap(
    s.spfChecked
      ? "SPF: each source checked against its header_from domain's SPF in the export's dns.json"
      : 'SPF: not checked (no --export with dns.json): a source outside the gateway and the profile is unknown, not safe',
    '  ',
    '    ',
  );
  if (s.byDay.length > 0) {
    out.push('');
    out.push(c.bold('By day (UTC)'));
    const w = String(Math.max(...s.byDay.map((d) => d.messages))).length;
    for (const d of s.byDay) {
      const fail = d.unaligned > 0 ? c.red(`${d.unaligned} unaligned`) : `${d.unaligned} unaligned`;
      out.push(
        `  ${d.day.padEnd(10)}  ${String(d.messages).padStart(w)} message(s): ${d.aligned} aligned, ${fail}`,
      );
    }
  }
  const source = (x: DmarcSource, mark: string) => {
    const dmarc = x.dmarc === 'pass' ? c.green('pass') : c.red('fail');
    const head = wrapText(inlineSafe(`${x.ip}  as ${x.headerFrom}`), width, mark, '      ');
    appendAll(out, x.known ? head : head.map((l) => c.red(l)));
    const line = `${x.count} message(s), DMARC ${x.dmarc} (aligned SPF ${x.spfAligned}, DKIM ${x.dkimAligned}); ${dispositions(x)}`;
    appendAll(
      out,
      wrapText(inlineSafe(line), width, '      ', '      ').map((l) =>
        l.replace(`DMARC ${x.dmarc}`, `DMARC ${dmarc}`),
      ),
    );
    wrap(
      `${x.known ? `known: ${x.reason}` : x.reason}; reported by ${x.reporters.join(', ')}`,
      '      ',
      '      ',
    );
    if (!x.known)
      wrap(
        x.dmarc === 'pass'
          ? 'passes DMARC from an IP nobody declared: a legitimate sender to add to SPF or the profile, or your DKIM key signing elsewhere'
          : 'fails DMARC: spoofing, or a legitimate sender to fix; the disposition is what receivers did with it',
        '      ',
        '      ',
      );
  };
  out.push('');
  if (unknown.length) {
    out.push(c.red(c.bold(`UNKNOWN SOURCES (not the gateway, the profile or SPF): ${unknown.length}`)));
    for (const x of unknown) source(x, '  ! ');
  } else
    out.push(c.green('No unknown source: every sender is the gateway, declared in the profile, or in SPF.'));
  if (known.length) {
    out.push('');
    out.push(c.bold(`Known sources: ${known.length}`));
    for (const x of known) source(x, '    ');
  }
  if (s.notes.length) {
    out.push('');
    out.push('Notes:');
    for (const n of s.notes) wrap(n, '  - ', '    ');
  }
  return `${out.join('\n')}\n`;
}
