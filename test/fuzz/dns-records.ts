/**
 * Hostile DNS for the seeded record test: SPF records from RFC 7208's term grammar (every mechanism and modifier,
 * macros, CIDR lengths, domain-specs) with mutations (line breaks LF/CR/U+2028/U+2029, NUL, quotes, tabs, dropped or
 * doubled characters, dozens of terms), DMARC records from its tag grammar with odd values, DKIM key records, and
 * the dns.json zone that serves them (MX, A/AAAA with invalid addresses, CNAMEs, recorded failures).
 */
import type { Gen } from '../support/fuzz.js';
import type { DnsJson } from '../support/generated-zones.js';

/** The zone's own names; include trees, redirects, MX and A lookups stay among them (loops included). */
export const FUZZ_DOMAINS = ['d0.test', 'd1.test', 'd2.test', 'd3.test'];
export const FUZZ_HOSTS = ['h0.test', 'h1.test', 'h2.test'];

const V4 = ['192.0.2.1', '192.0.2.77', '198.51.100.5', '203.0.113.9', '0.0.0.0', '255.255.255.255'];
const V6 = ['2001:db8::1', '2001:db8:1::5', '::', '::1', '::ffff:192.0.2.1', '2001:db8::192.0.2.1'];
const BAD_IPS = [
  '192.0.2.300',
  '1.2.3',
  '01.2.3.4',
  '::ffff::1',
  '2001:db8:::1',
  'fe80::1%eth0',
  '',
  ' 192.0.2.1',
  'x',
];
const MACROS = [
  '%{i}',
  '%{ir}',
  '%{ir}.%{v}',
  '%{d}',
  '%{d2}',
  '%{d1r}',
  '%{l}',
  '%{l-}',
  '%{s}',
  '%{o}',
  '%{h}',
  '%{v}',
  '%{p}',
  '%{i99r-._+,/=}',
  '%{d0}',
  '%{d99999999999999999999}',
  '%{c}',
  '%{r}',
  '%{t}',
  '%{x}',
  '%{',
  '%%',
  '%_',
  '%-',
  '%',
  '%{ii}',
];
/** Things to splice into a record: each is refused or kept by the grammar, never a crash. */
const SPLICE = [
  '\n',
  '\r',
  '\r\n',
  '\u2028',
  '\u2029',
  '\u0000',
  '\t',
  '"',
  "'",
  '  ',
  ' ',
  '\\',
  '\u202e',
  '\u00a0',
  'é',
  '\ufeff',
];

function domain(g: Gen): string {
  return g.weighted([
    [10, g.pick(FUZZ_DOMAINS)],
    [4, g.pick(FUZZ_HOSTS)],
    [2, `${g.pick(MACROS)}.${g.pick(FUZZ_DOMAINS)}`],
    [1, `${g.pick(FUZZ_DOMAINS)}${g.pick(MACROS)}`],
    [1, g.pick(MACROS)],
    [
      3,
      g.pick([
        'D0.TEST',
        'd0.test.',
        'a..d0.test',
        '.d0.test',
        '.',
        'test',
        'x.123',
        'x.-y',
        `${'a'.repeat(64)}.test`,
        `${'abcdefghi.'.repeat(30)}test`,
        'xn--bcher-kva.test',
        'bücher.test',
        '_spf.d0.test',
        'd0.test:80',
        'localhost',
      ]),
    ],
  ]);
}

function cidr(g: Gen, max: number): string {
  return g.weighted([
    [6, ''],
    [4, `/${g.int(0, max)}`],
    [1, `/${g.pick([max + 1, 999, -1, '', '08', '1e1', '99999999999999999999'])}`],
  ]);
}

function term(g: Gen): string {
  const q = g.pick(['', '', '', '+', '-', '~', '?', '!', '++']);
  switch (g.int(0, 13)) {
    case 0:
      return `${q}ip4:${g.chance(0.85) ? g.pick(V4) : g.pick(BAD_IPS)}${cidr(g, 32)}`;
    case 1:
      return `${q}ip6:${g.chance(0.85) ? g.pick(V6) : g.pick(BAD_IPS)}${cidr(g, 128)}`;
    case 2:
      return `${q}a${g.chance(0.6) ? `:${domain(g)}` : ''}${cidr(g, 32)}${g.chance(0.2) ? `/${cidr(g, 128)}` : ''}`;
    case 3:
      return `${q}mx${g.chance(0.6) ? `:${domain(g)}` : ''}${cidr(g, 32)}${g.chance(0.2) ? `/${cidr(g, 128)}` : ''}`;
    case 4:
    case 5:
      return `${q}include:${domain(g)}`;
    case 6:
      return `${q}exists:${domain(g)}`;
    case 7:
      return `${q}ptr${g.chance(0.5) ? `:${domain(g)}` : ''}`;
    case 8:
      return `redirect=${domain(g)}`;
    case 9:
      return `exp=${domain(g)}`;
    case 10:
      return `${g.pick(['foo', 'x-y', 'v', 'ra', 'rp', 'rr', '1x', '_x'])}=${g.pick(['', 'bar', ...MACROS])}`;
    case 11:
      return g.pick(['include:', 'a:', 'ip4:', 'ip6:', 'all:x', 'all/24', 'bogus', 'mx//', 'a/', '=x', ':']);
    default:
      return `${q}all`;
  }
}

