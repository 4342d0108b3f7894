/**
 * Keys given twice in one JSON object (issue 10 item 8). `JSON.parse` keeps the last of two equal keys without a word,
 * and mxlock matches property names case-insensitively as PowerShell does (normalize.ts), so `{"Enabled": true,
 * "enabled": false}` would be decided by the order of the lines. PowerShell 7's ConvertFrom-Json refuses keys that
 * differ only in case ("contains keys with different casing"): such a file is ambiguous for PowerShell too.
 *
 * The rule, in one place: keys equal ignoring case are one key; when every occurrence holds the same value it is read
 * once (with a warning), otherwise none of them is used and the value becomes an `AmbiguousValue`, which every reader
 * treats as unknown (DESIGN §1.1), never as one of the candidates. Pure; iterative (inputs can nest 100,000 deep).
 */
import { inlineSafe } from '../common/text.js';
import { doubled } from '../common/collections.js';

export type JsonPath = readonly (string | number)[];

export interface DuplicateKey {
  /** Path of the object that holds the keys, from the root of the text. */
  at: JsonPath;
  /** Each occurrence in text order: the key as written (escapes decoded) and where its value starts. */
  occurrences: { key: string; valueStart: number }[];
}

/**
 * What a key given twice with different values reads as: no value. A reader may still use the first candidate when
 * every candidate reads the same to it (`readsSame`), e.g. two exports of one cmdlet that differ only in properties
 * mxlock does not read; the warning then says so.
 */
export class AmbiguousValue {
  constructor(
    /** Names both keys: `x.json: [3].Enabled and [3].enabled are one property (names ignore case)`. */
    readonly where: string,
    /** Each occurrence's value, in text order. */
    readonly candidates: readonly unknown[],
    /** A candidate holds a key given twice itself (as JSON.parse read it, the last one): never compared. */
    readonly nested: boolean,
    private readonly verdict = { readsSame: false },
  ) {}

  /** Set by the reader that found every candidate reads the same; the first one is then used. */
  get readsSame(): boolean {
    return this.verdict.readsSame;
  }
  set readsSame(same: boolean) {
    this.verdict.readsSame = same;
  }

  /** The candidates when a reader may compare them, else undefined. */
  comparable(): readonly unknown[] | undefined {
    return this.nested ? undefined : this.candidates;
  }

  /** The same key with its candidates transformed (ScubaGear's patterns dropped); the verdict is shared. */
  map(f: (candidate: unknown) => unknown): AmbiguousValue {
    return new AmbiguousValue(this.where, this.candidates.map(f), this.nested, this.verdict);
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Index of the quote that closes the string opening at `open` (valid JSON: it exists). */
function stringEnd(text: string, open: number): number {
  let j = open + 1;
  for (;;) {
    j = text.indexOf('"', j);
    if (j < 0) return text.length;
    let k = j - 1;
    while (text.charCodeAt(k) === BACKSLASH) k--;
    // An even number of backslashes before the quote escape each other, not the quote.
    if ((j - 1 - k) % 2 === 0) return j;
    j++;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** End (exclusive) of the JSON value starting at or after `start`. */
function valueEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  let depth = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i);
      if (depth === 0) return i + 1;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      if (depth === 0) return i;
      if (--depth === 0) return i + 1;
    } else if (depth === 0 && (c === 0x2c || isSpace(c))) return i;
  }
  return i;
}

/** The value's text without the white space between tokens: equal values written alike compare equal. */
function compact(text: string, start: number): string {
  const end = valueEnd(text, start);
  const parts: string[] = [];
  let from = start;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = stringEnd(text, i);
    else if (isSpace(c)) {
      if (i > from) parts.push(text.slice(from, i));
      from = i + 1;
    }
  }
  if (end > from) parts.push(text.slice(from, end));
  return parts.join('');
}

/** Scanner states: outside any object (top level or in an array), in an object before a key, or in its value. */
const IN_ARRAY = 0;
const BEFORE_KEY = 1;
const IN_VALUE = 2;

/**
 * Every object's keys that are equal ignoring case, with the path of the object. `text` must be valid JSON (call it
 * after `JSON.parse` succeeded). One pass with an explicit stack; a key costs one slice and one map lookup.
 */
