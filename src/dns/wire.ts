/**
 * A minimal DNS stub client (RFC 1035 §4) for the names node:dns will not send. c-ares, under node:dns, refuses a
 * query name with any character outside `[A-Za-z0-9-*._/]` (EBADNAME), but DNS carries any octet in a label
 * (RFC 2181 §11) and SPF must ask for such names: a domain-spec may hold any visible character (RFC 7208 §7.1, e.g.
 * `a:foo:bar/baz.example.com`) and macros put local-parts and HELO names into names (`exists:%{l}._spf.example`
 * with `first+tag`). One question, recursion desired, over UDP, then TCP when the answer is truncated; the answer
 * has the shape node:dns gives and failures carry node:dns error codes, so `query` reads both alike.
 */
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';
import { dnsNameProblem, MAX_LABEL_OCTETS } from './name.js';
import type { RRType } from './resolver.js';

const TYPE_CODES: Record<RRType, number> = { A: 1, CNAME: 5, PTR: 12, MX: 15, TXT: 16, AAAA: 28 };
const CLASS_IN = 1;
const DNS_PORT = 53;
const RCODE_ERRORS: Record<number, string> = {
  1: 'EFORMERR',
  2: 'ESERVFAIL',
  3: 'ENOTFOUND',
  4: 'ENOTIMP',
  5: 'EREFUSED',
};

export interface WireOptions {
  /** As `Resolver.getServers()` gives them: `1.1.1.1`, `127.0.0.1:5353`, `2606:4700::1111`, `[::1]:53`. */
  servers: readonly string[];
  /** The first attempt's timeout; doubled on each retry, as node:dns does. */
  timeoutMs: number;
  tries: number;
}

/** A failure with a node:dns error code; when the server's answer says so (NXDOMAIN, NODATA, SERVFAIL…), final. */
class DnsError extends Error {
  constructor(
    readonly code: string,
    readonly hostname: string,
    type: string,
    detail = '',
  ) {
    super(`query${type} ${code} ${hostname}${detail ? `: ${detail}` : ''}`);
  }
}

export function parseServer(server: string): { host: string; port: number } {
  const bracketed = /^\[(.+)\](?::(\d+))?$/.exec(server);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ? Number(bracketed[2]) : DNS_PORT };
  if (isIPv6(server)) return { host: server, port: DNS_PORT };
  const colon = server.lastIndexOf(':');
  return colon < 0
    ? { host: server, port: DNS_PORT }
    : { host: server.slice(0, colon), port: Number(server.slice(colon + 1)) };
}

/** The query message: header with RD, one question. `name` has been checked by dnsNameProblem. */
export function encodeQuery(id: number, name: string, type: RRType): Buffer {
  const labels = name.split('.').map((l) => Buffer.from(l, 'utf8'));
  const qname = Buffer.concat([...labels.flatMap((l) => [Buffer.from([l.length]), l]), Buffer.from([0])]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // RD
  header.writeUInt16BE(1, 4); // QDCOUNT
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(TYPE_CODES[type], 0);
  tail.writeUInt16BE(CLASS_IN, 2);
  return Buffer.concat([header, qname, tail]);
}

/** A reply that cannot be the answer, or cannot be read: the next server or attempt is asked. */
class Malformed extends Error {}

/**
 * Reads a possibly compressed name at `offset` (RFC 1035 §4.1.4); returns it and the offset after it. Octets become
 * one character each (latin1), as node:dns gives TXT strings; a name asked is sent as UTF-8 (encodeQuery).
 */
function readName(msg: Buffer, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  let pos = offset;
  let next: number | undefined;
  for (let jumps = 0; ;) {
    if (pos >= msg.length) throw new Malformed('name runs past the message');
    const len = msg[pos]!;
    if (len === 0) {
      next ??= pos + 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= msg.length || ++jumps > 64) throw new Malformed('bad compression pointer');
      next ??= pos + 2;
      pos = ((len & 0x3f) << 8) | msg[pos + 1]!;
      continue;
    }
    if (len > MAX_LABEL_OCTETS) throw new Malformed('label longer than 63 octets');
    if (pos + 1 + len > msg.length) throw new Malformed('label runs past the message');
    labels.push(msg.toString('latin1', pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  return { name: labels.join('.'), next };
}

/** The records of `type` in a response to `name`, as node:dns shapes them; throws a node:dns-coded error otherwise. */
export function decodeResponse(msg: Buffer, id: number, name: string, type: RRType): unknown[] | 'truncated' {
  if (msg.length < 12 || msg.readUInt16BE(0) !== id) throw new Malformed('not the answer to this query');
  const flags = msg.readUInt16BE(2);
  if ((flags & 0x8000) === 0) throw new Malformed('not a response');
  if (flags & 0x0200) return 'truncated';
  const rcode = flags & 0x000f;
  if (rcode !== 0) throw new DnsError(RCODE_ERRORS[rcode] ?? 'EBADRESP', name, type, `RCODE ${rcode}`);
  const qdcount = msg.readUInt16BE(4);
  const ancount = msg.readUInt16BE(6);
  let pos = 12;
  for (let i = 0; i < qdcount; i++) {
    const q = readName(msg, pos);
    if (q.next + 4 > msg.length) throw new Malformed('question runs past the message');
    const asked = Buffer.from(name, 'utf8').toString('latin1').toLowerCase();
    if (i === 0 && (q.name.toLowerCase() !== asked || msg.readUInt16BE(q.next) !== TYPE_CODES[type]))
      throw new Malformed('answers another question');
    pos = q.next + 4;
  }
  const want = TYPE_CODES[type];
  const records: unknown[] = [];
  for (let i = 0; i < ancount; i++) {
    pos = readName(msg, pos).next;
    if (pos + 10 > msg.length) throw new Malformed('record runs past the message');
    const rtype = msg.readUInt16BE(pos);
    const rdlength = msg.readUInt16BE(pos + 8);
    const rdata = pos + 10;
    pos = rdata + rdlength;
    if (pos > msg.length) throw new Malformed('record data runs past the message');
    // A CNAME chain before the records asked for is the resolver's business (node:dns drops it too).
    if (rtype !== want) continue;
    records.push(decodeRdata(msg, rdata, rdlength, type));
  }
  if (records.length === 0) throw new DnsError('ENODATA', name, type);
  return records;
}

function decodeRdata(msg: Buffer, at: number, length: number, type: RRType): unknown {
  switch (type) {
    case 'A':
      if (length !== 4) throw new Malformed('A record of the wrong size');
      return [...msg.subarray(at, at + 4)].join('.');
    case 'AAAA':
      if (length !== 16) throw new Malformed('AAAA record of the wrong size');
      return ipaddr.fromByteArray([...msg.subarray(at, at + 16)]).toString(); // RFC 5952 form, as node:dns
    case 'MX':
      return { priority: msg.readUInt16BE(at), exchange: readName(msg, at + 2).name };
    case 'TXT': {
      const chunks: string[] = [];
      for (let p = at; p < at + length;) {
        const len = msg[p]!;
        if (p + 1 + len > at + length) throw new Malformed('TXT string runs past its record');
        chunks.push(msg.toString('latin1', p + 1, p + 1 + len));
        p += 1 + len;
      }
      return chunks;
    }
    case 'CNAME':
    case 'PTR':
      return readName(msg, at).name;
  }
}

type Finish = (answer: Buffer | undefined, err?: Error) => void;
/** Opens a socket, sends, calls `finish` with the reply; returns how to close the socket. */
type Start = (finish: Finish) => () => void;

/** One exchange over the socket `start` opens: no reply within `timeoutMs` is `undefined`; the first outcome wins. */
function exchange(timeoutMs: number, start: Start): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish: Finish = (answer, err) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      close();
      if (err) reject(err);
      else resolve(answer);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    // Socket events come later, never during `start`, so `close` is set before `finish` can run.
    const close = start(finish);
  });
}

