/**
 * What `dns-records.txt` proposes (issue 9 A6): DMARC in the hardening guide's progression (4.1: at minimum
 * p=quarantine, target p=reject, with rua), the step that follows the current policy and what comes after it, and
 * each record (name and type) once even when several dns.* checks propose it. And the plan's warnings give the true
 * reason the Direct Send inventory could not be done (DNS not analysed, a name absent from dns.json).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { Finding } from '../../src/checks/types.js';
import { proposedDnsRecords, renderPlanFiles } from '../../src/plan/index.js';
import { planExportOffline } from './builders.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'wide-open');
const NOW = new Date('2026-11-28T00:00:00Z');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

type DnsJson = Record<string, { TXT?: string[] } & Record<string, unknown>>;

/** examples/wide-open with its dns.json changed by `edit` (undefined: no dns.json at all), planned offline. */
async function planOf(edit: ((dns: DnsJson) => void) | undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'mxlock-dnsrec-'));
  dirs.push(dir);
  cpSync(EXAMPLE, dir, { recursive: true });
  const path = join(dir, 'dns.json');
  if (edit) {
    const dns = JSON.parse(readFileSync(path, 'utf8')) as DnsJson;
    edit(dns);
    writeFileSync(path, JSON.stringify(dns));
  } else rmSync(path);
  const { checked } = await planExportOffline(dir, NOW);
  const records = renderPlanFiles(checked)['dns-records.txt'] ?? '';
  return { records, warnings: checked.plan.warnings.join('\n') };
}

const dmarc = (record: string | undefined) => (dns: DnsJson) => {
  if (record === undefined) delete dns['_dmarc.contoso.com'];
  else dns['_dmarc.contoso.com'] = { TXT: [record] };
};

/** The record lines (not comments) of dns-records.txt for `name`. */
const linesFor = (records: string, name: string) =>
  records.split('\n').filter((l) => l.startsWith(`${name}. IN `));

