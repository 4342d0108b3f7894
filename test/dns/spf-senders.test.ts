/**
 * The senders an SPF tree authorises (src/dns/spf/analyse.ts `spfSenders`), read from the one tree walk that
 * `mxlock dns`, the dns.* checks and the Direct Send inventory share. Checked case by case against RFC 7208, and
 * over generated zones against check_host() itself: an address that check_host() passes is always either listed
 * or flagged as not enumerable ("unknown is never safe").
 */
import { describe, expect, test } from 'vitest';
import { recordedResolver } from '../../src/dns/resolver.js';
import { analyseSpf, spfSenders, spfTreeOfZone, type SpfSenders } from '../../src/dns/spf/analyse.js';
import { checkHostSpf } from '../../src/dns/spf/evaluate.js';
import { zoneFromJson, type DnsZone } from '../../src/common/zone.js';
import { IpSet } from '../../src/common/ip.js';
import { SPF_DOMAINS, spfZoneJson, type DnsJson } from '../support/generated-zones.js';

const zoneOf = (z: DnsJson): DnsZone => zoneFromJson(z as Parameters<typeof zoneFromJson>[0]);

function sendersOf(json: DnsJson, domain = 'example.com', known?: (d: string) => boolean): SpfSenders {
  const run = spfTreeOfZone(zoneOf(json), domain);
  if (!run.done) throw new Error(`the recorded zone answers every question of the walk: ${run.why}`);
  return spfSenders(run.value.tree, known ? { known } : {});
}

/** term → [networks granted, unlisted reasons joined] */
function summary(s: SpfSenders): Record<string, [string[], string]> {
  return Object.fromEntries(
    s.terms.map((t) => [t.term, [t.grants.map((g) => g.network), t.unlisted.join(' | ')]]),
  );
}

