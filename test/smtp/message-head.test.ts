/** What the emulator reads of a message's head at end of DATA: From:, Received hops, the fields. */
import { describe, expect, test } from 'vitest';
import { MAX_FIELDS } from '../../src/headers/parse.js';
import { fromAddress, headerRecord, parseHead, receivedIps } from '../../src/smtp/message-head.js';

describe('parseHead', () => {
  test('unfolds continuation lines (the line break goes, the blank stays: RFC 5322 §2.2.3) and stops at the empty line', () => {
    const f = parseHead('Subject: a\r\n b\r\n\tc\r\nFrom: x@y.test\r\n\r\nBody: not a header\r\n');
    expect(f).toEqual([
      { name: 'Subject', value: 'a b\tc' },
      { name: 'From', value: 'x@y.test' },
    ]);
  });

  test('a line that is not a field ends the head (LF line ends too)', () => {
    expect(parseHead('From: a@b.test\nthis is body text\nTo: c@d.test\n')).toEqual([
      { name: 'From', value: 'a@b.test' },
    ]);
    // The shared reader skips lines before the first field (a stray title, as in an Outlook paste).
    expect(parseHead(' leading continuation\nFrom: a@b.test')).toEqual([{ name: 'From', value: 'a@b.test' }]);
  });

  test(`stops after ${MAX_FIELDS} fields`, () => {
    const text = Array.from({ length: MAX_FIELDS + 50 }, (_, i) => `X-${i}: v`).join('\r\n');
    expect(parseHead(text)).toHaveLength(MAX_FIELDS);
  });
});

describe('fromAddress', () => {
  test.each([
    ['From: ceo@contoso.com', 'ceo@contoso.com'],
    ['From: "The CEO" <ceo@contoso.com>', 'ceo@contoso.com'],
    ['From: =?utf-8?q?CEO?= <ceo@contoso.com> (comment)', 'ceo@contoso.com'],
    ['From: (comment) ceo@contoso.com', 'ceo@contoso.com'],
    ['FROM: <ceo@contoso.com>', 'ceo@contoso.com'],
  ])('%s', (line, address) => {
    expect(fromAddress(parseHead(line))).toEqual({ address });
  });

  test.each([
    ['Subject: no from', /no From: header/],
    ['From: a@b.test\r\nFrom: c@d.test', /2 From: headers/],
    ['From: a@b.test, c@d.test', /more than one mailbox/],
    ['From: <a@b.test>, <c@d.test>', /more than one mailbox/],
    ['From: undisclosed', /no valid address/],
    ['From: <>', /no valid address/],
  ])('%s is a problem', (text, problem) => {
    const r = fromAddress(parseHead(text));
    expect('problem' in r && r.problem).toMatch(problem);
  });
});

describe('receivedIps', () => {
  test('the from-clause address of each hop, newest first; hops without one skipped', () => {
    const head = parseHead(
      [
        'Received: from mx1.gateway.example (mx1.gateway.example [203.0.113.10]) by eop.test with ESMTPS; Mon, 7 Dec 2026 04:00:00 +0000',
        'Received: from localhost by gw.internal; Mon, 7 Dec 2026 03:59:59 +0000',
        'Received: from sender.example (unknown [IPv6:2001:db8::25])',
        '\tby mx1.gateway.example (Postfix) with ESMTP id 1; Mon, 7 Dec 2026 03:59:58 +0000',
        'Received: by host [192.0.2.9]; no from clause',
        'Received: from x ([999.1.1.1] [198.18.40.40]) by y',
      ].join('\r\n'),
    );
    expect(receivedIps(head)).toEqual(['203.0.113.10', '2001:db8::25', '198.18.40.40']);
  });
});

describe('headerRecord', () => {
  test('first occurrence of each name; a __proto__ field is an ordinary key', () => {
    const r = headerRecord(parseHead('X-A: 1\r\nx-a: 2\r\n__proto__: p\r\nFrom: a@b.test'));
    expect(Object.keys(r)).toEqual(['X-A', '__proto__', 'From']);
    expect(r['X-A']).toBe('1');
    expect(r['__proto__']).toBe('p');
  });
});
