/**
 * `mxlock headers` output: the DESIGN §3.4 JSON and a terminal view readable at 80 columns. Header values come from
 * whoever sent the message: every one is escaped (common/text.ts) in the terminal, and JSON escapes the rest. Pure.
 */
import pc from 'picocolors';
import type { AuthResults, MethodResult } from '../headers/auth.js';
import type { HeadersAnalysis, HeadersResult } from '../headers/analyse.js';
import { inlineSafe, appendAll } from '../common/text.js';
import { stringifyJson, wrapText } from './text.js';

function resultText(r: MethodResult): string {
  const props = Object.entries(r.props).map(([k, v]) => `${k}=${v}`);
  return [`${r.method}=${r.result}`, ...props].join(' ');
}

function resultsText(a: Pick<AuthResults, 'results'>): string {
  return a.results.map(resultText).join('; ');
}

const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

/** One message as DESIGN §3.4 `headers` (every key of the contract present; unknown values are null). */
export function headersJsonModel(a: HeadersAnalysis): Record<string, unknown> {
  const auth = a.authentication;
  return {
    verdict: a.verdict,
    enhancedFiltering: a.enhancedFiltering,
    enforcement: a.enforcement,
    reasons: a.reasons,
    hops: a.hops.map((h) => ({
      from: orNull(h.from),
      by: orNull(h.by),
      ip: orNull(h.ip),
      time: orNull(h.time ?? h.date),
      with: orNull(h.with),
      delaySeconds: orNull(h.delaySeconds),
      intoExchangeOnline: h === a.entry,
    })),
    connectingIp: orNull(a.connectingIp),
    antispam: a.antispam ?? {},
    authentication: {
      spf: orNull(auth.spf),
      dkim: orNull(auth.dkim),
      dmarc: orNull(auth.dmarc),
      compauth: orNull(auth.compauth),
      compauthReason: orNull(auth.compauthReason),
      dmarcAction: orNull(auth.dmarcAction),
      spfSenderIp: orNull(auth.spfSenderIp),
      smtpMailfrom: orNull(auth.smtpMailfrom),
      headerFrom: orNull(auth.headerFrom),
      source: orNull(auth.source),
    },
    upstreamAuthentication: a.upstream.map((u) => ({
      header: u.header,
      authservId: orNull(u.authservId),
      results: resultsText(u),
    })),
    otherAuthentication: a.otherResults.map((u) => ({
      header: u.header,
      authservId: orNull(u.authservId),
      results: resultsText(u),
    })),
    arc: a.arc.map((s) => ({
      instance: s.instance,
      sealer: orNull(s.sealer),
      cv: orNull(s.cv),
      authservId: orNull(s.authservId),
      results: resultsText(s),
    })),
    otherOrganizations: a.foreign,
    organization: a.organization,
    message: a.message,
    notes: a.notes,
  };
}

/**
 * DESIGN §3.4: one message gives the `headers` object itself, `{"schemaVersion":1,"verdict":…}`; several (an mbox)
 * give `{"schemaVersion":1,"messages":[…one such object each, in file order…]}`.
 */
export function renderHeadersJson(r: HeadersResult): string {
  if (r.messages.length === 1) {
    const only = headersJsonModel(r.messages[0]!);
    return stringifyJson({
      schemaVersion: 1,
      ...only,
      notes: [...r.notes, ...(only['notes'] as string[])],
    });
  }
  return stringifyJson({
    schemaVersion: 1,
    messages: r.messages.map(headersJsonModel),
    ...(r.notes.length ? { notes: r.notes } : {}),
  });
}

function delay(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  const abs = Math.abs(seconds);
  const text = abs < 120 ? `${abs}s` : abs < 7200 ? `${Math.round(abs / 60)}m` : `${Math.round(abs / 3600)}h`;
  return seconds < 0 ? `-${text}` : `+${text}`;
}

