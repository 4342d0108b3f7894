/**
 * Malicious DMARC inputs (issue 12 acceptance): each is refused with a clear error naming the file (and the entry or
 * message), in bounded memory: decompression stops after a few MiB of a bomb that would inflate to 100 MiB or more,
 * and no entity is ever expanded. No timed assertions: memory is asserted, and what was inflated before the refusal.
 */
import { gzipSync, zipSync } from 'fflate';
import { gunzipSync, inflateRawSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { MIB, repeatedByteCompressed } from '../support/bomb.js';
import { extractReports } from '../../src/dmarc/extract.js';
import {
  gunzipBounded,
  RATIO_GRACE_BYTES,
  zipEntries,
  type ContainerError,
} from '../../src/common/inflate.js';
import { MAX_DEPTH, parseXml, scanXml } from '../../src/dmarc/xml.js';
import { InputError } from '../../src/errors.js';
import { handZip, heapGrowth as growth } from '../support/zip.js';

const REPORT = `<?xml version="1.0" encoding="UTF-8"?>
<feedback><report_metadata><org_name>x</org_name><report_id>1</report_id></report_metadata>
<policy_published><domain>fabrikam.com</domain><p>reject</p></policy_published>
<record><row><source_ip>192.0.2.1</source_ip><count>1</count>
<policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>
<identifiers><header_from>fabrikam.com</header_from></identifiers></record></feedback>`;

const utf8 = (s: string) => new TextEncoder().encode(s);

function refusal(file: string, bytes: Uint8Array): InputError {
  try {
    extractReports(file, bytes, { strict: true });
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error(`${file} was not refused`);
}

/** `n` MiB of zeros compressed at DEFLATE's best ratio, never held whole. */
const zerosCompressed = (mib: number, container: 'raw' | 'gzip') => repeatedByteCompressed(mib, 0, container);

describe('XML: no DTD, no entity, bounded nesting', () => {
  test.each([
    [
      'billion laughs (entity expansion)',
      `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
        `<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><feedback>&lol3;</feedback>`,
      /<!DOCTYPE> is refused/,
    ],
    [
      'external entity (XXE)',
      `<?xml version="1.0"?><!DOCTYPE f [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><feedback><report_metadata><org_name>&xxe;</org_name></report_metadata></feedback>`,
      /<!DOCTYPE> is refused/,
    ],
    ['an ENTITY declaration without DOCTYPE', `<feedback><!ENTITY x "y"></feedback>`, /<!ENTITY> is refused/],
    [
      'deep nesting',
      `<feedback>${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</feedback>`,
      new RegExp(`nested more than ${MAX_DEPTH} deep`),
    ],
  ])('%s: refused, naming the file', (_, xml, why) => {
    const err = refusal('bad.xml', utf8(xml));
    expect(err.message).toMatch(/^bad\.xml: /);
    expect(err.message).toMatch(why);
    expect(err.file).toBe('bad.xml');
  });

  test('an undeclared entity is never expanded: it stays as written', () => {
    const doc = parseXml('<feedback><x>&lol3; &amp; &#65;</x></feedback>');
    expect(doc).toEqual({ feedback: { x: '&lol3; &amp; &#65;' } });
  });

  test('too many elements: refused by the scan, before the parser builds them', () => {
    // The real cap is millions (MAX_ELEMENTS); the same scan, shown with a lower one.
    const limits = { depth: MAX_DEPTH, elements: 10 };
    expect(() => scanXml(`<feedback>${'<a/>'.repeat(9)}</feedback>`, limits)).not.toThrow();
    expect(() => scanXml(`<feedback>${'<a/>'.repeat(10)}</feedback>`, limits)).toThrow(
      /more than 10 elements: refused/,
    );
    // A `>` inside a quoted attribute value does not end the tag; comments and CDATA are not elements.
    expect(() =>
      scanXml(`<feedback x="<a>"><!-- <a><a> --><![CDATA[<a><a>]]>${'<a/>'.repeat(9)}</feedback>`, limits),
    ).not.toThrow();
  });

  test('invalid UTF-8: refused with the offset of the bad byte', () => {
    const bytes = utf8(REPORT.replace('<org_name>x', '<org_name>x\u00ff'));
    const at = bytes.indexOf(0xc3);
    bytes[at] = 0xff; // a byte that never occurs in UTF-8
    const err = refusal('invalid-utf8.xml', bytes);
    expect(err.message).toMatch(
      /^invalid-utf8\.xml: not valid UTF-8: the first invalid byte is at offset \d+/,
    );
    expect(err.message).toContain(`offset ${at}`);
  });

  test('a truncated document: refused as not closed', () => {
    const err = refusal('cut.xml', utf8(REPORT.slice(0, REPORT.indexOf('<source_ip>') + 4)));
    expect(err.message).toMatch(/^cut\.xml: line \d+: a tag is not closed \(truncated XML\?\)/);
  });
});

describe('gzip: capped, checked', () => {
  test('the bombs below are valid streams: a small one inflates to its zeros', () => {
    // Compared with Buffer#equals: a deep equality over millions of bytes would take seconds.
    const gz = gunzipSync(zerosCompressed(3, 'gzip'));
    expect([gz.length, gz.equals(Buffer.alloc(3 * MIB))]).toEqual([3 * MIB, true]);
    const raw = inflateRawSync(zerosCompressed(2, 'raw'));
    expect([raw.length, raw.equals(Buffer.alloc(2 * MIB))]).toEqual([2 * MIB, true]);
  });

  test('a gzip bomb (100 MiB of zeros, about 100 KiB) is refused after a few MiB, never inflated whole', () => {
    const bomb = zerosCompressed(100, 'gzip');
    expect(bomb.length).toBeLessThan(200 * 1024);
    let err: unknown;
    const grown = growth(() => {
      try {
        extractReports('bomb.xml.gz', bomb, { strict: true });
      } catch (e) {
        err = e;
      }
    });
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(
      /^bomb\.xml\.gz: the gzip data inflates more than 200 times its compressed size .*refused as a decompression bomb/,
    );
    const cause = (err as Error).cause as ContainerError;
    expect(cause.inflated).toBeGreaterThan(RATIO_GRACE_BYTES);
    expect(cause.inflated).toBeLessThan(8 * MIB);
    expect(grown).toBeLessThan(32 * MIB);
  });

  test('the absolute cap holds when the ratio is honest', () => {
    const xml = utf8(REPORT.repeat(50));
    const gz = gzipSync(xml);
    expect(() => gunzipBounded(gz, { maxBytes: 1000, maxRatio: 1e9 })).toThrow(
      /inflates to more than the 1000-byte limit/,
    );
    expect(gunzipBounded(gz, { maxBytes: 1e9, maxRatio: 1e9 })).toEqual(xml);
  });

  test.each([
    ['its trailer cut', 4],
    ['half its data cut', 0.5],
  ])('a truncated gzip (%s) is refused', (_, cut) => {
    const gz = gzipSync(utf8(REPORT));
    const bytes = gz.subarray(0, cut < 1 ? Math.floor(gz.length * cut) : gz.length - cut);
    const err = refusal('cut.xml.gz', bytes);
    expect(err.message).toMatch(/^cut\.xml\.gz: the gzip data is (truncated or corrupt|corrupt)/);
  });
});

describe('zip: in memory, capped, names never paths', () => {
  test('a zip bomb (an entry of 100 MiB of zeros, its size understated) is refused after a few MiB', () => {
    const deflated = zerosCompressed(100, 'raw');
    // The central directory lies (4 KiB): only the streaming caps can stop it.
    const zip = handZip('report.xml', deflated, 4096, 0);
    let err: unknown;
    const grown = growth(() => {
      try {
        extractReports('bomb.zip', zip, { strict: true });
      } catch (e) {
        err = e;
      }
    });
    expect((err as Error).message).toMatch(
      /^bomb\.zip: zip entry "report\.xml" inflates more than 200 times its compressed size/,
    );
    expect(((err as Error).cause as ContainerError).inflated).toBeLessThan(8 * MIB);
    expect(grown).toBeLessThan(32 * MIB);
  });

  test('an entry that claims more than the cap is refused before inflating', () => {
    const zip = handZip('big.xml', new Uint8Array([3, 0]), 0xfffffff0, 0);
    expect(refusal('claims.zip', zip).message).toMatch(
      /larger than the \d+-byte limit for one report: refused/,
    );
  });

  test.each(['../../x.xml', '/etc/x.xml', 'a/../../x.xml', 'C:\\x.xml', 'x\u001b[2J.xml'])(
    'entry name %j: refused as path traversal, nothing written',
    (name) => {
      const zip = zipSync({ [name]: utf8(REPORT) });
      const err = refusal('evil.zip', zip);
      expect(err.message).toMatch(/^evil\.zip: zip entry ".*": a path outside the archive.*path-traversal/);
      // The message is one line whatever the name holds.
      // eslint-disable-next-line no-control-regex -- control characters are what must not appear
      expect(err.message).not.toMatch(/[\u0000-\u001f]/);
    },
  );

  test('a normal zip: its report entry is read, another file is skipped with a note', () => {
    const zip = zipSync({ 'r.xml': utf8(REPORT), 'second.txt': utf8('x') });
    expect([...zipEntries(zip)].map((e) => e.name)).toEqual(['r.xml', 'second.txt']);
    const found = extractReports('ok.zip', zip);
    expect(found.reports.map((r) => r.source)).toEqual(['ok.zip: zip entry "r.xml"']);
    expect(found.notes).toEqual([
      'ok.zip: zip entry "second.txt": neither XML nor gzip: not a report: skipped',
    ]);
  });

  test('a corrupted entry (CRC mismatch) is refused', () => {
    const zip = zipSync({ 'r.xml': utf8(REPORT) }, { level: 0 });
    // The stored data, not a header byte that happens to be `<` (the time stamp changes from run to run).
    const at = Buffer.from(zip).indexOf('<?xml');
    zip[at + 10] = zip[at + 10]! ^ 0x01;
    expect(refusal('crc.zip', zip).message).toMatch(/^crc\.zip: zip entry "r\.xml": truncated or corrupt/);
  });
});

describe('email: the error names the message and part', () => {
  test('a hostile attachment in an mbox: file, message and part named', () => {
    const gzBad = gzipSync(utf8(`<!DOCTYPE x [<!ENTITY a "b">]><feedback/>`));
    const b64 = Buffer.from(gzBad).toString('base64');
    const mbox = [
      'From a@example.org Sun Mar 31 10:00:00 2024',
      'From: a@example.org',
      'Subject: ok',
      '',
      'hello',
      '',
      'From b@example.org Sun Mar 31 11:00:00 2024',
      'From: b@example.org',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="zz"',
      '',
      '--zz',
      'Content-Type: text/plain',
      '',
      'report attached',
      '--zz',
      'Content-Type: application/gzip; name="evil.xml.gz"',
      'Content-Transfer-Encoding: base64',
      '',
      b64,
      '--zz--',
      '',
    ].join('\n');
    const err = refusal('box.mbox', utf8(mbox));
    expect(err.message).toMatch(
      /^box\.mbox: message 2: part 2 \(evil\.xml\.gz\): line 1: <!DOCTYPE> is refused/,
    );
  });
});
