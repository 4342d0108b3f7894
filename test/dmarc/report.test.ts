/**
 * DMARC aggregate reports in every container (plain XML, .xml.gz, .zip, an .eml with the report attached in base64, an
 * mbox with two reports) and the real-world deviations of formats.md §4.3. Fixtures are written from the RFC 7489
 * Appendix C / RFC 9990 examples for the half-done example tenant (fabrikam.com); no real data.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { extractReports } from '../../src/dmarc/extract.js';
import { parseReport } from '../../src/dmarc/report.js';
import { InputError } from '../../src/errors.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'dmarc');
const OUTLOOK = 'outlook.com!fabrikam.com!1711756800!1711843200';
const GOOGLE = 'google.com!fabrikam.com!1711756800!1711843199.xml.gz';

function read(name: string) {
  return extractReports(name, readFileSync(join(FIXTURES, name)), { strict: true });
}

/** ip:count:dmarc:disposition of each record, in report order. */
const rows = (name: string) =>
  read(name).reports.map((r) =>
    r.report.records.map((x) => `${x.sourceIp} ${x.count} ${x.dmarc} ${x.disposition} ${x.headerFrom}`),
  );

describe('containers, told by magic bytes', () => {
  const outlookRows = [
    '203.0.113.10 40 pass none fabrikam.com',
    '40.107.22.5 25 pass none fabrikam.com',
    '198.51.100.200 7 fail quarantine fabrikam.com',
  ];
  const googleRows = ['192.0.2.50 3 pass none fabrikam.com', '2001:db8::25 2 pass none fabrikam.com'];
  const rfc9990Rows = ['203.0.113.11 12 pass pass fabrikam.com'];
  test.each([
    ['plain XML', `${OUTLOOK}.xml`, [outlookRows], [`${OUTLOOK}.xml`]],
    ['gzip', GOOGLE, [googleRows], [GOOGLE]],
    ['zip', `${OUTLOOK}.zip`, [outlookRows], [`${OUTLOOK}.zip: zip entry "${OUTLOOK}.xml"`]],
    ['an .eml, gzip in base64', 'google-report.eml', [googleRows], [`google-report.eml: part 2 (${GOOGLE})`]],
    [
      'an mbox of two reports and a message without one',
      'reports.mbox',
      [googleRows, rfc9990Rows],
      [
        `reports.mbox: message 1: part 2 (${GOOGLE})`,
        'reports.mbox: message 3: part 2 (receiver.example!fabrikam.com!1711843200!1711929600.xml)',
      ],
    ],
    ['RFC 9990 (namespace, np, generator, xml:lang)', 'rfc9990.xml', [rfc9990Rows], ['rfc9990.xml']],
  ])('%s', (_, file, expected, sources) => {
    expect(rows(file)).toEqual(expected);
    expect(read(file).reports.map((r) => r.source)).toEqual(sources);
  });

  test('the mbox: the message without a report is skipped with a note naming it', () => {
    expect(read('reports.mbox').notes).toEqual([
      'reports.mbox: message 2: no DMARC aggregate report attached: skipped',
    ]);
  });

  test('the HTML part of a report email (with its <!DOCTYPE html>) is not read as a report', () => {
    expect(readFileSync(join(FIXTURES, 'google-report.eml'), 'latin1')).toContain('<!DOCTYPE html>');
    expect(read('google-report.eml').reports).toHaveLength(1);
  });

  test('metadata: reporter, id, domain, policy, dates as ISO UTC', () => {
    const [r] = read(`${OUTLOOK}.xml`).reports;
    expect(r!.report).toMatchObject({
      orgName: 'Outlook.com',
      reportId: 'cfeafefe4129445e8c81018bd9177197',
      domain: 'fabrikam.com',
      policy: 'quarantine',
      begin: '2024-03-30T00:00:00.000Z',
      end: '2024-03-31T00:00:00.000Z',
    });
  });

  test('a file that is none of these is an error naming it; found in a folder it is a note', () => {
    const bytes = new TextEncoder().encode('{"organization-name":"tls-rpt"}');
    expect(() => extractReports('tls.json', bytes, { strict: true })).toThrow(
      /^tls\.json: not a DMARC aggregate report \(neither XML, gzip, zip, an email nor an mbox\)$/,
    );
    expect(extractReports('tls.json', bytes, { strict: false }).notes).toEqual([
      'tls.json: not a DMARC aggregate report (neither XML, gzip, zip, an email nor an mbox): skipped',
    ]);
  });
});

