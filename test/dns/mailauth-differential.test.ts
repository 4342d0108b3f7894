/**
 * mailauth 4.13 as a differential oracle (test-only) for mxlock's SPF `check_host()` (src/dns/spf/evaluate.ts) and
 * DMARC policy discovery (src/dns/dmarc.ts). Both read the same DNS: the zone mxlock reads is served to mailauth
 * by test/support/mailauth-oracle.ts with node:dns's records and error codes, which the first block checks
 * against a real node:dns Resolver talking to the loopback server.
 *
 * Every disagreement must be listed, by case or seed, with the known difference that explains it; a new one, or
 * a listed one that no longer happens, fails the test. The known differences are the catalogues below, each a
 * minimal zone with what mxlock, mailauth and the RFC say, and a class:
 * - `mxlock-bug`: mxlock departs from the RFC (some of these mailauth shares, so no differential run sees them);
 * - `mailauth-deviation`: mailauth departs from the RFC and mxlock does not;
 * - `deliberate`: mxlock's documented choice (spf-conformance.test.ts, src/dns/dmarc.ts) that mailauth 4.13 does
 *   not make.
 *
 * Inputs both can state: mailauth checks the domain of the MAIL FROM (it takes no separate <domain>), so the
 * sender is put in the checked domain; it always enforces the void-lookup limit, so mxlock does too except where
 * both are told not to.
 */
import { promises as dnsPromises } from 'node:dns';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { discoverDmarc, type DmarcDiscovery } from '../../src/dns/dmarc.js';
import { liveResolver } from '../../src/dns/live.js';
import { recordedResolver, type ResolveFn, type RRType } from '../../src/dns/resolver.js';
import { checkHostSpf, type SpfResult } from '../../src/dns/spf/evaluate.js';
import { expandMacros } from '../../src/dns/spf/macro.js';
import { zoneFromJson, type DnsZone } from '../../src/common/zone.js';
import {
  startDnsServer,
  type TestDnsServer,
  type ZoneRecords,
  LOOPBACK_DNS_TIMEOUT_MS,
} from '../support/dns-server.js';
import {
  dmarcTree,
  rng,
  SPF_DOMAINS,
  SPF_HOSTS,
  spfRichZone,
  spfZoneJson,
  type DnsJson,
  type ExpandFn,
} from '../support/generated-zones.js';
import {
  mailauthDmarc,
  mailauthSpf,
  memoryResolver,
  NO_POLICY_TAG,
  withFaults,
  type DmarcOutcome,
  type Faults,
  type MemoryZone,
} from '../support/mailauth-oracle.js';
import {
  CASES as RFC7208_CASES,
  TIMEOUTS as RFC7208_TIMEOUTS,
  ZONE as RFC7208_ZONE,
} from '../support/spf-rfc7208-zone.js';

type DifferenceClass = 'mxlock-bug' | 'mailauth-deviation' | 'deliberate';

const zoneOf = (json: DnsJson): DnsZone => zoneFromJson(json as Parameters<typeof zoneFromJson>[0]);
const HELO = 'client.test';

/** `user@domain` with the generator's local-part, in the domain being checked (mailauth has no separate <domain>). */
const senderIn = (sender: string, domain: string) => `${sender.slice(0, sender.lastIndexOf('@'))}@${domain}`;

// --- the SPF catalogue ----------------------------------------------------------------------------------------

interface KnownSpfDifference {
  class: DifferenceClass;
  section: string;
  why: string;
  zone: MemoryZone;
  faults?: Faults;
  ip: string;
  sender: string;
  /** What RFC 7208 requires; for `deliberate`, mxlock's reading of it. */
  rfc: SpfResult;
  mxlock: SpfResult;
  mailauth: SpfResult;
}

const ELEVEN_PTR_TERMS = Array.from({ length: 11 }, () => 'ptr:elsewhere.test').join(' ');

