/**
 * What a reader has worked out about a field's value, found again by the field's bytes (DESIGN §8): a message trace
 * repeats a few thousand recipients, sender domains and statuses a million times, and hashing their bytes in place
 * costs less than making a string of them. A key's bytes are copied into the memo's own arena the first time (never a
 * view of the chunk, which would pin it). The tables start small and grow with the keys met (a small working set stays
 * in the processor's cache, which is what a lookup costs), up to a bound; full, the memo starts afresh but for its hot
 * keys (found again often since the last time: a gateway's addresses, the common recipients), so memory stays flat
 * whatever the input. With `secondSight`, a key is kept only when met a second time (a doorkeeper bit per hash): a trace's many addresses seen once then never fill the memo, nor survive in the heap (V8 grows its young
 * generation, and so the process, when much of what it allocates survives).
 */

/** Empty table slot. */
const EMPTY = -1;
const FIRST_ENTRIES = 256;
/** The doorkeeper's bits (128 KiB): few enough collisions for 10^5 keys met once. */
const DOORKEEPER_BITS = 1 << 20;
/** Finds since the last reset that make a key hot (kept through the next reset), unless told otherwise. */
export const HOT_HITS = 16;
/** [offset in the arena, length, finds since the last reset, hash] per entry. */
const META = 4;
/** Numbers per table slot. */
const SLOT = 4;

/**
 * The hash of `b[s..e)` (`view` is a DataView of `b`): four bytes at a time (a field is 10–30 bytes; a byte loop costs
 * about as much per byte as a word loop per word), each word mixed in so that every byte reaches the low bits the table
 * slot is taken from.
 */
