import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { findProfile } from '../../src/assess-export.js';
import { NO_GATEWAY, type ResolvedGateway } from '../../src/common/gateway.js';
import { inlineSafe } from '../../src/common/text.js';
import { KQL_QUERY_IDS, kqlQueries, kqlTenant, type KqlTenant } from '../../src/kql/queries.js';
import { readExport } from '../../src/snapshot/read.js';
import { REPO } from '../support/cli-bundle.js';
import { compactStrings, skeleton, tokenizeKql, type KqlToken } from '../support/kql-tokenizer.js';

/**
 * The columns of EmailEvents as documented (learn.microsoft.com "EmailEvents table in the advanced hunting schema",
 * ms.date 2026-08-03; reference/formats.md §3). A query naming any other column is wrong.
 */
const EMAIL_EVENTS_COLUMNS = new Set(
  (
    'Timestamp NetworkMessageId InternetMessageId SenderMailFromAddress SenderFromAddress SenderDisplayName ' +
    'SenderObjectId SenderMailFromDomain SenderFromDomain SenderIPv4 SenderIPv6 RecipientEmailAddress ' +
    'RecipientObjectId Subject EmailClusterId EmailDirection DeliveryAction DeliveryLocation ThreatTypes ThreatNames ' +
    'DetectionMethods ConfidenceLevel BulkComplaintLevel EmailAction EmailActionPolicy EmailActionPolicyGuid ' +
    'AuthenticationDetails AttachmentCount UrlCount EmailLanguage Connectors OrgLevelAction OrgLevelPolicy ' +
    'UserLevelAction UserLevelPolicy ReportId AdditionalFields LatestDeliveryLocation LatestDeliveryAction ' +
    'OriginalThreatTypes OriginalDetectionMethods OriginalConfidenceLevel DistributionList ExchangeTransportRule ' +
    'ForwardingInformation Context To Cc ThreatClassification RecipientDomain EmailSize IsFirstContact Topics'
  ).split(' '),
);

const gateway = (ips: string[], name = 'Example SEG'): ResolvedGateway => ({
  ...NO_GATEWAY,
  source: 'profile',
  name,
  ips,
});

function tenant(over: Partial<KqlTenant> = {}): KqlTenant {
  return {
    source: 'a test tenant',
    gateway: gateway(['203.0.113.10', '198.51.100.0/28']),
    acceptedDomains: ['contoso.com', 'contoso.onmicrosoft.com'],
    hybridIps: [],
    directSendSources: [{ name: 'scanners', ips: ['192.0.2.50'] }],
    safetyNet: { name: 'Safety net', basis: 'a test' },
    ...over,
  };
}

/** Each query's block: from its `// ---- id ----` line to the next. */
function blocks(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(/\n\n(?=\/\/ ---- )/).slice(1)) {
    const id = /^\/\/ ---- (\S+) ----/.exec(part)?.[1];
    if (id) out.set(id, part);
  }
  return out;
}

/** The value bound by `let <name> = …;`: a string, or the strings of a dynamic()/pack_array() list. */
function letValue(tokens: readonly KqlToken[], name: string): string | string[] | undefined {
  const t = compactStrings(tokens).filter((x) => x.kind !== 'comment' && x.kind !== 'newline');
  for (let i = 0; i + 3 < t.length; i++) {
    if (t[i]!.value !== 'let' || t[i + 1]!.value !== name || t[i + 2]!.value !== '=') continue;
    const first = t[i + 3]!;
    if (first.kind === 'string') return first.value;
    const values: string[] = [];
    for (let j = i + 4; j < t.length && t[j]!.value !== ';'; j++)
      if (t[j]!.kind === 'string') values.push(t[j]!.value);
    return values;
  }
  return undefined;
}

/** Names the query defines itself: let, extend/summarize outputs. */
function definedNames(tokens: readonly KqlToken[]): Set<string> {
  const t = tokens.filter((x) => x.kind !== 'comment' && x.kind !== 'newline');
  const out = new Set<string>();
  for (let i = 0; i + 1 < t.length; i++) {
    if (t[i]!.kind === 'identifier' && t[i + 1]!.value === '=' && t[i - 1]?.value !== '.')
      out.add(t[i]!.value);
  }
  return out;
}

/** Characters that must never be raw in a comment a person reads: controls, line separators, bidi. */
// eslint-disable-next-line no-control-regex -- the point of the test
const RAW_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** A hostile value of each kind a tenant controls; the tests put one in every place a value goes. */
const HOSTILE_DOMAINS = [
  "o'brien.example",
  'quote".example',
  'back\\slash.example\\',
  'new\nline.example | where true //',
  "x' or true or 'y.example",
  'bidi\u202eelpmaxe.example',
  'sep\u2028line.example',
];
const HOSTILE_RULE = "Safety' | take 1 // net\n| project 'x\u2066\u202e\\";
const HOSTILE_NAME = 'SEG\n| where false //\u202e';

