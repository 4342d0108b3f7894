/**
 * A tokeniser for the subset of PowerShell that mxlock generates, written for the tests from the language rules
 * (about_Quoting_Rules, about_Special_Characters, about_Comments, about_Parsing, and the character classes of
 * PowerShell's CharTraits.cs). It is the judge of psQuote, so it models what matters for breaking out of a value:
 *
 * - '…' literals: any of ' ‘ ’ ‚ ‛ opens and closes; two quote characters in a row read as the second one.
 * - "…" strings (also “ ” „): doubled quotes, backtick escapes, `$name`, `${name}`, `$(…)` (recorded as expansions).
 * - here-strings @'…'@ and @"…"@: the header must end its line; the footer is a quote + `@` at a line start.
 * - `#` line comments (only where a token starts: `a#b` is one word), `<# … #>` block comments.
 * - backtick line continuation, newlines as tokens (they end statements), numbers (decimal, 0x hex, negative),
 *   variables, `@name` splats, `[type]` literals, parameters `-Name` (also with – — ― dashes), operators.
 * - bare words the way argument mode reads them: a quoted part inside a word joins the word (`a'b c'` is one
 *   word "ab c"), a backtick escapes the next character, `$` expands.
 *
 * Simplifications, none of which can hide a break-out from a quoted value: one mode for the whole input (a word
 * stops at `=`, as a hashtable key does in expression mode); `--%` is rejected; escape sequences are those of
 * PowerShell 7 (`e and `u{…} too). Errors (an unterminated string, a bad here-string header) throw PsSyntaxError.
 */

export type PsTokenKind =
  | 'string'
  | 'expandable-string'
  | 'here-string'
  | 'expandable-here-string'
  | 'comment'
  | 'newline'
  | 'number'
  | 'variable'
  | 'splat'
  | 'type'
  | 'parameter'
  | 'operator'
  | 'word';

/** A `$name` or `$(…)` that PowerShell would evaluate inside a string or a bare word. */
export interface PsExpansion {
  kind: 'variable' | 'subexpression';
  text: string;
}

export interface PsToken {
  kind: PsTokenKind;
  /** Decoded value: string contents, comment text, variable/parameter/type name, number in decimal, operator. */
  value: string;
  /** The source text of the token. */
  text: string;
  start: number;
  end: number;
  expansions: PsExpansion[];
}

export class PsSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
    this.name = 'PsSyntaxError';
  }
}

const isSingleQuote = (c: string | undefined) =>
  c === "'" || c === '\u2018' || c === '\u2019' || c === '\u201A' || c === '\u201B';
const isDoubleQuote = (c: string | undefined) =>
  c === '"' || c === '\u201C' || c === '\u201D' || c === '\u201E';
const isDash = (c: string | undefined) => c === '-' || c === '\u2013' || c === '\u2014' || c === '\u2015';
const isNewline = (c: string | undefined) => c === '\r' || c === '\n';
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** CharTraits.cs IsWhitespace: newlines are not whitespace. */
function isWhitespace(c: string | undefined): boolean {
  if (c === undefined) return false;
  if (c === ' ' || c === '\t' || c === '\v' || c === '\f' || c === '\u00A0' || c === '\u0085') return true;
  return c.charCodeAt(0) > 256 && /^\p{Z}$/u.test(c);
}

/** CharTraits.cs ForceStartNewToken: what ends a bare word whatever the mode. */
function endsWord(c: string | undefined): boolean {
  if (c === undefined) return true;
  return isWhitespace(c) || isNewline(c) || c === '\0' || '&(),;{|}'.includes(c);
}

/** Characters after which a number is complete (`7)` is a number and `)`, `7z` is a word). */
function endsNumber(c: string | undefined): boolean {
  return endsWord(c) || (c !== undefined && '!#%*+-./<=>]'.includes(c));
}

const isIdentifierStart = (c: string | undefined) => c !== undefined && /^[\p{L}_]$/u.test(c);
const isVariableChar = (c: string | undefined) => c !== undefined && /^[\p{L}\p{Nd}_]$/u.test(c);

