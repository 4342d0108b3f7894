/**
 * A bounded reader of message headers: raw header blocks, whole .eml files, mbox files with several messages, and
 * headers pasted from Outlook (folded or not, CRLF, LF or CR line ends, RFC 2047 encoded words, no blank line at the
 * end). Hostile input is bounded at every step: input size, messages, header lines, field length, hops. Pure.
 */

/** Far above a real mailbox export handed to this command; guards against the wrong file (bytes). */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;
/** Messages analysed from one mbox; the rest are counted, not analysed. */
export const MAX_MESSAGES = 1000;
/** Header section of one message (characters): EOP's own headers stay far below 256 KiB. */
export const MAX_HEADER_CHARS = 1024 * 1024;
/** Header fields kept per message; the rest are counted. */
export const MAX_FIELDS = 5000;
/** One unfolded field (characters): deep folding or a huge value is cut here. */
export const MAX_FIELD_CHARS = 64 * 1024;

export interface HeaderField {
  /** The name as written (`Received`, `x-forefront-antispam-report`). */
  name: string;
  /** Lower-case name, for lookups. */
  key: string;
  /** The unfolded value: line breaks of folding removed (RFC 5322 §2.2.3), leading blanks trimmed. */
  value: string;
  /** Position from the top of the header section (0 = topmost, the newest stamp). */
  index: number;
}

export interface ParsedMessage {
  fields: HeaderField[];
  /** What the parser had to cut, skip or guess, for the report. */
  notes: string[];
}

export interface ParsedInput {
  messages: ParsedMessage[];
  /** mbox, several `.eml` or one message. */
  kind: 'mbox' | 'message';
  notes: string[];
}

/** A field line: an RFC 5322 §3.6.8 field name (printable ASCII except `:`) and a colon. */
const FIELD_LINE = /^([\x21-\x39\x3b-\x7e]{1,200}):/;
/** An mbox separator (mboxo/mboxrd): `From ` at the start of a line, then the envelope sender (RFC 4155). */
const MBOX_FROM = /^From \S/;

function splitLines(text: string): string[] {
  return text.split(/\r\n|\n|\r/);
}

/** The messages of an mbox: each starts at a `From ` line that begins the file or follows an empty line (RFC 4155). */
function mboxMessages(lines: string[], notes: string[]): string[][] {
  const out: string[][] = [];
  let current: string[] | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (MBOX_FROM.test(line) && (i === 0 || lines[i - 1] === '' || current === undefined)) {
      if (out.length >= MAX_MESSAGES) {
        let more = 0;
        for (let j = i; j < lines.length; j++) if (MBOX_FROM.test(lines[j]!) && lines[j - 1] === '') more++;
        notes.push(`only the first ${MAX_MESSAGES} messages were analysed; ${more} more were not`);
        break;
      }
      current = [];
      out.push(current);
      continue;
    }
    current?.push(line);
  }
  return out;
}

/**
 * The header fields of one message. Ends at the first empty line, or, when a pasted block lacks it, at the first line
 * that is neither a field nor a continuation once fields have started (the body). Lines before the first field (Outlook's
 * "Microsoft Mail Internet Headers Version 2.0", a stray title) are skipped and noted.
 */
