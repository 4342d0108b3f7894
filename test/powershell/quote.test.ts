/**
 * psQuote and friends against the test tokeniser (issue 4): every hostile string must come back as exactly one
 * value equal to itself, alone and inside a command line, an array and an Add/Remove hashtable. The generator is
 * seeded, so a failure names a case that reproduces.
 */
import { describe, expect, test } from 'vitest';
import {
  psBool,
  psComment,
  psHashtableAddRemove,
  psQuote,
  psStringArray,
  resemblesSignatureBlock,
} from '../../src/powershell/quote.js';
import { psScriptFile } from '../../src/powershell/script.js';
import { rng } from '../support/generated-zones.js';
import {
  codeTokens,
  readArray,
  readHashtable,
  readValue,
  tokenize,
  type PsToken,
} from '../support/ps-tokenizer.js';
import { cases } from '../support/scale.js';

// ---------------------------------------------------------------------------------------------------------------
// Seeded generator of hostile strings.

// Dense on purpose: one fragment per line would fill two screens.
// prettier-ignore
const FRAGMENTS = [
  "'", "''", '"', '\u2018', '\u2019', '\u201A', '\u201B', '\u201C', '\u201D', '\u201E', '`', '``', '`n', '`0',
  '$', '$(', ')', '(', '$(Remove-Item C:\\ -Recurse)', '${env:PATH}', '$env:USERPROFILE', '$true', '@', "@'",
  "'@", '@"', '"@', '#', '<#', '#>', '# SIG # Begin signature block', '#requires -Modules Evil', '\r', '\n',
  '\r\n', '\0', '\t', '\v', '\f', '\x07', '\x1b[31m', '\x7f', '\u0085', '\u009b', '\u2028', '\u2029', '\u202E',
  '\u2066', '\u200B', '\u200D', '\uFEFF', '\u00AD', '\u00A0', '\u3000', ';', '|', '||', '&', '&&', '>', '<',
  '-Name', '\u2013Identity', '\u2014', '--%', '--', '{', '}', '@(', '@{', ',', '=', '+', '[char]', '0x41', '%',
  '*', '\\', '/', ' ', 'a', 'Contoso', 'Set-InboundConnector', 'é', 'ő', 'ñ', 'ß', '日本語', 'Ω', 'й', '😀',
  '👨\u200D👩\u200D👧', '🏳\uFE0F\u200D🌈', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uD83D\uDE00', '\u{E0001}',
  '\u{E0041}', '\uFFFE', '\uFFFF', '\uFDD0', '\u{1FFFF}', '\u{10FFFF}', '\uE000',
];

function hostileString(next: () => number): string {
  const pick = (n: number) => Math.floor(next() * n);
  const pieces = pick(24);
  let s = '';
  for (let k = 0; k < pieces; k++) {
    const r = next();
    if (r < 0.7) s += FRAGMENTS[pick(FRAGMENTS.length)]!;
    else if (r < 0.8)
      s += String.fromCharCode(0x20 + pick(0x5f)); // printable ASCII
    else if (r < 0.9)
      s += String.fromCharCode(pick(0x10000)); // any UTF-16 code unit, lone surrogates included
    else s += String.fromCodePoint(0x10000 + pick(0x100000)); // any astral code point
  }
  return s;
}

/** Very long strings: every ~20th of them is dense in quotes, the rest mixed. */
function longString(next: () => number): string {
  const target = 10_000 + Math.floor(next() * 90_000);
  let s = '';
  while (s.length < target) s += next() < 0.5 ? "'\u2019''" : hostileString(next);
  return s;
}

/** Generated strings: a quick share for `npm test`, all under `npm run test:full`. */
const CASES = cases(1500, 5000);
const LONG_CASES = cases(12, 40);
const seeded = (seed: number, count: number, make: (next: () => number) => string = hostileString) => {
  const next = rng(seed);
  return Array.from({ length: count }, () => make(next));
};
const GENERATED = seeded(0x4d584c4b, CASES);
const LONG = seeded(0x1005, LONG_CASES, longString);

// ---------------------------------------------------------------------------------------------------------------
// Checks.

/** The tokens of one quoted value, read back; throws unless `quoted` is exactly one value. */
function readBack(quoted: string): string {
  const tokens = tokenize(quoted);
  const { value, next } = readValue(tokens, 0);
  if (next !== tokens.length)
    throw new Error(`extra tokens after the value: ${tokens.slice(next).map((t) => t.text)}`);
  return value;
}

