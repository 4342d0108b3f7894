/**
 * The range an SPF evaluation holds for (`SpfEvaluation.ipRange`): every IPv4 address inside it gets the same
 * result and the same trace, the address's own label aside. The simulator's replay cache reuses a verdict inside
 * this range only, so a range too wide would give one client another's verdict.
 */
import { describe, expect, test } from 'vitest';
import { recordedAuthOracle, recordedSpf } from '../../src/dns/oracle.js';
import { zoneFromJson, type DnsZone } from '../../src/common/zone.js';
import { rng, spfZoneJson, type DnsJson } from '../support/generated-zones.js';

const zoneOf = (json: DnsJson): DnsZone => zoneFromJson(json as Parameters<typeof zoneFromJson>[0]);
const num = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const text = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
const LABEL = 'the client';

function spf(zone: DnsZone, ip: string, record?: string) {
  const z = record === undefined ? zone : zoneOf({ 'example.com': { TXT: [record] } });
  return recordedSpf(z, { ip, ipLabel: LABEL, domain: 'example.com', sender: 'a@example.com' });
}
const range = (record: string, ip: string, extra: DnsJson = {}) =>
  recordedSpf(zoneOf({ 'example.com': { TXT: [record] }, ...extra }), {
    ip,
    domain: 'example.com',
    sender: 'a@example.com',
  }).ipRange?.map(text);

