import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { MAX_FIELDS, tokenizeCsv } from '../../src/logs/tokenizer.js';
import { rng } from '../support/generated-zones.js';

/**
 * Every record of `bytes` fed in chunks of `chunk` bytes, as arrays of strings; each chunk copied to `shift` bytes past
 * a 4-byte-aligned address when asked (the words the quote search reads start elsewhere then).
 */
function records(bytes: Uint8Array, chunk = 1 << 20, shift?: number): string[][] {
  const out: string[][] = [];
  const t = tokenizeCsv('test.csv', (row) => {
    const fields: string[] = [];
    for (let i = 0; i < row.count; i++) fields.push(row.field(i));
    out.push(fields);
  });
  for (let i = 0; i < bytes.length; i += chunk) {
    const piece = bytes.subarray(i, i + chunk);
    if (shift === undefined) t.push(piece);
    else {
      const room = new Uint8Array(piece.length + shift);
      room.set(piece, shift);
      t.push(room.subarray(shift));
    }
  }
  t.end();
  return out;
}

/** papaparse's records of `text`, without the empty record it reads after a final line break. */
function oracle(text: string, newline: '\r\n' | '\n' | '\r'): string[][] {
  const parsed = Papa.parse<string[]>(text, { delimiter: ',', newline });
  expect(parsed.errors).toEqual([]);
  return parsed.data.filter((r, i, all) => !(i === all.length - 1 && r.length === 1 && r[0] === ''));
}

/** Pieces of a subject or an address as a trace holds them, '#' among them (the byte after a quote, 0x23, is where a SWAR test can flag a false match). */
const EXPORT_PIECES = ['Re: ', 'x', ',', '"', '""', '\r\n', '#', '"#', 'ä', '–', '😀', ' ', '', '@', '5.7.1'];

