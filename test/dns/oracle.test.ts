/**
 * The oracle over recorded DNS: the SPF and DMARC evaluators of the DNS analysis, driven synchronously over the
 * zone, with what a recording cannot tell mapped to unknown. Cases first written for the former separate copy of
 * these evaluators (since merged into src/dns/oracle.ts) are kept here unchanged.
 */
import { describe, expect, test } from 'vitest';
import { recordedAuthOracle, recordedDmarc, recordedSpf } from '../../src/dns/oracle.js';
import { MAX_DNS_MECHANISMS as MAX_SPF_LOOKUPS } from '../../src/dns/spf/evaluate.js';
import { zoneFromJson, type DnsZone } from '../../src/common/zone.js';
import type { AuthOracle } from '../../src/model/config.js';

const IP = '203.0.113.10';
const zoneOf = (z: Record<string, object>): DnsZone => zoneFromJson(z as Parameters<typeof zoneFromJson>[0]);
const spfZone = (record: string, extra: Record<string, object> = {}) =>
  zoneOf({ 'example.com': { TXT: [record] }, ...extra });
const spfOf = (zone: DnsZone | undefined, ip = IP, sender = 'user@example.com') =>
  recordedSpf(zone, { ip, domain: 'example.com', sender }).result;

describe('recordedSpf: check_host() (RFC 7208) over recorded DNS', () => {
  test.each([
    ['ip4 match', 'v=spf1 ip4:203.0.113.0/24 -all', {}, 'pass'],
    ['ip4 with host bits set', 'v=spf1 ip4:203.0.113.77/24 -all', {}, 'pass'],
    ['no match, -all', 'v=spf1 ip4:198.51.100.1 -all', {}, 'fail'],
    ['no match, ~all', 'v=spf1 ip4:198.51.100.1 ~all', {}, 'softfail'],
    ['no match, ?all', 'v=spf1 ip4:198.51.100.1 ?all', {}, 'neutral'],
    ['no match, no all: neutral (§4.7)', 'v=spf1 ip4:198.51.100.1', {}, 'neutral'],
    ['qualifier on a matching mechanism', 'v=spf1 -ip4:203.0.113.10 +all', {}, 'fail'],
    ['ip6 does not match an IPv4 client', 'v=spf1 ip6:2001:db8::/32 -all', {}, 'fail'],
    [
      'a: with CIDR',
      'v=spf1 a:mail.example.com/24 -all',
      { 'mail.example.com': { A: ['203.0.113.200'] } },
      'pass',
    ],
    [
      'a: without match',
      'v=spf1 a:mail.example.com -all',
      { 'mail.example.com': { A: ['203.0.113.200'] } },
      'fail',
    ],
    [
      'bare a uses the domain',
      'v=spf1 a -all',
      { 'example.com': { TXT: ['v=spf1 a -all'], A: [IP] } },
      'pass',
    ],
    [
      'mx',
      'v=spf1 mx -all',
      {
        'example.com': { TXT: ['v=spf1 mx -all'], MX: [{ exchange: 'mx1.example.com', priority: 10 }] },
        'mx1.example.com': { A: [IP] },
      },
      'pass',
    ],
    ['exists', 'v=spf1 exists:ok.example.com -all', { 'ok.example.com': { A: ['127.0.0.2'] } }, 'pass'],
    [
      'include pass',
      'v=spf1 include:_spf.example.net -all',
      { '_spf.example.net': { TXT: [`v=spf1 ip4:${IP} -all`] } },
      'pass',
    ],
    [
      'include inner fail is only "no match"',
      'v=spf1 include:_spf.example.net ~all',
      { '_spf.example.net': { TXT: ['v=spf1 ip4:198.51.100.1 -all'] } },
      'softfail',
    ],
    [
      'include of a name without SPF: permerror (§5.2)',
      'v=spf1 include:none.example.net -all',
      {},
      'permerror',
    ],
    ['include without a domain', 'v=spf1 include: -all', {}, 'permerror'],
    [
      'redirect used when nothing matched',
      'v=spf1 redirect=_spf.example.net',
      { '_spf.example.net': { TXT: [`v=spf1 ip4:${IP} -all`] } },
      'pass',
    ],
    [
      'redirect ignored when all is present',
      'v=spf1 -all redirect=_spf.example.net',
      { '_spf.example.net': { TXT: [`v=spf1 ip4:${IP} -all`] } },
      'fail',
    ],
    ['redirect to a name without SPF: permerror (§6.1)', 'v=spf1 redirect=none.example.net', {}, 'permerror'],
    [
      'two redirect modifiers: permerror (§6)',
      'v=spf1 redirect=a.example.net redirect=b.example.net',
      {
        'a.example.net': { TXT: [`v=spf1 ip4:${IP} -all`] },
        'b.example.net': { TXT: [`v=spf1 ip4:${IP} -all`] },
      },
      'permerror',
    ],
    ['unknown mechanism: permerror', 'v=spf1 foo:bar -all', {}, 'permerror'],
    ['unknown modifier is ignored', 'v=spf1 foo=bar ip4:203.0.113.10 -all', {}, 'pass'],
    [
      'a macro only in exp= does not make the record unevaluable',
      'v=spf1 exp=explain.%{d} ip4:198.51.100.1 -all',
      {},
      'fail',
    ],
    [
      'a macro in a mechanism is not evaluated offline',
      'v=spf1 exists:%{i}.rbl.example.com -all',
      {},
      'unknown',
    ],
    ['ptr needs reverse DNS', 'v=spf1 ptr -all', {}, 'unknown'],
    ['malformed ip4 is a permerror, never skipped (§5.6)', 'v=spf1 ip4:203.0.113.300 +all', {}, 'permerror'],
    ['ip4 holding an IPv6 address', 'v=spf1 ip4:2001:db8::1 +all', {}, 'permerror'],
    ['ip4 prefix too long', 'v=spf1 ip4:203.0.113.0/33 +all', {}, 'permerror'],
    ['ip4 without a value', 'v=spf1 ip4 +all', {}, 'permerror'],
    ['a: without a domain', 'v=spf1 a: +all', {}, 'permerror'],
    ['all with an argument', 'v=spf1 all:x', {}, 'permerror'],
    [
      'more than 10 MX hosts: permerror (§4.6.4)',
      'v=spf1 mx -all',
      {
        'example.com': {
          TXT: ['v=spf1 mx -all'],
          MX: Array.from({ length: 11 }, (_, i) => ({ exchange: `mx${i}.example.com`, priority: i })),
        },
        'mx10.example.com': { A: [IP] },
      },
      'permerror',
    ],
    [
      'more than two void lookups: EOP may apply the RFC SHOULD, so a later pass is not trusted (§4.6.4)',
      'v=spf1 a:v1.example.com a:v2.example.com a:v3.example.com ip4:203.0.113.10 -all',
      {},
      'unknown',
    ],
    [
      'two void lookups are fine',
      'v=spf1 a:v1.example.com a:v2.example.com ip4:203.0.113.10 -all',
      {},
      'pass',
    ],
  ] as const)('%s', (_name, record, extra, expected) => {
    expect(spfOf(spfZone(record, extra))).toBe(expected);
  });

  test.each([
    ['no TXT at all', {}, 'none'],
    ['TXT without v=spf1', { 'example.com': { TXT: ['hello'] } }, 'none'],
    ['two SPF records', { 'example.com': { TXT: ['v=spf1 -all', 'v=spf1 +all'] } }, 'permerror'],
    ['v=spf10 is not SPF', { 'example.com': { TXT: ['v=spf10 +all'] } }, 'none'],
    ['upper-case version tag is SPF', { 'example.com': { TXT: [`V=SPF1 ip4:${IP} -all`] } }, 'pass'],
  ] as const)('record selection: %s → %s', (_name, zone, expected) => {
    expect(spfOf(zoneOf(zone))).toBe(expected);
  });

  test('no recorded DNS: unknown, never pass', () => {
    expect(spfOf(undefined)).toBe('unknown');
  });

  test(`the ${MAX_SPF_LOOKUPS}-lookup limit is checked before the lookup that would exceed it`, () => {
    const names = Array.from({ length: MAX_SPF_LOOKUPS + 1 }, (_, i) => `h${i}.example.com`);
    const zone: Record<string, object> = Object.fromEntries(names.map((n) => [n, { A: ['198.51.100.1'] }]));
    // The 11th host would match: a correct evaluator never gets to look it up.
    zone[names[MAX_SPF_LOOKUPS]!] = { A: [IP] };
    const at = (n: number) =>
      `v=spf1 ${names
        .slice(0, n)
        .map((h) => `a:${h}`)
        .join(' ')} -all`;
    expect(spfOf(spfZone(at(MAX_SPF_LOOKUPS + 1), zone))).toBe('permerror');
    zone[names[MAX_SPF_LOOKUPS - 1]!] = { A: [IP] };
    expect(spfOf(spfZone(at(MAX_SPF_LOOKUPS), zone))).toBe('pass');
  });

  test('lookups in includes count towards the same limit; an include loop ends in permerror', () => {
    const loop = zoneOf({ 'example.com': { TXT: ['v=spf1 include:example.com -all'] } });
    expect(spfOf(loop)).toBe('permerror');
  });

  test('an IPv4-mapped client address is evaluated as IPv4 (A, not AAAA)', () => {
    const z = spfZone('v=spf1 a:mail.example.com -all', { 'mail.example.com': { A: [IP] } });
    expect(spfOf(z, `::ffff:${IP}`)).toBe('pass');
  });

  test('an IPv6 client is matched by ip6 and by AAAA', () => {
    const z = spfZone('v=spf1 ip6:2001:db8::/32 a:mail.example.com -all', {
      'mail.example.com': { AAAA: ['2001:db9::1'] },
    });
    expect(spfOf(z, '2001:db8::5')).toBe('pass');
    expect(spfOf(z, '2001:db9::1')).toBe('pass');
    expect(spfOf(z, '2001:dba::1')).toBe('fail');
  });
});

