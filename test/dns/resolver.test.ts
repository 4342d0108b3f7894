/** The three resolvers against a real DNS server on loopback: answers, and each failure kept distinct. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { liveResolver } from '../../src/dns/live.js';
import { query, recordedResolver, recordingResolver } from '../../src/dns/resolver.js';
import { zoneFromJson } from '../../src/common/zone.js';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.js';

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

const live = () => liveResolver({ servers: [server.server], timeoutMs: 200, tries: 1 });

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
  test('records answers and NODATA names, leaves NXDOMAIN out, lists what it could not record', async () => {
    const rec = recordingResolver(live());
    await query(rec.resolve, 'contoso.com', 'MX');
    await query(rec.resolve, 'nodata.contoso.com', 'TXT');
    await query(rec.resolve, 'no.such.name', 'TXT');
    await query(rec.resolve, 'slow.contoso.com', 'TXT');
    const json = rec.toJson();
    expect(Object.keys(json)).toEqual(['contoso.com', 'nodata.contoso.com']);
    expect(json['contoso.com']?.MX).toHaveLength(2);
    expect(json['nodata.contoso.com']).toEqual({});
    expect(rec.unrecorded).toEqual([expect.stringMatching(/^slow\.contoso\.com\/TXT: ETIMEOUT/)]);
    // What was recorded replays identically offline.
    const replay = recordedResolver(zoneFromJson(json));
    expect(await query(replay, 'contoso.com', 'MX')).toEqual(await query(live(), 'contoso.com', 'MX'));
    expect((await query(replay, 'nodata.contoso.com', 'TXT')).kind).toBe('nodata');
    expect((await query(replay, 'no.such.name', 'TXT')).kind).toBe('nxdomain');
  });
});