const SPF_DIFFERENCES = {
  'lazy-syntax': {
    class: 'mailauth-deviation',
    section: 'RFC 7208 §4.6',
    why:
      'a syntax error anywhere in the record is a permerror before any term is evaluated; mailauth checks most ' +
      'terms only when it reaches them (an ip4 address, an empty include:), so a term before them decides',
    zone: { 'lazy.test': { TXT: ['v=spf1 +all ip4:192.0.2.300'] } },
    ip: '192.0.2.1',
    sender: 'user@lazy.test',
    rfc: 'permerror',
    mxlock: 'permerror',
    mailauth: 'pass',
  },
  'duplicate-exp': {
    class: 'mailauth-deviation',
    section: 'RFC 7208 §6',
    why: 'redirect= and exp= MUST NOT appear more than once (permerror); mailauth does not check exp=',
    zone: { 'twoexp.test': { TXT: ['v=spf1 exp=a.twoexp.test exp=b.twoexp.test -all'] } },
    ip: '192.0.2.1',
    sender: 'user@twoexp.test',
    rfc: 'permerror',
    mxlock: 'permerror',
    mailauth: 'fail',
  },
  'exp-only-macro': {
    class: 'mailauth-deviation',
    section: 'RFC 7208 §7.2',
    why: 'the macro letters c, r and t are allowed only in exp= text; mailauth expands %{c} anywhere',
    zone: { 'cmacro.test': { TXT: ['v=spf1 exists:%{c}.cmacro.test -all'] } },
    ip: '192.0.2.1',
    sender: 'user@cmacro.test',
    rfc: 'permerror',
    mxlock: 'permerror',
    mailauth: 'fail',
  },
  'zero-digit-transformer': {
    class: 'mailauth-deviation',
    section: 'RFC 7208 §7.3',
    why: 'a DIGIT transformer MUST be nonzero; mailauth reads %{i0} as %{i}',
    zone: {
      'zero.test': { TXT: ['v=spf1 exists:%{i0}.e.zero.test -all'] },
      '192.0.2.1.e.zero.test': { A: ['127.0.0.2'] },
    },
    ip: '192.0.2.1',
    sender: 'user@zero.test',
    rfc: 'permerror',
    mxlock: 'permerror',
    mailauth: 'pass',
  },
  'version-tab': {
    class: 'mailauth-deviation',
    section: 'RFC 7208 §4.5',
    why:
      'the version section "v=spf1" ends at a space or the end of the record, so "v=spf1<TAB>…" is no SPF ' +
      'record (none); mailauth splits on any whitespace, takes it as one and rejects its characters',
    zone: { 'tabversion.test': { TXT: ['v=spf1\tip4:192.0.2.1 -all'] } },
    ip: '192.0.2.1',
    sender: 'user@tabversion.test',
    rfc: 'none',
    mxlock: 'none',
    mailauth: 'permerror',
  },
  'void-single-stack': {
    class: 'mailauth-deviation',
    section: 'RFC 7208 §4.6.4',
    why:
      'a void lookup is a query answered with no records or NXDOMAIN; for an IPv6 client an AAAA query of a ' +
      'host with only A records is one, but mailauth asks A and AAAA together and counts a void only when both are',
    zone: {
      'single.test': { TXT: ['v=spf1 a:h1.single.test a:h2.single.test a:h3.single.test -all'] },
      'h1.single.test': { A: ['192.0.2.1'] },
      'h2.single.test': { A: ['192.0.2.2'] },
      'h3.single.test': { A: ['192.0.2.3'] },
    },
    ip: '2001:db8::1',
    sender: 'user@single.test',
    rfc: 'permerror',
    mxlock: 'permerror',
    mailauth: 'fail',
  },
  'void-mx-hosts': {
    class: 'mailauth-deviation',
    section: 'RFC 7208 §4.6.4',
    why:
      'the address lookups of MX hosts are DNS queries of the evaluation like any other; mailauth counts their ' +
      'void answers against a separate budget of two for each mx term',
    zone: {
      'mxvoid.test': {
        TXT: ['v=spf1 a:nx1.mxvoid.test mx -all'],
        MX: [
          { exchange: 'nx2.mxvoid.test', priority: 10 },
          { exchange: 'nx3.mxvoid.test', priority: 20 },
        ],
      },
    },
    ip: '192.0.2.1',
    sender: 'user@mxvoid.test',
    rfc: 'permerror',
    mxlock: 'permerror',
    mailauth: 'fail',
  },
  'ptr-cached-void': {
    class: 'mailauth-deviation',
    section: 'RFC 7208 §4.6.4',
    why:
      'each ptr term queries the PTR record; mailauth asks once per evaluation and reuses the answer, so a second ' +
      'ptr term whose query is void is not counted',
    zone: { 'ptrvoid.test': { TXT: ['v=spf1 ptr:a.test ptr:b.test a:nx.ptrvoid.test -all'] } },
    ip: '192.0.2.1',
    sender: 'user@ptrvoid.test',
    rfc: 'permerror',
    mxlock: 'permerror',
    mailauth: 'fail',
  },
  'ptr-cached-lookups': {
    class: 'mailauth-deviation',
    section: 'RFC 7208 §4.6.4',
    why:
      'every ptr term counts toward the 10 DNS-querying terms; mailauth counts queries, and asks the PTR ' +
      'record once, so the 11th ptr term is not refused',
    zone: {
      'ptrmany.test': { TXT: [`v=spf1 ${ELEVEN_PTR_TERMS} -all`] },
      '1.2.0.192.in-addr.arpa': { PTR: ['mail.other.test'] },
    },
    ip: '192.0.2.1',
    sender: 'user@ptrmany.test',
    rfc: 'permerror',
    mxlock: 'permerror',
    mailauth: 'fail',
  },
  'servfail-include': {
    class: 'mailauth-deviation',
    section: 'RFC 7208 §4.4, §5.2',
    why:
      'a DNS error (SERVFAIL) on the included record makes the inner check_host() temperror, and include returns ' +
      'it; mailauth turns only timeouts and REFUSED into temperror and drops any other DNS error inside include',
    zone: { 'incbroken.test': { TXT: ['v=spf1 include:broken.test -all'] } },
    faults: { 'broken.test': 'servfail' },
    ip: '192.0.2.1',
    sender: 'user@incbroken.test',
    rfc: 'temperror',
    mxlock: 'temperror',
    mailauth: 'fail',
  },
  'servfail-redirect': {
    class: 'mailauth-deviation',
    section: 'RFC 7208 §4.4, §6.1',
    why: 'as servfail-include, for redirect=: mailauth drops the error and falls back to neutral',
    zone: { 'redirbroken.test': { TXT: ['v=spf1 redirect=broken.test'] } },
    faults: { 'broken.test': 'servfail' },
    ip: '192.0.2.1',
    sender: 'user@redirbroken.test',
    rfc: 'temperror',
    mxlock: 'temperror',
    mailauth: 'neutral',
  },
  'd-macro-in-include': {
    class: 'mailauth-deviation',
    section: 'RFC 7208 §5.2, §7.2',
    why:
      '%{d} is <domain>, which include: sets to the included domain; mailauth expands %{d} (and the default ' +
      'target of ptr) to the sender’s domain at every depth',
    zone: {
      'dtop.test': { TXT: ['v=spf1 include:dinc.test -all'] },
      'dinc.test': { TXT: ['v=spf1 exists:%{d}.e.test'] },
      'dinc.test.e.test': { A: ['127.0.0.2'] },
    },
    ip: '192.0.2.1',
    sender: 'user@dtop.test',
    rfc: 'pass',
    mxlock: 'pass',
    mailauth: 'fail',
  },
  'p-macro': {
    class: 'mailauth-deviation',
    section: 'RFC 7208 §7.3',
    why: '%{p} is the validated domain name of the client; mailauth substitutes the sender’s domain',
    zone: {
      'pmacro.test': { TXT: ['v=spf1 exists:%{p}.e.test -all'] },
      '1.2.0.192.in-addr.arpa': { PTR: ['mail.pmacro.test'] },
      'mail.pmacro.test': { A: ['192.0.2.1'] },
      'mail.pmacro.test.e.test': { A: ['127.0.0.2'] },
    },
    ip: '192.0.2.1',
    sender: 'user@pmacro.test',
    rfc: 'pass',
    mxlock: 'pass',
    mailauth: 'fail',
  },
  'uppercase-macro': {
    class: 'mailauth-deviation',
    section: 'RFC 7208 §7.3',
    why: 'an upper-case macro letter is URL-escaped after expansion ("+" becomes "%2B"); mailauth does not escape',
    zone: {
      'upper.test': { TXT: ['v=spf1 exists:%{L}.u.upper.test -all'] },
      'a%2bb.u.upper.test': { A: ['127.0.0.2'] },
    },
    ip: '192.0.2.1',
    sender: 'a+b@upper.test',
    rfc: 'pass',
    mxlock: 'pass',
    mailauth: 'fail',
  },
  'mx-over-ten-hosts': {
    class: 'deliberate',
    section: 'RFC 7208 §4.6.4',
    why:
      'spf-conformance.test.ts: "more than 10 MX hosts is a permerror", as soon as the MX answer has 11 (the ' +
      'RFC 7208 test suite settles the ambiguity that way); mailauth fails only at the 11th address query, so a ' +
      'match on an earlier host passes',
    zone: {
      'manymx.test': {
        TXT: ['v=spf1 mx -all'],
        MX: Array.from({ length: 11 }, (_, i) => ({ exchange: `mx${i}.manymx.test`, priority: i })),
      },
      'mx0.manymx.test': { A: ['192.0.2.1'] },
    },
    ip: '192.0.2.1',
    sender: 'user@manymx.test',
    rfc: 'permerror',
    mxlock: 'permerror',
    mailauth: 'pass',
  },
  'ptr-dns-error': {
    class: 'mailauth-deviation',
    section: 'RFC 7208 §5.5',
    why:
      '"If a DNS error occurs while doing the PTR RR lookup, then this mechanism fails to match": the ptr term ' +
      'does not match and evaluation goes on (-all: fail); mailauth 4.13 returns temperror',
    zone: { 'ptrerr.test': { TXT: ['v=spf1 ptr -all'] } },
    faults: { '1.2.0.192.in-addr.arpa': 'timeout' },
    ip: '192.0.2.1',
    sender: 'user@ptrerr.test',
    rfc: 'fail',
    mxlock: 'fail',
    mailauth: 'temperror',
  },
} satisfies Record<string, KnownSpfDifference>;