describe('spfSenders, case by case', () => {
  test('ip4/ip6 terms, a and mx hosts with their prefix lengths, includes followed', () => {
    const s = sendersOf({
      'example.com': {
        TXT: [
          'v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/48 a/28 mx:mail.example.com include:_spf.saas.example -all',
        ],
        A: ['198.51.100.7'],
      },
      'mail.example.com': { MX: [{ exchange: 'mx1.example.com', priority: 10 }] },
      'mx1.example.com': { A: ['203.0.113.5'], AAAA: ['2001:db8:5::1'] },
      '_spf.saas.example': { TXT: ['v=spf1 ip4:203.0.113.64/26 ~all'] },
    });
    expect(summary(s)).toEqual({
      'ip4:192.0.2.0/24': [['192.0.2.0/24'], ''],
      'ip6:2001:db8::/48': [['2001:db8::/48'], ''],
      'a/28': [['198.51.100.7/28'], ''],
      'mx:mail.example.com': [['203.0.113.5', '2001:db8:5::1'], ''],
      'include:_spf.saas.example': [['203.0.113.64/26'], ''],
    });
    expect(s.terms.find((t) => t.term === 'a/28')?.grants[0]?.label).toBe('example.com → 198.51.100.7/28');
    expect(s.lookups).toBe(3);
  });

  test('-, ~ and ? terms authorise nobody, and a + qualifier is dropped from the term', () => {
    const s = sendersOf({
      'example.com': { TXT: ['v=spf1 -ip4:192.0.2.1 ~a ?include:other.example +ip4:192.0.2.9 -all'] },
      'other.example': { TXT: ['v=spf1 ip4:198.51.100.1 -all'] },
    });
    expect(summary(s)).toEqual({ 'ip4:192.0.2.9': [['192.0.2.9'], ''] });
    expect(s.lookups).toBe(2); // a and the include still cost a lookup each
  });

  test.each<[string, DnsJson, string, string]>([
    [
      'macros',
      { 'example.com': { TXT: ['v=spf1 exists:%{i}._spf.example.com -all'] } },
      'exists:%{i}._spf.example.com',
      'uses macros',
    ],
    [
      'exists',
      { 'example.com': { TXT: ['v=spf1 exists:list.example.com -all'] } },
      'exists:list.example.com',
      'cannot be expanded',
    ],
    ['ptr', { 'example.com': { TXT: ['v=spf1 ptr -all'] } }, 'ptr', "client's reverse DNS"],
    ['+all', { 'example.com': { TXT: ['v=spf1 +all'] } }, 'all', 'every address on the internet'],
    [
      'an include that does not exist',
      { 'example.com': { TXT: ['v=spf1 include:gone.example -all'] } },
      'include:gone.example',
      'gone.example: no SPF record (NXDOMAIN)',
    ],
    [
      'an include without SPF',
      { 'example.com': { TXT: ['v=spf1 include:txt.example -all'] }, 'txt.example': { TXT: ['hello'] } },
      'include:txt.example',
      'txt.example: no SPF record (no "v=spf1" TXT record)',
    ],
    [
      'an include with two records',
      {
        'example.com': { TXT: ['v=spf1 include:two.example -all'] },
        'two.example': { TXT: ['v=spf1 -all', 'v=spf1 +all'] },
      },
      'include:two.example',
      'two.example: 2 SPF records',
    ],
    [
      'an a host without addresses',
      { 'example.com': { TXT: ['v=spf1 a:web.example.com -all'] } },
      'a:web.example.com',
      'web.example.com has no A/AAAA record (NXDOMAIN)',
    ],
    [
      'an mx without MX records',
      { 'example.com': { TXT: ['v=spf1 mx -all'] } },
      'mx',
      'example.com has no MX record (NODATA)',
    ],
    [
      'an mx with more than 10 hosts',
      {
        'example.com': {
          TXT: ['v=spf1 mx -all'],
          MX: Array.from({ length: 11 }, (_, i) => ({ exchange: `m${i}.example.com`, priority: i })),
        },
      },
      'mx',
      'more than 10',
    ],
  ])('not enumerable: %s', (_what, json, term, reason) => {
    const t = sendersOf(json).terms.find((x) => x.term === term);
    expect(t?.grants).toEqual([]);
    expect(t?.unlisted.join(' | ')).toContain(reason);
  });

  test('past the 10th DNS-querying term nothing is listed: receivers return permerror there (RFC 7208 §4.6.4)', () => {
    const chain: DnsJson = { 'example.com': { TXT: ['v=spf1 include:l0.example ip4:192.0.2.1 -all'] } };
    // Each level's address comes before its include: it is reached before the lookups below it.
    for (let i = 0; i < 10; i++)
      chain[`l${i}.example`] = { TXT: [`v=spf1 ip4:198.51.100.${i} include:l${i + 1}.example -all`] };
    chain['l10.example'] = { TXT: ['v=spf1 ip4:203.0.113.10 -all'] };
    const s = sendersOf(chain);
    const inc = s.terms.find((t) => t.term === 'include:l0.example')!;
    // include:l10 (in l9) is the 11th lookup; the root's ip4 comes after it in evaluation order.
    expect(inc.grants.map((g) => g.network)).toContain('198.51.100.9');
    expect(inc.grants.map((g) => g.network)).not.toContain('203.0.113.10');
    expect(inc.unlisted.join()).toMatch(
      /include:l10\.example \(in l9\.example\): not evaluated: more than 10 DNS lookups/,
    );
    expect(summary(s)['ip4:192.0.2.1']?.[1]).toContain('more than 10 DNS lookups');
    expect(s.lookups).toBe(11);
  });

  test('exactly 10 lookups are allowed', () => {
    const chain: DnsJson = { 'example.com': { TXT: ['v=spf1 include:l0.example -all'] } };
    for (let i = 0; i < 9; i++) chain[`l${i}.example`] = { TXT: [`v=spf1 include:l${i + 1}.example -all`] };
    chain['l9.example'] = { TXT: ['v=spf1 ip4:203.0.113.10 -all'] };
    const s = sendersOf(chain);
    expect(summary(s)).toEqual({ 'include:l0.example': [['203.0.113.10'], ''] });
    expect(s.lookups).toBe(10);
  });

  test('past the second void lookup receivers may return permerror: later terms are not listed', () => {
    const s = sendersOf({
      'example.com': {
        TXT: ['v=spf1 a:v1.example.com a:v2.example.com a:v3.example.com ip4:192.0.2.1 -all'],
      },
    });
    expect(s.voidLookups).toBe(3);
    expect(summary(s)['ip4:192.0.2.1']).toEqual([[], expect.stringContaining('more than 2 void lookups')]);
  });

  test('a known include counts its lookups but lists nothing', () => {
    const json: DnsJson = {
      'example.com': { TXT: ['v=spf1 include:spf.protection.outlook.com ip4:192.0.2.1 -all'] },
      'spf.protection.outlook.com': { TXT: ['v=spf1 include:spfd.protection.outlook.com -all'] },
      'spfd.protection.outlook.com': { TXT: ['v=spf1 ip4:40.92.0.0/15 -all'] },
    };
    const s = sendersOf(json, 'example.com', (d) => d === 'spf.protection.outlook.com');
    expect(summary(s)).toEqual({
      'include:spf.protection.outlook.com': [[], ''],
      'ip4:192.0.2.1': [['192.0.2.1'], ''],
    });
    expect(s.lookups).toBe(2);
  });

  test('a loop adds nothing new; redirect= applies only without an all term (RFC 7208 §6.1)', () => {
    expect(
      summary(
        sendersOf({
          'example.com': { TXT: ['v=spf1 include:a.example -all'] },
          'a.example': { TXT: ['v=spf1 include:example.com ip4:192.0.2.5 -all'] },
        }),
      ),
    ).toEqual({ 'include:a.example': [['192.0.2.5'], ''] });
    const redirect = { 'r.example': { TXT: ['v=spf1 ip4:192.0.2.7 -all'] } };
    expect(
      summary(sendersOf({ 'example.com': { TXT: ['v=spf1 redirect=r.example'] }, ...redirect })),
    ).toEqual({
      'redirect=r.example': [['192.0.2.7'], ''],
    });
    expect(
      summary(sendersOf({ 'example.com': { TXT: ['v=spf1 -all redirect=r.example'] }, ...redirect })),
    ).toEqual({});
  });
});