/** Nothing that executes, expands or separates statements may appear among the tokens of generated values. */
const INERT_KINDS = new Set(['string', 'operator', 'type', 'number', 'word', 'parameter']);
const INERT_OPERATORS = new Set(['(', ')', '+', '@(', '@{', ',', ';', '=', '}']);
function expectInert(tokens: readonly PsToken[]): void {
  const offending = tokens.filter(
    (t) =>
      !INERT_KINDS.has(t.kind) ||
      t.expansions.length > 0 ||
      (t.kind === 'operator' && !INERT_OPERATORS.has(t.value)),
  );
  expect(offending).toEqual([]);
}

/** Characters a reviewer cannot see, which psQuote promises never to emit verbatim. */
const UNSEEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Noncharacter_Code_Point}]/u;

/** The quoting that util.ts used before this module: the output for ordinary strings must not change. */
const previousPsQuote = (v: string) => `'${v.replace(/['\u2018\u2019\u201A\u201B]/g, (q) => q + q)}'`;

// ---------------------------------------------------------------------------------------------------------------

describe('psQuote: exact output', () => {
  test.each<[string, string, string]>([
    ['empty', '', `''`],
    ['plain', 'Contoso Partner', `'Contoso Partner'`],
    ['ASCII quote', "O'Brien's", `'O''Brien''s'`],
    [
      'typographic quotes, each doubled with itself',
      '\u2018a\u2019b\u201Ac\u201Bd',
      `'\u2018\u2018a\u2019\u2019b\u201A\u201Ac\u201B\u201Bd'`,
    ],
    ['double quotes stay', 'say "hi" \u201Chi\u201D', `'say "hi" \u201Chi\u201D'`],
    ['$ and backtick stay', '$(Remove-Item x) `n $env:X', `'$(Remove-Item x) \`n $env:X'`],
    ['non-ASCII and emoji stay', 'Åsa 日本 😀', `'Åsa 日本 😀'`],
    ['CRLF becomes [char] codes', 'two\r\nlines', `('two' + [char]0x000D + [char]0x000A + 'lines')`],
    ['a leading control character gets a string operand first', '\nx', `('' + [char]0x000A + 'x')`],
    ['only controls', '\0', `('' + [char]0x0000)`],
    ['ESC', '\x1b[31mred', `('' + [char]0x001B + '[31mred')`],
    ['bidi override', 'rtl\u202Eexe.txt', `('rtl' + [char]0x202E + 'exe.txt')`],
    ['zero-width space', 'Contoso\u200B', `('Contoso' + [char]0x200B)`],
    ['quotes around a control character', "'\n'", `('''' + [char]0x000A + '''')`],
    ['lone high surrogate', 'a\uD800b', `('a' + [char]0xD800 + 'b')`],
    ['lone low surrogate', '\uDC00', `('' + [char]0xDC00)`],
    ['astral format character (tag), both code units', '\u{E0001}', `('' + [char]0xDB40 + [char]0xDC01)`],
    ['noncharacter', '\uFFFF', `('' + [char]0xFFFF)`],
  ])('%s', (_name, input, expected) => {
    expect(psQuote(input)).toBe(expected);
    expect(readBack(expected)).toBe(input);
  });
});

describe('psQuote: known-nasty inputs read back as one value', () => {
  test.each<[string, string]>([
    ['statement break-out', `Evil'; Remove-Item C:\\ -Recurse; '`],
    ['typographic break-out', `Evil\u2019; Remove-Item C:\\ -Recurse; \u2019`],
    ['low-9 break-out', `Evil\u201A; Remove-Item C:\\ -Recurse; \u201A`],
    ['reversed-9 break-out', `Evil\u201B; iex $x; \u201B`],
    ['quote pair that PowerShell would merge', `'\u2019'`],
    ['odd run of quotes', `'''\u2019\u2018'`],
    ['subexpression', '$(Invoke-Expression calc)'],
    ['variable', '$env:USERPROFILE'],
    ['backticks', '`whoami` `n `0 `'],
    ['here-string markers on their own lines', "x\n'@\nRemove-Item y\n@'\n"],
    ['comment openers', '# <# #>'],
    ['line break then command', "x'\r\nRemove-Item C:\\\r\n'"],
    ['NUL in the middle', 'a\0b'],
    ['stop-parsing token', "--% '; calc"],
    ['signature header', '# SIG # Begin signature block'],
    ['splat and array syntax', '@args @(1) @{a=1}'],
    [
      'hostile-names.test.ts HOSTILE',
      `Evil'; Remove-Item C:\\ -Recurse; ' $(Invoke-Expression calc) \`whoami\` two\r\nlines <script>alert(1)</script> | table | breaker | \u001b[31mred rtl\u202Eexe.txt`,
    ],
  ])('%s', (_name, input) => {
    const quoted = psQuote(input);
    expect(readBack(quoted)).toBe(input);
    expectInert(tokenize(quoted));
  });
});

