/**
 * A reader of PKCS#12 (.pfx/.p12) files, for `collect --certificate app.pfx`: Node has no PKCS#12 parser and mxlock
 * takes no dependency for one. Reads what Windows (Export-PfxCertificate, certlm.msc) and OpenSSL write: the MAC
 * (RFC 7292 §5, which also tells a wrong password), key bags shrouded with PBES2 (RFC 8018) or the PKCS#12 PBEs (Node
 * decrypts those), and certificate bags in clear, under PBES2 (AES, 3DES) or pbeWithSHAAnd3-KeyTripleDES-CBC. The
 * RC2-40 certificate encryption of old exports needs OpenSSL's legacy provider: it is refused with what to do. Pure.
 */
import { createDecipheriv, createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';

export class Pkcs12Error extends Error {
  override readonly name = 'Pkcs12Error';
}

interface Der {
  tag: number;
  constructed: boolean;
  /** The content's bytes. */
  content: Buffer;
  /** The whole element (header and content). */
  raw: Buffer;
}

/** One DER element at `offset` of `buf`; definite lengths only (a BER stream with indefinite lengths is refused). */
function readDer(buf: Buffer, offset: number): { el: Der; next: number } {
  if (offset + 2 > buf.length) throw new Pkcs12Error('truncated ASN.1 data');
  const first = buf[offset]!;
  let len = buf[offset + 1]!;
  let pos = offset + 2;
  if (len === 0x80)
    throw new Pkcs12Error('BER indefinite lengths are not read; convert the file with openssl');
  if (len > 0x80) {
    const n = len & 0x7f;
    if (n > 4 || pos + n > buf.length) throw new Pkcs12Error('bad ASN.1 length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos + i]!;
    pos += n;
  }
  if (pos + len > buf.length) throw new Pkcs12Error('truncated ASN.1 data');
  return {
    el: {
      tag: first,
      constructed: (first & 0x20) !== 0,
      content: buf.subarray(pos, pos + len),
      raw: buf.subarray(offset, pos + len),
    },
    next: pos + len,
  };
}

function children(el: Der): Der[] {
  const out: Der[] = [];
  for (let pos = 0; pos < el.content.length;) {
    const { el: child, next } = readDer(el.content, pos);
    out.push(child);
    pos = next;
  }
  return out;
}

const SEQUENCE = 0x30;
const OCTET_STRING = 0x04;
const OID = 0x06;
const INTEGER = 0x02;

function expect(el: Der | undefined, tag: number, what: string): Der {
  if (!el || el.tag !== tag) throw new Pkcs12Error(`not a PKCS#12 file (${what})`);
  return el;
}

function oid(el: Der | undefined): string {
  const c = expect(el, OID, 'object identifier').content;
  const parts = [Math.floor(c[0]! / 40), c[0]! % 40];
  let v = 0;
  for (const b of c.subarray(1)) {
    v = v * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

function integer(el: Der | undefined): number {
  const c = expect(el, INTEGER, 'integer').content;
  let v = 0;
  for (const b of c) v = v * 256 + b;
  return v;
}

/** An OCTET STRING's bytes, primitive or constructed (BER allows the latter for encrypted content). */
function octets(el: Der): Buffer {
  if (!el.constructed) return el.content;
  return Buffer.concat(children(el).map(octets));
}

/** The content of a context-specific [0] EXPLICIT wrapper. */
function explicit0(el: Der | undefined): Der {
  if (!el || el.tag !== 0xa0) throw new Pkcs12Error('not a PKCS#12 file ([0] expected)');
  return (
    children(el)[0] ??
    (() => {
      throw new Pkcs12Error('empty [0]');
    })()
  );
}

const OIDS = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  pbeSha1TripleDes: '1.2.840.113549.1.12.1.3',
  pbeSha1Rc2_40: '1.2.840.113549.1.12.1.6',
  pbeSha1Rc2_128: '1.2.840.113549.1.12.1.5',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  hmacSha1: '1.2.840.113549.2.7',
  hmacSha256: '1.2.840.113549.2.9',
  hmacSha384: '1.2.840.113549.2.10',
  hmacSha512: '1.2.840.113549.2.11',
} as const;

const HASHES: Record<string, { name: string; v: number }> = {
  [OIDS.sha1]: { name: 'sha1', v: 64 },
  [OIDS.sha256]: { name: 'sha256', v: 64 },
  [OIDS.sha384]: { name: 'sha384', v: 128 },
  [OIDS.sha512]: { name: 'sha512', v: 128 },
};
const PRFS: Record<string, string> = {
  [OIDS.hmacSha1]: 'sha1',
  [OIDS.hmacSha256]: 'sha256',
  [OIDS.hmacSha384]: 'sha384',
  [OIDS.hmacSha512]: 'sha512',
};
const CIPHERS: Record<string, { name: string; key: number }> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', key: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', key: 24 },
  '2.16.840.1.101.3.4.1.42': { name: 'aes-256-cbc', key: 32 },
  '1.2.840.113549.3.7': { name: 'des-ede3-cbc', key: 24 },
};

/** The password as PKCS#12's KDF takes it: BMPString (UTF-16BE) with a terminating zero (RFC 7292 Appendix B.1). */
function bmpPassword(password: string): Buffer {
  const le = Buffer.from(`${password}\0`, 'utf16le');
  const be = Buffer.alloc(le.length);
  for (let i = 0; i < le.length; i += 2) {
    be[i] = le[i + 1]!;
    be[i + 1] = le[i]!;
  }
  return be;
}

/** RFC 7292 Appendix B.2: `n` bytes of key material (id 1), IV (id 2) or MAC key (id 3). */
export function pkcs12Kdf(
  hash: string,
  v: number,
  password: Buffer,
  salt: Buffer,
  iterations: number,
  id: 1 | 2 | 3,
  n: number,
): Buffer {
  const repeatTo = (b: Buffer, len: number) => {
    const out = Buffer.alloc(len);
    for (let i = 0; i < len; i++) out[i] = b[i % b.length]!;
    return out;
  };
  const D = Buffer.alloc(v, id);
  const S = salt.length ? repeatTo(salt, v * Math.ceil(salt.length / v)) : Buffer.alloc(0);
  const P = password.length ? repeatTo(password, v * Math.ceil(password.length / v)) : Buffer.alloc(0);
  const I = Buffer.concat([S, P]);
  const blocks: Buffer[] = [];
  let produced = 0;
  while (produced < n) {
    let A = createHash(hash).update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash(hash).update(A).digest();
    blocks.push(A);
    produced += A.length;
    if (produced >= n) break;
    const B = repeatTo(A, v);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(blocks).subarray(0, n);
}

/** Decrypts `data` under the AlgorithmIdentifier `alg` (PBES2, or a PKCS#12 PBE). */
function decrypt(alg: Der, data: Buffer, password: string): Buffer {
  const [algOid, params] = children(alg);
  const id = oid(algOid);
  if (id === OIDS.pbes2) {
    const [kdf, scheme] = children(expect(params, SEQUENCE, 'PBES2 parameters'));
    const [kdfOid, kdfParams] = children(expect(kdf, SEQUENCE, 'key derivation'));
    if (oid(kdfOid) !== OIDS.pbkdf2)
      throw new Pkcs12Error('a key derivation other than PBKDF2 is not supported');
    const p = children(expect(kdfParams, SEQUENCE, 'PBKDF2 parameters'));
    const salt = expect(p[0], OCTET_STRING, 'salt').content;
    const iterations = integer(p[1]);
    const prfEl = p.slice(2).find((e) => e.tag === SEQUENCE);
    const prf = prfEl ? PRFS[oid(children(prfEl)[0])] : 'sha1';
    const [cipherOid, iv] = children(expect(scheme, SEQUENCE, 'encryption scheme'));
    const cipher = CIPHERS[oid(cipherOid)];
    if (!prf || !cipher) throw new Pkcs12Error('an unsupported PBES2 cipher or PRF');
    const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, cipher.key, prf);
    const d = createDecipheriv(cipher.name, key, expect(iv, OCTET_STRING, 'IV').content);
    return Buffer.concat([d.update(data), d.final()]);
  }
  if (id === OIDS.pbeSha1TripleDes) {
    const p = children(expect(params, SEQUENCE, 'PBE parameters'));
    const salt = expect(p[0], OCTET_STRING, 'salt').content;
    const iterations = integer(p[1]);
    const pw = bmpPassword(password);
    const key = pkcs12Kdf('sha1', 64, pw, salt, iterations, 1, 24);
    const iv = pkcs12Kdf('sha1', 64, pw, salt, iterations, 2, 8);
    const d = createDecipheriv('des-ede3-cbc', key, iv);
    return Buffer.concat([d.update(data), d.final()]);
  }
  if (id === OIDS.pbeSha1Rc2_40 || id === OIDS.pbeSha1Rc2_128)
    throw new Pkcs12Error(
      'its certificates are encrypted with RC2 (an old export format Node cannot decrypt): export it again with AES ' +
        '(Export-PfxCertificate -CryptoAlgorithmOption AES256_SHA256, or openssl pkcs12 -export without -legacy), or give the certificate and key as PEM',
    );
  throw new Pkcs12Error(`an unsupported encryption (${id})`);
}

/** RFC 7292 §5: the MAC over the authenticated safe; a mismatch is a wrong password (or a damaged file). */
function verifyMac(macData: Der, authSafe: Buffer, password: string): void {
  const [digestInfo, saltEl, iterEl] = children(macData);
  const [alg, digestEl] = children(expect(digestInfo, SEQUENCE, 'MAC'));
  const hash = HASHES[oid(children(expect(alg, SEQUENCE, 'MAC algorithm'))[0])];
  if (!hash) throw new Pkcs12Error('an unsupported MAC algorithm');
  const salt = expect(saltEl, OCTET_STRING, 'MAC salt').content;
  const iterations = iterEl ? integer(iterEl) : 1;
  const expected = expect(digestEl, OCTET_STRING, 'MAC digest').content;
  const outLen = createHash(hash.name).digest().length;
  const key = pkcs12Kdf(hash.name, hash.v, bmpPassword(password), salt, iterations, 3, outLen);
  const mac = createHmac(hash.name, key).update(authSafe).digest();
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected))
    throw new Pkcs12Error("the password is wrong (the file's integrity check fails with it)");
}

