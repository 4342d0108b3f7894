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
 * UTF-16 chunks → UTF-8 chunks, as TextDecoder decodes them in stream mode (a first U+FEFF dropped, lone surrogates and
 * a last odd byte to U+FFFD). Transcoding (rather than tokenizing code units) keeps one tokenizer for every file. The
 * whole units of a read become a string by Buffer#toString (a third faster than TextDecoder) whose UTF-8 (lone
 * surrogates to U+FFFD) is written into one reused buffer (DESIGN §8: a fresh Buffer per read — buffer.transcode's,
 * though 4× faster — grew the process past the RSS target); like the read buffer of a UTF-8 file, it is valid until the
 * next chunk. An odd byte or a high surrogate cut by a read waits for the next one. A big-endian read is swapped in a
 * scratch buffer first (the input is never written).
 */
export function utf16ToUtf8(order: 'le' | 'be'): (chunk: Uint8Array, last: boolean) => Uint8Array {
  /** Bytes of a unit or a surrogate pair cut by the previous read (at most three). */
  let pending = Buffer.alloc(0);
  let scratch = Buffer.alloc(0);
  let out = Buffer.alloc(0);
  let atStart = true;
  return (chunk, last) => {
    const input = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let data = input;
    if (pending.length > 0 || order === 'be') {
      const n = pending.length + input.length;
      if (scratch.length < n) scratch = Buffer.allocUnsafe(Math.max(n, 2 * scratch.length));
      pending.copy(scratch, 0);
      input.copy(scratch, pending.length);
      data = scratch.subarray(0, n);
    }
    let end = data.length & ~1;
    // A high surrogate (D800–DBFF) last: its low half may be in the next read.
    const hi = order === 'le' ? end - 1 : end - 2;
    if (!last && end >= 2 && (data[hi]! & 0xfc) === 0xd8) end -= 2;
    pending = Buffer.from(data.subarray(end));
    const body = data.subarray(0, end);
    if (order === 'be') body.swap16(); // scratch: ours
    let text = body.toString('utf16le');
    if (atStart && text.length > 0) {
      atStart = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // The end of the file inside a unit: one U+FFFD, as TextDecoder flushes it, for the odd byte and a high surrogate
    // before it together (a lone high surrogate elsewhere is one when written as UTF-8).
    if (last && pending.length > 0) {
      const c = text.charCodeAt(text.length - 1);
      if (c >= 0xd800 && c <= 0xdbff) text = text.slice(0, -1);
      text += '\ufffd';
      pending = Buffer.alloc(0);
    }
    if (out.length < text.length * 3) out = Buffer.allocUnsafe(text.length * 3);
    return out.subarray(0, out.write(text, 'utf8'));
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