/** about_Special_Characters. Returns the decoded text and how many source characters after the backtick it used. */
function backtickEscape(src: string, i: number): { text: string; used: number } {
  const c = src[i];
  switch (c) {
    case '0':
      return { text: '\0', used: 1 };
    case 'a':
      return { text: '\x07', used: 1 };
    case 'b':
      return { text: '\b', used: 1 };
    case 'e':
      return { text: '\x1b', used: 1 };
    case 'f':
      return { text: '\f', used: 1 };
    case 'n':
      return { text: '\n', used: 1 };
    case 'r':
      return { text: '\r', used: 1 };
    case 't':
      return { text: '\t', used: 1 };
    case 'v':
      return { text: '\v', used: 1 };
    case 'u': {
      const m = /^u\{([0-9a-fA-F]{1,6})\}/.exec(src.slice(i, i + 9));
      if (m) {
        const cp = parseInt(m[1]!, 16);
        if (cp > 0x10ffff) throw new PsSyntaxError('invalid `u{} code point', i);
        return { text: String.fromCodePoint(cp), used: m[0].length };
      }
      return { text: 'u', used: 1 };
    }
    case undefined:
      throw new PsSyntaxError('backtick at end of input', i - 1);
    default:
      return { text: src.slice(i, i + 1), used: 1 };
  }
}

