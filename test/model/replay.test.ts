/**
 * The replay cache (src/model/replay.ts): `simulate` answers an attempt from the entry of an earlier one that
 * differs only in its addresses, each inside the same class. The answer must still be exactly the plain model's
 * (`simulateReference`, which never uses the cache), texts that write an address included.
 */
import { describe, expect, test } from 'vitest';
import type { SimConfig } from '../../src/model/config.js';
import { parseAddress } from '../../src/common/ip.js';
import { planOf } from '../../src/model/precompiled.js';
import { simulate, simulateReference } from '../../src/model/simulate.js';
import type { Attempt, AuthVerdict } from '../../src/model/types.js';
import { Gen, generateAttempt, generateConfig } from './generate.js';
import { cases } from '../support/scale.js';

/** Generated configurations: 12 in `npm test` (seed 28, the one that branches most, only in the full run), 40 in full. */
const SEEDS = cases(12, 40);
import { baseData, configOf, lockdownIp, safetyNet, type Data } from './helpers.js';

const text = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** An IPv4 address near `ip`: the same one, a neighbour, or another in its /24 or /16; other text as it is. */
function near(g: Gen, ip: string): string {
  const n = parseAddress(ip);
  if (typeof n !== 'number') return ip;
  const k = g.int(10);
  if (k < 2) return ip;
  if (k < 5) return text((n + g.int(7) - 3) >>> 0);
  if (k < 8) return text(((n & ~255) + g.int(256)) >>> 0);
  return text(((n & ~0xffff) + g.int(0x10000)) >>> 0);
}

/** The attempt with its client and hops moved; now and then a hop repeats the client or an earlier hop. */
function moved(g: Gen, a: Attempt): Attempt {
  const b: Attempt = { ...a, clientIp: near(g, a.clientIp) };
  if (a.receivedIps) {
    const hops: string[] = [];
    for (const h of a.receivedIps) {
      const k = g.int(10);
      hops.push(k === 0 ? b.clientIp : k === 1 && hops.length > 0 ? hops[0]! : near(g, h));
    }
    b.receivedIps = hops;
  }
  return b;
}

/** A seed's attempts: 25 generated ones, each followed by seven moves of it. */
function movedAttempts(seed: number): Attempt[] {
  const g = new Gen(seed * 104_729);
  const out: Attempt[] = [];
  for (let k = 0; k < 25; k++) {
    const a = generateAttempt(g);
    out.push(a);
    for (let v = 1; v < 8; v++) out.push(moved(g, a));
  }
  return out;
}

const SEED_LIST = Array.from({ length: SEEDS }, (_, i) => i + 1);

describe('the replay cache answers as the plain model does', () => {
  // A few seeds branch into hundreds of outcomes per attempt (uncertain rule matches, up to MAX_BRANCHES), each compared
  // in full with the reference: seconds of work that a loaded machine can stretch past the default timeout.
  test.each(SEED_LIST)('configuration seed %i', { timeout: 60_000 }, (seed) => {
    const { cfg } = generateConfig(50_000 + seed);
    for (const b of movedAttempts(seed))
      expect(simulate(cfg, b), JSON.stringify(b)).toEqual(simulateReference(cfg, b));
  });

  // Counted on configurations of its own (a fresh cache each), not from the tests above: it holds when run alone.
  test('the moved attempts were answered from the cache, not only evaluated', { timeout: 60_000 }, () => {
    let evaluated = 0;
    let hits = 0;
    for (const seed of SEED_LIST) {
      const { cfg } = generateConfig(50_000 + seed);
      for (const b of movedAttempts(seed)) {
        simulate(cfg, b);
        evaluated++;
      }
      hits += planOf(cfg).replay.hits;
    }
    expect(evaluated).toBe(SEEDS * 25 * 8);
    // Many moves stay inside the class (and the SPF range): those are hits.
    expect(hits).toBeGreaterThan(evaluated / 4);
  });
});