describe('recordedDmarc: the policy a failing message meets', () => {
  test.each([
    ['own record', 'example.com', { '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject'] } }, 'reject'],
    [
      'own record, sp ignored for the domain itself',
      'example.com',
      { '_dmarc.example.com': { TXT: ['v=DMARC1; p=none; sp=reject'] } },
      'none',
    ],
    [
      'subdomain: parent sp',
      'a.example.com',
      { '_dmarc.example.com': { TXT: ['v=DMARC1; p=none; sp=reject'] } },
      'reject',
    ],
    [
      'subdomain: parent p when no sp',
      'a.b.example.com',
      { '_dmarc.example.com': { TXT: ['v=DMARC1; p=quarantine'] } },
      'quarantine',
    ],
    [
      'subdomain: its own record wins',
      'a.example.com',
      {
        '_dmarc.a.example.com': { TXT: ['v=DMARC1; p=none'] },
        '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject'] },
      },
      'none',
    ],
    ['no record', 'example.com', {}, 'absent'],
    [
      'p missing: treated as none',
      'example.com',
      { '_dmarc.example.com': { TXT: ['v=DMARC1; rua=mailto:d@example.com'] } },
      'none',
    ],
    [
      'invalid p, no rua: no DMARC applies (RFC 7489 §6.6.3 step 6)',
      'example.com',
      { '_dmarc.example.com': { TXT: ['v=DMARC1; p=block'] } },
      'absent',
    ],
    [
      'other TXT beside the record',
      'example.com',
      { '_dmarc.example.com': { TXT: ['hello', 'v=DMARC1; p=reject'] } },
      'reject',
    ],
    [
      'two DMARC records at one name: no policy (RFC 7489 §6.6.3)',
      'example.com',
      { '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject', 'v=DMARC1; p=none'] } },
      'absent',
    ],
    [
      'two records at the domain stop discovery: the parent is not consulted',
      'a.example.com',
      {
        '_dmarc.a.example.com': { TXT: ['v=DMARC1; p=reject', 'v=DMARC1; p=reject'] },
        '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject'] },
      },
      'absent',
    ],
    [
      'v=DMARC1 must match exactly (case)',
      'example.com',
      { '_dmarc.example.com': { TXT: ['v=dmarc1; p=reject'] } },
      'absent',
    ],
    [
      'v must be the first tag',
      'example.com',
      { '_dmarc.example.com': { TXT: ['p=reject; v=DMARC1'] } },
      'absent',
    ],
    [
      'pct < 100: a sender that retries gets the next lower policy',
      'example.com',
      { '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject; pct=50'] } },
      'quarantine',
    ],
    [
      'pct=0 on quarantine',
      'example.com',
      { '_dmarc.example.com': { TXT: ['v=DMARC1; p=quarantine; pct=0'] } },
      'none',
    ],
    [
      'pct=100 changes nothing',
      'example.com',
      { '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject; pct=100'] } },
      'reject',
    ],
    [
      't=y (DMARCbis test mode): one step lower',
      'example.com',
      { '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject; t=y'] } },
      'quarantine',
    ],
    [
      'pct on the parent applies to sp too',
      'a.example.com',
      { '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject; sp=quarantine; pct=10'] } },
      'none',
    ],
  ] as const)('%s → %s', (_name, domain, zone, expected) => {
    expect(recordedDmarc(zoneOf(zone), domain).policy).toBe(expected);
  });

  test('no recorded DNS: unknown', () => {
    expect(recordedDmarc(undefined, 'example.com').policy).toBe('unknown');
  });

  test('a downgrade by pct or t=y is explained', () => {
    const r = recordedDmarc(
      zoneOf({ '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject; pct=50'] } }),
      'example.com',
    );
    expect(r.notes?.join(' ')).toMatch(/pct=50/);
  });
});

