/** SPF macro expansion (RFC 7208 §7). Pure, except that `%{p}` needs a validated name supplied by the caller. */
import ipaddr from 'ipaddr.js';
import { MAX_NAME_OCTETS, octets } from '../name.js';

export interface MacroContext {
  /** <sender>: the full MAIL FROM (or postmaster@helo for HELO checks). */
  sender: string;
  /** <domain>: the domain being checked (changes with include/redirect). */
  domain: string;
  ip: string;
  helo: string;
  /** The validated domain name of the IP for %{p}, or undefined when not known ("unknown", §7.3). */
  validatedName?: string;
  /** Receiving host and timestamp for exp= only (%{r}, %{t}). */
  receiver?: string;
  timestamp?: number;
}

/** The dot-separated forms %{i} uses: IPv4 dotted quad, IPv6 as 32 nibbles (§7.3). */
export function macroIp(ip: string): string {
  const a = ipaddr.parse(ip);
  if (a.kind() === 'ipv4') return a.toString();
  const v6 = a as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  return v6
    .toByteArray()
    .flatMap((b) => [(b >> 4).toString(16), (b & 15).toString(16)])
    .join('.');
}

function isV4(ip: string): boolean {
  const a = ipaddr.parse(ip);
  return a.kind() === 'ipv4' || (a as ipaddr.IPv6).isIPv4MappedAddress();
}

function letterValue(letter: string, ctx: MacroContext): string {
  const at = ctx.sender.lastIndexOf('@');
  const local = at > 0 ? ctx.sender.slice(0, at) : 'postmaster';
  const senderDomain = at >= 0 ? ctx.sender.slice(at + 1) : ctx.sender;
  switch (letter) {
    case 's':
      return at > 0 ? ctx.sender : `postmaster@${senderDomain}`;
    case 'l':
      return local;
    case 'o':
      return senderDomain;
    case 'd':
      return ctx.domain;
    case 'i':
      return macroIp(ctx.ip);
    case 'p':
      return ctx.validatedName ?? 'unknown';
    case 'v':
      return isV4(ctx.ip) ? 'in-addr' : 'ip6';
    case 'h':
      return ctx.helo;
    case 'c':
      return isV4(ctx.ip) ? ipaddr.parse(ctx.ip).toString() : ipaddr.parse(ctx.ip).toString();
    case 'r':
      return ctx.receiver ?? 'unknown';
    case 't':
      return String(Math.floor((ctx.timestamp ?? 0) / 1000));
    default:
      return '';
  }
}

/** Characters kept as-is when a macro letter is upper case (URL escaping of §7.3, RFC 3986 unreserved set). */
const UNRESERVED = /[A-Za-z0-9\-._~]/;

function urlEscape(s: string): string {
  return [...new TextEncoder().encode(s)]
    .map((b) => {
      const ch = String.fromCharCode(b);
      return UNRESERVED.test(ch) ? ch : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/** Expands a macro-string (already checked by the parser). */
export function expandMacros(spec: string, ctx: MacroContext): string {
  let out = '';
  for (let i = 0; i < spec.length; i++) {
    const ch = spec[i]!;
    if (ch !== '%') {
      out += ch;
      continue;
    }
    const next = spec[i + 1];
    if (next === '%') out += '%';
    else if (next === '_') out += ' ';
    else if (next === '-') out += '%20';
    if (next !== '{') {
      i++;
      continue;
    }
    const close = spec.indexOf('}', i + 2);
    const body = spec.slice(i + 2, close);
    i = close;
    const m = /^([a-zA-Z])(\d*)(r?)([.\-+,/_=]*)$/i.exec(body)!;
    const letter = m[1]!;
    let value = letterValue(letter.toLowerCase(), ctx);
    const delimiters = m[4] || '.';
    let parts = value.split(new RegExp(`[${delimiters.replace(/[-\\\]^]/g, '\\$&')}]`));
    if (m[3]) parts = parts.reverse();
    if (m[2]) {
      const keep = Number(m[2]);
      parts = parts.slice(Math.max(0, parts.length - keep));
    }
    value = parts.join('.');
    out += letter === letter.toUpperCase() ? urlEscape(value) : value;
  }
  return out;
}

/** §7.3: an expanded domain longer than 253 octets loses labels from the left until it fits. */
export function truncateDomain(name: string): string {
  let n = name;
  while (octets(n) > MAX_NAME_OCTETS && n.includes('.')) n = n.slice(n.indexOf('.') + 1);
  return n;
}
