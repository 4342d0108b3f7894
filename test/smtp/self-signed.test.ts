/** The emulator's in-memory certificate: a well-formed X.509 v3 certificate that Node and OpenSSL both read. */
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { selfSignedCertificate } from '../../src/smtp/self-signed.js';

describe('selfSignedCertificate', () => {
  test('Node reads it: names, validity, self-issued, signature verifies with its own key', () => {
    const now = new Date('2026-12-07T04:00:00Z');
    const { cert, key } = selfSignedCertificate(['mx.emulator.test', 'localhost'], { now, days: 10 });
    const x = new X509Certificate(cert);
    expect(x.subject).toBe('CN=mx.emulator.test');
    expect(x.issuer).toBe(x.subject);
    expect(x.subjectAltName).toBe('DNS:mx.emulator.test, DNS:localhost');
    expect(new Date(x.validFrom).getTime()).toBe(now.getTime() - 3_600_000);
    expect(new Date(x.validTo).getTime()).toBe(now.getTime() + 10 * 86_400_000);
    expect(x.checkIssued(x)).toBe(true);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(x.ca).toBe(false);
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
  });

  test('a new key and serial every time', () => {
    const a = new X509Certificate(selfSignedCertificate(['a.test']).cert);
    const b = new X509Certificate(selfSignedCertificate(['a.test']).cert);
    expect(a.serialNumber).not.toBe(b.serialNumber);
    expect(a.publicKey.export({ type: 'spki', format: 'der' })).not.toEqual(
      b.publicKey.export({ type: 'spki', format: 'der' }),
    );
  });

  test('GeneralizedTime after 2049 (RFC 5280 §4.1.2.5)', () => {
    const x = new X509Certificate(
      selfSignedCertificate(['late.test'], { now: new Date('2049-12-31T12:00:00Z') }).cert,
    );
    expect(new Date(x.validTo).getUTCFullYear()).toBe(2050);
  });

  test('OpenSSL parses it and verifies its self-signature', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mxlock-cert-'));
    try {
      const file = join(dir, 'cert.pem');
      writeFileSync(file, selfSignedCertificate(['mx.emulator.test']).cert);
      const text = execFileSync('openssl', ['x509', '-in', file, '-noout', '-text'], { encoding: 'utf8' });
      expect(text).toMatch(/Version: 3/);
      expect(text).toMatch(/Subject: CN ?= ?mx\.emulator\.test/);
      expect(text).toMatch(/DNS:mx\.emulator\.test/);
      expect(text).toMatch(/ecdsa-with-SHA256/);
      const verify = execFileSync('openssl', ['verify', '-CAfile', file, '-purpose', 'sslserver', file], {
        encoding: 'utf8',
      });
      expect(verify.trim()).toBe(`${file}: OK`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('refuses an empty name list', () => {
    expect(() => selfSignedCertificate([])).toThrow(/at least one name/);
  });
});
