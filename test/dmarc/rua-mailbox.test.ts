/**
 * What else reaches a rua mailbox (formats.md §4.2: route by content): TLS-RPT's gzipped JSON, junk, broken reports
 * and forwarded reports. In a mailbox, a message or a folder such a part is a note and the other reports still count;
 * a file named on the command line that holds no report is still an error.
 */
import { zipSync } from 'fflate';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { extractReports } from '../../src/dmarc/extract.js';
import { InputError } from '../../src/errors.js';
import { dmarcReport } from '../support/dmarc-report.js';

const b64 = (bytes: Uint8Array | string) =>
  Buffer.from(bytes)
    .toString('base64')
    .replace(/(.{76})/g, '$1\n');

/** A report email: a text part, then one attachment of `type`, base64. */
function email(type: string, body: Uint8Array | string): string {
  return [
    'From: reports@receiver.example',
    'Subject: Report domain: fabrikam.com',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="B"',
    '',
    '--B',
    'Content-Type: text/plain',
    '',
    'This is a report.',
    '--B',
    `Content-Type: ${type}`,
    'Content-Transfer-Encoding: base64',
    '',
    b64(body),
    '--B--',
    '',
  ].join('\n');
}

const mbox = (...messages: string[]) =>
  messages.map((m) => `From a@receiver.example Mon Jan  1 00:00:00 2024\n${m}`).join('\n');

const TLSRPT = gzipSync(Buffer.from('{"organization-name":"x","policies":[]}'));
const bytes = (s: string) => Buffer.from(s, 'latin1');

