/**
 * Mutations of JSON exports for the seeded property tests: structural ones on the parsed value (other JSON types,
 * dropped properties, duplicated objects, PowerShell 5.1's `{"value":[…],"Count":n}` wrapper, control and bidi
 * characters in names; formats.md §6.2), then textual and byte-level ones on what is written (truncation, flipped,
 * inserted and deleted bytes, invalid UTF-8, UTF-16 with and without BOM).
 *
 * Left out on purpose, as issue 10 gives them their own items (8: duplicate keys and deep nesting; 6: size): no mutation
 * adds a key equal to another of its object, case aside (JSON.parse keeps the last one silently today); at most
 * MAX_WRAPS levels of nesting are added per case; lists grow by at most MAX_COPIES objects and strings stay under
 * 10,000 characters.
 */
import type { Gen } from '../support/fuzz.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Nesting levels one case may add (deep nesting is item 8's lane). */
const MAX_WRAPS = 4;
/** Objects one duplication may add to a list (50,000-object inputs are item 6's lane). */
const MAX_COPIES = 8;

/** A number JSON.stringify cannot write (1e400 parses as Infinity): kept as a marker, spliced in as raw text. */
const RAW = (text: string) => `@@RAW:${text}@@`;
const RAW_MARKER = /"@@RAW:([^@"]*)@@"/g;

const RAW_NUMBERS = ['1e400', '-1e400', '1E2', '-0', '0.0000001', '123456789012345678901234567890', '4e-400'];
const NUMBERS = [0, -1, 1, 1.5, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308, 5e-324, 65536, 999999];
const STRINGS = [
  '',
  ' ',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e999',
  'true',
  'False',
  'null',
  '0',
  '-1',
  '/Date(1723810171000)/',
  '/Date(1723810171000+0200)/',
  '/Date(-99999999999999999999)/',
  '/Date(abc)/',
  '2021-08-05T16:13:05.6394416-07:00',
  '9999-99-99T99:99:99Z',
  'System.Collections.Hashtable',
  'Microsoft.Exchange.Data.MultiValuedProperty`1[System.String]',
  'System.Object[]',
  'smtp:*;1',
  'smtp:;1',
  'smtp:contoso.com;x',
  'SMTP:*',
  '*',
  '*.',
  '.',
  '0.0.0.0/0',
  '::/0',
  '0.0.0.0/1',
  '128.0.0.0/1',
  '203.0.113.10-203.0.113.1',
  '203.0.113.10-203.0.114.200',
  '300.1.1.1',
  '203.0.113.0/33',
  '2001:db8::/129',
  '::ffff:203.0.113.10',
  'fe80::1%eth0',
  ' 203.0.113.10 ',
  '203.0.113.010',
  'contoso.com',
  'CONTOSO.COM.',
  'xn--80ak6aa92e.com',
  'münchen.de',
  'a'.repeat(300),
  '*.mail-gateway.example.com',
  'CN=*.example.com, O=Example',
  'Enforce',
  'AuditAndNotify',
  'Partner',
  'OnPremises',
  'Quarantine',
  'MoveToJmf',
  'Default',
  '-1',
  '😀',
  'e\u0301',
];
/** Characters a person must never see raw: C0, DEL, C1, ESC sequences, bidi controls, separators, lone surrogates. */
const UNSAFE = [
  '\u0000',
  '\u0007',
  '\u001b[31m',
  '\u001b]0;title\u0007',
  '\r\n',
  '\r',
  '\n',
  '\t',
  '\u007f',
  '\u0085',
  '\u009b',
  '\u2028',
  '\u2029',
  '\u202e',
  '\u2066',
  '\u200f',
  '\u061c',
  '\ufeff',
  '\ud800',
  '\udfff',
  '\uffff',
  "'",
  '"',
  '`',
  '$(x)',
  '|',
  '<b>',
  ']]>',
];

function randomScalar(g: Gen): Json {
  switch (g.int(0, 6)) {
    case 0:
      return null;
    case 1:
      return g.chance(0.5);
    case 2:
      return g.pick(NUMBERS);
    case 3:
      return RAW(g.pick(RAW_NUMBERS));
    case 4:
      return g.chance(0.1) ? 'A'.repeat(g.int(1_000, 9_000)) : g.pick(STRINGS);
    default:
      return g.pick(STRINGS) + g.pick(UNSAFE) + g.pick(STRINGS);
  }
}

