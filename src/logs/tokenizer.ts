/**
 * A byte-level streaming CSV tokenizer (RFC 4180 as Export-Csv and the EAC write it: quoted fields with embedded line
 * breaks and doubled quotes, CRLF or LF). It works on UTF-8 bytes and records where each field starts and ends; a
 * field becomes a string only when asked for, copied out of the chunk (DESIGN §8: a substring of a big decoded chunk
 * kept as a map key would pin the whole chunk). papaparse is its test oracle (DESIGN §9), not its engine: it is 5×
 * slower on a message trace.
 *
 * Two paths: quotedRecord reads a record whose fields are all quoted (every record of Export-Csv, the bulk of a trace)
 * from quote to quote; record() reads any record byte by byte between quoted fields, and takes over from the start of
 * the record wherever the fast path meets anything else. Both find quotes four bytes at a time (wordQuote). A record
 * cut by the end of a chunk is carried, copied, into the next one.
 */
import { InputError } from '../errors.js';
import { doubled } from '../common/collections.js';
import { LITTLE_ENDIAN } from './byte-memo.js';

/**
 * The bytes the tokenizer looks for. Const enums, so that they are literals in the compiled code: esbuild makes a
 * module-level const of a file with imports a `var`, which V8 reads from the module context and type-checks at every
 * use, inside the hot loops too.
 */
const enum Byte {
  Quote = 0x22,
  Comma = 0x2c,
  LF = 0x0a,
  CR = 0x0d,
}

/** Far above a real message-trace record (a few hundred bytes; a subject is at most a few KB). */
export const MAX_RECORD_BYTES = 1 << 20;
/** Far above any layout mxlock reads (the extended report has 27 columns, EmailEvents about 50). */
export const MAX_FIELDS = 1024;

/** One record, valid only during the callback (the tokenizer reuses it). */
export interface CsvRecord {
  /** The record's number in the file, 1-based (the header is row 1, as a spreadsheet shows it). */
  readonly row: number;
  readonly count: number;
  /** Field `i` as a fresh string ('' past the last field). */
  field(i: number): string;
  /**
   * The bytes field `i` lies in, from `fieldStart(i)` to `fieldEnd(i)` (quotes excluded; empty past the last field): for readers
   * that look at a field without making a string of it. Valid only during the callback.
   */
  readonly bytes: Uint8Array;
  fieldStart(i: number): number;
  fieldEnd(i: number): number;
  /** Whether field `i` holds a doubled quote, so that its bytes are not its value. */
  escaped(i: number): boolean;
}

export interface CsvTokenizer {
  push(chunk: Uint8Array): void;
  /** The last record (without a final line break) and the check that no quoted field is left open. */
  end(): void;
}

export interface TokenizerOptions {
  maxRecordBytes?: number;
}

/** The word-at-a-time search (see wordQuote), a const enum for the reason Byte is one. */
const enum Swar {
  /** Four quote bytes. */
  Quotes = 0x22222222,
  Ones = 0x01010101,
  /** The high bit of each byte. */
  Highs = 0x80808080,
}

/** Field spans (see Tokenizer.spans), a const enum for the reason Byte is one. */
const enum Span {
  /** The sign bit of a field's end: the field holds a doubled quote, so that its bytes are not its value. */
  Escaped = -0x80000000,
  /** The end itself. */
  End = 0x7fffffff,
}

/** quotedRecord's answer when the record is for record() to read (a const enum for the reason Byte is one). */
const enum Answer {
  General = -2,
}

class Tokenizer implements CsvTokenizer, CsvRecord {
  row = 0;
  count = 0;
  private buf: Buffer = Buffer.alloc(0);
  /** `buf` seen as 32-bit words from its first 4-byte-aligned byte, `align` (see wordQuote). */
  private words: Uint32Array = new Uint32Array(0);
  private align = 0;
  /**
   * Field i's start at 2i and its end at 2i + 1, the end's sign bit set (Span.Escaped) when the field holds a doubled
   * quote: one array for all three, so that the fast path makes two stores per field into an array it checks once.
   */
  private spans = new Int32Array(128);
  /** Bytes of an incomplete record carried into the next chunk. */
  private carry: Buffer | undefined;
  private readonly maxRecordBytes: number;

