/**
 * What a reader has worked out about a field's value, found again by the field's bytes (DESIGN §8): a message trace
 * repeats a few thousand recipients, sender domains and statuses a million times, and hashing their bytes in place
 * costs less than making a string of them.
 *
 * What a lookup costs is the memory it waits for: the input streams through the processor's caches and evicts the
 * tables, so each line a lookup touches is a wait. A ByteTable slot is one 64-byte line holding everything a lookup
 * reads — the hash, the key's length and bytes (copied in, never a view of the chunk, which would pin it), a number
 * as the value and the finds since the last reset — so a found key costs one line. Keys longer than KEY_BYTES are not
 * kept (the caller works their value out each time: no real address or status is that long).
 *
 * The table starts small and doubles with the keys met, up to a bound; full, it starts afresh but for its hot keys
 * (found again often since the last reset: a gateway's addresses, the common recipients), so memory stays flat
 * whatever the input. With `secondSight`, a key is kept only when met a second time (a doorkeeper bit per hash): a
 * trace's many values seen once then never fill the table.
 */

/**
 * The tables' layout, a const enum so that these are literals in the compiled code (esbuild makes a module-level const
 * of a file with imports a `var`, which V8 reads from the module context and checks at every use, in hot loops too).
 */
export const enum Layout {
  /** Int32s per ByteTable slot: hash, length + 1 (0: free), value, finds since the last reset, then the key's bytes. */
  SLOT = 16,
  KEY_AT = 4,
  /** The longest key a ByteTable keeps: what the slot has room for. */
  KEY_BYTES = 48, // (SLOT - KEY_AT) * 4
  FIRST_ENTRIES = 256,
  /** The doorkeeper's bits (128 KiB): few enough collisions for 10^5 keys met once. */
  DOORKEEPER_BITS = 1_048_576, // 2^20
  /** A free slot of IdTable and IntMap. */
  EMPTY = -1,
  /** What ByteTable.get answers for a key it does not hold (no value is this). */
  MISSING = -0x80000000,
  /** What IdTable answers when it holds nothing for a key (when asked to). */
  ABSENT = -2,
}

/** The longest key a ByteTable keeps. */
export const KEY_BYTES: number = Layout.KEY_BYTES;
/** Finds since the last reset that make a key hot (kept through the next reset), unless told otherwise. */
export const HOT_HITS = 16;
/** What ByteTable.get answers for a key it does not hold (no value is this). */
export const MISSING: number = Layout.MISSING;
/**
 * Whether the machine is little-endian: typed-array words and units hold their lowest-addressed byte in their low
 * bits (how ByteTable compares key words, the tokenizer finds a quote's place in a word, the UTF-16 reader its units).
 */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

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

/** A number (any int32 but MISSING) remembered for a field's bytes; see the top of this file. */
export class ByteTable {
  private slots: Int32Array;
  /** `slots` as bytes, to copy keys in. */
  private slotBytes: Uint8Array;
  private mask: number;
  private count = 0;
  /** The buffer last looked in, and a DataView of it for reading words at any offset. */
  private source: Uint8Array | undefined;
  private view: DataView = new DataView(new ArrayBuffer(0));
  /** Where `get` stopped: the hash and slot `set` fills after a miss, or the slot `update` writes after a find. */
  private lastHash = 0;
  private lastSlot = 0;
  /** How many times the table was full and started afresh (for tests and the bench). */
  resets = 0;
  /** Hot keys kept through the resets so far (for tests). */
  survivors = 0;
  /** One bit per hash (modulo its size): set when a key was met once and not kept. */
  private readonly doorkeeper: Uint32Array | undefined;
  /** Given each kept value when the table starts afresh, and the value being set then; gives what to keep instead. */
  remap: ((value: number) => number) | undefined;

  constructor(
    private readonly maxEntries = 1 << 14,
    secondSight = false,
    private readonly hotHits = HOT_HITS,
  ) {
    if (secondSight) this.doorkeeper = new Uint32Array(Layout.DOORKEEPER_BITS >>> 5);
    this.mask = slotsFor(Math.min(Layout.FIRST_ENTRIES, maxEntries)) - 1;
    this.slots = new Int32Array((this.mask + 1) * Layout.SLOT);
    this.slotBytes = new Uint8Array(this.slots.buffer);
  }

  get size(): number {
    return this.count;
  }

