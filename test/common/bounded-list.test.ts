/** Issue 10 item 10: a list in a message is bounded, the rest counted, so thousands of bad values stay one short line. */
import { describe, expect, test } from 'vitest';
import { boundedList } from '../../src/common/text.js';

describe('boundedList', () => {
  test('up to the bound, every item', () => {
    expect(boundedList(['a', 'b', 'c'], 3)).toBe('a, b, c');
    expect(boundedList([], 3)).toBe('');
  });

  test('past it, the first items and how many more', () => {
    expect(boundedList(['a', 'b', 'c', 'd', 'e'], 3)).toBe('a, b, c, and 2 more');
  });

  test('each item shown escaped, so one item cannot break the line or the terminal', () => {
    expect(boundedList(['x\ny', '\u001b[2J'], 5)).toBe('x\\ny, \\x1b[2J');
  });
});
