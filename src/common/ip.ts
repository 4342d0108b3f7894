/**
 * IP sets for connector SenderIPAddresses, rule SenderIpRanges, EF skip lists and connection-filter lists:
 * single addresses, CIDR and `a-b` ranges (eop-model §2.2, §4.2, §5, §6.5). Compiled once per configuration.
 */
import ipaddr from 'ipaddr.js';

interface V4Range {
  lo: number;
  hi: number;
}

/**
 * A parsed client address: IPv4 (and IPv4-mapped IPv6) as an unsigned 32-bit number, other IPv6 as ipaddr's
 * object. Parse an attempt's address once and test it against many sets with `hasAddress`.
 */
export type Address = number | ipaddr.IPv6;

/**
 * A dotted quad in strict four-part decimal form (no leading zeros, each part ≤ 255) as a number, else -1. This is
 * exactly the IPv4 text `parseAny` accepts, without ipaddr's general parser on the hot path (DESIGN §8).
 */
export function strictQuad(s: string): number {
  const len = s.length;
  if (len < 7 || len > 15) return -1;
  // The text's characters as the bytes strictQuadBytes reads (anything beyond ASCII is no quad).
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c > 127) return -1;
    QUAD_TEXT[i] = c;
  }
  return strictQuadBytes(QUAD_TEXT, 0, len);
}

/** strictQuad's scratch: the longest quad text, `255.255.255.255`. */
const QUAD_TEXT = new Uint8Array(15);

/**
 * The rule of strictQuad over the ASCII bytes `b[s..e)` (a log field read without making a string of it, DESIGN §8),
 * the one place it is written; test/common/ip.test.ts holds the two to the same answers.
 */
export function strictQuadBytes(b: Uint8Array, s: number, e: number): number {
  if (e - s < 7 || e - s > 15) return -1;
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      n = n * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1; // leading zero: octal in some parsers, refused
      part = part * 10 + (c - 48);
      if (part > 255) return -1;
      digits++;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return n * 256 + part;
}

/** Any IPv4 (four-part decimal only) or IPv6 address; IPv4-mapped IPv6 is the IPv4 address it carries. */
function parseAny(s: string): Address | undefined {
  const quad = strictQuad(s);
  if (quad >= 0) return quad;
  // Every other IPv4 form (short, hex, octal) is refused below, and IPv6 text has a colon: skip ipaddr's slow
  // validation for everything else.
  if (!s.includes(':') || !ipaddr.isValid(s)) return undefined;
  const a = ipaddr.parse(s);
  // Every four-part decimal IPv4 text was taken above: what ipaddr still reads as IPv4 is a short, hex or octal form.
  if (a.kind() === 'ipv4') return undefined;
  const v6 = a as ipaddr.IPv6;
  if (!v6.isIPv4MappedAddress()) return v6;
  const o = v6.toIPv4Address().octets;
  return ((o[0]! << 24) >>> 0) + (o[1]! << 16) + (o[2]! << 8) + o[3]!;
}

/** Parses a client address once, for `IpSet.hasAddress` and `IpSetIndex.lookup`. */
export function parseAddress(ip: string): Address | undefined {
  return parseAny(ip);
}

export type ParsedEntry =
  | { kind: 'v4'; range: V4Range; text: string }
  | { kind: 'v6'; net: [ipaddr.IPv6, number]; text: string }
  | { kind: 'invalid'; text: string };

export function parseIpEntry(text: string): ParsedEntry {
  const t = text.trim();
  const dash = t.indexOf('-');
  if (dash > 0) {
    const a = strictQuad(t.slice(0, dash).trim());
    const b = strictQuad(t.slice(dash + 1).trim());
    if (a >= 0 && b >= 0 && a <= b) return { kind: 'v4', range: { lo: a, hi: b }, text: t };
    return { kind: 'invalid', text: t };
  }
  if (t.includes('/')) {
    const [addr, bitsText] = t.split('/', 2) as [string, string];
    if (!/^\d{1,3}$/.test(bitsText)) return { kind: 'invalid', text: t };
    let bits = Number(bitsText);
    const a = parseAny(addr);
    if (a === undefined) return { kind: 'invalid', text: t };
    if (typeof a === 'number') {
      // `::ffff:a.b.c.d/n` is the IPv4 network a.b.c.d/(n-96): parseAny already mapped the address down.
      if (addr.includes(':')) {
        if (bits < 96 || bits > 128) return { kind: 'invalid', text: t };
        bits -= 96;
      }
      if (bits > 32) return { kind: 'invalid', text: t };
      const size = 2 ** (32 - bits);
      const lo = a - (a % size);
      return { kind: 'v4', range: { lo, hi: lo + size - 1 }, text: t };
    }
    if (bits > 128) return { kind: 'invalid', text: t };
    return { kind: 'v6', net: [a, bits], text: t };
  }
  const a = parseAny(t);
  if (a === undefined) return { kind: 'invalid', text: t };
  if (typeof a === 'number') return { kind: 'v4', range: { lo: a, hi: a }, text: t };
  return { kind: 'v6', net: [a, 128], text: t };
}

