import { describe, expect, test } from 'vitest';
import {
  canonicalIp,
  cidrBlocks,
  ipv4Text,
  IpCoverage,
  IpSet,
  IpSetIndex,
  isValidIp,
  isValidIpOrCidr,
  parseAddress,
  parseIpEntry,
  sampleAddress,
  strictQuad,
  strictQuadBytes,
} from '../../src/common/ip.js';
import { Gen } from '../model/generate.js';

describe('parseIpEntry: accepted and refused forms (eop-model §2.2, §5, §6.5)', () => {
  test.each([
    ['203.0.113.10', true],
    ['203.0.113.0/24', true],
    ['203.0.113.77/24', true], // host bits set: normalised to the network, as Exchange does
    ['0.0.0.0/0', true],
    ['203.0.113.10-203.0.113.20', true],
    [' 203.0.113.10 - 203.0.113.20 ', true],
    ['2001:db8::/32', true],
    ['::ffff:203.0.113.0/120', true], // IPv4-mapped network written in IPv6 form
    ['203.0.113.20-203.0.113.10', false], // reversed range
    ['203.0.113.10/33', false],
    ['203.0.113.10/', false],
    ['/24', false],
    ['203.0.113', false], // short form
    ['010.0.0.1', false], // leading zero (octal in some parsers)
    ['203.0.113.0/255.255.255.0', false], // netmask form
    ['2001:db8::1-2001:db8::9', false], // ranges are IPv4 only
    ['2001:db8::/129', false],
    ['not-an-ip', false],
  ])('%s → valid %s', (text, valid) => {
    expect(isValidIpOrCidr(text)).toBe(valid);
  });
});

describe('IpSet.has', () => {
  test.each([
    [['203.0.113.77/24'], '203.0.113.0', true],
    [['203.0.113.77/24'], '203.0.113.255', true],
    [['203.0.113.77/24'], '203.0.114.0', false],
    [['203.0.113.77/24'], '203.0.112.255', false],
    [['0.0.0.0/0'], '255.255.255.255', true],
    [['203.0.113.10-203.0.113.20'], '203.0.113.20', true],
    [['203.0.113.10-203.0.113.20'], '203.0.113.21', false],
    [['203.0.113.10'], '::ffff:203.0.113.10', true], // IPv4-mapped client
    [['203.0.113.0/24'], '::ffff:cb00:710a', true], // the same, in hex
    [['::ffff:203.0.113.0/120'], '203.0.113.5', true],
    [['::ffff:203.0.113.0/120'], '203.0.114.5', false],
    [['::ffff:0:0/96'], '198.51.100.1', true], // every IPv4 address, in mapped form
    [['2001:db8::/32'], '2001:db8:ffff::1', true],
    [['2001:db8::/32'], '2001:db9::1', false],
    [['2001:db8::1'], '2001:db8::2', false],
    [['203.0.113.10'], '2001:db8::1', false],
    [['2001:db8::/32'], '203.0.113.10', false],
    [['203.0.113.10'], 'garbage', false],
    [['garbage'], '203.0.113.10', false],
  ])('%j has %s → %s', (entries, ip, expected) => {
    expect(new IpSet(entries).has(ip)).toBe(expected);
  });

  test('invalid entries are kept aside, not silently matched', () => {
    const s = new IpSet(['203.0.113.10', '203.0.113.300', 'x']);
    expect(s.size).toBe(1);
    expect(s.invalid).toEqual(['203.0.113.300', 'x']);
  });
});