export function tokenize(src: string): PsToken[] {
  const tokens: PsToken[] = [];
  const push = (
    kind: PsTokenKind,
    start: number,
    end: number,
    value: string,
    expansions: PsExpansion[] = [],
  ) => {
    tokens.push({ kind, value, text: src.slice(start, end), start, end, expansions });
    return end;
  };

  /** A `$…` at i: the expansion and where it ends, or undefined when the `$` is just a character. */
  function scanDollar(i: number): { expansion: PsExpansion; end: number; name: string } | undefined {
    const next = src[i + 1];
    if (next === '(') {
      // Like PowerShell's ScanSubExpression: count parentheses until the matching one.
      let depth = 1;
      let j = i + 2;
      for (; depth > 0; j++) {
        const c = src[j];
        if (c === undefined) throw new PsSyntaxError('unterminated $( subexpression', i);
        if (c === '(') depth++;
        else if (c === ')') depth--;
      }
      return { expansion: { kind: 'subexpression', text: src.slice(i, j) }, end: j, name: '' };
    }
    if (next === '{') {
      let j = i + 2;
      let name = '';
      for (;;) {
        const c = src[j];
        if (c === undefined) throw new PsSyntaxError('unterminated ${ variable', i);
        if (c === '}') break;
        if (c === '`' && src[j + 1] !== undefined) {
          name += src[j + 1];
          j += 2;
        } else {
          name += c;
          j++;
        }
      }
      return { expansion: { kind: 'variable', text: src.slice(i, j + 1) }, end: j + 1, name };
    }
    if (next === '$' || next === '?' || next === '^') {
      return { expansion: { kind: 'variable', text: src.slice(i, i + 2) }, end: i + 2, name: next };
    }
    if (isVariableChar(next)) {
      let j = i + 1;
      while (isVariableChar(src[j]) || (src[j] === ':' && isVariableChar(src[j + 1]))) j++;
      return { expansion: { kind: 'variable', text: src.slice(i, j) }, end: j, name: src.slice(i + 1, j) };
    }
    return undefined;
  }

  /** Contents of '…' whose opening quote is at i. */
  function scanSingleQuoted(i: number): { value: string; end: number } {
    let value = '';
    let j = i + 1;
    for (;;) {
      const c = src[j];
      if (c === undefined) throw new PsSyntaxError('unterminated single-quoted string', i);
      if (isSingleQuote(c)) {
        if (!isSingleQuote(src[j + 1])) return { value, end: j + 1 };
        value += src[j + 1];
        j += 2;
      } else {
        value += c;
        j++;
      }
    }
  }

  /** Contents of "…" whose opening quote is at i. */
  function scanDoubleQuoted(i: number): { value: string; end: number; expansions: PsExpansion[] } {
    let value = '';
    const expansions: PsExpansion[] = [];
    let j = i + 1;
    for (;;) {
      const c = src[j];
      if (c === undefined) throw new PsSyntaxError('unterminated double-quoted string', i);
      if (isDoubleQuote(c)) {
        if (!isDoubleQuote(src[j + 1])) return { value, end: j + 1, expansions };
        value += src[j + 1];
        j += 2;
      } else if (c === '`') {
        const esc = backtickEscape(src, j + 1);
        value += esc.text;
        j += 1 + esc.used;
      } else if (c === '$' && scanDollar(j)) {
        const d = scanDollar(j)!;
        value += d.expansion.text;
        expansions.push(d.expansion);
        j = d.end;
      } else {
        value += c;
        j++;
      }
    }
  }

  /** @'…'@ or @"…"@ whose `@` is at i. */
  function scanHereString(i: number, expandable: boolean): number {
    const isQuote = expandable ? isDoubleQuote : isSingleQuote;
    let j = i + 2;
    while (isWhitespace(src[j])) j++;
    if (src[j] === '\r' && src[j + 1] === '\n') j += 2;
    else if (isNewline(src[j])) j++;
    else throw new PsSyntaxError('here-string header must end its line', i);
    let value = '';
    const expansions: PsExpansion[] = [];
    let newlineLength = 0; // length of the newline just appended, dropped when the footer follows it
    let lineStart = true;
    for (;;) {
      const c = src[j];
      if (lineStart && isQuote(c) && src[j + 1] === '@') {
        value = value.slice(0, value.length - newlineLength);
        return push(expandable ? 'expandable-here-string' : 'here-string', i, j + 2, value, expansions);
      }
      if (c === undefined) throw new PsSyntaxError('unterminated here-string', i);
      if (isNewline(c)) {
        newlineLength = c === '\r' && src[j + 1] === '\n' ? 2 : 1;
        value += src.slice(j, j + newlineLength);
        j += newlineLength;
        lineStart = true;
        continue;
      }
      lineStart = false;
      if (expandable && c === '`') {
        const esc = backtickEscape(src, j + 1);
        value += esc.text;
        j += 1 + esc.used;
      } else if (expandable && c === '$' && scanDollar(j)) {
        const d = scanDollar(j)!;
        value += d.expansion.text;
        expansions.push(d.expansion);
        j = d.end;
      } else {
        value += c;
        j++;
      }
    }
  }

  /** A bare word starting at i, as argument mode reads it. */
  function scanWord(i: number): number {
    let value = '';
    const expansions: PsExpansion[] = [];
    let j = i;
    while (!endsWord(src[j]) && src[j] !== '=') {
      const c = src[j]!;
      if (c === '`') {
        if (isNewline(src[j + 1])) break; // a line continuation ends the word
        const esc = backtickEscape(src, j + 1);
        value += esc.text;
        j += 1 + esc.used;
      } else if (isSingleQuote(c)) {
        const s = scanSingleQuoted(j);
        value += s.value;
        j = s.end;
      } else if (isDoubleQuote(c)) {
        const s = scanDoubleQuoted(j);
        value += s.value;
        expansions.push(...s.expansions);
        j = s.end;
      } else if (c === '$' && scanDollar(j)) {
        const d = scanDollar(j)!;
        value += d.expansion.text;
        expansions.push(d.expansion);
        j = d.end;
      } else {
        value += c;
        j++;
      }
    }
    if (j === i) throw new PsSyntaxError(`unexpected character ${JSON.stringify(src[i])}`, i);
    return push('word', i, j, value, expansions);
  }

  /** A number at i (after an optional dash), or a word when letters follow the digits (`7z`). */
  function scanNumber(i: number): number {
    const rest = src.slice(i);
    const m = /^-?(0[xX][0-9a-fA-F]+|\d+(\.\d+)?)/.exec(rest);
    if (!m || !endsNumber(src[i + m[0].length])) return scanWord(i);
    const negative = m[0].startsWith('-');
    const digits = negative ? m[0].slice(1) : m[0];
    const n = /^0[xX]/.test(digits) ? parseInt(digits.slice(2), 16) : Number(digits);
    return push('number', i, i + m[0].length, String(negative ? -n : n));
  }

  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const next = src[i + 1];
    if (isWhitespace(c)) {
      i++;
    } else if (c === '`' && isNewline(next)) {
      i += next === '\r' && src[i + 2] === '\n' ? 3 : 2; // line continuation
    } else if (isNewline(c)) {
      i = push('newline', i, c === '\r' && next === '\n' ? i + 2 : i + 1, '\n');
    } else if (c === '\0') {
      throw new PsSyntaxError('NUL outside a string', i);
    } else if (c === '#') {
      let j = i + 1;
      while (j < src.length && !isNewline(src[j])) j++;
      i = push('comment', i, j, src.slice(i + 1, j));
    } else if (c === '<' && next === '#') {
      const close = src.indexOf('#>', i + 2);
      if (close < 0) throw new PsSyntaxError('unterminated block comment', i);
      i = push('comment', i, close + 2, src.slice(i + 2, close));
    } else if (isSingleQuote(c)) {
      const s = scanSingleQuoted(i);
      i = push('string', i, s.end, s.value);
    } else if (isDoubleQuote(c)) {
      const s = scanDoubleQuoted(i);
      i = push('expandable-string', i, s.end, s.value, s.expansions);
    } else if (c === '@' && isSingleQuote(next)) {
      i = scanHereString(i, false);
    } else if (c === '@' && isDoubleQuote(next)) {
      i = scanHereString(i, true);
    } else if (c === '@' && (next === '(' || next === '{')) {
      i = push('operator', i, i + 2, `@${next}`);
    } else if (c === '@' && isVariableChar(next)) {
      let j = i + 1;
      while (isVariableChar(src[j])) j++;
      i = push('splat', i, j, src.slice(i + 1, j));
    } else if (c === '$' && next === '(') {
      i = push('operator', i, i + 2, '$(');
    } else if (c === '$' && scanDollar(i)) {
      const d = scanDollar(i)!;
      i = push('variable', i, d.end, d.name);
    } else if (c === '[' && /^\[[A-Za-z_][\w.]*(\[\])?\]/.test(src.slice(i, i + 200))) {
      const m = /^\[([A-Za-z_][\w.]*(\[\])?)\]/.exec(src.slice(i, i + 200))!;
      i = push('type', i, i + m[0].length, m[1]!);
    } else if (isDash(c) && isDash(next) && src[i + 2] === '%') {
      throw new PsSyntaxError('--% (stop parsing) is not supported', i);
    } else if (isDash(c) && isDigit(next)) {
      i = scanNumber(i);
    } else if (isDash(c) && (isIdentifierStart(next) || next === '?')) {
      let j = i + 1;
      while (!endsWord(src[j]) && src[j] !== ':' && !isSingleQuote(src[j]) && !isDoubleQuote(src[j])) j++;
      const name = src.slice(i + 1, j);
      if (src[j] === ':') j++;
      i = push('parameter', i, j, name);
    } else if ((c === '&' && next === '&') || (c === '|' && next === '|') || (c === '>' && next === '>')) {
      i = push('operator', i, i + 2, c + next);
    } else if ('(){},;=+|&[]>!*/%'.includes(c) || isDash(c)) {
      i = push('operator', i, i + 1, c);
    } else if (isDigit(c)) {
      i = scanNumber(i);
    } else {
      i = scanWord(i);
    }
  }
  return tokens;
}

