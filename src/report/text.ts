/**
 * Helpers shared by the reporters: deterministic ordering, path descriptions, display width, prose wrapping and
 * PowerShell-aware wrapping. Tenant strings (object names, rule text, DNS answers) are attacker-influenced: every
 * reporter treats them as data and escapes them with common/text.ts.
 */
import { appendAll } from '../common/text.js';
import type { FindingStatus } from '../common/order.js';
import { DECLARED_SOURCE_PATH } from '../model/paths.js';
import type { PathKind } from '../model/types.js';

export const PATH_KIND_ORDER: readonly PathKind[] = ['attack', 'residual', 'legitimate'];

/** Statuses shown as one compact line: nothing to act on and nothing uncertain. */
export function isPassing(status: FindingStatus): boolean {
  return status === 'pass' || status === 'not-applicable';
}

/** One-line descriptions of the standard paths (DESIGN §5); unknown ids fall back to the id itself. */
const PATH_DESCRIPTIONS: Readonly<Record<string, string>> = {
  'path.direct-send-own-domain':
    'Direct Send: own domain in MAIL FROM and From:, straight to EOP from an internet IP',
  'path.spoof-header-own-domain': 'Foreign MAIL FROM with an own-domain From: header, straight to EOP',
  'path.foreign-domain-direct': 'Authenticated foreign domain, straight to EOP from an internet IP',
  'path.null-sender-direct': 'Null sender <> with an own-domain From: header, straight to EOP',
  'path.initial-domain-direct':
    'Foreign domain to a user at the initial onmicrosoft.com domain, straight to EOP',
  'path.shared-gateway-ip': "Another customer of the same gateway, from the gateway's IPs and certificate",
  'path.gateway-delivery': 'Legitimate mail delivered through the gateway',
  'path.hybrid-onpremises': 'Mail from on-premises Exchange (hybrid)',
};

export function describePath(id: string): string {
  const known = PATH_DESCRIPTIONS[id];
  if (known !== undefined) return known;
  if (id.startsWith(DECLARED_SOURCE_PATH)) {
    return `Declared Direct Send source "${id.slice(DECLARED_SOURCE_PATH.length)}"`;
  }
  return id;
}

/** Zero-width code points: combining marks, variation selectors, zero-width space/joiners. */
const ZERO_WIDTH: readonly (readonly [number, number])[] = [
  [0x0300, 0x036f],
  [0x0483, 0x0489],
  [0x0591, 0x05bd],
  [0x0610, 0x061a],
  [0x064b, 0x065f],
  [0x1ab0, 0x1aff],
  [0x1dc0, 0x1dff],
  [0x200b, 0x200d],
  [0x20d0, 0x20ff],
  [0xfe00, 0xfe0f],
  [0xfe20, 0xfe2f],
  [0xfeff, 0xfeff],
];

/** East Asian Wide/Fullwidth ranges and emoji: two terminal columns each (approximation of UAX #11). */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];

function inRanges(cp: number, ranges: readonly (readonly [number, number])[]): boolean {
  for (const [lo, hi] of ranges) if (cp >= lo && cp <= hi) return true;
  return false;
}

export function charWidth(cp: number): number {
  if (inRanges(cp, ZERO_WIDTH)) return 0;
  return inRanges(cp, WIDE) ? 2 : 1;
}

/** Terminal columns of a string without escape sequences. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += charWidth(ch.codePointAt(0) ?? 0);
  return width;
}

/** Cuts a one-line text to `width` columns, marking the cut with an ellipsis. */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = charWidth(ch.codePointAt(0) ?? 0);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…`;
}

/** Tokens a reader must be able to copy whole (they are allowed to overflow the width rather than be split). */
const UNBREAKABLE = /^(?:[a-z][a-z0-9+.-]*:\/\/|www\.)\S+$/i;

/** Splits a token into pieces of at most `width` columns (never splitting a code point). */
function hardBreak(token: string, width: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  let used = 0;
  for (const ch of token) {
    const w = charWidth(ch.codePointAt(0) ?? 0);
    if (used + w > width && piece !== '') {
      pieces.push(piece);
      piece = '';
      used = 0;
    }
    piece += ch;
    used += w;
  }
  if (piece !== '') pieces.push(piece);
  return pieces;
}

/**
 * Greedy word wrap of one logical line (no newlines; escape them first) to `width` columns. The first line starts
 * with `first`, the others with `rest` (a hanging indent). Words longer than a line are split, except URLs.
 */
export function wrapText(text: string, width: number, first: string, rest: string): string[] {
  const words = text.split(' ').filter((w) => w !== '');
  const lines: string[] = [];
  let line = first;
  let lineWidth = displayWidth(first);
  let empty = true;
  const restWidth = displayWidth(rest);
  const newLine = () => {
    lines.push(line);
    line = rest;
    lineWidth = restWidth;
    empty = true;
  };
  for (const word of words) {
    const w = displayWidth(word);
    if (!empty && lineWidth + 1 + w <= width) {
      line += ` ${word}`;
      lineWidth += 1 + w;
      continue;
    }
    if (!empty) newLine();
    if (lineWidth + w <= width || UNBREAKABLE.test(word)) {
      line += word;
      lineWidth += w;
      empty = false;
      continue;
    }
    const pieces = hardBreak(word, Math.max(1, width - lineWidth));
    for (const [i, piece] of pieces.entries()) {
      if (i > 0) newLine();
      line += piece;
      lineWidth += displayWidth(piece);
      empty = false;
    }
  }
  lines.push(line);
  return lines.map((l) => l.trimEnd());
}

const PS_SINGLE_QUOTES = new Set(["'", '\u2018', '\u2019', '\u201a', '\u201b']);
const PS_DOUBLE_QUOTES = new Set(['"', '\u201c', '\u201d', '\u201e']);

type PsState = 'code' | 'single' | 'double' | 'here-single' | 'here-double' | 'block-comment';

/** One chunk of a PowerShell line: either whitespace where a line may be continued, or text that must stay whole. */
interface PsChunk {
  text: string;
  breakable: boolean;
}

/**
 * Splits one raw line into chunks, tracking PowerShell quoting across lines. Whitespace is breakable only in code
 * (outside strings, here-strings and comments) and not right after a backtick, because a backtick-newline there
 * would be a different token. A `#` comment ends the breakable part of the line.
 */