function hashOf(view: DataView, b: Uint8Array, s: number, e: number): number {
  let h = e - s;
  let i = s;
  for (; i + 4 <= e; i += 4) {
    h = Math.imul(h ^ view.getInt32(i, true), 0x5bd1e995);
    h ^= h >>> 15;
  }
  for (; i < e; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return h ^ (h >>> 13);
}

/** Slots for `entries` keys: a power of two (the slot is the hash's low bits), at least twice as many (short probes). */
function slotsFor(entries: number): number {
  let n = 2;
  while (n < entries * 2) n <<= 1;
  return n;
}

export class ByteMemo<T> {
  /**
   * Open addressing, linear probing: SLOT numbers per slot, [hash, entry, offset in the arena, length], entry EMPTY
   * when free. The key's place is in the slot (not only in meta), so that a lookup waits for memory twice (the slot,
   * then the key's bytes and the value together), not three times.
   */
  private slots: Int32Array;
  private mask: number;
  /** META numbers per entry. */
  private meta: Int32Array;
  private arena: Uint8Array;
  private arenaView: DataView;
  private readonly values: T[] = [];
  private used = 0;
  /** The buffer last looked in, and a DataView of it for reading words at any offset. */
  private source: Uint8Array | undefined;
  private view: DataView = new DataView(new ArrayBuffer(0));
  /** Where `get` stopped: the hash and slot `set` fills after a miss. */
  private lastHash = 0;
  private lastSlot = 0;
  /** How many times the memo was full and started afresh (for tests and the bench). */
  resets = 0;
  /** Hot keys kept through the resets so far (for tests). */
  survivors = 0;
  /** One bit per hash (modulo its size): set when a key was met once and not kept. */
  private readonly doorkeeper: Uint32Array | undefined;

  constructor(
    private readonly maxEntries = 1 << 14,
    private readonly maxBytes = 1 << 20,
    secondSight = false,
    private readonly hotHits = HOT_HITS,
  ) {
    if (secondSight) this.doorkeeper = new Uint32Array(DOORKEEPER_BITS >>> 5);
    const entries = Math.min(FIRST_ENTRIES, maxEntries);
    this.mask = slotsFor(entries) - 1;
    this.slots = new Int32Array((this.mask + 1) * SLOT).fill(EMPTY);
    this.meta = new Int32Array(entries * META);
    this.arena = new Uint8Array(Math.min(entries * 32, maxBytes));
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
    const h = hashOf(view, b, s, e);
    const slots = this.slots;
    const mask = this.mask;
    const meta = this.meta;
    let slot = h & mask;
    for (;;) {
      const at = slot * SLOT;
      const k = slots[at + 1]!;
      if (k === EMPTY) break;
      if (slots[at] === h && slots[at + 3] === len && this.same(slots[at + 2]!, view, s, len)) {
        meta[k * META + 2]!++;
        return this.values[k];
      }
      slot = (slot + 1) & mask;
    }
    this.lastHash = h;
    this.lastSlot = slot;
    return undefined;
  }

  private same(o: number, view: DataView, s: number, len: number): boolean {
    const arena = this.arenaView;
    let i = 0;
    for (; i + 4 <= len; i += 4) if (arena.getInt32(o + i, true) !== view.getInt32(s + i, true)) return false;
    for (; i < len; i++) if (arena.getUint8(o + i) !== view.getUint8(s + i)) return false;
    return true;
  }

  /**
   * Remembers `value` for `b[s..e)`, right after a `get` of the same bytes that found nothing; false when it is not
   * kept (first sight with `secondSight`, or a key longer than the whole arena).
   */
  set(b: Uint8Array, s: number, e: number, value: T): boolean {
    const len = e - s;
    if (len > this.maxBytes) return false;
    const door = this.doorkeeper;
    if (door !== undefined) {
      const bit = this.lastHash & (DOORKEEPER_BITS - 1);
      if ((door[bit >>> 5]! & (1 << (bit & 31))) === 0) {
        door[bit >>> 5]! |= 1 << (bit & 31);
        return false;
      }
    }
    if (this.values.length >= this.maxEntries || this.used + len > this.maxBytes) {
      this.clear();
      // A hot key's bytes may be these only if `get` found them, and it did not.
      if (this.values.length >= this.maxEntries || this.used + len > this.maxBytes) this.clear(false);
    }
    const k = this.values.length;
    if ((k + 1) * META > this.meta.length) this.growEntries();
    while (this.used + len > this.arena.length) this.growArena();
    this.get(b, s, e); // the slot, in the table as it now is
    this.values.push(value);
    this.meta[k * META] = this.used;
    this.meta[k * META + 1] = len;
    this.meta[k * META + 2] = 0;
    this.meta[k * META + 3] = this.lastHash;
    this.arena.set(b.subarray(s, e), this.used);
    this.used += len;
    this.fill(this.lastSlot, k);
    return true;
  }

  private growEntries(): void {
    const entries = Math.min((this.meta.length / META) * 2, this.maxEntries);
    const meta = new Int32Array(entries * META);
    meta.set(this.meta);
    this.meta = meta;
    this.mask = slotsFor(entries) - 1;
    this.slots = new Int32Array((this.mask + 1) * SLOT);
    this.rehash();
  }

  /** Fills the table from the entries (their hashes are in meta). */
  private rehash(): void {
    const slots = this.slots.fill(EMPTY);
    const mask = this.mask;
    for (let k = 0; k < this.values.length; k++) {
      let slot = this.meta[k * META + 3]! & mask;
      while (slots[slot * SLOT + 1] !== EMPTY) slot = (slot + 1) & mask;
      this.fill(slot, k);
    }
  }

  /** Puts entry `k` (its meta written) in `slot`. */
  private fill(slot: number, k: number): void {
    const at = slot * SLOT;
    const meta = this.meta;
    this.slots[at] = meta[k * META + 3]!;
    this.slots[at + 1] = k;
    this.slots[at + 2] = meta[k * META]!;
    this.slots[at + 3] = meta[k * META + 1]!;
  }

  private growArena(): void {
    const arena = new Uint8Array(Math.min(this.arena.length * 2, this.maxBytes));
    arena.set(this.arena);
    this.arena = arena;
    this.arenaView = new DataView(arena.buffer);
  }

  /**
   * Starts afresh, keeping the hot keys (found `hotHits` times since the last reset, up to a quarter of the bounds) with
   * their values; their counts start again, so a key that cools off goes at a later reset.
   */
  private clear(keepHot = true): void {
    this.doorkeeper?.fill(0);
    const meta = this.meta;
    const arena = this.arena;
    const values = this.values;
    const n = values.length;
    let kept = 0;
    let used = 0;
    if (keepHot)
      for (let k = 0; k < n && kept < this.maxEntries >>> 2; k++) {
        const o = meta[k * META]!;
        const len = meta[k * META + 1]!;
        if (meta[k * META + 2]! < this.hotHits || used + len > this.maxBytes >>> 2) continue;
        // Entries move only down (kept <= k, used <= o): copyWithin and the meta writes never overwrite one not read.
        arena.copyWithin(used, o, o + len);
        meta[kept * META] = used;
        meta[kept * META + 1] = len;
        meta[kept * META + 2] = 0;
        meta[kept * META + 3] = meta[k * META + 3]!;
        values[kept] = values[k]!;
        used += len;
        kept++;
      }
    values.length = kept;
    this.used = used;
    this.survivors += kept;
    this.resets++;
    this.rehash();
  }
}

/**
 * A number remembered for a triple of numbers (ids of what a reader already found in a ByteMemo: an address, a sender
 * domain, a recipient domain), by open addressing in typed arrays: no key string and no object per row. Grows and is
 * bounded like ByteMemo.
 */
export class IdMemo {
  private table: Int32Array;
  private mask: number;
  /** Float64: ids are exact integers up to 2^53 (an Int32 would wrap after 2^31 ids and confuse two keys). */
  private keys: Float64Array;
  private values: Int32Array;
  private count = 0;
  private lastSlot = 0;

  constructor(private readonly maxEntries = 1 << 16) {
    const entries = Math.min(FIRST_ENTRIES, maxEntries);
    this.mask = slotsFor(entries) - 1;
    this.table = new Int32Array(this.mask + 1).fill(EMPTY);
    this.keys = new Float64Array(entries * 3);
    this.values = new Int32Array(entries);
  }

  private static hash(a: number, b: number, c: number): number {
    const h = Math.imul(a | 0, 0x9e3779b1) ^ Math.imul(b | 0, 0x85ebca6b) ^ Math.imul(c | 0, 0xc2b2ae35);
    return h ^ (h >>> 15);
  }

  /** The number remembered for (a, b, c), or `absent`. */
  get(a: number, b: number, c: number, absent: number): number {
    const table = this.table;
    const keys = this.keys;
    let slot = IdMemo.hash(a, b, c) & this.mask;
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
    }
    if (this.count >= this.values.length) this.grow();
    this.get(a, b, c, 0);
    const k = this.count++;
    this.keys[k * 3] = a;
    this.keys[k * 3 + 1] = b;
    this.keys[k * 3 + 2] = c;
    this.values[k] = value;
    this.table[this.lastSlot] = k;
  }

  private grow(): void {
    const entries = Math.min(this.values.length * 2, this.maxEntries);
    const keys = new Float64Array(entries * 3);
    keys.set(this.keys);
    this.keys = keys;
    const values = new Int32Array(entries);
    values.set(this.values);
    this.values = values;
    this.mask = slotsFor(entries) - 1;
    this.table = new Int32Array(this.mask + 1).fill(EMPTY);
    for (let k = 0; k < this.count; k++) {
      let slot = IdMemo.hash(keys[k * 3]!, keys[k * 3 + 1]!, keys[k * 3 + 2]!) & this.mask;
      while (this.table[slot] !== EMPTY) slot = (slot + 1) & this.mask;
      this.table[slot] = k;
    }
  }
}