type SpfDifferenceId = keyof typeof SPF_DIFFERENCES;

/** A listed disagreement: the difference that explains it, then mxlock's result and mailauth's. */
type Listed = readonly [SpfDifferenceId, SpfResult, SpfResult];

async function bothSpf(
  resolveMxlock: ResolveFn,
  resolveMailauth: ResolveFn,
  input: { ip: string; domain: string; sender: string; helo?: string; enforceVoidLimit?: boolean },
): Promise<{ mxlock: SpfResult; mailauth: SpfResult; trace: string; comment: string }> {
  const common = { ...input, helo: input.helo ?? HELO, enforceVoidLimit: input.enforceVoidLimit ?? true };
  const mx = await checkHostSpf(resolveMxlock, common);
  const ma = await mailauthSpf(resolveMailauth, common);
  return { mxlock: mx.result, mailauth: ma.result, trace: mx.trace.join('\n'), comment: ma.comment };
}

/** Runs every seed and keeps the disagreements, as the allow-lists state them (without the explanation). */
async function disagreements(
  seeds: readonly number[],
  run: (seed: number) => Promise<{ mxlock: SpfResult; mailauth: SpfResult }>,
): Promise<{ found: Record<number, [SpfResult, SpfResult]>; results: Set<SpfResult> }> {
  const found: Record<number, [SpfResult, SpfResult]> = {};
  const results = new Set<SpfResult>();
  for (const seed of seeds) {
    const r = await run(seed);
    results.add(r.mxlock);
    if (r.mxlock !== r.mailauth) found[seed] = [r.mxlock, r.mailauth];
  }
  return { found, results };
}