const dmarcZone = (dmarc: string) =>
  zoneFromJson({
    'example.com': { TXT: [`v=spf1 ip4:${IP} -all`] },
    'bounce.example.com': { TXT: [`v=spf1 ip4:${IP} -all`] },
    '_dmarc.example.com': { TXT: [dmarc] },
  });

describe('recordedAuthOracle: DMARC from SPF alignment (RFC 7489 §3.1)', () => {
  test.each([
    ['same domain, relaxed', 'v=DMARC1; p=reject', 'a@example.com', 'pass'],
    ['P1 subdomain, relaxed alignment', 'v=DMARC1; p=reject', 'a@bounce.example.com', 'pass'],
    ['P1 subdomain, aspf=s: not aligned', 'v=DMARC1; p=reject; aspf=s', 'a@bounce.example.com', 'fail'],
    ['same domain, aspf=s', 'v=DMARC1; p=reject; aspf=s', 'a@example.com', 'pass'],
    ['P1 unrelated', 'v=DMARC1; p=reject', 'a@other.example', 'fail'],
  ] as const)('%s → %s', (_name, dmarc, mailFrom, expected) => {
    const v = recordedAuthOracle(dmarcZone(dmarc)).verdict({
      ip: IP,
      mailFrom,
      headerFrom: 'ceo@example.com',
      dkimDomains: [],
    });
    expect(v.dmarc).toBe(expected);
  });

  test.each([
    ['relaxed', 'v=DMARC1; p=reject', 'mail.example.com', 'pass'],
    ['adkim=s', 'v=DMARC1; p=reject; adkim=s', 'mail.example.com', 'fail'],
    ['adkim=s, exact d=', 'v=DMARC1; p=reject; adkim=s', 'example.com', 'pass'],
  ] as const)('DKIM alignment, %s (%s), d=%s → %s', (_name, dmarc, d, expected) => {
    const v = recordedAuthOracle(dmarcZone(dmarc)).verdict({
      ip: '198.51.100.1',
      mailFrom: 'a@other.example',
      headerFrom: 'ceo@example.com',
      dkimDomains: [d],
    });
    expect(v.dmarc).toBe(expected);
  });

  test('a pct downgrade reaches the verdict and its notes', () => {
    const v = recordedAuthOracle(dmarcZone('v=DMARC1; p=reject; pct=20')).verdict({
      ip: '198.51.100.1',
      mailFrom: 'a@other.example',
      headerFrom: 'ceo@example.com',
      dkimDomains: [],
    });
    expect(v).toMatchObject({ dmarc: 'fail', dmarcPolicy: 'quarantine' });
    expect(v.notes.join(' ')).toMatch(/pct=20/);
  });

  test('without DNS nothing passes', () => {
    const v = recordedAuthOracle(undefined).verdict({
      ip: IP,
      mailFrom: 'a@example.com',
      headerFrom: 'ceo@example.com',
      dkimDomains: [],
    });
    expect(v.dmarc).toBe('unknown');
  });
});