/** An SPF record: mostly well formed, sometimes long, damaged or not quite "v=spf1". */
export function spfRecord(g: Gen): string {
  const n = g.weighted([
    [10, g.int(0, 5)],
    [2, g.int(6, 15)],
    [1, g.int(16, 60)],
  ]);
  const version = g.weighted([
    [20, 'v=spf1'],
    [1, 'V=SPF1'],
    [1, 'v=spf10'],
    [1, ' v=spf1'],
    [1, 'v=spf1\t'],
    [1, 'spf2.0/pra'],
  ]);
  let text = [version, ...g.times(n, () => term(g))].join(g.chance(0.9) ? ' ' : g.pick(['  ', '\t', '\n']));
  for (let i = g.chance(0.3) ? g.int(1, 3) : 0; i > 0; i--) text = damageText(g, text);
  return text;
}

/** One character-level change: a spliced character, a dropped or doubled one, a cut. */
export function damageText(g: Gen, text: string): string {
  const pos = g.int(0, text.length);
  switch (g.int(0, 4)) {
    case 0:
    case 1:
      return text.slice(0, pos) + g.pick(SPLICE) + text.slice(pos);
    case 2:
      return text.slice(0, pos) + text.slice(pos + 1);
    case 3:
      return text.slice(0, pos) + text.charAt(pos) + text.slice(pos);
    default:
      return text.slice(0, pos);
  }
}

const TAG_VALUES: Readonly<Record<string, readonly string[]>> = {
  p: ['none', 'quarantine', 'reject', 'REJECT', 'Reject ', '', 'block', '0'],
  sp: ['none', 'quarantine', 'reject', 'x', ''],
  np: ['none', 'reject', 'q'],
  adkim: ['r', 's', 'S', 'x', ''],
  aspf: ['r', 's', 'relaxed'],
  rua: [
    'mailto:dmarc@d0.test',
    'mailto:dmarc@d1.test!10m',
    'mailto:a@d0.test,mailto:b@d2.test',
    'mailto:',
    'mailto:@',
    'mailto:a@b@c',
    'https://d0.test/report',
    'mailto:x@d3.test!99999999999999999999g',
    ',,,',
    'mailto:x@localhost',
  ],
  ruf: ['mailto:f@d0.test', 'mailto:f@d2.test!1k', ''],
  pct: ['100', '0', '50', '-1', '101', '99999999999999999999', 'abc', ''],
  fo: ['0', '1', 'd:s', 'x'],
  rf: ['afrf', 'iodef'],
  ri: ['86400', '-5', '1e9'],
  t: ['y', 'n', 'Y', 'maybe'],
  psd: ['y', 'n', 'u'],
  x: ['unknown'],
};

/** A DMARC record: the tags in any order and case, repeated, without separators or with odd ones. */
export function dmarcRecord(g: Gen): string {
  const version = g.weighted([
    [20, 'v=DMARC1'],
    [1, 'v=dmarc1'],
    [1, 'V = DMARC1'],
    [1, 'v=DMARC2'],
    [1, ''],
    [1, 'p=reject; v=DMARC1'],
  ]);
  const tags = g.times(g.int(0, 8), () => {
    const tag = g.pick(Object.keys(TAG_VALUES));
    const name = g.chance(0.1) ? tag.toUpperCase() : tag;
    return `${name}${g.pick(['=', '=', '=', ' = ', '', '=='])}${g.pick(TAG_VALUES[tag]!)}`;
  });
  let text = [version, ...tags].join(g.pick(['; ', ';', ' ; ', ';;', ' ']));
  if (g.chance(0.4)) text += ';';
  for (let i = g.chance(0.3) ? g.int(1, 3) : 0; i > 0; i--) text = damageText(g, text);
  return text;
}

export function dkimRecord(g: Gen): string {
  const text = g.pick([
    'v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC',
    'v=DKIM1; p=',
    'k=rsa; p=abc',
    'p=',
    'v=DKIM1',
    'v=spf1 -all',
    '',
  ]);
  return g.chance(0.3) ? damageText(g, text) : text;
}

/** TXT strings as dns.json holds them: one string, or the chunks of a long record. */
function txt(g: Gen, text: string): string | string[] {
  if (!g.chance(0.2) || text.length < 2) return text;
  const cut = g.int(1, text.length - 1);
  return [text.slice(0, cut), text.slice(cut)];
}