describe('what an entry is reused for', () => {
  const lockdown = (): SimConfig => {
    const data = baseData();
    data['Get-InboundConnector'] = [lockdownIp()];
    data['Get-OrganizationConfig'] = [{ Name: 'contoso', RejectDirectSend: true }];
    return configOf(data, {
      dns: {
        'sender.example': { TXT: ['v=spf1 ip4:198.18.0.0/15 -all'] },
        '_dmarc.sender.example': { TXT: ['v=DMARC1; p=reject'] },
      },
    });
  };
  const attempt = (clientIp: string, over: Partial<Attempt> = {}): Attempt => ({
    clientIp,
    tls: true,
    certNames: [],
    mailFrom: 'ceo@sender.example',
    headerFrom: 'ceo@sender.example',
    rcpts: ['user@contoso.com'],
    ...over,
  });

  test('a class is evaluated plainly at first sight, makes its entry at the second, and answers from then on', () => {
    const cfg = lockdown();
    const cache = planOf(cfg).replay;
    const results = ['100.64.5.1', '100.64.5.2', '100.64.5.3'].map((ip) => simulate(cfg, attempt(ip)));
    expect([cache.plain, cache.misses, cache.hits]).toEqual([1, 1, 1]);
    // A refusal that names the client names each client, the third from the second's entry.
    results.forEach((r, i) => expect(r.outcomes[0]!.decisions[0]!.text).toContain(`(IP 100.64.5.${i + 1})`));
    expect(results[2]).toEqual(simulateReference(cfg, attempt('100.64.5.3')));
  });

  test('an address inside the lock-down’s range is another class', () => {
    const cfg = lockdown();
    const cache = planOf(cfg).replay;
    simulate(cfg, attempt('100.64.5.1'));
    const inside = attempt('198.51.100.3');
    expect(simulate(cfg, inside)).toEqual(simulateReference(cfg, inside));
    // Two first sights: no entry was found for the second.
    expect([cache.plain, cache.misses, cache.hits]).toEqual([2, 0, 0]);
  });

  test('SPF splits a class: a verdict is reused only inside the range it holds for', () => {
    const data = baseData();
    data['Get-OrganizationConfig'] = [{ Name: 'contoso', RejectDirectSend: false }];
    const cfg = configOf(data, {
      dns: {
        'sender.example': { TXT: ['v=spf1 ip4:198.18.0.0/15 -all'] },
        '_dmarc.sender.example': { TXT: ['v=DMARC1; p=reject'] },
      },
      mxPointsToEop: true,
    });
    const cache = planOf(cfg).replay;
    const pass = attempt('198.18.7.7');
    const fail = attempt('198.20.0.1');
    const passToo = attempt('198.19.200.1');
    for (const a of [pass, fail, passToo]) expect(simulate(cfg, a)).toEqual(simulateReference(cfg, a));
    expect(simulate(cfg, pass).outcomes.map((o) => o.disposition)).toEqual(['inbox']);
    expect(simulate(cfg, fail).outcomes.map((o) => o.disposition)).toEqual(['ndr']);
    // pass: first sight; fail and passToo: an entry each (their SPF ranges); the repeats: hits.
    expect([cache.plain, cache.misses, cache.hits]).toEqual([1, 2, 2]);
  });

  test('Enhanced Filtering: the original IP each attempt names, and its SPF, come from its own hops', () => {
    const data = baseData();
    data['Get-InboundConnector'] = [lockdownIp({ EFSkipIPs: ['198.51.100.0/28'] })];
    const cfg = configOf(data, {
      dns: {
        'sender.example': { TXT: ['v=spf1 ip4:198.18.0.0/15 -all'] },
        '_dmarc.sender.example': { TXT: ['v=DMARC1; p=reject'] },
      },
    });
    const via = (hop: string) => attempt('198.51.100.3', { receivedIps: [hop] });
    for (const hop of [
      '198.18.1.1',
      '198.18.2.2',
      '198.30.0.1',
      '198.51.100.3',
      '198.51.100.4',
      '198.51.100.20',
    ]) {
      const r = simulate(cfg, via(hop));
      expect(r, hop).toEqual(simulateReference(cfg, via(hop)));
    }
    const texts = simulate(cfg, via('198.18.2.2')).outcomes.flatMap((o) => o.decisions.map((d) => d.text));
    expect(texts).toContain("Enhanced Filtering on 'From SEG' applies: original IP 198.18.2.2");
  });

  test('a tenant name that contains the client’s address is not taken for the address', () => {
    const data = baseData();
    data['Get-InboundConnector'] = [lockdownIp({ Name: 'SEG 100.64.5.1 (IP 100.64.5.1)' })];
    const cfg = configOf(data);
    for (const ip of ['100.64.5.1', '100.64.5.2', '100.64.5.1']) {
      const a = attempt(ip);
      expect(simulate(cfg, a)).toEqual(simulateReference(cfg, a));
    }
    expect(planOf(cfg).replay.hits).toBe(1);
  });

  test('an oracle that gives no range is trusted for the very same address text only', () => {
    const base = lockdown();
    const asked: string[] = [];
    // DMARC unknown: the notes are then written in the uncertainties.
    const verdict: AuthVerdict = {
      spf: 'pass',
      dkim: 'none',
      dmarc: 'unknown',
      dmarcPolicy: 'unknown',
      notes: [],
    };
    const cfg: SimConfig = {
      ...base,
      connectors: [],
      auth: {
        verdict: ({ ip }) => {
          asked.push(ip);
          return { ...verdict, notes: [`asked for ${ip}`] };
        },
      },
    };
    const attempts = ['192.0.2.1', '192.0.2.2', '192.0.2.1', '::ffff:192.0.2.1'].map((ip) =>
      attempt(ip, { mailFrom: 'x@sender.example', headerFrom: 'x@sender.example' }),
    );
    attempts.map((a) => simulate(cfg, a));
    // The last is the first's address in another text: not answered from the first's entry.
    expect(asked.at(-1)).toBe('::ffff:192.0.2.1');
    const before = asked.length;
    const results = attempts.map((a) => simulate(cfg, a));
    expect(asked).toHaveLength(before); // every text has its entry now
    expect(results).toEqual(attempts.map((a) => simulateReference(cfg, a)));
    expect(results[3]!.uncertainties.join('\n')).toContain('(asked for ::ffff:192.0.2.1)');
  });

  test('an attempt that brings its own verdict is keyed by what it says; IPv6 and non-addresses go around the cache', () => {
    const cfg = lockdown();
    const cache = planOf(cfg).replay;
    const own: AuthVerdict = { spf: 'pass', dkim: 'pass', dmarc: 'pass', dmarcPolicy: 'reject', notes: [] };
    const other: AuthVerdict = { ...own, dmarc: 'fail', dkim: 'none', spf: 'fail' };
    const cases = [
      attempt('198.51.100.3', { auth: own }),
      attempt('198.51.100.4', { auth: own }),
      attempt('198.51.100.4', { auth: other }),
      attempt('2001:db8::1'),
      attempt('not-an-ip'),
      attempt('198.51.100.3', { receivedIps: ['2001:db8::2'] }),
    ];
    for (const a of cases) expect(simulate(cfg, a)).toEqual(simulateReference(cfg, a));
    // own verdict: first sight, then an entry; the other verdict: a first sight of its own.
    expect([cache.plain, cache.misses, cache.hits]).toEqual([2, 1, 0]);
  });

  // Each kind of IP set the model tests addresses against bounds the classes: an address just inside and one just
  // outside, in both orders, each answered as the plain model answers it.
  const RANGE = '100.64.5.0/30';
  const kinds: [string, (d: Data) => void, Partial<Attempt>?][] = [
    [
      'connection-filter Allow List',
      (d) => (d['Get-HostedConnectionFilterPolicy']![0]!.IPAllowList = [RANGE]),
    ],
    [
      'connection-filter Block List',
      (d) => (d['Get-HostedConnectionFilterPolicy']![0]!.IPBlockList = [RANGE]),
    ],
    [
      'connector SenderIPAddresses',
      (d) => {
        d['Get-InboundConnector'] = [
          lockdownIp({ SenderIPAddresses: [RANGE], RestrictDomainsToIPAddresses: false }),
        ];
        d['Get-OrganizationConfig'] = [{ Name: 'contoso', RejectDirectSend: true }];
      },
      { mailFrom: 'ceo@contoso.com', headerFrom: 'ceo@contoso.com' },
    ],
    [
      'Enhanced Filtering skip list',
      (d) =>
        (d['Get-InboundConnector'] = [
          lockdownIp({ SenderIPAddresses: ['100.64.0.0/16'], EFSkipIPs: [RANGE] }),
        ]),
      // The client is skipped; the first hop is skipped or is the original IP; the last passes SPF.
      { clientIp: '100.64.5.2', receivedIps: ['198.18.1.1'] },
    ],
    [
      'rule SenderIpRanges',
      (d) =>
        (d['Get-TransportRule'] = [
          safetyNet({ FromScope: undefined, ExceptIfSenderIpRanges: undefined, SenderIpRanges: [RANGE] }),
        ]),
    ],
    [
      'rule ExceptIfSenderIpRanges',
      (d) => (d['Get-TransportRule'] = [safetyNet({ ExceptIfSenderIpRanges: [RANGE] })]),
    ],
    [
      'TABL spoof infrastructure',
      (d) =>
        (d['Get-TenantAllowBlockListSpoofItems'] = [
          {
            SpoofedUser: 'sender.example',
            SendingInfrastructure: '100.64.5.0/24',
            Action: 'Allow',
            SpoofType: 'External',
          },
        ]),
      { clientIp: '100.64.5.1' },
    ],
  ];
  test.each(kinds)('%s', (_, change, over = {}) => {
    const data = baseData();
    change(data);
    const dns = {
      'sender.example': { TXT: ['v=spf1 ip4:198.18.0.0/15 -all'] },
      '_dmarc.sender.example': { TXT: ['v=DMARC1; p=reject'] },
    };
    const inside = '100.64.5.1';
    const outside = over.clientIp === undefined ? '100.64.5.9' : '100.64.6.9';
    const make = (ip: string): Attempt =>
      over.receivedIps !== undefined
        ? attempt(over.clientIp!, { ...over, receivedIps: [ip, ...over.receivedIps] })
        : attempt(ip, { ...over, clientIp: ip });
    for (const order of [
      [inside, outside],
      [outside, inside],
    ]) {
      const cfg = configOf(data, { dns, mxPointsToEop: true });
      const results = order.map((ip) => simulate(cfg, make(ip)));
      expect(results).toEqual(order.map((ip) => simulateReference(cfg, make(ip))));
      // The two differ, so that the test shows the set being told apart.
      expect(results[0]).not.toEqual(results[1]);
      expect(planOf(cfg).replay.plain).toBe(2);
    }
  });

  test('attempts new in every respect are evaluated plainly: no entry is made for them', () => {
    const cfg = lockdown();
    const cache = planOf(cfg).replay;
    const attempts = Array.from({ length: 3000 }, (_, i) =>
      attempt(`100.64.${(i >> 8) & 255}.${i & 255}`, {
        mailFrom: `u${i}@sender.example`,
        headerFrom: `u${i}@sender.example`,
      }),
    );
    const results = attempts.map((a) => simulate(cfg, a));
    expect([cache.plain, cache.misses, cache.hits]).toEqual([3000, 0, 0]);
    for (let i = 0; i < attempts.length; i += 97)
      expect(results[i]).toEqual(simulateReference(cfg, attempts[i]!));
    // Seen again: an entry, then answers from it.
    expect(simulate(cfg, attempts[100]!)).toEqual(results[100]);
    expect(simulate(cfg, attempts[100]!)).toEqual(results[100]);
    expect([cache.misses, cache.hits]).toEqual([1, 1]);
  });

  test('a verdict asked for one entry serves another entry whose address is in its range', () => {
    const base = lockdown();
    const asked: string[] = [];
    const cfg: SimConfig = {
      ...base,
      connectors: [],
      auth: {
        verdict: (input) => {
          asked.push(input.ip);
          return base.auth.verdict(input);
        },
      },
    };
    const to = (ip: string, rcpt: string) => attempt(ip, { rcpts: [rcpt] });
    const attempts = [
      to('198.18.7.7', 'user@contoso.com'),
      to('198.19.1.1', 'cfo@contoso.com'), // another entry, the same SPF range: not asked again
      to('198.30.0.1', 'hr@contoso.com'), // outside it: asked
    ];
    attempts.map((a) => simulate(cfg, a)); // first sights, evaluated plainly
    asked.length = 0;
    const results = attempts.map((a) => simulate(cfg, a)); // the entries
    expect(asked).toEqual(['198.18.7.7', '198.30.0.1']);
    expect(planOf(cfg).replay.misses).toBe(3);
    expect(results).toEqual(attempts.map((a) => simulateReference(cfg, a)));
  });

  test('a verdict changed in place between two calls is read afresh', () => {
    const cfg = configOf(baseData(), { mxPointsToEop: true });
    const auth: AuthVerdict = { spf: 'pass', dkim: 'pass', dmarc: 'pass', dmarcPolicy: 'reject', notes: [] };
    const a = attempt('198.18.0.1', { mailFrom: 'x@sender.example', headerFrom: 'x@sender.example', auth });
    expect(simulate(cfg, a).outcomes.map((o) => o.disposition)).toEqual(['inbox']);
    auth.dmarc = 'fail';
    expect(simulate(cfg, a)).toEqual(simulateReference(cfg, a));
    expect(simulate(cfg, a).outcomes.map((o) => o.disposition)).toEqual(['ndr']);
  });

  test('untyped input (JSON): flags read for truth as the model reads them, null lists and headers as absent', () => {
    const data = baseData();
    data['Get-OrganizationConfig'] = [{ Name: 'contoso', RejectDirectSend: true }];
    const cfg = configOf(data, { mxPointsToEop: true });
    const own = (over: object) =>
      ({
        ...attempt('198.18.0.1'),
        mailFrom: 'ceo@contoso.com',
        headerFrom: 'ceo@contoso.com',
        ...over,
      }) as Attempt;
    const cases = [
      own({ authenticated: false }),
      own({ authenticated: 1 }),
      own({ authenticated: 0 }),
      own({ adversarial: 1 }),
      own({ adversarial: true }),
      own({ tls: 0 }),
      own({ headers: null }),
      own({ receivedIps: null }),
      own({ auth: null }),
    ];
    for (const order of [cases, [...cases].reverse()]) {
      const fresh = configOf(data, { mxPointsToEop: true });
      for (const a of order)
        expect(simulate(fresh, a), JSON.stringify(a)).toEqual(simulateReference(fresh, a));
    }
    expect(simulate(cfg, cases[1]!).outcomes.map((o) => o.disposition)).not.toContain('rejected');
  });
});