const withoutReason = (listed: Record<number, Listed>) =>
  Object.fromEntries(Object.entries(listed).map(([seed, [, mx, ma]]) => [seed, [mx, ma]]));

/**
 * The names the rich generator's exists: terms query, so that it can make some of them exist. mxlock's expansion
 * serves here only to build zone data: were it wrong, mailauth would ask for other names and the runs disagree.
 * The rich zones use no %{d}, so the domain given does not matter.
 */
const expandForZone: ExpandFn = (spec, { ip, sender, helo }) =>
  expandMacros(spec, { sender, domain: 'unused.test', ip, helo }).toLowerCase();

// --- the adapter answers as node:dns does ---------------------------------------------------------------------

type Settled = { records: unknown[] } | { code: string };

/** The answer or the error code; `joinTxt` compares TXT records by their text, not by their character-strings. */
async function settle(resolve: ResolveFn, name: string, type: RRType, joinTxt = false): Promise<Settled> {
  try {
    const records = await resolve(name, type);
    return { records: joinTxt && type === 'TXT' ? records.map((r) => (r as string[]).join('')) : records };
  } catch (err) {
    return { code: String((err as { code?: unknown }).code) };
  }
}

const TYPES: RRType[] = ['A', 'AAAA', 'MX', 'TXT', 'PTR'];
/** Questions sent to the loopback server at once. */
const QUESTIONS_IN_FLIGHT = 20;

describe('the memory resolver answers as node:dns does', () => {
  const rich = spfRichZone(7, expandForZone);
  const zone: Record<string, ZoneRecords> = {
    ...RFC7208_ZONE,
    ...rich.zone,
    'long.test': { TXT: [`v=spf1 ${'ip4:192.0.2.1 '.repeat(30)}-all`] },
    'Mixed.Case.test': { MX: [{ exchange: 'MX.Mixed.Case.test.', priority: 5 }], PTR: ['Host.Example.'] },
  };
  const faults: Faults = { 'slow.test': 'timeout', 'broken.test': 'servfail' };
  let server: TestDnsServer;
  beforeAll(async () => {
    // A copy: encoding a TXT answer turns the server's character-string arrays into Buffers in place.
    server = await startDnsServer(structuredClone(zone));
    server.setFault('slow.test', { timeout: true });
    server.setFault('broken.test', { servfail: true });
  });
  afterAll(async () => {
    await server.close();
  });

  test('records and error codes, over the loopback server and in memory', async () => {
    // A short wait where the server never answers; elsewhere room enough for the answers of a busy loopback.
    const nodeDns = (timeout: number): ResolveFn => {
      const resolver = new dnsPromises.Resolver({ timeout, tries: 1 });
      resolver.setServers([server.server]);
      return (name, type) => resolver.resolve(name, type) as Promise<unknown[]>;
    };
    const patient = nodeDns(2_000);
    const impatient = nodeDns(100);
    const inMemory = memoryResolver(zone, faults);
    const questions: [string, RRType][] = [
      ...Object.keys(zone)
        .filter((name) => !(name in faults))
        .flatMap((name) => TYPES.map((t): [string, RRType] => [name, t])),
      ...TYPES.map((t): [string, RRType] => ['absent.nowhere.test', t]),
      ['mixed.case.test.', 'MX'],
      ['slow.test', 'TXT'],
      ['broken.test', 'TXT'],
      ['broken.test', 'A'],
    ];
    const answers: { question: string; overDns: Settled; inMemory: Settled }[] = [];
    for (let i = 0; i < questions.length; i += QUESTIONS_IN_FLIGHT) {
      const batch = questions.slice(i, i + QUESTIONS_IN_FLIGHT);
      answers.push(
        ...(await Promise.all(
          batch.map(async ([name, type]) => ({
            question: `${name} ${type}`,
            overDns: await settle(faults[name] === 'timeout' ? impatient : patient, name, type),
            inMemory: await settle(inMemory, name, type),
          })),
        )),
      );
    }
    const codes = new Set<string>();
    for (const a of answers) {
      if ('code' in a.overDns) codes.add(a.overDns.code);
      expect(a.inMemory, a.question).toEqual(a.overDns);
    }
    // Every kind of answer was compared.
    expect([...codes].sort()).toEqual(['ENODATA', 'ENOTFOUND', 'ESERVFAIL', 'ETIMEOUT']);
  });

  // recordedResolver keeps each TXT record as one string, where a server splits it into 255-octet strings.
  test('the same answers as recordedResolver, over every generated dns.json zone', async () => {
    for (let seed = 1; seed <= 100; seed++) {
      const { json } = spfZoneJson(seed);
      const recorded = recordedResolver(zoneOf(json));
      const inMemory = memoryResolver(json as MemoryZone);
      const questions = [...Object.keys(json), 'absent.test'].flatMap((name) =>
        TYPES.map((t) => [name, t] as const),
      );
      const ask = (resolve: ResolveFn) =>
        Promise.all(
          questions.map(async ([name, type]) => [`${name} ${type}`, await settle(resolve, name, type, true)]),
        );
      expect(await ask(inMemory), `seed ${seed}`).toEqual(await ask(recorded));
    }
  });
});

