/**
 * Seeded random SPF and DMARC zones. The first SPF generator is that of test/dns/steps.test.ts (same seed, same
 * zone), returning the dns.json object, so that a second implementation can be served the very data mxlock reads
 * through `zoneFromJson`. The others use the loopback server's zone shape (PTR records, multi-string TXT).
 */
import type { CheckHostInput } from '../../src/dns/spf/evaluate.js';
import type { ZoneRecords } from './dns-server.js';

/** A dns.json document (DESIGN §3.1). */
export type DnsJson = Record<string, Record<string, unknown>>;

/**
 * mulberry32: seeded, so a failure names a case that reproduces. The one PRNG of the seeded test generators
 * (bench/simulate.ts keeps its own copy: bench does not import test files).
 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const SPF_DOMAINS = Array.from({ length: 6 }, (_, i) => `d${i}.test`);
export const SPF_HOSTS = Array.from({ length: 6 }, (_, i) => `h${i}.test`);
const V4 = ['192.0.2.1', '192.0.2.77', '198.51.100.5', '203.0.113.9'];
const V6 = ['2001:db8::1', '2001:db8:1::5'];
const CLIENTS = [...V4, ...V6, '::ffff:192.0.2.1'];

/** Seeded random SPF zones and a check_host() input (test/dns/steps.test.ts, test/dns/mailauth-differential.test.ts). */
export function spfZoneJson(seed: number): { json: DnsJson; input: CheckHostInput } {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number) => r() < p;
  const qual = () => pick(['', '', '+', '-', '~', '?']);
  const term = (): string => {
    switch (Math.floor(r() * 13)) {
      case 0:
        return `${qual()}ip4:${pick(V4)}${chance(0.5) ? `/${pick([8, 16, 24, 30, 32])}` : ''}`;
      case 1:
        return `${qual()}ip6:${pick(V6)}${chance(0.5) ? `/${pick([32, 48, 64, 128])}` : ''}`;
      case 2:
        return `${qual()}a${chance(0.6) ? `:${pick(SPF_HOSTS)}` : ''}${chance(0.3) ? '/24' : ''}${chance(0.2) ? '//64' : ''}`;
      case 3:
        return `${qual()}mx${chance(0.5) ? `:${pick(SPF_DOMAINS)}` : ''}${chance(0.3) ? '/16' : ''}`;
      case 4:
      case 5:
        return `${qual()}include:${pick(SPF_DOMAINS)}`;
      case 6:
        return `${qual()}exists:${pick(SPF_HOSTS)}`;
      case 7:
        return `${qual()}exists:${pick(['%{i}', '%{ir}.%{v}', '%{l}', '%{d2}', '%{o}'])}.m.test`;
      case 8:
        return `${qual()}ptr${chance(0.5) ? `:${pick(SPF_DOMAINS)}` : ''}`;
      case 9:
        return `redirect=${pick(SPF_DOMAINS)}`;
      case 10:
        return pick(['exp=explain.test', 'foo=bar', 'ip4:192.0.2.300', 'include:', 'bogus:x']);
      default:
        return `${qual()}all`;
    }
  };
  const json: DnsJson = {};
  const entry = (name: string) => (json[name] ??= {});
  for (const d of SPF_DOMAINS) {
    if (chance(0.1)) continue; // NXDOMAIN
    const records: string[] = [];
    if (chance(0.9))
      records.push(`v=spf1 ${Array.from({ length: 1 + Math.floor(r() * 6) }, term).join(' ')}`);
    if (chance(0.05)) records.push('v=spf1 -all');
    if (chance(0.3)) records.push('unrelated=text');
    if (records.length) entry(d)['TXT'] = records;
    if (chance(0.5))
      entry(d)['MX'] = SPF_HOSTS.filter(() => chance(0.4)).map((h, i) => ({ exchange: h, priority: i }));
    if (chance(0.3)) entry(d)['A'] = [pick(V4)];
  }
  for (const h of SPF_HOSTS) {
    if (chance(0.25)) continue;
    if (chance(0.7)) entry(h)['A'] = V4.filter(() => chance(0.4));
    if (chance(0.4)) entry(h)['AAAA'] = V6.filter(() => chance(0.5));
  }
  // Names the macros expand to, present for some clients and senders only.
  for (const ip of V4) {
    if (chance(0.5)) entry(`${ip}.m.test`)['A'] = ['127.0.0.2'];
    if (chance(0.5)) entry(`${ip.split('.').reverse().join('.')}.in-addr.m.test`)['A'] = ['127.0.0.2'];
  }
  if (chance(0.5)) entry('alice.m.test')['A'] = ['127.0.0.2'];
  for (const d of SPF_DOMAINS) if (chance(0.3)) entry(`${d}.m.test`)['A'] = ['127.0.0.2'];
  const input: CheckHostInput = {
    ip: pick(CLIENTS),
    domain: pick(SPF_DOMAINS),
    sender: `${pick(['alice', 'bob', ''])}@${pick(SPF_DOMAINS)}`,
    enforceVoidLimit: chance(0.7),
  };
  return { json, input };
}

