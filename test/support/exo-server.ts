/**
 * A loopback Exchange Online admin API and Entra ID token endpoint for the collector's tests (DESIGN §7): HTTPS on
 * 127.0.0.1 port 0 under a self-signed certificate, speaking the wire format of formats.md §1 — `POST
 * /adminapi/beta/{tenant}/InvokeCommand` with `{"CmdletInput":…}`, REST annotations on every object, `@odata.nextLink`
 * paging, OData error bodies — and the OAuth endpoints MSAL calls (openid-configuration, token, device code). Tests
 * script faults per request (429, 503, plain-text errors, slow answers). Nothing leaves loopback.
 */
import { createPublicKey, createVerify, randomUUID, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { makeCert, removeCert, type TestCert } from './smtp-lab.js';

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** For InvokeCommand: the cmdlet and its parameters. */
  cmdlet?: string;
  parameters?: Record<string, unknown>;
  tenant?: string;
  /** The page asked for (0 = first). */
  page?: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body: string;
  /** Wait this long before answering (a slow server). */
  delayMs?: number;
}

export interface ExoServerOptions {
  /** Per tenant (as in the URL, lower case), per cmdlet: the objects as an export file holds them. */
  tenants: Record<string, Record<string, unknown[]>>;
  /** Objects per page (the server pages on its own, whatever Prefer asks). */
  pageSize?: number;
  /** A reply to send instead of the normal one; undefined lets the request through. */
  script?: (req: SeenRequest, nth: number) => Reply | undefined;
  /** Accepted bearer tokens (default: those the token endpoint issued). */
  acceptToken?: (token: string) => boolean;
  /** Token endpoint: the client secret accepted, and the certificate whose key must sign client assertions. */
  clientSecret?: string;
  clientCertificate?: string;
  /** Device code flow: the user the token speaks for. */
  deviceUser?: string;
}