test('one oracle asked again gives what a fresh one computes, for every input it reads, in any order', () => {
  const zone = zoneOf({
    'example.com': { TXT: ['v=spf1 ip4:203.0.113.0/25 -all'] },
    '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject; adkim=s'] },
    'other.example': { TXT: ['v=spf1 ip4:198.51.100.0/24 ~all'] },
  });
  // Inputs that differ in one field each: the address, its label (none, empty, a placeholder), MAIL FROM, From:
  // and the DKIM domains (none, one, two; a comma inside a name must not read as two names).
  const inputs: Parameters<AuthOracle['verdict']>[0][] = [];
  for (const ip of [IP, '203.0.113.200', '198.51.100.7'])
    for (const ipLabel of [undefined, '', '<ip#0>'])
      for (const mailFrom of ['a@example.com', 'a@other.example', ''])
        for (const headerFrom of ['ceo@example.com', 'x@other.example'])
          for (const dkimDomains of [[], ['example.com'], ['a,b', 'example.com'], ['a', 'b,example.com']])
            inputs.push({
              ip,
              ...(ipLabel === undefined ? {} : { ipLabel }),
              mailFrom,
              headerFrom,
              dkimDomains,
            });
  const shared = recordedAuthOracle(zone);
  const fresh = (i: (typeof inputs)[number]) => recordedAuthOracle(zone).verdict(i);
  for (const i of inputs) expect(shared.verdict(i)).toEqual(fresh(i));
  // Again, backwards: every answer now comes from the memo, and still matches.
  for (const i of [...inputs].reverse()) expect(shared.verdict(i)).toEqual(fresh(i));
  // The label is written in the notes (none: the address itself; a placeholder: the placeholder).
  expect(
    shared.verdict({ ip: IP, mailFrom: 'a@example.com', headerFrom: 'ceo@example.com', dkimDomains: [] })
      .notes[0],
  ).toContain(IP);
  expect(
    shared.verdict({
      ip: IP,
      ipLabel: '<ip#0>',
      mailFrom: 'a@example.com',
      headerFrom: 'ceo@example.com',
      dkimDomains: [],
    }).notes[0],
  ).toContain('<ip#0>');
});

