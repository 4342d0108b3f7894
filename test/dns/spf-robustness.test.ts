/**
 * `check_host()` returns a result for any record and any identity, never an exception (issue 9): control
 * characters inside a term, IPv4-mapped ip6 networks, names that macro expansion makes too long for DNS, domain
 * literals. Each case runs through both drivers (a resolver and the synchronous zone path), and the whole
 * `mxlock dns` analysis survives a bad record anywhere in an include tree.
 */
import { describe, expect, test } from 'vitest';
import { analyseDomain } from '../../src/dns/analyse.js';
import { spfVerdict } from '../../src/dns/findings.js';
import { recordedResolver } from '../../src/dns/resolver.js';
import { checkHostSpf, checkHostSteps, type CheckHostInput } from '../../src/dns/spf/evaluate.js';
import { parseSpf } from '../../src/dns/spf/parse.js';
import { runSync, zoneAnswer } from '../../src/dns/steps.js';
import { loggedResolver } from '../support/logged-resolver.js';
import { zoneFromJson, type DnsZone } from '../../src/common/zone.js';
import { rng } from '../support/generated-zones.js';

const zoneOf = (z: Record<string, object>): DnsZone => zoneFromJson(z as Parameters<typeof zoneFromJson>[0]);

/** Both drivers, which must agree; the evaluation and the names asked. */
async function evaluate(zone: DnsZone, input: CheckHostInput) {
  const asked: string[] = [];
  const overResolver = await checkHostSpf(loggedResolver(zone, asked), input);
  const sync = runSync(checkHostSteps(input), (q) => zoneAnswer(zone, q));
  expect(sync).toEqual({ done: true, value: overResolver });
  return { ...overResolver, asked };
}

const SEPARATORS = [
  ['CR', '\r'],
  ['LF', '\n'],
  ['U+2028', '\u2028'],
  ['U+2029', '\u2029'],
] as const;

describe('a control character inside a term is a permerror (RFC 7208 §4.6.1), not an exception', () => {
  // `{c}` stands for the character, so that the test names stay readable.
  const TERMS = [
    'a:ctrl.example.com{c}ptr',
    'mx:ctrl.example.com{c}ptr',
    'a:ctrl.example.com/24{c}ptr',
    'include:ctrl.example.com{c}ptr',
    'ip4:192.0.2.3{c}',
    'foo=bar{c}baz',
    'redirect=ctrl.example.com{c}',
  ];
  test.each(
    SEPARATORS.flatMap(([n, c]) =>
      TERMS.map((t) => [t.replace('{c}', `<${n}>`), t.replace('{c}', c)] as const),
    ),
  )('%s', async (_name, term) => {
    const parsed = parseSpf(`v=spf1 ${term} -all`);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.column).toBe(8);
    const zone = zoneOf({
      'ctrl.example.com': { TXT: [`v=spf1 ${term} -all`], A: ['192.0.2.3'] },
    });
    const r = await evaluate(zone, {
      ip: '192.0.2.3',
      domain: 'ctrl.example.com',
      sender: 'x@ctrl.example.com',
    });
    expect(r.result).toBe('permerror');
    expect(r.trace.join('\n')).toMatch(/syntax error at column 8/);
  });

  test('the message names the character as an escape, not raw', () => {
    const parsed = parseSpf('v=spf1 a:ctrl.example.com\rptr -all');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.message).toContain('character U+000D');
    expect(parsed.error.message).not.toContain('\r');
  });
});

describe('ip6 networks keep their IPv6 prefix; only the client address is unmapped (RFC 7208 §5.6)', () => {
  const zone = zoneOf({
    'any6.example': { TXT: ['v=spf1 ip6:::1.1.1.1/0 -all'] },
    'mapped128.example': { TXT: ['v=spf1 ip6:::ffff:192.0.2.9 -all'] },
    'mapped-a.example': { TXT: ['v=spf1 a//0 -all'], AAAA: ['::ffff:192.0.2.9'] },
  });
  test.each([
    ['an IPv6 client is in ::1.1.1.1/0', 'any6.example', '2001:db8::5', 'pass'],
    ['an IPv4 client is never in an ip6 network', 'any6.example', '192.0.2.1', 'fail'],
    ['an IPv4-mapped client is unmapped: IPv4, so not in ip6:', 'any6.example', '::ffff:192.0.2.1', 'fail'],
    [
      'ip6:::ffff:192.0.2.9 does not match the IPv4 client 192.0.2.9',
      'mapped128.example',
      '192.0.2.9',
      'fail',
    ],
    [
      'an AAAA in mapped notation is IPv6: a//0 holds every IPv6 client',
      'mapped-a.example',
      '2001:db8::5',
      'pass',
    ],
  ])('%s', async (_name, domain, ip, result) => {
    const r = await evaluate(zone, { ip, domain, sender: `x@${domain}` });
    expect(r.result, r.trace.join('\n')).toBe(result);
  });
});

