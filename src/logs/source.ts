/**
 * The bytes of a log export, streamed in 1 MiB reads (DESIGN §8: Node's default 64 KiB reads cost ~0.2 s more on a
 * 1 M-row trace) and handed on as UTF-8. Encodings as formats.md §2.4 lists them: UTF-8 with or without BOM (PowerShell
 * 7, `Export-Csv -Encoding UTF8`, ASCII from Windows PowerShell 5.1), UTF-16LE/BE with BOM (`Out-File`, `>`), and
 * UTF-16LE without BOM (EAC and historical-search downloads), found by the NUL-byte sniff of snapshot/decode.ts.
 */
import { readSync } from 'node:fs';
import { stat, open } from 'node:fs/promises';
import { fileSystemError, InputError, notRegularFileError } from '../errors.js';
import { kindOf } from '../snapshot/read.js';
import { sniffUtf16 } from '../snapshot/decode.js';
import type { LogEncoding } from './layouts.js';

export const READ_BYTES = 1 << 20;

/** The encoding of a file from its first bytes, and how many bytes of BOM to skip. */
export function detectEncoding(head: Uint8Array): { encoding: LogEncoding; bom: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8-bom', bom: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bom: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bom: 2 };
  const sniffed = sniffUtf16(head);
  if (sniffed === 'le') return { encoding: 'utf-16le', bom: 0 };
  if (sniffed === 'be') return { encoding: 'utf-16be', bom: 0 };
  return { encoding: 'utf-8', bom: 0 };
}

/**
 * UTF-16 chunks → UTF-8 chunks. Transcoding (rather than tokenizing code units) keeps one tokenizer for every file. A
 * code unit at a time into one reused buffer, as TextDecoder('utf-16le'/'utf-16be') in stream mode decodes (a lone
 * surrogate or a last odd byte becomes U+FFFD, a first U+FEFF is dropped), without its string and re-encoding per
 * read: half the cost of a UTF-16 trace went there, and its garbage grew the heap (DESIGN §8).
 */
export function utf16ToUtf8(order: 'le' | 'be'): (chunk: Uint8Array, last: boolean) => Uint8Array {
  const hi = order === 'le' ? 1 : 0;
  const lo = 1 - hi;
  let out = new Uint8Array(0);
  /** A byte of a code unit cut by the read, or -1. */
  let oddByte = -1;
  /** A high surrogate waiting for its low half, or -1. */
  let pending = -1;
  let first = true;
  return (chunk, last) => {
    // At most 3 bytes per code unit (a pair: 4 bytes for 2 units), plus what was pending.
    const need = Math.ceil((chunk.length + 1) / 2) * 3 + 6;
    if (out.length < need) out = new Uint8Array(need);
    const o = out;
    let n = 0;
    const put = (c: number) => {
      if (c < 0x80) o[n++] = c;
      else if (c < 0x800) {
        o[n++] = 0xc0 | (c >> 6);
        o[n++] = 0x80 | (c & 0x3f);
      } else if (c < 0x10000) {
        o[n++] = 0xe0 | (c >> 12);
        o[n++] = 0x80 | ((c >> 6) & 0x3f);
        o[n++] = 0x80 | (c & 0x3f);
      } else {
        o[n++] = 0xf0 | (c >> 18);
        o[n++] = 0x80 | ((c >> 12) & 0x3f);
        o[n++] = 0x80 | ((c >> 6) & 0x3f);
        o[n++] = 0x80 | (c & 0x3f);
      }
    };
    const unit = (u: number) => {
      if (first) {
        first = false;
        if (u === 0xfeff) return;
      }
      if (pending >= 0) {
        if (u >= 0xdc00 && u <= 0xdfff) {
          put(0x10000 + ((pending - 0xd800) << 10) + (u - 0xdc00));
          pending = -1;
          return;
        }
        put(0xfffd);
        pending = -1;
      }
      if (u >= 0xd800 && u <= 0xdbff) pending = u;
      else if (u >= 0xdc00 && u <= 0xdfff) put(0xfffd);
      else put(u);
    };
    let i = 0;
    if (oddByte >= 0 && chunk.length > 0) {
      const pair = [oddByte, chunk[0]!];
      unit((pair[hi]! << 8) | pair[lo]!);
      oddByte = -1;
      i = 1;
    }
    const end = i + ((chunk.length - i) & ~1);
    for (; i < end; i += 2) {
      const u = (chunk[i + hi]! << 8) | chunk[i + lo]!;
      // ASCII, the bulk of a trace, without the calls.
      if (u < 0x80 && pending < 0 && !first) o[n++] = u;
      else unit(u);
    }
    if (i < chunk.length) oddByte = chunk[i]!;
    if (last) {
      if (pending >= 0) put(0xfffd);
      if (oddByte >= 0) put(0xfffd);
      pending = -1;
      oddByte = -1;
    }
    return o.subarray(0, n);
  };
}

/** What the reader was given: the encoding found, and the bytes read. */
export interface StreamResult {
  encoding: LogEncoding;
  bytes: number;
}

/**
 * Reads `path` (a regular file only: a FIFO would block, a device grow without end) and calls `onChunk` with its text
 * as UTF-8, BOM removed. Memory stays at one read buffer plus what the consumer keeps.
 */
export async function streamUtf8(
  path: string,
  onChunk: (utf8: Uint8Array) => void,
  onProgress?: (bytesRead: number, size: number) => void,
): Promise<StreamResult> {
  const info = await stat(path).catch((cause: unknown) => {
    throw fileSystemError('input', path, 'read the log export', cause);
  });
  if (!info.isFile()) throw notRegularFileError('input', path, 'read the log export', kindOf(info));
  const fh = await open(path, 'r').catch((cause: unknown) => {
    throw fileSystemError('input', path, 'read the log export', cause);
  });
  try {
    const buf = Buffer.allocUnsafe(READ_BYTES);
    let total = 0;
    let convert: ((chunk: Uint8Array, last: boolean) => Uint8Array) | undefined;
    let encoding: LogEncoding | undefined;
    for (;;) {
      // A synchronous read: the CLI does nothing else meanwhile, and each asynchronous 1 MiB read waits for a
      // thread-pool hop (on a loaded machine about as long as tokenizing the chunk).
      let bytesRead: number;
      try {
        bytesRead = readSync(fh.fd, buf, 0, buf.length, null);
      } catch (cause) {
        throw fileSystemError('input', path, 'read the log export', cause);
      }
      if (bytesRead === 0) break;
      let chunk: Uint8Array = buf.subarray(0, bytesRead);
      if (encoding === undefined) {
        const found = detectEncoding(chunk);
        encoding = found.encoding;
        chunk = chunk.subarray(found.bom);
        if (encoding === 'utf-16le' || encoding === 'utf-16be')
          convert = utf16ToUtf8(encoding === 'utf-16le' ? 'le' : 'be');
      }
      total += bytesRead;
      onChunk(convert ? convert(chunk, false) : chunk);
      onProgress?.(total, info.size);
    }
    if (convert) onChunk(convert(new Uint8Array(0), true));
    if (encoding === undefined) throw new InputError(`${path}: the file is empty`, path);
    return { encoding, bytes: total };
  } finally {
    await fh.close();
  }
}