describe('IpSet.covers and overlaps', () => {
  test.each([
    [['203.0.113.0/25', '203.0.113.128/25'], '203.0.113.0/24', true], // adjacent halves
    [['203.0.113.0/25', '203.0.113.129-203.0.113.255'], '203.0.113.0/24', false], // .128 missing
    [['203.0.113.0/24'], '203.0.113.10-203.0.113.20', true],
    [['203.0.113.0/24'], '203.0.113.250-203.0.114.2', false],
    [['203.0.113.0-203.0.113.100', '203.0.113.50-203.0.113.255'], '203.0.113.0/24', true], // overlapping pieces
    [['0.0.0.0/0'], '198.51.100.0/28', true],
    [['203.0.113.10'], '203.0.113.10', true],
    [['203.0.113.10'], '203.0.113.11', false],
    [['::ffff:203.0.113.0/120'], '203.0.113.0/28', true],
    [['2001:db8::/32'], '2001:db8:1::/48', true],
    [['2001:db8:1::/48'], '2001:db8::/32', false],
    [['203.0.113.0/24'], 'nonsense', false],
  ])('%j covers %s → %s', (entries, entry, expected) => {
    expect(new IpSet(entries).covers(entry)).toBe(expected);
  });

  test.each([
    [['203.0.113.0/24'], '203.0.113.250-203.0.114.2', true],
    [['203.0.113.0/24'], '203.0.114.0/24', false],
    [['2001:db8::/32'], '2001:db8:1::/48', true],
    [['2001:db8:1::/48'], '2001:db8::/32', true],
    [['2001:db8:1::/48'], '2001:db8:2::/48', false],
    [['203.0.113.0/24'], 'nonsense', false],
  ])('%j overlaps %s → %s', (entries, entry, expected) => {
    expect(new IpSet(entries).overlaps(entry)).toBe(expected);
  });
});

describe('many ranges: merged and searched (issue 10 item 6, a lock-down extended with thousands of entries)', () => {
  const dotted = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  const BASE = 0x0a000000; // 10.0.0.0: ranges within 10.0.0.0–10.0.3.255, so that they overlap and touch
  /** A random entry (address, CIDR or a-b range) with its addresses as a list, for a brute-force answer. */
  function entry(g: Gen): { text: string; lo: number; hi: number } {
    const lo = BASE + g.int(1024);
    switch (g.int(3)) {
      case 0:
        return { text: dotted(lo), lo, hi: lo };
      case 1: {
        const bits = 26 + g.int(7);
        const size = 2 ** (32 - bits);
        const net = lo - (lo % size);
        return { text: `${dotted(net)}/${bits}`, lo: net, hi: net + size - 1 };
      }
      default: {
        const hi = Math.min(BASE + 1023, lo + g.int(40));
        return { text: `${dotted(lo)}-${dotted(hi)}`, lo, hi };
      }
    }
  }
  const brute = (ranges: { lo: number; hi: number }[], lo: number, hi: number) => {
    for (let a = lo; a <= hi; a++) if (!ranges.some((r) => r.lo <= a && a <= r.hi)) return false;
    return true;
  };

  test.each([1, 2, 3, 4, 5])(
    'seed %i: IpSet and IpCoverage answer as address-by-address membership',
    (seed) => {
      const g = new Gen(seed);
      const ranges = Array.from({ length: 20 + g.int(60) }, () => entry(g));
      const set = new IpSet(ranges.map((r) => r.text));
      const growing = new IpCoverage();
      const added: { lo: number; hi: number }[] = [];
      for (const r of ranges) {
        growing.add(r.text);
        added.push(r);
        const probe = entry(g);
        expect(growing.covers(probe.text), `${probe.text} after ${added.length}`).toBe(
          brute(added, probe.lo, probe.hi),
        );
      }
      for (let k = 0; k < 300; k++) {
        const probe = entry(g);
        const expected = brute(ranges, probe.lo, probe.hi);
        expect(set.covers(probe.text), probe.text).toBe(expected);
        expect(growing.covers(probe.text), probe.text).toBe(expected);
        expect(set.has(dotted(probe.lo)), dotted(probe.lo)).toBe(brute(ranges, probe.lo, probe.lo));
      }
    },
  );
});

