/**
 * utf16ToUtf8 against TextDecoder (the reference it must equal byte for byte): inputs built to reach every branch of
 * the hand loop (ASCII runs either side of the native-copy length, a non-ASCII unit in either half of a 32-bit word,
 * 2-, 3- and 4-byte sequences, lone and reversed surrogates, U+FEFF first and later, a last odd byte), cut at every
 * byte, fed in fixed-size reads, and placed at every address modulo 4 (the Uint16Array and Uint32Array views).
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { READ_BYTES, streamUtf8, utf16ToUtf8 } from '../../src/logs/source.js';
import { rng } from '../support/generated-zones.js';

type Order = 'le' | 'be';

/** toEqual's diff only when they differ: it is slow on thousands of buffers. */
function same(got: Uint8Array, expected: Uint8Array): void {
  if (!Buffer.from(got.buffer, got.byteOffset, got.length).equals(expected)) expect(got).toEqual(expected);
}

function encode(units: number[], order: Order, oddByte: boolean): Uint8Array {
  const bytes = Buffer.alloc(units.length * 2 + (oddByte ? 1 : 0), 0x41);
  units.forEach((u, i) => (order === 'le' ? bytes.writeUInt16LE(u, 2 * i) : bytes.writeUInt16BE(u, 2 * i)));
  return bytes;
}

/** What TextDecoder makes of the whole input, as UTF-8 (its stream mode gives the same whatever the cuts). */
function reference(bytes: Uint8Array, order: Order): Buffer {
  return Buffer.from(new TextDecoder(order === 'le' ? 'utf-16le' : 'utf-16be').decode(bytes), 'utf8');
}

/**
 * The transcoder's output for `bytes` cut before each offset of `cuts`, each read copied to `shift` bytes past a
 * 4-byte-aligned address (as a read after a BOM, or a caller's subarray, lies) and checked unchanged afterwards.
 */
function transcode(bytes: Uint8Array, order: Order, cuts: number[], shift: number): Buffer {
  const convert = utf16ToUtf8(order);
  const got: Buffer[] = [];
  const bounds = [0, ...cuts, bytes.length];
  for (let k = 1; k < bounds.length; k++) {
    const piece = bytes.subarray(bounds[k - 1], bounds[k]);
    const room = new Uint8Array(piece.length + shift);
    room.set(piece, shift);
    const read = room.subarray(shift);
    // Copied: the transcoder reuses its output buffer.
    got.push(Buffer.from(convert(read, k === bounds.length - 1)));
    same(read, piece);
  }
  return Buffer.concat(got);
}

/** Units reaching every branch of the loop, in a few hundred bytes. */
function edgeUnits(): number[] {
  const ascii = (n: number) => Array.from({ length: n }, (_, i) => 0x20 + (i % 95));
  return [
    0xfeff, // dropped: first
    ...ascii(3),
    0xe9, // 2 bytes, second half of a word
    ...ascii(70), // past the native-copy length
    0x80,
    0x7ff,
    0x800, // 3 bytes
    0xd7ff,
    0xe000,
    0xffff,
    0xfeff, // kept: not first
    ...ascii(64),
    0xd83d, // a pair
    0xde00,
    0x41,
    0xdbff, // the highest pair
    0xdfff,
    0xd800, // lone high before ASCII
    0x42,
    0xdc00, // lone low
    0xde00, // low then high: both lone
    0xd83d,
    0xd800, // high then high
    0xd83d,
    0xde00,
    ...ascii(63),
    0x3042,
    ...ascii(1),
    0x3042,
    0xd83d, // a lone high last
  ];
}