  /** The value remembered for the bytes `b[s..e)`, MISSING when none (then `set` may follow for the same bytes). */
  get(b: Uint8Array, s: number, e: number): number {
    const len = e - s;
    if (len > Layout.KEY_BYTES) return Layout.MISSING;
    if (b !== this.source) {
      this.source = b;
      this.view = new DataView(b.buffer, b.byteOffset, b.length);
    }
    const view = this.view;
    const h = hashOf(view, b, s, e);
    const slots = this.slots;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const at = slot * Layout.SLOT;
      const stored = slots[at + 1]!;
      if (stored === 0) break;
      if (slots[at] === h && stored === len + 1 && this.same(at, view, b, s, len)) {
        slots[at + 3]!++;
        this.lastSlot = slot;
        return slots[at + 2]!;
      }
      slot = (slot + 1) & mask;
    }
    this.lastHash = h;
    this.lastSlot = slot;
    return Layout.MISSING;
  }

  /** Whether the key in the slot at `at` is `b[s..s+len)`: word by word, the last word's missing bytes being zero. */
  private same(at: number, view: DataView, b: Uint8Array, s: number, len: number): boolean {
    const slots = this.slots;
    const le = LITTLE_ENDIAN;
    let k = at + Layout.KEY_AT;
    let i = 0;
    for (; i + 4 <= len; i += 4, k++) if (slots[k] !== view.getInt32(s + i, le)) return false;
    if (i === len) return true;
    let w = 0;
    for (let j = 0; i + j < len; j++) w |= b[s + i + j]! << (le ? 8 * j : 24 - 8 * j);
    return slots[k] === w;
  }

  /** Changes the value of the key `get` just found. */
  update(value: number): void {
    this.slots[this.lastSlot * Layout.SLOT + 2] = value;
  }

  /**
   * Remembers `value` for `b[s..e)`, right after a `get` of the same bytes that found nothing; false when it is not
   * kept (first sight with `secondSight`, or a key longer than KEY_BYTES).
   */
  set(b: Uint8Array, s: number, e: number, value: number): boolean {
    const len = e - s;
    if (len > Layout.KEY_BYTES) return false;
    const door = this.doorkeeper;
    if (door !== undefined) {
      const bit = this.lastHash & (Layout.DOORKEEPER_BITS - 1);
      if ((door[bit >>> 5]! & (1 << (bit & 31))) === 0) {
        door[bit >>> 5]! |= 1 << (bit & 31);
        return false;
      }
    }
    let again = false;
    if (this.count >= this.maxEntries) {
      this.clear();
      if (this.remap) value = this.remap(value);
      again = true;
    } else if ((this.count + 1) * 2 > this.mask + 1) {
      this.resize(this.mask + 1 < slotsFor(this.maxEntries) ? (this.mask + 1) * 2 : this.mask + 1);
      again = true;
    }
    if (again) this.get(b, s, e); // the slot, in the table as it now is
    const at = this.lastSlot * Layout.SLOT;
    const slots = this.slots;
    slots[at] = this.lastHash;
    slots[at + 1] = len + 1;
    slots[at + 2] = value;
    slots[at + 3] = 0;
    this.slotBytes.set(b.subarray(s, e), (at + Layout.KEY_AT) * 4);
    this.count++;
    return true;
  }

  /** Moves every key into a table of `size` slots (with `keep`, only those it says, their finds counted anew). */
  private resize(size: number, keep?: (at: number) => boolean): void {
    const old = this.slots;
    this.slots = new Int32Array(size * Layout.SLOT);
    this.slotBytes = new Uint8Array(this.slots.buffer);
    this.mask = size - 1;
    this.count = 0;
    for (let at = 0; at < old.length; at += Layout.SLOT) {
      if (old[at + 1] === 0 || (keep && !keep(at))) continue;
      let slot = old[at]! & this.mask;
      while (this.slots[slot * Layout.SLOT + 1] !== 0) slot = (slot + 1) & this.mask;
      this.slots.set(old.subarray(at, at + Layout.SLOT), slot * Layout.SLOT);
      if (keep) {
        this.slots[slot * Layout.SLOT + 3] = 0;
        if (this.remap) this.slots[slot * Layout.SLOT + 2] = this.remap(old[at + 2]!);
      }
      this.count++;
    }
  }

  /**
   * Starts afresh, keeping the hot keys (found `hotHits` times since the last reset, up to a quarter of the bound)
   * with their values; their counts start again, so a key that cools off goes at a later reset.
   */
  private clear(): void {
    this.doorkeeper?.fill(0);
    let kept = 0;
    const quarter = this.maxEntries >>> 2;
    const old = this.slots;
    this.resize(this.mask + 1, (at) => old[at + 3]! >= this.hotHits && kept++ < quarter);
    this.survivors += this.count;
    this.resets++;
  }
}

/**
 * A ByteTable whose values are objects (kept in an array, the table holding their index): for what is read from a
 * key's object rather than from one number.
 */
export class ByteMemo<T> {
  private readonly table: ByteTable;
  private values: T[] = [];
  private next: T[] = [];

  constructor(maxEntries = 1 << 14, secondSight = false, hotHits = HOT_HITS) {
    this.table = new ByteTable(maxEntries, secondSight, hotHits);
    // When the table starts afresh, the values of the keys it keeps move to a fresh array.
    this.table.remap = (i) => {
      return this.next.push(this.values[i]!) - 1;
    };
  }

  get size(): number {
    return this.table.size;
  }

  get resets(): number {
    return this.table.resets;
  }

  get survivors(): number {
    return this.table.survivors;
  }

  get(b: Uint8Array, s: number, e: number): T | undefined {
    const i = this.table.get(b, s, e);
    return i === Layout.MISSING ? undefined : this.values[i];
  }

