/**
 * SPF and DMARC answers computed from recorded DNS, for the simulator's attempts. Deliberately small: enough
 * to say whether an IP is authorised by a domain's SPF and which DMARC policy applies. The full RFC 7208 /
 * DMARCbis analysis and its checks belong to the DNS module (issue 3). Every answer the recorded zone cannot
 * support is `unknown`, never `pass`.
 */
import { IpSet, parseIpEntry } from '../model/ip.js';
import { lookup, type DnsZone } from './zone.js';

export type SpfResult =
  'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'permerror' | 'temperror' | 'unknown';

/** RFC 7208 §4.6.4: at most 10 terms that cause DNS lookups. */
export const MAX_SPF_LOOKUPS = 10;
/** RFC 7208 §4.6.4: void lookups (NODATA or NXDOMAIN) SHOULD be limited to two. */
export const MAX_SPF_VOID_LOOKUPS = 2;
/** RFC 7208 §4.6.4: one `mx` term may resolve the addresses of at most 10 exchanges. */
export const MAX_SPF_MX_HOSTS = 10;

const QUALIFIERS: Record<string, SpfResult> = { '+': 'pass', '-': 'fail', '~': 'softfail', '?': 'neutral' };

interface SpfState {
  lookups: number;
  voids: number;
  reason: string[];
}

function spfRecord(
  zone: DnsZone | undefined,
  domain: string,
): { kind: 'record'; text: string } | { kind: 'result'; result: SpfResult; why: string } {
  const res = lookup(zone, domain, 'TXT');
  if (res.kind === 'unavailable') return { kind: 'result', result: 'unknown', why: res.reason };
  if (res.kind === 'nxdomain' || res.kind === 'nodata')
    return { kind: 'result', result: 'none', why: `no SPF record at ${domain}` };
  const spf = res.records.filter((t) => /^v=spf1(\s|$)/i.test(t.trim()));
  if (spf.length === 0) return { kind: 'result', result: 'none', why: `no SPF record at ${domain}` };
  if (spf.length > 1)
    return {
      kind: 'result',
      result: 'permerror',
      why: `${domain} publishes ${spf.length} SPF records (RFC 7208 §4.5)`,
    };
  return { kind: 'record', text: spf[0]!.trim() };
}

/** Counts a void answer (RFC 7208 §4.6.4); the limit's effect is decided once at the end (see evaluateSpf). */
function noteVoid(state: SpfState, kind: string, name: string): void {
  if (kind === 'nodata' || kind === 'nxdomain') {
    state.voids++;
    if (state.voids === MAX_SPF_VOID_LOOKUPS + 1)
      state.reason.push(`more than ${MAX_SPF_VOID_LOOKUPS} void lookups (at ${name}, RFC 7208 §4.6.4)`);
  }
}

function hostMatches(
  zone: DnsZone | undefined,
  host: string,
  ip: string,
  cidr: string | undefined,
  state: SpfState,
): boolean | 'unknown' {
  const type = ip.includes(':') ? 'AAAA' : 'A';
  const res = lookup(zone, host, type);
  if (res.kind === 'unavailable') return 'unknown';
  noteVoid(state, res.kind, host);
  if (res.kind !== 'answer') return false;
  const set = new IpSet(res.records.map((a) => (cidr ? `${a}/${cidr}` : a)));
  return set.has(ip);
}

/** `ip4:` value: dotted quad with an optional /0–32 (RFC 7208 §5.6); anything else is a syntax error. */
function validIp4(value: string): boolean {
  if (!/^\d+\.\d+\.\d+\.\d+(\/\d{1,2})?$/.test(value)) return false;
  return parseIpEntry(value).kind === 'v4';
}

/** `ip6:` value: an IPv6 address with an optional /0–128. */
function validIp6(value: string): boolean {
  if (!value.includes(':') || value.includes('-')) return false;
  return parseIpEntry(value).kind !== 'invalid';
}

/** `a` / `mx` arguments: `[:domain][/cidr4][//cidr6]` (RFC 7208 §5.3, §5.4). */
const A_MX = /^(?::([^/]+))?(?:\/(\d{1,2}))?(?:\/\/(\d{1,3}))?$/;

