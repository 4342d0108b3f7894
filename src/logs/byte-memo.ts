/**
 * What a reader has worked out about a field's value, found again by the field's bytes (DESIGN §8): a message trace
 * repeats a few thousand recipients, sender domains and statuses a million times, and hashing their bytes in place
 * costs less than making a string of them. A key's bytes are copied into the memo's own arena the first time (never a
 * view of the chunk, which would pin it); the memo is bounded and starts afresh when full, so memory stays flat
 * whatever the input.
 */

/** Empty table slot. */
const EMPTY = -1;

export class ByteMemo<T> {
  /** Open addressing, linear probing: entry index per slot, EMPTY when free. Twice the entries, a power of two. */
  private table: Int32Array;
  private readonly mask: number;
  private readonly hashes: Int32Array;
  private readonly offsets: Int32Array;
  private readonly lengths: Int32Array;
  private readonly arena: Uint8Array;
  private readonly arenaView: DataView;
  /** The buffer last looked in, and a DataView of it for reading words at any offset. */
  private source: Uint8Array | undefined;
  private view: DataView = new DataView(new ArrayBuffer(0));
  private readonly values: T[] = [];
  private used = 0;
  /** Where `get` stopped: the hash and slot `set` fills after a miss. */
  private lastHash = 0;
  private lastSlot = 0;
  /** How many times the memo was full and started afresh (for tests and the bench). */
  resets = 0;

  constructor(
    private readonly maxEntries = 1 << 14,
    maxBytes = 1 << 20,
  ) {
    let size = 1;
    while (size < maxEntries * 2) size <<= 1;
    this.table = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
    this.hashes = new Int32Array(maxEntries);
    this.offsets = new Int32Array(maxEntries);
    this.lengths = new Int32Array(maxEntries);
    this.arena = new Uint8Array(maxBytes);
    this.arenaView = new DataView(this.arena.buffer);
  }

  get size(): number {
    return this.values.length;
  }

  /** The value remembered for the bytes `b[s..e)`, undefined when none (then `set` may follow for the same bytes). */
  get(b: Uint8Array, s: number, e: number): T | undefined {
    if (b !== this.source) {
      this.source = b;
      this.view = new DataView(b.buffer, b.byteOffset, b.length);
    }
    const view = this.view;
    const len = e - s;
    // Four bytes at a time (a field is 10–30 bytes; a byte loop costs about as much per byte as a word loop per word),
    // each word mixed into the hash so that every byte reaches the low bits the table slot is taken from.
    let h = len;
    let i = s;
    for (; i + 4 <= e; i += 4) {
      h = Math.imul(h ^ view.getInt32(i, true), 0x5bd1e995);
      h ^= h >>> 15;
    }
    for (; i < e; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h ^= h >>> 13;
    const table = this.table;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const k = table[slot]!;
      if (k === EMPTY) break;
      if (this.hashes[k] === h && this.lengths[k] === len && this.same(k, view, b, s, len))
        return this.values[k];
      slot = (slot + 1) & mask;
    }
    this.lastHash = h;
    this.lastSlot = slot;
    return undefined;
  }

  private same(k: number, view: DataView, b: Uint8Array, s: number, len: number): boolean {
    const arena = this.arenaView;
    const o = this.offsets[k]!;
    let i = 0;
    for (; i + 4 <= len; i += 4) if (arena.getInt32(o + i, true) !== view.getInt32(s + i, true)) return false;
    for (; i < len; i++) if (this.arena[o + i] !== b[s + i]) return false;
    return true;
  }

  /** Remembers `value` for `b[s..e)`, right after a `get` of the same bytes that found nothing. */
  set(b: Uint8Array, s: number, e: number, value: T): void {
    const len = e - s;
    if (len > this.arena.length) return; // a key longer than the whole arena is not remembered
    if (this.values.length >= this.maxEntries || this.used + len > this.arena.length) {
      this.clear();
      this.get(b, s, e); // finds the now-empty slot
    }
    const k = this.values.length;
    this.values.push(value);
    this.hashes[k] = this.lastHash;
    this.offsets[k] = this.used;
    this.lengths[k] = len;
    this.arena.set(b.subarray(s, e), this.used);
    this.used += len;
    this.table[this.lastSlot] = k;
  }

  private clear(): void {
    this.table.fill(EMPTY);
    this.values.length = 0;
    this.used = 0;
    this.resets++;
  }
}

/**
 * A number remembered for a triple of small numbers (ids of what a reader already found in a ByteMemo: an address, a
 * sender domain, a recipient domain), by open addressing in typed arrays: no key string and no object per row.
 * Bounded like ByteMemo: full, it starts afresh.
 */
export class IdMemo {
  private readonly table: Int32Array;
  private readonly mask: number;
  /** Float64: ids are exact integers up to 2^53 (an Int32 would wrap after 2^31 ids and confuse two keys). */
  private readonly keys: Float64Array;
  private readonly values: Int32Array;
  private count = 0;
  private lastSlot = 0;

  constructor(private readonly maxEntries = 1 << 16) {
    let size = 1;
    while (size < maxEntries * 2) size <<= 1;
    this.table = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
    this.keys = new Float64Array(maxEntries * 3);
    this.values = new Int32Array(maxEntries);
  }

  /** The number remembered for (a, b, c), or `absent`. */
  get(a: number, b: number, c: number, absent: number): number {
    let h = Math.imul(a | 0, 0x9e3779b1) ^ Math.imul(b | 0, 0x85ebca6b) ^ Math.imul(c | 0, 0xc2b2ae35);
    h ^= h >>> 15;
    const table = this.table;
    const keys = this.keys;
    let slot = h & this.mask;
    for (;;) {
      const k = table[slot]!;
      if (k === EMPTY) break;
      if (keys[k * 3] === a && keys[k * 3 + 1] === b && keys[k * 3 + 2] === c) return this.values[k]!;
      slot = (slot + 1) & this.mask;
    }
    this.lastSlot = slot;
    return absent;
  }

  /** Remembers `value` for (a, b, c), right after a `get` of them that found nothing. */
  set(a: number, b: number, c: number, value: number): void {
    if (this.count >= this.maxEntries) {
      this.table.fill(EMPTY);
      this.count = 0;
      this.get(a, b, c, 0);
    }
    const k = this.count++;
    this.keys[k * 3] = a;
    this.keys[k * 3 + 1] = b;
    this.keys[k * 3 + 2] = c;
    this.values[k] = value;
    this.table[this.lastSlot] = k;
  }
}
