/** SPF tree, DMARC, MX and DKIM analysis against a real DNS server on loopback. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { analyseDomain, analyseDomains } from '../../src/dns/analyse.js';
import { parseDmarc, treeWalkNames } from '../../src/dns/dmarc.js';
import { liveResolver } from '../../src/dns/live.js';
import { overLimits } from '../../src/dns/spf/analyse.js';
import {
  startDnsServer,
  type TestDnsServer,
  type ZoneRecords,
  LOOPBACK_DNS_TIMEOUT_MS,
} from '../support/dns-server.js';

const chain = (n: number): Record<string, ZoneRecords> =>
  Object.fromEntries(
    Array.from({ length: n }, (_, i) => [
      `c${i}.chain.example`,
      { TXT: [i === n - 1 ? 'v=spf1 ip4:192.0.2.200 -all' : `v=spf1 include:c${i + 1}.chain.example -all`] },
    ]),
  );

const ZONE: Record<string, ZoneRecords> = {
  'good.example': {
    TXT: [
      'v=spf1 ip4:203.0.113.10 ip4:203.0.113.11 ip4:198.51.100.0/28 include:spf.protection.outlook.com include:sendgrid.example -all',
    ],
    MX: [
      { exchange: 'eu-smtp-inbound-1.mimecast.com', priority: 10 },
      { exchange: 'eu-smtp-inbound-2.mimecast.com', priority: 10 },
    ],
  },
  'spf.protection.outlook.com': { TXT: ['v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 -all'] },
  'sendgrid.example': { TXT: ['v=spf1 ip4:192.0.2.128/25 ~all'] },
  '_dmarc.good.example': {
    TXT: ['v=DMARC1; p=reject; rua=mailto:d@good.example,mailto:x@reports.vendor.example; adkim=s'],
  },
  'good.example._report._dmarc.reports.vendor.example': { TXT: ['v=DMARC1'] },
  'eleven.example': { TXT: ['v=spf1 include:c0.chain.example -all'] },
  ...chain(11),
  'loop.example': { TXT: ['v=spf1 include:loop2.example -all'] },
  'loop2.example': { TXT: ['v=spf1 include:loop.example ~all'] },
  'voids.example': {
    TXT: ['v=spf1 a:gone1.voids.example a:gone2.voids.example mx:gone3.voids.example -all'],
  },
  'ptr.example': { TXT: ['v=spf1 ptr +all'] },
  'redirect.example': { TXT: ['v=spf1 redirect=good.example'] },
  'sub.org.example': { TXT: ['v=spf1 -all'] },
  '_dmarc.org.example': { TXT: ['v=DMARC1; p=quarantine; sp=reject; rua=mailto:dmarc@elsewhere.example'] },
  'org.example': { TXT: ['v=spf1 -all'] },
  'mixed.example': {
    MX: [
      { exchange: 'mixed-example.mail.protection.outlook.com', priority: 0 },
      { exchange: 'mx1.hc1234-56.iphmx.com', priority: 10 },
    ],
  },
  'slowdmarc.example': { TXT: ['v=spf1 -all'] },
  '_dmarc.slowdmarc.example': { TXT: ['v=DMARC1; p=reject'] },
  'selector1._domainkey.signed.example': {
    CNAME: ['selector1-signed-example._domainkey.signed.onmicrosoft.com'],
  },
  'selector2._domainkey.signed.example': { CNAME: ['selector2-wrong._domainkey.other.onmicrosoft.com'] },
  'gw1._domainkey.signed.example': { TXT: ['v=DKIM1; k=rsa; p=MIIBIjANBg'] },
};

let server: TestDnsServer;
beforeAll(async () => {
  server = await startDnsServer(ZONE);
  server.setFault('_dmarc.slowdmarc.example', { timeout: true });
});
afterAll(async () => {
  await server.close();
});
const resolve = () =>
  liveResolver({ servers: [server.server], timeoutMs: LOOPBACK_DNS_TIMEOUT_MS, tries: 1 });

describe('SPF tree', () => {
  test('a good record: lookups counted over the tree, -all, networks and includes listed, gateway IPs authorised', async () => {
    const r = await analyseDomain(resolve(), 'good.example', {
      spfIps: ['203.0.113.10', '198.51.100.5', '192.0.2.1'],
    });
    expect(r.spf.state).toBe('ok');
    expect(r.spf.lookups).toBe(2);
    expect(r.spf.allQualifier).toBe('-');
    expect(r.spf.includes).toEqual(['spf.protection.outlook.com', 'sendgrid.example']);
    expect(r.spf.networks.map((n) => n.network)).toContain('192.0.2.128/25');
    expect(r.spf.ipResults.map((x) => [x.ip, x.result])).toEqual([
      ['203.0.113.10', 'pass'],
      ['198.51.100.5', 'pass'],
      ['192.0.2.1', 'fail'],
    ]);
    expect(overLimits(r.spf)).toEqual([]);
  });

  test('an 11-lookup include chain is over the limit', async () => {
    const r = await analyseDomain(resolve(), 'eleven.example');
    expect(r.spf.lookups).toBe(11);
    expect(overLimits(r.spf)).toEqual([expect.stringContaining('11 DNS-querying terms')]);
  });

  test('an include loop is found', async () => {
    const r = await analyseDomain(resolve(), 'loop.example');
    expect(r.spf.loops).toEqual(['loop.example → loop2.example → loop.example']);
    expect(overLimits(r.spf).join()).toContain('loop');
  });

  test('three void lookups overflow the limit of two', async () => {
    const r = await analyseDomain(resolve(), 'voids.example');
    expect(r.spf.voidLookups).toBe(3);
    expect(overLimits(r.spf)).toEqual([expect.stringContaining('3 void lookups')]);
  });

  test('ptr and +all are flagged', async () => {
    const r = await analyseDomain(resolve(), 'ptr.example');
    expect(r.spf.ptr).toEqual(['ptr.example: ptr']);
    expect(r.spf.plusAll).toBe(true);
    expect(r.spf.allQualifier).toBe('+');
  });

  test('the all qualifier is followed through redirect=', async () => {
    const r = await analyseDomain(resolve(), 'redirect.example');
    expect(r.spf.allQualifier).toBe('-');
    expect(r.spf.lookups).toBe(3);
  });
});

describe('DMARC', () => {
  test('tree walk names (RFC 9989 §4.10)', () => {
    expect(treeWalkNames('a.b.example.com')).toEqual([
      'a.b.example.com',
      'b.example.com',
      'example.com',
      'com',
    ]);
    expect(treeWalkNames('1.2.3.4.5.6.7.8.9.example')).toEqual([
      '1.2.3.4.5.6.7.8.9.example',
      '4.5.6.7.8.9.example',
      '5.6.7.8.9.example',
      '6.7.8.9.example',
      '7.8.9.example',
      '8.9.example',
      '9.example',
      'example',
    ]);
  });

  test('record on the domain: p applies; external rua authorised and an own one', async () => {
    const r = await analyseDomain(resolve(), 'good.example');
    expect(r.dmarc).toMatchObject({ at: '_dmarc.good.example', policy: 'reject' });
    expect(r.dmarc.destinations).toEqual([
      { uri: 'mailto:d@good.example', domain: 'good.example', external: false },
      {
        uri: 'mailto:x@reports.vendor.example',
        domain: 'reports.vendor.example',
        external: true,
        authorised: true,
      },
    ]);
  });

  test('record on the organisational domain only: sp applies to the subdomain; external rua not authorised', async () => {
    const r = await analyseDomain(resolve(), 'sub.org.example');
    expect(r.dmarc).toMatchObject({ at: '_dmarc.org.example', policy: 'reject' });
    expect(r.dmarc.destinations).toEqual([
      {
        uri: 'mailto:dmarc@elsewhere.example',
        domain: 'elsewhere.example',
        external: true,
        authorised: false,
      },
    ]);
  });

  test('a DNS timeout is a failure, not an absent record', async () => {
    const r = await analyseDomain(resolve(), 'slowdmarc.example');
    expect(r.dmarc.failure).toMatch(/timeout/);
    expect(r.dmarc.record).toBeUndefined();
  });

  test.each([
    ['v=DMARC1; p=reject', { p: 'reject', warnings: [] }],
    ['v=DMARC1; p=Quarantine; sp=none', { p: 'quarantine', sp: 'none' }],
    ['V=dmarc1;P=reject', { p: 'reject' }],
    ['v=DMARC1; p=reject; pct=50', { testing: true, warnings: [expect.stringContaining('pct= is removed')] }],
    ['v=DMARC1; p=reject; t=y', { testing: true }],
    [
      'v=DMARC1; rua=mailto:a@x.example',
      { p: undefined, warnings: [expect.stringContaining('treated as p=none')] },
    ],
    ['v=DMARC1; p=reject; rua=mailto:a@x.example!10m', { rua: ['mailto:a@x.example'] }],
  ])('parse %s', (raw, expected) => {
    const r = parseDmarc(raw);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.record).toMatchObject(expected);
  });

  test('a record that does not start with v=DMARC1 is not DMARC', () => {
    expect(parseDmarc('p=reject; v=DMARC1').ok).toBe(false);
  });
});

describe('MX', () => {
  test('all hosts at one gateway', async () => {
    const r = await analyseDomain(resolve(), 'good.example');
    expect(r.mx).toMatchObject({ state: 'ok', vendor: 'Mimecast', mixed: false, allEop: false });
  });

  test('mixed MX: one host at EOP, one at the gateway', async () => {
    const r = await analyseDomain(resolve(), 'mixed.example');
    expect(r.mx).toMatchObject({ state: 'ok', mixed: true, allEop: false });
  });
});

describe('DKIM selectors', () => {
  test('Microsoft selectors compared with Get-DkimSigningConfig, gateway selector checked for a key', async () => {
    const r = await analyseDomain(resolve(), 'signed.example', {
      dkim: new Map([
        [
          'signed.example',
          {
            domain: 'signed.example',
            microsoft: [
              { selector: 'selector1', target: 'selector1-signed-example._domainkey.signed.onmicrosoft.com' },
              { selector: 'selector2', target: 'selector2-signed-example._domainkey.signed.onmicrosoft.com' },
            ],
            gatewaySelectors: ['gw1', 'gw2'],
          },
        ],
      ]),
    });
    expect(r.dkim.map((s) => [s.selector, s.status])).toEqual([
      ['selector1', 'ok'],
      ['selector2', 'mismatch'],
      ['gw1', 'ok'],
      ['gw2', 'missing'],
    ]);
  });
});

describe('many domains', () => {
  test('bounded concurrency keeps input order and reports progress', async () => {
    const progress: number[] = [];
    const r = await analyseDomains(resolve(), ['good.example', 'loop.example', 'mixed.example'], {
      concurrency: 2,
      onProgress: (d) => progress.push(d),
    });
    expect(r.map((x) => x.domain)).toEqual(['good.example', 'loop.example', 'mixed.example']);
    expect(progress).toEqual([1, 2, 3]);
  });
});
