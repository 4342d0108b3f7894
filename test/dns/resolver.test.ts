/** The three resolvers against a real DNS server on loopback: answers, and each failure kept distinct. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { liveResolver } from '../../src/dns/live.js';
import { query, recordedResolver, recordingResolver } from '../../src/dns/resolver.js';
import { DnsJsonSchema, lookup, zoneFromJson } from '../../src/common/zone.js';
import { startDnsServer, type TestDnsServer, LOOPBACK_DNS_TIMEOUT_MS } from '../support/dns-server.js';

const LONG_TXT = `v=spf1 ${Array.from({ length: 40 }, (_, i) => `ip4:192.0.2.${i}`).join(' ')} -all`;
const ZONE = {
  'contoso.com': {
    MX: [
      { exchange: 'mx2.gw.example', priority: 20 },
      { exchange: 'mx1.gw.example', priority: 10 },
    ],
    TXT: ['v=spf1 include:spf.protection.outlook.com -all', ['MS=ms123', '45']],
  },
  'selector1._domainkey.contoso.com': { CNAME: ['selector1-contoso-com._domainkey.contoso.onmicrosoft.com'] },
  'nodata.contoso.com': { A: ['192.0.2.1'] },
  'half.contoso.com': { A: ['192.0.2.2'] },
  'slow.contoso.com': { TXT: ['slow'] },
  'broken.contoso.com': { TXT: ['never'] },
  'big.contoso.com': {
    TXT: [LONG_TXT, ...Array.from({ length: 20 }, (_, i) => `filler-${i}-${'x'.repeat(200)}`)],
  },
};

let server: TestDnsServer;
beforeAll(async () => {
  server = await startDnsServer(ZONE);
  server.setFault('slow.contoso.com', { timeout: true });
  server.setFault('broken.contoso.com', { servfail: true });
  server.setFault('big.contoso.com', { truncate: true });
});
afterAll(async () => {
  await server.close();
});

const live = () => liveResolver({ servers: [server.server], timeoutMs: LOOPBACK_DNS_TIMEOUT_MS, tries: 1 });

describe('live resolver on loopback', () => {
  test('MX and TXT answers; TXT character-strings are joined', async () => {
    const mx = await query(live(), 'contoso.com', 'MX');
    expect(mx).toEqual({
      kind: 'answer',
      records: expect.arrayContaining([{ exchange: 'mx1.gw.example', priority: 10 }]),
    });
    const txt = await query(live(), 'contoso.com', 'TXT');
    expect(txt.kind === 'answer' && txt.records).toEqual(
      expect.arrayContaining(['MS=ms12345', 'v=spf1 include:spf.protection.outlook.com -all']),
    );
  });

  test('CNAME', async () => {
    expect(await query(live(), 'selector1._domainkey.contoso.com', 'CNAME')).toEqual({
      kind: 'answer',
      records: ['selector1-contoso-com._domainkey.contoso.onmicrosoft.com'],
    });
  });

  test.each([
    ['no.such.name', 'TXT', 'nxdomain'],
    ['nodata.contoso.com', 'TXT', 'nodata'],
    ['slow.contoso.com', 'TXT', 'timeout'],
    ['broken.contoso.com', 'TXT', 'servfail'],
  ] as const)('%s %s → %s', async (name, type, kind) => {
    expect((await query(live(), name, type)).kind).toBe(kind);
  });

  test('a truncated UDP answer is retried over TCP and arrives whole', async () => {
    const res = await query(live(), 'big.contoso.com', 'TXT');
    expect(res.kind).toBe('answer');
    expect(res.kind === 'answer' && res.records).toContain(LONG_TXT);
    expect(server.log).toContain('big.contoso.com/TXT/tcp');
  });
});

describe('recorded resolver (dns.json)', () => {
  const zone = zoneFromJson({ 'contoso.com': { TXT: ['v=spf1 -all'] }, 'empty.contoso.com': {} });
  test.each([
    ['contoso.com', 'TXT', 'answer'],
    ['contoso.com', 'MX', 'nodata'],
    ['empty.contoso.com', 'TXT', 'nodata'],
    ['absent.contoso.com', 'TXT', 'nxdomain'],
  ] as const)('%s %s → %s', async (name, type, kind) => {
    expect((await query(recordedResolver(zone), name, type)).kind).toBe(kind);
  });
});

describe('recorder', () => {
  test('records answers and NODATA names, leaves NXDOMAIN out, and records a failure as a failure', async () => {
    const rec = recordingResolver(live());
    await query(rec.resolve, 'contoso.com', 'MX');
    await query(rec.resolve, 'nodata.contoso.com', 'TXT');
    await query(rec.resolve, 'no.such.name', 'TXT');
    await query(rec.resolve, 'slow.contoso.com', 'TXT');
    await query(rec.resolve, 'broken.contoso.com', 'TXT');
    const json = rec.toJson();
    expect(Object.keys(json)).toEqual([
      'broken.contoso.com',
      'contoso.com',
      'nodata.contoso.com',
      'slow.contoso.com',
    ]);
    expect(json['contoso.com']?.MX).toHaveLength(2);
    expect(json['nodata.contoso.com']).toEqual({});
    // DESIGN §1.1: a timeout or SERVFAIL is not "no such domain"; dns.json keeps it under `error` (README, dns.json).
    expect(json['slow.contoso.com']).toEqual({ error: { TXT: 'timeout' } });
    expect(json['broken.contoso.com']).toEqual({ error: { TXT: 'SERVFAIL' } });
    expect(rec.failures).toEqual([
      expect.stringMatching(/^slow\.contoso\.com\/TXT: ETIMEOUT/),
      expect.stringMatching(/^broken\.contoso\.com\/TXT: ESERVFAIL/),
    ]);
    // What was recorded replays identically offline, through the reader that checks dns.json, failures included.
    const zone = zoneFromJson(DnsJsonSchema.parse(JSON.parse(JSON.stringify(json))));
    const replay = recordedResolver(zone);
    expect(await query(replay, 'contoso.com', 'MX')).toEqual(await query(live(), 'contoso.com', 'MX'));
    expect((await query(replay, 'nodata.contoso.com', 'TXT')).kind).toBe('nodata');
    expect((await query(replay, 'no.such.name', 'TXT')).kind).toBe('nxdomain');
    expect((await query(replay, 'slow.contoso.com', 'TXT')).kind).toBe('timeout');
    expect((await query(replay, 'broken.contoso.com', 'TXT')).kind).toBe('servfail');
    expect(lookup(zone, 'slow.contoso.com', 'TXT')).toEqual({
      kind: 'unavailable',
      reason: 'DNS failure: TXT slow.contoso.com: timeout',
    });
    // Every lookup of the name failed: whether it exists at all is unknown, so its other types are unknown too.
    expect(lookup(zone, 'slow.contoso.com', 'MX').kind).toBe('unavailable');
    expect((await query(replay, 'slow.contoso.com', 'MX')).kind).toBe('error');
  });

  test('a name that answered one type and failed another keeps both: NODATA stays NODATA', async () => {
    server.setFault('half.contoso.com', { servfail: true, types: ['TXT'] });
    try {
      const rec = recordingResolver(live());
      expect((await query(rec.resolve, 'half.contoso.com', 'MX')).kind).toBe('nodata');
      expect((await query(rec.resolve, 'half.contoso.com', 'TXT')).kind).toBe('servfail');
      const json = rec.toJson();
      expect(json['half.contoso.com']).toEqual({ MX: [], error: { TXT: 'SERVFAIL' } });
      const zone = zoneFromJson(DnsJsonSchema.parse(json));
      expect(lookup(zone, 'half.contoso.com', 'MX').kind).toBe('nodata');
      expect(lookup(zone, 'half.contoso.com', 'TXT').kind).toBe('unavailable');
    } finally {
      server.setFault('half.contoso.com', undefined);
    }
  });

  test('one answer per question per run: a question asked again is not asked of the network again', async () => {
    const rec = recordingResolver(live());
    const before = server.log.filter((l) => l.startsWith('contoso.com/MX/')).length;
    const [a, b] = await Promise.all([
      query(rec.resolve, 'contoso.com', 'MX'),
      query(rec.resolve, 'contoso.com', 'MX'),
    ]);
    const c = await query(rec.resolve, 'contoso.com', 'MX');
    expect(a).toEqual(b);
    expect(c).toEqual(a);
    expect(server.log.filter((l) => l.startsWith('contoso.com/MX/')).length).toBe(before + 1);
  });
});
