import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NO_GATEWAY, type ResolvedGateway } from '../../src/common/gateway.js';
import { InputError } from '../../src/errors.js';
import {
  caveatsOf,
  directSourcesOf,
  inventoryOf,
  MAX_FLOWS,
  MAX_SOURCES,
  MAX_TALLY_KEYS,
  OTHER_KEY,
  parseAuthenticationDetails,
  Tally,
  TraceClassifier,
} from '../../src/logs/classify.js';
import { codeIn, type LogRow } from '../../src/logs/layouts.js';
import { top } from '../../src/logs/summary.js';
import { analyseLogs } from '../../src/logs/trace.js';
import { EMPTY_PROFILE, type Profile } from '../../src/profile/schema.js';

const FIX = join(__dirname, '../fixtures/logs');

/** The half-done example's tenant: Proofpoint's addresses, a declared scanner at 192.0.2.50. */
const GATEWAY: ResolvedGateway = {
  ...NO_GATEWAY,
  source: 'profile',
  name: 'Proofpoint',
  ips: ['203.0.113.10', '203.0.113.11', '198.51.100.0/28'],
};
const PROFILE: Profile = {
  ...EMPTY_PROFILE,
  directSendSources: [{ name: 'HQ scanners', ips: ['192.0.2.50'], senders: ['scanner@fabrikam.com'] }],
};
const CONTEXT = {
  acceptedDomains: ['fabrikam.com', 'fabrikam.onmicrosoft.com', 'fabrikam.mail.onmicrosoft.com'],
  gateway: GATEWAY,
  profile: PROFILE,
};

const none = { viaOtherConnector: 0, unknownSource: 0, unknownOutcome: 0 };