/** Tokens without comments, for tests that look at what runs. */
export function codeTokens(src: string): PsToken[] {
  return tokenize(src).filter((t) => t.kind !== 'comment');
}

/**
 * Reads one value at tokens[i] the way PowerShell evaluates psQuote's output: a single-quoted string, or a
 * parenthesised `'…' + [char]0xHHHH + …` concatenation. The first operand must be a string, because PowerShell's
 * `+` follows its left operand (a [char] on the left would add numerically). Anything else throws.
 */
export function readValue(tokens: readonly PsToken[], i: number): { value: string; next: number } {
  const t = tokens[i];
  if (t?.kind === 'string') return { value: t.value, next: i + 1 };
  if (!(t?.kind === 'operator' && t.value === '('))
    throw new Error(`expected a value at token ${i}: ${describe(t)}`);
  let j = i + 1;
  const first = tokens[j];
  if (first?.kind !== 'string')
    throw new Error(`a concatenation must start with a string: ${describe(first)}`);
  let value = first.value;
  j++;
  while (tokens[j]?.kind === 'operator' && tokens[j]!.value === '+') {
    const operand = tokens[j + 1];
    if (operand?.kind === 'string') {
      value += operand.value;
      j += 2;
    } else if (operand?.kind === 'type' && operand.value.toLowerCase() === 'char') {
      const code = tokens[j + 2];
      const n = code?.kind === 'number' ? Number(code.value) : NaN;
      if (!Number.isInteger(n) || n < 0 || n > 0xffff)
        throw new Error(`[char] needs a code unit: ${describe(code)}`);
      value += String.fromCharCode(n);
      j += 3;
    } else {
      throw new Error(`unexpected operand ${describe(operand)}`);
    }
  }
  if (!(tokens[j]?.kind === 'operator' && tokens[j]!.value === ')'))
    throw new Error(`expected ): ${describe(tokens[j])}`);
  return { value, next: j + 1 };
}