export function parseHeaderLines(lines: readonly string[]): ParsedMessage {
  const fields: HeaderField[] = [];
  const notes: string[] = [];
  let skippedLead = 0;
  let chars = 0;
  let dropped = 0;
  let cut = 0;
  let current: { name: string; parts: string[]; length: number; cut: boolean } | undefined;
  const flush = () => {
    if (!current) return;
    if (fields.length >= MAX_FIELDS) {
      dropped++;
    } else {
      const value = current.parts.join('').replace(/^[ \t]+/, '');
      fields.push({ name: current.name, key: current.name.toLowerCase(), value, index: fields.length });
    }
    if (current.cut) cut++;
    current = undefined;
  };
  for (const line of lines) {
    if (line === '') {
      if (current || fields.length) {
        break;
      }
      continue;
    }
    chars += line.length + 1;
    if (chars > MAX_HEADER_CHARS) {
      notes.push(`the header section is longer than ${MAX_HEADER_CHARS} characters: the rest was not read`);
      break;
    }
    if ((line.startsWith(' ') || line.startsWith('\t')) && current) {
      // Folding: the line break goes, the whitespace stays (RFC 5322 §2.2.3).
      if (!current.cut) {
        const room = MAX_FIELD_CHARS - current.length;
        if (line.length > room) {
          current.parts.push(line.slice(0, Math.max(0, room)));
          current.length = MAX_FIELD_CHARS;
          current.cut = true;
        } else {
          current.parts.push(line);
          current.length += line.length;
        }
      }
      continue;
    }
    const m = FIELD_LINE.exec(line);
    if (m) {
      flush();
      const rest = line.slice(m[0].length);
      const tooLong = rest.length > MAX_FIELD_CHARS;
      current = {
        name: m[1]!,
        parts: [tooLong ? rest.slice(0, MAX_FIELD_CHARS) : rest],
        length: Math.min(rest.length, MAX_FIELD_CHARS),
        cut: tooLong,
      };
      continue;
    }
    if (fields.length === 0 && !current) {
      skippedLead++;
      continue;
    }
    // Neither a field nor a continuation after the fields began: the body of a paste without its blank line.
    notes.push(
      'no blank line after the header fields: the first line that is not a field was taken as the body',
    );
    break;
  }
  flush();
  if (skippedLead) notes.push(`${skippedLead} line(s) before the first header field were skipped`);
  if (dropped) notes.push(`only the first ${MAX_FIELDS} header fields were read; ${dropped} more were not`);
  if (cut) notes.push(`${cut} header field(s) longer than ${MAX_FIELD_CHARS} characters were cut`);
  return { fields, notes };
}

/** The input's messages as lines: an mbox when it starts with a `From ` line, else one message. */
export function splitMessages(text: string): {
  messages: string[][];
  kind: ParsedInput['kind'];
  notes: string[];
} {
  const lines = splitLines(text);
  const first = lines.find((l) => l.trim() !== '');
  const notes: string[] = [];
  if (first !== undefined && MBOX_FROM.test(first)) {
    const start = lines.indexOf(first);
    return { messages: mboxMessages(lines.slice(start), notes), kind: 'mbox', notes };
  }
  return { messages: [lines], kind: 'message', notes };
}

/** Splits the input into messages (an mbox when it starts with a `From ` line) and reads each one's header fields. */
export function parseInput(text: string): ParsedInput {
  const { messages, kind, notes } = splitMessages(text);
  return { messages: messages.map(parseHeaderLines), kind, notes };
}

/** Every field of that name, top first. */
export function fieldsNamed(message: ParsedMessage, name: string): HeaderField[] {
  const key = name.toLowerCase();
  return message.fields.filter((f) => f.key === key);
}

/** The topmost field of that name (the newest stamp). */
export function firstField(message: ParsedMessage, name: string): HeaderField | undefined {
  const key = name.toLowerCase();
  return message.fields.find((f) => f.key === key);
}

/** Words of RFC 2047 §2: `=?charset?B|Q?text?=`; the charset may carry an RFC 2231 language (`utf-8*en`). */
const ENCODED_WORD = /=\?([^?\s]{1,40})\?([BbQq])\?([^?\s]{0,2000})\?=/g;

function decodeWord(charset: string, encoding: string, text: string): string | undefined {
  const label = charset.split('*')[0]!.toLowerCase();
  let bytes: Uint8Array;
  if (encoding.toUpperCase() === 'B') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) return undefined;
    bytes = Buffer.from(text, 'base64');
  } else {
    // Q: `_` is a space, `=XX` a byte (RFC 2047 §4.2).
    const out: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (c === '_') out.push(0x20);
      else if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
        out.push(parseInt(text.slice(i + 1, i + 3), 16));
        i += 2;
      } else out.push(c.charCodeAt(0) & 0xff);
    }
    bytes = Uint8Array.from(out);
  }
  try {
    return new TextDecoder(label, { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * A field value with its RFC 2047 encoded words decoded. Whitespace between two adjacent encoded words is dropped
 * (§6.2). A word that does not decode (unknown charset, bad Base64, bytes invalid in its charset) stays as written,
 * and `invalid` says so.
 */
export function decodeEncodedWords(value: string): { text: string; invalid: boolean } {
  let invalid = false;
  const joined = value.replace(/(\?=)[ \t]+(?==\?)/g, '$1');
  const text = joined.replace(ENCODED_WORD, (word, charset: string, enc: string, body: string) => {
    const decoded = decodeWord(charset, enc, body);
    if (decoded === undefined) {
      invalid = true;
      return word;
    }
    return decoded;
  });
  return { text, invalid };
}
