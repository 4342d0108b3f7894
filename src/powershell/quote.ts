/**
 * The one way a tenant-derived string (object names, domains, addresses, profile text, DNS answers) enters
 * generated PowerShell (issue 4). test/powershell/quote.test.ts proves it against a tokeniser written from the
 * language rules, with thousands of generated hostile strings.
 *
 * PowerShell's rules for a single-quoted string, identical in Windows PowerShell 5.1 and PowerShell 7:
 * - Nothing inside '…' is interpreted: no `$` expansion, no `$(…)`, no backtick escapes (about_Quoting_Rules,
 *   about_Special_Characters: "escape sequences are only interpreted in double-quoted strings").
 * - The only escape is two quote characters in a row, read as the second one (tokenizer.cs ScanStringLiteral:
 *   "the first is the escape and append the second quote").
 * - U+2018 ‘, U+2019 ’, U+201A ‚ and U+201B ‛ are single quotes too (CharTraits.cs IsSingleQuote): any of them
 *   closes a literal opened with an ASCII quote, so each must be doubled. Doubling a character with itself reads
 *   back as that character.
 * - Every other character is taken verbatim, line breaks and NUL included.
 *
 * What we emit for characters a reviewer cannot see. A literal may legally hold CR, LF, NUL, ESC or a bidi
 * override, but a script that an admin reviews before running must show what it does: a raw line break makes
 * one argument look like two lines (and editors or git may rewrite CRLF, changing the value), ESC sequences
 * repaint the terminal that `Get-Content` prints the script to, U+202E reorders the displayed line, NUL makes
 * tools treat the file as binary, and a lone surrogate cannot be written to a UTF-8 file at all. So every C0/C1
 * control (Cc), format character (Cf: bidi controls, zero-width characters, soft hyphen, BOM), line/paragraph
 * separator (Zl, Zp), lone surrogate (Cs) and noncharacter is rendered as `[char]0xHHHH`, one per UTF-16 code
 * unit, and the value becomes one parenthesised concatenation that starts with a string operand:
 * `('two' + [char]0x000D + [char]0x000A + 'lines')`. The left operand decides what `+` does in PowerShell
 * (string + anything concatenates; a [char] on the left would add numerically), hence the leading `''` when the
 * value starts with such a character. Strings without them keep the plain `'…'` form.
 *
 * Non-ASCII text stays verbatim, which is safe only if the script file says it is UTF-8: Windows PowerShell 5.1
 * reads a BOM-less script in the ANSI code page, where UTF-8 bytes such as 0x91/0x92 become ‘/’ and close the
 * literal. Write scripts with psScriptFile (./script.ts), which adds the BOM.
 */

const SINGLE_QUOTES = /['\u2018\u2019\u201A\u201B]/g;

const UNSEEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Noncharacter_Code_Point}]/gu;

function literal(text: string): string {
  return `'${text.replace(SINGLE_QUOTES, (q) => q + q)}'`;
}

function charCode(unit: number): string {
  return `[char]0x${unit.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * A PowerShell expression that evaluates to exactly `value`: a single-quoted literal, or, when `value` holds
 * characters a reviewer cannot see, one parenthesised concatenation of literals and `[char]` codes.
 * Valid as a command argument, an array element and a hashtable value. Code, not comment text (see psComment).
 */
export function psQuote(value: string): string {
  const pieces: string[] = [];
  let last = 0;
  for (const m of value.matchAll(UNSEEN)) {
    if (m.index > last) pieces.push(literal(value.slice(last, m.index)));
    for (let k = 0; k < m[0].length; k++) pieces.push(charCode(m[0].charCodeAt(k)));
    last = m.index + m[0].length;
  }
  if (pieces.length === 0) return literal(value);
  if (last < value.length) pieces.push(literal(value.slice(last)));
  if (!pieces[0]!.startsWith("'")) pieces.unshift("''");
  return `(${pieces.join(' + ')})`;
}

/** `@('a','b')`; `@()` when empty. */
export function psStringArray(values: readonly string[]): string {
  return `@(${values.map(psQuote).join(',')})`;
}

export interface AddRemove {
  add?: readonly string[] | undefined;
  remove?: readonly string[] | undefined;
}

/**
 * The hashtable Exchange cmdlets take to change a multi-valued property without restating it:
 * `@{Add='a','b'; Remove='c'}`. Empty lists are left out; nothing to add or remove is a caller bug.
 */
export function psHashtableAddRemove({ add = [], remove = [] }: AddRemove): string {
  const entries: string[] = [];
  if (add.length > 0) entries.push(`Add=${add.map(psQuote).join(',')}`);
  if (remove.length > 0) entries.push(`Remove=${remove.map(psQuote).join(',')}`);
  if (entries.length === 0) throw new RangeError('psHashtableAddRemove: nothing to add or remove');
  return `@{${entries.join('; ')}}`;
}

export function psBool(value: boolean): string {
  return value ? '$true' : '$false';
}

/** PowerShell's whitespace (CharTraits.cs IsWhitespace): space, TAB, VT, FF, NBSP, NEL and Unicode separators. */
function isPsWhitespace(ch: string): boolean {
  return /^[ \t\v\f\u00A0\u0085]$/.test(ch) || (ch.charCodeAt(0) > 256 && /^\p{Z}$/u.test(ch));
}

/**
 * A line comment that resembles `# SIG # Begin signature block` makes PowerShell reject every line after it
 * (TokenAfterEndOfValidScriptText): tokenizer.cs compares the comment, whitespace removed and lower-cased, with
 * this text and flags an edit distance under 10.
 */
const SIGNATURE_BEGIN = 'sig#beginsignatureblock\n';
const SIGNATURE_SIMILARITY_THRESHOLD = 10;
/** Room for the caller's own text on the same comment line (up to this many non-blank characters). */
const SIGNATURE_CALLER_MARGIN = 6;
/** Appended to such text: 34+ non-blank characters put the whole line past PowerShell's length cut-off (34). */
const SIGNATURE_DEFUSE = ' [mxlock: this text resembles a signature block]';

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** Whether PowerShell could take a comment line holding `text` for the start of a signature block. */
export function resemblesSignatureBlock(text: string, margin = SIGNATURE_CALLER_MARGIN): boolean {
  const squeezed = `${[...text]
    .filter((c) => !isPsWhitespace(c))
    .join('')
    .toLowerCase()}\n`;
  const limit = SIGNATURE_SIMILARITY_THRESHOLD + margin;
  if (Math.abs(squeezed.length - SIGNATURE_BEGIN.length) >= limit) return false;
  return editDistance(squeezed, SIGNATURE_BEGIN) < limit;
}

/**
 * Arbitrary text made safe to place after `# ` on one comment line: characters a reviewer cannot see (CR and LF
 * among them, which would end the comment) become `[U+HHHH]`, `#>` (which would close an enclosing `<# … #>`)
 * becomes `# >`, a leading `>` or `requires` gets a space so that `#` + text never reads as `#>` or as a
 * `#Requires` directive, and text resembling a signature-block header is defused (see SIGNATURE_BEGIN).
 */
export function psComment(text: string): string {
  let out = text
    // One match is one code point, or one lone surrogate (codePointAt returns the unit itself).
    .replace(UNSEEN, (ch) => `[U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`)
    .replace(/#>/g, '# >');
  if (/^(>|requires)/i.test(out)) out = ` ${out}`;
  if (resemblesSignatureBlock(out)) out += SIGNATURE_DEFUSE;
  return out;
}
