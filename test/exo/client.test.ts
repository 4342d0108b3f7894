/**
 * The admin API client against a loopback HTTPS server with a generated self-signed certificate (DESIGN §7): paging,
 * throttling and retries, error bodies, 401/403 in words, timeouts, cancellation, the per-tenant cap on calls in flight.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ExoClient, type ExoClientOptions } from '../../src/exo/client.js';
import { ExoError } from '../../src/exo/errors.js';
import { httpsTransport } from '../../src/exo/http.js';
import { startExoServer, type ExoServer, type Reply, type SeenRequest } from '../support/exo-server.js';

const TENANT = 'contoso.onmicrosoft.com';
const TOKEN = 'test-access-token-value';
const RULES = Array.from({ length: 7 }, (_, i) => ({ Name: `Rule ${i}`, Priority: i, State: 'Enabled' }));

let server: ExoServer;
/** The reply a test scripts for the requests it picks (set per test). */
let script: ((req: SeenRequest, nth: number) => Reply | undefined) | undefined;

beforeAll(async () => {
  server = await startExoServer({
    tenants: {
      [TENANT]: {
        'Get-TransportRule': RULES,
        'Get-OrganizationConfig': [{ Name: 'contoso', RejectDirectSend: true }],
        'Get-AcceptedDomain': [{ DomainName: 'contoso.com' }],
      },
    },
    pageSize: 3,
    acceptToken: (t) => t === TOKEN,
    script: (req, nth) => script?.(req, nth),
  });
});
afterAll(async () => {
  await server.close();
});

function client(over: Partial<ExoClientOptions> = {}): ExoClient {
  return new ExoClient({
    tenant: TENANT,
    baseUrl: server.url,
    environment: 'commercial',
    auth: 'certificate',
    token: () => Promise.resolve({ accessToken: TOKEN, caller: { kind: 'app' } }),
    transport: httpsTransport({ ca: server.ca }),
    version: 'test',
    timeoutMs: 5000,
    retry: { retries: 3, backoffMs: 10, maxWaitMs: 5000 },
    ...over,
  });
}

async function failure(p: Promise<unknown>): Promise<ExoError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ExoError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

function requestsOf(cmdlet: string): SeenRequest[] {
  return server.requests.filter((r) => r.cmdlet === cmdlet);
}