describe('a name macro expansion makes invalid for DNS is never sent (RFC 7208 §4.8, §7.3)', () => {
  const zone = zoneOf({
    'long.example': { TXT: ['v=spf1 a:%{h}.bar.example -all'] },
    'longmx.example': { TXT: ['v=spf1 mx:%{h}.bar.example -all'] },
    'longexists.example': { TXT: ['v=spf1 exists:%{l}.x.example ?all'] },
    'longinclude.example': { TXT: ['v=spf1 include:%{h}.bar.example ?all'] },
    'longname.example': { TXT: ['v=spf1 exists:%{h}.%{h}.%{h}.%{h}.%{h}.x.example ?all'] },
  });
  const label64 = 'l'.repeat(64);
  test.each([
    ['a: with a label over 63 octets does not match', 'long.example', 'x', label64, 'fail'],
    ['mx: with a label over 63 octets does not match', 'longmx.example', 'x', label64, 'fail'],
    [
      'exists: with an over-long local-part does not match',
      'longexists.example',
      label64,
      'helo.example',
      'neutral',
    ],
    [
      'include: of an invalid name is "none", so permerror (§5.2)',
      'longinclude.example',
      'x',
      label64,
      'permerror',
    ],
  ])('%s', async (_name, domain, local, helo, result) => {
    const r = await evaluate(zone, { ip: '192.0.2.1', domain, sender: `${local}@${domain}`, helo });
    expect(r.result).toBe(result);
    // Only the record itself is asked: the invalid name never reaches the resolver, and nothing is a temperror.
    expect(r.asked).toEqual([`${domain}/TXT`]);
    expect(r.trace.join('\n')).toMatch(/label longer than 63 octets/);
  });
  test('a name over 253 octets loses labels from the left (§7.3) and is then asked', async () => {
    const helo = `${'h'.repeat(60)}`;
    const r = await evaluate(zone, {
      ip: '192.0.2.1',
      domain: 'longname.example',
      sender: 'x@longname.example',
      helo,
    });
    expect(r.result).toBe('neutral');
    const asked = r.asked[1]!.replace(/\/A$/, '');
    expect(asked.length).toBeLessThanOrEqual(253);
    expect(asked).toBe(`${helo}.${helo}.${helo}.${helo}.x.example`);
  });
});

describe('a domain literal or otherwise malformed <domain> gives none (RFC 7208 §4.3), never temperror', () => {
  const zone = zoneOf({ 'example.com': { TXT: ['v=spf1 -all'] } });
  test.each([
    ['[192.0.2.1]', 'postmaster@[192.0.2.1]'],
    ['[IPv6:2001:db8::1]', 'postmaster@[IPv6:2001:db8::1]'],
    ['192.0.2.1', 'postmaster@192.0.2.1'],
    ['example.123', 'x@example.123'],
    ['oemcomputer', 'postmaster@oemcomputer'],
    ['a..example.com', 'x@a..example.com'],
  ])('%s', async (domain, sender) => {
    const r = await evaluate(zone, { ip: '192.0.2.1', domain, sender, helo: domain });
    expect(r.result).toBe('none');
    expect(r.asked).toEqual([]);
  });
});