export function randomValue(g: Gen, depth = 2): Json {
  if (depth <= 0 || g.chance(0.6)) return randomScalar(g);
  if (g.chance(0.5)) return g.times(g.int(0, 4), () => randomValue(g, depth - 1));
  const obj: Record<string, Json> = {};
  for (let i = g.int(0, 3); i > 0; i--)
    obj[`${g.pick(['Name', 'Enabled', 'value', 'x'])}${i}`] = randomValue(g, depth - 1);
  return obj;
}

/** A place in the tree: the container and the key or index of one value. */
interface Slot {
  parent: Json[] | { [key: string]: Json };
  key: string | number;
  /** Under a property the reader uses (or no set of such properties was given). */
  read: boolean;
}

/**
 * Every place in the tree. `read` (lower-case property names) marks the properties mxlock reads and the elements of
 * their lists: an export holds dozens of properties it ignores, and a mutation there proves little.
 */
function slotsOf(box: { root: Json }, read: ReadonlySet<string> | undefined): Slot[] {
  const out: Slot[] = [
    { parent: box as unknown as { [key: string]: Json }, key: 'root', read: read === undefined },
  ];
  const stack: { v: Json; read: boolean }[] = [{ v: box.root, read: read === undefined }];
  while (stack.length > 0) {
    const { v, read: under } = stack.pop()!;
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        out.push({ parent: v, key: i, read: under });
        stack.push({ v: x, read: under });
      });
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        // A property counts by its own name: what sits under a wrapper (`value`) or a bundle key is not all read.
        const r = read === undefined || read.has(k.toLowerCase());
        out.push({ parent: v, key: k, read: r });
        stack.push({ v: x, read: r });
      }
    }
  }
  return out;
}