describe('hostile tenant values stay inside their literals and comments', () => {
  const hostile = tenant({
    gateway: gateway(
      [
        '203.0.113.10',
        "203.0.113.11' or true //",
        '198.51.100.5/28',
        '0.0.0.0/0',
        '2001:DB8:0:0::/48',
        '::ffff:203.0.113.9',
        '192.0.2.1-192.0.2.6',
        'not-an-ip\n| take 1',
      ],
      HOSTILE_NAME,
    ),
    acceptedDomains: HOSTILE_DOMAINS,
    directSendSources: [{ name: 'scanners', ips: ['192.0.2.50', '192.0.2.999'] }],
    safetyNet: { name: HOSTILE_RULE, basis: 'the rule\nnamed by a hostile admin' },
  });
  // The same shape with plain values: the code around the values must not change.
  const benign = tenant({
    gateway: gateway([
      '203.0.113.10',
      '198.51.100.0/28',
      '2001:db8::/48',
      '203.0.113.9',
      '192.0.2.1-192.0.2.6',
    ]),
    acceptedDomains: HOSTILE_DOMAINS.map((_, i) => `d${i}.example`),
    directSendSources: [{ name: 'scanners', ips: ['192.0.2.50'] }],
    safetyNet: { name: 'Safety net', basis: 'plain' },
  });
  const out = kqlQueries(hostile);
  const plain = kqlQueries(benign);
  const tokens = tokenizeKql(out.text);

  test('every query is written and the whole text tokenizes (no literal left open)', () => {
    expect(out.queries.map((q) => q.written)).toEqual([true, true, true, true]);
    expect(tokens.length).toBeGreaterThan(0);
  });

  test('the code skeleton is the one of the benign tenant: no value turned into code', () => {
    expect(skeleton(tokens)).toEqual(skeleton(tokenizeKql(plain.text)));
  });

  test('each value reads back exactly from its literal', () => {
    for (const block of blocks(out.text).values()) {
      const t = tokenizeKql(block);
      const domains = letValue(t, 'OwnDomains');
      if (domains !== undefined) expect(domains).toEqual(HOSTILE_DOMAINS);
      const rule = letValue(t, 'SafetyNetRule');
      if (rule !== undefined) expect(rule).toBe(HOSTILE_RULE);
    }
  });

  test('comments: the same lines as for the benign tenant, none with a raw control or bidi character', () => {
    const comments = tokens.filter((t) => t.kind === 'comment');
    const hostileLeftOut = 4; // two invalid entries, 0.0.0.0/0, 192.0.2.999, noted in direct-inbound and inventory
    expect(comments.length).toBeGreaterThan(0);
    for (const c of comments) expect(c.value).not.toMatch(RAW_UNSAFE);
    const plainComments = tokenizeKql(plain.text).filter((t) => t.kind === 'comment');
    // The notes on left-out entries are the only extra comment lines (in direct-inbound, own-domain-spoof and the inventory).
    const notes = comments.filter((c) => c.value.startsWith(' left out'));
    expect(comments.length - notes.length).toBe(plainComments.length);
    expect(notes.length).toBeGreaterThanOrEqual(hostileLeftOut);
    expect(out.text).toContain(inlineSafe(HOSTILE_NAME));
  });

  test('IPs are validated and written in CIDR form; invalid and overly wide entries are left out with a note', () => {
    const block = blocks(out.text).get('direct-inbound')!;
    const t = tokenizeKql(block);
    expect(letValue(t, 'GatewayIPv4')).toEqual([
      '203.0.113.10',
      '198.51.100.0/28',
      '203.0.113.9',
      '192.0.2.1',
      '192.0.2.2/31',
      '192.0.2.4/31',
      '192.0.2.6',
    ]);
    expect(letValue(t, 'GatewayIPv6')).toEqual(['2001:db8::/48']);
    expect(letValue(t, 'KnownIPv4')).toEqual(['192.0.2.50']);
    for (const left of ["203.0.113.11' or true //", '0.0.0.0/0', 'not-an-ip\n| take 1', '192.0.2.999']) {
      expect(out.warnings.some((w) => w.includes(left))).toBe(true);
      expect(block).toContain(inlineSafe(left));
    }
  });
});