/** An Export-Csv file from Windows PowerShell 5.1: a #TYPE line, then every field quoted, CRLF. */
function exportCsv(seed: number, rows: number, cols: number): string {
  const r = rng(seed);
  const lines = ['#TYPE Deserialized.Microsoft.Exchange.Management.FfoReporting.MessageTrace'];
  for (let i = 0; i <= rows; i++) {
    const fields: string[] = [];
    for (let c = 0; c < cols; c++) {
      let v = i === 0 ? `Column${c}` : '';
      const n = i === 0 ? 0 : Math.floor(r() * 5);
      for (let k = 0; k < n; k++) v += EXPORT_PIECES[Math.floor(r() * EXPORT_PIECES.length)]!;
      fields.push(`"${v.replaceAll('"', '""')}"`);
    }
    lines.push(fields.join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

const utf8 = (s: string) => new TextEncoder().encode(s);

const PIECES = [
  'a',
  'Bc',
  ' ',
  ',',
  '"',
  '""',
  '\n',
  '\r\n',
  'é',
  '日本',
  '😀',
  '\u202e',
  '',
  'x y',
  '\t',
  '5.7.68',
];

function generate(seed: number, rows: number, cols: number, eol: string): string {
  const r = rng(seed);
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const fields: string[] = [];
    for (let c = 0; c < cols; c++) {
      let v = '';
      const n = Math.floor(r() * 4);
      for (let k = 0; k < n; k++) v += PIECES[Math.floor(r() * PIECES.length)]!;
      // Quote when the value needs it, and some values that do not (Export-Csv quotes every field).
      const needs = /[",\r\n]/.test(v) || v === '';
      fields.push(needs || r() < 0.5 ? `"${v.replaceAll('"', '""')}"` : v);
    }
    lines.push(fields.join(','));
  }
  return lines.join(eol) + (r() < 0.5 ? eol : '');
}

describe('tokenizeCsv', () => {
  it.each([
    [
      'plain LF',
      'a,b,c\n1,2,3\n',
      [
        ['a', 'b', 'c'],
        ['1', '2', '3'],
      ],
    ],
    [
      'CRLF, no final newline',
      'a,b\r\n1,2',
      [
        ['a', 'b'],
        ['1', '2'],
      ],
    ],
    ['quoted with comma and doubled quote', '"a,b","say ""hi"""\n', [['a,b', 'say "hi"']]],
    [
      'embedded CRLF in a quoted field',
      '"x","line1\r\nline2"\r\n"y","z"\r\n',
      [
        ['x', 'line1\r\nline2'],
        ['y', 'z'],
      ],
    ],
    [
      'empty fields',
      ',,\n"",x,\n',
      [
        ['', '', ''],
        ['', 'x', ''],
      ],
    ],
    ['trailing comma at end of file', 'a,', [['a', '']]],
    ['unicode', '"é","日本😀"\n', [['é', '日本😀']]],
    ['blank line kept as one empty field', 'a\n\nb\n', [['a'], [''], ['b']]],
  ])('%s', (_name, text, expected) => {
    expect(records(utf8(text))).toEqual(expected);
    // The same records whatever the chunk boundaries (a quote pair or CRLF split across two reads).
    for (const size of [1, 2, 3, 7]) expect(records(utf8(text), size)).toEqual(expected);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])('agrees with papaparse on generated file %i', (seed) => {
    const text = generate(seed, 200, 1 + (seed % 7), seed % 2 ? '\r\n' : '\n');
    const oracle = Papa.parse<string[]>(text, { delimiter: ',', newline: seed % 2 ? '\r\n' : '\n' });
    expect(oracle.errors).toEqual([]);
    const mine = records(utf8(text), 1 + seed * 37);
    // papaparse drops nothing, but reads a file ending in a newline as ending in one empty record.
    const expected = oracle.data.filter(
      (r, i, all) => !(i === all.length - 1 && r.length === 1 && r[0] === ''),
    );
    expect(mine).toEqual(expected);
  });

  it('finds every quote whatever its place in a 32-bit word (the word-at-a-time search)', () => {
    // Quoted fields of every length up to 40 bytes with a doubled quote or a line break at every position, read from
    // buffers that start at each offset of a word and in chunks of several sizes.
    const fields: string[] = [];
    for (let len = 0; len < 40; len++)
      for (let at = 0; at <= len; at++) {
        const body = 'x'.repeat(len);
        fields.push(body.slice(0, at) + (at % 3 === 0 ? '\r\n' : '"') + body.slice(at));
      }
    const lines: string[] = [];
    for (let i = 0; i < fields.length; i += 3)
      lines.push(
        fields
          .slice(i, i + 3)
          .map((f) => `"${f.replaceAll('"', '""')}"`)
          .join(','),
      );
    const text = lines.join('\r\n') + '\r\n';
    const oracle = Papa.parse<string[]>(text, { delimiter: ',', newline: '\r\n' }).data.slice(0, -1);
    const bytes = utf8(text);
    for (let offset = 0; offset < 4; offset++) {
      const shifted = new Uint8Array(bytes.length + offset);
      shifted.set(bytes, offset);
      for (const chunk of [5, 64, 1000, 1 << 20])
        expect(records(shifted.subarray(offset), chunk)).toEqual(oracle);
    }
  });

  it.each([1, 2, 3, 4, 5, 6])(
    'reads an Export-Csv file (every field quoted) as papaparse does (%i)',
    (seed) => {
      const text = exportCsv(seed, 120, 3 + seed * 3);
      const expected = oracle(text, '\r\n');
      const bytes = utf8(text);
      for (let shift = 0; shift < 4; shift++)
        for (const chunk of [1, 2, 3, 5, 8, 13, 64, 333, 1 << 20])
          expect(records(bytes, chunk, shift)).toEqual(expected);
    },
  );

  it('reads an Export-Csv file cut into two chunks at every byte', () => {
    const text = exportCsv(7, 12, 5);
    const expected = oracle(text, '\r\n');
    const bytes = utf8(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const out: string[][] = [];
      const t = tokenizeCsv('cut.csv', (row) => {
        const fields: string[] = [];
        for (let i = 0; i < row.count; i++) fields.push(row.field(i));
        out.push(fields);
      });
      t.push(bytes.subarray(0, cut));
      t.push(bytes.subarray(cut));
      t.end();
      expect(out).toEqual(expected);
    }
  });

  it.each([
    // Where the all-quoted reading gives up in the middle of a record, and the general one reads it from its start.
    ['an unquoted field after quoted ones', '"a","b",c,"d"\r\n"e","f",g,"h"\r\n'],
    ['an unquoted last field', '"a","b",\r\n"c",d\r\n'],
    ['a quoted field after unquoted ones', 'a,"b","c"\r\n'],
    ['doubled quotes first, last and alone', '"""a","b""","""",""""""\r\n"",""\r\n'],
    ['line breaks in quoted fields', '"a\r\nb","\n","\r\n\r\n"\r\n"c","d"\r\n'],
    ['LF line breaks', '"a","b"\n"c","d"\n'],
    ['no line break at the end', '"a","b"\r\n"c","d"'],
    ['a blank line between quoted records', '"a","b"\r\n\r\n"c","d"\r\n'],
  ])('%s', (_name, text) => {
    const expected = oracle(text, text.includes('\r\n') ? '\r\n' : '\n');
    for (let shift = 0; shift < 4; shift++)
      for (const chunk of [1, 2, 3, 4, 5, 7, 1 << 20])
        expect(records(utf8(text), chunk, shift)).toEqual(expected);
  });

  it('ends a record at a CR alone, after a quoted field as after an unquoted one, whatever the chunks', () => {
    // Records ending in a CR alone (no LF) used to be lost when a chunk ended among them: the carried bytes held more
    // than the one record the carry was finished with.
    const text = '"a","b"\r"c"\rd,e\r\n"f"\rg\r\n';
    const expected = [['a', 'b'], ['c'], ['d', 'e'], ['f'], ['g']];
    for (const chunk of [1, 2, 3, 4, 5, 7, 1 << 20]) expect(records(utf8(text), chunk)).toEqual(expected);
  });

  it('reads a file whose lines end in a CR alone, records carried from read to read, far past the record bound', () => {
    // With no LF in the file, a record carried into the next read used to swallow the rest and fail as too long.
    const lines = Array.from({ length: 400 }, (_, i) =>
      i % 3 === 0 ? `"r${i}","a\rb","x"` : i % 3 === 1 ? `r${i},plain,"q""d"` : `"r${i}",,""`,
    );
    const text = lines.join('\r') + '\r';
    const expected = oracle(text, '\r');
    expect(expected).toHaveLength(400);
    for (const chunk of [1, 7, 13, 64, 1000]) {
      const out: string[][] = [];
      const t = tokenizeCsv(
        'cr.csv',
        (row) => out.push(Array.from({ length: row.count }, (_, i) => row.field(i))),
        {
          maxRecordBytes: 64,
        },
      );
      const bytes = utf8(text);
      for (let i = 0; i < bytes.length; i += chunk) t.push(bytes.subarray(i, i + chunk));
      t.end();
      expect(out, `reads of ${chunk} bytes`).toEqual(expected);
    }
  });

  it('grows past 64 fields in a quoted record, and refuses more than MAX_FIELDS naming the row', () => {
    const row = (n: number, tag: string) =>
      Array.from({ length: n }, (_, i) => `"${tag}${i}"`).join(',') + '\r\n';
    const text = row(3, 'a') + row(100, 'b') + row(65, 'c') + row(3, 'd');
    const got = records(utf8(text));
    expect(got.map((r) => r.length)).toEqual([3, 100, 65, 3]);
    expect(got[1]![99]).toBe('b99');
    expect(got[3]).toEqual(['d0', 'd1', 'd2']);
    expect(() => records(utf8(row(2, 'a') + row(MAX_FIELDS + 1, 'x')))).toThrow(
      new RegExp(`test\\.csv: row 2: more than ${MAX_FIELDS} fields`),
    );
  });

  it.each([
    [
      'text after a closing quote',
      '"a","b"\r\n"c","d"x,"e"\r\n',
      /row 2: field 2: text after the closing quote/,
    ],
    [
      'a space after a closing quote',
      '"a"\r\n"b"\r\n"c" ,"d"\r\n',
      /row 3: field 1: text after the closing quote/,
    ],
    ['a quoted field not closed', '"a","b"\r\n"c","d\r\n', /row 2: a quoted field is not closed/],
  ])('names the row of %s in an all-quoted file, whatever the chunks', (_name, text, error) => {
    for (const chunk of [1, 2, 3, 5, 1 << 20]) expect(() => records(utf8(text), chunk)).toThrow(error);
  });

  it.each([
    ['a record with an unquoted field', '"a""b",c,"d"\n'],
    ['an all-quoted record (the fast path)', '"a""b","c","d"\r\n'],
  ])('gives the bytes of each field for readers that do not decode them: %s', (_name, text) => {
    const seen: [string, boolean][] = [];
    const t = tokenizeCsv('t.csv', (row) => {
      for (let i = 0; i <= row.count; i++)
        seen.push([
          Buffer.from(row.bytes.subarray(row.fieldStart(i), row.fieldEnd(i))).toString(),
          row.escaped(i),
        ]);
    });
    t.push(utf8(text));
    t.end();
    // Past the last field: empty, as field(i) is.
    expect(seen).toEqual([
      ['a""b', true],
      ['c', false],
      ['d', false],
      ['', false],
    ]);
  });

  it('names the file and the row of an unterminated quoted field', () => {
    expect(() => records(utf8('a,b\n"c,d\n'))).toThrow(InputError);
    expect(() => records(utf8('a,b\n"c,d\n'))).toThrow(/test\.csv: row 2: a quoted field is not closed/);
  });

  it('refuses text after a closing quote, naming the row', () => {
    expect(() => records(utf8('a\n"b"c\n'))).toThrow(/test\.csv: row 2: .*after the closing quote/);
  });

  it('bounds a record (an unterminated quote does not read the whole file into one field)', () => {
    const t = tokenizeCsv('big.csv', () => undefined, { maxRecordBytes: 1000 });
    t.push(utf8('"' + 'x'.repeat(600)));
    expect(() => t.push(utf8('y'.repeat(600)))).toThrow(/big\.csv: row 1: .*longer than 1000 bytes/);
  });

  it('copies field text out of the chunk (no slice pins a 1 MiB read)', () => {
    const seen: string[] = [];
    const t = tokenizeCsv('t.csv', (row) => seen.push(row.field(0)));
    const buf = utf8('abc\n');
    t.push(buf);
    t.end();
    buf.fill(0x7a);
    expect(seen).toEqual(['abc']);
  });
});