function refusal(file: string, input: Uint8Array): InputError {
  try {
    extractReports(file, input, { strict: true });
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error(`${file} was not refused`);
}

describe('a gzip that holds no XML (TLS-RPT, junk): not a report', () => {
  test('in an mbox: the message is skipped with a note, the other message is read', () => {
    const box = mbox(
      email('application/gzip', gzipSync(dmarcReport('r1', '192.0.2.9', 40))),
      email('application/tlsrpt+gzip', TLSRPT),
    );
    const { reports, notes } = extractReports('rua.mbox', bytes(box), { strict: true });
    expect(reports.map((r) => r.source)).toEqual(['rua.mbox: message 1: part 2 (application/gzip)']);
    expect(reports[0]!.report.records[0]).toMatchObject({ sourceIp: '192.0.2.9', count: 40 });
    expect(notes).toContain(
      'rua.mbox: message 2: part 2 (application/tlsrpt+gzip): the gzip data does not hold XML but JSON (a TLS-RPT report?): not a DMARC aggregate report: skipped',
    );
  });

  test('junk gzip in one message: a note, not an abort', () => {
    const { reports, notes } = extractReports(
      'one.eml',
      bytes(email('application/gzip', gzipSync(Buffer.from('\u0000\u0001 junk')))),
      { strict: true },
    );
    expect(reports).toEqual([]);
    expect(notes[0]).toBe(
      'one.eml: part 2 (application/gzip): the gzip data does not hold XML: not a DMARC aggregate report: skipped',
    );
  });

  test('a .gz found in a folder is a note; named on the command line it is an error', () => {
    expect(extractReports('dir/tls.json.gz', TLSRPT, { strict: false }).notes).toEqual([
      'dir/tls.json.gz: the gzip data does not hold XML but JSON (a TLS-RPT report?): not a DMARC aggregate report: skipped',
    ]);
    expect(refusal('tls.json.gz', TLSRPT).message).toBe(
      'tls.json.gz: the gzip data does not hold XML but JSON (a TLS-RPT report?): not a DMARC aggregate report',
    );
  });
});

describe('a report cut short or malformed: an error naming the file, a note in a mailbox or folder', () => {
  const three = dmarcReport('r3', '192.0.2.1', 3).replace(
    '</record></feedback>',
    ['192.0.2.2', '192.0.2.3']
      .map(
        (ip) =>
          `</record><record><row><source_ip>${ip}</source_ip><count>7</count><policy_evaluated><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>fabrikam.com</header_from></identifiers>`,
      )
      .join('') + '</record></feedback>',
  );

  test('the full document has three records (the cases below cut or spoil it)', () => {
    const { reports } = extractReports('r.xml', bytes(three), { strict: true });
    expect(reports[0]!.report.records.map((r) => r.sourceIp)).toEqual([
      '192.0.2.1',
      '192.0.2.2',
      '192.0.2.3',
    ]);
  });

  test.each([
    [
      'cut before its third record',
      three.slice(0, three.lastIndexOf('<record>')),
      /^r\.xml: line 2: <feedback> is not closed \(truncated XML\?\)$/,
    ],
    [
      'without </feedback>',
      three.slice(0, three.lastIndexOf('</feedback>')),
      /^r\.xml: line 2: <feedback> is not closed \(truncated XML\?\)$/,
    ],
    [
      'cut inside a record',
      three.slice(0, three.lastIndexOf('</record>')),
      /^r\.xml: line \d+: <record> is not closed \(truncated XML\?\)$/,
    ],
    [
      'an end tag that does not match',
      three.replace('</report_metadata>', '</report_metadatx>'),
      /^r\.xml: line 3: <\/report_metadatx> does not close <report_metadata> \(line 2\)$/,
    ],
    [
      'an end tag with nothing open',
      three.replace('</feedback>', '</feedback></record>'),
      /^r\.xml: line \d+: <\/record> closes no element$/,
    ],
    [
      'trailing garbage',
      `${three}garbage`,
      /^r\.xml: line \d+: text after the root element \(trailing garbage\?\)$/,
    ],
    [
      'a second root element',
      `${three}<feedback></feedback>`,
      /^r\.xml: line \d+: a second root element <feedback> \(trailing garbage\?\)$/,
    ],
  ])('%s: refused, never read as a partial report', (_, xml, message) => {
    expect(refusal('r.xml', bytes(xml)).message).toMatch(message);
  });

  test('in an mbox: the broken message is a note naming it, the other report counts', () => {
    const cut = dmarcReport('r2', '192.0.2.2', 5).replace('</feedback>', '');
    const box = mbox(
      email('application/gzip', gzipSync(dmarcReport('r1', '192.0.2.1', 3))),
      email('application/gzip', gzipSync(cut)),
    );
    const { reports, notes } = extractReports('rua.mbox', bytes(box), { strict: true });
    expect(reports.map((r) => r.report.reportId)).toEqual(['r1']);
    expect(notes).toEqual([
      'rua.mbox: message 2: part 2 (application/gzip): line 2: <feedback> is not closed (truncated XML?): skipped',
    ]);
  });

  test('found in a folder: a note; hostile XML still stops the run', () => {
    const cut = bytes(three.slice(0, three.lastIndexOf('<record>')));
    expect(extractReports('dir/cut.xml', cut, { strict: false })).toEqual({
      reports: [],
      notes: ['dir/cut.xml: line 2: <feedback> is not closed (truncated XML?): skipped'],
    });
    expect(() =>
      extractReports('dir/evil.xml', bytes('<!DOCTYPE x [<!ENTITY a "b">]><feedback/>'), { strict: false }),
    ).toThrow(/^dir\/evil\.xml: line 1: <!DOCTYPE> is refused/);
  });
});

describe('a report forwarded as an attachment (message/rfc822)', () => {
  // Each level its own boundary, as a mail client writes it (a shared one would end the outer part early).
  let level = 0;
  const forward = (inner: string, encoding = '7bit', boundary = `F${level++}`) =>
    [
      'From: admin@fabrikam.com',
      'Subject: Fwd: Report domain: fabrikam.com',
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain',
      '',
      'see attached',
      `--${boundary}`,
      'Content-Type: message/rfc822',
      `Content-Transfer-Encoding: ${encoding}`,
      '',
      encoding === 'base64' ? b64(inner) : inner,
      `--${boundary}--`,
      '',
    ].join('\n');
  const original = email('application/gzip', gzipSync(dmarcReport('fwd', '192.0.2.7', 12)));

  test('the attached message is walked into: its report is read and named by its part', () => {
    const { reports, notes } = extractReports('fwd.eml', bytes(forward(original)), { strict: true });
    expect(reports.map((r) => r.source)).toEqual(['fwd.eml: part 2.2 (application/gzip)']);
    expect(reports[0]!.report.records[0]).toMatchObject({ sourceIp: '192.0.2.7', count: 12 });
    expect(notes).toEqual([]);
  });

  test('forwarded twice, or the attached message base64-encoded: still read', () => {
    for (const eml of [forward(forward(original)), forward(original, 'base64')]) {
      const { reports } = extractReports('fwd.eml', bytes(eml), { strict: true });
      expect(reports.map((r) => r.report.reportId)).toEqual(['fwd']);
    }
  });

  test('attached messages count toward the MIME depth limit: past it, a note, not a recursion', () => {
    let eml = original;
    for (let n = 0; n < 10; n++) eml = forward(eml);
    const { reports, notes } = extractReports('deep.eml', bytes(eml), { strict: true });
    expect(reports).toEqual([]);
    expect(notes).toContain('deep.eml: 2.2.2.2: MIME parts nested more than 8 deep were not read');
  });
});

describe('a damaged attachment (cut short in transit): a note in a mailbox, an error when named directly', () => {
  const good = gzipSync(dmarcReport('r1', '192.0.2.9', 40));
  const cutGzip = good.subarray(0, good.length - 12);
  // A zip archive cut before its end of central directory.
  const zipped = zipSync({ 'r2.xml': Buffer.from(dmarcReport('r2')) });
  const cutZip = zipped.subarray(0, zipped.length - 30);

  test.each([
    ['gzip', 'application/gzip', cutGzip, /the gzip data is (truncated|corrupt)/],
    ['zip', 'application/zip', cutZip, /the zip archive is truncated/],
  ] as const)(
    '%s cut short in one message of an mbox: the other report still counts',
    (_n, type, cut, why) => {
      const box = mbox(email(type, cut), email('application/gzip', good));
      const { reports, notes } = extractReports('rua.mbox', bytes(box), { strict: true });
      expect(reports.map((r) => r.report.reportId)).toEqual(['r1']);
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatch(
        new RegExp(`^rua\\.mbox: message 1: part 2 \\(${type.replace('/', '\\/')}\\): .*: skipped$`),
      );
      expect(notes[0]).toMatch(why);
    },
  );

  test('named on the command line: still an error', () => {
    expect(refusal('cut.xml.gz', cutGzip).message).toMatch(
      /^cut\.xml\.gz: the gzip data is (truncated|corrupt)/,
    );
    expect(refusal('cut.zip', cutZip).message).toMatch(/^cut\.zip: the zip archive is truncated/);
  });
});

describe('a report with invalid content or bytes: a note in a mailbox, an error when named directly', () => {
  const noIp = dmarcReport('bad').replace(/<source_ip>[^<]*<\/source_ip>/, '');
  const badUtf8 = Buffer.concat([
    Buffer.from(dmarcReport('bad2').replace('<org_name>x', '<org_name>\u0001')),
  ]);
  badUtf8[badUtf8.indexOf(1)] = 0xff; // a byte no UTF-8 text holds

  test.each([
    ['a record without source_ip', Buffer.from(noIp), /source_ip is missing/],
    ['a byte that is not UTF-8', badUtf8, /not valid UTF-8/],
  ] as const)('%s in one message: the other report still counts', (_n, body, why) => {
    const good = gzipSync(dmarcReport('r1', '192.0.2.9', 40));
    const box = mbox(email('application/xml', body), email('application/gzip', good));
    const { reports, notes } = extractReports('rua.mbox', bytes(box), { strict: true });
    expect(reports.map((r) => r.report.reportId)).toEqual(['r1']);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^rua\.mbox: message 1: part 2 \(application\/xml\): .*: skipped$/);
    expect(notes[0]).toMatch(why);
    expect(() => refusal('direct.xml', body)).not.toThrow();
    expect(refusal('direct.xml', body).message).toMatch(why);
  });
});