// --- RFC 7208 conformance cases -------------------------------------------------------------------------------

/** Conformance cases (by domain and client) where the two disagree. */
const CONFORMANCE_DIFFERENCES: Record<string, Listed> = {
  'tabversion.test 192.0.2.1': ['version-tab', 'none', 'permerror'],
  'cmacro.test 192.0.2.1': ['exp-only-macro', 'permerror', 'fail'],
  'twoexp.test 192.0.2.1': ['duplicate-exp', 'permerror', 'fail'],
};

describe('RFC 7208 conformance cases: mxlock and mailauth over the same loopback DNS', () => {
  let server: TestDnsServer;
  beforeAll(async () => {
    server = await startDnsServer(structuredClone(RFC7208_ZONE));
    for (const name of RFC7208_TIMEOUTS) server.setFault(name, { timeout: true });
  });
  afterAll(async () => {
    await server.close();
  });

  test.each(RFC7208_CASES.map((c) => [`${c.section} ${c.what}`, c] as const))('%s', async (_name, c) => {
    const overDns = liveResolver({ servers: [server.server], timeoutMs: LOOPBACK_DNS_TIMEOUT_MS, tries: 1 });
    const faults = Object.fromEntries(RFC7208_TIMEOUTS.map((n) => [n, 'timeout' as const]));
    const inMemory = memoryResolver(RFC7208_ZONE, faults);
    const input = { ip: c.ip ?? '192.0.2.1', domain: c.domain, sender: c.sender ?? `user@${c.domain}` };
    const r = await bothSpf(overDns, overDns, input);
    // The conformance result stands, and mailauth reads the memory zone as it reads the server.
    expect(r.mxlock, r.trace).toBe(c.result);
    expect((await mailauthSpf(inMemory, { ...input, helo: HELO })).result).toBe(r.mailauth);
    const listed = CONFORMANCE_DIFFERENCES[`${c.domain} ${input.ip}`];
    expect([r.mxlock, r.mailauth], `${r.trace}\nmailauth: ${r.comment}`).toEqual(
      listed ? [listed[1], listed[2]] : [r.mxlock, r.mxlock],
    );
  });

  test('every listed conformance difference is a conformance case', () => {
    const keys = new Set(RFC7208_CASES.map((c) => `${c.domain} ${c.ip ?? '192.0.2.1'}`));
    for (const key of Object.keys(CONFORMANCE_DIFFERENCES)) expect(keys, key).toContain(key);
  });
});

// --- generated zones ------------------------------------------------------------------------------------------

const SEEDS = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** The zones of test/dns/steps.test.ts, seed for seed; mxlock reads them through recordedResolver. */
const STEPS_ZONE_DIFFERENCES: Record<number, Listed> = {
  10: ['lazy-syntax', 'permerror', 'fail'],
  46: ['ptr-cached-void', 'permerror', 'neutral'],
  83: ['lazy-syntax', 'permerror', 'pass'],
  134: ['duplicate-exp', 'permerror', 'neutral'],
  202: ['lazy-syntax', 'permerror', 'neutral'],
  247: ['ptr-cached-void', 'permerror', 'neutral'],
  248: ['lazy-syntax', 'permerror', 'pass'],
  277: ['void-single-stack', 'permerror', 'pass'],
  280: ['lazy-syntax', 'permerror', 'pass'],
  288: ['lazy-syntax', 'permerror', 'pass'],
  295: ['lazy-syntax', 'permerror', 'pass'],
  299: ['lazy-syntax', 'permerror', 'neutral'],
  303: ['lazy-syntax', 'permerror', 'fail'],
  326: ['lazy-syntax', 'permerror', 'neutral'],
  363: ['lazy-syntax', 'permerror', 'pass'],
  369: ['lazy-syntax', 'permerror', 'fail'],
};

/** The same zones with one name of each failing (timeout or SERVFAIL). */
const FAULTED_ZONE_DIFFERENCES: Record<number, Listed> = {
  10: ['lazy-syntax', 'permerror', 'fail'],
  45: ['servfail-include', 'temperror', 'pass'],
  46: ['ptr-cached-void', 'permerror', 'neutral'],
  // mailauth meets the SERVFAIL of h0.test before the empty include: mxlock rejected up front.
  83: ['lazy-syntax', 'permerror', 'temperror'],
  134: ['duplicate-exp', 'permerror', 'neutral'],
  // The SERVFAIL dropped inside include:, evaluation goes on into the void-lookup limit.
  135: ['servfail-include', 'temperror', 'permerror'],
  195: ['servfail-include', 'temperror', 'neutral'],
  202: ['lazy-syntax', 'permerror', 'neutral'],
  247: ['ptr-cached-void', 'permerror', 'neutral'],
  248: ['lazy-syntax', 'permerror', 'pass'],
  277: ['void-single-stack', 'permerror', 'pass'],
  280: ['lazy-syntax', 'permerror', 'pass'],
  288: ['lazy-syntax', 'permerror', 'pass'],
  295: ['lazy-syntax', 'permerror', 'pass'],
  299: ['lazy-syntax', 'permerror', 'neutral'],
  303: ['lazy-syntax', 'permerror', 'fail'],
  326: ['lazy-syntax', 'permerror', 'neutral'],
  363: ['servfail-include', 'temperror', 'pass'],
  // mailauth meets the timeout of d2.test before the bad ip4 term mxlock rejected up front.
  369: ['lazy-syntax', 'permerror', 'temperror'],
};