/** Over UDP (RFC 1035 §4.2.1). */
function udp(host: string, port: number, message: Buffer): Start {
  return (finish) => {
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    socket.on('message', (msg) => {
      // Only a reply with this query's id counts; anything else is ignored, not trusted.
      if (msg.length >= 2 && msg.readUInt16BE(0) === message.readUInt16BE(0)) finish(msg);
    });
    socket.on('error', (err) => finish(undefined, err));
    socket.send(message, port, host);
    return () => socket.close();
  };
}

/** Over TCP, each message behind its two-octet length (RFC 1035 §4.2.2). */
function tcp(host: string, port: number, message: Buffer): Start {
  return (finish) => {
    const length = Buffer.alloc(2);
    length.writeUInt16BE(message.length, 0);
    const socket = connect({ host, port });
    let buf = Buffer.alloc(0);
    socket.on('connect', () => socket.write(Buffer.concat([length, message])));
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const size = buf.length >= 2 ? buf.readUInt16BE(0) : Infinity;
      if (buf.length >= 2 + size) finish(buf.subarray(2, 2 + size));
    });
    socket.on('error', (err) => finish(undefined, err));
    socket.on('close', () => finish(undefined));
    return () => socket.destroy();
  };
}

/** Resolves like `Resolver.resolve(name, type)`, over the given servers, for a name node:dns refuses to send. */
export async function wireResolve(name: string, type: RRType, options: WireOptions): Promise<unknown[]> {
  const qname = name.replace(/\.$/, '');
  const problem = dnsNameProblem(qname);
  if (problem !== undefined) throw new DnsError('EBADNAME', name, type, problem);
  if (options.servers.length === 0) throw new DnsError('ECONNREFUSED', name, type, 'no DNS server');
  let failure = new DnsError('ETIMEOUT', name, type);
  for (let attempt = 0; attempt < Math.max(1, options.tries); attempt++) {
    const timeoutMs = options.timeoutMs * 2 ** attempt;
    for (const server of options.servers) {
      const { host, port } = parseServer(server);
      const id = randomInt(0, 0x10000);
      const message = encodeQuery(id, qname, type);
      try {
        const reply = await exchange(timeoutMs, udp(host, port, message));
        if (reply === undefined) continue;
        const records = decodeResponse(reply, id, qname, type);
        if (records !== 'truncated') return records;
        const full = await exchange(timeoutMs, tcp(host, port, message));
        if (full === undefined) continue;
        const again = decodeResponse(full, id, qname, type);
        if (again === 'truncated') throw new Malformed('truncated over TCP');
        return again;
      } catch (err) {
        if (err instanceof DnsError) throw err; // the server's answer
        // A garbled reply or a socket error: the next server, or the next attempt, may do better.
        const message = err instanceof Error ? err.message : String(err);
        failure = new DnsError(err instanceof Malformed ? 'EBADRESP' : 'ECONNREFUSED', name, type, message);
      }
    }
  }
  throw failure;
}