describe('the bundled examples', () => {
  test.each([
    ['wide-open', ['contoso.com'], 'mxlock - BLOCK direct EOP ingress (bypass SEG)', false],
    ['half-done', ['fabrikam.com'], 'BLOCK - Direct EOP Ingress (Bypass SEG)', true],
    ['hardened', ['northwindtraders.com'], 'BLOCK - Direct EOP Ingress (Bypass SEG)', true],
  ] as const)(
    '%s: four queries with its gateway, domains and safety net',
    async (name, domains, rule, known) => {
      const dir = join(REPO, 'examples', name);
      const { profile } = await findProfile(dir, undefined);
      const out = kqlQueries(kqlTenant(profile, await readExport(dir)));
      expect(out.queries).toEqual(KQL_QUERY_IDS.map((id) => ({ id, written: true })));
      expect(out.warnings).toEqual([]);
      const all = blocks(out.text);
      expect([...all.keys()]).toEqual(KQL_QUERY_IDS);
      for (const [id, block] of all) {
        const t = tokenizeKql(block);
        const lines = block.trimEnd().split('\n');
        // Structure: the id line, what it finds and its limits as comments, then the query.
        expect(lines[0]).toBe(`// ---- ${id} ----`);
        const firstCode = lines.findIndex((l) => !l.startsWith('//'));
        expect(firstCode).toBeGreaterThan(3);
        expect(lines.slice(firstCode).every((l) => !l.startsWith('//'))).toBe(true);
        expect(lines.slice(0, firstCode).join('\n')).toMatch(/5\.7\.68/);
        expect(lines.slice(0, firstCode).join('\n')).toMatch(/last 30 days/);
        expect(lines[firstCode]).toBe('let Lookback = 30d;');
        const table = lines.indexOf('EmailEvents');
        expect(table).toBeGreaterThan(firstCode);
        expect(lines.slice(firstCode, table).every((l) => l.startsWith('let '))).toBe(true);
        expect(lines.slice(table + 1).every((l) => l.startsWith('| ') || l.startsWith('    '))).toBe(true);
        expect(lines[table + 1]).toBe('| where Timestamp > ago(Lookback)');
        // Only documented EmailEvents columns, or names the query defines.
        const defined = definedNames(t);
        const used = t
          .filter((x) => x.kind === 'identifier' && /^[A-Z]/.test(x.value))
          .map((x) => x.value)
          .filter((v) => v !== 'EmailEvents' && !defined.has(v));
        expect(used.filter((v) => !EMAIL_EVENTS_COLUMNS.has(v))).toEqual([]);
        if (id !== 'safety-net-hits') {
          const own = letValue(t, 'OwnDomains');
          if (own !== undefined) expect(own).toEqual(expect.arrayContaining([...domains]));
        }
        if (id === 'direct-inbound' || id === 'direct-send-inventory') {
          expect(letValue(t, 'GatewayIPv4')).toEqual(['203.0.113.10', '203.0.113.11', '198.51.100.0/28']);
          expect(block).toContain('| where not(ViaGateway)');
          expect(letValue(t, 'KnownIPv4')).toEqual(known ? ['192.0.2.50'] : undefined);
        }
      }
      expect(letValue(tokenizeKql(all.get('safety-net-hits')!), 'SafetyNetRule')).toBe(rule);
      expect(all.get('direct-send-inventory')).toMatch(
        /summarize Count = count\(\), FirstSeen = min\(Timestamp\), LastSeen = max\(Timestamp\)/,
      );
    },
  );
});

describe('what is unknown is not written as an empty list', () => {
  test('no gateway IPs: the gateway queries say why instead; the spoof query is written without ViaGateway', () => {
    const out = kqlQueries(tenant({ gateway: { ...gateway([]), certificate: '*.seg.example' } }));
    expect(out.queries).toEqual([
      { id: 'direct-inbound', written: false, reason: expect.stringMatching(/certificate-only/) },
      { id: 'own-domain-spoof', written: true },
      { id: 'safety-net-hits', written: true },
      { id: 'direct-send-inventory', written: false, reason: expect.stringMatching(/gateway\.ips/) },
    ]);
    const b = blocks(out.text);
    expect(b.get('direct-inbound')).not.toContain('EmailEvents\n');
    expect(b.get('direct-inbound')).toMatch(/^\/\/ Not written: /m);
    expect(b.get('own-domain-spoof')).not.toContain('ViaGateway =');
    expect(out.warnings.filter((w) => w.startsWith('query '))).toHaveLength(2);
  });

  test.each([
    ['gateway none', { gateway: NO_GATEWAY }, /no gateway/],
    ['gateway unknown (no export, no profile gateway)', { gateway: undefined }, /gateway is unknown/],
    [
      'gateway unknown (inference failed)',
      { gateway: { ...NO_GATEWAY, source: 'unknown' as const } },
      /declare gateway\.ips/,
    ],
  ])('%s', (_, over, reason) => {
    const out = kqlQueries(tenant(over));
    expect(out.queries.find((q) => q.id === 'direct-inbound')?.reason).toMatch(reason);
  });

  test('accepted domains unknown: the domain queries are not written', () => {
    const out = kqlQueries(tenant({ acceptedDomains: undefined }));
    expect(out.queries.filter((q) => !q.written).map((q) => q.id)).toEqual([
      'own-domain-spoof',
      'direct-send-inventory',
    ]);
    expect(out.text).not.toContain('OwnDomains =');
  });

  test('a selection writes only those queries, in the catalogue order', () => {
    const out = kqlQueries(tenant(), ['direct-send-inventory', 'direct-inbound']);
    expect([...blocks(out.text).keys()]).toEqual(['direct-inbound', 'direct-send-inventory']);
  });

  test('without the export, the safety-net rule is the name the plan gives it, and the comment says so', async () => {
    const { profile } = await findProfile(join(REPO, 'examples', 'hardened'), undefined);
    const t = kqlTenant(profile, undefined);
    expect(t.acceptedDomains).toBeUndefined();
    expect(t.safetyNet.name).toBe('mxlock - BLOCK direct EOP ingress (bypass SEG)');
    expect(kqlQueries(t, ['safety-net-hits']).text).toMatch(/Get-TransportRule\.json was not read/);
  });
});