function checkHost(
  zone: DnsZone | undefined,
  ip: string,
  domain: string,
  state: SpfState,
  depth: number,
): SpfResult {
  if (depth > MAX_SPF_LOOKUPS) return 'permerror';
  const rec = spfRecord(zone, domain);
  if (rec.kind === 'result') {
    state.reason.push(rec.why);
    return rec.result;
  }
  const terms = rec.text.split(/\s+/).slice(1).filter(Boolean);
  // Modifiers (§6) are position-independent: `redirect` and `exp` at most once each; `exp` and unknown modifiers
  // never change the result, so a macro inside them does not make the record unevaluable.
  let redirect: string | undefined;
  let redirects = 0;
  let exps = 0;
  const mechanisms: string[] = [];
  for (const raw of terms) {
    const eq = /^([a-z][a-z0-9_.-]*)=(.*)$/i.exec(raw);
    if (!eq) {
      mechanisms.push(raw);
      continue;
    }
    const name = eq[1]!.toLowerCase();
    if (name === 'redirect') {
      redirects++;
      redirect = eq[2];
    } else if (name === 'exp') exps++;
  }
  if (redirects > 1 || exps > 1) {
    state.reason.push(
      `${domain}: more than one ${redirects > 1 ? 'redirect' : 'exp'} modifier (RFC 7208 §6)`,
    );
    return 'permerror';
  }
  for (const raw of mechanisms) {
    const qualifier = QUALIFIERS[raw[0]!] ? raw[0]! : '+';
    const term = qualifier === raw[0] ? raw.slice(1) : raw;
    const name = (/^[a-z][a-z0-9]*/i.exec(term)?.[0] ?? '').toLowerCase();
    const rest = term.slice(name.length);
    const syntax = (): SpfResult => {
      state.reason.push(`${domain}: malformed term "${raw}" (RFC 7208 §5)`);
      return 'permerror';
    };
    if (raw.includes('%')) {
      state.reason.push(`${domain}: macro in "${raw}" not evaluated offline`);
      return 'unknown';
    }
    let matched: boolean | 'unknown' = false;
    switch (name) {
      case 'all':
        if (rest !== '') return syntax();
        matched = true;
        break;
      case 'ip4':
      case 'ip6': {
        const value = rest.startsWith(':') ? rest.slice(1) : '';
        if (!(name === 'ip4' ? validIp4(value) : validIp6(value))) return syntax();
        matched = new IpSet([value]).has(ip);
        break;
      }
      case 'a':
      case 'mx':
      case 'include':
      case 'exists':
      case 'ptr': {
        let target = domain;
        let cidr: string | undefined;
        if (name === 'a' || name === 'mx') {
          const m = A_MX.exec(rest);
          if (!m) return syntax();
          const c4 = m[2];
          const c6 = m[3];
          if ((c4 !== undefined && Number(c4) > 32) || (c6 !== undefined && Number(c6) > 128))
            return syntax();
          target = (m[1] ?? domain).toLowerCase();
          cidr = ip.includes(':') ? c6 : c4;
        } else if (name === 'ptr') {
          if (rest !== '' && !/^:[^/]+$/.test(rest)) return syntax();
          if (rest !== '') target = rest.slice(1).toLowerCase();
        } else {
          if (!/^:[^/]+$/.test(rest)) return syntax(); // include/exists need a domain
          target = rest.slice(1).toLowerCase();
        }
        // §4.6.4: the limit is checked before the lookup that would exceed it.
        if (state.lookups >= MAX_SPF_LOOKUPS) {
          state.reason.push(`more than ${MAX_SPF_LOOKUPS} DNS lookups (RFC 7208 §4.6.4)`);
          return 'permerror';
        }
        state.lookups++;
        if (name === 'include') {
          const inner = checkHost(zone, ip, target, state, depth + 1);
          if (inner === 'pass') matched = true;
          else if (inner === 'temperror' || inner === 'unknown') return inner;
          else if (inner === 'permerror' || inner === 'none') return 'permerror';
        } else if (name === 'a') {
          matched = hostMatches(zone, target, ip, cidr, state);
        } else if (name === 'mx') {
          const mx = lookup(zone, target, 'MX');
          if (mx.kind === 'unavailable') matched = 'unknown';
          else {
            noteVoid(state, mx.kind, target);
            if (mx.kind === 'answer') {
              if (mx.records.length > MAX_SPF_MX_HOSTS) {
                state.reason.push(`${target} has more than ${MAX_SPF_MX_HOSTS} MX hosts (RFC 7208 §4.6.4)`);
                return 'permerror';
              }
              for (const r of mx.records) {
                const hm = hostMatches(zone, r.exchange, ip, cidr, state);
                if (hm === 'unknown') matched = 'unknown';
                else if (hm) {
                  matched = true;
                  break;
                }
              }
            }
          }
        } else if (name === 'exists') {
          const r = lookup(zone, target, 'A');
          if (r.kind === 'unavailable') matched = 'unknown';
          else {
            noteVoid(state, r.kind, target);
            matched = r.kind === 'answer';
          }
        } else {
          state.reason.push(`${domain}: "ptr" needs reverse DNS, not recorded`);
          matched = 'unknown';
        }
        break;
      }
      default:
        state.reason.push(`${domain}: unknown mechanism "${raw}"`);
        return 'permerror';
    }
    if (matched === 'unknown') return 'unknown';
    if (matched) {
      state.reason.push(`${domain}: ${ip} matches "${raw}"`);
      return QUALIFIERS[qualifier]!;
    }
  }
  if (redirect !== undefined) {
    if (redirect.includes('%')) {
      state.reason.push(`${domain}: macro in redirect=${redirect} not evaluated offline`);
      return 'unknown';
    }
    if (state.lookups >= MAX_SPF_LOOKUPS) {
      state.reason.push(`more than ${MAX_SPF_LOOKUPS} DNS lookups (RFC 7208 §4.6.4)`);
      return 'permerror';
    }
    state.lookups++;
    const r = checkHost(zone, ip, redirect.toLowerCase(), state, depth + 1);
    return r === 'none' ? 'permerror' : r;
  }
  state.reason.push(`${domain}: no mechanism matched ${ip}`);
  return 'neutral';
}

