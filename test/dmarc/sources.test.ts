/**
 * Known and unknown sources: the gateway (resolveGateway), the profile's hybrid and declared sources, the header_from
 * domain's SPF over the export's dns.json (the project's one check_host, dns/oracle.ts). Unknown is never safe: without
 * dns.json SPF is not checked and nothing outside the gateway and the profile is known.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { extractReports, type FoundReport } from '../../src/dmarc/extract.js';
import { summarise, type KnownContext } from '../../src/dmarc/sources.js';
import { headersContext } from '../../src/headers/context.js';
import { loadProfile } from '../../src/profile/load.js';
import type { Profile } from '../../src/profile/schema.js';
import { readExport } from '../../src/snapshot/read.js';
import type { Snapshot } from '../../src/snapshot/types.js';

const REPO = join(import.meta.dirname, '..', '..');
const FIXTURES = join(REPO, 'test', 'fixtures', 'dmarc');
const EXPORT = join(REPO, 'examples', 'half-done');

let found: FoundReport[];
let snapshot: Snapshot;
let profile: Profile;
beforeAll(async () => {
  found = ['outlook.com!fabrikam.com!1711756800!1711843200.xml', 'reports.mbox', 'deviations.xml'].flatMap(
    (f) => extractReports(f, readFileSync(join(FIXTURES, f))).reports,
  );
  snapshot = await readExport(EXPORT);
  profile = await loadProfile(join(EXPORT, 'mxlock.yaml'));
});

const ctxOf = (p: Profile | undefined, s: Snapshot | undefined): KnownContext => ({
  gateway: headersContext(p, s).gateway,
  profile: p,
  zone: s?.dns,
});

/** `ip dmarc known knownBy spf` per source, in report order. */
const table = (ctx: KnownContext) =>
  summarise(found, ctx).sources.map((s) => `${s.ip} ${s.dmarc} ${s.known} ${s.knownBy ?? '-'} ${s.spf}`);

describe('known sources', () => {
  test('export and profile: gateway, declared source and SPF (the Microsoft include) are known; the rest not', () => {
    expect(table(ctxOf(profile, snapshot))).toEqual([
      // Unknown first, most messages first.
      '198.51.100.200 fail false - fail',
      '2001:db8::25 pass false - fail',
      '198.51.100.77 fail false - fail',
      '203.0.113.10 pass true gateway fail',
      '40.107.22.5 pass true spf pass',
      '203.0.113.11 pass true gateway fail',
      '192.0.2.50 pass true declared-source pass',
    ]);
  });

  test('a profile without an export: SPF is not checked, so the Microsoft 365 IP is unknown, not safe', () => {
    const s = summarise(found, ctxOf(profile, undefined));
    expect(s.spfChecked).toBe(false);
    const ms = s.sources.find((x) => x.ip === '40.107.22.5')!;
    expect(ms).toMatchObject({ known: false, spf: 'not-checked' });
    expect(ms.reason).toBe('not the gateway; SPF not checked (no dns.json: give --export)');
    expect(s.sources.find((x) => x.ip === '203.0.113.10')).toMatchObject({ known: true, knownBy: 'gateway' });
  });

  test('nothing given: no source is known, and each says why', () => {
    const s = summarise(found, ctxOf(undefined, undefined));
    expect(s.sources.every((x) => !x.known)).toBe(true);
    expect(s.gateway).toBeUndefined();
    expect(s.sources[0]!.reason).toBe(
      'the gateway is unknown (give --export or --profile); SPF not checked (no dns.json: give --export)',
    );
  });

  test('a hybrid IP of the profile is known as hybrid', () => {
    const p: Profile = { ...profile, hybrid: { ips: ['198.51.100.200'] } };
    const s = summarise(found, ctxOf(p, snapshot));
    expect(s.sources.find((x) => x.ip === '198.51.100.200')).toMatchObject({
      known: true,
      knownBy: 'hybrid',
    });
  });
});

