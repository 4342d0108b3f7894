/** The admin API's wire format (formats.md §1): requests, pages, annotations, error bodies, retry decisions. */
import { describe, expect, test } from 'vitest';
import {
  callParameters,
  cmdletRequest,
  errorDetail,
  isRetryable,
  limitDepth,
  parsePage,
  retryAfterMs,
  retryDelayMs,
  stripAnnotations,
  DEFAULT_RETRY,
} from '../../src/exo/wire.js';
import { invokeCommandUrl, exoScope, tenantProblem } from '../../src/exo/environment.js';

describe('requests', () => {
  test('the body is CmdletInput with the cmdlet and its parameters (formats.md §1.3)', () => {
    const r = cmdletRequest(
      'Get-TenantAllowBlockListItems',
      { ListType: 'Sender' },
      {
        tenant: 'contoso.onmicrosoft.com',
        caller: { kind: 'app' },
        connectionId: 'c-1',
        requestId: 'r-1',
        version: '0.1.0',
      },
    );
    expect(JSON.parse(r.body)).toEqual({
      CmdletInput: { CmdletName: 'Get-TenantAllowBlockListItems', Parameters: { ListType: 'Sender' } },
    });
    expect(r.headers).toMatchObject({
      'X-CmdletName': 'Get-TenantAllowBlockListItems',
      'X-ResponseFormat': 'json',
      Prefer: 'odata.maxpagesize=1000',
      'X-AnchorMailbox': 'APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@contoso.onmicrosoft.com',
      'client-request-id': 'r-1',
      'connection-id': 'c-1',
    });
    expect(Object.keys(r.headers).map((h) => h.toLowerCase())).not.toContain('authorization');
  });

  test('a signed-in person is routed by UPN', () => {
    const r = cmdletRequest(
      'Get-AcceptedDomain',
      {},
      {
        tenant: 't',
        caller: { kind: 'user', upn: 'admin@contoso.com' },
        connectionId: 'c',
        requestId: 'r',
        version: 'v',
      },
    );
    expect(r.headers['X-AnchorMailbox']).toBe('UPN:admin@contoso.com');
  });

  test('ResultSize Unlimited goes to the cmdlets that page, and only to them', () => {
    expect(callParameters('Get-TransportRule', {})).toEqual({ ResultSize: 'Unlimited' });
    expect(callParameters('Get-AcceptedDomain', {})).toEqual({ ResultSize: 'Unlimited' });
    expect(callParameters('Get-OrganizationConfig', {})).toEqual({});
    expect(callParameters('Get-TenantAllowBlockListItems', { ListType: 'IP' })).toEqual({ ListType: 'IP' });
  });

  test('URL, scope and tenant forms per cloud', () => {
    expect(invokeCommandUrl('https://outlook.office365.us/', 'contoso.onmicrosoft.us')).toBe(
      'https://outlook.office365.us/adminapi/beta/contoso.onmicrosoft.us/InvokeCommand',
    );
    expect(exoScope('commercial')).toBe('https://outlook.office365.com/.default');
    expect(exoScope('gcc')).toBe('https://outlook.office365.com/.default');
    expect(exoScope('gcchigh')).toBe('https://outlook.office365.us/.default');
    expect(exoScope('dod')).toBe('https://outlook-dod.office365.us/.default');
    expect(tenantProblem('contoso.onmicrosoft.com')).toBeUndefined();
    expect(tenantProblem('6f0b2c1e-1111-2222-3333-444455556666')).toBeUndefined();
    for (const bad of ['contoso', '../etc', 'a b.com', 'x.com/InvokeCommand?', ''])
      expect(tenantProblem(bad), bad).toMatch(/GUID/);
  });
});