describe('mxlock dns over an include tree with a control character in a term', () => {
  test.each(SEPARATORS)('%s: a permerror verdict, no exception', async (_name, c) => {
    const zone = zoneOf({
      'root.example': { TXT: ['v=spf1 include:mid.example -all'] },
      'mid.example': { TXT: ['v=spf1 ip4:192.0.2.0/24 include:bad.example ~all'] },
      'bad.example': { TXT: [`v=spf1 a:host.bad.example${c}ptr mx:bad.example${c} -all`] },
    });
    const d = await analyseDomain(recordedResolver(zone), 'root.example', { spfIps: ['198.51.100.7'] });
    const bad = d.spf.tree.children[0]!.children[0]!;
    expect(bad.state).toBe('syntax');
    expect(d.spf.ipResults).toEqual([expect.objectContaining({ ip: '198.51.100.7', result: 'permerror' })]);
    const verdict = spfVerdict(d, { requiredIps: ['198.51.100.7'] });
    expect(verdict.status).toBe('fail');
    const evidence = verdict.evidence.join('\n');
    expect(evidence).toMatch(
      /include:mid\.example → include:bad\.example: column 8: .*permerror \(RFC 7208 §5\.2\)/,
    );
    expect(evidence).toMatch(/198\.51\.100\.7 is not authorised \(permerror\)/);
  });
});

describe('a client address that is not an IP address', () => {
  test.each(['', 'not-an-ip', '192.0.2.300', '[192.0.2.1]'])(
    '%j: permerror with the reason, not an exception',
    async (ip) => {
      const zone = zoneOf({ 'example.com': { TXT: ['v=spf1 -all'] } });
      const r = await evaluate(zone, { ip, domain: 'example.com', sender: 'x@example.com' });
      expect(r.result).toBe('permerror');
      expect(r.trace).toEqual([
        `${JSON.stringify(ip)} is not an IP address: check_host() needs the client's (§4.1) → permerror`,
      ]);
      expect(r.asked).toEqual([]);
      expect(r.ipRange).toBeUndefined();
    },
  );
});

describe('any record text gives a result', () => {
  // Pieces of terms, separators and characters that have broken parsers: control, bidi and line separators, macro
  // and CIDR syntax, IPv4-mapped addresses, over-long labels.
  const PIECES = [
    'a',
    'mx',
    'ptr',
    'exists:',
    'include:',
    'redirect=',
    'exp=',
    'ip4:',
    'ip6:',
    'all',
    '-',
    '~',
    '?',
    '+',
    ':',
    '/',
    '//',
    '/0',
    '/24',
    '//128',
    '%{i}',
    '%{h}',
    '%{l1r-}',
    '%{p}',
    '%%',
    '%_',
    '%-',
    '%{',
    '}',
    '.',
    '..',
    'r.test',
    'x.test',
    'r',
    '192.0.2.1',
    '::ffff:1.1.1.1',
    '::1.1.1.1',
    ' ',
    '  ',
    '\r',
    '\n',
    '\t',
    '\u2028',
    '\u2029',
    '\u202e',
    '\u0000',
    '\u00e9',
    '=',
    'l'.repeat(64),
  ];
  const RESULTS = ['pass', 'fail', 'softfail', 'neutral', 'none', 'permerror', 'temperror'];
  test('2000 generated records: parseSpf and check_host() return, never throw', () => {
    const next = rng(9);
    const pick = () => PIECES[Math.floor(next() * PIECES.length)]!;
    for (let i = 0; i < 2000; i++) {
      const body = Array.from({ length: 1 + Math.floor(next() * 12) }, pick).join('');
      const text = `v=spf1 ${body}`;
      expect(() => parseSpf(text), JSON.stringify(text)).not.toThrow();
      const zone = zoneOf({
        'r.test': {
          TXT: [text],
          A: ['192.0.2.1'],
          AAAA: ['2001:db8::1'],
          MX: [{ exchange: 'x.test', priority: 1 }],
        },
        'x.test': { TXT: [`v=spf1 ${pick()}${pick()} -all`], A: ['192.0.2.9'] },
      });
      for (const ip of ['192.0.2.1', '2001:db8::1', '::ffff:192.0.2.9']) {
        const input = { ip, domain: 'r.test', sender: `${pick()}@r.test`, helo: `${pick()}.test` };
        const run = runSync(checkHostSteps(input), (q) => zoneAnswer(zone, q));
        expect(run.done && RESULTS.includes(run.value.result), JSON.stringify(input)).toBe(true);
      }
    }
  });
});
