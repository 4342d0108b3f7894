/**
 * Signing in for `mxlock collect` (DESIGN §9: @azure/msal-node 7, loaded here only, when a command signs in): app-only
 * with a certificate (PEM or PFX), app-only with a client secret (discouraged, supported), device code for a person,
 * or a token acquired elsewhere (MXLOCK_ACCESS_TOKEN: a managed identity, `az account get-access-token`). MSAL sends
 * through mxlock's own HTTPS transport, so `--login-endpoint` and `--ca-file` reach it, and keeps its token cache in
 * memory: no token or key is ever written to disk. Every secret and token goes into the run's Redactor.
 * The I/O edge that reads the certificate file.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { ConfigError } from '../errors.js';
import { readInputFile } from '../snapshot/read.js';
import type { Token, TokenSource, Transport } from './client.js';
import { ENVIRONMENTS, exoScope, type EnvironmentName } from './environment.js';
import { ExoError, type AuthKind } from './errors.js';
import { Pkcs12Error, readPkcs12 } from './pkcs12.js';
import type { Redactor } from './redact.js';
import { tokenClaims, tokenProblem } from './token.js';

export type SignIn =
  | { kind: 'access-token'; token: string }
  | { kind: 'certificate'; appId: string; path: string; password?: string | undefined }
  | { kind: 'secret'; appId: string; secret: string }
  | { kind: 'device-code'; appId: string };

export interface SignInContext {
  environment: EnvironmentName;
  /** The Entra ID host (default: the environment's); `https://host[:port]`. Tests point it at a loopback server. */
  loginEndpoint?: string | undefined;
  /** Whether --endpoint replaced the admin API host (then a token's audience is not checked against it). */
  endpointOverridden: boolean;
  transport: Transport;
  timeoutMs: number;
  redactor: Redactor;
  /** Where the device-code instructions go (stderr). */
  onDeviceCode: (message: string) => void;
}

/** A certificate file is a few kilobytes; anything near this is the wrong file. */
const MAX_CERTIFICATE_BYTES = 1024 * 1024;

export interface CertificateCredential {
  thumbprintSha256: string;
  /** PKCS#8 PEM, unencrypted, in memory only (MSAL signs the client assertion with it). */
  privateKey: string;
}

function pemBlocks(text: string, label: RegExp): string[] {
  const re = new RegExp(`-----BEGIN (${label.source})-----[\\s\\S]*?-----END \\1-----`, 'g');
  return [...text.matchAll(re)].map((m) => m[0]);
}