describe(`psQuote: ${CASES} generated hostile strings (seeded) and ${LONG_CASES} long ones`, () => {
  test('each reads back as exactly one value equal to the input', () => {
    for (const s of GENERATED) expect(readBack(psQuote(s)), JSON.stringify(s)).toBe(s);
  });

  test('long strings (10k–100k characters) read back too', () => {
    for (const s of LONG) expect(readBack(psQuote(s)) === s).toBe(true);
  });

  test('the output never holds a character a reviewer cannot see, nor a line break', () => {
    for (const s of [...GENERATED, ...LONG]) expect(UNSEEN.test(psQuote(s)), JSON.stringify(s)).toBe(false);
  });

  test('strings without such characters keep the plain form util.ts always produced', () => {
    let plain = 0;
    for (const s of GENERATED) {
      if (UNSEEN.test(s)) continue;
      plain++;
      expect(psQuote(s)).toBe(previousPsQuote(s));
    }
    expect(plain).toBeGreaterThan(CASES / 10); // the generator does produce such strings
  });

  test('inside a command line: exactly the expected command, parameters and values', () => {
    const next = rng(0xc0ffee);
    for (let k = 0; k < CASES; k++) {
      const identity = GENERATED[k]!;
      const comment = GENERATED[Math.floor(next() * CASES)]!;
      const line = `Set-InboundConnector -Identity ${psQuote(identity)} -Comment ${psQuote(comment)}`;
      const tokens = tokenize(line);
      expectInert(tokens);
      expect(tokens[0]).toMatchObject({ kind: 'word', value: 'Set-InboundConnector' });
      expect(tokens[1]).toMatchObject({ kind: 'parameter', value: 'Identity' });
      const first = readValue(tokens, 2);
      expect(first.value).toBe(identity);
      expect(tokens[first.next]).toMatchObject({ kind: 'parameter', value: 'Comment' });
      const second = readValue(tokens, first.next + 1);
      expect(second.value).toBe(comment);
      expect(second.next).toBe(tokens.length);
    }
  });

  test('a whole script of such lines keeps one statement per line', () => {
    const lines = GENERATED.slice(0, 500).map((s) => `Set-TransportRule -Identity ${psQuote(s)} -Mode Audit`);
    const tokens = codeTokens(psScriptFile(lines).slice(1));
    const statements = tokens.filter((t) => t.kind === 'newline').length;
    expect(statements).toBe(lines.length);
    expect(tokens.filter((t) => t.kind === 'word' && t.value === 'Set-TransportRule')).toHaveLength(
      lines.length,
    );
    expectInert(tokens.filter((t) => t.kind !== 'newline'));
  });
});

describe('psStringArray and psHashtableAddRemove', () => {
  test.each<[string, string[], string]>([
    ['empty', [], '@()'],
    ['one', ['a'], `@('a')`],
    ['several', ['a', "b'c", 'x\ny'], `@('a','b''c',('x' + [char]0x000A + 'y'))`],
  ])('psStringArray %s', (_name, values, expected) => {
    expect(psStringArray(values)).toBe(expected);
  });

  test.each<[string, { add?: string[]; remove?: string[] }, string]>([
    ['add and remove', { add: ['a', 'b'], remove: ['c'] }, `@{Add='a','b'; Remove='c'}`],
    ['add only', { add: ["o'neil@contoso.com"] }, `@{Add='o''neil@contoso.com'}`],
    ['remove only, empty add left out', { add: [], remove: ['203.0.113.10'] }, `@{Remove='203.0.113.10'}`],
  ])('psHashtableAddRemove %s', (_name, change, expected) => {
    expect(psHashtableAddRemove(change)).toBe(expected);
  });

  test('nothing to add or remove is refused', () => {
    expect(() => psHashtableAddRemove({})).toThrow(RangeError);
    expect(() => psHashtableAddRemove({ add: [], remove: [] })).toThrow(RangeError);
  });

  test('generated lists round-trip element by element', () => {
    const next = rng(0xa11a7);
    for (let k = 0; k < 1000; k++) {
      const take = () =>
        Array.from({ length: Math.floor(next() * 6) }, () => GENERATED[Math.floor(next() * CASES)]!);
      const values = take();
      const arrayTokens = tokenize(psStringArray(values));
      expectInert(arrayTokens);
      expect(readArray(arrayTokens, 0)).toEqual({ values, next: arrayTokens.length });

      const add = take();
      const remove = take();
      if (add.length + remove.length === 0) continue;
      const tableTokens = tokenize(`-SenderIPAddresses ${psHashtableAddRemove({ add, remove })}`);
      expectInert(tableTokens);
      const table = readHashtable(tableTokens, 1);
      const expected: [string, string[]][] = [];
      if (add.length > 0) expected.push(['Add', add]);
      if (remove.length > 0) expected.push(['Remove', remove]);
      expect(table).toEqual({ entries: expected, next: tableTokens.length });
    }
  });
});