describe('helpers', () => {
  test.each([
    ['203.0.113.10', '203.0.113.10'],
    ['203.0.113.0/24', '203.0.113.1'],
    ['203.0.113.4/31', '203.0.113.4'],
    ['203.0.113.10-203.0.113.20', '203.0.113.11'],
    ['::ffff:203.0.113.0/120', '203.0.113.1'],
    ['bad', undefined],
  ])('sampleAddress(%s) = %s', (entry, expected) => {
    expect(sampleAddress(entry)).toBe(expected);
  });

  test.each([
    ['203.0.113.10', true],
    ['::ffff:203.0.113.10', true],
    ['2001:db8::1', true],
    ['203.0.113.0/24', false],
    ['203.0.113', false],
  ])('isValidIp(%s) = %s', (text, expected) => {
    expect(isValidIp(text)).toBe(expected);
  });

  test.each([
    ['203.0.113.10', '203.0.113.10'],
    [' 203.0.113.10 ', '203.0.113.10'],
    ['::ffff:203.0.113.10', '203.0.113.10'],
    ['::FFFF:CB00:710A', '203.0.113.10'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:db8:0:0::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    // RFC 5952 §4.2.3: the first of two equal runs of zeros is compressed.
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['203.0.113', undefined],
    ['203.0.113.0/24', undefined],
  ])('canonicalIp(%j) = %j', (text, expected) => {
    expect(canonicalIp(text)).toBe(expected);
  });

  test('an IPv4-mapped CIDR becomes the IPv4 network it denotes', () => {
    expect(parseIpEntry('::ffff:203.0.113.0/120')).toMatchObject({ kind: 'v4' });
  });
});

describe('client addresses: the four-part decimal fast path accepts exactly what the general parser does', () => {
  const SET = new IpSet(['1.2.3.0/24', '::ffff:1.2.3.0/120', '2001:db8::/32']);
  test.each<[string, boolean, boolean]>([
    // text, valid address (isValidIp trims), in SET (has does not trim)
    ['1.2.3.4', true, true],
    ['0.0.0.0', true, false],
    ['255.255.255.255', true, false],
    ['01.2.3.4', false, false], // leading zero: octal to some parsers
    ['1.2.3.00', false, false],
    ['256.1.1.1', false, false],
    ['1.2.3', false, false],
    ['1.2.3.4.5', false, false],
    ['1..2.3', false, false],
    ['.1.2.3', false, false],
    ['1.2.3.', false, false],
    ['+1.2.3.4', false, false],
    ['0x1.2.3.4', false, false],
    ['１.2.3.4', false, false], // full-width digit
    [' 1.2.3.4', true, false],
    ['1.2.3.4 ', true, false],
    ['1.2.3.4/32', false, false],
    ['', false, false],
    ['::ffff:1.2.3.4', true, true],
    ['::FFFF:102:304', true, true],
    ['2001:DB8::1', true, true],
    ['::', true, false],
    ['fe80::1%eth0', true, false],
  ])('%j: valid %s, in the set %s', (text, valid, inSet) => {
    expect(isValidIp(text)).toBe(valid);
    expect(SET.has(text)).toBe(inSet);
    expect(SET.hasAddress(parseAddress(text))).toBe(inSet);
  });
});

describe('strictQuadBytes gives the bytes of a text what strictQuad gives the text', () => {
  test('edge cases and 20,000 generated texts of digits and dots', () => {
    const texts = [
      '1.2.3.4',
      '0.0.0.0',
      '255.255.255.255',
      '01.2.3.4',
      '1.2.3.00',
      '256.1.1.1',
      '1.2.3',
      '1.2.3.4.5',
    ];
    texts.push(
      '1..2.3',
      '.1.2.3',
      '1.2.3.',
      '+1.2.3.4',
      ' 1.2.3.4',
      '1.2.3.4 ',
      '',
      '10.20.30.40',
      '9.99.199.255',
    );
    texts.push('1.2.3.4a', '1.2.3.4/32', '111.222.233.244', '1111.2.3.4', '1.2.3.2555', '1.2.3.0');
    let x = 7;
    const next = () => (x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff);
    for (let i = 0; i < 10_000; i++) {
      let t = '';
      for (let n = 7 + (next() % 10); n > 0; n--) t += '0123456789.'[next() % 11];
      texts.push(t);
      // Four parts of 0-300, now and then with a leading zero, or three or five parts.
      const parts = Array.from({ length: 3 + (next() % 9 === 0 ? 2 * (next() % 2) : 1) }, () => {
        const v = String(next() % 301);
        return next() % 10 === 0 ? `0${v}` : v;
      });
      texts.push(parts.join('.'));
    }
    let valid = 0;
    for (const t of texts) {
      const b = Buffer.from(`"${t}",`);
      const expected = strictQuad(t);
      if (expected >= 0) valid++;
      expect(strictQuadBytes(b, 1, 1 + t.length), t).toBe(expected);
    }
    expect(valid).toBeGreaterThan(1000); // the generated texts reach the valid branch too
  });
});

describe('IpSetIndex: the sets that contain an address, as IpSet.has says', () => {
  const ENTRIES = [
    '203.0.113.0/24',
    '203.0.113.10',
    '203.0.113.128/25',
    '198.51.100.0/28',
    '198.51.100.10-198.51.100.40',
    '0.0.0.0/0',
    '255.255.255.255',
    '2001:db8::/32',
    '::ffff:192.0.2.0/120',
    'bogus',
  ];
  const ADDRESSES = [
    '203.0.113.0',
    '203.0.113.10',
    '203.0.113.127',
    '203.0.113.128',
    '203.0.113.255',
    '198.51.100.15',
    '198.51.100.16',
    '198.51.100.40',
    '198.51.100.41',
    '192.0.2.9',
    '0.0.0.0',
    '255.255.255.255',
    '2001:db8::1',
    '2001:db9::1',
    '::ffff:203.0.113.10',
    'bogus',
  ];
  test.each([1, 2, 3, 4, 5, 6, 7, 8])('generated sets, seed %i', (seed) => {
    const g = new Gen(seed);
    const sets = Array.from({ length: 1 + g.int(12) }, () =>
      g.chance(0.15) ? undefined : new IpSet(g.some(ENTRIES, 1 + g.int(3))),
    );
    const index = new IpSetIndex(sets);
    for (const ip of ADDRESSES) {
      const expected = sets.flatMap((s, i) => (s?.has(ip) ? [i] : []));
      expect(index.lookup(parseAddress(ip)), ip).toEqual(expected);
    }
  });

  test('no sets, no address', () => {
    expect(new IpSetIndex([]).lookup(parseAddress('203.0.113.1'))).toEqual([]);
    expect(new IpSetIndex([new IpSet(['0.0.0.0/0'])]).lookup(undefined)).toEqual([]);
  });
});

describe('cidrBlocks and ipv4Text', () => {
  const n = (ip: string) => parseAddress(ip) as number;
  const text = (blocks: { base: number; bits: number }[]) =>
    blocks.map((b) => `${ipv4Text(b.base)}/${b.bits}`);
  test('an aligned range is one block; an unaligned one the fewest exact blocks, none wider than asked', () => {
    expect(text(cidrBlocks(n('198.51.100.0'), n('198.51.103.255'), 0))).toEqual(['198.51.100.0/22']);
    expect(text(cidrBlocks(n('198.51.100.0'), n('198.51.103.255'), 24))).toEqual([
      '198.51.100.0/24',
      '198.51.101.0/24',
      '198.51.102.0/24',
      '198.51.103.0/24',
    ]);
    expect(text(cidrBlocks(n('198.51.100.0'), n('198.51.100.5'), 0))).toEqual([
      '198.51.100.0/30',
      '198.51.100.4/31',
    ]);
    expect(text(cidrBlocks(n('0.0.0.0'), n('255.255.255.255'), 0))).toEqual(['0.0.0.0/0']);
  });
});