// --- generated zones ----------------------------------------------------------------------------------------

const CLIENT_IPS = ['192.0.2.1', '192.0.2.77', '198.51.100.5', '203.0.113.9', '2001:db8::1', '2001:db8:1::5'];
const SEEDS = Array.from({ length: 300 }, (_, i) => i + 1);

describe('over generated zones', () => {
  test.each(SEEDS)(
    'seed %i: the synchronous walk is the asynchronous one; every address check_host() passes is listed or flagged',
    async (seed) => {
      const { json } = spfZoneJson(seed);
      const zone = zoneOf(json);
      for (const domain of SPF_DOMAINS) {
        const run = spfTreeOfZone(zone, domain);
        expect(run.done).toBe(true);
        if (!run.done) continue;
        const overResolver = await analyseSpf(recordedResolver(zone), domain);
        expect(run.value).toEqual(overResolver);
        const senders = spfSenders(run.value.tree);
        const listed = new IpSet(senders.terms.flatMap((t) => t.grants.map((g) => g.network)));
        const flagged = senders.terms.some((t) => t.unlisted.length > 0);
        for (const ip of CLIENT_IPS) {
          const r = await checkHostSpf(recordedResolver(zone), {
            ip,
            domain,
            sender: `postmaster@${domain}`,
          });
          if (r.result === 'pass') expect(listed.covers(ip) || flagged, `${domain} passes ${ip}`).toBe(true);
        }
      }
    },
  );
});