describe('deviations (formats.md §4.3)', () => {
  const [found] = read('deviations.xml').reports;
  const r = found!.report;

  test.each([
    ['a namespace prefix on every element', r.records.length, 2],
    [
      'no org_name: named after the email domain (white space and attributes around it)',
      r.orgName,
      'odd-reporter.example',
    ],
    ['report_id in <…>, written with entities', r.reportId, '20240331.abc@odd-reporter.example'],
    ['ISO begin date', r.begin, '2024-03-31T00:00:00.000Z'],
    ['end date with a fraction', r.end, '2024-03-31T23:59:59.000Z'],
    ['policy_published as a list: the first, lower-cased', r.domain, 'fabrikam.com'],
    ['source_ip across lines', r.records[0]!.sourceIp, '203.0.113.10'],
    ['count with blanks', r.records[0]!.count, 5],
    ['upper-case Pass is a pass', r.records[0]!.dkim, 'pass'],
    ['upper-case FAIL is a fail', r.records[0]!.spf, 'fail'],
    ['DMARC passes when either aligned result passes', r.records[0]!.dmarc, 'pass'],
    ['disposition lower-cased', r.records[0]!.disposition, 'none'],
    ['<identities> for <identifiers>, header_from lower-cased', r.records[0]!.headerFrom, 'fabrikam.com'],
    ['empty header_from: the last SPF domain', r.records[1]!.headerFrom, 'fabrikam.com'],
  ])('%s', (_, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  test('each tolerance is noted', () => {
    expect(r.notes).toEqual(
      expect.arrayContaining([
        'no org_name: the reporter is named after its email domain',
        'several <policy_published>: the first was read',
        '<identities> was read as <identifiers>',
        'dates in ISO 8601 form instead of epoch seconds were accepted',
        'dates with a fraction (1700000000.0) were read as whole seconds',
      ]),
    );
  });
});

describe('what a report cannot do without: an error naming the record and field', () => {
  const report = (record: string) =>
    `<feedback><policy_published><domain>fabrikam.com</domain></policy_published><record>${record}</record></feedback>`;
  const evaluated = '<policy_evaluated><dkim>pass</dkim><spf>pass</spf></policy_evaluated>';
  const ids = '<identifiers><header_from>fabrikam.com</header_from></identifiers>';
  test.each([
    [report(`<row><count>1</count>${evaluated}</row>${ids}`), /^record 1: row\/source_ip is missing$/],
    [
      report(`<row><source_ip>999.1.1.1</source_ip><count>1</count></row>${ids}`),
      /row\/source_ip "999\.1\.1\.1" is not an IP address/,
    ],
    [
      report(`<row><source_ip>192.0.2.1</source_ip><count>-3</count></row>${ids}`),
      /row\/count "-3" is not a whole number/,
    ],
    [
      report(`<row><source_ip>192.0.2.1</source_ip><count>1</count></row>`),
      /record 1: identifiers\/header_from is missing/,
    ],
    ['<feedback><record/></feedback>', /policy_published\/domain is missing/],
    ['<html><body/></html>', /not a DMARC aggregate report: the root element is <html>, not <feedback>/],
  ])('%#', (xml, why) => {
    expect(() => parseReport(xml)).toThrow(why);
  });

  test('through a file, the error names the file first', () => {
    const bytes = new TextEncoder().encode(report(`<row><count>1</count></row>${ids}`));
    expect(() => extractReports('r.xml', bytes)).toThrow(InputError);
    expect(() => extractReports('r.xml', bytes)).toThrow(/^r\.xml: record 1: row\/source_ip is missing$/);
  });
});
