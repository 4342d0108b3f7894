import { describe, expect, it } from 'vitest';
import { analyseHeaders } from '../../src/headers/analyse.js';
import {
  decodeEncodedWords,
  MAX_FIELD_CHARS,
  MAX_FIELDS,
  MAX_HEADER_CHARS,
  parseInput,
} from '../../src/headers/parse.js';
import { MAX_HOPS, parseReceived } from '../../src/headers/received.js';

describe('headers parse: line ends, folding, pastes', () => {
  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('%s line ends unfold the same way', (_, eol) => {
    const text = ['Subject: one', '\ttwo', '  three', 'X-A: b', '', 'body'].join(eol);
    const m = parseInput(text).messages[0]!;
    expect(m.fields.map((f) => [f.name, f.value])).toEqual([
      ['Subject', 'one\ttwo  three'],
      ['X-A', 'b'],
    ]);
  });

  it('a paste without the blank line ends at the first line that is not a field, and says so', () => {
    const m = parseInput('Subject: a\nX-B: c\nDear all, see below\nX-Not: header').messages[0]!;
    expect(m.fields.map((f) => f.name)).toEqual(['Subject', 'X-B']);
    expect(m.notes.join('\n')).toMatch(/no blank line after the header fields/);
  });

  it("leading lines before the first field (Outlook's title line) are skipped and noted", () => {
    const m = parseInput('Microsoft Mail Internet Headers Version 2.0\nSubject: a\n').messages[0]!;
    expect(m.fields.map((f) => f.name)).toEqual(['Subject']);
    expect(m.notes.join('\n')).toMatch(/1 line\(s\) before the first header field were skipped/);
  });
});

describe('headers parse: RFC 2047 encoded words', () => {
  it.each([
    ['=?utf-8?B?UmVjaG51bmcgZsO8cg==?=', 'Rechnung für', false],
    ['=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?=', 'Jürgen Müller', false],
    ['=?iso-8859-1?q?caf=E9?= =?utf-8?b?IOKCrA==?=', 'café €', false],
    ['=?utf-8?B?!!!?=', '=?utf-8?B?!!!?=', true],
    ['=?x-no-such-charset?Q?abc?=', '=?x-no-such-charset?Q?abc?=', true],
    ['=?utf-8?Q?=FF=FE?=', '=?utf-8?Q?=FF=FE?=', true],
  ])('%s → %s', (input, text, invalid) => {
    expect(decodeEncodedWords(input)).toEqual({ text, invalid });
  });
});

describe('headers parse: Received clauses', () => {
  it.each([
    [
      'from mail.example (mail.example [192.0.2.1]) by mx.example (Postfix) with ESMTPS id X; Mon, 2 Nov 2026 09:00:00 +0100 (CET)',
      {
        from: 'mail.example',
        ip: '192.0.2.1',
        by: 'mx.example',
        with: 'ESMTPS',
        time: '2026-11-02T08:00:00.000Z',
      },
    ],
    [
      'from [127.0.0.1] (192.0.2.9) by X.mail.protection.outlook.com (10.0.0.1) with Microsoft SMTP Server; Mon, 2 Nov 2026 09:00:00 +0000',
      { from: '[127.0.0.1]', ip: '192.0.2.9', by: 'X.mail.protection.outlook.com', with: 'Microsoft' },
    ],
    ['from h (2001:db8::5) by b; Mon, 2 Nov 2026 09:00:00 +0000', { ip: '2001:db8::5' }],
    ['from h (h [IPv6:2001:db8::6]) by b; Mon, 2 Nov 2026 09:00:00 +0000', { ip: '2001:db8::6' }],
    ['from x (unknown [not-an-ip]) by y; not a date', { ip: undefined, time: undefined, date: 'not a date' }],
    ['garbage without clauses', { from: undefined, by: undefined, ip: undefined }],
  ])('%s', (value, expected) => {
    expect(parseReceived(value, 0)).toMatchObject(expected);
  });
});

describe('headers parse: hostile input is bounded', () => {
  it('thousands of Received lines: the newest MAX_HOPS are analysed, the rest counted', () => {
    const received = Array.from(
      { length: 5000 },
      (_, i) => `Received: from h${i} (h${i} [192.0.2.${i % 250}]) by r${i}; Mon, 2 Nov 2026 09:00:00 +0000`,
    );
    const m = analyseHeaders([...received, 'Subject: loop', ''].join('\n')).messages[0]!;
    expect(m.hops).toHaveLength(MAX_HOPS);
    expect(m.notes.join('\n')).toMatch(new RegExp(`${5000 - MAX_HOPS} Received field\\(s\\) beyond`));
    // The newest hop (the topmost field) is the last of the chain.
    expect(m.hops[m.hops.length - 1]!.from).toBe('h0');
  });

  it('more fields than MAX_FIELDS: the rest are counted, not kept', () => {
    const lines = Array.from({ length: MAX_FIELDS + 10 }, (_, i) => `X-F${i}: v`);
    const m = parseInput(lines.join('\n')).messages[0]!;
    expect(m.fields).toHaveLength(MAX_FIELDS);
    expect(m.notes.join('\n')).toMatch(/10 more were not/);
  });

  it('deep folding: one field of 100,000 continuation lines is cut at MAX_FIELD_CHARS', () => {
    const text = `Subject: start\n${' x\n'.repeat(100_000)}X-After: y\n`;
    const m = parseInput(text).messages[0]!;
    expect(m.fields[0]!.value.length).toBeLessThanOrEqual(MAX_FIELD_CHARS);
    expect(m.notes.join('\n')).toMatch(/longer than 65536 characters were cut/);
  });

  it('a header section beyond MAX_HEADER_CHARS stops being read', () => {
    const line = `X-Pad: ${'a'.repeat(1000)}`;
    const lines = Array.from({ length: Math.ceil(MAX_HEADER_CHARS / 1000) + 50 }, () => line);
    const m = parseInput(lines.join('\n')).messages[0]!;
    expect(m.notes.join('\n')).toMatch(/header section is longer than/);
    expect(m.fields.length).toBeLessThan(lines.length);
  });

  it('a results header of nested comments and no structure does not break the analysis', () => {
    const text = `Authentication-Results: ${'('.repeat(5000)}spf=pass${')'.repeat(5000)}\nX-MS-Exchange-Organization-AuthAs: Anonymous\n`;
    const m = analyseHeaders(text).messages[0]!;
    expect(m.verdict).toBe('unknown');
    expect(m.authentication.spf).toBeUndefined();
  });
});
