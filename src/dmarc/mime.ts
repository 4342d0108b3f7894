/**
 * The parts of a report email (formats.md §4.2): a MIME tree (RFC 2045/2046) walked to its leaves, each leaf's
 * Content-Transfer-Encoding undone (base64, quoted-printable, 7bit/8bit/binary); an attached message (message/rfc822:
 * a forwarded report) is walked into as a multipart is. Header fields are read by the project's one header parser
 * (headers/parse.ts). The message text is Latin-1 decoded bytes, so an 8bit part keeps its bytes. Bounded: MIME depth
 * (attached messages included) and leaves per message. Pure.
 */
import { parseHeaderLines, firstField } from '../headers/parse.js';

/** Multipart nesting read; reports sit one or two levels down (mixed → alternative/related). */
export const MAX_MIME_DEPTH = 8;
/** Leaves read from one message. */
export const MAX_PARTS = 100;

export interface MimeLeaf {
  /** Where it is, for messages: `part 2` or `part 1.3`, with its file name or type (untrusted: escape it). */
  label: string;
  contentType: string;
  bytes: Uint8Array;
}

/** A header parameter (`boundary="x"`, `name=y.xml.gz`), quoted or not (RFC 2045 §5.1). */
function param(value: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|;)\\s*${name}\\*?\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** Quoted-printable (RFC 2045 §6.7) to bytes; the text is Latin-1, one byte per character. */
function decodeQuotedPrintable(body: string): Uint8Array {
  const text = body.replace(/=\r?\n/g, '');
  const out = new Uint8Array(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3d && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out[n++] = parseInt(text.slice(i + 1, i + 3), 16);
      i += 2;
    } else out[n++] = c & 0xff;
  }
  return out.subarray(0, n);
}

function decodeBody(body: string, encoding: string): Uint8Array {
  if (encoding === 'base64') return Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return Buffer.from(body, 'latin1');
}

/** Splits a message (lines) into its header fields and body text. */
function split(lines: readonly string[]): { head: ReturnType<typeof parseHeaderLines>; body: string[] } {
  const blank = lines.indexOf('');
  const head = parseHeaderLines(blank < 0 ? lines : lines.slice(0, blank));
  return { head, body: blank < 0 ? [] : lines.slice(blank + 1) };
}

/**
 * The leaves of one message. `notes` gets what was cut (parts past MAX_PARTS, nesting past MAX_MIME_DEPTH, a
 * multipart without its boundary).
 */
export function mimeLeaves(lines: readonly string[], notes: string[]): MimeLeaf[] {
  const leaves: MimeLeaf[] = [];
  let cut = false;
  const walk = (part: readonly string[], path: string, depth: number): void => {
    const { head, body } = split(part);
    const type = firstField(head, 'content-type')?.value ?? 'text/plain';
    const mediaType = type.split(';')[0]!.trim().toLowerCase();
    if (mediaType.startsWith('multipart/')) {
      const boundary = param(type, 'boundary');
      if (!boundary) {
        notes.push(`${path || 'the message'}: ${mediaType} without a boundary: not read`);
        return;
      }
      if (depth >= MAX_MIME_DEPTH) {
        notes.push(`${path}: MIME parts nested more than ${MAX_MIME_DEPTH} deep were not read`);
        return;
      }
      const delimiter = `--${boundary}`;
      let current: string[] | undefined;
      let n = 0;
      for (const line of body) {
        // RFC 2046 §5.1.1: a delimiter line may carry trailing white space; `--` after it closes the multipart.
        const trimmed = line.trimEnd();
        if (trimmed === delimiter || trimmed === `${delimiter}--`) {
          if (current) walk(current, path ? `${path}.${n}` : `${n}`, depth + 1);
          if (trimmed !== delimiter) {
            current = undefined;
            break;
          }
          current = [];
          n++;
          continue;
        }
        current?.push(line);
      }
      // An unterminated last part (a truncated message) is still read.
      if (current) walk(current, path ? `${path}.${n}` : `${n}`, depth + 1);
      return;
    }
    if (mediaType === 'message/rfc822' || mediaType === 'message/global') {
      // A report forwarded as an attachment (RFC 2046 §5.2.1; RFC 6532 §3.7): its own header and MIME tree, read as a
      // nested multipart is, under the same depth and part limits.
      if (depth >= MAX_MIME_DEPTH) {
        notes.push(
          `${path || 'the message'}: MIME parts nested more than ${MAX_MIME_DEPTH} deep were not read`,
        );
        return;
      }
      const encoding = (firstField(head, 'content-transfer-encoding')?.value ?? '7bit').trim().toLowerCase();
      const inner =
        encoding === 'base64' || encoding === 'quoted-printable'
          ? Buffer.from(decodeBody(body.join('\n'), encoding))
              .toString('latin1')
              .split(/\r?\n/)
          : body;
      walk(inner, path, depth + 1);
      return;
    }
    if (leaves.length >= MAX_PARTS) {
      cut = true;
      return;
    }
    const disposition = firstField(head, 'content-disposition')?.value ?? '';
    const name = param(disposition, 'filename') ?? param(type, 'name');
    const encoding = (firstField(head, 'content-transfer-encoding')?.value ?? '7bit').trim().toLowerCase();
    const where = path ? `part ${path}` : 'the body';
    leaves.push({
      label: name ? `${where} (${name})` : `${where} (${mediaType})`,
      contentType: mediaType,
      bytes: decodeBody(body.join('\n'), encoding),
    });
  };
  walk(lines, '', 0);
  if (cut) notes.push(`only the first ${MAX_PARTS} MIME parts were read`);
  return leaves;
}