/**
 * Windows-1252 as Windows decodes it: Latin-1 except 0x80..0x9F. (Node's TextDecoder('windows-1252') decodes
 * ISO-8859-1 instead, 0x91 → U+0091, so the table is spelled out.)
 */
const CP1252_80_9F = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d,
  0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a,
  0x153, 0x9d, 0x17e, 0x178,
];
const cp1252 = (bytes: Uint8Array) =>
  String.fromCharCode(...[...bytes].map((b) => (b >= 0x80 && b <= 0x9f ? CP1252_80_9F[b - 0x80]! : b)));

describe('what the tokeniser catches (so the properties above can fail)', () => {
  test('naive double quoting of $(Remove-Item x) yields a subexpression', () => {
    const [token, ...rest] = tokenize(`"${'$(Remove-Item x)'}"`);
    expect(rest).toEqual([]);
    expect(token).toMatchObject({ kind: 'expandable-string' });
    expect(token!.expansions).toEqual([{ kind: 'subexpression', text: '$(Remove-Item x)' }]);
    // psQuote's rendering of the same text has none.
    expect(tokenize(psQuote('$(Remove-Item x)'))).toMatchObject([{ kind: 'string', expansions: [] }]);
  });

  test('naive double quoting expands variables too', () => {
    expect(tokenize('"$env:USERPROFILE"')[0]!.expansions).toEqual([
      { kind: 'variable', text: '$env:USERPROFILE' },
    ]);
  });

  test('quoting that doubles only the ASCII quote is caught by the generated cases', () => {
    const asciiOnly = (v: string) => `'${v.replace(/'/g, "''")}'`;
    const failures = GENERATED.filter((s) => {
      try {
        return readBack(asciiOnly(s)) !== s;
      } catch {
        return true;
      }
    });
    expect(failures.length).toBeGreaterThan(CASES / 50);
    const breakout = codeTokens(`Set-X -Identity ${asciiOnly('a\u2019; Remove-Item C:\\; \u2019')}`);
    expect(breakout.map((t) => t.value)).toContain('Remove-Item');
  });

  test('no quoting at all is caught', () => {
    expect(() => readBack(`'${"a'; Remove-Item x; '"}'`)).toThrow();
  });

  test('Windows PowerShell 5.1 reading a BOM-less UTF-8 script as cp1252 breaks out; with the BOM it does not', () => {
    // ő is C5 91 in UTF-8, and 0x91 is ‘ in cp1252: the literal closes early (about_Character_Encoding).
    const name = 'x\u0151; Remove-Item C:\\ -Recurse; \u0151';
    const script = psScriptFile([`Set-InboundConnector -Identity ${psQuote(name)}`]);
    const bytes = Buffer.from(script, 'utf8');
    const windowsPowerShell = (b: Buffer) =>
      b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf
        ? new TextDecoder('utf-8').decode(b.subarray(3))
        : cp1252(b);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const read = codeTokens(windowsPowerShell(bytes));
    expect(readValue(read, 2).value).toBe(name);

    const withoutBom = codeTokens(windowsPowerShell(bytes.subarray(3)));
    expect(withoutBom.some((t) => t.kind === 'word' && t.value === 'Remove-Item')).toBe(true);
  });
});