describe('the range of addresses an SPF evaluation holds for', () => {
  test('a network that matches bounds it; one that does not cuts it on the client’s side', () => {
    expect(range('v=spf1 ip4:192.0.2.0/24 -all', '192.0.2.9')).toEqual(['192.0.2.0', '192.0.2.255']);
    expect(range('v=spf1 ip4:192.0.2.0/24 -all', '10.0.0.1')).toEqual(['0.0.0.0', '192.0.1.255']);
    expect(range('v=spf1 ip4:192.0.2.0/24 -all', '203.0.113.1')).toEqual(['192.0.3.0', '255.255.255.255']);
    // Two networks tested before the match: the gap between them.
    expect(range('v=spf1 ip4:10.0.0.0/8 ip4:10.2.0.0/16 ~all', '11.0.0.1')).toEqual([
      '11.0.0.0',
      '255.255.255.255',
    ]);
    expect(range('v=spf1 ip4:10.1.0.0/16 ip4:10.3.0.0/16 ~all', '10.2.7.7')).toEqual([
      '10.2.0.0',
      '10.2.255.255',
    ]);
  });

  test('a and mx narrow it by each address they compare; include carries the inner ones', () => {
    const hosts = { 'mail.example.com': { A: ['198.51.100.7', '198.51.100.200'] } };
    expect(range('v=spf1 a:mail.example.com/28 -all', '198.51.100.100', hosts)).toEqual([
      '198.51.100.16',
      '198.51.100.191',
    ]);
    expect(
      range('v=spf1 include:inner.example -all', '203.0.113.50', {
        'inner.example': { TXT: ['v=spf1 ip4:203.0.113.0/26 -all'] },
      }),
    ).toEqual(['203.0.113.0', '203.0.113.63']);
  });

  test('ptr and the address macros read the whole address: the range is the address itself', () => {
    expect(range('v=spf1 ip4:203.0.113.0/24 ptr -all', '192.0.2.9')).toBeUndefined(); // PTR not recorded
    expect(
      range('v=spf1 exists:%{i}.list.example -all', '192.0.2.9', {
        '192.0.2.9.list.example': { A: ['127.0.0.2'] },
      }),
    ).toEqual(['192.0.2.9', '192.0.2.9']);
    expect(
      range('v=spf1 exists:%{l}.list.example -all', '192.0.2.9', { 'a.list.example': { A: ['127.0.0.2'] } }),
    ).toEqual(['0.0.0.0', '255.255.255.255']); // the sender's local part: not the address
  });

  test('IPv6 clients have no range; an IPv4-mapped client has its IPv4 one', () => {
    expect(range('v=spf1 ip6:2001:db8::/32 -all', '2001:db8::1')).toBeUndefined();
    expect(range('v=spf1 ip4:192.0.2.0/24 -all', '::ffff:192.0.2.9')).toEqual(['192.0.2.0', '192.0.2.255']);
  });

  test('the trace writes the client as its label', () => {
    const r = spf(zoneOf({}), '192.0.2.9', 'v=spf1 ip4:192.0.2.0/24 -all');
    expect(r.trace.at(-1)).toBe(`example.com: ${LABEL} matches "ip4:192.0.2.0/24" → pass`);
  });

  test('over 2,000 generated zones, every address of the range gets the same result and trace', () => {
    const r = rng(20261128);
    let compared = 0;
    let wide = 0;
    let exact = 0;
    for (let seed = 1; seed <= 2000; seed++) {
      const { json, input } = spfZoneJson(seed);
      const zone = zoneOf(json);
      // The generator's clients (whose %{i} names the zone answers), and addresses around them, so that ranges are
      // met from inside and from outside.
      const base = num(['192.0.2.1', '192.0.2.77', '198.51.100.5', '203.0.113.9'][seed % 4]!);
      const ip = text(seed % 3 === 0 ? base : (base + Math.floor(r() * 512) - 256) >>> 0);
      const at = (x: string) =>
        recordedSpf(zone, { ip: x, ipLabel: LABEL, domain: input.domain, sender: input.sender });
      const first = at(ip);
      if (first.ipRange === undefined) continue;
      const [lo, hi] = first.ipRange;
      expect(lo).toBeLessThanOrEqual(num(ip));
      expect(hi).toBeGreaterThanOrEqual(num(ip));
      if (lo === hi) exact++;
      else wide++;
      for (const x of [lo, hi, lo + Math.floor(r() * (hi - lo + 1)), lo + Math.floor(r() * (hi - lo + 1))]) {
        const other = at(text(x));
        expect(
          { result: other.result, trace: other.trace, ipRange: other.ipRange },
          `${seed} ${text(x)}`,
        ).toEqual({
          result: first.result,
          trace: first.trace,
          ipRange: first.ipRange,
        });
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(4000);
    expect(wide).toBeGreaterThan(500);
    expect(exact).toBeGreaterThan(20);
  });
});

describe('the recorded oracle', () => {
  const zone = zoneOf({
    'sender.example': { TXT: ['v=spf1 ip4:198.18.0.0/15 -all'] },
    '_dmarc.sender.example': { TXT: ['v=DMARC1; p=reject'] },
  });
  const oracle = recordedAuthOracle(zone);
  const verdict = (ip: string, mailFrom = 'a@sender.example') =>
    oracle.verdict({ ip, ipLabel: LABEL, mailFrom, headerFrom: mailFrom, dkimDomains: [] });

  test('gives the range of its SPF verdict, and writes the label in its notes', () => {
    const v = verdict('198.18.7.7');
    expect(v.ipRange?.map(text)).toEqual(['198.18.0.0', '198.19.255.255']);
    expect(v.notes[0]).toBe(
      `SPF sender.example for ${LABEL}: pass (sender.example: ${LABEL} matches "ip4:198.18.0.0/15" → pass)`,
    );
  });

  test('without a P1 domain every IPv4 address gets the verdict; without a label the notes write the address', () => {
    expect(verdict('198.18.7.7', '').ipRange?.map(text)).toEqual(['0.0.0.0', '255.255.255.255']);
    const plain = oracle.verdict({
      ip: '198.18.7.7',
      mailFrom: 'a@sender.example',
      headerFrom: 'a@sender.example',
      dkimDomains: [],
    });
    expect(plain.notes[0]).toContain('SPF sender.example for 198.18.7.7: pass');
  });
});
