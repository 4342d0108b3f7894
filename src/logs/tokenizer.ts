/**
 * A byte-level streaming CSV tokenizer (RFC 4180 as Export-Csv and the EAC write it: quoted fields with embedded line
 * breaks and doubled quotes, CRLF or LF). It works on UTF-8 bytes and records where each field starts and ends; a
 * field becomes a string only when asked for, copied out of the chunk (DESIGN §8: a substring of a big decoded chunk
 * kept as a map key would pin the whole chunk). papaparse is its test oracle (DESIGN §9), not its engine: it is 5×
 * slower on a message trace.
 */
import { InputError } from '../errors.js';

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

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

/** Four quote bytes, for the word-at-a-time search. */
const QUOTES = 0x22222222;
/** Whether a Uint32Array word holds its lowest-addressed byte in its low bits (findQuote reads places from them). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

class Tokenizer implements CsvTokenizer, CsvRecord {
  row = 0;
  count = 0;
  private buf: Buffer = Buffer.alloc(0);
  /** `buf` seen as 32-bit words from its first 4-byte-aligned byte, `align` (see findQuote). */
  private words: Uint32Array = new Uint32Array(0);
  private align = 0;
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  /** 1 when the field holds a doubled quote to undo. */
  private escapes = new Uint8Array(64);
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
    const s = this.buf.toString('utf8', this.starts[i], this.ends[i]);
    return this.escapes[i] === 1 ? s.replaceAll('""', '"') : s;
  }

  get bytes(): Uint8Array {
    return this.buf;
  }

  fieldStart(i: number): number {
    return i < this.count ? this.starts[i]! : 0;
  }

  fieldEnd(i: number): number {
    return i < this.count ? this.ends[i]! : 0;
  }

  escaped(i: number): boolean {
    return i < this.count && this.escapes[i] === 1;
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
   * The first quote at or after `q` in `b` (its length `n` when none): a word at a time, with the SWAR test for a zero
   * byte in `word ^ QUOTES`, whose lowest flagged byte is exact (a borrow only runs upwards), so its place in the word
   * is the quote's. The bytes of the first word before `q` are masked out; bytes outside the whole words are looked at
   * one by one. A message trace is mostly quoted text: this is where the tokenizer spends its time.
   */
  private findQuote(b: Buffer, q: number, n: number): number {
    const a = this.align;
    const words = this.words;
    if (LITTLE_ENDIAN && q >= a) {
      let w = (q - a) >> 2;
      const end = words.length;
      if (w < end) {
        // Little-endian: the byte at the lowest address is the word's low byte; 0xff after the XOR is no quote.
        let x = (words[w]! ^ QUOTES) | ((1 << (((q - a) & 3) << 3)) - 1);
        for (;;) {
          const m = (x - 0x01010101) & ~x & 0x80808080;
          if (m !== 0) return a + (w << 2) + ((31 - Math.clz32(m & -m)) >> 3);
          if (++w === end) break;
          x = words[w]! ^ QUOTES;
        }
        q = a + (w << 2);
      }
    }
    while (q < n && b[q] !== QUOTE) q++;
    return q;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let from = 0;
    if (this.carry) {
      // Finish the carried record with as few bytes of the chunk as it needs (up to a line break, then the next one if
      // the break was inside a quoted field): the rest of the chunk is tokenized in place, never copied.
      const carry = this.carry;
      for (let k = 0; ;) {
        const lf = bytes.indexOf(LF, k);
        if (lf < 0) {
          this.carry = Buffer.concat([carry, bytes]);
          this.checkCarry();
          return;
        }
        k = lf + 1;
        const joined = Buffer.concat([carry, bytes.subarray(0, k)]);
        this.use(joined);
        const end = this.record(joined, 0, joined.length, false);
        if (end < 0) {
          if (joined.length > this.maxRecordBytes) this.checkCarry(joined.length);
          continue;
        }
        this.carry = undefined;
        this.row++;
        this.onRecord(this);
        from = end - carry.length;
        break;
      }
    }
    this.use(bytes);
    this.run(false, from);
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
      const next = this.record(b, p, n, final);
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

  private addField(k: number, s: number, e: number, esc: number): void {
    if (k >= this.starts.length) {
      if (k >= MAX_FIELDS) this.fail(this.row + 1, `more than ${MAX_FIELDS} fields`);
      const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const out = make(a.length * 2);
        out.set(a);
        return out;
      };
      this.starts = grow(this.starts, (m) => new Int32Array(m));
      this.ends = grow(this.ends, (m) => new Int32Array(m));
      this.escapes = grow(this.escapes, (m) => new Uint8Array(m));
    }
    this.starts[k] = s;
    this.ends[k] = e;
    this.escapes[k] = esc;
  }

  /** Tokenizes the record at `p`; the offset after it, or -1 when it does not end in this buffer (yet). */
  private record(b: Buffer, start: number, n: number, final: boolean): number {
    let p = start;
    let k = 0;
    for (;;) {
      let c = p < n ? b[p]! : -1;
      if (c === QUOTE) {
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
          if (b[q + 1] === QUOTE) {
            esc = 1;
            q += 2;
            continue;
          }
          break;
        }
        this.addField(k++, s, q, esc);
        p = q + 1;
        c = p < n ? b[p]! : -1;
        if (c !== COMMA && c !== LF && c !== CR && c !== -1)
          this.fail(
            this.row + 1,
            `field ${k}: text after the closing quote (a quote inside a quoted field must be doubled)`,
          );
      } else {
        const s = p;
        while (c !== COMMA && c !== LF && c !== CR && c !== -1) c = ++p < n ? b[p]! : -1;
        this.addField(k++, s, p, 0);
      }
      if (c === COMMA) {
        p++;
        if (p >= n && !final) return -1;
        continue;
      }
      if (c === -1) {
        if (!final) return -1;
        this.count = k;
        return n;
      }
      if (c === CR) {
        if (p + 1 >= n && !final) return -1; // CRLF split across two reads
        this.count = k;
        return b[p + 1] === LF ? p + 2 : p + 1;
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
