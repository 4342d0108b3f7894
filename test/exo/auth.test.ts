/**
 * Signing in (DESIGN §9, MSAL pointed at a loopback token endpoint, never Microsoft): a certificate as PEM or PFX (the
 * endpoint checks the client assertion's signature with the certificate), a client secret, a device code, and a
 * pre-acquired token; each failure says what to fix and never carries the secret.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { certificateCredential, tokenSource, type SignIn } from '../../src/exo/auth.js';
import { ExoError } from '../../src/exo/errors.js';
import { httpsTransport } from '../../src/exo/http.js';
import { pkcs12Kdf, readPkcs12 } from '../../src/exo/pkcs12.js';
import { Redactor } from '../../src/exo/redact.js';
import { tokenClaims, tokenProblem } from '../../src/exo/token.js';
import { ConfigError } from '../../src/errors.js';
import { fakeJwt, startExoServer, type ExoServer } from '../support/exo-server.js';

const run = promisify(execFile);

/** A self-signed RSA certificate and its key, as PEM files in `dir`, made by the openssl CLI. */
function selfSigned(key: string, cert: string, cn: string) {
  return run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '1',
    '-subj',
    `/CN=${cn}`,
  ]);
}
const SECRET = 'Sup3r~Secret.Value_0123456789';
const APP = '00000000-1111-2222-3333-444444444444';
let dir: string;
let certPem: string;
let keyPem: string;
let thumbprint: string;
let server: ExoServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mxlock-auth-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  await selfSigned(key, cert, 'mxlock-app');
  const pfx = (name: string, ...extra: string[]) =>
    run('openssl', ['pkcs12', '-export', '-in', cert, '-inkey', key, '-out', join(dir, name), ...extra]);
  await pfx('aes.pfx', '-passout', 'pass:pfx-pass');
  await pfx(
    '3des.pfx',
    '-passout',
    'pass:pfx-pass',
    '-keypbe',
    'PBE-SHA1-3DES',
    '-certpbe',
    'PBE-SHA1-3DES',
    '-macalg',
    'sha1',
  );
  await pfx('rc2.pfx', '-passout', 'pass:pfx-pass', '-legacy');
  await pfx('clear.pfx', '-passout', 'pass:', '-keypbe', 'NONE', '-certpbe', 'NONE');
  await run('openssl', [
    'pkcs8',
    '-topk8',
    '-in',
    key,
    '-out',
    join(dir, 'enc-key.pem'),
    '-passout',
    'pass:key-pass',
    '-v2',
    'aes-256-cbc',
  ]);
  certPem = await readFile(cert, 'utf8');
  keyPem = await readFile(key, 'utf8');
  await writeFile(join(dir, 'both.pem'), certPem + keyPem);
  await writeFile(join(dir, 'both-enc.pem'), certPem + (await readFile(join(dir, 'enc-key.pem'), 'utf8')));
  thumbprint = new X509Certificate(certPem).fingerprint256.replace(/:/g, '').toLowerCase();
  server = await startExoServer({
    tenants: {},
    clientSecret: SECRET,
    clientCertificate: certPem,
    deviceUser: 'ops@contoso.com',
  });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function context(redactor = new Redactor(), onDeviceCode: (m: string) => void = () => undefined) {
  return {
    environment: 'commercial' as const,
    loginEndpoint: server.url,
    endpointOverridden: false,
    transport: httpsTransport({ ca: server.ca }),
    timeoutMs: 5000,
    redactor,
    onDeviceCode,
  };
}

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