export function findDuplicateKeys(text: string): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  // Per open container d (1-based): object or array, the key being read or the element's index, and the object's keys
  // seen so far (one map per depth, cleared and reused: two objects at one depth are never open together).
  let isObject = new Uint8Array(64);
  const keyAt: string[] = [];
  const indexAt: number[] = [];
  // A key seen once maps to where its string starts (no allocation for the common case); a repeated one to its list.
  const seenAt: Map<string, number | DuplicateKey['occurrences']>[] = [];
  let seen: Map<string, number | DuplicateKey['occurrences']> | undefined;
  let state = IN_ARRAY;
  let depth = 0;
  const n = text.length;
  const keyAtQuote = (open: number) => {
    const end = stringEnd(text, open);
    const raw = text.slice(open + 1, end);
    const key = raw.includes('\\') ? (JSON.parse(text.slice(open, end + 1)) as string) : raw;
    return { key, end, valueStart: text.indexOf(':', end + 1) + 1 };
  };
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      if (state !== BEFORE_KEY || seen === undefined) {
        i = stringEnd(text, i) + 1;
        continue;
      }
      const open = i;
      const { key, valueStart } = keyAtQuote(open);
      i = valueStart;
      state = IN_VALUE;
      keyAt[depth] = key;
      const fold = key.toLowerCase();
      const prior = seen.get(fold);
      if (prior === undefined) seen.set(fold, open);
      else if (typeof prior !== 'number') prior.push({ key, valueStart });
      else {
        const first = keyAtQuote(prior);
        const occurrences = [
          { key: first.key, valueStart: first.valueStart },
          { key, valueStart },
        ];
        seen.set(fold, occurrences);
        const at: (string | number)[] = [];
        for (let d = 1; d < depth; d++) at.push(isObject[d] ? (keyAt[d] ?? '') : (indexAt[d] ?? 0));
        found.push({ at, occurrences });
      }
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      if (++depth === isObject.length) {
        isObject = doubled(isObject);
      }
      if (c === 0x7b) {
        isObject[depth] = 1;
        state = BEFORE_KEY;
        seen = seenAt[depth];
        if (seen === undefined) seenAt[depth] = seen = new Map();
        else seen.clear();
      } else {
        isObject[depth] = 0;
        state = IN_ARRAY;
        indexAt[depth] = 0;
      }
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (isObject[depth]) {
        state = IN_VALUE;
        seen = seenAt[depth];
      } else state = IN_ARRAY;
    } else if (c === 0x2c) {
      if (state === IN_VALUE) state = BEFORE_KEY;
      else indexAt[depth] = (indexAt[depth] ?? 0) + 1;
    }
    i++;
  }
  return found;
}

/** `[3].SenderIPAddresses`, `Get-InboundConnector[0].Enabled`, `["contoso.com"].TXT`; `(root)` for none. */
export function formatJsonPath(path: JsonPath): string {
  if (path.length === 0) return '(root)';
  return path
    .map((p, i) =>
      typeof p === 'number'
        ? `[${p}]`
        : /^[A-Za-z_][\w-]*$/.test(p)
          ? `${i === 0 ? '' : '.'}${p}`
          : `[${inlineSafe(JSON.stringify(p))}]`,
    )
    .join('');
}

/** Warnings about one file's duplicate keys beyond this many are counted, not listed. */
export const MAX_DUPLICATE_WARNINGS = 20;

export interface CheckedJson {
  value: unknown;
  /**
   * One line per key given twice, naming each occurrence (escaped for a terminal); call it after reading `value`, so
   * that each line says what the reader made of it.
   */
  warnings(): string[];
  /** `v` is an `AmbiguousValue`, or an object or array that holds one at any depth. */
  ambiguous(v: unknown): boolean;
}

/**
 * The value every candidate of `value` reads as, when they all read the same (compared as JSON of what `read` made of
 * them, which is plain data of bounded depth), else undefined; marks `value.readsSame` for the warning. A candidate
 * that does not read (`ok: false`) never reads the same.
 */