const get = (s: Slot): Json => (s.parent as Record<string | number, Json>)[s.key]!;
const set = (s: Slot, v: Json) => {
  (s.parent as Record<string | number, Json>)[s.key] = v;
};
const isObject = (v: Json): v is { [key: string]: Json } =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** A key not equal to any key of `obj`, case aside (duplicate keys are item 8's lane). */
function freshKey(obj: { [key: string]: Json }, key: string): string | undefined {
  const taken = new Set(Object.keys(obj).map((k) => k.toLowerCase()));
  return taken.has(key.toLowerCase()) ? undefined : key;
}

/** Renames a key of `obj` in place, keeping the order of its properties. */
function renameKey(obj: { [key: string]: Json }, from: string, to: string): void {
  const entries = Object.entries(obj).map(([k, v]) => [k === from ? to : k, v] as const);
  for (const k of Object.keys(obj)) Reflect.deleteProperty(obj, k);
  for (const [k, v] of entries) obj[k] = v;
}

/** Applies one structural mutation somewhere in `box.root`; returns its description. */
function mutateOnce(
  g: Gen,
  box: { root: Json },
  wraps: { n: number },
  read: ReadonlySet<string> | undefined,
  keepTypes: boolean,
): string {
  const all = slotsOf(box, read);
  const used = all.filter((s) => s.read);
  // Mostly where the reader looks; sometimes anywhere (an ignored property must stay ignored, whatever it holds).
  const slots = used.length > 0 && g.chance(0.85) ? used : all;
  // Names are where hostile text lands first: prefer them for the character mutations.
  const named = slots.filter((s) => typeof s.key === 'string' && /name|identity|domain|^txt$/i.test(s.key));
  const slot = g.pick(slots);
  const at = typeof slot.key === 'number' ? `[${slot.key}]` : slot.key;
  const v = get(slot);
  // Type-kept changes first: they pass the schema and reach the checks, the simulator and the planner; hostile text in
  // the names and domains a person reads next.
  if (g.chance(keepTypes ? 0.6 : 0.3)) return keepType(g, slots);
  if (g.chance(keepTypes ? 0.75 : 0.25)) return hostileText(g, g.pick(named.length > 0 ? named : slots));
  switch (g.int(0, 13)) {
    case 0:
    case 1: {
      const to = randomValue(g);
      set(slot, to);
      return `${at} := ${JSON.stringify(to)?.slice(0, 80)}`;
    }
    case 2:
      if (isObject(slot.parent) && slot.parent !== (box as unknown)) {
        Reflect.deleteProperty(slot.parent, slot.key);
        return `drop ${at}`;
      }
      set(slot, null);
      return `${at} := null`;
    case 3:
      if (Array.isArray(slot.parent)) {
        const copies = g.int(1, MAX_COPIES);
        slot.parent.splice(slot.key as number, 0, ...g.times(copies, () => structuredClone(v)));
        return `duplicate ${at} ×${copies}`;
      }
      set(slot, [v, structuredClone(v)]);
      return `${at} := [it, it]`;
    case 4:
      if (wraps.n >= MAX_WRAPS) return 'no wrap (bound reached)';
      wraps.n++;
      set(slot, [v]);
      return `wrap ${at} in an array`;
    case 5: {
      if (wraps.n >= MAX_WRAPS) return 'no wrap (bound reached)';
      wraps.n++;
      const value = Array.isArray(v) ? v : [v];
      const count = g.chance(0.7) ? value.length : g.int(-1, 99);
      const wrapper: Record<string, Json> = g.chance(0.8)
        ? { value, Count: count }
        : { Count: count, VALUE: value };
      set(slot, wrapper);
      return `${at} := {"value":[…],"Count":${count}}`;
    }
    case 6:
      if (Array.isArray(v) && v.length > 0) {
        set(slot, v[0]!);
        return `unwrap ${at}`;
      }
      set(slot, g.pick<Json>([[], {}, [null], null]));
      return `${at} := empty`;
    case 7:
    case 8:
      return hostileText(g, slot);
    case 9: {
      if (!isObject(slot.parent) || typeof slot.key !== 'string' || slot.parent === (box as unknown))
        return 'no rename';
      const to = g.pick([slot.key.toLowerCase(), slot.key.toUpperCase(), slot.key.replace(/Ip/, 'IP')]);
      // Only a case change: the key stays unique in its object (duplicate keys are another lane's).
      const others = Object.keys(slot.parent).filter((k) => k !== slot.key);
      if (to === slot.key || others.some((k) => k.toLowerCase() === to.toLowerCase())) return 'no rename';
      renameKey(slot.parent, slot.key, to);
      return `rename ${slot.key} → ${to}`;
    }
    case 10: {
      const obj = isObject(v)
        ? v
        : isObject(slot.parent) && slot.parent !== (box as unknown)
          ? slot.parent
          : undefined;
      if (!obj) return 'no annotation';
      const key = freshKey(
        obj,
        g.pick([
          '@odata.context',
          '@odata.type',
          'Name@odata.type',
          '@adminapi.warnings',
          'odata.nextLink',
          'Extra',
        ]),
      );
      if (key === undefined) return 'no annotation';
      obj[key] = randomValue(g, 1);
      return `add ${key}`;
    }
    case 11: {
      const other = g.pick(slots);
      const ov = get(other);
      if (other === slot || ov === v) return 'no swap';
      // Swapping a value with one that contains it would make a cycle: swap copies.
      set(slot, structuredClone(ov));
      set(other, structuredClone(v));
      return `swap ${at} ↔ ${String(other.key)}`;
    }
    case 12: {
      const to = g.pick<Json>([g.int(-2, 9), g.pick(STRINGS), g.times(g.int(1, 5), () => g.pick(STRINGS))]);
      set(slot, to);
      return `${at} := ${JSON.stringify(to)}`;
    }
    default: {
      const to = RAW(g.pick(RAW_NUMBERS));
      set(slot, to);
      return `${at} := ${to}`;
    }
  }
}

/** Control, bidi or quoting characters spliced into a string, or into a string of a list (its type kept). */
function hostileText(g: Gen, target: Slot): string {
  const cur = get(target);
  const ins = g.times(g.int(1, 3), () => g.pick(UNSAFE)).join('');
  const splice = (text: string) => {
    const pos = g.int(0, text.length);
    return text.slice(0, pos) + ins + text.slice(pos);
  };
  if (Array.isArray(cur) && cur.length > 0 && cur.every((x) => typeof x === 'string')) {
    const i = g.int(0, cur.length - 1);
    cur[i] = splice(cur[i] as string);
  } else set(target, splice(typeof cur === 'string' ? cur : g.pick(STRINGS)));
  return `insert ${JSON.stringify(ins)} in ${String(target.key)}`;
}

/** Strings for the fields that name domains, addresses, connectors and certificates. */
const ODD_NAMES = [
  'contoso.com',
  '*.contoso.com',
  'contoso.onmicrosoft.com',
  'contoso.mail.onmicrosoft.com',
  'CONTOSO.COM.',
  'a..b',
  '-a.com',
  '.com',
  'com',
  'mail.protection.outlook.com',
  'contoso-com.mail.protection.outlook.com',
  'spf.protection.outlook.com',
  'x'.repeat(64) + '.com',
  'smtp:contoso.com;1',
  'smtp:*;1',
  '*',
  ...STRINGS.filter((x) => /\d+\.\d+|::|\//.test(x)),
];

/** One value changed into another of its JSON type (string, number, boolean; a list keeps holding strings). */
function keepType(g: Gen, slots: readonly Slot[]): string {
  const typed = slots.filter((s) => {
    const v = get(s);
    return typeof v !== 'object' || v === null || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
  });
  if (typed.length === 0) return 'nothing to change';
  const slot = g.pick(typed);
  const v = get(slot);
  const at = String(slot.key);
  const odd = (): string =>
    g.chance(0.3) ? `${g.pick(ODD_NAMES)}${g.pick(UNSAFE)}${g.pick(['', 'x', '.com'])}` : g.pick(ODD_NAMES);
  if (typeof v === 'boolean') {
    set(slot, !v);
    return `${at} := ${String(!v)}`;
  }
  if (typeof v === 'number') {
    const to = g.chance(0.5) ? g.pick(NUMBERS) : g.int(-3, 12);
    set(slot, to);
    return `${at} := ${to}`;
  }
  if (typeof v === 'string' || v === null) {
    const to = typeof v === 'string' && g.chance(0.3) ? g.pick(STRINGS) : odd();
    set(slot, to);
    return `${at} := ${JSON.stringify(to)}`;
  }
  const items = [...(v as string[])];
  switch (g.int(0, 3)) {
    case 0:
      items.push(...g.times(g.int(1, 4), odd));
      break;
    case 1:
      if (items.length > 0) items[g.int(0, items.length - 1)] = odd();
      else items.push(odd());
      break;
    case 2:
      items.splice(0, items.length);
      break;
    default:
      items.push(...items);
  }
  set(slot, items);
  return `${at} := ${JSON.stringify(items).slice(0, 120)}`;
}

/**
 * `count` mutations of a copy of `value`, mostly under the properties in `read` (lower case; all when undefined),
 * mostly keeping each value's type when `keepTypes` (so that more of them pass the schema); the mutated value and
 * what was done.
 */
export function mutateJson(
  g: Gen,
  value: Json,
  count: number,
  read?: ReadonlySet<string>,
  keepTypes = false,
): { value: Json; done: string[] } {
  const box = { root: structuredClone(value) };
  const wraps = { n: 0 };
  const done = g.times(count, () => mutateOnce(g, box, wraps, read, keepTypes));
  return { value: box.root, done };
}

/** JSON text as ConvertTo-Json, REST or a hand edit writes it; raw number markers spliced in. */
export function writeJson(g: Gen, value: Json): string {
  const indent = g.pick([undefined, 2, 4, '\t']);
  let text = JSON.stringify(value, null, indent) ?? 'null';
  // Windows PowerShell 5.1 escapes <, >, & and ' as \u003c…; valid JSON either way.
  if (g.chance(0.2))
    text = text.replace(/[<>&']/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return text.replace(RAW_MARKER, '$1');
}

/** Text-level damage a hand edit or a broken pipe does: removed or added punctuation, comments, other literals. */
export function mutateText(g: Gen, text: string): { text: string; done: string } {
  const pos = g.int(0, text.length);
  switch (g.int(0, 6)) {
    case 0:
      return { text: text.slice(0, pos), done: `truncate at ${pos}` };
    case 1: {
      const i = text.search(/[,:}\]]/);
      const at = i < 0 ? pos : text.indexOf(text.charAt(i), g.int(0, Math.max(0, text.length - 1)));
      return at < 0
        ? { text, done: 'nothing' }
        : { text: text.slice(0, at) + text.slice(at + 1), done: `drop character ${at}` };
    }
    case 2: {
      const ins = g.pick([
        ',',
        '}',
        ']',
        '{',
        '[',
        '"',
        ':',
        '//x\n',
        '/* */',
        'NaN',
        "'x'",
        '\u0000',
        '\\',
        '\\u12',
        ' ',
      ]);
      return {
        text: text.slice(0, pos) + ins + text.slice(pos),
        done: `insert ${JSON.stringify(ins)} at ${pos}`,
      };
    }
    case 3:
      return { text: `${text}${g.pick([',', ' trailing', '\n{}', '\u0000', '\n\n'])}`, done: 'append' };
    case 4:
      return {
        text: g.pick(['', ' ', '\r\n', 'null', '[]', '[null]', '{}', '""', '0', 'true']),
        done: 'replace whole text',
      };
    case 5:
      return { text: text.replace(/"/g, "'"), done: 'single quotes' };
    default:
      return { text: `\ufeff${text}`, done: 'BOM as text' };
  }
}

function utf16le(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf16le'));
}
function swapPairs(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    out[i] = bytes[i + 1]!;
    out[i + 1] = bytes[i]!;
  }
  return out;
}
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/** Text → bytes in one of the encodings Windows and other tools write, or (when `broken`) a damaged one. */
export function encode(g: Gen, text: string, broken = true): { bytes: Uint8Array; encoding: string } {
  const encoding = g.weighted([
    [10, 'utf-8'],
    [2, 'utf-8-bom'],
    [2, 'utf-16le-bom'],
    [1, 'utf-16le'],
    [1, 'utf-16be-bom'],
    [1, 'utf-16be'],
    [broken ? 1 : 0, 'utf-16le-odd'],
    [1, 'latin1'],
  ] as const);
  const utf8 = new TextEncoder().encode(text);
  switch (encoding) {
    case 'utf-8':
      return { bytes: utf8, encoding };
    case 'utf-8-bom':
      return { bytes: concat(new Uint8Array([0xef, 0xbb, 0xbf]), utf8), encoding };
    case 'utf-16le-bom':
      return { bytes: concat(new Uint8Array([0xff, 0xfe]), utf16le(text)), encoding };
    case 'utf-16le':
      return { bytes: utf16le(text), encoding };
    case 'utf-16be-bom':
      return { bytes: concat(new Uint8Array([0xfe, 0xff]), swapPairs(utf16le(text))), encoding };
    case 'utf-16be':
      return { bytes: swapPairs(utf16le(text)), encoding };
    case 'utf-16le-odd': {
      const b = concat(new Uint8Array([0xff, 0xfe]), utf16le(text));
      return { bytes: b.subarray(0, Math.max(2, b.length - 1)), encoding };
    }
    default:
      // ANSI (Out-File -Encoding Default): every character above U+00FF becomes "?".
      return {
        bytes: new Uint8Array(
          Buffer.from([...text].map((c) => (c.codePointAt(0)! > 0xff ? '?' : c)).join(''), 'latin1'),
        ),
        encoding,
      };
  }
}

/** Byte-level damage: flipped bits, inserted and deleted bytes, invalid UTF-8 sequences, NULs, truncation. */
export function mutateBytes(g: Gen, bytes: Uint8Array): { bytes: Uint8Array; done: string } {
  const b = new Uint8Array(bytes);
  const pos = g.int(0, Math.max(0, b.length - 1));
  switch (g.int(0, 5)) {
    case 0:
      for (let i = g.int(1, 4); i > 0; i--) {
        const p = g.int(0, Math.max(0, b.length - 1));
        if (b.length > 0) b[p] = b[p]! ^ (1 << g.int(0, 7));
      }
      return { bytes: b, done: 'flip bits' };
    case 1: {
      const ins = new Uint8Array(g.times(g.int(1, 4), () => g.int(0, 255)));
      return { bytes: concat(b.subarray(0, pos), ins, b.subarray(pos)), done: `insert bytes at ${pos}` };
    }
    case 2: {
      const len = g.int(1, 16);
      return {
        bytes: concat(b.subarray(0, pos), b.subarray(pos + len)),
        done: `delete ${len} bytes at ${pos}`,
      };
    }
    case 3: {
      const bad = g.pick([
        [0xff],
        [0xc3, 0x28],
        [0xed, 0xa0, 0x80],
        [0xf4, 0x90, 0x80, 0x80],
        [0xc0, 0xaf],
        [0x80],
        [0x93, 0x94],
      ]);
      return {
        bytes: concat(b.subarray(0, pos), new Uint8Array(bad), b.subarray(pos)),
        done: `invalid UTF-8 at ${pos}`,
      };
    }
    case 4:
      return {
        bytes: concat(b.subarray(0, pos), new Uint8Array([0]), b.subarray(pos)),
        done: `NUL at ${pos}`,
      };
    default:
      return { bytes: b.subarray(0, pos), done: `truncate at byte ${pos}` };
  }
}
