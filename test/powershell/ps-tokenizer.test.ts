/**
 * The test tokeniser is the judge of psQuote, so it is tested first: each row is PowerShell source and the tokens
 * PowerShell's own tokenizer produces for it (kinds simplified, values decoded).
 */
import { describe, expect, test } from 'vitest';
import {
  PsSyntaxError,
  readArray,
  readHashtable,
  readValue,
  tokenize,
  type PsTokenKind,
} from '../support/ps-tokenizer.js';

const kv = (src: string) => tokenize(src).map((t) => [t.kind, t.value]);

describe('single-quoted strings', () => {
  test.each<[string, string, [PsTokenKind, string][]]>([
    ['plain', `'abc'`, [['string', 'abc']]],
    ['empty', `''`, [['string', '']]],
    ['doubled ASCII quote', `'O''Brien'`, [['string', "O'Brien"]]],
    ['no expansion inside', "'$(Remove-Item x) $env:PATH `n'", [['string', '$(Remove-Item x) $env:PATH `n']]],
    [
      'a typographic quote closes an ASCII-opened literal',
      `'abc\u2019 x`,
      [
        ['string', 'abc'],
        ['word', 'x'],
      ],
    ],
    ['‘…’ is a literal', '\u2018abc\u2019', [['string', 'abc']]],
    ['‚ and ‛ are quotes too', '\u201Aa\u201B', [['string', 'a']]],
    ['doubled typographic quote reads as itself', `'it\u2019\u2019s'`, [['string', 'it\u2019s']]],
    ['a mixed pair reads as its second quote', `'a\u2019'b'`, [['string', "a'b"]]],
    ['line breaks and NUL are verbatim', "'a\r\nb\0c'", [['string', 'a\r\nb\0c']]],
    ['double quotes are plain characters', `'say "hi"'`, [['string', 'say "hi"']]],
  ])('%s', (_name, src, expected) => {
    expect(kv(src)).toEqual(expected);
  });

  test('an unterminated literal is an error', () => {
    expect(() => tokenize(`'abc`)).toThrow(PsSyntaxError);
    expect(() => tokenize(`'abc''`)).toThrow(PsSyntaxError);
  });
});

describe('double-quoted strings', () => {
  test.each<[string, string, string, string[]]>([
    ['plain', '"abc"', 'abc', []],
    ['doubled quote', '"a""b"', 'a"b', []],
    ['typographic delimiters', '\u201Cabc\u201D', 'abc', []],
    ['„ closes too', '"a\u201E', 'a', []],
    ['backtick escapes', '"a`tb`nc`0d`$e`"f``"', 'a\tb\nc\0d$e"f`', []],
    ['`u{…} and `e (PowerShell 7)', '"`u{1F600}`e"', '\u{1F600}\x1b', []],
    ['a variable', '"hi $name!"', 'hi $name!', ['$name']],
    ['a scoped variable', '"$env:USERPROFILE\\x"', '$env:USERPROFILE\\x', ['$env:USERPROFILE']],
    ['a braced variable', '"${a b}c"', '${a b}c', ['${a b}']],
    ['special variables', '"$? $$"', '$? $$', ['$?', '$$']],
    [
      'a subexpression, nested parentheses',
      '"x $(Get-Date (1)) y"',
      'x $(Get-Date (1)) y',
      ['$(Get-Date (1))'],
    ],
    ['a lone $ is a character', '"cost: $ 5"', 'cost: $ 5', []],
  ])('%s', (_name, src, value, expansions) => {
    const tokens = tokenize(src);
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({ kind: 'expandable-string', value });
    expect(tokens[0]!.expansions.map((e) => e.text)).toEqual(expansions);
  });
});

describe('here-strings', () => {
  test.each<[string, string, [PsTokenKind, string][]]>([
    ['literal', "@'\r\nline 1\r\n'quoted' $x\r\n'@", [['here-string', "line 1\r\n'quoted' $x"]]],
    ['empty', "@'\n'@", [['here-string', '']]],
    ['blanks after the header', "@'  \nx\n'@", [['here-string', 'x']]],
    ['a quote + @ not at a line start is content', "@'\na '@ b\n'@", [['here-string', "a '@ b"]]],
    ['typographic footer', "@'\nx\n\u2019@", [['here-string', 'x']]],
    ['expandable', '@"\n$a "q"\n"@', [['expandable-here-string', '$a "q"']]],
  ])('%s', (_name, src, expected) => {
    expect(kv(src)).toEqual(expected);
  });

  test('text after the header is an error; so is a missing footer', () => {
    expect(() => tokenize("@'abc'@")).toThrow(PsSyntaxError);
    expect(() => tokenize("@'\nabc")).toThrow(PsSyntaxError);
  });
});

