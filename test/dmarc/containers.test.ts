/**
 * Report containers beyond one report per file (issue 12 leftovers): every entry of a zip, every member of a gzip,
 * each bounded; a bad entry is a note naming the archive and the entry while the others count; the limits of a whole
 * archive (entries, total inflated size, total ratio) refuse it. Memory is asserted, never time.
 */
import { Deflate, gzipSync, zipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { extractReports } from '../../src/dmarc/extract.js';
import type { ContainerError } from '../../src/common/inflate.js';
import {
  gunzipBounded,
  MAX_ZIP_ENTRIES,
  zipEntries,
  type ContainerLimits,
} from '../../src/common/inflate.js';
import { InputError } from '../../src/errors.js';
import { handZip, heapGrowth as growth } from '../support/zip.js';
import { dmarcReport } from '../support/dmarc-report.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const MIB = 1024 * 1024;

function refusal(file: string, bytes: Uint8Array, limits?: Partial<ContainerLimits>): InputError {
  try {
    extractReports(file, bytes, { strict: true, ...(limits ? { limits } : {}) });
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error(`${file} was not refused`);
}

/** Bytes that compress about 10:1 (text-like), so no single stream trips the ratio cap. */
function textLike(bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let x = 12345;
  for (let i = 0; i < bytes; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = 0x61 + ((x >>> 16) % 4) + (i % 64 === 0 ? 10 : 0);
  }
  return out;
}

/** Zeros with a letter every `every` bytes: compresses about 60:1 at 128, under the ratio cap of one stream. */
function sparse(bytes: number, every: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let x = 12345;
  for (let i = 0; i < bytes; i += every) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = 0x61 + ((x >>> 16) % 26);
  }
  return out;
}

describe('zip: every entry', () => {
  test('three reports in one zip, one gzipped inside it: all three count, each named by its entry', () => {
    const zip = zipSync({
      'a.xml': utf8(dmarcReport('a')),
      'b.xml.gz': gzipSync(utf8(dmarcReport('b', '192.0.2.2', 5))),
      'c/': new Uint8Array(0),
      'c/c.xml': utf8(dmarcReport('c', '192.0.2.3', 7)),
    });
    const found = extractReports('month.zip', zip);
    expect(found.reports.map((r) => [r.source, r.report.reportId, r.report.records[0]!.count])).toEqual([
      ['month.zip: zip entry "a.xml"', 'a', 1],
      ['month.zip: zip entry "b.xml.gz"', 'b', 5],
      ['month.zip: zip entry "c/c.xml"', 'c', 7],
    ]);
    // The folder entry is neither a report nor a note.
    expect(found.notes).toEqual([]);
  });

  test('a bad entry beside good ones: a note naming the archive and the entry, the others still count', () => {
    const zip = zipSync({
      'good.xml': utf8(dmarcReport('good')),
      '../../etc/evil.xml': utf8(dmarcReport('evil')),
      'entity.xml': utf8('<!DOCTYPE f [<!ENTITY a "b">]><feedback/>'),
      'html.xml': utf8('<html><body>hi</body></html>'),
      'readme.txt': utf8('reports inside'),
    });
    const found = extractReports('mixed.zip', zip);
    expect(found.reports.map((r) => r.report.reportId)).toEqual(['good']);
    expect(found.notes).toEqual([
      expect.stringMatching(
        /^mixed\.zip: zip entry "\.\.\/\.\.\/etc\/evil\.xml": a path outside the archive.*: skipped \(the archive's other entries were read\)$/,
      ),
      expect.stringMatching(
        /^mixed\.zip: zip entry "entity\.xml": line 1: <!DOCTYPE> is refused.*: skipped \(the archive's other entries were read\)$/,
      ),
      'mixed.zip: zip entry "html.xml": not a DMARC aggregate report: the root element is <html>, not <feedback>: skipped',
      'mixed.zip: zip entry "readme.txt": neither XML nor gzip: not a report: skipped',
    ]);
  });

  test('only bad entries: the archive is refused with the first reason, the others counted', () => {
    const zip = zipSync({
      'a.xml': utf8('<!DOCTYPE f><feedback/>'),
      'b.xml': utf8('<feedback><x></feedback>'),
    });
    const err = refusal('bad.zip', zip);
    expect(err.message).toMatch(
      /^bad\.zip: zip entry "a\.xml": line 1: <!DOCTYPE> is refused.*\(and 1 other entry that could not be read\)$/,
    );
    expect(err.file).toBe('bad.zip');
  });

  test('no report at all: refused when named, a note when found in a folder', () => {
    const zip = zipSync({ 'readme.txt': utf8('nothing here') });
    expect(refusal('none.zip', zip).message).toBe(
      'none.zip: the zip archive holds no DMARC aggregate report',
    );
    expect(extractReports('none.zip', zip, { strict: false })).toEqual({
      reports: [],
      notes: ['none.zip: the zip archive holds no DMARC aggregate report: skipped'],
    });
  });

  test('a nested zip (and a gzipped zip) is not opened: refused, naming the entry', () => {
    const inner = zipSync({ 'r.xml': utf8(dmarcReport('inner')) });
    expect(refusal('nested.zip', zipSync({ 'inner.zip': inner })).message).toBe(
      'nested.zip: zip entry "inner.zip": holds a zip archive: nested archives are not read',
    );
    expect(refusal('nested2.zip', zipSync({ 'inner.zip.gz': gzipSync(inner) })).message).toBe(
      'nested2.zip: zip entry "inner.zip.gz": the gzip data holds a zip archive: nested archives are not read',
    );
    // Beside a real report, the nested archive is a note and the report counts.
    const both = extractReports(
      'both.zip',
      zipSync({ 'inner.zip': inner, 'r.xml': utf8(dmarcReport('outer')) }),
    );
    expect(both.reports.map((r) => r.report.reportId)).toEqual(['outer']);
    expect(both.notes).toEqual([
      expect.stringMatching(/^both\.zip: zip entry "inner\.zip": holds a zip archive/),
    ]);
  });

  test(`a zip of 10,000 entries is refused from its central directory (more than ${MAX_ZIP_ENTRIES}), nothing inflated`, () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 10_000; i++) files[`r${i}.xml`] = utf8(dmarcReport(String(i)));
    const zip = zipSync(files);
    const err = refusal('many.zip', zip);
    expect(err.message).toBe(
      `many.zip: the zip archive has 10000 entries, more than the ${MAX_ZIP_ENTRIES} read from one archive: refused (unpack it into a folder to read them all)`,
    );
    expect((err.cause as ContainerError).inflated).toBe(0);
  });

  test('entries that each stay under the cap but sum over the archive cap: the archive is refused', () => {
    // Three honest entries of 400 KiB each (about 10:1), under a per-entry cap of 512 KiB; the archive cap is 1 MiB.
    const entry = textLike(400 * 1024);
    const zip = zipSync({ 'a.xml': entry, 'b.xml': entry, 'c.xml': entry }, { level: 6 });
    const limits = { maxBytes: 512 * 1024, maxTotalBytes: MIB };
    // Each entry alone is within the caps.
    expect([...zipEntries(zipSync({ 'a.xml': entry }), { ...limitsOf(limits) })][0]).toHaveProperty('bytes');
    const err = refusal('sum.zip', zip, limits);
    expect(err.message).toBe(
      `sum.zip: the zip archive's entries inflate to more than the ${MIB}-byte limit for one archive: refused (a decompression bomb?)`,
    );
    expect((err.cause as ContainerError).inflated).toBeLessThan(MIB + 64 * 1024);
  });

  test('overlapping entries (one compressed stream, 1,000 directory records): refused by the archive ratio', () => {
    const data = sparse(2 * MIB, 128);
    const parts: Uint8Array[] = [];
    const d = new Deflate({ level: 6 }, (c) => parts.push(c));
    d.push(data, true);
    const deflated = Buffer.concat(parts);
    const zip = handZip('r.bin', deflated, data.length, crc32Of(data), 1000);
    let err: unknown;
    const grown = growth(() => {
      try {
        extractReports('overlap.zip', zip);
      } catch (e) {
        err = e;
      }
    });
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(
      /^overlap\.zip: the zip archive's entries inflate more than 200 times the archive's size .*refused as a decompression bomb$/,
    );
    // Stopped after a few entries' worth (200 × the archive's ~90 KiB), not 1,000 × 2 MiB = 2 GiB.
    expect(((err as Error).cause as ContainerError).inflated).toBeLessThan(24 * MIB);
    expect(grown).toBeLessThan(64 * MIB);
  });
});

function limitsOf(l: Partial<ContainerLimits>): ContainerLimits {
  return {
    maxBytes: 64 * MIB,
    maxRatio: 200,
    maxEntries: 1000,
    maxTotalBytes: 128 * MIB,
    maxMembers: 1000,
    ...l,
  };
}

function crc32Of(b: Uint8Array): number {
  let c = ~0;
  for (const byte of b) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

describe('gzip: every member', () => {
  test('a report written as three concatenated gzip members reads as one document (RFC 1952 §2.2)', () => {
    const xml = dmarcReport('multi', '192.0.2.9', 42);
    const cut = [0, 100, 300, xml.length];
    const members = cut.slice(1).map((end, i) => gzipSync(utf8(xml.slice(cut[i], end))));
    const found = extractReports('multi.xml.gz', Buffer.concat(members));
    expect(found.reports).toHaveLength(1);
    expect(found.reports[0]!.report).toMatchObject({ reportId: 'multi', records: [{ count: 42 }] });
  });

  test('an empty member between two is fine; a corrupt member trailer is named', () => {
    const a = gzipSync(utf8('<feedback>'));
    const b = gzipSync(new Uint8Array(0));
    const c = gzipSync(utf8('</feedback>'));
    expect(new TextDecoder().decode(gunzipBounded(Buffer.concat([a, b, c])))).toBe('<feedback></feedback>');
    const bad = Buffer.concat([a, b, c]);
    bad[a.length - 8] = bad[a.length - 8]! ^ 0xff; // member 1's CRC-32
    expect(() => gunzipBounded(bad)).toThrow(
      /the gzip data is truncated or corrupt \(member 1's CRC-32\/length trailer does not match the data\)/,
    );
    const last = Buffer.concat([a, c]);
    last[last.length - 1] = last[last.length - 1]! ^ 0x01; // member 2's ISIZE
    expect(() => gunzipBounded(last)).toThrow(/member 2's CRC-32\/length trailer/);
  });

  test('the caps hold over all members together, and the member count is bounded', () => {
    const member = gzipSync(textLike(300 * 1024));
    expect(() =>
      gunzipBounded(Buffer.concat([member, member, member, member]), { maxBytes: MIB, maxRatio: 200 }),
    ).toThrow(/inflates to more than the 1048576-byte limit/);
    const empty = gzipSync(new Uint8Array(0));
    const many = Buffer.concat(Array.from({ length: 20 }, () => empty));
    expect(() => gunzipBounded(many, { maxBytes: MIB, maxRatio: 200, maxMembers: 10 })).toThrow(
      /more than 10 members: refused/,
    );
    expect(gunzipBounded(many, { maxBytes: MIB, maxRatio: 200, maxMembers: 20 })).toHaveLength(0);
  });
});

describe('invalid UTF-8: a clear error naming the file, the entry and the byte offset', () => {
  const bad = () => {
    const bytes = utf8(dmarcReport('u'));
    const at = bytes.indexOf(utf8('<org_name>')[0]!, 60) + '<org_name>'.length;
    bytes[at] = 0xc3; // a lead byte followed by "<": never valid UTF-8
    bytes[at + 1] = 0x3c;
    return { bytes, at };
  };

  test('in a plain file, with a BOM counted in the offset', () => {
    const { bytes, at } = bad();
    expect(refusal('u.xml', bytes).message).toBe(
      `u.xml: not valid UTF-8: the first invalid byte is at offset ${at}; the report cannot be read as sent`,
    );
    const withBom = Buffer.concat([new Uint8Array([0xef, 0xbb, 0xbf]), bytes]);
    expect(refusal('bom.xml', withBom).message).toContain(`offset ${at + 3};`);
  });

  test('in a zip entry and in gzip: the entry is named, the offset is in the inflated data', () => {
    const { bytes, at } = bad();
    expect(refusal('u.zip', zipSync({ 'r.xml': bytes })).message).toBe(
      `u.zip: zip entry "r.xml": not valid UTF-8: the first invalid byte is at offset ${at}; the report cannot be read as sent (offsets count the inflated data)`,
    );
    expect(refusal('u.xml.gz', gzipSync(bytes)).message).toBe(
      `u.xml.gz: not valid UTF-8: the first invalid byte is at offset ${at}; the report cannot be read as sent (offsets count the inflated data)`,
    );
  });

  test('UTF-16 with a byte order mark: a lone surrogate is refused with its offset', () => {
    const text = new Uint8Array([
      0xff,
      0xfe,
      ...new Uint8Array(new Uint16Array([0x3c, 0x61, 0xd800, 0x3e]).buffer),
    ]);
    expect(refusal('u16.xml', text).message).toBe(
      'u16.xml: not valid UTF-16LE (its byte order mark says UTF-16LE): the first invalid byte is at offset 6; the report cannot be read as sent',
    );
  });
});

describe('the encoding is told by the bytes, not the XML declaration (formats.md §4.3: a bad header is replaced)', () => {
  const utf16 = (text: string, order: 'le' | 'be') => {
    const le = Buffer.from(text, 'utf16le');
    return order === 'le' ? le : Buffer.from(le).swap16();
  };
  const declaring = (encoding: string) =>
    dmarcReport('d').replace('encoding="UTF-8"', `encoding="${encoding}"`);

  test.each(['UTF-16', 'utf-16le', 'UCS-2'])(
    '8-bit bytes declared %s: read as UTF-8, with a note',
    (encoding) => {
      const { reports } = extractReports('d.xml', utf8(declaring(encoding)), { strict: true });
      expect(reports[0]!.report.records[0]).toMatchObject({ sourceIp: '192.0.2.1', count: 1 });
      expect(reports[0]!.report.notes).toContain(
        `the XML declaration names "${encoding.toLowerCase()}" but the bytes are 8-bit: read as UTF-8`,
      );
    },
  );

  test.each(['le', 'be'] as const)('UTF-16%s without a byte order mark: told by its NUL bytes', (order) => {
    const { reports } = extractReports('d16.xml', utf16(declaring('UTF-16'), order), { strict: true });
    expect(reports[0]!.report.reportId).toBe('d');
    expect(reports[0]!.report.notes).toEqual([]);
    // White space before the first `<` (a document without a declaration may start so).
    const spaced = utf16(' \r\n' + dmarcReport('s').replace(/^<\?xml[^>]*>/, ''), order);
    expect(extractReports('s16.xml', spaced, { strict: true }).reports[0]!.report.reportId).toBe('s');
  });

  test('an 8-bit encoding the declaration names is still used', () => {
    const latin1 = Buffer.from(
      declaring('ISO-8859-1').replace('<org_name>x', '<org_name>Caf\u00e9'),
      'latin1',
    );
    const { reports } = extractReports('l1.xml', latin1, { strict: true });
    expect(reports[0]!.report.orgName).toBe('Caf\u00e9');
  });
});