/**
 * `_dmarc` trees for policy discovery: a From domain of 1–9 labels over `org` under a public suffix (ICANN `com`,
 * `co.uk`; private `github.io`; `example`, which the public-suffix list does not know), with a record, other TXT
 * or nothing at each name up to the top-level label, and now and then a name whose query times out or fails.
 * At most one DMARC record per name, all of them read alike by both implementations; where they read records
 * differently is shown case by case in the catalogue of mailauth-differential.test.ts.
 */
const DMARC_SUFFIXES = ['com', 'co.uk', 'github.io', 'example'] as const;

const DMARC_RECORDS = [
  'v=DMARC1; p=reject',
  'v=DMARC1; p=quarantine; sp=none',
  'v=DMARC1; p=none; sp=reject',
  'v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@org.example',
  'v=DMARC1;p=quarantine',
  'v=DMARC1; sp=reject; p=none;',
  'v=DMARC1; p=Quarantine; pct=50',
];
const OTHER_TXT = ['some other text', 'p=reject; v=DMARC1', 'v=spf1 -all'];

export interface DmarcTree {
  zone: Record<string, ZoneRecords>;
  faults: Record<string, 'timeout' | 'servfail'>;
  domain: string;
}

export function dmarcTree(seed: number): DmarcTree {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const suffix = pick(DMARC_SUFFIXES);
  const labels = Array.from({ length: 1 + Math.floor(r() * 9) }, (_, i) => `s${i}`);
  const all = [...labels, 'org', ...suffix.split('.')];
  const domain = [...labels, 'org', suffix].join('.');
  const zone: Record<string, ZoneRecords> = {};
  const names = all.map((_, i) => `_dmarc.${all.slice(i).join('.')}`);
  for (const name of names) {
    const roll = r();
    if (roll < 0.55) continue;
    const txt: string[] = [];
    if (roll < 0.9) txt.push(pick(DMARC_RECORDS));
    if (r() < 0.4) txt.push(pick(OTHER_TXT));
    zone[name] = txt.length ? { TXT: txt } : {};
  }
  const faults: Record<string, 'timeout' | 'servfail'> =
    r() < 0.15 ? { [pick(names)]: r() < 0.5 ? 'timeout' : 'servfail' } : {};
  return { zone, faults, domain };
}

/**
 * Richer SPF zones than the dns.json generator can hold: PTR records (validated or forged), dual CIDR lengths,
 * IPv6 networks, macros with transformers, upper-case mechanism names, runs of spaces and TXT records split
 * into several character-strings in mid-term. Every record is syntactically valid, and no macro depends on
 * <domain> (%{d}) or the validated name (%{p}): those are where mailauth is known to differ (see the catalogue
 * in mailauth-differential.test.ts), so leaving them out lets the rest be compared strictly. `expand` gives the
 * names the exists: terms will query, so that some of them exist.
 */
export interface RichSpfCase {
  zone: Record<string, ZoneRecords>;
  /** A name that times out, for some seeds. */
  faults: Record<string, 'timeout'>;
  ip: string;
  sender: string;
  helo: string;
}

const RICH_DOMAINS = Array.from({ length: 6 }, (_, i) => `r${i}.test`);
const RICH_HOSTS = Array.from({ length: 5 }, (_, i) => `x${i}.test`);
const RICH_V4 = ['192.0.2.10', '192.0.2.200', '198.51.100.7'];
const RICH_V6 = ['2001:db8::10', '2001:db8:5::7'];
const RICH_CLIENTS = [...RICH_V4, ...RICH_V6, '::ffff:192.0.2.10'];
const RICH_MACROS = [
  '%{i}',
  '%{ir}.%{v}',
  '%{l}',
  '%{l1r-}',
  '%{o}',
  '%{s}',
  '%{h}',
  '%{i1r}',
  '%{o1}',
  '%{v}.%{i2}',
  '%{l2}',
];

function reverseName(ip: string): string {
  if (ip.includes('.') && !ip.includes(':')) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  // Full nibble form of an IPv6 address.
  const [head = '', tail = ''] = ip.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const h = groups(head);
  const t = groups(tail);
  const all = [...h, ...Array.from({ length: 8 - h.length - t.length }, () => '0'), ...t];
  const nibbles = all.flatMap((g) => g.padStart(4, '0').split(''));
  return `${nibbles.reverse().join('.')}.ip6.arpa`;
}

/** Expands a macro-string for the given client, sender and HELO name (the generator only needs the name). */
export type ExpandFn = (spec: string, client: { ip: string; sender: string; helo: string }) => string;