/** Rich zones (PTR records, dual CIDR, macros), the void limit off on both sides. */
const RICH_ZONE_DIFFERENCES: Record<number, Listed> = {
  1618: ['ptr-cached-lookups', 'permerror', 'pass'],
  1627: ['ptr-cached-lookups', 'permerror', 'neutral'],
};

function faultsFor(seed: number): Faults {
  const r = rng(seed + 1_000_000);
  const names = [...SPF_DOMAINS, ...SPF_HOSTS];
  return { [names[Math.floor(r() * names.length)]!]: r() < 0.5 ? 'timeout' : 'servfail' };
}

describe('SPF over generated zones: mxlock and mailauth give the same result', () => {
  test('the zones of steps.test.ts', async () => {
    const { found, results } = await disagreements(SEEDS(400), async (seed) => {
      const { json, input } = spfZoneJson(seed);
      return bothSpf(recordedResolver(zoneOf(json)), memoryResolver(json as MemoryZone), {
        ip: input.ip,
        domain: input.domain,
        sender: senderIn(input.sender, input.domain),
      });
    });
    expect(found).toEqual(withoutReason(STEPS_ZONE_DIFFERENCES));
    expect([...results].sort()).toEqual(['fail', 'neutral', 'none', 'pass', 'permerror', 'softfail']);
  });

  test('the same zones with a name that times out or fails', async () => {
    const { found, results } = await disagreements(SEEDS(400), async (seed) => {
      const { json, input } = spfZoneJson(seed);
      const faults = faultsFor(seed);
      return bothSpf(
        withFaults(recordedResolver(zoneOf(json)), faults),
        memoryResolver(json as MemoryZone, faults),
        { ip: input.ip, domain: input.domain, sender: senderIn(input.sender, input.domain) },
      );
    });
    expect(found).toEqual(withoutReason(FAULTED_ZONE_DIFFERENCES));
    expect(results).toContain('temperror');
  });

  test('rich zones: PTR records, dual CIDR lengths, macros, split TXT strings', async () => {
    const { found, results } = await disagreements(SEEDS(1700), async (seed) => {
      const c = spfRichZone(seed, expandForZone);
      const resolve = memoryResolver(c.zone, c.faults);
      const domain = c.sender.slice(c.sender.lastIndexOf('@') + 1);
      // Void lookups are compared above; here the limit is off on both sides, to compare the rest.
      return bothSpf(resolve, resolve, {
        ip: c.ip,
        domain,
        sender: c.sender,
        helo: c.helo,
        enforceVoidLimit: false,
      });
    });
    expect(found).toEqual(withoutReason(RICH_ZONE_DIFFERENCES));
    expect([...results].sort()).toEqual([
      'fail',
      'neutral',
      'none',
      'pass',
      'permerror',
      'softfail',
      'temperror',
    ]);
  });
});

describe('the SPF catalogue: each known difference, on its minimal zone', () => {
  test.each(Object.entries(SPF_DIFFERENCES))('%s', async (_id, d: KnownSpfDifference) => {
    const resolve = memoryResolver(d.zone, d.faults ?? {});
    const domain = d.sender.slice(d.sender.lastIndexOf('@') + 1);
    const r = await bothSpf(resolve, resolve, { ip: d.ip, domain, sender: d.sender });
    expect({ mxlock: r.mxlock, mailauth: r.mailauth }, `${r.trace}\nmailauth: ${r.comment}`).toEqual({
      mxlock: d.mxlock,
      mailauth: d.mailauth,
    });
    if (d.class === 'mxlock-bug') expect(d.mxlock).not.toBe(d.rfc);
    else {
      expect(d.mxlock).toBe(d.rfc);
      expect(d.mailauth).not.toBe(d.rfc);
    }
  });
});

// --- DMARC ----------------------------------------------------------------------------------------------------

const ABSENT: DmarcOutcome = { policy: 'absent', record: null, at: null };

/** mxlock's discovery in the terms both can state: a DNS failure, no applicable record, or the record and policy. */
function mxlockOutcome(d: DmarcDiscovery): DmarcOutcome {
  if (d.failure) return { policy: 'temperror', record: null, at: null };
  if (!d.record || d.error) return ABSENT;
  return { policy: d.policy, record: d.record.raw, at: d.at ?? null };
}

async function mxlockDmarc(zone: MemoryZone, faults: Faults, domain: string) {
  const d = await discoverDmarc(withFaults(recordedResolver(zoneOf(zone as DnsJson)), faults), domain);
  return { outcome: mxlockOutcome(d), queried: d.queried };
}