export interface ExoServer {
  url: string;
  /** The CA a client trusts (the self-signed certificate's PEM) and its path, for --ca-file. */
  ca: string;
  caPath: string;
  requests: SeenRequest[];
  /** Tokens issued by the token endpoint. */
  issued: string[];
  close(): Promise<void>;
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A JWT-shaped token (unsigned: the fake API checks it by identity, as the real one checks the signature). */
export function fakeJwt(claims: Record<string, unknown>): string {
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.c2ln`;
}

/** The REST annotations the admin API adds (formats.md §1.4): `@odata.type` beside lists, `@data.type` on scalars. */
function annotate(o: unknown): unknown {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return o;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (Array.isArray(v)) out[`${k}@odata.type`] = '#Collection(String)';
    else if (typeof v === 'number') out[`${k}@data.type`] = 'System.Int32';
    out[k] = v;
  }
  out['Guid@data.type'] = 'System.Guid';
  return out;
}

/** The objects the real API returns for one call: filtered by the recipe's parameter, the tag not yet added. */
function objectsFor(all: readonly unknown[], parameters: Record<string, unknown>): unknown[] {
  const by = (key: string) => {
    const want = parameters[key];
    if (typeof want !== 'string') return [...all];
    return all
      .filter((o) => String((o as Record<string, unknown>)[key]).toLowerCase() === want.toLowerCase())
      .map((o) =>
        Object.fromEntries(Object.entries(o as Record<string, unknown>).filter(([k]) => k !== key)),
      );
  };
  if ('ListType' in parameters) return by('ListType');
  if ('Domain' in parameters) return by('Domain');
  return [...all];
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** Checks an RS256/ES256/PS256 client assertion's signature with the certificate's public key. */
function assertionValid(assertion: string, certificate: string): boolean {
  const [h, p, s] = assertion.split('.');
  if (!h || !p || !s) return false;
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string };
  const key = createPublicKey(
    new X509Certificate(certificate).publicKey.export({ type: 'spki', format: 'pem' }),
  );
  const verify = createVerify('sha256').update(`${h}.${p}`);
  if (header.alg === 'PS256')
    return verify.verify({ key, padding: 6, saltLength: 32 }, Buffer.from(s, 'base64url'));
  return verify.verify(key, Buffer.from(s, 'base64url'));
}

export async function startExoServer(options: ExoServerOptions): Promise<ExoServer> {
  const cert: TestCert = await makeCert();
  const requests: SeenRequest[] = [];
  const issued: string[] = [];
  let url = '';
  const pageSize = options.pageSize ?? 1000;
  const accept = options.acceptToken ?? ((t: string) => issued.includes(t));

  const issue = (claims: Record<string, unknown>) => {
    const token = fakeJwt({
      aud: 'https://outlook.office365.com',
      exp: Math.floor(Date.now() / 1000) + 3600,
      ...claims,
    });
    issued.push(token);
    return token;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const u = new URL(req.url ?? '/', url);
    const seen: SeenRequest = { method: req.method ?? '', path: u.pathname, headers: req.headers, body };
    const m = /^\/adminapi\/beta\/([^/]+)\/InvokeCommand$/.exec(u.pathname);
    if (m) {
      seen.tenant = decodeURIComponent(m[1]!).toLowerCase();
      seen.page = Number(u.searchParams.get('$skiptoken') ?? '0');
      try {
        const input = (
          JSON.parse(body) as { CmdletInput: { CmdletName: string; Parameters: Record<string, unknown> } }
        ).CmdletInput;
        seen.cmdlet = input.CmdletName;
        seen.parameters = input.Parameters;
      } catch {
        // A malformed body is answered 400 below.
      }
    }
    requests.push(seen);
    const nth = requests.filter((r) => r.cmdlet !== undefined && r.cmdlet === seen.cmdlet).length;
    const scripted = options.script?.(seen, nth);
    if (scripted) {
      if (scripted.delayMs) await new Promise((r) => setTimeout(r, scripted.delayMs));
      if (res.destroyed) return;
      res.writeHead(scripted.status, scripted.headers ?? {});
      res.end(scripted.body);
      return;
    }
    // Entra ID (MSAL): discovery, device code, token.
    const oidc = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(u.pathname);
    if (oidc) {
      const t = oidc[1]!;
      return json(res, 200, {
        issuer: `${url}/${t}/v2.0`,
        token_endpoint: `${url}/${t}/oauth2/v2.0/token`,
        authorization_endpoint: `${url}/${t}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${url}/${t}/oauth2/v2.0/devicecode`,
        end_session_endpoint: `${url}/${t}/oauth2/v2.0/logout`,
        jwks_uri: `${url}/${t}/discovery/v2.0/keys`,
        response_types_supported: ['code'],
      });
    }
    if (/\/oauth2\/v2\.0\/devicecode$/.test(u.pathname))
      return json(res, 200, {
        device_code: 'device-code-1',
        user_code: 'ABCD-EFGH',
        verification_uri: 'https://microsoft.com/devicelogin',
        expires_in: 900,
        interval: 1,
        message:
          'To sign in, use a web browser to open https://microsoft.com/devicelogin and enter the code ABCD-EFGH.',
      });
    const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(u.pathname);
    if (tokenPath) {
      const form = new URLSearchParams(body);
      const grant = form.get('grant_type');
      if (grant === 'client_credentials') {
        const secretOk =
          options.clientSecret !== undefined && form.get('client_secret') === options.clientSecret;
        const assertion = form.get('client_assertion');
        const certOk =
          options.clientCertificate !== undefined &&
          assertion !== null &&
          assertionValid(assertion, options.clientCertificate);
        if (!secretOk && !certOk)
          return json(res, 401, {
            error: 'invalid_client',
            error_description: 'AADSTS7000215: Invalid client secret provided.',
            error_codes: [7000215],
          });
        return json(res, 200, {
          token_type: 'Bearer',
          expires_in: 3599,
          access_token: issue({ idtyp: 'app', tid: tokenPath[1] }),
        });
      }
      if (
        grant === 'device_code' ||
        grant === 'urn:ietf:params:oauth:grant-type:device_code' ||
        grant === 'refresh_token'
      ) {
        const upn = options.deviceUser ?? 'admin@contoso.onmicrosoft.com';
        const tid = '11111111-2222-3333-4444-555555555555';
        const oid = '99999999-8888-7777-6666-555555555555';
        return json(res, 200, {
          token_type: 'Bearer',
          expires_in: 3599,
          scope: 'https://outlook.office365.com/.default',
          access_token: issue({ upn, tid }),
          refresh_token: 'refresh-1',
          id_token: fakeJwt({
            aud: form.get('client_id'),
            iss: `${url}/${tid}/v2.0`,
            tid,
            oid,
            sub: oid,
            preferred_username: upn,
            name: 'Admin',
            exp: Math.floor(Date.now() / 1000) + 3600,
            iat: Math.floor(Date.now() / 1000),
            nbf: Math.floor(Date.now() / 1000),
          }),
          client_info: b64url({ uid: oid, utid: tid }),
        });
      }
      return json(res, 400, { error: 'unsupported_grant_type' });
    }
    if (!m || seen.cmdlet === undefined)
      return json(res, 404, { error: { code: 'NotFound', message: 'no such path' } });
    const auth = String(req.headers.authorization ?? '');
    if (!auth.startsWith('Bearer ') || !accept(auth.slice(7)))
      return json(res, 401, { error: { code: 'Unauthorized', message: 'Access token validation failure.' } });
    const tenantData = options.tenants[seen.tenant!];
    if (!tenantData)
      return json(res, 404, { error: { code: 'NotFound', message: `tenant ${seen.tenant} not found` } });
    const all = tenantData[seen.cmdlet];
    if (all === undefined)
      return json(res, 400, {
        error: {
          code: 'BadRequest',
          message: 'The operation could not be performed.',
          details: [
            {
              code: 'Context',
              target: '',
              message: `Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The term '${seen.cmdlet}' is not available in this tenant.`,
            },
          ],
        },
      });
    const objects = objectsFor(all, seen.parameters ?? {});
    const start = seen.page! * pageSize;
    const page = objects.slice(start, start + pageSize).map(annotate);
    const more = start + pageSize < objects.length;
    json(
      res,
      200,
      {
        '@odata.context': `${url}/adminapi/beta/${seen.tenant}/$metadata#Collection(Exchange.GenericHashTable)`,
        'adminapi.warnings@odata.type': '#Collection(String)',
        '@adminapi.warnings': [],
        value: page,
        ...(more
          ? { '@odata.nextLink': `${url}/adminapi/beta/${m[1]}/InvokeCommand?$skiptoken=${seen.page! + 1}` }
          : {}),
      },
      { 'Request-Id': randomUUID(), 'Rate-Limit-Remaining': '29997' },
    );
  };

  const server: Server = createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { error: { code: 'Test', message: String(err) } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    ca: cert.cert,
    caPath: cert.certPath,
    requests,
    issued,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await removeCert(cert);
    },
  };
}
