import { describe, expect, test } from 'vitest';
import { inlineSafe } from '../../src/common/text.js';

describe('inlineSafe', () => {
  test.each([
    ['ESC', '\u001b[31mred', '\\x1b[31mred'],
    ['CR LF', 'a\r\nb', 'a\\r\\nb'],
    ['tab', 'a\tb', 'a\\tb'],
    ['NUL and BEL', 'a\u0000\u0007', 'a\\x00\\x07'],
    ['DEL and C1 CSI', '\u007f\u009b2J', '\\x7f\\x9b2J'],
    ['bidi override', 'abc\u202Etxt', 'abc\\u202etxt'],
    ['bidi isolate', '\u2066x\u2069', '\\u2066x\\u2069'],
    ['line separator', 'a\u2028b', 'a\\u2028b'],
    ['plain text unchanged', `O'Brien "SEG" $(x) <b>`, `O'Brien "SEG" $(x) <b>`],
  ])('%s', (_name, input, expected) => {
    expect(inlineSafe(input)).toBe(expected);
  });
});