test('an undecidable SPF result of an unaligned P1 domain does not make DMARC unknown', () => {
  const z = zoneFromJson({
    'other.example': { TXT: ['v=spf1 ptr -all'] },
    '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject'] },
  });
  const v = recordedAuthOracle(z).verdict({
    ip: IP,
    mailFrom: 'a@other.example',
    headerFrom: 'ceo@example.com',
    dkimDomains: [],
  });
  expect(v).toMatchObject({ spf: 'unknown', dmarc: 'fail', dmarcPolicy: 'reject' });
});

describe('what a recording cannot tell is unknown; what it holds is used', () => {
  test('a macro name the zone holds is evaluated (RFC 7208 §7.3 %{ir}.%{v})', () => {
    const z = spfZone('v=spf1 exists:%{ir}.%{v}._spf.example.com -all', {
      '10.113.0.203.in-addr._spf.example.com': { A: ['127.0.0.2'] },
    });
    expect(spfOf(z)).toBe('pass');
    // Another client's name is not in the recording: not NXDOMAIN, unknown.
    const other = recordedSpf(z, { ip: '203.0.113.11', domain: 'example.com', sender: 'a@example.com' });
    expect(other.result).toBe('unknown');
    expect(other.trace.join(' ')).toMatch(/11\.113\.0\.203\.in-addr\._spf\.example\.com.*SPF macro/);
  });

  test('%{l} uses the local-part of MAIL FROM', () => {
    const z = spfZone('v=spf1 exists:%{l}.users.example.com -all', {
      'alice.users.example.com': { A: ['127.0.0.2'] },
    });
    expect(spfOf(z, IP, 'alice@example.com')).toBe('pass');
    expect(spfOf(z, IP, 'bob@example.com')).toBe('unknown');
  });

  test('a macro in redirect= and include: is followed when the zone holds the name', () => {
    const z = spfZone('v=spf1 include:%{d}.inc.example.net redirect=%{d}.r.example.net', {
      'example.com.inc.example.net': { TXT: ['v=spf1 ip4:198.51.100.1 -all'] },
      'example.com.r.example.net': { TXT: [`v=spf1 ip4:${IP} -all`] },
    });
    expect(spfOf(z)).toBe('pass');
  });

  test('a ptr term decides nothing offline, but a match before it does', () => {
    expect(spfOf(spfZone(`v=spf1 ip4:${IP} ptr -all`))).toBe('pass');
    const r = recordedSpf(spfZone('v=spf1 ptr -all'), {
      ip: IP,
      domain: 'example.com',
      sender: 'a@example.com',
    });
    expect(r).toEqual({
      result: 'unknown',
      trace: [expect.stringMatching(/PTR 10\.113\.0\.203\.in-addr\.arpa: reverse DNS is not recorded/)],
    });
  });

  test('a client address that is not an IP is unknown, not an exception', () => {
    expect(spfOf(spfZone('v=spf1 +all'), 'not-an-ip')).toBe('unknown');
  });

  test('past the void-lookup limit a non-pass result stays what the record says', () => {
    const r = recordedSpf(spfZone('v=spf1 a:v1.example.com a:v2.example.com a:v3.example.com ~all'), {
      ip: IP,
      domain: 'example.com',
      sender: 'a@example.com',
    });
    expect(r.result).toBe('softfail');
    expect(r.trace.join(' ')).toMatch(/more than 2 void lookups .*counted, not enforced/);
  });
});

