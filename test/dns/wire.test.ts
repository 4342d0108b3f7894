/**
 * The stub client for names node:dns will not send (src/dns/wire.ts), against the loopback DNS server: it answers
 * as node:dns does where both can ask, reads what node:dns refuses, and turns every failure into a node:dns code.
 */
import { promises as dnsPromises } from 'node:dns';
import * as packet from 'dns-packet';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { liveResolver } from '../../src/dns/live.js';
import { query, type RRType } from '../../src/dns/resolver.js';
import { decodeResponse, encodeQuery, parseServer, wireResolve } from '../../src/dns/wire.js';
import {
  startDnsServer,
  type TestDnsServer,
  type ZoneRecords,
  LOOPBACK_DNS_TIMEOUT_MS,
} from '../support/dns-server.js';

const RECORDS: ZoneRecords = {
  A: ['192.0.2.1', '192.0.2.2'],
  AAAA: ['2001:db8::1', 'cafe:babe::4'],
  MX: [
    { exchange: 'mx1.example.com', priority: 10 },
    { exchange: 'mx2.example.com', priority: 20 },
  ],
  TXT: ['v=spf1 -all', ['part one ', 'part two'], 'x'.repeat(300), 'non-ASCII: \u00e9\u2028\u202e'],
  PTR: ['host.example.com'],
};
const ODD = [
  'foo:bar/baz.example.com',
  'macro%percent  space%20url-space.example.com',
  'first+tag._spf.example',
];
const ZONE: Record<string, ZoneRecords> = {
  'plain.example.com': RECORDS,
  ...Object.fromEntries(ODD.map((n) => [n, RECORDS])),
  'alias:odd.example.com': { CNAME: ['plain.example.com'] },
  'nodata.example.com': {},
  'big.example.com': { TXT: Array.from({ length: 40 }, (_, i) => `record ${i} ${'y'.repeat(40)}`) },
  'empty-txt.example.com': { TXT: [[], 'v=spf1 ip4:192.0.2.5 -all'] },
  'servfail:x.example.com': { A: ['192.0.2.9'] },
  'silent:x.example.com': { A: ['192.0.2.9'] },
};
const TYPES: RRType[] = ['A', 'AAAA', 'MX', 'TXT', 'PTR'];

let server: TestDnsServer;
beforeAll(async () => {
  server = await startDnsServer(ZONE, { followCnames: true });
  server.setFault('servfail:x.example.com', { servfail: true });
  server.setFault('silent:x.example.com', { timeout: true });
  server.setFault('big.example.com', { truncate: true });
});
afterAll(async () => {
  await server.close();
});

const options = () => ({ servers: [server.server], timeoutMs: LOOPBACK_DNS_TIMEOUT_MS, tries: 1 });
/** node:dns and the stub client give MX and TXT records in the order the server sent them. */
const nodeResolve = (name: string, type: RRType) => {
  const r = new dnsPromises.Resolver({ timeout: LOOPBACK_DNS_TIMEOUT_MS, tries: 1 });
  r.setServers([server.server]);
  return r.resolve(name, type) as Promise<unknown[]>;
};

describe('wireResolve answers as node:dns does where both can ask', () => {
  test.each(TYPES)('%s', async (type) => {
    expect(await wireResolve('plain.example.com', type, options())).toEqual(
      await nodeResolve('plain.example.com', type),
    );
  });
  test('CNAME, and records behind a CNAME', async () => {
    server.setZone({ ...ZONE, 'alias.example.com': { CNAME: ['plain.example.com'] } });
    try {
      for (const type of ['CNAME', 'A', 'TXT'] as const)
        expect(await wireResolve('alias.example.com', type, options())).toEqual(
          await nodeResolve('alias.example.com', type),
        );
    } finally {
      server.setZone(ZONE);
    }
  });
  test('a truncated UDP answer is asked again over TCP', async () => {
    const before = server.log.length;
    const txt = await wireResolve('big.example.com', 'TXT', options());
    expect(txt).toHaveLength(40);
    expect(server.log.slice(before)).toEqual(['big.example.com/TXT/udp', 'big.example.com/TXT/tcp']);
  });
  test.each([
    ['absent.example.com', 'ENOTFOUND'],
    ['nodata.example.com', 'ENODATA'],
    ['servfail:x.example.com', 'ESERVFAIL'],
    ['silent:x.example.com', 'ETIMEOUT'],
  ])('%s: %s, as query() reads node:dns', async (name, code) => {
    await expect(wireResolve(name, 'A', options())).rejects.toMatchObject({ code, hostname: name });
  });
});