export function spfRichZone(seed: number, expand: ExpandFn): RichSpfCase {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number) => r() < p;
  const some = <T>(xs: readonly T[], p: number) => xs.filter(() => chance(p));
  const ip = pick(RICH_CLIENTS);
  const clientV4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  const sender = `${pick(['alice', 'first-last', 'a.b.c', '', 'x+tag'])}@${pick(RICH_DOMAINS)}`;
  const helo = pick(['mail.r1.test', 'client.example']);
  const zone: Record<string, ZoneRecords> = {};
  const entry = (name: string) => (zone[name] ??= {});
  const qual = () => pick(['', '', '+', '-', '~', '?']);
  const upper = (s: string) => (chance(0.15) ? s.toUpperCase() : s);
  const cidr4 = () => (chance(0.3) ? `/${pick([16, 24, 25, 31, 32])}` : '');
  const cidr6 = () => (chance(0.3) ? `//${pick([32, 48, 64, 128])}` : '');
  const exists: string[] = [];
  const term = (): string => {
    switch (Math.floor(r() * 11)) {
      case 0:
        return `${qual()}ip4:${pick(['192.0.2.0/24', '192.0.2.10', '198.51.100.0/25', '198.51.100.128/25', '203.0.113.1'])}`;
      case 1:
        return `${qual()}ip6:${pick(['2001:db8::/32', '2001:db8:5::/48', '2001:db8::10', '2001:db8:6::/48'])}`;
      case 2:
        return `${qual()}${upper('a')}${chance(0.6) ? `:${pick([...RICH_HOSTS, ...RICH_DOMAINS])}` : ''}${cidr4()}${cidr6()}`;
      case 3:
        return `${qual()}${upper('mx')}${chance(0.5) ? `:${pick(RICH_DOMAINS)}` : ''}${cidr4()}${cidr6()}`;
      case 4:
      case 5:
        return `${qual()}${upper('include')}:${pick(RICH_DOMAINS)}`;
      case 6:
      case 7: {
        const spec = `${pick(RICH_MACROS)}.e.test`;
        exists.push(spec);
        return `${qual()}exists:${spec}`;
      }
      case 8:
        return `${qual()}ptr:${pick(RICH_DOMAINS)}`;
      case 9:
        return pick(['note=%{o}', 'v2=x']);
      default:
        return `${qual()}${upper('all')}`;
    }
  };
  for (const d of RICH_DOMAINS) {
    if (chance(0.08)) continue; // NXDOMAIN
    const terms = Array.from({ length: 1 + Math.floor(r() * 5) }, term);
    if (chance(0.3)) terms.push(`redirect=${pick(RICH_DOMAINS)}`);
    if (chance(0.2)) terms.splice(Math.floor(r() * terms.length), 0, 'exp=why.%{l}.exp.test');
    const text = `${chance(0.1) ? 'V=SPF1' : 'v=spf1'} ${terms.join(chance(0.2) ? '  ' : ' ')}`;
    // Split into character-strings at an arbitrary point, mid-term included (RFC 7208 §3.3).
    const at = Math.floor(r() * text.length);
    const txt: (string | string[])[] = [chance(0.3) ? [text.slice(0, at), text.slice(at)] : text];
    if (chance(0.3)) txt.push('google-site-verification=abc');
    entry(d).TXT = txt;
    if (chance(0.6))
      entry(d).MX = some([...RICH_HOSTS, `mail.${d}`], 0.35).map((h, i) => ({
        exchange: h,
        priority: 10 * i,
      }));
    if (chance(0.3)) entry(d).A = some(RICH_V4, 0.5);
    if (chance(0.2)) entry(d).AAAA = some(RICH_V6, 0.5);
  }
  const hosts = [...RICH_HOSTS, ...RICH_DOMAINS.flatMap((d) => [`mail.${d}`, `out.${d}`])];
  for (const h of hosts) {
    if (chance(0.3)) continue;
    if (chance(0.7)) entry(h).A = some(RICH_V4, 0.4);
    if (chance(0.5)) entry(h).AAAA = some(RICH_V6, 0.5);
  }
  // Reverse DNS of the client: names that may or may not point back (validated or forged, RFC 7208 §5.5).
  if (chance(0.7)) {
    const names = some(hosts, 0.15);
    if (names.length > 0) {
      entry(reverseName(clientV4)).PTR = names;
      for (const n of names) {
        if (!chance(0.5)) continue;
        const e = entry(n);
        if (clientV4.includes(':')) e.AAAA = [...new Set([...(e.AAAA ?? []), clientV4])];
        else e.A = [...new Set([...(e.A ?? []), clientV4])];
      }
    }
  }
  for (const spec of exists) if (chance(0.5)) entry(expand(spec, { ip, sender, helo })).A = ['127.0.0.2'];
  const names = Object.keys(zone).sort();
  const faults: Record<string, 'timeout'> = chance(0.15) ? { [pick(names)]: 'timeout' } : {};
  return { zone, faults, ip, sender, helo };
}
