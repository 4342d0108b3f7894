/**
 * A tokeniser for the KQL that `mxlock kql` writes, written for the tests from the language's documented lexical rules
 * (Kusto "The string data type": '…' and "…" literals with backslash escapes, verbatim @'…' / @"…" with the quote
 * doubled, h-prefixed obfuscated literals, ``` multi-line literals; `//` comments to the end of the line). It is the
 * judge of src/kql/literal.ts, so it is strict where a break-out could hide:
 *
 * - a raw line break (CR, LF, U+0085, U+2028, U+2029) ends a comment and is an error inside a quoted literal;
 * - an unknown backslash escape is an error (only \\ \' \" \n \t \r are documented), as is an unterminated literal;
 * - everything else is identifiers, numbers (with a timespan suffix like 30d), and one-character punctuation, with
 *   `==`, `!=`, `=~`, `!~`, `<=`, `>=` read as one operator.
 *
 * `compactStrings` then folds `strcat(<literal | unicode_codepoints_to_string(n)>, …)` into one string token, the form
 * literal.ts uses for values with control or bidi characters, so that tests can compare the code's skeleton and read
 * back every value.
 */

export type KqlTokenKind = 'string' | 'comment' | 'newline' | 'identifier' | 'number' | 'punct';

export interface KqlToken {
  kind: KqlTokenKind;
  /** Decoded value for strings, comment text after `//`, the text otherwise. */
  value: string;
  start: number;
  end: number;
}

export class KqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
    this.name = 'KqlSyntaxError';
  }
}

const LINE_BREAK = /[\r\n\u0085\u2028\u2029]/;
const ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r' };
const TWO_CHAR_OPS = new Set(['==', '!=', '=~', '!~', '<=', '>=']);

function isIdentStart(c: string): boolean {
  return /[A-Za-z_]/.test(c);
}

export function tokenizeKql(text: string): KqlToken[] {
  const out: KqlToken[] = [];
  let i = 0;
  const push = (kind: KqlTokenKind, value: string, start: number) => out.push({ kind, value, start, end: i });

  /** A quoted literal starting at the quote `i` points at; `verbatim` doubles the quote instead of escaping. */
  const quoted = (start: number, verbatim: boolean): void => {
    const q = text[i]!;
    i++;
    let value = '';
    for (;;) {
      if (i >= text.length) throw new KqlSyntaxError('unterminated string literal', start);
      const c = text[i]!;
      if (LINE_BREAK.test(c)) throw new KqlSyntaxError('line break inside a string literal', i);
      if (c === q) {
        if (verbatim && text[i + 1] === q) {
          value += q;
          i += 2;
          continue;
        }
        i++;
        break;
      }
      if (c === '\\' && !verbatim) {
        const e = text[i + 1];
        const decoded = e === undefined ? undefined : ESCAPES[e];
        if (decoded === undefined) throw new KqlSyntaxError(`unknown escape \\${e ?? ''}`, i);
        value += decoded;
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    push('string', value, start);
  };

  while (i < text.length) {
    const start = i;
    const c = text[i]!;
    if (LINE_BREAK.test(c)) {
      i++;
      push('newline', c, start);
    } else if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      i += 2;
      while (i < text.length && !LINE_BREAK.test(text[i]!)) i++;
      push('comment', text.slice(start + 2, i), start);
    } else if (text.startsWith('```', i)) {
      const close = text.indexOf('```', i + 3);
      if (close < 0) throw new KqlSyntaxError('unterminated multi-line string literal', start);
      i = close + 3;
      push('string', text.slice(start + 3, close), start);
    } else if (c === "'" || c === '"') {
      quoted(start, false);
    } else if ((c === '@' || c === 'h' || c === 'H') && /['"@]/.test(text[i + 1] ?? '')) {
      // @'…', h'…', h@'…' (the h marks an obfuscated literal: same value, hidden from logs).
      i++;
      let verbatim = c === '@';
      if (!verbatim && text[i] === '@') {
        verbatim = true;
        i++;
      }
      if (text[i] !== "'" && text[i] !== '"') throw new KqlSyntaxError('expected a quote', i);
      quoted(start, verbatim);
    } else if (isIdentStart(c)) {
      while (i < text.length && /[A-Za-z0-9_]/.test(text[i]!)) i++;
      push('identifier', text.slice(start, i), start);
    } else if (/[0-9]/.test(c)) {
      while (i < text.length && /[0-9.]/.test(text[i]!)) i++;
      while (i < text.length && /[a-z]/.test(text[i]!)) i++; // a timespan unit: 30d, 1h, 10ms
      push('number', text.slice(start, i), start);
    } else if (/[()[\],;|=!<>~.*+\-:{}]/.test(c)) {
      const two = text.slice(i, i + 2);
      i += TWO_CHAR_OPS.has(two) ? 2 : 1;
      push('punct', text.slice(start, i), start);
    } else {
      throw new KqlSyntaxError(`unexpected character U+${(c.codePointAt(0) ?? 0).toString(16)}`, i);
    }
  }
  return out;
}

/**
 * Folds each `strcat(a, b, …)` whose arguments are all string literals or `unicode_codepoints_to_string(<number>)` into
 * one string token holding the concatenated value. Anything else is left as it is.
 */
export function compactStrings(tokens: readonly KqlToken[]): KqlToken[] {
  const out: KqlToken[] = [];
  let i = 0;
  const codepointCall = (j: number): { value: string; next: number } | undefined => {
    const [name, open, num, close] = [tokens[j], tokens[j + 1], tokens[j + 2], tokens[j + 3]];
    if (name?.kind !== 'identifier' || name.value !== 'unicode_codepoints_to_string') return undefined;
    if (open?.value !== '(' || num?.kind !== 'number' || close?.value !== ')') return undefined;
    return { value: String.fromCodePoint(Number(num.value)), next: j + 4 };
  };
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (t.kind === 'identifier' && t.value === 'strcat' && tokens[i + 1]?.value === '(') {
      let j = i + 2;
      let value = '';
      let ok = true;
      for (;;) {
        const arg = tokens[j];
        if (arg?.kind === 'string') {
          value += arg.value;
          j++;
        } else {
          const call = codepointCall(j);
          if (!call) {
            ok = false;
            break;
          }
          value += call.value;
          j = call.next;
        }
        if (tokens[j]?.value === ',') j++;
        else if (tokens[j]?.value === ')') break;
        else {
          ok = false;
          break;
        }
      }
      if (ok) {
        out.push({ kind: 'string', value, start: t.start, end: tokens[j]!.end });
        i = j + 1;
        continue;
      }
    }
    out.push(t);
    i++;
  }
  return out;
}

/**
 * The code without its values: every string literal (after compactStrings) as `<s>`, comments and newlines dropped, and
 * the two list forms (`dynamic([…])`, `pack_array(…)`) both read as `list(…)`.
 */
export function skeleton(tokens: readonly KqlToken[]): string[] {
  const t = compactStrings(tokens)
    .filter((x) => x.kind !== 'comment' && x.kind !== 'newline')
    .map((x) => (x.kind === 'string' ? '<s>' : x.value));
  const out: string[] = [];
  let depth = 0; // open dynamic([ lists
  for (let i = 0; i < t.length; i++) {
    if (t[i] === 'dynamic' && t[i + 1] === '(' && t[i + 2] === '[') {
      out.push('list', '(');
      depth++;
      i += 2;
    } else if (depth > 0 && t[i] === ']' && t[i + 1] === ')') {
      out.push(')');
      depth--;
      i++;
    } else out.push(t[i] === 'pack_array' ? 'list' : t[i]!);
  }
  return out;
}