describe('totals and grouping', () => {
  test('a source is one address however the report spells it (RFC 5952; IPv4-mapped as IPv4)', () => {
    const rec = (ip: string, count: number) =>
      `<record><row><source_ip>${ip}</source_ip><count>${count}</count><policy_evaluated><disposition>none` +
      `</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>` +
      `fabrikam.com</header_from></identifiers></record>`;
    const xml =
      `<feedback><report_metadata><org_name>R</org_name><report_id>ips</report_id></report_metadata>` +
      `<policy_published><domain>fabrikam.com</domain><p>reject</p></policy_published>` +
      rec('2001:DB8::1', 3) +
      rec('2001:db8:0:0::1', 4) +
      rec('::ffff:192.0.2.1', 5) +
      rec('192.0.2.1', 6) +
      `</feedback>`;
    const p: Profile = { ...profile, hybrid: { ips: ['192.0.2.1'] } };
    const s = summarise(extractReports('ips.xml', Buffer.from(xml)).reports, ctxOf(p, undefined));
    expect(s.sources.map((x) => `${x.ip} ${x.count} ${x.knownBy ?? '-'}`)).toEqual([
      '2001:db8::1 7 -',
      '192.0.2.1 11 hybrid',
    ]);
  });

  test('reports, messages, period; a source keyed by IP, header_from and DMARC result', () => {
    const s = summarise(found, ctxOf(profile, snapshot));
    expect(s).toMatchObject({
      reports: 4,
      messages: 40 + 25 + 7 + 3 + 2 + 12 + 5 + 1,
      domains: ['fabrikam.com'],
      begin: '2024-03-30T00:00:00.000Z',
      end: '2024-04-01T00:00:00.000Z',
      spfChecked: true,
    });
    // 203.0.113.10: 40 from Outlook.com and 5 from the odd reporter, all DMARC pass (DKIM aligned).
    expect(s.sources.find((x) => x.ip === '203.0.113.10')).toMatchObject({
      count: 45,
      dkimAligned: 45,
      spfAligned: 0,
      dispositions: { none: 45 },
      reporters: ['Outlook.com', 'odd-reporter.example'],
    });
  });

  test('the same report twice (the .eml and its saved attachment) is counted once, with a note', () => {
    const eml = extractReports('a.eml', readFileSync(join(FIXTURES, 'google-report.eml'))).reports;
    const s = summarise([...found, ...eml], ctxOf(profile, snapshot));
    expect(s.reports).toBe(4);
    expect(s.notes.join('\n')).toMatch(
      /^a\.eml: part 2 .*: the same report as reports\.mbox: message 1: .*counted once$/m,
    );
  });

  test('one org and report_id for two policy domains or two periods: separate reports, none dropped', () => {
    // Some reporters reuse an id per domain or day; keyed on org + report_id alone, contoso.com's unknown sender
    // (and a genuine report behind a forged copy with its id) would vanish.
    const report = (domain: string, begin: number, ip: string, count: number) =>
      extractReports(
        `${domain}-${begin}.xml`,
        Buffer.from(
          `<feedback><report_metadata><org_name>R</org_name><report_id>id1</report_id><date_range><begin>${begin}</begin>` +
            `<end>${begin + 86399}</end></date_range></report_metadata><policy_published><domain>${domain}</domain>` +
            `<p>reject</p></policy_published><record><row><source_ip>${ip}</source_ip><count>${count}</count>` +
            `<policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated>` +
            `</row><identifiers><header_from>${domain}</header_from></identifiers></record></feedback>`,
        ),
      ).reports;
    const day = 1711756800;
    const s = summarise(
      [
        ...report('fabrikam.com', day, '192.0.2.1', 3),
        ...report('contoso.com', day, '198.51.100.9', 50),
        ...report('fabrikam.com', day + 86400, '192.0.2.1', 4),
        ...report('fabrikam.com', day, '192.0.2.1', 3),
      ],
      ctxOf(undefined, undefined),
    );
    expect(s.reports).toBe(3);
    expect(s.domains).toEqual(['contoso.com', 'fabrikam.com']);
    expect(s.sources.map((x) => `${x.ip} ${x.headerFrom} ${x.count}`)).toEqual([
      '198.51.100.9 contoso.com 50',
      '192.0.2.1 fabrikam.com 7',
    ]);
    expect(s.notes).toContain(
      'fabrikam.com-1711756800.xml: the same report as fabrikam.com-1711756800.xml (R, id1, fabrikam.com, 2024-03-30T00:00:00.000Z to 2024-03-30T23:59:59.000Z): counted once',
    );
    expect(s.notes).toContain(
      '1 duplicate report(s) dropped (same org, report_id, policy domain and date range as one already read)',
    );
  });
});
