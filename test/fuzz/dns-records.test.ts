/**
 * Issue 10, acceptance: the SPF parser and evaluator, the DMARC parser and the DKIM selector check, fed records from
 * their grammars with mutations (test/fuzz/dns-records.ts), give a result — a permerror, a warning, "missing" — and
 * never an exception; `mxlock dns`'s analysis and reports, and `assess`/`plan` over an example whose dns.json is
 * generated, survive any record anywhere. Seeds and counts: test/support/fuzz.ts.
 */
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assessExport } from '../../src/assess-export.js';
import { analyseDomains } from '../../src/dns/analyse.js';
import type { DkimExpectation } from '../../src/dns/dkim.js';
import { parseDmarc } from '../../src/dns/dmarc.js';
import { recordedResolver } from '../../src/dns/resolver.js';
import { checkHostSpf, checkHostSteps, type SpfResult } from '../../src/dns/spf/evaluate.js';
import { isSpfRecord, parseSpf } from '../../src/dns/spf/parse.js';
import { runSync, zoneAnswer } from '../../src/dns/steps.js';
import { buildDnsReport, renderDnsJson, renderDnsTerminal } from '../../src/report/dns.js';
import { parseDns } from '../../src/snapshot/build.js';
import { decodeText } from '../../src/snapshot/decode.js';
import { REPO } from '../support/cli.js';
import { expectInert, expectPlanRenders, expectReportsRender } from './outputs.js';
import { forEachSeed, fuzzSeeds, fuzzTimeout, heapAfterGc } from '../support/fuzz.js';
import type { DnsJson } from '../support/generated-zones.js';
import { dmarcRecord, FUZZ_DOMAINS, fuzzZone, spfIdentity, spfRecord } from './dns-records.js';

const NOW = new Date('2025-06-01T00:00:00Z');
const SPF_RESULTS: readonly SpfResult[] = [
  'pass',
  'fail',
  'softfail',
  'neutral',
  'none',
  'permerror',
  'temperror',
];
/** The tenant domain of each example (its accepted domain with DNS in dns.json). */
const EXAMPLES = [
  ['half-done', 'fabrikam.com'],
  ['hardened', 'northwindtraders.com'],
  ['wide-open', 'contoso.com'],
] as const;
const RECORD_SEEDS = fuzzSeeds(100, 400);
const PIPELINE_SEEDS = fuzzSeeds(20, 80);
const MAX_HEAP_GROWTH_BYTES = 64 * 1024 * 1024;

/** Every TXT record of a zone, chunks joined as a resolver returns them. */
function txtRecords(zone: DnsJson): string[] {
  return Object.values(zone).flatMap((e) =>
    ((e['TXT'] as (string | string[])[] | undefined) ?? []).map((t) => (Array.isArray(t) ? t.join('') : t)),
  );
}

/** A parse result is a record or an error with a message and a column inside the text. */
function expectParsed(text: string): void {
  const spf = parseSpf(text);
  if (spf.ok) expect(isSpfRecord(text)).toBe(true);
  else {
    expect(spf.error.message).not.toBe('');
    expect(spf.error.column).toBeGreaterThanOrEqual(1);
    expect(spf.error.column).toBeLessThanOrEqual(text.length + 1);
  }
  const dmarc = parseDmarc(text);
  if (dmarc.ok)
    for (const p of [dmarc.record.p, dmarc.record.sp, dmarc.record.np])
      expect([undefined, 'none', 'quarantine', 'reject']).toContain(p);
  else expect(dmarc.error).not.toBe('');
}

