/**
 * The one escaping of text a person reads (terminal, Markdown, log lines, evidence): characters that could move a
 * terminal cursor or reorder displayed text become visible escapes. Tenant strings (object names, rule text, DNS
 * answers) are attacker-influenced. Renderer-specific wrappers build on it: report/markdown.ts `mdText`/`mdFence`;
 * PowerShell has its own rules (powershell/quote.ts `psQuote`, `psComment`).
 */

/**
 * Characters that can move the cursor, recolour a terminal or reorder displayed text: C0 controls, DEL, C1 controls
 * (U+009B is a one-byte CSI on some terminals), the Arabic letter mark, LRM/RLM, line/paragraph separators, bidi
 * embeddings and overrides U+202A–U+202E and isolates U+2066–U+2069 ("Trojan Source", CVE-2021-42574).
 */
/* eslint-disable no-control-regex -- matching control characters is the point */
export const UNSAFE_CHARS =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */

const UNSAFE_CHAR = new RegExp(UNSAFE_CHARS.source);

/** True for one character (code point) from `UNSAFE_CHARS`. */
export function isUnsafeChar(ch: string): boolean {
  return UNSAFE_CHAR.test(ch);
}

/** A visible, recognisable stand-in for one unsafe character: `\n`, `\r`, `\t`, `\x1b`, `\u202e`. */
export function visibleEscape(ch: string): string {
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  const cp = ch.codePointAt(0) ?? 0;
  return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
}

/** A tenant value rendered on one line: every unsafe character, newlines included, becomes its visible escape. */
export function inlineSafe(value: string): string {
  return value.replace(UNSAFE_CHARS, visibleEscape);
}

/**
 * A diagnostic for stderr: every line escaped as `inlineSafe` does, the line breaks between them kept (a profile error
 * lists one problem per line). File names, property values and tenant names in errors and warnings come from input.
 */
export function linesSafe(value: string): string {
  return value.split(/\r?\n/).map(inlineSafe).join('\n');
}

/**
 * Items for one line of a message, each escaped: the first `max`, then how many more ("a, b, and 2980 more"), so a
 * list of thousands of bad values stays one readable line.
 */
export function boundedList(items: readonly string[], max: number): string {
  const shown = items.slice(0, max).map(inlineSafe).join(', ');
  return items.length > max ? `${shown}, and ${items.length - max} more` : shown;
}

/**
 * Appends `more` to `out` one by one: `out.push(...more)` passes each line as an argument, and a text that wraps to
 * more than about 130,000 lines (a huge value from the input), or warnings by the hundred thousand, overflow the stack that way (issue 10 item 6).
 */
export function appendAll<T>(out: T[], more: readonly T[]): T[] {
  for (const x of more) out.push(x);
  return out;
}
