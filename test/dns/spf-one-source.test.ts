/**
 * One SPF recogniser and one Microsoft 365 include for the whole code base (issue 9 B2): `isSpfRecord` /
 * `spfRecordsOf` in src/dns/spf/parse.ts (RFC 7208 §4.5) and `MICROSOFT_SPF_INCLUDE` in src/common/vendors.ts.
 * A second copy in any source file fails here, with the file and line to fix.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { isSpfRecord, spfRecordsOf } from '../../src/dns/spf/parse.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** `file:line` of every line of src matching `pattern`. */
function occurrences(pattern: RegExp): string[] {
  const out: string[] = [];
  for (const file of sourceFiles(SRC)) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (pattern.test(line)) out.push(`${relative(SRC, file)}:${i + 1}`);
      });
  }
  return out;
}

describe('one SPF recogniser (RFC 7208 §4.5)', () => {
  test.each<[string, boolean]>([
    ['v=spf1 -all', true],
    ['v=spf1', true],
    ['V=SPF1 ip4:192.0.2.1 -all', true],
    ['v=spf10 +all', false],
    ['v=spf1+all', false],
    ['v=spf1\tip4:192.0.2.1 -all', false],
    [' v=spf1 -all', false],
    ['spf1 -all', false],
  ])('%j is an SPF record: %s', (txt, expected) => {
    expect(isSpfRecord(txt)).toBe(expected);
  });

  test('spfRecordsOf keeps the SPF records among TXT records', () => {
    expect(spfRecordsOf(['MS=ms123', 'v=spf1 -all', 'v=spf10 +all', 'V=spf1 +all'])).toEqual([
      'v=spf1 -all',
      'V=spf1 +all',
    ]);
  });

  test('the version test is written once, in src/dns/spf/parse.ts', () => {
    // A regex or string test for the version tag: /^v=spf1…/, "^v=spf1", startsWith('v=spf1').
    expect(occurrences(/\^v=spf1|startsWith\(\s*['"`]v=spf1/i)).toEqual([
      expect.stringMatching(/^dns\/spf\/parse\.ts:\d+$/),
    ]);
  });

  test("Microsoft 365's SPF include is named once, in src/common/vendors.ts", () => {
    expect(occurrences(/spf\\?\.protection\\?\.outlook\\?\.com/i)).toEqual([
      expect.stringMatching(/^common\/vendors\.ts:\d+$/),
    ]);
  });
});