function psChunks(line: string, state: PsState): { chunks: PsChunk[]; state: PsState } {
  const chunks: PsChunk[] = [];
  let current = '';
  let currentBreakable = false;
  const push = (ch: string, breakable: boolean) => {
    if (current !== '' && breakable !== currentBreakable) {
      chunks.push({ text: current, breakable: currentBreakable });
      current = '';
    }
    currentBreakable = breakable;
    current += ch;
  };
  const chars = [...line];
  if (state === 'here-single' || state === 'here-double') {
    const closer = state === 'here-single' ? "'@" : '"@';
    // A here-string ends only at a line that starts with its closer; its body is never re-wrapped.
    if (!line.startsWith(closer)) return { chunks: [{ text: line, breakable: false }], state };
    state = 'code';
    chars.splice(0, 2);
    push(closer, false);
  }
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? '';
    const next = chars[i + 1] ?? '';
    switch (state) {
      case 'code': {
        if (
          ch === '@' &&
          (next === "'" || next === '"') &&
          chars
            .slice(i + 2)
            .join('')
            .trim() === ''
        ) {
          push(chars.slice(i).join(''), false);
          return { chunks: flush(), state: next === "'" ? 'here-single' : 'here-double' };
        }
        if (ch === '<' && next === '#') {
          state = 'block-comment';
          push(ch, false);
          continue;
        }
        // `#` opens a comment only at the start of a token (`a#b` is one bare word).
        if (ch === '#' && (i === 0 || /[\s;]/.test(chars[i - 1] ?? ''))) {
          push(chars.slice(i).join(''), false);
          return { chunks: flush(), state };
        }
        if (ch === '`') {
          push(ch + next, false);
          i++;
          continue;
        }
        if (PS_SINGLE_QUOTES.has(ch)) state = 'single';
        else if (PS_DOUBLE_QUOTES.has(ch)) state = 'double';
        push(ch, ch === ' ' || ch === '\t');
        continue;
      }
      case 'single':
        push(ch, false);
        if (PS_SINGLE_QUOTES.has(ch)) {
          if (PS_SINGLE_QUOTES.has(next)) {
            push(next, false);
            i++;
          } else state = 'code';
        }
        continue;
      case 'double':
        push(ch, false);
        if (ch === '`') {
          push(next, false);
          i++;
        } else if (PS_DOUBLE_QUOTES.has(ch)) {
          if (PS_DOUBLE_QUOTES.has(next)) {
            push(next, false);
            i++;
          } else state = 'code';
        }
        continue;
      case 'block-comment':
        push(ch, false);
        if (ch === '#' && next === '>') {
          push(next, false);
          i++;
          state = 'code';
        }
        continue;
    }
  }
  return { chunks: flush(), state };

  function flush(): PsChunk[] {
    if (current !== '') chunks.push({ text: current, breakable: currentBreakable });
    return chunks;
  }
}

/** PowerShell's line continuation: a space and a backtick at the very end of the line. */
const CONTINUATION = ' `';
const CONTINUATION_INDENT = '    ';
/** `-Name` parameter tokens, kept on one line with their value when there is room. */
const PARAMETER = /^-[A-Za-z][A-Za-z0-9]*$/;

/**
 * Solid chunks grouped into units that should stay on one line (`-Identity 'X'`); `parts` keeps the pieces so an
 * over-long unit can still be broken between them.
 */