function messageTerminal(
  a: HeadersAnalysis,
  width: number,
  c: ReturnType<typeof pc.createColors>,
  title: string,
): string[] {
  const out: string[] = [];
  const wrap = (text: string, first = '  ', rest = '    ') =>
    appendAll(out, wrapText(inlineSafe(text), width, first, rest));
  const bad = a.verdict === 'bypass' || a.verdict === 'unknown';
  const verdictText = bad ? c.red(c.bold(a.verdict.toUpperCase())) : c.green(a.verdict.toUpperCase());
  const enforcement =
    a.enforcement === 'overridden'
      ? c.red(c.bold('OVERRIDDEN'))
      : a.enforcement === 'unknown'
        ? c.yellow('unknown')
        : 'kept';
  out.push(c.bold(title));
  for (const [label, value] of [
    ['From', a.message.from],
    ['To', a.message.to],
    ['Subject', a.message.subject],
    ['Message-ID', a.message.messageId],
  ] as const)
    if (value !== undefined) wrap(`${label}: ${value}`);
  out.push(
    `  Verdict: ${verdictText}   Enhanced Filtering: ${a.enhancedFiltering}   Enforcement: ${enforcement}`,
  );
  out.push('  Why:');
  for (const r of a.reasons) wrap(r, '    - ', '      ');
  if (a.hops.length) {
    out.push('  Hops, oldest first:');
    a.hops.forEach((h, i) => {
      const time = h.time ? h.time.replace('T', ' ').replace(/\.000Z$/, 'Z') : (h.date ?? 'no date');
      const entry = h === a.entry ? ' [into Exchange Online]' : '';
      wrap(
        `${i + 1}. ${h.ip ?? 'no IP'} ${h.from ?? '?'} -> ${h.by ?? '?'}, ${time} ${delay(h.delaySeconds)}${entry}`,
        '    ',
        '       ',
      );
    });
  }
  const auth = a.authentication;
  if (auth.source) {
    const parts = [
      `spf=${auth.spf ?? '?'}${auth.spfSenderIp ? ` (sender IP ${auth.spfSenderIp})` : ''}`,
      `dkim=${auth.dkim ?? '?'}`,
      `dmarc=${auth.dmarc ?? '?'}${auth.dmarcAction ? ` action=${auth.dmarcAction}` : ''}`,
      `compauth=${auth.compauth ?? '?'}${auth.compauthReason ? ` reason=${auth.compauthReason}` : ''}`,
    ];
    wrap(`Authentication (EOP, ${auth.source}): ${parts.join(', ')}`);
  } else wrap("Authentication: EOP's Authentication-Results not found");
  for (const u of a.upstream)
    wrap(`Upstream, before EOP (${u.header}${u.authservId ? `, ${u.authservId}` : ''}): ${resultsText(u)}`);
  for (const u of a.otherResults)
    wrap(
      u.authservId
        ? `Another system's results (${u.authservId}), not EOP's: ${resultsText(u)}`
        : `A lower ${u.header} without authserv-id, not the topmost: carried in with the message, not EOP's verdict: ${resultsText(u)}`,
    );
  for (const s of a.arc)
    wrap(
      `ARC i=${s.instance} sealed by ${s.sealer ?? '?'} (cv=${s.cv ?? '?'}): ${resultsText(s) || 'no results'}`,
    );
  if (a.antispam) {
    const keys = ['SCL', 'BCL', 'SFV', 'CAT', 'SFTY', 'DIR', 'IPV', 'SRV', 'CIP', 'CTRY', 'LANG', 'PTR', 'H'];
    const shown = keys.filter((k) => a.antispam?.[k]).map((k) => `${k}:${a.antispam?.[k]}`);
    wrap(`Anti-spam (this tenant): ${shown.join('  ') || 'no documented field'}`);
  }
  for (const f of a.foreign) wrap(`Not this tenant's verdict: ${f.header}: ${f.why}`);
  const org = Object.entries(a.organization).map(
    ([k, v]) => `${k.replace(/^X-MS-Exchange-(Organization-)?/, '')}=${v}`,
  );
  if (org.length) wrap(`Organization headers: ${org.join(', ')}`);
  for (const n of a.notes) wrap(`note: ${n}`);
  return out;
}

export function renderHeadersTerminal(r: HeadersResult, options: { color: boolean; width?: number }): string {
  const c = pc.createColors(options.color);
  const width = Math.max(60, options.width ?? 80);
  const out: string[] = [];
  for (const n of r.notes) appendAll(out, wrapText(inlineSafe(`note: ${n}`), width, '', '  '));
  r.messages.forEach((m, i) => {
    if (i > 0 || r.notes.length) out.push('');
    const title = r.messages.length > 1 ? `Message ${i + 1} of ${r.messages.length}` : 'Message';
    appendAll(out, messageTerminal(m, width, c, title));
  });
  return `${out.join('\n')}\n`;
}