  constructor(
    private readonly file: string,
    private readonly onRecord: (record: CsvRecord) => void,
    options: TokenizerOptions,
  ) {
    this.maxRecordBytes = options.maxRecordBytes ?? MAX_RECORD_BYTES;
  }

  field(i: number): string {
    if (i >= this.count) return '';
    const end = this.spans[2 * i + 1]!;
    const s = this.buf.toString('utf8', this.spans[2 * i], end & Span.End);
    return end < 0 ? s.replaceAll('""', '"') : s;
  }

  get bytes(): Uint8Array {
    return this.buf;
  }

  fieldStart(i: number): number {
    return i < this.count ? this.spans[2 * i]! : 0;
  }

  fieldEnd(i: number): number {
    return i < this.count ? this.spans[2 * i + 1]! & Span.End : 0;
  }

  escaped(i: number): boolean {
    return i < this.count && this.spans[2 * i + 1]! < 0;
  }

  /** Makes `b` the buffer records are read from. */
  private use(b: Buffer): void {
    this.buf = b;
    const align = (4 - (b.byteOffset & 3)) & 3;
    this.align = align;
    this.words =
      b.length - align >= 4
        ? new Uint32Array(b.buffer, b.byteOffset + align, (b.length - align) >> 2)
        : new Uint32Array(0);
  }

  /**
   * The first quote at or after `q` in `words`, the buffer's whole words from its first 4-byte-aligned byte `a` (`q` at
   * or after `a`; this.words and this.align, passed by the caller so that the fast path reads them once a record), or
   * -1 when there is none before their end: a word at a time, with the SWAR test for a zero byte in
   * `word ^ Swar.Quotes`, whose lowest flagged byte is exact (a borrow only runs upwards), so its place in the word is
   * the quote's. The bytes of the first word before `q` are masked out (on little-endian machines, the byte at the lowest
   * address is a word's low byte; 0xff after the XOR is no quote). A message trace is mostly quoted text: this is where
   * the tokenizer spends its time.
   */
  private wordQuote(q: number, words: Uint32Array, a: number): number {
    const wend = words.length;
    let w = (q - a) >> 2;
    if (w >= wend) return -1;
    let x = (words[w]! ^ Swar.Quotes) | ((1 << (((q - a) & 3) << 3)) - 1);
    let m = (x - Swar.Ones) & ~x & Swar.Highs;
    // The next three words without a loop: most fields end within 16 bytes, and each turn of the loop costs about as
    // much again as its test (V8 checks the stack and the array's map and bounds at every turn). Three nested, and no
    // more: wordQuote (about 360 bytes of bytecode) must stay under V8's inlining limit (460), or quotedRecord pays a
    // call per field and is slower than without any of this.
    if (m === 0 && w + 3 < wend) {
      x = words[++w]! ^ Swar.Quotes;
      m = (x - Swar.Ones) & ~x & Swar.Highs;
      if (m === 0) {
        x = words[++w]! ^ Swar.Quotes;
        m = (x - Swar.Ones) & ~x & Swar.Highs;
        if (m === 0) {
          x = words[++w]! ^ Swar.Quotes;
          m = (x - Swar.Ones) & ~x & Swar.Highs;
        }
      }
    }
    while (m === 0) {
      if (++w === wend) return -1;
      x = words[w]! ^ Swar.Quotes;
      m = (x - Swar.Ones) & ~x & Swar.Highs;
    }
    return a + (w << 2) + ((31 - Math.clz32(m & -m)) >> 3);
  }

