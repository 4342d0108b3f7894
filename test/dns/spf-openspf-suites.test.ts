/**
 * The openspf conformance suites (RFC 7208: 203 tests, RFC 4408: 191 tests; the files and their format are
 * described in ../shared/conformance/spf/README.md), run through `checkHostSpf` over a real node:dns resolver
 * talking to the loopback DNS server, as `mxlock dns` runs it. The suites are read in place, never copied into the
 * project; where the folder is absent (a CI clone in a temp dir) the suites are skipped with a notice naming the
 * path. `MXLOCK_SPF_SUITES` points elsewhere (e.g. from a git worktree, whose `..` is not the checkout's).
 *
 * How a scenario's zonedata is served (the README's rules, as pyspf's test driver applies them):
 * - an `SPF` record is served as TXT unless the name has its own TXT (`TXT: NONE` is "has TXT, none of them");
 * - `TIMEOUT` makes every question about the name that its records do not answer time out, as a real timeout;
 * - a CNAME is followed as a recursive resolver does, and a CNAME loop is SERVFAIL;
 * - a TXT record of no character-strings (illegal, `SPF: []`) is served as such: node:dns rejects the whole answer,
 *   the live resolver reads it through its own client (src/dns/wire.ts) as an empty record, as pyspf does.
 * An empty mailfrom means `postmaster@<helo>`; a mailfrom without `@` is a domain (`postmaster@<it>`), a local-part
 * alone (`user@`) checks the HELO name, as pyspf does (RFC 7208 §4.3).
 *
 * Each test's result must be one the suite accepts; the simulator's synchronous driver (src/dns/steps.ts runSync)
 * over the same zone in memory must then give the very same evaluation. Every test of both suites passes: every
 * RFC 4408 case accepts mxlock's RFC 7208 behaviour, so none is listed as a deviation.
 *
 * `explanation` is not checked: mxlock does not produce the exp= string (spf-conformance.test.ts, §6.2). The tests
 * that give one are still run and their result asserted.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import ipaddr from 'ipaddr.js';
import { liveResolver } from '../../src/dns/live.js';
import type { RecordOf, RRType } from '../../src/dns/resolver.js';
import { checkHostSpf, checkHostSteps, type SpfResult } from '../../src/dns/spf/evaluate.js';
import { runSync, type Answer, type Question } from '../../src/dns/steps.js';
import { startDnsServer, type TestDnsServer, type ZoneRecords } from '../support/dns-server.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SUITE_DIR = process.env['MXLOCK_SPF_SUITES'] ?? join(REPO, '..', 'shared', 'conformance', 'spf');
const SUITES = ['rfc7208-tests.yml', 'rfc4408-tests.yml'] as const;
type SuiteFile = (typeof SUITES)[number];

/** Per attempt; a `TIMEOUT` name costs one of these. */
const TIMEOUT_MS = 200;

interface SuiteTest {
  helo: string;
  host: string;
  mailfrom: string;
  result: SpfResult | SpfResult[];
  spec?: string | string[];
  explanation?: string;
}

interface Scenario {
  description: string;
  tests: Record<string, SuiteTest>;
  zonedata?: Record<string, unknown[]>;
}

function loadSuite(file: SuiteFile): Scenario[] {
  const text = readFileSync(join(SUITE_DIR, file), 'utf8');
  return parseAllDocuments(text).map((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`${file}: document ${i + 1}: ${doc.errors[0]!.message}`);
    return doc.toJS() as Scenario;
  });
}

/** A zonedata entry: `TIMEOUT`, or one record `{ TYPE: value }`. */
function servedZone(zonedata: Record<string, unknown[]>): {
  zone: Record<string, ZoneRecords>;
  timeouts: { name: string; types: string[] }[];
} {
  const zone: Record<string, ZoneRecords> = {};
  const timeouts: { name: string; types: string[] }[] = [];
  for (const [name, entries] of Object.entries(zonedata)) {
    const rec: ZoneRecords = {};
    const spf: (string | string[])[] = [];
    let hasTxt = false;
    let timeout = false;
    for (const entry of entries) {
      if (entry === 'TIMEOUT') {
        timeout = true;
        continue;
      }
      const [type, value] = Object.entries(entry as Record<string, unknown>)[0]!;
      const text = (v: unknown): string | string[] => (Array.isArray(v) ? v.map(String) : String(v));
      switch (type) {
        case 'SPF':
          if (value !== 'NONE') spf.push(text(value));
          break;
        case 'TXT':
          hasTxt = true;
          if (value !== 'NONE') (rec.TXT ??= []).push(text(value));
          break;
        case 'MX': {
          const [priority, exchange] = value as [number, string];
          (rec.MX ??= []).push({ priority, exchange });
          break;
        }
        case 'A':
        case 'AAAA':
        case 'PTR':
        case 'CNAME':
          (rec[type] ??= []).push(String(value));
          break;
        default:
          throw new Error(`zonedata ${name}: unknown record type ${type}`);
      }
    }
    if (!hasTxt && spf.length > 0) rec.TXT = spf;
    zone[name] = rec;
    if (timeout) {
      const answered = Object.keys(rec).filter((t) => (rec[t as keyof ZoneRecords]?.length ?? 0) > 0);
      timeouts.push({
        name,
        types: ['A', 'AAAA', 'MX', 'TXT', 'PTR', 'CNAME', 'SPF'].filter((t) => !answered.includes(t)),
      });
    }
  }
  return { zone, timeouts };
}

