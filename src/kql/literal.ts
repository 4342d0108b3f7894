/**
 * KQL text built from tenant values (accepted domains, rule names, IP ranges): string literals a value cannot leave,
 * and `//` comments it cannot end. Kusto's documented string syntax ("The string data type"): a single-quoted literal
 * escapes `\` and `'` with a backslash and may not hold a raw line break; a `//` comment runs to the end of the line.
 */
import { inlineSafe, isUnsafeChar } from '../common/text.js';

/** The literal body of a run of ordinary characters: backslash and the quote escaped. */
function quoteRun(run: string): string {
  return `'${run.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/**
 * A KQL string expression whose value is exactly `value`: one single-quoted literal when it holds only ordinary
 * characters; otherwise `strcat(...)` of literals and `unicode_codepoints_to_string(n)` for each control, line-separator
 * or bidi character (common/text.ts UNSAFE_CHARS), so none of them is ever raw in the query a person reviews (Trojan
 * Source) and no line break can end the literal. A lone surrogate is not a Unicode scalar value (UTF-8 output cannot
 * carry it, and unicode_codepoints_to_string returns null for it): it becomes U+FFFD.
 */
export function kqlString(value: string): string {
  const parts: string[] = [];
  let run = '';
  let plain = true;
  for (const ch of value) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      run += '\ufffd';
    } else if (isUnsafeChar(ch)) {
      plain = false;
      if (run !== '') parts.push(quoteRun(run));
      run = '';
      parts.push(`unicode_codepoints_to_string(${cp})`);
    } else run += ch;
  }
  if (plain) return quoteRun(run);
  if (run !== '') parts.push(quoteRun(run));
  return `strcat(${parts.join(', ')})`;
}

/**
 * A dynamic array of strings: a `dynamic([...])` literal when every element is a plain literal, else `pack_array(...)`
 * (a dynamic literal takes literals only, not strcat). Never empty: an empty range or domain list would make a query
 * match nothing and look clean, so callers leave such a query out and say why.
 */
export function kqlList(values: readonly string[]): string {
  if (values.length === 0) throw new Error('kqlList: empty list');
  const items = values.map(kqlString);
  const allPlain = items.every((s) => s.startsWith("'"));
  return allPlain ? `dynamic([${items.join(', ')}])` : `pack_array(${items.join(', ')})`;
}

/** `//` comment lines; every line's control, line-break and bidi characters shown as escapes (inlineSafe). */
export function kqlComment(lines: string | readonly string[]): string {
  return (typeof lines === 'string' ? [lines] : lines).map((l) => `// ${inlineSafe(l)}`).join('\n');
}
