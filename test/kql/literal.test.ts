import { describe, expect, test } from 'vitest';
import { kqlComment, kqlList, kqlString } from '../../src/kql/literal.js';
import { compactStrings, KqlSyntaxError, tokenizeKql } from '../support/kql-tokenizer.js';

/** Hostile values a tenant can put in a domain name, a rule name or a connector name. */
const HOSTILE = [
  "o'brien.example",
  'quote"double.example',
  'back\\slash.example\\',
  "end\\'",
  'new\nline.example',
  'cr\rlf\r\n.example',
  'pipe | where true',
  "x' or true or 'y",
  'comment // rest.example',
  'bidi\u202egnp.exe',
  'isolate\u2066x\u2069.example',
  'line\u2028sep\u2029.example',
  'esc\u001b[31mred',
  'nul\u0000byte',
  'tab\tchar',
  '```fence',
  "@'verbatim'",
  '',
];

/** The one value of a stand-alone expression. */
function valueOf(expr: string): string {
  const tokens = compactStrings(tokenizeKql(expr));
  expect(tokens).toHaveLength(1);
  expect(tokens[0]!.kind).toBe('string');
  return tokens[0]!.value;
}

describe('kqlString', () => {
  test.each(HOSTILE.map((v) => [JSON.stringify(v), v]))('%s reads back exactly', (_, value) => {
    expect(valueOf(kqlString(value))).toBe(value);
  });

  test('plain values stay one single-quoted literal', () => {
    expect(kqlString('contoso.com')).toBe("'contoso.com'");
    expect(kqlString("o'brien\\x")).toBe("'o\\'brien\\\\x'");
  });

  test('control, line-separator and bidi characters never appear raw in the query text', () => {
    for (const v of HOSTILE) {
      // eslint-disable-next-line no-control-regex -- the point of the test
      expect(kqlString(v)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    }
    expect(kqlString('a\u202eb')).toBe("strcat('a', unicode_codepoints_to_string(8238), 'b')");
  });

  test('a lone surrogate (not a Unicode scalar value) becomes U+FFFD, as UTF-8 output would make it', () => {
    expect(valueOf(kqlString('a\ud800b'))).toBe('a\ufffdb');
  });

  test('the tokenizer itself refuses what a naive quoting would produce', () => {
    expect(() => tokenizeKql("'new\nline'")).toThrow(KqlSyntaxError);
    expect(() => tokenizeKql("'unterminated")).toThrow(KqlSyntaxError);
    expect(() => tokenizeKql("'bad \\q escape'")).toThrow(KqlSyntaxError);
    // A quote left unescaped ends the literal: the rest becomes code.
    expect(tokenizeKql("'x' or true or 'y'").map((t) => t.kind)).toEqual([
      'string',
      'identifier',
      'identifier',
      'identifier',
      'string',
    ]);
  });
});

describe('kqlList', () => {
  test('a dynamic literal when every element is a plain literal', () => {
    expect(kqlList(['a.example', "b'c.example"])).toBe("dynamic(['a.example', 'b\\'c.example'])");
  });

  test('pack_array when an element needs strcat (dynamic literals take literals only)', () => {
    const text = kqlList(['a.example', 'b\u202e.example']);
    expect(text.startsWith('pack_array(')).toBe(true);
    const values = compactStrings(tokenizeKql(text))
      .filter((t) => t.kind === 'string')
      .map((t) => t.value);
    expect(values).toEqual(['a.example', 'b\u202e.example']);
  });

  test('an empty list is refused: an empty range or domain list would make a query silently match nothing', () => {
    expect(() => kqlList([])).toThrow(/empty/);
  });
});

describe('kqlComment', () => {
  test.each(HOSTILE.map((v) => [JSON.stringify(v), v]))(
    'a value %s stays inside its one comment line',
    (_, value) => {
      const text = kqlComment(`rule '${value}' acted`);
      const tokens = tokenizeKql(text);
      expect(tokens.map((t) => t.kind)).toEqual(['comment']);
    },
  );

  test('several lines: one comment per line, each escaped', () => {
    const text = kqlComment(['first', 'second\nthird']);
    expect(text).toBe('// first\n// second\\nthird');
  });
});