  /** The first quote at or after `q` in `b` (`n` when none): wordQuote, and one byte at a time outside the words. */
  private findQuote(b: Buffer, q: number, n: number): number {
    const a = this.align;
    if (LITTLE_ENDIAN && q >= a) {
      const found = this.wordQuote(q, this.words, a);
      if (found >= 0) return found;
      q = Math.max(q, a + (this.words.length << 2));
    }
    while (q < n && b[q] !== Byte.Quote) q++;
    return q;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let from = 0;
    // Finish the carried record with as few bytes of the chunk as it needs (up to a line break, then the next one if
    // the break was inside a quoted field): the rest of the chunk is tokenized in place, never copied. Those bytes may
    // hold more than one record (after a CR alone), and may leave a record to carry again.
    while (this.carry) {
      const end = nextBreak(bytes, from);
      if (end < 0) {
        this.carry = Buffer.concat([this.carry, bytes.subarray(from)]);
        this.checkCarry();
        return;
      }
      const taken = end + 1 - from;
      const joined = Buffer.concat([this.carry, bytes.subarray(from, end + 1)]);
      this.carry = undefined;
      this.use(joined);
      this.run(false, 0);
      from = end + 1;
      // The record carried again may start in the bytes just taken from the chunk (one ending in a CR alone waits for
      // the next byte, to tell it from a CRLF): read it and the rest in place, not joined record by record.
      const again = this.carriedBytes();
      if (again >= 0 && again <= taken) {
        this.carry = undefined;
        from -= again;
        break;
      }
    }
    this.use(bytes);
    this.run(false, from);
  }

  /** How many bytes run() left to carry, -1 when none (a method: the caller's view of `carry` predates the run). */
  private carriedBytes(): number {
    return this.carry?.length ?? -1;
  }

  private checkCarry(length = this.carry?.length ?? 0): void {
    if (length > this.maxRecordBytes)
      this.fail(
        this.row + 1,
        `a record longer than ${this.maxRecordBytes} bytes (a quoted field not closed?)`,
      );
  }

  end(): void {
    if (!this.carry) return;
    this.use(this.carry);
    this.carry = undefined;
    this.run(true, 0);
  }

  private fail(row: number, what: string): never {
    throw new InputError(`${this.file}: row ${row}: ${what}`, this.file);
  }

  private run(final: boolean, from: number): void {
    const b = this.buf;
    const n = b.length;
    let p = from;
    while (p < n) {
      // A record opening with a quote is most likely one of Export-Csv's, all fields quoted: the fast path first.
      let next = b[p] === Byte.Quote ? this.quotedRecord(b, p, n) : Answer.General;
      if (next === Answer.General) next = this.record(b, p, n, final);
      if (next < 0) {
        if (n - p > this.maxRecordBytes)
          this.fail(
            this.row + 1,
            `a record longer than ${this.maxRecordBytes} bytes (a quoted field not closed?)`,
          );
        // The record goes on in the next chunk: keep its bytes (a copy, so the chunk itself can be released).
        this.carry = Buffer.from(b.subarray(p));
        return;
      }
      this.row++;
      this.onRecord(this);
      p = next;
    }
  }

  /** Field `k` from `s` to `e`, `esc` Span.Escaped when it holds a doubled quote (else 0); spans grows as needed. */
  private addField(k: number, s: number, e: number, esc: number): void {
    if (2 * k >= this.spans.length) {
      if (k >= MAX_FIELDS) this.fail(this.row + 1, `more than ${MAX_FIELDS} fields`);
      this.spans = doubled(this.spans);
    }
    this.spans[2 * k] = s;
    this.spans[2 * k + 1] = e | esc;
  }