/** Records of one name: SPF, DMARC, DKIM or other TXT, MX, A, AAAA, CNAME, failures. */
function entry(g: Gen, name: string, kinds: { spf: boolean; dmarc: boolean }): Record<string, unknown> {
  const e: Record<string, unknown> = {};
  const texts: (string | string[])[] = [];
  if (kinds.spf && g.chance(0.9)) texts.push(txt(g, spfRecord(g)));
  if (kinds.spf && g.chance(0.05)) texts.push(txt(g, spfRecord(g))); // two SPF records: permerror
  if (kinds.dmarc && g.chance(0.9)) texts.push(txt(g, dmarcRecord(g)));
  if (kinds.dmarc && g.chance(0.05)) texts.push(txt(g, dmarcRecord(g)));
  if (name.includes('._domainkey.')) texts.push(txt(g, dkimRecord(g)));
  if (g.chance(0.2))
    texts.push(g.pick(['google-site-verification=x', 'v=DMARC1; rua=mailto:a@b', '', 'MS=ms123']));
  if (texts.length > 0) e['TXT'] = texts;
  if (!kinds.dmarc && g.chance(0.4))
    e['MX'] = g.times(g.int(0, 3), () => ({
      exchange: g.chance(0.9)
        ? g.pick([...FUZZ_HOSTS, ...FUZZ_DOMAINS])
        : g.pick(['.', '', 'mail.protection.outlook.com']),
      priority: g.pick([0, 10, 10, 20, 65535]),
    }));
  if (g.chance(0.4)) e['A'] = g.times(g.int(1, 3), () => (g.chance(0.9) ? g.pick(V4) : g.pick(BAD_IPS)));
  if (g.chance(0.2)) e['AAAA'] = g.times(g.int(1, 2), () => (g.chance(0.9) ? g.pick(V6) : g.pick(BAD_IPS)));
  if (g.chance(0.05)) e['CNAME'] = [g.pick([...FUZZ_DOMAINS, ...FUZZ_HOSTS])];
  if (g.chance(0.05))
    e['error'] = {
      [g.pick(['TXT', 'MX', 'A', 'AAAA', 'CNAME'])]: g.pick(['timeout', 'SERVFAIL', 'EREFUSED']),
    };
  return e;
}

/**
 * A dns.json zone for `apexes` (the domains under test) and the helper names their records point at. `base` (an
 * example's dns.json) supplies what is not generated: MX of the apexes, DKIM CNAMEs, Microsoft's SPF.
 */
export function fuzzZone(g: Gen, apexes: readonly string[], base: DnsJson = {}): DnsJson {
  const zone: DnsJson = structuredClone(base);
  const put = (name: string, e: Record<string, unknown>) => {
    if (g.chance(0.08)) {
      Reflect.deleteProperty(zone, name); // NXDOMAIN
      return;
    }
    const kept = zone[name] ?? {};
    // An apex keeps the example's MX (the gateway's): the tenant stays recognisable, its TXT is what varies.
    zone[name] = kept['MX'] && !e['MX'] ? { ...e, MX: kept['MX'] } : { ...kept, ...e };
    if (g.chance(0.5)) delete zone[name]['error'];
  };
  for (const apex of apexes) {
    put(apex, entry(g, apex, { spf: true, dmarc: false }));
    put(`_dmarc.${apex}`, entry(g, `_dmarc.${apex}`, { spf: false, dmarc: true }));
    if (g.chance(0.3))
      put(
        `${g.pick(['selector1', 'gw', 's1'])}._domainkey.${apex}`,
        entry(g, '._domainkey.', { spf: false, dmarc: false }),
      );
  }
  for (const d of FUZZ_DOMAINS) put(d, entry(g, d, { spf: true, dmarc: false }));
  for (const h of FUZZ_HOSTS) put(h, entry(g, h, { spf: g.chance(0.3), dmarc: false }));
  if (g.chance(0.3)) put(`_dmarc.${g.pick(FUZZ_DOMAINS)}`, entry(g, '_dmarc', { spf: false, dmarc: true }));
  // Report authorisation records (RFC 7489 §7.1): <apex>._report._dmarc.<destination>.
  if (g.chance(0.3))
    put(`${g.pick(apexes)}._report._dmarc.${g.pick(FUZZ_DOMAINS)}`, {
      TXT: [g.pick(['v=DMARC1', 'v=DMARC1;', 'x', ''])],
    });
  return zone;
}

/** An identity for check_host(): mostly well formed, sometimes not. */
export function spfIdentity(g: Gen): { ip: string; domain: string; sender: string; helo?: string } {
  const dom = g.chance(0.85) ? g.pick(FUZZ_DOMAINS) : domain(g);
  const local = g.pick(['user', 'postmaster', '', 'a.b', 'ü', 'x%y', 'a\u0000b', '"quoted"']);
  return {
    ip: g.chance(0.9) ? g.pick([...V4, ...V6]) : g.pick(BAD_IPS),
    domain: dom,
    sender: g.chance(0.9) ? `${local}@${dom}` : g.pick(['', '@', 'a@b@c', 'no-at']),
    ...(g.chance(0.5) ? { helo: g.pick(['mail.d0.test', '', '[192.0.2.1]', 'h0.test', 'x y']) } : {}),
  };
}