describe('utf16ToUtf8', () => {
  for (const order of ['le', 'be'] as const)
    for (const oddByte of [false, true]) {
      const bytes = encode(edgeUnits(), order, oddByte);
      const expected = reference(bytes, order);

      it(`${order}${oddByte ? ' with a last odd byte' : ''}: cut once at every byte, at every address modulo 4`, () => {
        for (let shift = 0; shift < 4; shift++)
          for (let cut = 0; cut <= bytes.length; cut++) same(transcode(bytes, order, [cut], shift), expected);
      });

      it(`${order}${oddByte ? ' with a last odd byte' : ''}: reads of 1 to 17 bytes`, () => {
        for (let size = 1; size <= 17; size++) {
          const cuts: number[] = [];
          for (let at = size; at < bytes.length; at += size) cuts.push(at);
          for (let shift = 0; shift < 4; shift++) same(transcode(bytes, order, cuts, shift), expected);
        }
      });
    }

  it.each([
    ['nothing', []],
    ['a BOM only', [0xfeff]],
    ['a lone high surrogate only', [0xd800]],
    ['two BOMs', [0xfeff, 0xfeff]],
  ])('%s', (_name, units) => {
    for (const order of ['le', 'be'] as const)
      for (const oddByte of [false, true]) {
        const bytes = encode(units, order, oddByte);
        for (let cut = 0; cut <= bytes.length; cut++)
          same(transcode(bytes, order, [cut], 0), reference(bytes, order));
      }
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('random text in random reads at random addresses (%i)', (seed) => {
    const r = rng(seed);
    // Runs of ASCII of every length up to a few hundred units (a trace's share), between non-ASCII units of every kind.
    const units: number[] = [];
    if (r() < 0.5) units.push(0xfeff);
    while (units.length < 20000) {
      const run = Math.floor(r() * (r() < 0.5 ? 8 : 300));
      for (let i = 0; i < run; i++) units.push(0x20 + Math.floor(r() * 95));
      const x = r();
      if (x < 0.3) units.push(0x80 + Math.floor(r() * 0x780));
      else if (x < 0.55) units.push(0x800 + Math.floor(r() * 0xd000));
      else if (x < 0.75) units.push(0xd800 + Math.floor(r() * 0x400), 0xdc00 + Math.floor(r() * 0x400));
      else if (x < 0.85) units.push(0xd800 + Math.floor(r() * 0x800));
      else if (x < 0.9) units.push(0xfeff);
      else units.push(0xe000 + Math.floor(r() * 0x2000));
    }
    for (const order of ['le', 'be'] as const) {
      const bytes = encode(units, order, seed % 2 === 0);
      const cuts: number[] = [];
      for (let at = 1 + Math.floor(r() * 2000); at < bytes.length; at += 1 + Math.floor(r() * 2000))
        cuts.push(at);
      const shift = Math.floor(r() * 4);
      same(transcode(bytes, order, cuts, shift), reference(bytes, order));
    }
  });

  it('transcodes a 1 MiB read (the size streamUtf8 reads) read after read', () => {
    // All ASCII but one unit near the end: one long native copy, then the loop.
    const units = Array.from({ length: 1 << 19 }, (_, i) => 0x20 + (i % 95));
    units[units.length - 3] = 0x20ac;
    const bytes = encode(units, 'le', false);
    const convert = utf16ToUtf8('le');
    const first = convert(bytes, false);
    const expected = reference(bytes, 'le');
    same(first, expected);
    // The next read reuses the buffer of the first.
    same(convert(bytes, true), expected);
  });
});

describe('utf16ToUtf8 and the caller’s buffer', () => {
  it('keeps no view of a chunk past the call: the caller may fill it again at once', () => {
    for (const order of ['le', 'be'] as const) {
      const convert = utf16ToUtf8(order);
      const whole = encode([0x61, 0x62, 0xd83d, 0xde00, 0x63], order, false); // a b 😀 c
      const read = Buffer.from(whole.subarray(0, 6)); // ends with the high half of the pair
      const first = Buffer.from(convert(read, false));
      read.fill(0x22); // the next read lands in the same buffer: quotes
      const rest = Buffer.from(convert(whole.subarray(6), true));
      expect(Buffer.concat([first, rest]).toString(), order).toBe('ab\u{1F600}c');
    }
  });
});

describe('streamUtf8', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mxlock-source-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const openFds = () => readdirSync('/proc/self/fd').length;

  it('hands over every byte in order, each chunk the consumer’s only during the call (reads overlap the work)', async () => {
    // Several reads, the last one short; each chunk copied out, as a consumer that keeps bytes must.
    const bytes = Buffer.alloc(READ_BYTES * 3 + 12_345);
    for (let i = 0; i < bytes.length; i++) bytes[i] = 0x20 + ((i * 7919) % 90);
    const file = join(dir, 'big.csv');
    writeFileSync(file, bytes);
    const got: Buffer[] = [];
    const result = await streamUtf8(file, (c) => got.push(Buffer.from(c)));
    expect(result).toEqual({ encoding: 'utf-8', bytes: bytes.length });
    expect(got.map((c) => c.length)).toEqual([READ_BYTES, READ_BYTES, READ_BYTES, 12_345]);
    expect(Buffer.concat(got).equals(bytes)).toBe(true);
  });

  it('a surrogate pair cut by a read boundary survives the next read into the same buffer (UTF-16LE)', async () => {
    // The converter carries the high half over to the next read; it must copy it, not keep a view of the read buffer
    // that the next read overwrites (a stray byte there can even become a quote and shift every later field).
    const text = 'x'.repeat(READ_BYTES / 2 - 1) + '\u{1F600}"q"' + 'y'.repeat(READ_BYTES);
    const file = join(dir, 'pair.csv');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    for (let run = 0; run < 5; run++) {
      const got: Buffer[] = [];
      await streamUtf8(file, (c) => got.push(Buffer.from(c)));
      expect(Buffer.concat(got).toString() === text, `run ${run}`).toBe(true);
    }
  });

  it('a consumer that throws while the next read is under way: its error, and the file closed', async () => {
    const file = join(dir, 'throws.csv');
    writeFileSync(file, Buffer.alloc(READ_BYTES * 2 + 1, 0x41));
    const before = openFds();
    await expect(
      streamUtf8(file, () => {
        throw new Error('bad record');
      }),
    ).rejects.toThrow('bad record');
    expect(openFds()).toBe(before);
  });
});