/** `@()` / `@(v,v,…)` at tokens[i]. */
export function readArray(tokens: readonly PsToken[], i: number): { values: string[]; next: number } {
  if (!(tokens[i]?.kind === 'operator' && tokens[i]!.value === '@('))
    throw new Error(`expected @(: ${describe(tokens[i])}`);
  const values: string[] = [];
  let j = i + 1;
  if (tokens[j]?.kind === 'operator' && tokens[j]!.value === ')') return { values, next: j + 1 };
  for (;;) {
    const v = readValue(tokens, j);
    values.push(v.value);
    j = v.next;
    const sep = tokens[j];
    if (sep?.kind === 'operator' && sep.value === ')') return { values, next: j + 1 };
    if (!(sep?.kind === 'operator' && sep.value === ','))
      throw new Error(`expected , or ): ${describe(sep)}`);
    j++;
  }
}

/** `@{Key=v,v; Key=v}` at tokens[i], keys as bare words. */
export function readHashtable(
  tokens: readonly PsToken[],
  i: number,
): { entries: [string, string[]][]; next: number } {
  if (!(tokens[i]?.kind === 'operator' && tokens[i]!.value === '@{'))
    throw new Error(`expected @{: ${describe(tokens[i])}`);
  const entries: [string, string[]][] = [];
  let j = i + 1;
  for (;;) {
    const key = tokens[j];
    if (key?.kind !== 'word' || key.expansions.length > 0)
      throw new Error(`expected a key: ${describe(key)}`);
    if (!(tokens[j + 1]?.kind === 'operator' && tokens[j + 1]!.value === '=')) throw new Error('expected =');
    j += 2;
    const values: string[] = [];
    for (;;) {
      const v = readValue(tokens, j);
      values.push(v.value);
      j = v.next;
      if (!(tokens[j]?.kind === 'operator' && tokens[j]!.value === ',')) break;
      j++;
    }
    entries.push([key.value, values]);
    const sep = tokens[j];
    if (sep?.kind === 'operator' && sep.value === '}') return { entries, next: j + 1 };
    if (!(sep?.kind === 'operator' && sep.value === ';'))
      throw new Error(`expected ; or }: ${describe(sep)}`);
    j++;
  }
}

function describe(t: PsToken | undefined): string {
  return t ? `${t.kind} ${JSON.stringify(t.text)}` : 'end of input';
}
