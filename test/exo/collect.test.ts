/**
 * One tenant collected over the loopback admin API: every cmdlet of the registry, called as the export recipe says
 * (per ListType, per accepted domain, each object tagged), a failing cmdlet left without objects, a 401 stopping all.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ExoClient } from '../../src/exo/client.js';
import { acceptedDomainNames, collectTenant, isComplete } from '../../src/exo/collect.js';
import { httpsTransport } from '../../src/exo/http.js';
import { CMDLET_NAMES } from '../../src/snapshot/schema.js';
import { startExoServer, type ExoServer } from '../support/exo-server.js';

const TOKEN = 'collect-test-token';
const TABL = [
  { Value: 'partner.example', Action: 'Allow', ListType: 'Sender' },
  { Value: 'bad.example', Action: 'Block', ListType: 'Sender' },
  { Value: '2001:db8::/64', Action: 'Allow', ListType: 'IP' },
];
const IPV6 = [
  { Domain: 'contoso.com', Status: 'Enabled' },
  { Domain: 'fabrikam.com', Status: 'Disabled' },
];

/** Every cmdlet answers: one object each, the recipe-dependent ones as above. */
function fullTenant(): Record<string, unknown[]> {
  const data: Record<string, unknown[]> = {};
  for (const c of CMDLET_NAMES) data[c] = [{ Name: c }];
  data['Get-AcceptedDomain'] = [
    { DomainName: 'contoso.com', Default: true },
    { DomainName: 'fabrikam.com', Default: false },
  ];
  data['Get-TenantAllowBlockListItems'] = TABL;
  data['Get-IPv6StatusForAcceptedDomain'] = IPV6;
  return data;
}

let server: ExoServer;
beforeAll(async () => {
  const partial = fullTenant();
  delete partial['Get-ArcConfig'];
  server = await startExoServer({
    tenants: { 'full.onmicrosoft.com': fullTenant(), 'partial.onmicrosoft.com': partial },
    acceptToken: (t) => t === TOKEN,
  });
});
afterAll(async () => {
  await server.close();
});

function client(tenant: string, token = TOKEN): ExoClient {
  return new ExoClient({
    tenant,
    baseUrl: server.url,
    environment: 'commercial',
    auth: 'secret',
    token: () => Promise.resolve({ accessToken: token, caller: { kind: 'app' } }),
    transport: httpsTransport({ ca: server.ca }),
    version: 'test',
    retry: { retries: 0, backoffMs: 1, maxWaitMs: 1 },
  });
}

test('every cmdlet of the registry, TABL per ListType and IPv6 per accepted domain, each object tagged', async () => {
  server.requests.length = 0;
  const c = await collectTenant(client('full.onmicrosoft.com'));
  expect(isComplete(c)).toBe(true);
  expect(Object.keys(c.objects).sort()).toEqual([...CMDLET_NAMES].sort());
  // The tag is added back by the collector: the server returned the objects without it.
  expect(c.objects['Get-TenantAllowBlockListItems']).toEqual(TABL);
  expect(c.objects['Get-IPv6StatusForAcceptedDomain']).toEqual(IPV6);
  const calls = server.requests
    .filter((r) => r.cmdlet)
    .map((r) => `${r.cmdlet} ${JSON.stringify(r.parameters)}`)
    .sort();
  expect(calls).toEqual(
    [
      ...CMDLET_NAMES.filter(
        (n) => !['Get-TenantAllowBlockListItems', 'Get-IPv6StatusForAcceptedDomain'].includes(n),
      ).map((n) =>
        ['Get-AcceptedDomain', 'Get-InboundConnector', 'Get-OutboundConnector', 'Get-TransportRule'].includes(
          n,
        )
          ? `${n} {"ResultSize":"Unlimited"}`
          : `${n} {}`,
      ),
      'Get-TenantAllowBlockListItems {"ListType":"Sender"}',
      'Get-TenantAllowBlockListItems {"ListType":"IP"}',
      'Get-IPv6StatusForAcceptedDomain {"Domain":"contoso.com"}',
      'Get-IPv6StatusForAcceptedDomain {"Domain":"fabrikam.com"}',
    ].sort(),
  );
  expect(c.outcomes['Get-IPv6StatusForAcceptedDomain']).toEqual({
    status: 'ok',
    objects: 2,
    calls: 2,
    pages: 2,
    retries: 0,
  });
  // Only Get- cmdlets: the collector is read-only.
  expect(server.requests.every((r) => !r.cmdlet || r.cmdlet.startsWith('Get-'))).toBe(true);
});

test('a failing cmdlet gets no objects and its error; the others are kept', async () => {
  const c = await collectTenant(client('partial.onmicrosoft.com'));
  expect(isComplete(c)).toBe(false);
  expect(c.objects['Get-ArcConfig']).toBeUndefined();
  expect(c.outcomes['Get-ArcConfig']).toMatchObject({ status: 'error', error: 'cmdlet' });
  expect(c.objects['Get-OrganizationConfig']).toEqual([{ Name: 'Get-OrganizationConfig' }]);
  expect(Object.keys(c.objects)).toHaveLength(CMDLET_NAMES.length - 1);
});

test('a 401 stops the tenant: every cmdlet says why, nothing more is sent after the first refusals', async () => {
  server.requests.length = 0;
  const c = await collectTenant(client('full.onmicrosoft.com', 'stale'), {
    redact: (t) => t.replace('stale', 'x'),
  });
  expect(Object.keys(c.objects)).toEqual([]);
  for (const n of CMDLET_NAMES) expect(c.outcomes[n]?.status, n).toBe('error');
  expect(c.outcomes['Get-IPv6StatusForAcceptedDomain']).toMatchObject({
    status: 'error',
    error: 'unauthorized',
    message: expect.stringMatching(/Get-AcceptedDomain failed/) as string,
  });
  // The default cap is 3 calls in flight: at most those are sent before the stop.
  expect(server.requests.filter((r) => r.cmdlet).length).toBeLessThanOrEqual(3);
});

test('accepted domain names: DomainName strings, deduplicated', () => {
  expect(
    acceptedDomainNames([
      { DomainName: 'a.com' },
      { DomainName: 'a.com' },
      { DomainName: 3 },
      null,
      { x: 1 },
    ]),
  ).toEqual(['a.com']);
});