  /** See ByteTable.set. */
  set(b: Uint8Array, s: number, e: number, value: T): boolean {
    const resets = this.table.resets;
    const kept = this.table.set(b, s, e, this.values.push(value) - 1);
    if (this.table.resets !== resets) {
      this.values = this.next;
      this.next = [];
    } else if (!kept) this.values.pop();
    return kept;
  }
}

/**
 * A number remembered for a triple of ids (non-negative int32s: an address, a sender domain, a recipient domain), by
 * open addressing in one typed array whose 16-byte slots hold the key and the value together (a lookup waits for one
 * line of memory). It grows and never forgets: its owner bounds what it puts in. Filled up to three quarters: four
 * slots share a line, so the longer probes stay in the line or the next while the table stays half the size (20,000
 * flows in 512 KiB).
 */
export class IdTable {
  /** [a, b, c, value] per slot; `a` is -1 in a free slot. */
  private slots: Int32Array;
  private mask: number;
  private count = 0;
  private lastSlot = 0;

  constructor() {
    this.mask = Layout.FIRST_ENTRIES * 2 - 1;
    this.slots = new Int32Array((this.mask + 1) * 4).fill(Layout.EMPTY);
  }

  get size(): number {
    return this.count;
  }

  private static hash(a: number, b: number, c: number): number {
    const h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b) ^ Math.imul(c, 0xc2b2ae35);
    return h ^ (h >>> 15);
  }

  /** The number remembered for (a, b, c), or `absent`. */
  get(a: number, b: number, c: number, absent: number): number {
    const slots = this.slots;
    const mask = this.mask;
    for (let slot = IdTable.hash(a, b, c) & mask; ; slot = (slot + 1) & mask) {
      const at = slot * 4;
      const x = slots[at]!;
      if (x === Layout.EMPTY) {
        this.lastSlot = slot;
        return absent;
      }
      if (x === a && slots[at + 1] === b && slots[at + 2] === c) {
        this.lastSlot = slot;
        return slots[at + 3]!;
      }
    }
  }

  /** Adds `delta` to the value `get` just found (a count kept in the slot the lookup already read). */
  addToFound(delta: number): void {
    this.slots[this.lastSlot * 4 + 3]! += delta;
  }

  /** The value of (a, b, c), which it holds, set to 0. */
  take(a: number, b: number, c: number): number {
    const v = this.get(a, b, c, 0);
    this.slots[this.lastSlot * 4 + 3] = 0;
    return v;
  }

  /** Remembers `value` for (a, b, c), which hold none. */
  set(a: number, b: number, c: number, value: number): void {
    if ((this.count + 1) * 4 > (this.mask + 1) * 3) this.grow();
    this.get(a, b, c, 0);
    const at = this.lastSlot * 4;
    this.slots[at] = a;
    this.slots[at + 1] = b;
    this.slots[at + 2] = c;
    this.slots[at + 3] = value;
    this.count++;
  }

  private grow(): void {
    const old = this.slots;
    this.mask = this.mask * 2 + 1;
    this.slots = new Int32Array((this.mask + 1) * 4).fill(Layout.EMPTY);
    for (let at = 0; at < old.length; at += 4) {
      if (old[at] === Layout.EMPTY) continue;
      let slot = IdTable.hash(old[at]!, old[at + 1]!, old[at + 2]!) & this.mask;
      while (this.slots[slot * 4] !== Layout.EMPTY) slot = (slot + 1) & this.mask;
      this.slots.set(old.subarray(at, at + 4), slot * 4);
    }
  }
}

/** What IdTable answers when it holds nothing for a key (when asked to). */
export const ABSENT: number = Layout.ABSENT;

/**
 * A number remembered for a 32-bit number (an IPv4 address: a trace's addresses are read as numbers), by open
 * addressing in typed arrays. It grows and never forgets: its owner bounds what it puts in.
 */
export class IntMap {
  /** [key, value] per slot; value EMPTY in a free slot (key and value in one line of memory). */
  private slots = new Int32Array(Layout.FIRST_ENTRIES * 4).fill(Layout.EMPTY);
  private mask = Layout.FIRST_ENTRIES * 2 - 1;
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
    const slots = this.slots;
    const mask = this.mask;
    for (let slot = IntMap.slot(k, mask); ; slot = (slot + 1) & mask) {
      const v = slots[slot * 2 + 1]!;
      if (v === Layout.EMPTY || slots[slot * 2] === k) return v;
    }
  }

  /** Remembers `value` (≥ 0) for `key`, which holds none. */
  set(key: number, value: number): void {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    this.put(key | 0, value);
    this.count++;
  }

  private put(k: number, value: number): void {
    const mask = this.mask;
    let slot = IntMap.slot(k, mask);
    while (this.slots[slot * 2 + 1] !== Layout.EMPTY) slot = (slot + 1) & mask;
    this.slots[slot * 2] = k;
    this.slots[slot * 2 + 1] = value;
  }

  private grow(): void {
    const old = this.slots;
    this.mask = this.mask * 2 + 1;
    this.slots = new Int32Array((this.mask + 1) * 2).fill(Layout.EMPTY);
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== Layout.EMPTY) this.put(old[i]!, old[i + 1]!);
  }
}
