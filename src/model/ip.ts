/**
 * IP sets for connector SenderIPAddresses, rule SenderIpRanges, EF skip lists and connection-filter lists:
 * single addresses, CIDR and `a-b` ranges (eop-model §2.2, §4.2, §5, §6.5). Compiled once per configuration.
 */
import ipaddr from 'ipaddr.js';

interface V4Range {
  lo: number;
  hi: number;
}

function v4ToInt(a: ipaddr.IPv4): number {
  const o = a.octets;
  return ((o[0]! << 24) >>> 0) + (o[1]! << 16) + (o[2]! << 8) + o[3]!;
}

function parseV4(s: string): ipaddr.IPv4 | undefined {
  if (!ipaddr.IPv4.isValidFourPartDecimal(s)) return undefined;
  return ipaddr.IPv4.parse(s);
}

function parseAny(s: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (!ipaddr.isValid(s)) return undefined;
  const a = ipaddr.parse(s);
  if (a.kind() === 'ipv4' && !ipaddr.IPv4.isValidFourPartDecimal(s)) return undefined;
  return a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()
    ? (a as ipaddr.IPv6).toIPv4Address()
    : a;
}

export type ParsedEntry =
  | { kind: 'v4'; range: V4Range; text: string }
  | { kind: 'v6'; net: [ipaddr.IPv6, number]; text: string }
  | { kind: 'invalid'; text: string };

export function parseIpEntry(text: string): ParsedEntry {
  const t = text.trim();
  const dash = t.indexOf('-');
  if (dash > 0) {
    const a = parseV4(t.slice(0, dash).trim());
    const b = parseV4(t.slice(dash + 1).trim());
    if (a && b && v4ToInt(a) <= v4ToInt(b))
      return { kind: 'v4', range: { lo: v4ToInt(a), hi: v4ToInt(b) }, text: t };
    return { kind: 'invalid', text: t };
  }
  if (t.includes('/')) {
    const [addr, bitsText] = t.split('/', 2) as [string, string];
    if (!/^\d{1,3}$/.test(bitsText)) return { kind: 'invalid', text: t };
    let bits = Number(bitsText);
    const a = parseAny(addr);
    if (!a) return { kind: 'invalid', text: t };
    // `::ffff:a.b.c.d/n` is the IPv4 network a.b.c.d/(n-96): parseAny already mapped the address down.
    if (a.kind() === 'ipv4' && addr.includes(':')) {
      if (bits < 96 || bits > 128) return { kind: 'invalid', text: t };
      bits -= 96;
    }
    if (a.kind() === 'ipv4') {
      if (bits > 32) return { kind: 'invalid', text: t };
      const base = v4ToInt(a as ipaddr.IPv4);
      const size = 2 ** (32 - bits);
      const lo = base - (base % size);
      return { kind: 'v4', range: { lo, hi: lo + size - 1 }, text: t };
    }
    if (bits > 128) return { kind: 'invalid', text: t };
    return { kind: 'v6', net: [a as ipaddr.IPv6, bits], text: t };
  }
  const a = parseAny(t);
  if (!a) return { kind: 'invalid', text: t };
  if (a.kind() === 'ipv4') {
    const n = v4ToInt(a as ipaddr.IPv4);
    return { kind: 'v4', range: { lo: n, hi: n }, text: t };
  }
  return { kind: 'v6', net: [a as ipaddr.IPv6, 128], text: t };
}

export function isValidIpOrCidr(text: string): boolean {
  return parseIpEntry(text).kind !== 'invalid';
}

export function isValidIp(text: string): boolean {
  return parseAny(text.trim()) !== undefined;
}

/** A compiled set of address entries. */
export class IpSet {
  private readonly v4: V4Range[] = [];
  private readonly v6: [ipaddr.IPv6, number][] = [];
  readonly invalid: string[] = [];
  readonly entries: ParsedEntry[];

  constructor(texts: readonly string[] = []) {
    this.entries = texts.map(parseIpEntry);
    for (const e of this.entries) {
      if (e.kind === 'v4') this.v4.push(e.range);
      else if (e.kind === 'v6') this.v6.push(e.net);
      else this.invalid.push(e.text);
    }
  }

  get size(): number {
    return this.v4.length + this.v6.length;
  }

  has(ip: string): boolean {
    const a = parseAny(ip);
    if (!a) return false;
    if (a.kind() === 'ipv4') {
      const n = v4ToInt(a as ipaddr.IPv4);
      for (const r of this.v4) if (n >= r.lo && n <= r.hi) return true;
      return false;
    }
    for (const net of this.v6) if ((a as ipaddr.IPv6).match(net)) return true;
    return false;
  }

  /** Whether every address of `entry` (an IP, CIDR or range) lies in this set. IPv4 only; IPv6 entries need an exact match. */
  covers(entry: string): boolean {
    const e = parseIpEntry(entry);
    if (e.kind === 'invalid') return false;
    if (e.kind === 'v6') return this.v6.some(([n, b]) => b <= e.net[1] && e.net[0].match([n, b]));
    // Merge overlapping ranges and walk them.
    let cursor = e.range.lo;
    const sorted = [...this.v4].sort((x, y) => x.lo - y.lo);
    for (const r of sorted) {
      if (r.lo > cursor) break;
      if (r.hi >= cursor) cursor = r.hi + 1;
      if (cursor > e.range.hi) return true;
    }
    return cursor > e.range.hi;
  }

  /** Whether some address of `entry` lies in this set. */
  overlaps(entry: string): boolean {
    const e = parseIpEntry(entry);
    if (e.kind === 'v4') return this.v4.some((r) => r.lo <= e.range.hi && e.range.lo <= r.hi);
    if (e.kind === 'v6') return this.v6.some(([n, b]) => e.net[0].match([n, b]) || n.match(e.net));
    return false;
  }
}

/** A representative address inside an entry (the first usable host), for simulating "a connection from this range". */
export function sampleAddress(entry: string): string | undefined {
  const e = parseIpEntry(entry);
  if (e.kind === 'v4') {
    const n = e.range.hi - e.range.lo >= 2 ? e.range.lo + 1 : e.range.lo;
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  }
  if (e.kind === 'v6') return e.net[0].toString();
  return undefined;
}