/** Only what RFC 7489 §6.6.3 reads: `_dmarc` of the From domain and of its organisational domain. */
function projection<T>(data: Readonly<Record<string, T>>, names: readonly string[]): Record<string, T> {
  return Object.fromEntries(Object.entries(data).filter(([name]) => names.includes(name)));
}

describe('DMARC discovery over generated _dmarc trees', () => {
  test('mxlock finds what mailauth finds wherever RFC 7489 and the DMARCbis tree walk read the same names', async () => {
    const outcomes = new Set<string>();
    let walkDifferences = 0;
    let longWalks = 0;
    for (const seed of SEEDS(800)) {
      const { zone, faults, domain } = dmarcTree(seed);
      const ma = await mailauthDmarc(memoryResolver(zone, faults), domain);
      const rfc7489Names = [`_dmarc.${domain}`, `_dmarc.${ma.orgDomain}`];
      // mailauth reads only those two names, so the zone cut down to them gives it the same answer.
      expect(
        ma.queried.every((q) => rfc7489Names.includes(q)),
        `seed ${seed}`,
      ).toBe(true);
      const zone7489 = projection(zone, rfc7489Names);
      const faults7489 = projection(faults, rfc7489Names);
      expect((await mailauthDmarc(memoryResolver(zone7489, faults7489), domain)).outcome).toEqual(ma.outcome);
      // The differential: on that zone, mxlock's walk must come to mailauth's record and policy.
      const mxOnProjection = await mxlockDmarc(zone7489, faults7489, domain);
      expect(
        mxOnProjection.outcome,
        `seed ${seed}: ${domain} ${JSON.stringify({ zone7489, faults7489 })}`,
      ).toEqual(ma.outcome);
      // On the whole tree they differ only where the walk stopped at a name RFC 7489 never reads
      // (deliberate: see the DMARC catalogue, walk-intermediate and walk-public-suffix).
      const mx = await mxlockDmarc(zone, faults, domain);
      if (mx.queried.length === 8) longWalks++;
      outcomes.add(mx.outcome.policy);
      if (JSON.stringify(mx.outcome) !== JSON.stringify(ma.outcome)) {
        walkDifferences++;
        const stoppedAt = mx.queried[mx.queried.length - 1]!;
        expect(mx.outcome, `seed ${seed}`).not.toEqual(ABSENT);
        expect(rfc7489Names, `seed ${seed}: mxlock stopped at ${stoppedAt}`).not.toContain(stoppedAt);
      }
    }
    expect([...outcomes].sort()).toEqual(['absent', 'none', 'quarantine', 'reject', 'temperror']);
    expect(walkDifferences).toBeGreaterThan(0);
    expect(longWalks).toBeGreaterThan(0);
  });
});

interface KnownDmarcDifference {
  class: DifferenceClass;
  section: string;
  why: string;
  zone: MemoryZone;
  domain: string;
  /** The policy RFC 9989 §4.10 (for `deliberate`, mxlock's DMARCbis) applies; `absent` = no DMARC processing. */
  rfc: string;
  mxlock: DmarcOutcome;
  mailauth: DmarcOutcome;
}

const found = (policy: string, record: string, at: string): DmarcOutcome => ({ policy, record, at });

