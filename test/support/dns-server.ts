/**
 * A small authoritative DNS server for tests (DESIGN §7): UDP and TCP on 127.0.0.1, port 0, serving a zone in
 * the dns.json shape, with per-name faults — delay, no answer (timeout), SERVFAIL, and truncation (TC bit over
 * UDP so the client retries over TCP). Real packets via dns-packet; no mocks.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import type { AddressInfo } from 'node:net';
import * as packet from 'dns-packet';

/**
 * The resolver timeout tests use against this loopback server: long enough that a busy machine (CI, or several test
 * workers on two cores) still gets every answer in time, short enough that the cases of a silent server (a fault with
 * `timeout`) wait only this long each.
 */
export const LOOPBACK_DNS_TIMEOUT_MS = 750;

export interface Fault {
  /** Answer after this many milliseconds. */
  delayMs?: number;
  /** Never answer. */
  timeout?: boolean;
  /** Answer SERVFAIL. */
  servfail?: boolean;
  /** Over UDP, answer with the TC bit and no records; the full answer comes over TCP. */
  truncate?: boolean;
  /** The fault applies to questions of these types only (default: every type). */
  types?: readonly string[];
}

export interface DnsServerOptions {
  /**
   * Answer as a recursive resolver does: a CNAME is followed inside the zone and the answer carries the chain and
   * the target's records; a loop is SERVFAIL (RFC 1034 §3.6.2). Without it a CNAME is all that is returned.
   */
  followCnames?: boolean;
}

export interface ZoneRecords {
  MX?: { exchange: string; priority: number }[];
  TXT?: (string | string[])[];
  CNAME?: string[];
  A?: string[];
  AAAA?: string[];
  PTR?: string[];
}

export interface TestDnsServer {
  port: number;
  address: string;
  /** `host:port`, for node:dns `Resolver.setServers`. */
  server: string;
  /** Every question received, in order (`name/TYPE/udp|tcp`). */
  log: string[];
  /** Latency added to every answer, for benchmarks. */
  latencyMs: number;
  setZone(zone: Record<string, ZoneRecords>): void;
  setFault(name: string, fault: Fault | undefined): void;
  close(): Promise<void>;
}

const norm = (n: string) => n.toLowerCase().replace(/\.$/, '');

/** TXT strings longer than 255 octets are split into character-strings, as a real zone would hold them. */
function txtChunks(v: string | string[]): string[] {
  // A copy: dns-packet turns the strings it encodes into Buffers in place, which would change the caller's zone.
  if (Array.isArray(v)) return [...v];
  const out: string[] = [];
  for (let i = 0; i < v.length; i += 255) out.push(v.slice(i, i + 255));
  return out.length ? out : [''];
}

/** Appends the records of `type` that `entry` holds, owned by `owner`. */
function recordsOf(
  entry: ZoneRecords,
  t: string,
  owner: string,
  ttl: number,
  answers: packet.Answer[],
): void {
  if (t === 'MX')
    for (const m of entry.MX ?? [])
      answers.push({ type: 'MX', name: owner, ttl, data: { preference: m.priority, exchange: m.exchange } });
  if (t === 'TXT')
    for (const v of entry.TXT ?? []) answers.push({ type: 'TXT', name: owner, ttl, data: txtChunks(v) });
  if (t === 'A') for (const a of entry.A ?? []) answers.push({ type: 'A', name: owner, ttl, data: a });
  if (t === 'AAAA')
    for (const a of entry.AAAA ?? []) answers.push({ type: 'AAAA', name: owner, ttl, data: a });
  if (t === 'PTR') for (const a of entry.PTR ?? []) answers.push({ type: 'PTR', name: owner, ttl, data: a });
  if (t === 'CNAME')
    for (const c of entry.CNAME ?? []) answers.push({ type: 'CNAME', name: owner, ttl, data: c });
}