export interface Pkcs12Contents {
  /** DER X.509 certificates, in file order. */
  certificates: Buffer[];
  /** The private key: DER PKCS#8, encrypted (`encrypted`) or not. */
  key: { der: Buffer; encrypted: boolean } | undefined;
}

/** The certificates and the (first) private key of a PKCS#12 file. */
export function readPkcs12(file: Uint8Array, password: string): Pkcs12Contents {
  const pfx = readDer(Buffer.from(file), 0).el;
  const [version, authSafeInfo, macData] = children(expect(pfx, SEQUENCE, 'PFX'));
  if (integer(version) !== 3) throw new Pkcs12Error('not a PKCS#12 version 3 file');
  const [typeOid, content] = children(expect(authSafeInfo, SEQUENCE, 'authenticated safe'));
  if (oid(typeOid) !== OIDS.data) throw new Pkcs12Error('public-key integrity mode is not supported');
  const authSafe = octets(expect(explicit0(content), OCTET_STRING, 'authenticated safe data'));
  if (macData) verifyMac(macData, authSafe, password);
  const out: Pkcs12Contents = { certificates: [], key: undefined };
  for (const info of children(readDer(authSafe, 0).el)) {
    const [cOid, cContent] = children(expect(info, SEQUENCE, 'content info'));
    const type = oid(cOid);
    let safeContents: Buffer;
    if (type === OIDS.data) safeContents = octets(explicit0(cContent));
    else if (type === OIDS.encryptedData) {
      const [, encInfo] = children(expect(explicit0(cContent), SEQUENCE, 'encrypted data'));
      const [, alg, enc] = children(expect(encInfo, SEQUENCE, 'encrypted content'));
      if (!enc || (enc.tag & 0x1f) !== 0) throw new Pkcs12Error('encrypted content missing');
      try {
        safeContents = decrypt(expect(alg, SEQUENCE, 'algorithm'), octets(enc), password);
      } catch (err) {
        if (err instanceof Pkcs12Error) throw err;
        throw new Pkcs12Error('the certificates cannot be decrypted: the password is wrong');
      }
    } else continue;
    for (const bag of children(readDer(safeContents, 0).el)) {
      const [bagOid, bagValue] = children(expect(bag, SEQUENCE, 'safe bag'));
      const bagType = oid(bagOid);
      const value = explicit0(bagValue);
      if (bagType === OIDS.certBag) {
        const [certOid, certValue] = children(expect(value, SEQUENCE, 'certificate bag'));
        if (oid(certOid) === OIDS.x509Certificate)
          out.certificates.push(octets(expect(explicit0(certValue), OCTET_STRING, 'certificate')));
      } else if (bagType === OIDS.shroudedKeyBag && !out.key) out.key = { der: value.raw, encrypted: true };
      else if (bagType === OIDS.keyBag && !out.key) out.key = { der: value.raw, encrypted: false };
    }
  }
  return out;
}