function psUnits(chunks: readonly PsChunk[]): { lead: string; units: string[][] } {
  let lead = '';
  const units: string[][] = [];
  let sawSpace = false;
  for (const chunk of chunks) {
    if (chunk.breakable) {
      if (units.length === 0) lead += chunk.text;
      else sawSpace = true;
      continue;
    }
    const current = units.at(-1);
    const previous = current?.at(-1);
    if (current === undefined || previous === undefined) units.push([chunk.text]);
    else if (!sawSpace) current[current.length - 1] = previous + chunk.text;
    else if (PARAMETER.test(previous) && !chunk.text.startsWith('-') && chunk.text !== '|')
      current.push(chunk.text);
    else units.push([chunk.text]);
    sawSpace = false;
  }
  return { lead, units };
}

/**
 * Wraps a PowerShell script for display at `width` columns, each line prefixed with `indent`. Long command lines are
 * broken only between tokens, with PowerShell's backtick line continuation, so the wrapped text still runs when
 * copied; a parameter stays with its value when there is room. Whole-line comments wrap as further comment lines.
 * Strings, here-strings and trailing comments are never split; a token longer than a line overflows instead.
 * `clean` renders each piece for display (escaping control characters) after the split decision, which is made on
 * the raw text.
 */
export function wrapPowerShell(
  script: string,
  width: number,
  indent: string,
  clean: (text: string) => string,
): string[] {
  const out: string[] = [];
  let state: PsState = 'code';
  const indentWidth = displayWidth(indent);
  const markWidth = displayWidth(CONTINUATION);
  for (const raw of script.replace(/\r\n/g, '\n').split('\n')) {
    const startState = state;
    const line = raw.replace(/\t/g, '    ');
    const { chunks, state: endState } = psChunks(line, state);
    state = endState;
    const whole = clean(line);
    if (startState !== 'code' || indentWidth + displayWidth(whole) <= width) {
      out.push((indent + whole).trimEnd());
      continue;
    }
    const comment = /^(\s*)#(?!>)\s?(.*)$/.exec(line);
    if (comment) {
      const prefix = `${indent}${comment[1] ?? ''}# `;
      appendAll(out, wrapText(clean(comment[2] ?? ''), width, prefix, prefix));
      continue;
    }
    // A trailing comment cannot follow a continuation mark: it moves to its own comment line(s) above the command.
    const last = chunks.findLastIndex((c) => !c.breakable);
    const trailing = chunks[last];
    if (trailing?.text.startsWith('#') === true) {
      const leadSpace = /^\s*/.exec(line)?.[0] ?? '';
      const prefix = `${indent}${leadSpace}# `;
      appendAll(out, wrapText(clean(trailing.text.replace(/^#\s?/, '')), width, prefix, prefix));
      chunks.splice(last);
    }
    const { lead, units } = psUnits(chunks);
    let text = indent + clean(lead);
    let used = displayWidth(text);
    let empty = true;
    const lastUnit = units.length - 1;
    const place = (piece: string, last: boolean) => {
      const w = displayWidth(piece);
      const room = last ? width : width - markWidth;
      if (!empty && used + 1 + w > room) {
        out.push(text + CONTINUATION);
        text = indent + CONTINUATION_INDENT;
        used = indentWidth + CONTINUATION_INDENT.length;
        empty = true;
      }
      text += (empty ? '' : ' ') + piece;
      used += (empty ? 0 : 1) + w;
      empty = false;
    };
    for (const [u, parts] of units.entries()) {
      const pieces = parts.map(clean);
      const joined = pieces.join(' ');
      const fits = displayWidth(joined) <= width - indentWidth - CONTINUATION_INDENT.length - markWidth;
      if (fits || pieces.length === 1) place(joined, u === lastUnit);
      else for (const [i, piece] of pieces.entries()) place(piece, u === lastUnit && i === pieces.length - 1);
    }
    out.push(text.trimEnd());
  }
  return out;
}

/** Length of the longest run of `char` in `text` (for Markdown fences that must outgrow their content). */
export function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const ch of text) {
    run = ch === char ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
}

/** Human labels for checklist states, shared by terminal and Markdown. */
export const CHECKLIST_MARK = { done: '[x]', open: '[ ]', unknown: '[?]' } as const;

/**
 * Characters JSON.stringify leaves raw that would still act on a terminal or reorder text when the file is viewed
 * (DEL, C1 controls, bidi controls, U+2028/9). They only ever occur inside string literals of the output, so
 * escaping them as `\uXXXX` in place is lossless: JSON.parse gives back the identical string.
 */
const JSON_RAW_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeRawUnsafe(text: string): string {
  return text.replace(
    JSON_RAW_UNSAFE,
    (ch) => `\\u${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}

/** `JSON.stringify` with 2-space indentation, a trailing newline and the escapes above. */
export function stringifyJson(value: unknown): string {
  return `${escapeRawUnsafe(JSON.stringify(value, null, 2))}\n`;
}

/** One JSON Lines record (a log entry): compact, the escapes above, a trailing newline. */
export function stringifyJsonLine(value: unknown): string {
  return `${escapeRawUnsafe(JSON.stringify(value))}\n`;
}