describe('comments, lines and continuation', () => {
  test.each<[string, string, [PsTokenKind, string][]]>([
    [
      'line comment',
      'Get-X # note',
      [
        ['word', 'Get-X'],
        ['comment', ' note'],
      ],
    ],
    ['# inside a word is not a comment', 'a#b', [['word', 'a#b']]],
    [
      'block comment',
      'x <# a\n # b #> y',
      [
        ['word', 'x'],
        ['comment', ' a\n # b '],
        ['word', 'y'],
      ],
    ],
    [
      'newlines are tokens',
      'a\r\nb\nc',
      [
        ['word', 'a'],
        ['newline', '\n'],
        ['word', 'b'],
        ['newline', '\n'],
        ['word', 'c'],
      ],
    ],
    [
      'backtick continuation joins lines',
      'Get-X `\r\n  -Name a',
      [
        ['word', 'Get-X'],
        ['parameter', 'Name'],
        ['word', 'a'],
      ],
    ],
  ])('%s', (_name, src, expected) => {
    expect(kv(src)).toEqual(expected);
  });

  test('an unterminated block comment is an error', () => {
    expect(() => tokenize('<# open')).toThrow(PsSyntaxError);
  });
});

describe('commands, values and operators', () => {
  test.each<[string, string, [PsTokenKind, string][]]>([
    [
      'a command line',
      "Set-X -Identity 'a' -Enabled $true; Get-Y | Out-Null",
      [
        ['word', 'Set-X'],
        ['parameter', 'Identity'],
        ['string', 'a'],
        ['parameter', 'Enabled'],
        ['variable', 'true'],
        ['operator', ';'],
        ['word', 'Get-Y'],
        ['operator', '|'],
        ['word', 'Out-Null'],
      ],
    ],
    ['en dash parameter', '\u2013Name', [['parameter', 'Name']]],
    [
      'colon parameter',
      '-Confirm:$false',
      [
        ['parameter', 'Confirm'],
        ['variable', 'false'],
      ],
    ],
    [
      'numbers',
      '10 -1 0x0A 1.5',
      [
        ['number', '10'],
        ['number', '-1'],
        ['number', '10'],
        ['number', '1.5'],
      ],
    ],
    ['digits then letters is a word', '7z', [['word', '7z']]],
    [
      'type literal and cast',
      '[char]0x41',
      [
        ['type', 'char'],
        ['number', '65'],
      ],
    ],
    ['splat', '@params', [['splat', 'params']]],
    [
      'array and hashtable openers',
      "@('a') @{Add='b'}",
      [
        ['operator', '@('],
        ['string', 'a'],
        ['operator', ')'],
        ['operator', '@{'],
        ['word', 'Add'],
        ['operator', '='],
        ['string', 'b'],
        ['operator', '}'],
      ],
    ],
    ['a quoted part joins a bare word', "a'b c'd", [['word', 'ab cd']]],
    ['a backtick escapes inside a word', 'a`;b', [['word', 'a;b']]],
    [
      'subexpression outside strings',
      '$(x)',
      [
        ['operator', '$('],
        ['word', 'x'],
        ['operator', ')'],
      ],
    ],
  ])('%s', (_name, src, expected) => {
    expect(kv(src)).toEqual(expected);
  });

  test('a $ inside a bare word expands', () => {
    const [t] = tokenize('pre$(Remove-Item x)post');
    expect(t).toMatchObject({ kind: 'word' });
    expect(t!.expansions).toEqual([{ kind: 'subexpression', text: '$(Remove-Item x)' }]);
  });

  test('--% is refused rather than guessed', () => {
    expect(() => tokenize('cmd --% a')).toThrow(PsSyntaxError);
  });
});

describe('value readers', () => {
  test.each<[string, string, string]>([
    ['literal', `'a''b'`, "a'b"],
    ['concatenation', `('a' + [char]0x000A + 'b')`, 'a\nb'],
    ['leading code unit', `('' + [char]0xD800)`, '\uD800'],
  ])('%s', (_name, src, value) => {
    const tokens = tokenize(src);
    expect(readValue(tokens, 0)).toEqual({ value, next: tokens.length });
  });

  test.each<[string, string]>([
    ['a [char] as first operand (PowerShell would add numerically)', `([char]0x000A + 'b')`],
    ['a variable operand', `('a' + $x)`],
    ['an expandable string', `"a"`],
    ['a code unit out of range', `('' + [char]0x10000)`],
    ['a missing parenthesis', `('a' + 'b'`],
  ])('rejects %s', (_name, src) => {
    expect(() => readValue(tokenize(src), 0)).toThrow();
  });

  test('arrays and hashtables', () => {
    expect(readArray(tokenize('@()'), 0).values).toEqual([]);
    expect(readArray(tokenize(`@('a',('b' + [char]0x0009))`), 0).values).toEqual(['a', 'b\t']);
    expect(readHashtable(tokenize(`@{Add='a','b'; Remove='c'}`), 0).entries).toEqual([
      ['Add', ['a', 'b']],
      ['Remove', ['c']],
    ]);
    expect(() => readArray(tokenize(`@('a' 'b')`), 0)).toThrow();
    expect(() => readHashtable(tokenize(`@{Add=$x}`), 0)).toThrow();
  });
});
