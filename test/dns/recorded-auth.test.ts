import { describe, expect, test } from 'vitest';
import { dmarcPolicyFor, evaluateSpf, MAX_SPF_LOOKUPS } from '../../src/dns/recorded-auth.js';
import { zoneFromJson, type DnsZone } from '../../src/dns/zone.js';

const IP = '203.0.113.10';
const zoneOf = (z: Record<string, object>): DnsZone => zoneFromJson(z as Parameters<typeof zoneFromJson>[0]);
const spfZone = (record: string, extra: Record<string, object> = {}) =>
  zoneOf({ 'example.com': { TXT: [record] }, ...extra });

describe('SPF check_host (RFC 7208) over recorded DNS', () => {
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
    expect(evaluateSpf(spfZone(record, extra), IP, 'example.com').result).toBe(expected);
  });

  test.each([
    ['no TXT at all', {}, 'none'],
    ['TXT without v=spf1', { 'example.com': { TXT: ['hello'] } }, 'none'],
    ['two SPF records', { 'example.com': { TXT: ['v=spf1 -all', 'v=spf1 +all'] } }, 'permerror'],
    ['v=spf10 is not SPF', { 'example.com': { TXT: ['v=spf10 +all'] } }, 'none'],
    ['upper-case version tag is SPF', { 'example.com': { TXT: [`V=SPF1 ip4:${IP} -all`] } }, 'pass'],
  ] as const)('record selection: %s → %s', (_name, zone, expected) => {
    expect(evaluateSpf(zoneOf(zone), IP, 'example.com').result).toBe(expected);
  });

  test('no recorded DNS: unknown, never pass', () => {
    expect(evaluateSpf(undefined, IP, 'example.com').result).toBe('unknown');
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
    expect(evaluateSpf(spfZone(at(MAX_SPF_LOOKUPS + 1), zone), IP, 'example.com').result).toBe('permerror');
    zone[names[MAX_SPF_LOOKUPS - 1]!] = { A: [IP] };
    expect(evaluateSpf(spfZone(at(MAX_SPF_LOOKUPS), zone), IP, 'example.com').result).toBe('pass');
  });

  test('lookups in includes count towards the same limit; an include loop ends in permerror', () => {
    const loop = zoneOf({ 'example.com': { TXT: ['v=spf1 include:example.com -all'] } });
    expect(evaluateSpf(loop, IP, 'example.com').result).toBe('permerror');
  });

  test('an IPv4-mapped client address is evaluated as IPv4 (A, not AAAA)', () => {
    const z = spfZone('v=spf1 a:mail.example.com -all', { 'mail.example.com': { A: [IP] } });
    expect(evaluateSpf(z, `::ffff:${IP}`, 'example.com').result).toBe('pass');
  });

  test('an IPv6 client is matched by ip6 and by AAAA', () => {
    const z = spfZone('v=spf1 ip6:2001:db8::/32 a:mail.example.com -all', {
      'mail.example.com': { AAAA: ['2001:db9::1'] },
    });
    expect(evaluateSpf(z, '2001:db8::5', 'example.com').result).toBe('pass');
    expect(evaluateSpf(z, '2001:db9::1', 'example.com').result).toBe('pass');
    expect(evaluateSpf(z, '2001:dba::1', 'example.com').result).toBe('fail');
  });
});

describe('DMARC policy discovery', () => {
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
      'invalid p: treated as none',
      'example.com',
      { '_dmarc.example.com': { TXT: ['v=DMARC1; p=block'] } },
      'none',
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
    expect(dmarcPolicyFor(zoneOf(zone), domain).policy).toBe(expected);
  });

  test('no recorded DNS: unknown', () => {
    expect(dmarcPolicyFor(undefined, 'example.com').policy).toBe('unknown');
  });

  test('a downgrade by pct or t=y is explained', () => {
    const r = dmarcPolicyFor(
      zoneOf({ '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject; pct=50'] } }),
      'example.com',
    );
    expect(r.notes?.join(' ')).toMatch(/pct=50/);
  });
});