/** The zone answered in memory as the loopback server answers it (`followCnames`, per-type timeouts). */
function memoryAnswer(
  zone: Record<string, ZoneRecords>,
  timeouts: { name: string; types: string[] }[],
): (q: Question) => Answer {
  const norm = (n: string) => n.toLowerCase().replace(/\.$/, '');
  // The server sends a string as UTF-8 and node:dns reads each octet as a character.
  const latin1 = (t: string) => Buffer.from(t, 'utf8').toString('latin1');
  const entries = new Map(Object.entries(zone).map(([k, v]) => [norm(k), v]));
  return (q) => {
    let name = norm(q.name);
    if (timeouts.some((t) => norm(t.name) === name && t.types.includes(q.type))) return { kind: 'timeout' };
    const seen = new Set<string>();
    for (let entry = entries.get(name); entry; entry = entries.get(name)) {
      const records: RecordOf[RRType][] =
        q.type === 'TXT'
          ? (entry.TXT ?? []).map((t) => latin1(Array.isArray(t) ? t.join('') : t))
          : q.type === 'MX'
            ? (entry.MX ?? []).map((m) => ({ exchange: norm(m.exchange), priority: m.priority }))
            : q.type === 'A' || q.type === 'AAAA'
              ? (entry[q.type] ?? []).map((a) => ipaddr.parse(a).toString())
              : (entry[q.type] ?? []).map(norm);
      if (records.length > 0) return { kind: 'answer', records };
      const target = entry.CNAME?.[0];
      if (target === undefined || q.type === 'CNAME') return { kind: 'nodata' };
      seen.add(name);
      name = norm(target);
      if (seen.has(name)) return { kind: 'servfail' };
    }
    return seen.size > 0 ? { kind: 'nodata' } : { kind: 'nxdomain' };
  };
}

/** The identity checked (RFC 7208 §4.3, §2.3): MAIL FROM's domain, or the HELO name for an empty one. */
function identity(t: SuiteTest): { sender: string; domain: string } {
  const mailfrom = String(t.mailfrom ?? '');
  const helo = String(t.helo ?? '');
  if (mailfrom === '') return { sender: `postmaster@${helo}`, domain: helo };
  const at = mailfrom.lastIndexOf('@');
  if (at < 0) return { sender: `postmaster@${mailfrom}`, domain: mailfrom };
  const local = mailfrom.slice(0, at) || 'postmaster';
  const domain = mailfrom.slice(at + 1) || helo;
  return { sender: `${local}@${domain}`, domain };
}

const present = existsSync(SUITE_DIR) && SUITES.every((f) => existsSync(join(SUITE_DIR, f)));
if (!present)
  console.warn(`openspf SPF suites skipped: ${SUITE_DIR} is absent (set MXLOCK_SPF_SUITES to them)`);

for (const file of SUITES) {
  const scenarios = present ? loadSuite(file) : [];
  (present ? describe : describe.skip)(`openspf ${file}`, () => {
    test('holds the number of tests the README states', () => {
      const count = scenarios.reduce((n, s) => n + Object.keys(s.tests).length, 0);
      expect(count).toBe(file === 'rfc7208-tests.yml' ? 203 : 191);
    });
    for (const scenario of scenarios) {
      describe(scenario.description, () => {
        let server: TestDnsServer;
        beforeAll(async () => {
          const { zone, timeouts } = servedZone(scenario.zonedata ?? {});
          server = await startDnsServer(zone, { followCnames: true });
          for (const t of timeouts) server.setFault(t.name, { timeout: true, types: t.types });
        });
        afterAll(async () => {
          await server.close();
        });
        test.each(Object.entries(scenario.tests))('%s', async (_name, t) => {
          const resolve = liveResolver({ servers: [server.server], timeoutMs: TIMEOUT_MS, tries: 1 });
          const input = { ip: String(t.host), helo: String(t.helo), ...identity(t) };
          const r = await checkHostSpf(resolve, input);
          expect([t.result].flat(), r.trace.join('\n')).toContain(r.result);
          // The simulator's driver over the same zone in memory gives the same evaluation, trace and counts included.
          const { zone, timeouts } = servedZone(scenario.zonedata ?? {});
          expect(runSync(checkHostSteps(input), memoryAnswer(zone, timeouts))).toEqual({
            done: true,
            value: r,
          });
        });
      });
    }
  });
}
