/**
 * The bytes of a log export, streamed in 1 MiB reads (DESIGN §8: Node's default 64 KiB reads cost ~0.2 s more on a
 * 1 M-row trace) and handed on as UTF-8. Encodings as formats.md §2.4 lists them: UTF-8 with or without BOM (PowerShell
 * 7, `Export-Csv -Encoding UTF8`, ASCII from Windows PowerShell 5.1), UTF-16LE/BE with BOM (`Out-File`, `>`), and
 * UTF-16LE without BOM (EAC and historical-search downloads), found by the NUL-byte sniff of snapshot/decode.ts; and
 * Windows-1252 (`Export-Csv -Encoding Default`), when the first read is not UTF-8.
 */
import { stat, open } from 'node:fs/promises';
import { fileSystemError, InputError, notRegularFileError } from '../errors.js';
import { kindOf } from '../snapshot/read.js';
import { CP1252_HIGH, sniffUtf16 } from '../snapshot/decode.js';
import { isUtf8 } from 'node:buffer';
import { LITTLE_ENDIAN } from './byte-memo.js';
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
  // Windows PowerShell 5.1 `Export-Csv -Encoding Default` writes the ANSI code page: bytes that are not UTF-8 (up to
  // the last line break of the first read, so that a character cut by the read's end does not count), and no NUL.
  const lf = head.lastIndexOf(0x0a);
  let end = lf >= 0 ? lf + 1 : head.length;
  // No line break at all: the last (up to three) bytes of a multi-byte character may be cut off.
  for (let k = 0; lf < 0 && k < 3 && end > 0 && head[end - 1]! >= 0x80; k++) end--;
  const lines = head.subarray(0, end);
  if (!isUtf8(lines) && !lines.includes(0)) return { encoding: 'windows-1252', bom: 0 };
  return { encoding: 'utf-8', bom: 0 };
}

/** The UTF-8 of each Windows-1252 byte 0x80–0xFF (snapshot/decode.ts's table for 0x80–0x9F, Latin-1 above). */
const CP1252_UTF8: readonly Uint8Array[] = Array.from({ length: 128 }, (_, i) =>
  Buffer.from(i < 0x20 ? CP1252_HIGH.charAt(i) : String.fromCharCode(0x80 + i), 'utf8'),
);

/**
 * Windows-1252 chunks → UTF-8 chunks into one reused buffer (valid until the next chunk, like a read buffer): ASCII as
 * it is, each other byte as its character. One byte is one character, so a read's end cuts none.
 */
export function windows1252ToUtf8(): (chunk: Uint8Array) => Uint8Array {
  let out = Buffer.alloc(0);
  return (chunk) => {
    if (out.length < chunk.length * 3) out = Buffer.allocUnsafe(chunk.length * 3);
    let o = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b < 0x80) out[o++] = b;
      else {
        const u = CP1252_UTF8[b - 0x80]!;
        for (let k = 0; k < u.length; k++) out[o++] = u[k]!;
      }
    }
    return out.subarray(0, o);
  };
}

/**
 * UTF-16 chunks → UTF-8 chunks, as TextDecoder decodes them in stream mode (a first U+FEFF dropped, lone surrogates and
 * a last odd byte to U+FFFD). Transcoding (rather than tokenizing code units) keeps one tokenizer for every file.
 *
 * A JS loop over the read seen as a Uint16Array writes the UTF-8 into one reused buffer, valid until the next chunk
 * like the read buffer of a UTF-8 file: DESIGN §8, a fresh Buffer per read (buffer.transcode's, though fast) grew the
 * process past the RSS target, and Buffer#toString('utf16le') then writing the string as UTF-8 cost 0.8 s per million
 * trace rows, most of it making the two-byte string; this loop costs 0.12 s. ASCII, nearly all of a trace, is found
 * eight units (four 32-bit words) a turn and copied a run at a time by TypedArray#set (see encodeUnits).
 *
 * The view needs whole units at an even address: a read of a little-endian file is used in place, while a big-endian
 * read, a read at an odd address or one after a cut unit is copied into a scratch buffer first (the input is never
 * written) and swapped there if its order is not the machine's. An odd byte or a high surrogate cut by a read waits
 * for the next one.
 */
