/**
 * Issue 10 item 6: rendering is iterative. A text that wraps to more lines than a function call takes arguments
 * (about 130,000 here) renders instead of ending in "Maximum call stack size exceeded". (Markdown and JSON do not
 * wrap.)
 */
import { describe, expect, test } from 'vitest';
import { renderTerminal } from '../../src/report/terminal.js';
import type { Report } from '../../src/report/model.js';
import { sampleReport } from '../fixtures/report/sample-report.js';

/** 2,400,000 one-letter words: about 150,000 lines at 40 columns. */
const WORDS = 2_400_000;
const huge = 'a '.repeat(WORDS).trimEnd();

function reportWith(text: string): Report {
  const r = sampleReport();
  r.paths[0]!.evidence = [text];
  return r;
}

describe('a text of millions of words', () => {
  test('terminal: wrapped to the width, every word kept', () => {
    const out = renderTerminal(reportWith(huge), { color: false, width: 40 });
    const wrapped = out.split('\n').filter((l) => /^ *(- )?a( a)*$/.test(l));
    expect(wrapped.length).toBeGreaterThan(130_000);
    expect(wrapped.every((l) => l.length <= 40)).toBe(true);
    expect(wrapped.join(' ').match(/\ba\b/g)?.length).toBe(WORDS);
  });
});
