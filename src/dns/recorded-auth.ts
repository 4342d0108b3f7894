/**
 * SPF and DMARC answers computed from recorded DNS, for the simulator's attempts. Deliberately small: enough
 * to say whether an IP is authorised by a domain's SPF and which DMARC policy applies. The full RFC 7208 /
 * DMARCbis analysis and its checks belong to the DNS module (issue 3). Every answer the recorded zone cannot
 * support is `unknown`, never `pass`.
 */
import { IpSet } from '../model/ip.js';
import { lookup, type DnsZone } from './zone.js';

export type SpfResult =
  'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'permerror' | 'temperror' | 'unknown';

/** RFC 7208 §4.6.4: at most 10 terms that cause DNS lookups. */
export const MAX_SPF_LOOKUPS = 10;

const QUALIFIERS: Record<string, SpfResult> = { '+': 'pass', '-': 'fail', '~': 'softfail', '?': 'neutral' };

interface SpfState {
  lookups: number;
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

function hostMatches(
  zone: DnsZone | undefined,
  host: string,
  ip: string,
  cidr: string | undefined,
): boolean | 'unknown' {
  const type = ip.includes(':') ? 'AAAA' : 'A';
  const res = lookup(zone, host, type);
  if (res.kind === 'unavailable') return 'unknown';
  if (res.kind !== 'answer') return false;
  const set = new IpSet(res.records.map((a) => (cidr ? `${a}/${cidr}` : a)));
  return set.has(ip);
}

function checkHost(
  zone: DnsZone | undefined,
  ip: string,
  domain: string,
  state: SpfState,
  depth: number,
): SpfResult {
  if (depth > 10) return 'permerror';
  const rec = spfRecord(zone, domain);
  if (rec.kind === 'result') {
    state.reason.push(rec.why);
    return rec.result;
  }
  const terms = rec.text.split(/\s+/).slice(1).filter(Boolean);
  let redirect: string | undefined;
  for (const raw of terms) {
    if (raw.includes('%')) {
      state.reason.push(`${domain}: macro in "${raw}" not evaluated offline`);
      return 'unknown';
    }
    const eq = /^([a-z][a-z0-9_.-]*)=(.*)$/i.exec(raw);
    if (eq) {
      if (eq[1]!.toLowerCase() === 'redirect') redirect = eq[2];
      continue;
    }
    const qualifier = QUALIFIERS[raw[0]!] ? raw[0]! : '+';
    const term = QUALIFIERS[raw[0]!] ? raw.slice(1) : raw;
    const m = /^([a-z0-9]+)(?::([^/]*))?(?:\/(\d+))?(?:\/\/(\d+))?$/i.exec(term);
    const name = (m?.[1] ?? term).toLowerCase();
    const arg = m?.[2];
    let matched: boolean | 'unknown' = false;
    switch (name) {
      case 'all':
        matched = true;
        break;
      case 'ip4':
      case 'ip6': {
        const value = term.slice(name.length + 1);
        matched = new IpSet([value]).has(ip);
        break;
      }
      case 'a':
      case 'mx':
      case 'include':
      case 'exists':
      case 'ptr': {
        state.lookups++;
        if (state.lookups > MAX_SPF_LOOKUPS) {
          state.reason.push(`more than ${MAX_SPF_LOOKUPS} DNS lookups (RFC 7208 §4.6.4)`);
          return 'permerror';
        }
        const target = (arg ?? domain).toLowerCase();
        const cidr = ip.includes(':') ? m?.[4] : m?.[3];
        if (name === 'include') {
          if (!arg) return 'permerror';
          const inner = checkHost(zone, ip, target, state, depth + 1);
          if (inner === 'pass') matched = true;
          else if (inner === 'temperror' || inner === 'unknown') return inner;
          else if (inner === 'permerror' || inner === 'none') return 'permerror';
        } else if (name === 'a') {
          matched = hostMatches(zone, target, ip, cidr);
        } else if (name === 'mx') {
          const mx = lookup(zone, target, 'MX');
          if (mx.kind === 'unavailable') matched = 'unknown';
          else if (mx.kind === 'answer') {
            matched = false;
            for (const r of mx.records) {
              const hm = hostMatches(zone, r.exchange, ip, cidr);
              if (hm === 'unknown') matched = 'unknown';
              else if (hm) {
                matched = true;
                break;
              }
            }
          }
        } else if (name === 'exists') {
          const r = lookup(zone, target, 'A');
          matched = r.kind === 'unavailable' ? 'unknown' : r.kind === 'answer';
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
  if (redirect) {
    state.lookups++;
    if (state.lookups > MAX_SPF_LOOKUPS) return 'permerror';
    const r = checkHost(zone, ip, redirect.toLowerCase(), state, depth + 1);
    return r === 'none' ? 'permerror' : r;
  }
  state.reason.push(`${domain}: no mechanism matched ${ip}`);
  return 'neutral';
}

/** SPF `check_host()` of RFC 7208 over recorded DNS. */
export function evaluateSpf(
  zone: DnsZone | undefined,
  ip: string,
  domain: string,
): { result: SpfResult; reason: string[] } {
  const state: SpfState = { lookups: 0, reason: [] };
  const result = checkHost(zone, ip, domain.toLowerCase(), state, 0);
  return { result, reason: state.reason };
}

export type DmarcPolicy = 'none' | 'quarantine' | 'reject' | 'absent' | 'unknown';

/** The DMARC policy that applies to mail from `domain`: its own record (p), or the nearest parent's (sp, else p). */
export function dmarcPolicyFor(
  zone: DnsZone | undefined,
  domain: string,
): { policy: DmarcPolicy; record?: string; at?: string } {
  const labels = domain.toLowerCase().split('.');
  // DMARCbis tree walk (RFC 9989 §4.10), bounded at 8 queries.
  for (let i = 0; i < labels.length - 1 && i < 8; i++) {
    const name = labels.slice(i).join('.');
    const res = lookup(zone, `_dmarc.${name}`, 'TXT');
    if (res.kind === 'unavailable') return { policy: 'unknown' };
    if (res.kind !== 'answer') continue;
    const rec = res.records.find((t) => /^v\s*=\s*DMARC1\s*(;|$)/i.test(t.trim()));
    if (!rec) continue;
    const tags = new Map<string, string>();
    for (const part of rec.split(';')) {
      const [k, ...v] = part.split('=');
      if (k && v.length) tags.set(k.trim().toLowerCase(), v.join('=').trim().toLowerCase());
    }
    const own = i === 0;
    const p = (own ? tags.get('p') : (tags.get('sp') ?? tags.get('p'))) ?? 'none';
    const policy = p === 'reject' || p === 'quarantine' || p === 'none' ? p : 'none';
    return { policy, record: rec, at: `_dmarc.${name}` };
  }
  return { policy: 'absent' };
}