export function utf16ToUtf8(order: 'le' | 'be'): (chunk: Uint8Array, last: boolean) => Uint8Array {
  const swap = (order === 'le') !== LITTLE_ENDIAN;
  /** Bytes of a unit or a surrogate pair cut by the previous read (at most three). */
  let pending = new Uint8Array(0);
  /** Its own ArrayBuffer, so that its bytes start at an aligned address. */
  let scratch = new Uint8Array(0);
  let out = Buffer.alloc(0);
  let atStart = true;
  return (chunk, last) => {
    let data = chunk;
    if (pending.length > 0 || swap || (chunk.byteOffset & 1) !== 0) {
      const n = pending.length + chunk.length;
      if (scratch.length < n) scratch = new Uint8Array(Math.max(n, 2 * scratch.length));
      scratch.set(pending, 0);
      scratch.set(chunk, pending.length);
      data = scratch.subarray(0, n);
    }
    let units = data.length >> 1;
    const odd = (data.length & 1) === 1;
    const view = new Uint16Array(data.buffer, data.byteOffset, units);
    if (swap) Buffer.from(data.buffer, data.byteOffset, units << 1).swap16(); // scratch: ours
    // A high surrogate (D800–DBFF) last: its low half may be in the next read.
    if (!last && units > 0 && (view[units - 1]! & 0xfc00) === 0xd800) units--;
    if (!last) {
      // A copy: `data` may be the caller's read buffer, which it fills again once this call returns (Buffer#slice
      // would give a view of it).
      pending = new Uint8Array(data.subarray(units << 1));
      // Swapped in scratch: undo it, so that the carried bytes are in the file's order again.
      if (swap && pending.length >= 2) pending.subarray(0, 2).reverse();
    } else pending = new Uint8Array(0);
    if (out.length < units * 3 + 3) out = Buffer.allocUnsafe(units * 3 + 3);
    let i = 0;
    if (atStart && units > 0) {
      atStart = false;
      if (view[0] === 0xfeff) i = 1;
    }
    // The first unit at a 4-byte-aligned address, and the whole words from there up to `units`.
    const a = (data.byteOffset & 2) >> 1;
    const words =
      units > a + 1
        ? new Uint32Array(data.buffer, data.byteOffset + 2 * a, (units - a) >> 1)
        : new Uint32Array(0);
    let o = encodeUnits(view, words, a, i, units, out);
    // The end of the file inside a unit: one U+FFFD, as TextDecoder flushes it, for the odd byte and a high surrogate
    // before it together (that surrogate already wrote its own U+FFFD).
    if (last && odd && !(units > 0 && (view[units - 1]! & 0xfc00) === 0xd800)) {
      out[o++] = 0xef;
      out[o++] = 0xbf;
      out[o++] = 0xbd;
    }
    return out.subarray(0, o);
  };
}

/**
 * A const enum, so that these are literals in the compiled code: esbuild makes a module-level const of a file with
 * imports a `var`, which V8 reads from the module context and type-checks at every use, inside the loop too.
 */
const enum Utf16 {
  /** The high nine bits of both units of a 32-bit word: zero when both are ASCII. */
  NotAscii2 = 0xff80ff80,
  /** An ASCII run at least this long is copied by one native TypedArray#set (it narrows each unit to its low byte). */
  NativeRun = 64,
}

/**
 * Writes units `i` to `end` of `u` as UTF-8 into `out` (room for 3 bytes a unit), lone surrogates as U+FFFD (EF BF BD);
 * the number of bytes written. `words` is `u` as 32-bit words from unit `a` (0 or 1, its first 4-byte-aligned unit) up
 * to `end`: an ASCII run is found four words (eight units) a turn, then two, then one, and copied natively. A high
 * surrogate last is lone: the caller has held back one that may be paired.
 */
