/**
 * A self-signed X.509 certificate made in memory, for the emulator's STARTTLS when the user gives none (issue 11).
 * Node 20's `node:crypto` reads certificates (`X509Certificate`) but cannot issue one, and smtp-server's built-in
 * certificate has a published private key shared by every install: so the emulator builds its own, here, with a fresh
 * ECDSA P-256 key per start, DER-encoded by hand (RFC 5280 §4.1) and signed by `crypto.sign`. Nothing is written to
 * disk. The encoder covers exactly what one certificate needs: SEQUENCE, SET, INTEGER, OID, strings, times, BIT and
 * OCTET STRING, explicit and implicit tags.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

export interface GeneratedCertificate {
  /** PEM `CERTIFICATE`. */
  cert: string;
  /** PEM PKCS#8 `PRIVATE KEY` of the certificate. */
  key: string;
}

export interface SelfSignedOptions {
  /** Validity start; default now. */
  now?: Date;
  /** Days of validity; default 30 (a lab certificate, re-made at every start). */
  days?: number;
}

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 30;

/** A DER length: short form below 128, else 0x80 | count of the big-endian length bytes (X.690 §8.1.3). */
function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);
/** `[n] EXPLICIT` (context-specific, constructed). */
const explicit = (n: number, ...c: Buffer[]) => tlv(0xa0 | n, ...c);

/** A non-negative INTEGER from big-endian bytes: a leading 0x00 when the high bit is set (X.690 §8.3). */
function integer(bytes: Buffer): Buffer {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && (b[1]! & 0x80) === 0) b = b.subarray(1);
  return tlv(0x02, (b[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), b]) : b);
}

/** An OBJECT IDENTIFIER from dotted text (X.690 §8.19: first two arcs in one byte, base-128 after). */
function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out = [40 * arcs[0]! + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const chunk = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

const utf8String = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const bitString = (b: Buffer) => tlv(0x03, Buffer.from([0]), b);
const octetString = (b: Buffer) => tlv(0x04, b);

/** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5). */
function time(d: Date): Buffer {
  const iso = d.toISOString(); // 2026-12-07T04:32:05.123Z
  const digits = iso.slice(0, 19).replace(/[-T:]/g, ''); // 20261207043205
  return d.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'ascii'))
    : tlv(0x18, Buffer.from(`${digits}Z`, 'ascii'));
}

const OID = {
  commonName: '2.5.4.3',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64.replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

/**
 * A self-signed certificate for `names` (the first is the subject CN; all are dNSName SANs), usable by a TLS server
 * and, in tests, by a client (extended key usage serverAuth and clientAuth).
 */
export function selfSignedCertificate(
  names: readonly string[],
  options: SelfSignedOptions = {},
): GeneratedCertificate {
  if (names.length === 0) throw new Error('a certificate needs at least one name');
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = options.now ?? new Date();
  // An hour of leeway before now, for clocks that differ a little between the emulator and its client.
  const notBefore = new Date(now.getTime() - 3_600_000);
  const notAfter = new Date(now.getTime() + (options.days ?? DEFAULT_DAYS) * DAY_MS);
  const name = seq(set(seq(oid(OID.commonName), utf8String(names[0]!))));
  const algorithm = seq(oid(OID.ecdsaWithSha256));
  const san = seq(...names.map((n) => tlv(0x82, Buffer.from(n, 'ascii')))); // [2] IMPLICIT IA5String dNSName
  const extensions = explicit(
    3,
    seq(
      seq(oid(OID.basicConstraints), tlv(0x01, Buffer.from([0xff])), octetString(seq())), // critical, cA FALSE
      seq(oid(OID.extKeyUsage), octetString(seq(oid(OID.serverAuth), oid(OID.clientAuth)))),
      seq(oid(OID.subjectAltName), octetString(san)),
    ),
  );
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f; // positive, at most 20 octets (RFC 5280 §4.1.2.2)
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    algorithm,
    name,
    seq(time(notBefore), time(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions,
  );
  // ECDSA signatures from crypto.sign are DER `Ecdsa-Sig-Value`, which is what the certificate carries (RFC 5758 §3.2).
  const signature = sign('sha256', tbs, privateKey);
  const cert = seq(tbs, algorithm, bitString(signature));
  return {
    cert: pem('CERTIFICATE', cert),
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