/** An IPv4-mapped IPv6 client is evaluated as the IPv4 address it carries (RFC 7208 §5). */
function clientAddress(ip: string): string {
  const e = parseIpEntry(ip);
  if (e.kind !== 'v4' || e.range.lo !== e.range.hi || !ip.includes(':')) return ip.trim();
  const n = e.range.lo;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** SPF `check_host()` of RFC 7208 over recorded DNS. */
export function evaluateSpf(
  zone: DnsZone | undefined,
  ip: string,
  domain: string,
): { result: SpfResult; reason: string[] } {
  const state: SpfState = { lookups: 0, voids: 0, reason: [] };
  const result = checkHost(zone, clientAddress(ip), domain.toLowerCase(), state, 0);
  // The void-lookup limit is a SHOULD: whether EOP enforces it is not documented, so a pass reached past it is
  // not trusted (it may be a permerror there). Other results stay non-pass either way.
  if (state.voids > MAX_SPF_VOID_LOOKUPS && result === 'pass') {
    state.reason.push('pass reached only past the void-lookup limit: EOP may return permerror instead');
    return { result: 'unknown', reason: state.reason };
  }
  return { result, reason: state.reason };
}

export type DmarcPolicy = 'none' | 'quarantine' | 'reject' | 'absent' | 'unknown';

/** Tags of a DMARC record (names lower-cased, values trimmed and lower-cased). */
export function parseDmarcTags(record: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const part of record.split(';')) {
    const [k, ...v] = part.split('=');
    if (k && v.length) tags.set(k.trim().toLowerCase(), v.join('=').trim().toLowerCase());
  }
  return tags;
}

/** `v=DMARC1` first; the tag name is case-insensitive, the value "DMARC1" is not (RFC 7489 §6.4 ABNF). */
const DMARC_VERSION = /^[vV]\s*=\s*DMARC1\s*(;|$)/;

const ONE_STEP_LOWER: Record<'none' | 'quarantine' | 'reject', 'none' | 'quarantine' | 'reject'> = {
  reject: 'quarantine',
  quarantine: 'none',
  none: 'none',
};

/**
 * The DMARC policy that applies to mail from `domain`: its own record (p), or the nearest parent's (sp, else p).
 * `pct` < 100 (RFC 7489 §6.6.4) and `t=y` (DMARCbis test mode) mean some failing messages get the next lower
 * policy; a sender can simply retry until one does, so the lower policy is the one a spoofer faces.
 */
export function dmarcPolicyFor(
  zone: DnsZone | undefined,
  domain: string,
): { policy: DmarcPolicy; record?: string; at?: string; notes?: string[] } {
  const labels = domain.toLowerCase().replace(/\.$/, '').split('.');
  // DMARCbis tree walk (RFC 9989 §4.10): the domain, then from at most 7 labels down to 2; at most 8 queries.
  const names = [labels.join('.')];
  for (let k = Math.min(labels.length - 1, 7); k >= 2; k--) names.push(labels.slice(-k).join('.'));
  for (const [i, name] of names.entries()) {
    const at = `_dmarc.${name}`;
    const res = lookup(zone, at, 'TXT');
    if (res.kind === 'unavailable') return { policy: 'unknown' };
    if (res.kind !== 'answer') continue;
    const recs = res.records.filter((t) => DMARC_VERSION.test(t.trim()));
    if (recs.length === 0) continue;
    if (recs.length > 1)
      // RFC 7489 §6.6.3: several records → discovery ends and DMARC is not applied.
      return {
        policy: 'absent',
        at,
        notes: [`${at} publishes ${recs.length} DMARC records: no policy applies (RFC 7489 §6.6.3)`],
      };
    const rec = recs[0]!.trim();
    const tags = parseDmarcTags(rec);
    const own = i === 0;
    const p = (own ? tags.get('p') : (tags.get('sp') ?? tags.get('p'))) ?? 'none';
    let policy: 'none' | 'quarantine' | 'reject' =
      p === 'reject' || p === 'quarantine' || p === 'none' ? p : 'none';
    const notes: string[] = [];
    const pctText = tags.get('pct');
    const pct = pctText !== undefined && /^\d{1,3}$/.test(pctText) ? Number(pctText) : 100;
    if ((pct < 100 || tags.get('t') === 'y') && policy !== 'none') {
      const lower = ONE_STEP_LOWER[policy];
      notes.push(
        `${at}: ${pct < 100 ? `pct=${pct}` : 't=y'} — a failing message may get p=${lower} instead of p=${policy}`,
      );
      policy = lower;
    }
    return notes.length > 0 ? { policy, record: rec, at, notes } : { policy, record: rec, at };
  }
  return { policy: 'absent' };
}