function encodeUnits(
  u: Uint16Array,
  words: Uint32Array,
  a: number,
  i: number,
  end: number,
  out: Uint8Array,
): number {
  let o = 0;
  const wend = words.length;
  while (i < end) {
    const c = u[i]!;
    if (c < 0x80) {
      // The run ends at the first word holding a unit of 0x80 or more (or at the end of the words): unit i is ASCII,
      // and so is the other unit of its word when i is its second.
      let w = (i + 1 - a) >> 1;
      while (
        w + 3 < wend &&
        ((words[w]! | words[w + 1]! | words[w + 2]! | words[w + 3]!) & Utf16.NotAscii2) === 0
      )
        w += 4;
      while (w + 1 < wend && ((words[w]! | words[w + 1]!) & Utf16.NotAscii2) === 0) w += 2;
      if (w < wend && (words[w]! & Utf16.NotAscii2) === 0) w++;
      const r = a + 2 * w;
      if (r - i >= Utf16.NativeRun) {
        out.set(u.subarray(i, r), o);
        o += r - i;
        i = r;
      } else if (r > i) {
        for (; i < r; i++) out[o++] = u[i]!;
      } else {
        out[o++] = c;
        i++;
      }
      continue;
    }
    i++;
    if (c < 0x800) {
      out[o] = 0xc0 | (c >> 6);
      out[o + 1] = 0x80 | (c & 0x3f);
      o += 2;
    } else if ((c & 0xf800) !== 0xd800) {
      out[o] = 0xe0 | (c >> 12);
      out[o + 1] = 0x80 | ((c >> 6) & 0x3f);
      out[o + 2] = 0x80 | (c & 0x3f);
      o += 3;
    } else {
      const d = i < end ? u[i]! : 0;
      if (c < 0xdc00 && (d & 0xfc00) === 0xdc00) {
        const p = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        out[o] = 0xf0 | (p >> 18);
        out[o + 1] = 0x80 | ((p >> 12) & 0x3f);
        out[o + 2] = 0x80 | ((p >> 6) & 0x3f);
        out[o + 3] = 0x80 | (p & 0x3f);
        o += 4;
        i++;
      } else {
        out[o] = 0xef;
        out[o + 1] = 0xbf;
        out[o + 2] = 0xbd;
        o += 3;
      }
    }
  }
  return o;
}

/** What the reader was given: the encoding found, and the bytes read. */
export interface StreamResult {
  encoding: LogEncoding;
  bytes: number;
}

/**
 * Reads `path` (a regular file only: a FIFO would block, a device grow without end) and calls `onChunk` with its text
 * as UTF-8, BOM removed; a chunk is the consumer's only during the call. Memory stays at two read buffers plus what
 * the consumer keeps: the next read is under way in the thread pool while the consumer works on a chunk, so the copy
 * out of the page cache (a tenth of a million-row trace's time) overlaps the work instead of preceding it.
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
  const buffers = [Buffer.allocUnsafe(READ_BYTES), Buffer.allocUnsafe(READ_BYTES)];
  // One read at a time, from where the previous one ended (position null); its failure is thrown where it is awaited.
  const readInto = (b: Buffer) =>
    fh.read(b, 0, b.length, null).then(
      (r) => r.bytesRead,
      (cause: unknown) => {
        throw fileSystemError('input', path, 'read the log export', cause);
      },
    );
  let pending: Promise<number> | undefined = readInto(buffers[0]!);
  try {
    let total = 0;
    let convert: ((chunk: Uint8Array, last: boolean) => Uint8Array) | undefined;
    let encoding: LogEncoding | undefined;
    for (let i = 0; ; i ^= 1) {
      const bytesRead: number = await pending!;
      pending = undefined;
      if (bytesRead === 0) break;
      pending = readInto(buffers[i ^ 1]!);
      let chunk: Uint8Array = buffers[i]!.subarray(0, bytesRead);
      if (encoding === undefined) {
        const found = detectEncoding(chunk);
        encoding = found.encoding;
        chunk = chunk.subarray(found.bom);
        if (encoding === 'utf-16le' || encoding === 'utf-16be')
          convert = utf16ToUtf8(encoding === 'utf-16le' ? 'le' : 'be');
        else if (encoding === 'windows-1252') convert = windows1252ToUtf8();
      }
      total += bytesRead;
      onChunk(convert ? convert(chunk, false) : chunk);
      onProgress?.(total, info.size);
    }
    if (convert) onChunk(convert(new Uint8Array(0), true));
    if (encoding === undefined) throw new InputError(`${path}: the file is empty`, path);
    return { encoding, bytes: total };
  } finally {
    // A read still under way when the consumer threw: let it end (its failure is not this one's) before closing.
    await pending?.catch(() => undefined);
    await fh.close();
  }
}