/**
 * The widest range one sender may stand for (a gateway's egress, hybrid, a Direct Send source, an SPF term mxlock
 * proposes): an IPv4 /16 (65,536 addresses) and an IPv6 /32. The widest egress ranges gateway vendors publish are IPv4
 * /19–/20 (Proofpoint) and IPv6 /48; anything wider is a typo or a copy of "any" (`0.0.0.0/0`, the two halves
 * `0.0.0.0/1` + `128.0.0.0/1`, `::/0`), which in a lock-down, a skip list or an SPF record admits everyone.
 */
export const SENDER_MIN_PREFIX = { v4: 16, v6: 32 } as const;

/** An entry wider than SENDER_MIN_PREFIX allows; invalid entries are not (they are reported as invalid). */
export function coversTooMuch(text: string): boolean {
  const e = parseIpEntry(text);
  if (e.kind === 'v4') return e.range.hi - e.range.lo + 1 > 2 ** (32 - SENDER_MIN_PREFIX.v4);
  if (e.kind === 'v6') return e.net[1] < SENDER_MIN_PREFIX.v6;
  return false;
}

export function isValidIpOrCidr(text: string): boolean {
  return parseIpEntry(text).kind !== 'invalid';
}

export function isValidIp(text: string): boolean {
  return parseAny(text.trim()) !== undefined;
}

/**
 * The one text of an address, so two spellings of it are one key: RFC 5952 §4 for IPv6 (lower case, zeros compressed),
 * the dotted quad for IPv4 and IPv4-mapped IPv6 (the address it carries, as every set here reads it). Undefined when
 * the text is no address.
 */
export function canonicalIp(text: string): string | undefined {
  const a = parseAny(text.trim());
  if (a === undefined) return undefined;
  return typeof a === 'number' ? ipv4Text(a) : a.toRFC5952String();
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

  /** The IPv4 ranges (for indexes built over many sets). */
  get v4Ranges(): readonly V4Range[] {
    return this.v4;
  }

  get hasV6(): boolean {
    return this.v6.length > 0;
  }

  has(ip: string): boolean {
    return this.hasAddress(parseAny(ip));
  }

  /** `has` for an address parsed once with `parseAddress`. */
  hasAddress(a: Address | undefined): boolean {
    if (a === undefined) return false;
    if (typeof a === 'number') {
      // A long list (a lock-down the plan extends with every source) is searched in its merged form.
      if (this.v4.length > 16) return this.merged().hasV4(a);
      for (const r of this.v4) if (a >= r.lo && a <= r.hi) return true;
      return false;
    }
    for (const net of this.v6) if (a.match(net)) return true;
    return false;
  }

  /** Whether every address of `entry` (an IP, CIDR or range) lies in this set. IPv4 only; IPv6 entries need an exact match. */
  covers(entry: string): boolean {
    return this.merged().covers(entry);
  }

  /** The entries' merged view, made on first use (the set does not change). */
  private coverage: IpCoverage | undefined;
  private merged(): IpCoverage {
    if (this.coverage === undefined) {
      this.coverage = new IpCoverage();
      for (const e of this.entries) this.coverage.addEntry(e);
    }
    return this.coverage;
  }

  /** Whether some address of `entry` lies in this set. */
  overlaps(entry: string): boolean {
    const e = parseIpEntry(entry);
    if (e.kind === 'v4') return this.v4.some((r) => r.lo <= e.range.hi && e.range.lo <= r.hi);
    if (e.kind === 'v6') return this.v6.some(([n, b]) => e.net[0].match([n, b]) || n.match(e.net));
    return false;
  }
}

/**
 * What a growing list of IP entries covers, for `IpSet.covers` and for a list the plan extends entry by entry
 * (plan/sender-ips.ts withIps): IPv4 ranges merged where they overlap or touch, sorted, so that an entry is covered when
 * one merged range holds all of it (found by binary search); IPv6 nets kept as listed, an entry covered when one net
 * contains it whole. Invalid entries cover nothing.
 */
export class IpCoverage {
  /** Disjoint, non-adjacent IPv4 ranges in ascending order. */
  private readonly merged: V4Range[] = [];
  private readonly v6: [ipaddr.IPv6, number][] = [];

  add(text: string): void {
    this.addEntry(parseIpEntry(text));
  }

  addEntry(e: ParsedEntry): void {
    if (e.kind === 'v6') this.v6.push(e.net);
    if (e.kind !== 'v4') return;
    // The ranges that overlap or touch the new one are replaced by their union with it.
    const m = this.merged;
    let lo = e.range.lo;
    let hi = e.range.hi;
    const first = this.firstEndingAtOrAfter(lo - 1);
    let end = first;
    while (end < m.length && m[end]!.lo <= hi + 1) {
      lo = Math.min(lo, m[end]!.lo);
      hi = Math.max(hi, m[end]!.hi);
      end++;
    }
    m.splice(first, end - first, { lo, hi });
  }