describe('recordedDmarc: the DMARCbis tree walk (RFC 9989 §4.10)', () => {
  test('reaches a single-label name (a public-suffix operator policy)', () => {
    const z = zoneOf({ '_dmarc.example': { TXT: ['v=DMARC1; p=none; sp=reject'] } });
    expect(recordedDmarc(z, 'a.b.example')).toMatchObject({ policy: 'reject', at: '_dmarc.example' });
  });

  test('from eight labels or more it jumps to seven: the skipped names are never asked', () => {
    const z = zoneOf({ '_dmarc.2.3.4.5.6.7.8.example': { TXT: ['v=DMARC1; p=reject'] } });
    expect(recordedDmarc(z, '1.2.3.4.5.6.7.8.example').policy).toBe('absent');
    expect(recordedDmarc(z, '2.3.4.5.6.7.8.example').policy).toBe('reject');
  });

  test.each([
    [
      'an invalid sp, no rua: no DMARC for subdomains',
      'v=DMARC1; p=reject; sp=block',
      'a.example.com',
      'absent',
    ],
    [
      'an invalid sp with a valid rua: p=none for subdomains',
      'v=DMARC1; p=reject; sp=block; rua=mailto:d@example.com',
      'a.example.com',
      'none',
    ],
    [
      'an invalid sp does not touch the domain itself: p applies',
      'v=DMARC1; p=reject; sp=block',
      'example.com',
      'reject',
    ],
    ['an invalid p, no rua: no DMARC', 'v=DMARC1; p=block', 'example.com', 'absent'],
    [
      'an invalid p with a valid rua: p=none',
      'v=DMARC1; p=block; rua=mailto:d@example.com',
      'example.com',
      'none',
    ],
    ['a missing p reads as p=none (RFC 9989 §4.7)', 'v=DMARC1; sp=reject', 'example.com', 'none'],
    ['a missing p, valid sp: sp for subdomains', 'v=DMARC1; sp=reject', 'a.example.com', 'reject'],
  ])(
    'never more protection than receivers give (RFC 7489 §6.6.3 step 6): %s',
    (_n, record, domain, policy) => {
      const z = zoneOf({ '_dmarc.example.com': { TXT: [record] } });
      expect(recordedDmarc(z, domain).policy).toBe(policy);
    },
  );

  test('a record ignored for the case of its version value is named in the notes', () => {
    const z = zoneOf({ '_dmarc.example.com': { TXT: ['v=dmarc1; p=reject'] } });
    const r = recordedDmarc(z, 'example.com');
    expect(r.policy).toBe('absent');
    expect(r.notes.join(' ')).toMatch(/ignored _dmarc\.example\.com: "v=dmarc1; p=reject".*case-sensitive/);
  });
});