function credentialOf(
  certificates: X509Certificate[],
  key: KeyObject,
  path: string,
  flag: string,
): CertificateCredential {
  const cert = certificates.find((c) => c.checkPrivateKey(key));
  if (!cert) throw new ConfigError(`${flag} ${path}: no certificate in it matches its private key`, path);
  return {
    thumbprintSha256: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
    privateKey: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/**
 * The app's certificate credential from a PEM file (the certificate and its private key, the key encrypted or not)
 * or a PKCS#12 file (.pfx/.p12), `password` opening the key or the PFX. Errors name the file and what to do.
 */
export function certificateCredential(
  bytes: Uint8Array,
  path: string,
  password: string | undefined,
  flag = '--certificate',
): CertificateCredential {
  const text = Buffer.from(bytes).toString('latin1');
  if (text.includes('-----BEGIN')) {
    const certs = pemBlocks(text, /CERTIFICATE/);
    const keys = pemBlocks(text, /(?:RSA |EC |ENCRYPTED )?PRIVATE KEY/);
    if (certs.length === 0 || keys.length === 0)
      throw new ConfigError(
        `${flag} ${path}: a PEM file must hold the certificate and its private key (-----BEGIN CERTIFICATE----- and -----BEGIN PRIVATE KEY-----)`,
        path,
      );
    let key: KeyObject;
    try {
      key = createPrivateKey(
        password === undefined ? { key: keys[0]! } : { key: keys[0]!, passphrase: password },
      );
    } catch {
      throw new ConfigError(
        `${flag} ${path}: cannot read the private key: ${/ENCRYPTED/.test(keys[0]!) ? 'it is encrypted: give its password in MXLOCK_CERTIFICATE_PASSWORD (or --certificate-password), and check it' : 'it is not a usable key'}`,
        path,
      );
    }
    let parsed: X509Certificate[];
    try {
      parsed = certs.map((c) => new X509Certificate(c));
    } catch {
      throw new ConfigError(`${flag} ${path}: a certificate in it cannot be read`, path);
    }
    return credentialOf(parsed, key, path, flag);
  }
  let contents;
  try {
    contents = readPkcs12(bytes, password ?? '');
  } catch (err) {
    if (err instanceof Pkcs12Error)
      throw new ConfigError(
        `${flag} ${path}: cannot read it as PEM or PKCS#12 (.pfx): ${err.message}${password === undefined ? ' (no password given: set MXLOCK_CERTIFICATE_PASSWORD when the file has one)' : ''}`,
        path,
      );
    throw err;
  }
  if (!contents.key || contents.certificates.length === 0)
    throw new ConfigError(
      `${flag} ${path}: the PFX must hold the certificate and its private key (export it with the private key)`,
      path,
    );
  let key: KeyObject;
  try {
    key = createPrivateKey(
      contents.key.encrypted
        ? { key: contents.key.der, format: 'der', type: 'pkcs8', passphrase: password ?? '' }
        : { key: contents.key.der, format: 'der', type: 'pkcs8' },
    );
  } catch {
    throw new ConfigError(`${flag} ${path}: cannot decrypt its private key with the password given`, path);
  }
  return credentialOf(
    contents.certificates.map((c) => new X509Certificate(c)),
    key,
    path,
    flag,
  );
}

/** MSAL's network module over mxlock's transport (the same timeout, --ca-file and bounded reads). */
function networkModule(transport: Transport, timeoutMs: number): INetworkModule {
  const send = async <T>(
    method: 'GET' | 'POST',
    url: string,
    options: NetworkRequestOptions | undefined,
  ): Promise<NetworkResponse<T>> => {
    let res;
    try {
      res = await transport(
        {
          url,
          method,
          headers: options?.headers ?? {},
          ...(options?.body !== undefined ? { body: options.body } : {}),
        },
        { timeoutMs },
      );
    } catch (err) {
      throw new ExoError('sign-in', `signing in failed: ${(err as Error).message}`, undefined, {
        cause: err,
      });
    }
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      body = {};
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = v;
    return { headers, body: body as T, status: res.status };
  };
  return {
    sendGetRequestAsync: (url, options) => send('GET', url, options),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  };
}

/** An MSAL failure in words: its error code and message (AADSTS…), escaped later with everything else. */
function msalFailure(err: unknown, kind: AuthKind): ExoError {
  if (err instanceof ExoError) return err;
  const e = err as { errorCode?: unknown; errorMessage?: unknown; message?: unknown };
  const text = [e.errorCode, e.errorMessage ?? e.message]
    .filter((x) => typeof x === 'string' && x)
    .join(': ');
  const hint =
    kind === 'device-code'
      ? 'check --app-id (an app registration that allows public client flows) and --tenant'
      : 'check --app-id, --tenant and the credential (a certificate uploaded to the app registration, or a current client secret)';
  return new ExoError('sign-in', `signing in failed: ${text || String(err)}; ${hint}`, undefined, {
    cause: err,
  });
}

/** The token source of a run: MSAL's (cached in memory, refreshed as needed) or the pre-acquired token. */
export async function tokenSource(signIn: SignIn, tenant: string, ctx: SignInContext): Promise<TokenSource> {
  const resource = ENVIRONMENTS[ctx.environment].exo;
  if (signIn.kind === 'access-token') {
    ctx.redactor.add(signIn.token);
    const claims = tokenClaims(signIn.token);
    const problem = claims && tokenProblem(claims, resource, Date.now());
    if (problem && !(ctx.endpointOverridden && !/expired/.test(problem)))
      throw new ExoError('sign-in', `MXLOCK_ACCESS_TOKEN cannot be used: ${problem}`);
    const token: Token = { accessToken: signIn.token, caller: claims?.caller ?? { kind: 'app' } };
    return () => Promise.resolve(token);
  }
  const msal = await import('@azure/msal-node');
  const login = (ctx.loginEndpoint ?? ENVIRONMENTS[ctx.environment].login).replace(/\/+$/, '');
  const auth = {
    clientId: signIn.appId,
    authority: `${login}/${encodeURIComponent(tenant)}`,
    // The sign-in host is given, not discovered: no instance-discovery call to Microsoft (and tests stay on loopback).
    knownAuthorities: [new URL(login).host],
  };
  const system = {
    networkClient: networkModule(ctx.transport, ctx.timeoutMs),
    // MSAL's own logging stays off: its lines could carry request details.
    loggerOptions: { loggerCallback: () => undefined, piiLoggingEnabled: false },
  };
  const scopes = [exoScope(ctx.environment)];
  if (signIn.kind === 'device-code') {
    const app = new msal.PublicClientApplication({ auth, system });
    let result: Awaited<ReturnType<typeof app.acquireTokenByDeviceCode>> | undefined;
    const acquire = async (): Promise<Token> => {
      try {
        if (result?.account) {
          const silent = await app.acquireTokenSilent({ account: result.account, scopes });
          if (silent) result = silent;
        } else {
          result = await app.acquireTokenByDeviceCode({
            scopes,
            deviceCodeCallback: (r) => ctx.onDeviceCode(r.message),
          });
        }
      } catch (err) {
        throw msalFailure(err, 'device-code');
      }
      if (!result?.accessToken) throw new ExoError('sign-in', 'signing in failed: no token was issued');
      ctx.redactor.add(result.accessToken);
      const upn = result.account?.username;
      return {
        accessToken: result.accessToken,
        caller: upn && upn.includes('@') ? { kind: 'user', upn } : { kind: 'app' },
      };
    };
    // One sign-in for the whole run: calls in flight wait for the person to finish it, later ones renew silently.
    let signedIn: Promise<Token> | undefined;
    return async () => {
      if (!signedIn) {
        signedIn = acquire();
        return signedIn;
      }
      await signedIn;
      return acquire();
    };
  }
  let credential: { clientSecret: string } | { clientCertificate: CertificateCredential };
  if (signIn.kind === 'secret') {
    ctx.redactor.add(signIn.secret);
    credential = { clientSecret: signIn.secret };
  } else {
    ctx.redactor.add(signIn.password);
    const bytes = await readInputFile(signIn.path, {
      role: 'config',
      what: 'the --certificate file',
      limit: { bytes: MAX_CERTIFICATE_BYTES, for: 'a certificate file' },
    });
    credential = { clientCertificate: certificateCredential(bytes, signIn.path, signIn.password) };
  }
  const app = new msal.ConfidentialClientApplication({ auth: { ...auth, ...credential }, system });
  const kind: AuthKind = signIn.kind;
  return async () => {
    let result;
    try {
      result = await app.acquireTokenByClientCredential({ scopes });
    } catch (err) {
      throw msalFailure(err, kind);
    }
    if (!result?.accessToken) throw new ExoError('sign-in', 'signing in failed: no token was issued');
    ctx.redactor.add(result.accessToken);
    return { accessToken: result.accessToken, caller: { kind: 'app' } };
  };
}