const DMARC_DIFFERENCES = {
  'walk-intermediate': {
    class: 'deliberate',
    section: 'RFC 9989 §4.10 (DMARCbis tree walk) vs RFC 7489 §6.6.3',
    why:
      'src/dns/dmarc.ts: discovery walks the DNS tree; a record between the From domain and the public-suffix ' +
      'organisational domain applies. mailauth 4.13 reads the From domain and the organisational domain only',
    zone: {
      '_dmarc.mid.org.com': { TXT: ['v=DMARC1; p=reject'] },
      '_dmarc.org.com': { TXT: ['v=DMARC1; p=none'] },
    },
    domain: 'a.mid.org.com',
    rfc: 'reject',
    mxlock: found('reject', 'v=DMARC1; p=reject', '_dmarc.mid.org.com'),
    mailauth: found('none', 'v=DMARC1; p=none', '_dmarc.org.com'),
  },
  'walk-public-suffix': {
    class: 'deliberate',
    section: 'RFC 9989 §4.10 vs RFC 7489 §6.6.3',
    why: 'the walk reaches the public suffix (a PSD record); RFC 7489 never reads above the organisational domain',
    zone: { '_dmarc.com': { TXT: ['v=DMARC1; p=reject'] } },
    domain: 'a.org.com',
    rfc: 'reject',
    mxlock: found('reject', 'v=DMARC1; p=reject', '_dmarc.com'),
    mailauth: ABSENT,
  },
  'version-case': {
    class: 'mailauth-deviation',
    section: 'RFC 7489 §6.3, §6.4',
    why: 'the value of v= MUST be "DMARC1" exactly (ABNF %x44 %x4d …), else the record is ignored; mailauth ignores case',
    zone: { '_dmarc.org.com': { TXT: ['v=dmarc1; p=reject'] } },
    domain: 'org.com',
    rfc: 'absent',
    mxlock: ABSENT,
    mailauth: found('reject', 'v=dmarc1; p=reject', '_dmarc.org.com'),
  },
  'version-spaces': {
    class: 'mailauth-deviation',
    section: 'RFC 7489 §6.4',
    why: 'dmarc-version = "v" *WSP "=" *WSP "DMARC1": spaces around "=" are allowed; mailauth needs "v=DMARC1"',
    zone: { '_dmarc.org.com': { TXT: ['v = DMARC1; p=reject'] } },
    domain: 'org.com',
    rfc: 'reject',
    mxlock: found('reject', 'v = DMARC1; p=reject', '_dmarc.org.com'),
    mailauth: ABSENT,
  },
  'multiple-records': {
    class: 'mailauth-deviation',
    section: 'RFC 7489 §6.6.3 steps 3 and 5',
    why:
      'two DMARC records at the From domain: the set is not empty, so the organisational domain is not asked, ' +
      'and discovery ends with no policy; mailauth treats them as none and takes the organisational record',
    zone: {
      '_dmarc.a.org.com': { TXT: ['v=DMARC1; p=none', 'v=DMARC1; p=quarantine'] },
      '_dmarc.org.com': { TXT: ['v=DMARC1; p=reject'] },
    },
    domain: 'a.org.com',
    rfc: 'absent',
    mxlock: ABSENT,
    mailauth: found('reject', 'v=DMARC1; p=reject', '_dmarc.org.com'),
  },
  'invalid-p-with-rua': {
    class: 'mailauth-deviation',
    section: 'RFC 9989 §4.10.1 (RFC 7489 §6.6.3 step 6)',
    why: 'an invalid p with a valid rua: act as if p=none; mailauth applies the invalid value as written',
    zone: { '_dmarc.org.com': { TXT: ['v=DMARC1; p=block; rua=mailto:d@org.com'] } },
    domain: 'org.com',
    rfc: 'none',
    mxlock: found('none', 'v=DMARC1; p=block; rua=mailto:d@org.com', '_dmarc.org.com'),
    mailauth: found('block', 'v=DMARC1; p=block; rua=mailto:d@org.com', '_dmarc.org.com'),
  },
  'missing-p-with-rua': {
    class: 'mailauth-deviation',
    section: 'RFC 9989 §4.10.1 (RFC 7489 §6.6.3 step 6)',
    why: 'no p with a valid rua: act as if p=none; mailauth finds the record and applies no policy value',
    zone: { '_dmarc.org.com': { TXT: ['v=DMARC1; rua=mailto:d@org.com'] } },
    domain: 'org.com',
    rfc: 'none',
    mxlock: found('none', 'v=DMARC1; rua=mailto:d@org.com', '_dmarc.org.com'),
    mailauth: found(NO_POLICY_TAG, 'v=DMARC1; rua=mailto:d@org.com', '_dmarc.org.com'),
  },
  'invalid-p-without-rua': {
    class: 'mailauth-deviation',
    section: 'RFC 9989 §4.10.1 (RFC 7489 §6.6.3 step 6)',
    why: 'an invalid p and no rua: "the Mail Receiver applies no DMARC processing"; mailauth applies "block"',
    zone: { '_dmarc.org.com': { TXT: ['v=DMARC1; p=block'] } },
    domain: 'org.com',
    rfc: 'absent',
    mxlock: found('absent', 'v=DMARC1; p=block', '_dmarc.org.com'),
    mailauth: found('block', 'v=DMARC1; p=block', '_dmarc.org.com'),
  },
  'invalid-sp-subdomain': {
    class: 'mailauth-deviation',
    section: 'RFC 9989 §4.10.1 (RFC 7489 §6.6.3 step 6)',
    why: 'an invalid sp voids the record for subdomains: with no rua, no DMARC processing (with one, p=none); mailauth applies "bogus"',
    zone: { '_dmarc.org.com': { TXT: ['v=DMARC1; p=reject; sp=bogus'] } },
    domain: 'a.org.com',
    rfc: 'absent',
    mxlock: found('absent', 'v=DMARC1; p=reject; sp=bogus', '_dmarc.org.com'),
    mailauth: found('bogus', 'v=DMARC1; p=reject; sp=bogus', '_dmarc.org.com'),
  },
  // The same record for the organisational domain itself is not a difference: the sp tag does not cover it, so p
  // applies (the reading of the IETF DMARC list, 2023-10: "p= doesn't play ... Would have played if sp= was missing"
  // is about subdomains); mxlock and mailauth both report reject.
} satisfies Record<string, KnownDmarcDifference>;

describe('the DMARC catalogue: each known difference, on its minimal zone', () => {
  test.each(Object.entries(DMARC_DIFFERENCES))('%s', async (_id, d: KnownDmarcDifference) => {
    const mx = await mxlockDmarc(d.zone, {}, d.domain);
    const ma = await mailauthDmarc(memoryResolver(d.zone), d.domain);
    expect({ mxlock: mx.outcome, mailauth: ma.outcome }).toEqual({ mxlock: d.mxlock, mailauth: d.mailauth });
    if (d.class === 'mxlock-bug') expect(d.mxlock.policy).not.toBe(d.rfc);
    else {
      expect(d.mxlock.policy).toBe(d.rfc);
      expect(d.mailauth.policy).not.toBe(d.rfc);
    }
  });
});