export function readSame<T>(
  value: AmbiguousValue,
  read: (candidate: unknown) => { ok: true; value: T } | { ok: false },
): { value: T } | undefined {
  const candidates = value.comparable();
  if (candidates === undefined) return undefined;
  let first: { value: T; json: string | undefined } | undefined;
  for (const c of candidates) {
    const r = read(c);
    if (!r.ok) return undefined;
    const json = JSON.stringify(r.value);
    if (first === undefined) first = { value: r.value, json };
    else if (json !== first.json) return undefined;
  }
  if (first === undefined) return undefined;
  value.readsSame = true;
  return { value: first.value };
}

const NONE = (): boolean => false;
const NO_WARNINGS = (): string[] => [];

/**
 * Applies the rule of this module to `value`, the `JSON.parse` of `text`: a key given twice with the same value is read
 * once (the first spelling kept), with different values it becomes an `AmbiguousValue`. `file` names the warnings.
 */
export function settleDuplicateKeys(value: unknown, text: string, file: string): CheckedJson {
  const duplicates = findDuplicateKeys(text);
  if (duplicates.length === 0) return { value, warnings: NO_WARNINGS, ambiguous: NONE };
  // Where every repeated key's value starts, sorted: a candidate that contains one holds a key given twice itself.
  const starts = duplicates.flatMap((d) => d.occurrences.map((o) => o.valueStart)).sort((a, b) => a - b);
  const holdsDuplicate = (from: number, to: number) => {
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((starts[mid] ?? 0) <= from) lo = mid + 1;
      else hi = mid;
    }
    return lo < starts.length && (starts[lo] ?? 0) < to;
  };
  const holders = new WeakSet<object>();
  const lines: (string | AmbiguousValue)[] = [];
  for (const d of duplicates) {
    const texts = d.occurrences.map((o) => compact(text, o.valueStart));
    const agree = texts.every((t) => t === texts[0]);
    const keys = d.occurrences.map((o) => o.key);
    const spelled = [...new Set(keys)];
    const paths = spelled.map((k) => formatJsonPath([...d.at, k]));
    const where = `${file}: ${
      spelled.length === 1
        ? `${paths[0]} is given ${keys.length === 2 ? 'twice' : `${keys.length} times`}`
        : `${paths.join(' and ')} are one property (names ignore case)`
    }`;
    const ambiguous = agree
      ? undefined
      : new AmbiguousValue(
          where,
          texts.map((t) => JSON.parse(t) as unknown),
          d.occurrences.some((o) => holdsDuplicate(o.valueStart, valueEnd(text, o.valueStart))),
        );
    lines.push(ambiguous ?? `${where} with the same value: read once`);
    // Walk to the holder (own properties only: a key named `__proto__` must never reach a prototype). The path can
    // lead nowhere when it passes through an earlier occurrence of a repeated key, which JSON.parse dropped; that
    // key's own duplicate then decides it.
    const ancestors: object[] = [];
    let holder: unknown = value;
    for (const p of d.at) {
      if (holder === null || typeof holder !== 'object' || !Object.hasOwn(holder, p)) break;
      ancestors.push(holder);
      holder = (holder as Record<string | number, unknown>)[p];
    }
    if (ancestors.length !== d.at.length || holder === null || typeof holder !== 'object') continue;
    if (Array.isArray(holder) || holder instanceof AmbiguousValue) continue;
    const obj = holder as Record<string, unknown>;
    const first = keys[0] ?? '';
    for (const k of spelled) if (k !== first) Reflect.deleteProperty(obj, k);
    if (!ambiguous) continue;
    Object.defineProperty(obj, first, {
      value: ambiguous,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    for (const a of [...ancestors, obj]) holders.add(a);
  }
  const warnings = () => {
    const shown = lines
      .slice(0, MAX_DUPLICATE_WARNINGS)
      .map((l) =>
        typeof l === 'string'
          ? l
          : l.readsSame
            ? `${l.where} with values that differ only in what mxlock does not read: read once`
            : `${l.where} with different values: neither is used, it is read as unknown`,
      );
    const more = lines.length - MAX_DUPLICATE_WARNINGS;
    if (more > 0) shown.push(`${file}: and ${more} more keys given twice`);
    return shown;
  };
  return {
    value,
    warnings,
    ambiguous: (v) => v instanceof AmbiguousValue || (v !== null && typeof v === 'object' && holders.has(v)),
  };
}