describe('pages', () => {
  test('annotations are stripped at every level, values kept as ConvertTo-Json writes them', () => {
    const page = parsePage(
      JSON.stringify({
        '@odata.context': 'https://x/$metadata#Collection(Exchange.GenericHashTable)',
        '@adminapi.warnings': [],
        value: [
          {
            Name: 'From gateway',
            'SenderIPAddresses@odata.type': '#Collection(String)',
            SenderIPAddresses: ['198.51.100.0/24'],
            'Guid@data.type': 'System.Guid',
            Guid: '6f0b',
            Nested: { 'Inner@odata.type': '#Int16', Inner: 3 },
          },
        ],
        '@odata.nextLink': 'https://x/adminapi/beta/t/InvokeCommand?$skiptoken=1',
      }),
    );
    expect(page).toEqual({
      objects: [
        { Name: 'From gateway', SenderIPAddresses: ['198.51.100.0/24'], Guid: '6f0b', Nested: { Inner: 3 } },
      ],
      nextLink: 'https://x/adminapi/beta/t/InvokeCommand?$skiptoken=1',
      errors: [],
    });
    expect(stripAnnotations([{ 'a@b': 1, c: [{ 'd@e': 2, f: 3 }] }])).toEqual([{ c: [{ f: 3 }] }]);
  });

  test('legacy odata.nextLink, an empty or missing value, non-terminating errors', () => {
    expect(parsePage('{"value":[],"odata.nextLink":"https://x/n"}')?.nextLink).toBe('https://x/n');
    expect(parsePage('{"@adminapi.warnings":["w"]}')).toEqual({
      objects: [],
      nextLink: undefined,
      errors: [],
    });
    expect(parsePage('{"value":null}')?.objects).toEqual([]);
    expect(parsePage('{"value":[],"@adminapi.errors":["Ex1|X|boom"]}')?.errors).toEqual(['Ex1|X|boom']);
  });

  test('what is not the admin API JSON is refused', () => {
    for (const body of ['<html>proxy login</html>', '[1,2]', '{"value":{"a":1}}', 'null', ''])
      expect(parsePage(body), body).toBeUndefined();
  });

  test('depth limit: deeper lists and objects become their .NET type name, counted', () => {
    let deep: unknown = ['leaf'];
    for (let i = 0; i < 12; i++) deep = { d: deep };
    const cut = { count: 0 };
    const limited = JSON.stringify(limitDepth([deep], cut));
    expect(cut.count).toBe(1);
    expect(limited).toContain('"System.Collections.Hashtable"');
    const shallow = { count: 0 };
    expect(limitDepth([{ a: [1, { b: 2 }] }], shallow)).toEqual([{ a: [1, { b: 2 }] }]);
    expect(shallow.count).toBe(0);
  });
});

describe('errors', () => {
  test('an Ex…|…Exception|… detail is split into id, type and text (formats.md §1.6)', () => {
    const body = JSON.stringify({
      error: {
        code: 'BadRequest',
        message: 'outer',
        details: [
          {
            code: 'Context',
            message:
              "Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because object 'x' couldn't be found.",
          },
        ],
      },
    });
    expect(errorDetail(body, undefined, 'HTTP 400')).toEqual({
      errorId: 'Ex6F9304',
      exceptionType: 'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException',
      text: "The operation couldn't be performed because object 'x' couldn't be found.",
    });
  });

  test('precedence: details, then innererror.internalException, then message (CIPP)', () => {
    const inner = JSON.stringify({
      error: { message: 'outer', innererror: { internalException: { message: 'inner' } } },
    });
    expect(errorDetail(inner, undefined, 'r').text).toBe('inner');
    expect(errorDetail('{"error":{"message":"only"}}', undefined, 'r').text).toBe('only');
  });

  test('a plain-text body is quoted as it is, escaped, one line, bounded; the exception header is used', () => {
    const d = errorDetail('Service \u001b[31mUnavailable\nretry later', 'ServerBusyException', 'HTTP 503');
    expect(d.text).toBe('Service \\x1b[31mUnavailable retry later');
    expect(d.exceptionType).toBe('ServerBusyException');
    expect(errorDetail('x'.repeat(5000), undefined, 'r').text.length).toBeLessThan(500);
    expect(errorDetail('', undefined, 'HTTP 502').text).toBe('HTTP 502');
  });

  test('retryable: 408/429/503/504 and the transient messages, whatever the status', () => {
    for (const s of [408, 429, 503, 504]) expect(isRetryable(s, ''), String(s)).toBe(true);
    for (const s of [400, 401, 403, 404, 500]) expect(isRetryable(s, 'plain failure'), String(s)).toBe(false);
    expect(
      isRetryable(400, 'You have reached the maximum number of concurrent requests per tenant. Please wait'),
    ).toBe(true);
    expect(isRetryable(500, 'Ex1|Microsoft.Exchange.Data.Storage.ServerBusyException|busy')).toBe(true);
    expect(isRetryable(400, 'CmdletProxyNotAvailableFailure')).toBe(true);
  });

  test('Retry-After: seconds, fractional seconds, an HTTP date; garbage is ignored', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('5', now)).toBe(5000);
    expect(retryAfterMs('0.25', now)).toBe(250);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });

  test('backoff doubles, with at most 20 % jitter, capped; Retry-After wins', () => {
    const p = { ...DEFAULT_RETRY, backoffMs: 100, maxWaitMs: 1000 };
    expect(retryDelayMs(0, undefined, p, () => 0)).toBe(100);
    expect(retryDelayMs(2, undefined, p, () => 0)).toBe(400);
    expect(retryDelayMs(2, undefined, p, () => 1)).toBe(480);
    expect(retryDelayMs(9, undefined, p, () => 0)).toBe(1000);
    expect(retryDelayMs(0, 7000, p, () => 0)).toBe(7000);
  });
});