export async function startDnsServer(
  zone: Record<string, ZoneRecords> = {},
  options: DnsServerOptions = {},
): Promise<TestDnsServer> {
  let records = new Map<string, ZoneRecords>(Object.entries(zone).map(([k, v]) => [norm(k), v]));
  const faults = new Map<string, Fault>();
  const log: string[] = [];

  function answer(query: packet.Packet, transport: 'udp' | 'tcp'): packet.Packet | undefined {
    const q = query.questions?.[0];
    const base: packet.Packet = {
      id: query.id ?? 0,
      type: 'response',
      flags: packet.AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & packet.RECURSION_DESIRED),
      questions: query.questions ?? [],
      answers: [],
    };
    if (!q) return { ...base, flags: (base.flags ?? 0) | 1 }; // FORMERR
    const name = norm(q.name);
    log.push(`${name}/${q.type}/${transport}`);
    const named = faults.get(name);
    const fault = named && (!named.types || named.types.includes(q.type)) ? named : undefined;
    if (fault?.timeout) return undefined;
    if (fault?.servfail) return { ...base, flags: (base.flags ?? 0) | 2 }; // RCODE 2
    let entry = records.get(name);
    if (!entry) return { ...base, flags: (base.flags ?? 0) | 3 }; // NXDOMAIN
    if (fault?.truncate && transport === 'udp')
      return { ...base, flags: (base.flags ?? 0) | packet.TRUNCATED_RESPONSE };
    const ttl = 300;
    const answers: packet.Answer[] = [];
    const t = q.type;
    let owner = q.name;
    const chain = new Set<string>([name]);
    for (;;) {
      const before = answers.length;
      recordsOf(entry, t, owner, ttl, answers);
      // A CNAME answers every type, as in a real zone; resolvers follow it only for CNAME queries here, unless the
      // server follows it for them.
      if (answers.length > before || t === 'CNAME') break;
      const target = entry.CNAME?.[0];
      if (target === undefined) break;
      recordsOf(entry, 'CNAME', owner, ttl, answers);
      if (!options.followCnames) break;
      const next = norm(target);
      if (chain.has(next)) return { ...base, answers: [], flags: (base.flags ?? 0) | 2 }; // a loop: SERVFAIL
      chain.add(next);
      const nextEntry = records.get(next);
      if (!nextEntry) break; // the chain ends at a name with nothing: the answer is the chain
      entry = nextEntry;
      owner = target.replace(/\.$/, '');
    }
    return { ...base, answers };
  }

  const delayFor = (query: packet.Packet): number => {
    const q = query.questions?.[0];
    return (q ? (faults.get(norm(q.name))?.delayMs ?? 0) : 0) + api.latencyMs;
  };

  let udp: Socket = createSocket('udp4');
  const onUdpMessage = (msg: Buffer, rinfo: RemoteInfo) => {
    let query: packet.Packet;
    try {
      query = packet.decode(msg);
    } catch {
      return;
    }
    const res = answer(query, 'udp');
    if (!res) return;
    setTimeout(() => udp.send(packet.encode(res), rinfo.port, rinfo.address), delayFor(query));
  };

  const sockets = new Set<TcpSocket>();
  const tcp: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    let buf = Buffer.alloc(0);
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        let query: packet.Packet;
        try {
          query = packet.decode(msg);
        } catch {
          sock.destroy();
          return;
        }
        const res = answer(query, 'tcp');
        if (!res) continue;
        setTimeout(() => {
          if (!sock.destroyed) sock.write(packet.streamEncode(res));
        }, delayFor(query));
      }
    });
    sock.on('error', () => undefined);
  });
  // UDP on port 0, then TCP on the same number: that one may be taken (another test's connection, another server),
  // so a new pair of ports is tried.
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    udp.on('message', onUdpMessage);
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    port = (udp.address() as AddressInfo).port;
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(port, '127.0.0.1', () => {
          tcp.off('error', reject);
          resolve();
        });
      });
      break;
    } catch (err) {
      udp.close();
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 20) throw err;
      udp = createSocket('udp4');
    }
  }

  const api: TestDnsServer = {
    port,
    address: '127.0.0.1',
    server: `127.0.0.1:${port}`,
    log,
    latencyMs: 0,
    setZone(z) {
      records = new Map(Object.entries(z).map(([k, v]) => [norm(k), v]));
    },
    setFault(name, fault) {
      if (fault) faults.set(norm(name), fault);
      else faults.delete(norm(name));
    },
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all([
        new Promise<void>((r) => udp.close(() => r())),
        new Promise<void>((r) => tcp.close(() => r())),
      ]);
    },
  };
  return api;
}