describe('psComment', () => {
  /** PowerShell's own test (tokenizer.cs ScanToEndOfCommentLine), reimplemented here: is the line a signature? */
  function powerShellSeesSignature(afterHash: string): boolean {
    const squeezed = `${afterHash.replace(/[ \t\v\f\u00A0\u0085\p{Z}]/gu, '').toLowerCase()}\n`;
    const target = 'sig#beginsignatureblock\n';
    if (squeezed.length > 34 || squeezed.length < 14) return false;
    const d: number[][] = Array.from({ length: squeezed.length + 1 }, (_, r) =>
      Array.from({ length: target.length + 1 }, (_, c) => (r === 0 ? c : c === 0 ? r : 0)),
    );
    for (let r = 1; r <= squeezed.length; r++) {
      for (let c = 1; c <= target.length; c++) {
        d[r]![c] =
          squeezed[r - 1] === target[c - 1]
            ? d[r - 1]![c - 1]!
            : Math.min(d[r - 1]![c]! + 1, d[r]![c - 1]! + 1, d[r - 1]![c - 1]! + 1);
      }
    }
    return d[squeezed.length]![target.length]! < 10;
  }

  test.each<[string, string, string]>([
    ['plain', 'HQ scanners', 'HQ scanners'],
    ['line breaks become visible', 'two\r\nlines', 'two[U+000D][U+000A]lines'],
    ['block-comment closer', 'a #> b', 'a # > b'],
    ['runs of closers', '##>>#>', '## >># >'],
    ['leading >', '> x', ' > x'],
    ['leading requires', 'Requires -Modules Evil', ' Requires -Modules Evil'],
    ['bidi and ESC', '\u202E\x1b', '[U+202E][U+001B]'],
    ['astral tag and lone surrogate', '\u{E0001}\uD800', '[U+E0001][U+D800]'],
    ['quotes and $ are harmless in a comment', `'$(x)"`, `'$(x)"`],
  ])('%s', (_name, input, expected) => {
    expect(psComment(input)).toBe(expected);
  });

  test('a signature-block look-alike is defused, ordinary text is left alone', () => {
    expect(powerShellSeesSignature(' SIG # Begin signature block')).toBe(true); // the rule itself works
    const defused = psComment('SIG # Begin signature block');
    expect(defused.startsWith('SIG # Begin signature block ')).toBe(true);
    expect(powerShellSeesSignature(` ${defused}`)).toBe(false);
    expect(resemblesSignatureBlock('Contoso HQ scanners')).toBe(false);
    expect(psComment('Contoso HQ scanners')).toBe('Contoso HQ scanners');
  });

  test('generated near-signatures never read as a signature, even with a short caller prefix', () => {
    const next = rng(0x516);
    const base = 'SIG # Begin signature block';
    for (let k = 0; k < 2000; k++) {
      let s = base;
      for (let e = Math.floor(next() * 12); e > 0; e--) {
        const at = Math.floor(next() * (s.length + 1));
        const ch = String.fromCharCode(0x20 + Math.floor(next() * 0x5f));
        const op = next();
        s =
          op < 0.33
            ? s.slice(0, at) + ch + s.slice(at)
            : op < 0.66
              ? s.slice(0, at) + s.slice(at + 1)
              : s.slice(0, at) + ch + s.slice(at + 1);
      }
      for (const prefix of ['', ' ', ' 1. ', ' x: ']) {
        expect(powerShellSeesSignature(`${prefix}${psComment(s)}`), JSON.stringify(s)).toBe(false);
      }
    }
  });

  test(`${CASES} generated strings: one comment token on its line and inside a block comment`, () => {
    for (const s of GENERATED) {
      const text = psComment(s);
      const line = tokenize(`# ${text}`);
      expect(line, JSON.stringify(s)).toHaveLength(1);
      expect(line[0]).toMatchObject({ kind: 'comment', value: ` ${text}` });
      expect(tokenize(`<#\n# ${text}\n#>`)).toHaveLength(1);
      // Placed right after `#` it is neither `#>` nor a #Requires directive.
      const tight = tokenize(`#${text}`);
      expect(tight).toHaveLength(1);
      expect(tight[0]!.value).not.toMatch(/^(>|requires)/i);
      expect(UNSEEN.test(text)).toBe(false);
      expect(powerShellSeesSignature(` ${text}`)).toBe(false);
    }
  });
});

test('psBool', () => {
  expect(psBool(true)).toBe('$true');
  expect(psBool(false)).toBe('$false');
  expect(tokenize(`-Enabled ${psBool(false)}`)).toMatchObject([
    { kind: 'parameter', value: 'Enabled' },
    { kind: 'variable', value: 'false' },
  ]);
});