describe('liveResolver asks the names c-ares refuses through the stub client', () => {
  test.each(ODD.flatMap((name) => TYPES.map((type) => [name, type] as const)))(
    '%s %s',
    async (name, type) => {
      await expect(nodeResolve(name, type)).rejects.toMatchObject({ code: 'EBADNAME' });
      const expected = await nodeResolve('plain.example.com', type);
      const before = server.log.length;
      expect(await liveResolver(options())(name, type)).toEqual(expected);
      expect(server.log.slice(before)).toEqual([`${name.toLowerCase()}/${type}/udp`]);
    },
  );
  test('a CNAME from an odd name is followed by the server', async () => {
    expect(await liveResolver(options())('alias:odd.example.com', 'A')).toEqual(RECORDS.A);
  });
  test('failures for odd names are the query() kinds', async () => {
    const resolve = liveResolver(options());
    expect(await query(resolve, 'absent:x.example.com', 'A')).toEqual({ kind: 'nxdomain' });
    expect(await query(resolve, 'servfail:x.example.com', 'A')).toEqual({ kind: 'servfail' });
    expect(await query(resolve, 'silent:x.example.com', 'A')).toEqual({ kind: 'timeout' });
  });
  test('a TXT record of no strings, which c-ares will not read, is an empty record', async () => {
    await expect(nodeResolve('empty-txt.example.com', 'TXT')).rejects.toMatchObject({ code: 'EBADRESP' });
    expect(await query(liveResolver(options()), 'empty-txt.example.com', 'TXT')).toEqual({
      kind: 'answer',
      records: ['', 'v=spf1 ip4:192.0.2.5 -all'],
    });
  });
  test('a name DNS cannot carry is not sent at all', async () => {
    const before = server.log.length;
    for (const name of [`${'l'.repeat(64)}:x.example.com`, 'a..b:example.com'])
      await expect(liveResolver(options())(name, 'A')).rejects.toMatchObject({ code: 'EBADNAME' });
    await expect(wireResolve(`${'l'.repeat(64)}.example.com`, 'A', options())).rejects.toMatchObject({
      code: 'EBADNAME',
    });
    expect(server.log.slice(before)).toEqual([]);
  });
});

describe('decodeResponse trusts nothing', () => {
  const reply = (p: Partial<packet.Packet>) =>
    packet.encode({
      id: 7,
      type: 'response',
      flags: packet.RECURSION_DESIRED,
      questions: [{ name: 'q.example', type: 'A', class: 'IN' }],
      answers: [{ type: 'A', name: 'q.example', ttl: 60, data: '192.0.2.1' }],
      ...p,
    });
  test('a well-formed answer', () => {
    expect(decodeResponse(reply({}), 7, 'q.example', 'A')).toEqual(['192.0.2.1']);
  });
  test.each([
    ['another id', reply({ id: 8 }), /not the answer/],
    ['a query, not a response', reply({ type: 'query' }), /not a response/],
    [
      'another question',
      reply({ questions: [{ name: 'r.example', type: 'A', class: 'IN' }] }),
      /another question/,
    ],
    [
      'another type',
      reply({ questions: [{ name: 'q.example', type: 'TXT', class: 'IN' }] }),
      /another question/,
    ],
    ['cut short', reply({}).subarray(0, 30), /runs past/],
    ['SERVFAIL', reply({ flags: packet.RECURSION_DESIRED | 2, answers: [] }), /ESERVFAIL/],
    ['no record of the type', reply({ answers: [] }), /ENODATA/],
  ])('%s', (_name, msg, error) => {
    expect(() => decodeResponse(msg, 7, 'q.example', 'A')).toThrow(error);
  });
  test('a compression pointer loop', () => {
    const msg = Buffer.from(reply({}));
    // The answer's owner name (right after the question) becomes a pointer to itself.
    const at = 12 + 'q.example'.length + 2 + 4;
    msg.writeUInt16BE(0xc000 | at, at);
    expect(() => decodeResponse(msg, 7, 'q.example', 'A')).toThrow(/compression/);
  });
  test('the question it encodes is the one it reads back', () => {
    const q = packet.decode(encodeQuery(4242, 'foo:bar/baz.example.com', 'MX'));
    expect(q).toMatchObject({
      id: 4242,
      type: 'query',
      flags: packet.RECURSION_DESIRED,
      questions: [{ name: 'foo:bar/baz.example.com', type: 'MX', class: 'IN' }],
    });
  });
});

test.each([
  ['1.1.1.1', { host: '1.1.1.1', port: 53 }],
  ['127.0.0.1:5353', { host: '127.0.0.1', port: 5353 }],
  ['2606:4700::1111', { host: '2606:4700::1111', port: 53 }],
  ['[::1]:5353', { host: '::1', port: 5353 }],
  ['[2001:db8::1]', { host: '2001:db8::1', port: 53 }],
])('parseServer(%s)', (server, expected) => {
  expect(parseServer(server)).toEqual(expected);
});