describe('certificate files', () => {
  test.each([
    ['both.pem', undefined],
    ['both-enc.pem', 'key-pass'],
    ['aes.pfx', 'pfx-pass'],
    ['3des.pfx', 'pfx-pass'],
    ['clear.pfx', undefined],
  ])('%s gives the SHA-256 thumbprint and the key', async (name, password) => {
    const c = certificateCredential(await readFile(join(dir, name)), name, password);
    expect(c.thumbprintSha256).toBe(thumbprint);
    expect(c.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  test.each([
    ['aes.pfx', 'wrong', /the password is wrong/],
    ['aes.pfx', undefined, /no password given: set MXLOCK_CERTIFICATE_PASSWORD/],
    ['rc2.pfx', 'pfx-pass', /encrypted with RC2.*AES256_SHA256/],
    ['both-enc.pem', undefined, /it is encrypted: give its password in MXLOCK_CERTIFICATE_PASSWORD/],
    ['cert.pem', undefined, /must hold the certificate and its private key/],
  ])('%s with password %s is refused, naming the file and what to do', async (name, password, message) => {
    const err = await failure(
      Promise.resolve().then(async () =>
        certificateCredential(await readFile(join(dir, name)), join(dir, name), password),
      ),
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain(`--certificate ${join(dir, name)}: `);
    expect(err.message).toMatch(message);
  });

  test("a certificate that is not the key's is refused", async () => {
    await selfSigned(join(dir, 'k2.pem'), join(dir, 'c2.pem'), 'other');
    const mixed = (await readFile(join(dir, 'c2.pem'), 'utf8')) + keyPem;
    expect(() => certificateCredential(Buffer.from(mixed), 'mixed.pem', undefined)).toThrow(
      /no certificate in it matches its private key/,
    );
  });

  test('the PKCS#12 reader refuses what is not PKCS#12', () => {
    expect(() => readPkcs12(Buffer.from('hello'), '')).toThrow(/not a PKCS#12 file|ASN\.1/);
  });

  test("the PKCS#12 key derivation matches a published vector (RFC 7292 B.2, as in OpenSSL's tests)", () => {
    // OpenSSL test/pkcs12_format_test and BouncyCastle PKCS12Test: password "smeg", salt 0A58CF64530D823F, 1 iteration,
    // id 1, 24 bytes, SHA-1 → 8AAAE6297B6CB04642AB5B077851284EB7128F1A2A7FBCA3.
    const bmp = Buffer.from('0073006d006500670000', 'hex');
    const key = pkcs12Kdf('sha1', 64, bmp, Buffer.from('0A58CF64530D823F', 'hex'), 1, 1, 24);
    expect(key.toString('hex').toUpperCase()).toBe('8AAAE6297B6CB04642AB5B077851284EB7128F1A2A7FBCA3');
  });
});

describe('sign-in through MSAL against the loopback token endpoint', () => {
  test.each([
    ['a PEM certificate', { kind: 'certificate', appId: APP, path: 'both.pem' }],
    ['a PFX certificate', { kind: 'certificate', appId: APP, path: 'aes.pfx', password: 'pfx-pass' }],
    ['a client secret', { kind: 'secret', appId: APP, secret: SECRET }],
  ] as const)('%s: an app-only token; the endpoint verified the credential', async (_, signIn) => {
    const s: SignIn = signIn.kind === 'certificate' ? { ...signIn, path: join(dir, signIn.path) } : signIn;
    const redactor = new Redactor();
    const source = await tokenSource(s, 'contoso.onmicrosoft.com', context(redactor));
    const token = await source();
    expect(token.caller).toEqual({ kind: 'app' });
    expect(server.issued).toContain(token.accessToken);
    // MSAL caches the token in memory: asked again, no new request.
    expect((await source()).accessToken).toBe(token.accessToken);
    expect(redactor.redact(`token ${token.accessToken}`)).toBe('token [redacted]');
    const tokenRequests = server.requests.filter(
      (r) => r.path === '/contoso.onmicrosoft.com/oauth2/v2.0/token',
    );
    const last = new URLSearchParams(tokenRequests.at(-1)!.body);
    expect(last.get('scope')).toContain('https://outlook.office365.com/.default');
    expect(last.get('client_id')).toBe(APP);
  });

  test('a certificate the app does not have: refused by the token endpoint (the assertion is checked)', async () => {
    await selfSigned(join(dir, 'k3.pem'), join(dir, 'c3.pem'), 'stranger');
    await writeFile(
      join(dir, 'stranger.pem'),
      (await readFile(join(dir, 'c3.pem'), 'utf8')) + (await readFile(join(dir, 'k3.pem'), 'utf8')),
    );
    const source = await tokenSource(
      { kind: 'certificate', appId: APP, path: join(dir, 'stranger.pem') },
      'contoso.onmicrosoft.com',
      context(),
    );
    expect((await failure(source())).message).toMatch(/^signing in failed: .*invalid_client|AADSTS/);
  });

  test("a wrong secret: the service's AADSTS error and what to check, never the secret", async () => {
    const source = await tokenSource(
      { kind: 'secret', appId: APP, secret: 'not-the-secret-123' },
      'contoso.onmicrosoft.com',
      context(),
    );
    const err = await failure(source());
    expect(err).toBeInstanceOf(ExoError);
    expect((err as ExoError).code).toBe('sign-in');
    expect(err.message).toMatch(/AADSTS7000215/);
    expect(err.message).toMatch(/check --app-id, --tenant and the credential/);
    expect(err.message).not.toContain('not-the-secret-123');
  });

  test('device code: the instructions go to the person, the token speaks for them', async () => {
    const said: string[] = [];
    const source = await tokenSource(
      { kind: 'device-code', appId: APP },
      'contoso.onmicrosoft.com',
      context(new Redactor(), (m) => said.push(m)),
    );
    const [a, b] = await Promise.all([source(), source()]);
    expect(said).toEqual([expect.stringContaining('enter the code ABCD-EFGH') as string]);
    expect(a.caller).toEqual({ kind: 'user', upn: 'ops@contoso.com' });
    expect(b.accessToken).toBe(a.accessToken);
  });
});

describe('a token from the environment (MXLOCK_ACCESS_TOKEN)', () => {
  const now = Math.floor(Date.now() / 1000);
  test('an app token is used as it is; a user token routes by UPN', async () => {
    const app = fakeJwt({ aud: 'https://outlook.office365.com', exp: now + 600, idtyp: 'app' });
    const s = await tokenSource({ kind: 'access-token', token: app }, 't.onmicrosoft.com', context());
    expect(await s()).toEqual({ accessToken: app, caller: { kind: 'app' } });
    const user = fakeJwt({
      aud: '00000002-0000-0ff1-ce00-000000000000',
      exp: now + 600,
      upn: 'a@contoso.com',
    });
    expect(
      (await (await tokenSource({ kind: 'access-token', token: user }, 't', context()))()).caller,
    ).toEqual({
      kind: 'user',
      upn: 'a@contoso.com',
    });
  });

  test('an expired token, or one for Microsoft Graph, is refused before any call', async () => {
    const expired = fakeJwt({ aud: 'https://outlook.office365.com', exp: now - 60 });
    expect(
      (await failure(tokenSource({ kind: 'access-token', token: expired }, 't', context()))).message,
    ).toMatch(/MXLOCK_ACCESS_TOKEN cannot be used: it expired at/);
    const graph = fakeJwt({ aud: 'https://graph.microsoft.com', exp: now + 600 });
    expect(
      (await failure(tokenSource({ kind: 'access-token', token: graph }, 't', context()))).message,
    ).toMatch(/it is for https:\/\/graph\.microsoft\.com, not https:\/\/outlook\.office365\.com/);
  });

  test('claims: opaque tokens have none; the audience of a sovereign cloud is checked against its resource', () => {
    expect(tokenClaims('opaque-token')).toBeUndefined();
    const c = tokenClaims(fakeJwt({ aud: 'https://outlook.office365.us', exp: now + 60 }))!;
    expect(tokenProblem(c, 'https://outlook.office365.us', Date.now())).toBeUndefined();
    expect(tokenProblem(c, 'https://outlook.office365.com', Date.now())).toMatch(
      /not https:\/\/outlook\.office365\.com/,
    );
  });
});

describe('redaction', () => {
  test('given secrets in any form, bearer tokens and JWTs are blanked', () => {
    const r = new Redactor();
    r.add('p@ss "word"/x');
    r.add('abc'); // too short to blank without blanking words
    const jwt = fakeJwt({ a: 1 });
    expect(
      r.redact(
        `a p@ss "word"/x b ${JSON.stringify('p@ss "word"/x')} c ${encodeURIComponent('p@ss "word"/x')} Bearer xyz.123 ${jwt} abc`,
      ),
    ).toBe('a [redacted] b "[redacted]" c [redacted] [redacted] [redacted] abc');
  });
});