  /** Whether every address of `entry` lies in what was added. */
  covers(entry: string): boolean {
    const e = parseIpEntry(entry);
    if (e.kind === 'invalid') return false;
    if (e.kind === 'v6') return this.v6.some(([n, b]) => b <= e.net[1] && e.net[0].match([n, b]));
    const r = this.merged[this.firstEndingAtOrAfter(e.range.lo)];
    return r !== undefined && r.lo <= e.range.lo && r.hi >= e.range.hi;
  }

  /** Whether the IPv4 address `a` lies in what was added. */
  hasV4(a: number): boolean {
    const r = this.merged[this.firstEndingAtOrAfter(a)];
    return r !== undefined && r.lo <= a;
  }

  /** The index of the first merged range whose end is at or after `a` (the length when none is). */
  private firstEndingAtOrAfter(a: number): number {
    let lo = 0;
    let hi = this.merged.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.merged[mid]!.hi < a) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * Which of many IP sets contain an address, in O(log n) for IPv4: the sets' range bounds cut the address space
 * into intervals, each holding the ascending indexes of the sets that cover it (DESIGN §8: CIDR sets compiled
 * once per configuration). IPv6 nets are few in practice and are tested one by one.
 */
export class IpSetIndex {
  /** Sorted interval starts; interval k is [starts[k], starts[k+1]). */
  private readonly starts: number[];
  private readonly members: (readonly number[])[];
  private readonly v6: { set: number; ips: IpSet }[];
  private static readonly NONE: readonly number[] = [];

  constructor(sets: readonly (IpSet | undefined)[]) {
    const cuts = new Set<number>([0]);
    sets.forEach((s) => {
      for (const r of s?.v4Ranges ?? []) {
        cuts.add(r.lo);
        if (r.hi < 0xffffffff) cuts.add(r.hi + 1);
      }
    });
    this.starts = [...cuts].sort((a, b) => a - b);
    const members: number[][] = this.starts.map(() => []);
    sets.forEach((s, i) => {
      for (const r of s?.v4Ranges ?? []) {
        // Sets are visited in order, so each interval's list stays ascending; a set listed once per interval.
        for (let k = this.intervalOf(r.lo); k < this.starts.length && this.starts[k]! <= r.hi; k++) {
          const list = members[k]!;
          if (list[list.length - 1] !== i) list.push(i);
        }
      }
    });
    this.members = members.map((m) => (m.length > 0 ? m : IpSetIndex.NONE));
    this.v6 = sets.flatMap((s, i) => (s?.hasV6 ? [{ set: i, ips: s }] : []));
  }

  /** Ascending indexes of the sets that contain `a` (shared: do not modify). */
  lookup(a: Address | undefined): readonly number[] {
    if (a === undefined) return IpSetIndex.NONE;
    if (typeof a !== 'number') {
      const hit = this.v6.filter((x) => x.ips.hasAddress(a)).map((x) => x.set);
      return hit.length > 0 ? hit : IpSetIndex.NONE;
    }
    return this.members[this.intervalOf(a)]!;
  }

  /**
   * The interval that holds the IPv4 address `a`: the last start ≤ a. Every set of the index answers alike for all
   * addresses of one interval, so its number is the address's class.
   */
  intervalOf(a: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= a) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** A representative address inside an entry (the first usable host), for simulating "a connection from this range". */
export function sampleAddress(entry: string): string | undefined {
  const e = parseIpEntry(entry);
  if (e.kind === 'v4') {
    const n = e.range.hi - e.range.lo >= 2 ? e.range.lo + 1 : e.range.lo;
    return ipv4Text(n);
  }
  if (e.kind === 'v6') return e.net[0].toString();
  return undefined;
}

/** An IPv4 address held as a number (as parseAddress gives it), in dotted-quad form. */
export function ipv4Text(n: number): string {
  // A template rather than an array joined: a trace names up to tens of thousands of addresses this way.
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** The CIDR blocks that exactly cover the IPv4 range lo..hi, none wider than /`widest` (the standard split). */
export function cidrBlocks(lo: number, hi: number, widest: number): { base: number; bits: number }[] {
  const out: { base: number; bits: number }[] = [];
  let cur = lo;
  while (cur <= hi) {
    let bits = 32;
    // Grow the block while it stays aligned at `cur`, within the range and no wider than /widest.
    while (bits > widest) {
      const size = 2 ** (32 - (bits - 1));
      if (cur % size !== 0 || cur + size - 1 > hi) break;
      bits--;
    }
    out.push({ base: cur, bits });
    cur += 2 ** (32 - bits);
  }
  return out;
}