  /**
   * The fast path, for a record whose every field is quoted and followed by `,"` or a line break, as Export-Csv writes
   * them: from each opening quote, wordQuote finds the next quote; a doubled one is skipped, `,"` after it starts the
   * next field, CRLF or LF ends the record. The offset after the record, or Answer.General for record() to read it from
   * its start: a field not quoted, text after a closing quote (record() reports it), more fields than spans holds
   * (addField grows it), a bare CR, the record or the bytes after a quote not whole in the words of this buffer.
   * No call, no byte-class test and no growth check per field: on a 1 M-row trace the tokenizer takes 0.24 CPU-s with
   * it, 0.32 s with record() alone (reads included).
   */
  private quotedRecord(b: Buffer, start: number, n: number): number {
    if (!LITTLE_ENDIAN || start < this.align) return Answer.General;
    const spans = this.spans;
    const max = spans.length;
    const words = this.words;
    const a = this.align;
    let j = 0;
    let s = start + 1;
    let q = s;
    let esc = 0;
    for (;;) {
      q = this.wordQuote(q, words, a);
      if (q < 0) return Answer.General;
      // The quote, the byte after it and the one after that must be in the buffer.
      if (q + 2 >= n) return Answer.General;
      const c = b[q + 1];
      if (c === Byte.Quote) {
        esc = Span.Escaped;
        q += 2;
        continue;
      }
      if (j === max) return Answer.General;
      spans[j] = s;
      spans[j + 1] = q | esc;
      j += 2;
      if (c === Byte.Comma) {
        if (b[q + 2] !== Byte.Quote) return Answer.General;
        s = q + 3;
        q = s;
        esc = 0;
        continue;
      }
      const next = c === Byte.LF ? q + 2 : c === Byte.CR && b[q + 2] === Byte.LF ? q + 3 : Answer.General;
      if (next !== Answer.General) this.count = j >> 1;
      return next;
    }
  }

  /** Tokenizes the record at `p`; the offset after it, or -1 when it does not end in this buffer (yet). */
  private record(b: Buffer, start: number, n: number, final: boolean): number {
    let p = start;
    let k = 0;
    for (;;) {
      let c = p < n ? b[p]! : -1;
      if (c === Byte.Quote) {
        const s = p + 1;
        let q = s;
        let esc = 0;
        for (;;) {
          // Not Buffer#indexOf: fields are short, and each native call costs more than the bytes it skips.
          q = this.findQuote(b, q, n);
          if (q >= n) {
            if (final) this.fail(this.row + 1, 'a quoted field is not closed before the end of the file');
            return -1;
          }
          if (q + 1 >= n && !final) return -1; // a doubled quote may straddle the chunks
          if (b[q + 1] === Byte.Quote) {
            esc = Span.Escaped;
            q += 2;
            continue;
          }
          break;
        }
        this.addField(k++, s, q, esc);
        p = q + 1;
        c = p < n ? b[p]! : -1;
        if (c !== Byte.Comma && c !== Byte.LF && c !== Byte.CR && c !== -1)
          this.fail(
            this.row + 1,
            `field ${k}: text after the closing quote (a quote inside a quoted field must be doubled)`,
          );
      } else {
        const s = p;
        while (c !== Byte.Comma && c !== Byte.LF && c !== Byte.CR && c !== -1) c = ++p < n ? b[p]! : -1;
        this.addField(k++, s, p, 0);
      }
      if (c === Byte.Comma) {
        p++;
        if (p >= n && !final) return -1;
        continue;
      }
      if (c === -1) {
        if (!final) return -1;
        this.count = k;
        return n;
      }
      if (c === Byte.CR) {
        if (p + 1 >= n && !final) return -1; // CRLF split across two reads
        this.count = k;
        return b[p + 1] === Byte.LF ? p + 2 : p + 1;
      }
      this.count = k;
      return p + 1;
    }
  }
}

/** A tokenizer calling `onRecord` for each record of the UTF-8 bytes pushed into it; errors name `file` and the row. */
export function tokenizeCsv(
  file: string,
  onRecord: (record: CsvRecord) => void,
  options: TokenizerOptions = {},
): CsvTokenizer {
  return new Tokenizer(file, onRecord, options);
}

/**
 * Where the next line break in `b` from `from` ends (the LF of a CRLF, a LF, or a CR alone), -1 when there is none.
 * A file whose lines end in a CR alone has no LF at all: looking for LFs only, a record carried from one read to the
 * next would swallow the rest of the file and fail as longer than MAX_RECORD_BYTES.
 */
function nextBreak(b: Buffer, from: number): number {
  const lf = b.indexOf(Byte.LF, from);
  // A CR alone before the LF (a CR right before it is the CRLF's), looked for only up to there: a search of the whole
  // read for a CR would cost an LF-only file a pass over each read.
  const end = lf < 0 ? b.length : lf - 1;
  for (let i = from; i < end; i++) if (b[i] === Byte.CR) return i;
  return lf;
}