describe('paging and the request', () => {
  test('every page is fetched through @odata.nextLink, same body and headers, annotations stripped', async () => {
    script = undefined;
    const before = requestsOf('Get-TransportRule').length;
    const result = await client().invoke('Get-TransportRule', { ResultSize: 'Unlimited' });
    expect(result.objects).toEqual(RULES);
    expect(result.pages).toBe(3);
    const seen = requestsOf('Get-TransportRule').slice(before);
    expect(seen.map((r) => r.page)).toEqual([0, 1, 2]);
    for (const r of seen) {
      expect(r.method).toBe('POST');
      expect(r.parameters).toEqual({ ResultSize: 'Unlimited' });
      expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(r.headers['x-cmdletname']).toBe('Get-TransportRule');
      expect(r.headers['x-anchormailbox']).toBe(
        `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${TENANT}`,
      );
    }
    expect(new Set(seen.map((r) => r.headers['client-request-id'])).size).toBe(3);
  });

  test('a next-page link to another host is refused: the token never leaves the endpoint', async () => {
    script = (req) =>
      req.cmdlet === 'Get-OrganizationConfig'
        ? {
            status: 200,
            body: JSON.stringify({ value: [{ a: 1 }], '@odata.nextLink': 'https://attacker.example/steal' }),
          }
        : undefined;
    const err = await failure(client().invoke('Get-OrganizationConfig', {}));
    expect(err.code).toBe('bad-response');
    expect(err.message).toMatch(/another host \(https:\/\/attacker\.example\)/);
  });

  test('a next-page link that repeats is endless paging, refused', async () => {
    script = (req) =>
      req.cmdlet === 'Get-OrganizationConfig'
        ? {
            status: 200,
            body: JSON.stringify({
              value: [],
              '@odata.nextLink': `${server.url}/adminapi/beta/x/InvokeCommand?p=1`,
            }),
          }
        : undefined;
    const err = await failure(client().invoke('Get-OrganizationConfig', {}));
    expect(err.message).toMatch(/repeats an earlier page/);
  });

  test('a 200 that is not the API JSON (a proxy page) says so', async () => {
    script = (req) =>
      req.cmdlet === 'Get-OrganizationConfig' ? { status: 200, body: '<html>login</html>' } : undefined;
    const err = await failure(client().invoke('Get-OrganizationConfig', {}));
    expect(err.code).toBe('bad-response');
    expect(err.message).toMatch(/not the admin API's JSON: check --endpoint/);
  });

  test('the certificate must be trusted: without --ca-file the TLS handshake fails as a network error', async () => {
    script = undefined;
    const err = await failure(
      client({ transport: httpsTransport(), retry: { retries: 0, backoffMs: 1, maxWaitMs: 1 } }).invoke(
        'Get-OrganizationConfig',
        {},
      ),
    );
    expect(err.code).toBe('network');
    expect(err.message).toMatch(/self[- ]signed|certificate/i);
  });
});

describe('throttling and transient failures', () => {
  test('429 with Retry-After: waits what the server says, then succeeds', async () => {
    script = (req, nth) =>
      req.cmdlet === 'Get-OrganizationConfig' && nth === 1
        ? { status: 429, headers: { 'Retry-After': '0.2' }, body: 'Too many requests' }
        : undefined;
    const waits: number[] = [];
    server.requests.length = 0;
    const result = await client({
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    }).invoke('Get-OrganizationConfig', {});
    expect(result.objects).toEqual([{ Name: 'contoso', RejectDirectSend: true }]);
    expect(result.retries).toBe(1);
    expect(waits).toEqual([200]);
  });

  test('429 without Retry-After: exponential backoff', async () => {
    server.requests.length = 0;
    script = (req, nth) =>
      req.cmdlet === 'Get-OrganizationConfig' && nth <= 2 ? { status: 429, body: '' } : undefined;
    const waits: number[] = [];
    const result = await client({
      random: () => 0,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    }).invoke('Get-OrganizationConfig', {});
    expect(result.retries).toBe(2);
    expect(waits).toEqual([10, 20]);
  });

  test('503 then success, with a real wait', async () => {
    server.requests.length = 0;
    script = (req, nth) =>
      req.cmdlet === 'Get-OrganizationConfig' && nth === 1
        ? { status: 503, body: 'Service Unavailable' }
        : undefined;
    const result = await client().invoke('Get-OrganizationConfig', {});
    expect(result.retries).toBe(1);
    expect(requestsOf('Get-OrganizationConfig')).toHaveLength(2);
  });

  test('a transient exception in a 400 body is retried; the concurrency message too', async () => {
    server.requests.length = 0;
    script = (req, nth) => {
      if (req.cmdlet !== 'Get-OrganizationConfig') return undefined;
      if (nth === 1)
        return {
          status: 400,
          body: JSON.stringify({
            error: { details: [{ message: 'Ex1|Microsoft.Exchange.Data.TransientException|try again' }] },
          }),
        };
      if (nth === 2)
        return {
          status: 500,
          body: 'You have reached the maximum number of concurrent requests per tenant. Please wait and try again',
        };
      return undefined;
    };
    const result = await client().invoke('Get-OrganizationConfig', {});
    expect(result.retries).toBe(2);
  });

  test('still throttled after the retries: unavailable, saying how many attempts', async () => {
    server.requests.length = 0;
    script = (req) => (req.cmdlet === 'Get-OrganizationConfig' ? { status: 503, body: 'busy' } : undefined);
    const err = await failure(
      client({ retry: { retries: 2, backoffMs: 1, maxWaitMs: 100 } }).invoke('Get-OrganizationConfig', {}),
    );
    expect(err.code).toBe('unavailable');
    expect(err.message).toMatch(/HTTP 503 \(busy\) \(gave up after 3 attempts\)/);
    expect(requestsOf('Get-OrganizationConfig')).toHaveLength(3);
  });

  test('a Retry-After longer than mxlock waits is reported, not obeyed', async () => {
    script = (req) =>
      req.cmdlet === 'Get-OrganizationConfig'
        ? { status: 429, headers: { 'Retry-After': '3600' }, body: '' }
        : undefined;
    const err = await failure(client().invoke('Get-OrganizationConfig', {}));
    expect(err.message).toMatch(/asks to wait 3600 s, longer than mxlock waits/);
  });
});

describe('errors in words', () => {
  test('an Ex…|…Exception|… error names the cmdlet call, the id, the type and the text; not retried', async () => {
    server.requests.length = 0;
    script = undefined;
    const err = await failure(client().invoke('Get-ArcConfig', {}));
    expect(err.code).toBe('cmdlet');
    expect(err.status).toBe(400);
    expect(err.message).toBe(
      "Get-ArcConfig: HTTP 400: Ex6F9304 | Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException | The term 'Get-ArcConfig' is not available in this tenant.",
    );
    expect(requestsOf('Get-ArcConfig')).toHaveLength(1);
  });

  test('a plain-text error body is quoted', async () => {
    script = (req) =>
      req.cmdlet === 'Get-OrganizationConfig'
        ? { status: 500, headers: { 'Content-Type': 'text/plain' }, body: 'Internal failure in the backend' }
        : undefined;
    const err = await failure(client().invoke('Get-OrganizationConfig', {}));
    expect(err.message).toBe('Get-OrganizationConfig: HTTP 500: Internal failure in the backend');
  });

  test('401: the token was refused, and what a good token is', async () => {
    script = undefined;
    const err = await failure(
      client({ token: () => Promise.resolve({ accessToken: 'wrong', caller: { kind: 'app' } }) }).invoke(
        'Get-OrganizationConfig',
        {},
      ),
    );
    expect(err.code).toBe('unauthorized');
    expect(err.message).toMatch(
      /HTTP 401 Unauthorized \(Access token validation failure\.\): the access token was refused/,
    );
    expect(err.message).toMatch(/https:\/\/outlook\.office365\.com/);
  });

  test('401 stops the tenant: the next call is not sent', async () => {
    const c = client({ token: () => Promise.resolve({ accessToken: 'wrong', caller: { kind: 'app' } }) });
    await failure(c.invoke('Get-OrganizationConfig', {}));
    server.requests.length = 0;
    const err = await failure(c.invoke('Get-AcceptedDomain', {}));
    expect(err.code).toBe('unauthorized');
    expect(err.message).toMatch(/^Get-AcceptedDomain: not collected: Get-OrganizationConfig: HTTP 401/);
    expect(server.requests).toHaveLength(0);
  });

  test('403 for an app: Exchange.ManageAsApp with admin consent and a directory role', async () => {
    script = (req) =>
      req.cmdlet === 'Get-OrganizationConfig'
        ? { status: 403, body: JSON.stringify({ error: { code: 'Forbidden', message: 'Access denied' } }) }
        : undefined;
    const err = await failure(client().invoke('Get-OrganizationConfig', {}));
    expect(err.code).toBe('forbidden');
    expect(err.message).toMatch(/Exchange\.ManageAsApp/);
    expect(err.message).toMatch(/admin consent/);
    expect(err.message).toMatch(/Global Reader, or Exchange Administrator/);
  });

  test('403 for a person: the roles the account needs', async () => {
    const err = await failure(client({ auth: 'device-code' }).invoke('Get-OrganizationConfig', {}));
    expect(err.message).toMatch(
      /signed-in account may not run Get-OrganizationConfig: it needs the Exchange Administrator or Global Reader role/,
    );
  });

  test('a slow server hits the timeout (retried, then reported)', async () => {
    server.requests.length = 0;
    script = (req) =>
      req.cmdlet === 'Get-OrganizationConfig'
        ? { status: 200, body: '{"value":[]}', delayMs: 1500 }
        : undefined;
    const err = await failure(
      client({ timeoutMs: 200, retry: { retries: 1, backoffMs: 1, maxWaitMs: 10 } }).invoke(
        'Get-OrganizationConfig',
        {},
      ),
    );
    expect(err.code).toBe('timeout');
    expect(err.message).toBe(
      'Get-OrganizationConfig: no answer within 200 ms (--timeout) (gave up after 2 attempts)',
    );
    expect(requestsOf('Get-OrganizationConfig')).toHaveLength(2);
  });

  test('cancellation stops a request in flight', async () => {
    script = (req) =>
      req.cmdlet === 'Get-OrganizationConfig'
        ? { status: 200, body: '{"value":[]}', delayMs: 2000 }
        : undefined;
    const controller = new AbortController();
    const pending = failure(client({ signal: controller.signal }).invoke('Get-OrganizationConfig', {}));
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const err = await pending;
    expect(err.code).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

test('the per-tenant cap: never more calls in flight than --concurrency', async () => {
  let inFlight = 0;
  let most = 0;
  script = (req) => {
    if (req.cmdlet !== 'Get-OrganizationConfig') return undefined;
    inFlight++;
    most = Math.max(most, inFlight);
    setTimeout(() => inFlight--, 150);
    return { status: 200, body: '{"value":[]}', delayMs: 150 };
  };
  const c = client({ concurrency: 2 });
  await Promise.all(Array.from({ length: 6 }, () => c.invoke('Get-OrganizationConfig', {})));
  expect(most).toBe(2);
});