describe('trace classification of each fixture layout', () => {
  it.each([
    [
      'message-trace-v2.csv',
      'trace',
      { viaGateway: 1, viaDeclaredSource: 1, direct: 2, rejected: 2 },
      1,
      ['Failed', 'quarantined'],
    ],
    [
      'message-trace-v2-de.csv',
      'trace',
      { viaGateway: 1, viaDeclaredSource: 1, direct: 2, rejected: 2 },
      1,
      ['Failed', 'quarantined'],
    ],
    [
      'message-trace-v2.json',
      'trace',
      { viaGateway: 1, viaDeclaredSource: 1, direct: 2, rejected: 2 },
      1,
      ['Failed', 'quarantined'],
    ],
    [
      'graph-message-traces.json',
      'trace',
      { viaGateway: 1, viaDeclaredSource: 1, direct: 2, rejected: 2 },
      1,
      ['failed', 'quarantined'],
    ],
    [
      'historical-summary-utf16le-nobom.csv',
      'trace',
      { viaGateway: 2, viaDeclaredSource: 0, direct: 1, rejected: 1 },
      1,
      ['Fail'],
    ],
    [
      'historical-extended.csv',
      'trace',
      { viaGateway: 1, viaDeclaredSource: 0, direct: 1, rejected: 1 },
      0,
      ['5.7.68'],
    ],
    [
      'connector-report-noconnector.csv',
      'trace',
      { viaGateway: 0, viaDeclaredSource: 1, direct: 2, rejected: 0 },
      0,
      [],
    ],
    [
      'email-events.csv',
      'events',
      { viaGateway: 1, viaDeclaredSource: 0, direct: 2, rejected: 1 },
      1,
      ['quarantined'],
    ],
    [
      'email-events-hunting.json',
      'events',
      { viaGateway: 1, viaDeclaredSource: 0, direct: 2, rejected: 1 },
      1,
      ['quarantined'],
    ],
  ] as const)('%s', async (file, command, inbound, outbound, codes) => {
    const r = await analyseLogs(command, [join(FIX, file)], CONTEXT);
    expect(r.inbound).toEqual({ ...none, ...inbound });
    expect(r.outbound).toBe(outbound);
    expect(r.rejections.map((x) => x.code).sort()).toEqual([...codes].sort());
    // The printer sending as fabrikam.com from 192.0.2.77 is in every fixture, and is the Direct Send inventory.
    expect(r.directSendInventory.map((e) => [e.sender, e.ip])).toEqual([
      ['printer@fabrikam.com', '192.0.2.77'],
    ]);
    expect(r.directSources.find((d) => d.ip === '192.0.2.77')).toMatchObject({
      senderDomain: 'fabrikam.com',
      firstSeen: '2025-07-17T22:01:00Z',
    });
    expect(r.caveats[0]).toMatch(/5\.7\.68.*5\.7\.51.*absence here proves nothing/);
  });

  it('extended report: the connector is the RECEIVE event’s, whatever order the events come in', async () => {
    // A message that came in directly (RECEIVE without a connector) and was then sent on to on-premises through an
    // outbound connector: direct either way, never "via another connector".
    const dir = mkdtempSync(join(tmpdir(), 'mxlock-ext-'));
    const head =
      'date_time_utc,connector_id,event_id,network_message_id,recipient_address,recipient_status,sender_address,directionality,original_client_ip,custom_data\n';
    const receive =
      '"2025-07-17T22:01:00Z","","RECEIVE","nm1","bob@fabrikam.com","","x@evil.example","Incoming","192.0.2.77",""\n';
    const send =
      '"2025-07-17T22:01:02Z","Outbound to on-prem","SEND","nm1","bob@fabrikam.com","250 2.6.0 Queued","x@evil.example","Incoming","192.0.2.77",""\n';
    try {
      for (const [name, body] of [
        ['asc.csv', receive + send],
        ['desc.csv', send + receive],
      ] as const) {
        writeFileSync(join(dir, name), head + body);
        const r = await analyseLogs('trace', [join(dir, name)], CONTEXT);
        expect(r.inbound, name).toMatchObject({ direct: 1, viaOtherConnector: 0 });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an extended report without its message id column is refused, not counted event by event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mxlock-ext-'));
    try {
      const file = join(dir, 'no-id.csv');
      writeFileSync(
        file,
        'date_time_utc,connector_id,event_id,recipient_address,sender_address,original_client_ip\n' +
          '"2025-07-17T22:01:00Z","","RECEIVE","bob@fabrikam.com","x@evil.example","192.0.2.77"\n',
      );
      await expect(analyseLogs('trace', [file], CONTEXT)).rejects.toThrow(
        /no-id\.csv: an extended report \(event_id\) without a message id column \(network_message_id, internal_message_id, message_id\)/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['S:SFA=SUM|SFV=SPM|CIP=10.2.3.4|DI=SD;', ''],
    ['CIP=5.6.7.8', ''],
    ['relay 10.5.7.1 refused', ''],
    ['550 5.7.1 Service unavailable.', '5.7.1'],
    ['550 5.7.68 refused.', '5.7.68'],
    ['refused (5.7.51).', '5.7.51'],
    ['ends with 4.4.7.', '4.4.7'],
    ['250 2.6.0 Queued', '2.6.0'],
  ])('the enhanced status code of %j is %j (never three numbers of an address)', (text, code) => {
    expect(codeIn(text)).toBe(code);
  });

  it('trace refuses an EmailEvents file and events a message trace, naming the command to use', async () => {
    await expect(analyseLogs('trace', [join(FIX, 'email-events.csv')], CONTEXT)).rejects.toThrow(
      /email-events\.csv: this is Defender EmailEvents.*mxlock events/,
    );
    await expect(analyseLogs('events', [join(FIX, 'message-trace-v2.csv')], CONTEXT)).rejects.toThrow(
      InputError,
    );
  });
});

/** A delivered inbound row from another address, with `over` changed. */
const row = (over: Partial<LogRow>): LogRow => ({
  row: 1,
  time: '2025-07-17T10:00:00Z',
  sender: 'x@sender.example',
  headerFrom: '',
  recipient: 'alice@fabrikam.com',
  ip: '198.18.1.1',
  direction: 'unknown',
  outcome: 'delivered',
  status: 'Delivered',
  code: '',
  connector: undefined,
  auth: '',
  ...over,
});

describe('TraceClassifier rules', () => {
  it.each([
    ['gateway address, delivered', row({ ip: '198.51.100.7' }), 'viaGateway'],
    ['declared source', row({ ip: '192.0.2.50' }), 'viaDeclaredSource'],
    ['other address, delivered', row({}), 'direct'],
    ['other address, through another connector', row({ connector: 'Partner X' }), 'viaOtherConnector'],
    ['no client address: unknown, not safe', row({ ip: '' }), 'unknownSource'],
    ['an address that is not one', row({ ip: 'not-an-ip' }), 'unknownSource'],
    [
      'rejected from the gateway still counts as rejected',
      row({ ip: '203.0.113.10', outcome: 'rejected' }),
      'rejected',
    ],
    ['pending', row({ outcome: 'pending' }), 'unknownOutcome'],
    ['to a subdomain of an accepted domain', row({ recipient: 'a@eu.fabrikam.com' }), 'direct'],
    ['IPv4-mapped IPv6 of the gateway', row({ ip: '::ffff:203.0.113.11' }), 'viaGateway'],
  ] as const)('%s → %s', (_name, r, cls) => {
    const c = new TraceClassifier(CONTEXT);
    c.add(r);
    expect(Object.entries(c.inbound).filter(([, n]) => n > 0)).toEqual([[cls, 1]]);
  });

  it('mail to other domains is not inbound (message trace lists both ways)', () => {
    const c = new TraceClassifier(CONTEXT);
    c.add(row({ recipient: 'bob@elsewhere.example' }));
    c.add(row({ direction: 'outbound' }));
    expect(c.outbound).toBe(2);
  });

  it('without gateway addresses, everything delivered from elsewhere reads direct, and the caveat says why', async () => {
    const r = await analyseLogs('trace', [join(FIX, 'message-trace-v2.csv')], {
      ...CONTEXT,
      gateway: NO_GATEWAY,
    });
    expect(r.inbound.viaGateway).toBe(0);
    expect(r.inbound.direct).toBe(3);
    expect(r.caveats.join('\n')).toMatch(/gateway's IP addresses are not known/);
  });
});

describe('EmailEvents AuthenticationDetails', () => {
  it.each([
    [
      '{"SPF":"pass","DKIM":"none","DMARC":"fail","CompAuth":"fail"}',
      { spf: 'pass', dkim: 'none', dmarc: 'fail', compauth: 'fail' },
    ],
    ['{"spf":"Fail","compauth":"SoftPass"}', { spf: 'fail', compauth: 'softpass' }],
    ['{"Spf":"pass","SPF":"fail"}', { spf: 'fail' }],
    ['not json', {}],
    ['["SPF","pass"]', {}],
    ['{"SPF":1}', {}],
    ['', {}],
  ])('%s', (text, expected) => {
    expect(parseAuthenticationDetails(text)).toEqual(expected);
  });

  it('direct sources of an EmailEvents export carry their composite authentication verdicts', async () => {
    const r = await analyseLogs('events', [join(FIX, 'email-events-hunting.json')], CONTEXT);
    expect(r.directSources.find((d) => d.ip === '192.0.2.77')?.compauth).toEqual({ fail: 1 });
    expect(r.directSources.find((d) => d.ip === '2001:db8::5')?.compauth).toEqual({ unknown: 1 });
  });
});

describe('bounded memory', () => {
  it('a summary keeps MAX_TALLY_KEYS distinct keys and counts the rest under one key', () => {
    const t = new Tally();
    for (let i = 0; i <= MAX_TALLY_KEYS; i++) t.bump(`k${i}`, 0);
    t.bump('k0', 0);
    expect(t.size).toBe(MAX_TALLY_KEYS + 1);
    expect(t.overflow).toBe(1);
    expect(t.keys[MAX_TALLY_KEYS]).toBe(OTHER_KEY);
    expect(t.countsOf(0).viaGateway).toBe(2);
  });

  it('top lists the keys with the most rows, ties by key, as sorting every key would', () => {
    let x = 3;
    const next = () => (x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff);
    for (const [keys, limit] of [
      [0, 5],
      [3, 5],
      [50, 5],
      [2000, 100],
      [2000, 1],
      [120, 120],
    ] as const) {
      const t = new Tally();
      // Few distinct totals: many ties, broken by the key.
      for (let i = 0; i < keys * 4; i++) t.bump(`k${next() % Math.max(keys, 1)}`, next() % 7);
      const all = t.keys.map((key, i) => ({ key, total: t.totalOf(i), counts: t.countsOf(i) }));
      const expected = all.sort((a, b) => b.total - a.total || (a.key < b.key ? -1 : 1)).slice(0, limit);
      expect(top(t, limit)).toEqual(expected);
    }
  });

  it('the lists of direct sources keep MAX_SOURCES distinct ones and count the rows of the rest', () => {
    const c = new TraceClassifier(CONTEXT);
    const base = 0xc6120000; // 198.18.0.0/15 (benchmarking range)
    for (let i = 0; i <= MAX_SOURCES; i++) {
      const n = base + i;
      c.add(
        row({
          row: i,
          sender: 'printer@fabrikam.com',
          ip: [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'),
        }),
      );
    }
    expect(c.inbound.direct).toBe(MAX_SOURCES + 1);
    expect(directSourcesOf(c)).toHaveLength(MAX_SOURCES);
    expect(inventoryOf(c)).toHaveLength(MAX_SOURCES);
    // One row beyond the cap in each of the two lists.
    expect(c.sourcesNotListed).toBe(2);
    expect(caveatsOf(c).join('\n')).toMatch(
      /came from sources beyond the first 10000 distinct ones: counted above, not listed/,
    );
  });

  it('counts each flow and direct source by its rows, the same when listed again; direct sources by count, then key', () => {
    const c = new TraceClassifier(CONTEXT);
    const at = (i: number, ip: string, sender: string, recipient: string) =>
      row({ row: i, time: `2025-07-17T10:00:0${i % 10}Z`, ip, sender, recipient });
    const rows: [string, string, string, number][] = [
      ['198.18.0.9', 'a@partner.example', 'alice@fabrikam.com', 3],
      ['198.18.0.9', 'b@other.example', 'bob@fabrikam.com', 1],
      ['198.18.0.7', 'c@partner.example', 'carol@fabrikam.com', 3],
      ['203.0.113.10', 'd@partner.example', 'alice@fabrikam.com', 2],
    ];
    let i = 0;
    for (const [ip, sender, recipient, n] of rows)
      for (let k = 0; k < n; k++) c.add(at(i++, ip, sender, recipient));
    const flows = () =>
      c
        .flowList()
        .map((f) => `${f.ip} ${f.sender} ${f.recipient} ${f.source} ${f.count}`)
        .sort();
    const expected = [
      '198.18.0.7 c@partner.example carol@fabrikam.com other 3',
      '198.18.0.9 a@partner.example alice@fabrikam.com other 3',
      '198.18.0.9 b@other.example bob@fabrikam.com other 1',
      '203.0.113.10 d@partner.example alice@fabrikam.com gateway 2',
    ];
    expect(flows()).toEqual(expected);
    expect(flows()).toEqual(expected);
    c.add(at(i, '198.18.0.9', 'b@other.example', 'bob@fabrikam.com'));
    expect(flows()[2]).toBe('198.18.0.9 b@other.example bob@fabrikam.com other 2');
    expect(
      directSourcesOf(c).map((d) => `${d.ip} ${d.senderDomain} ${d.count} ${d.firstSeen} ${d.lastSeen}`),
    ).toEqual([
      '198.18.0.7 partner.example 3 2025-07-17T10:00:04Z 2025-07-17T10:00:06Z',
      '198.18.0.9 partner.example 3 2025-07-17T10:00:00Z 2025-07-17T10:00:02Z',
      '198.18.0.9 other.example 2 2025-07-17T10:00:03Z 2025-07-17T10:00:09Z',
    ]);
  });

  it('an address written with spaces is the same source, in the summary, the direct sources and the flows', () => {
    const c = new TraceClassifier(CONTEXT);
    for (const ip of ['198.18.0.9', ' 198.18.0.9', '198.18.0.9 ', '2001:db8::9', ' 2001:db8::9'])
      c.add(row({ ip, sender: 'a@partner.example' }));
    expect(c.bySourceIp.keys).toEqual(['198.18.0.9', '2001:db8::9']);
    expect(directSourcesOf(c).map((d) => `${d.ip} ${d.count}`)).toEqual(['198.18.0.9 3', '2001:db8::9 2']);
    expect(c.flowList().map((f) => `${f.ip} ${f.count}`)).toEqual(['198.18.0.9 3', '2001:db8::9 2']);
  });

  it('every spelling of an address is one source: IPv6 in its RFC 5952 form, an IPv4-mapped one as its quad', () => {
    const c = new TraceClassifier(CONTEXT);
    for (const ip of ['2001:DB8::9', '2001:db8:0:0::9', '2001:0db8::0009', '::ffff:198.18.0.9', '198.18.0.9'])
      c.add(row({ ip, sender: 'a@partner.example' }));
    expect(c.bySourceIp.keys).toEqual(['2001:db8::9', '198.18.0.9']);
    expect(directSourcesOf(c).map((d) => `${d.ip} ${d.count}`)).toEqual(['2001:db8::9 3', '198.18.0.9 2']);
    expect(c.flowList().map((f) => `${f.ip} ${f.count}`)).toEqual(['2001:db8::9 3', '198.18.0.9 2']);
  });

  it('once the address summary is full, new addresses count under one key and are still listed and replayed', () => {
    const c = new TraceClassifier(CONTEXT);
    const quad = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
    // Rejected rows fill the summary without making direct sources or flows.
    for (let i = 0; i < MAX_TALLY_KEYS; i++) c.add(row({ ip: quad(0xc6120000 + i), outcome: 'rejected' }));
    expect(c.bySourceIp.full).toBe(true);
    for (let k = 0; k < 2; k++) c.add(row({ ip: '192.0.2.99', sender: 'printer@fabrikam.com' }));
    c.add(row({ ip: '2001:db8::99', sender: 'printer@fabrikam.com' }));
    expect(c.bySourceIp.keys.at(-1)).toBe(OTHER_KEY);
    expect(c.bySourceIp.size).toBe(MAX_TALLY_KEYS + 1);
    expect(c.bySourceIp.countsOf(c.bySourceIp.keys.length - 1).direct).toBe(3);
    expect(directSourcesOf(c).map((d) => `${d.ip} ${d.count}`)).toEqual(['192.0.2.99 2', '2001:db8::99 1']);
    expect(inventoryOf(c).map((d) => `${d.sender} ${d.ip} ${d.count}`)).toEqual([
      'printer@fabrikam.com 192.0.2.99 2',
      'printer@fabrikam.com 2001:db8::99 1',
    ]);
    expect(c.flowList().map((f) => `${f.ip} ${f.count}`)).toEqual(['192.0.2.99 2', '2001:db8::99 1']);
  });

  it('the replay keeps MAX_FLOWS distinct flows and says how many delivered rows were not replayed', () => {
    const c = new TraceClassifier(CONTEXT);
    for (let i = 0; i < MAX_FLOWS + 3; i++) c.add(row({ row: i, sender: `x@d${i}.example` }));
    expect(c.flowList()).toHaveLength(MAX_FLOWS);
    expect(c.rowsNotReplayed).toBe(3);
    expect(caveatsOf(c).join('\n')).toMatch(/3 delivered row\(s\) .* not replayed .* impact is unknown/);
  });

  it('without a replay no flow is kept: the same classification, and no caveat about a replay that does not run', () => {
    const keeping = new TraceClassifier(CONTEXT);
    const not = new TraceClassifier(CONTEXT, { flows: false });
    for (let i = 0; i < MAX_FLOWS + 3; i++)
      for (const c of [keeping, not])
        c.add(row({ row: i, sender: `x@d${i}.example`, ip: `198.18.${i >> 8}.${i & 255}` }));
    expect(not.inbound).toEqual(keeping.inbound);
    expect(directSourcesOf(not)).toEqual(directSourcesOf(keeping));
    expect(top(not.bySenderDomain, 5)).toEqual(top(keeping.bySenderDomain, 5));
    expect(not.rowsNotReplayed).toBe(0);
    expect(not.flowCount).toBe(0);
    expect(caveatsOf(not).join('\n')).not.toMatch(/replayed/);
    expect(() => not.flowList()).toThrow(/without flows/);
    expect(keeping.rowsNotReplayed).toBe(3);
  });
});