describe('DMARC in the guide’s progression', () => {
  test.each<[string, string | undefined, string, RegExp]>([
    [
      'no record: p=none with rua first',
      undefined,
      '_dmarc.contoso.com. IN TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@contoso.com;',
      /then p=quarantine[^\n]*then p=reject/,
    ],
    [
      'p=none: p=quarantine next, the report address kept',
      'v=DMARC1; p=none; rua=mailto:dmarc@contoso.com',
      '_dmarc.contoso.com. IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@contoso.com"',
      /then p=reject/,
    ],
    [
      'p=quarantine with sp=none (a warning): p=reject, and subdomains follow it',
      'v=DMARC1; p=quarantine; sp=none; rua=mailto:dmarc@contoso.com; adkim=r',
      '_dmarc.contoso.com. IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@contoso.com; adkim=r"',
      /p=reject is the guide's target/,
    ],
    [
      'p=quarantine at pct=50: quarantine for all failing mail first',
      'v=DMARC1; p=quarantine; pct=50; rua=mailto:dmarc@contoso.com',
      '_dmarc.contoso.com. IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@contoso.com"',
      /then p=reject/,
    ],
  ])('%s', async (_what, current, proposed, after) => {
    const { records } = await planOf(dmarc(current));
    const lines = linesFor(records, '_dmarc.contoso.com');
    expect(lines, records).toHaveLength(1);
    expect(lines[0]).toContain(proposed);
    expect(lines[0]).toMatch(after);
  });

  test('a missing record is proposed once, although dns.dmarc-policy and dns.dmarc-reporting both ask for it', async () => {
    const { records } = await planOf(dmarc(undefined));
    expect(linesFor(records, '_dmarc.contoso.com')).toHaveLength(1);
    expect(records).toMatch(/^; dns\.dmarc-policy, dns\.dmarc-reporting: /m);
  });

  test('p=reject without rua: the reporting proposal adds rua and keeps the policy', async () => {
    const { records } = await planOf(dmarc('v=DMARC1; p=reject'));
    const lines = linesFor(records, '_dmarc.contoso.com');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('"v=DMARC1; p=reject; rua=mailto:dmarc-reports@contoso.com"');
  });

  test('p=quarantine with reports: the check passes, and p=reject, the target, is proposed as the next step', async () => {
    const { records } = await planOf(dmarc('v=DMARC1; p=quarantine; rua=mailto:dmarc@contoso.com; adkim=s'));
    const lines = linesFor(records, '_dmarc.contoso.com');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('"v=DMARC1; p=reject; rua=mailto:dmarc@contoso.com; adkim=s"');
    expect(lines[0]).toMatch(/p=reject is the guide's target/);
    expect(records).toMatch(/^; dns\.dmarc-policy: /m);
  });

  test('p=reject already: nothing is proposed for DMARC', async () => {
    const { records } = await planOf(dmarc('v=DMARC1; p=reject; rua=mailto:dmarc@contoso.com'));
    expect(linesFor(records, '_dmarc.contoso.com')).toEqual([]);
  });

  test('p=quarantine meets the minimum: a missing rua is added without moving the policy', async () => {
    const { records } = await planOf(dmarc('v=DMARC1; p=quarantine'));
    expect(linesFor(records, '_dmarc.contoso.com')[0]).toContain(
      '"v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@contoso.com"',
    );
  });

  test('a " or \\ taken from the current record is escaped for the zone file: one quoted string (issue 10 item 8)', async () => {
    const { records } = await planOf(dmarc('v=DMARC1; p=none; rua=mailto:d@contoso.com; x="a\\b'));
    const line = linesFor(records, '_dmarc.contoso.com')[0] ?? '';
    expect(line).toContain('x=\\"a\\\\b"');
    // The value is one string: every quote but the outer two is escaped.
    const value = /IN TXT ("(?:[^"\\]|\\.)*")/.exec(line)?.[1] ?? '';
    expect(line.startsWith(`_dmarc.contoso.com. IN TXT ${value} ;`)).toBe(true);
  });

  test('every record name and type appears once', async () => {
    const { records } = await planOf(dmarc(undefined));
    const keys = records
      .split('\n')
      .filter((l) => /^\S+\. IN [A-Z]+ /.test(l))
      .map((l) => l.split(' ').slice(0, 3).join(' '));
    expect(keys.length).toBeGreaterThan(1);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('the plan warns with the true reason the Direct Send inventory could not be done', () => {
  test('no dns.json and no live DNS: DNS not analysed', async () => {
    const { warnings } = await planOf(undefined);
    expect(warnings).toMatch(/Direct Send candidates could not [^\n]*DNS not analysed/);
  });

  test('an own domain absent from dns.json: named, not "DNS not analysed"', async () => {
    const { warnings } = await planOf((dns) => delete dns['contoso.com']);
    expect(warnings).toContain('contoso.com is not in the recorded DNS (dns.json)');
    expect(warnings).not.toContain('DNS not analysed');
  });
});

describe('proposedDnsRecords', () => {
  const finding = (id: string, records: string[]): Finding => ({
    id,
    status: 'fail',
    severity: 'high',
    step: 4,
    title: `${id} title`,
    evidence: [],
    references: [],
    benchmarks: [],
    remediation: {
      powershell: ['# contoso.com: publish', ...records.map((r) => `#   ${r}`)].join('\n'),
      portal: '',
    },
    tailored: true,
  });

  test("a check's generic template (yourcompany.com) is never proposed, only what it wrote for the tenant", () => {
    const { tailored: _t, ...generic } = finding('dns.spf', ['yourcompany.com. IN TXT "v=spf1 -all"']);
    expect(proposedDnsRecords({ findings: [generic] })).toEqual([]);
  });

  test('one record per name and type; a different value for it is a comment, never a second record', () => {
    const lines = proposedDnsRecords({
      findings: [
        finding('dns.spf', ['contoso.com. IN TXT "v=spf1 ip4:192.0.2.1 -all"']),
        finding('dns.dmarc-policy', [
          '_dmarc.contoso.com. IN TXT "v=DMARC1; p=none; rua=mailto:a@contoso.com" ; then more',
        ]),
        finding('dns.dmarc-reporting', [
          '_DMARC.contoso.com. IN TXT "v=DMARC1; p=none; rua=mailto:a@contoso.com" ; then more',
        ]),
        finding('dns.other', ['contoso.com. IN TXT "v=spf1 -all"', 'contoso.com. IN MX 10 mx.example.net.']),
      ],
    });
    expect(lines).toEqual([
      '; dns.spf, dns.other: dns.spf title; dns.other title',
      'contoso.com. IN TXT "v=spf1 ip4:192.0.2.1 -all"',
      '; dns.other proposes another value for contoso.com TXT, not written (settle which one): "v=spf1 -all"',
      '; dns.dmarc-policy, dns.dmarc-reporting: dns.dmarc-policy title; dns.dmarc-reporting title',
      '_dmarc.contoso.com. IN TXT "v=DMARC1; p=none; rua=mailto:a@contoso.com" ; then more',
      '; dns.other: dns.other title',
      'contoso.com. IN MX 10 mx.example.net.',
    ]);
  });
});