/** What IdMemo answers when it holds nothing for a key. */
export const ABSENT = -2;

/**
 * A number remembered for a 32-bit number (an IPv4 address: a trace's addresses are read as numbers), by open
 * addressing in typed arrays. It grows and never forgets: its owner bounds what it puts in.
 */
export class IntMap {
  private keys = new Int32Array(FIRST_ENTRIES * 2);
  /** EMPTY in a free slot. */
  private values = new Int32Array(FIRST_ENTRIES * 2).fill(EMPTY);
  private mask = FIRST_ENTRIES * 2 - 1;
  private count = 0;

  get size(): number {
    return this.count;
  }

  private static slot(key: number, mask: number): number {
    const h = Math.imul(key, 0x9e3779b1);
    return (h ^ (h >>> 16)) & mask;
  }

  /** The number remembered for `key` (any number whose low 32 bits tell it apart), -1 when none. */
  get(key: number): number {
    const k = key | 0;
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    for (let slot = IntMap.slot(k, mask); ; slot = (slot + 1) & mask) {
      const v = values[slot]!;
      if (v === EMPTY || keys[slot] === k) return v;
    }
  }

  /** Remembers `value` (≥ 0) for `key`, which holds none. */
  set(key: number, value: number): void {
    if ((this.count + 1) * 2 > this.values.length) this.grow();
    this.put(key | 0, value);
    this.count++;
  }

  private put(k: number, value: number): void {
    const mask = this.mask;
    let slot = IntMap.slot(k, mask);
    while (this.values[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.keys[slot] = k;
    this.values[slot] = value;
  }

  private grow(): void {
    const keys = this.keys;
    const values = this.values;
    this.keys = new Int32Array(keys.length * 2);
    this.values = new Int32Array(values.length * 2).fill(EMPTY);
    this.mask = this.values.length - 1;
    for (let i = 0; i < values.length; i++) if (values[i] !== EMPTY) this.put(keys[i]!, values[i]!);
  }
}