describe('SPF, DMARC and DKIM records from their grammars, mutated (seeded)', () => {
  test(
    'parsers and check_host give results; the dns analysis and its reports survive any record',
    async () => {
      const heapBefore = heapAfterGc();
      await forEachSeed('dns records', RECORD_SEEDS, async (g) => {
        for (let i = 0; i < 4; i++) {
          const text = g.chance(0.5) ? spfRecord(g) : dmarcRecord(g);
          g.note('record', text);
          expectParsed(text);
        }
        const json = fuzzZone(g, FUZZ_DOMAINS);
        g.note('zone', JSON.stringify(json));
        const zone = parseDns(json, 'dns.json');
        for (const t of txtRecords(json)) expectParsed(t);

        for (let i = 0; i < 3; i++) {
          const input = spfIdentity(g);
          g.note('check_host', JSON.stringify(input));
          const overResolver = await checkHostSpf(recordedResolver(zone), input);
          expect(SPF_RESULTS).toContain(overResolver.result);
          // The synchronous driver (the simulator's) agrees with the resolver's.
          expect(runSync(checkHostSteps(input), (q) => zoneAnswer(zone, q))).toEqual({
            done: true,
            value: overResolver,
          });
        }

        // `mxlock dns --zone`: the analysis of every domain, with gateway IPs and DKIM selectors to look for.
        const dkim = new Map<string, DkimExpectation>(
          FUZZ_DOMAINS.map((d) => [
            d,
            {
              domain: d,
              microsoft: g.chance(0.5)
                ? [{ selector: 'selector1', target: g.pick(['h0.test', 'x.onmicrosoft.com', '']) }]
                : [],
              gatewaySelectors: g.chance(0.5) ? [g.pick(['gw', 's1', 'selector1', ''])] : [],
            },
          ]),
        );
        const gatewayIps = g.chance(0.5) ? ['192.0.2.1', '2001:db8::1'] : [];
        const results = await analyseDomains(recordedResolver(zone), FUZZ_DOMAINS, {
          spfIps: gatewayIps,
          dkim,
        });
        const report = buildDnsReport('recorded answers in dns.json', results, {
          spf: { requiredIps: gatewayIps },
          mx: { gatewayDeclared: g.chance(0.5) },
        });
        JSON.parse(renderDnsJson(report));
        expectInert(renderDnsTerminal(report, { color: false, width: 80 }), 'the dns report');
      });
      const growth = heapAfterGc() - heapBefore;
      expect(growth, `the heap grew by ${growth} bytes over the run`).toBeLessThan(MAX_HEAP_GROWTH_BYTES);
    },
    fuzzTimeout(RECORD_SEEDS, 200),
  );
});

describe('assess and plan over an example whose dns.json is generated (seeded)', () => {
  const files = new Map<string, { name: string; bytes: Uint8Array }[]>();
  const zones = new Map<string, DnsJson>();
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'mxlock-fuzz-dns-'));
    for (const [ex] of EXAMPLES) {
      const dir = join(REPO, 'examples', ex);
      const names = (await readdir(dir)).filter((n) => n !== 'dns.json');
      files.set(
        ex,
        await Promise.all(names.map(async (name) => ({ name, bytes: await readFile(join(dir, name)) }))),
      );
      const bytes = await readFile(join(dir, 'dns.json'));
      zones.set(ex, JSON.parse(decodeText(bytes, 'dns.json').text) as DnsJson);
    }
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  test(
    'a report with every DNS text shown inert, and a plan; never an exception',
    async () => {
      await forEachSeed('assess over generated DNS', PIPELINE_SEEDS, async (g) => {
        const [example, apex] = g.pick(EXAMPLES);
        const json = fuzzZone(g, [apex], zones.get(example));
        g.note('example', example);
        g.note('dns.json', JSON.stringify(json));
        const dir = join(tmp, `case-${g.seed}`);
        await mkdir(dir);
        try {
          for (const f of files.get(example)!) await writeFile(join(dir, f.name), f.bytes);
          await writeFile(join(dir, 'dns.json'), JSON.stringify(json));
          const result = await assessExport(dir, { offline: true, now: NOW });
          expectReportsRender(result);
          if (g.chance(0.4)) expectPlanRenders(result, NOW);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      });
    },
    fuzzTimeout(PIPELINE_SEEDS, 500),
  );
});
