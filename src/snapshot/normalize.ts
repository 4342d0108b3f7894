/**
 * From parsed JSON values to the typed snapshot: unwraps every container quirk of formats.md §6.2, matches keys
 * case-insensitively, drops OData annotations, and validates with the cmdlet's zod schema. Pure.
 */
import type { z } from 'zod';
import { inlineSafe } from '../common/text.js';
import { InputError } from '../errors.js';
import { CMDLETS, type CmdletName } from './schema.js';
import { AmbiguousValue, readSame } from './duplicates.js';
import { unwrapValueCount } from './fields.js';
import { CONVERT_TO_JSON } from './partial.js';
import { isJsonObject } from '../common/collections.js';

// Instance annotations: any key starting with `@` (`@odata.context`, `@adminapi.warnings`, formats.md §1.4), legacy
// `odata.nextLink`, and property annotations `Prop@odata.type` / `Prop@data.type`.
const ANNOTATION = /^@|^odata\.|@odata\.|@data\./i;

/** Top-level file content → list of plain objects: null, [], [null], a single object, `{value,Count}`, OData `{value:[…]}`. */
export function toObjectList(raw: unknown, file: string): Record<string, unknown>[] {
  let v = unwrapValueCount(raw);
  if (isJsonObject(v)) {
    // REST/OData page: {"@odata.context": …, "value": [...]}
    const entries = Object.entries(v);
    const valueKey = entries.find(([k]) => k.toLowerCase() === 'value');
    if (
      valueKey &&
      Array.isArray(valueKey[1]) &&
      entries.every(([k]) => k === valueKey[0] || ANNOTATION.test(k) || k.toLowerCase() === 'count')
    ) {
      v = valueKey[1];
    } else if (entries.length > 0 && entries.every(([k]) => ANNOTATION.test(k))) {
      // An empty REST result may omit `value` entirely (formats.md §1.4): annotations only, no object.
      v = [];
    }
  }
  if (v === null || v === undefined) return [];
  const arr = Array.isArray(v) ? v : [v];
  const out: Record<string, unknown>[] = [];
  // An ETS-wrapped array inside the outer array (`ConvertTo-Json @($list)` in 5.1) contributes its elements.
  const items = arr.flatMap((item) => {
    const x = unwrapValueCount(item);
    return x !== item && Array.isArray(x) ? x : [item];
  });
  items.forEach((item, i) => {
    const x = unwrapValueCount(item);
    if (x === null || x === undefined) return;
    if (typeof x !== 'object' || Array.isArray(x)) {
      throw new InputError(
        `${file}: [${i}]: expected an object, got ${Array.isArray(x) ? 'an array' : typeof x}`,
        file,
        `[${i}]`,
      );
    }
    out.push(x as Record<string, unknown>);
  });
  return out;
}

/** Keys given twice with different values (duplicates.ts): such a property is read as absent, and named. */
export interface AmbiguityOptions {
  /** The value is, or holds at any depth, a key given twice with different values. */
  ambiguous?: (value: unknown) => boolean;
  /** Hears the schema name of each property read as absent for that reason. */
  onAmbiguous?: (property: string) => void;
}

function canonicalKeys(
  obj: Record<string, unknown>,
  schema: z.ZodObject,
  known: ReadonlyMap<string, string>,
  options: AmbiguityOptions,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (ANNOTATION.test(k)) continue;
    const canon = known.get(k.toLowerCase());
    if (canon === undefined) continue;
    if (options.ambiguous?.(v) !== true) {
      out[canon] = v;
      continue;
    }
    // A property given twice with different values is read only when both read the same (`"True"` and `true`);
    // otherwise neither decides (DESIGN §1.1): it is absent, so its checks say unknown.
    const field = schema.shape[canon];
    const same =
      v instanceof AmbiguousValue && field
        ? readSame(v, (c) => {
            const r = field.safeParse(c);
            return r.success ? { ok: true, value: r.data } : { ok: false };
          })
        : undefined;
    if (same && v instanceof AmbiguousValue) out[canon] = v.candidates[0];
    else options.onAmbiguous?.(canon);
  }
  return out;
}

function formatPath(index: number, path: readonly PropertyKey[]): string {
  return `[${index}]` + path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = jsonStart(v, 61);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * The start of `JSON.stringify(v)`: all of it, or its first `max` characters at least. Built without recursion and
 * without serialising the rest, so a value nested 100,000 deep or a string of 200 MB costs no more than its start.
 */
export function jsonStart(v: unknown, max: number): string {
  let out = '';
  type Frame = { list: readonly unknown[]; keys?: readonly string[]; i: number };
  const stack: Frame[] = [];
  let next: unknown = v;
  let pending = true;
  while (out.length < max) {
    if (pending) {
      pending = false;
      const x = next;
      if (Array.isArray(x)) {
        out += '[';
        stack.push({ list: x, i: 0 });
      } else if (x !== null && typeof x === 'object') {
        out += '{';
        const o = x as Record<string, unknown>;
        const keys = Object.keys(o).filter((k) => o[k] !== undefined);
        stack.push({ list: keys.map((k) => o[k]), keys, i: 0 });
      } else if (typeof x === 'string') out += quotedStart(x, max);
      else out += x === undefined ? 'null' : String(JSON.stringify(x) ?? 'null');
      continue;
    }
    const top = stack[stack.length - 1];
    if (top === undefined) break;
    if (top.i >= top.list.length) {
      out += top.keys ? '}' : ']';
      stack.pop();
      continue;
    }
    if (top.i > 0) out += ',';
    const key = top.keys?.[top.i];
    if (key !== undefined) out += key.length <= max ? `${JSON.stringify(key)}:` : quotedStart(key, max);
    next = top.list[top.i++];
    pending = true;
  }
  return out;
}

/** `JSON.stringify(s)`, or, for a string longer than `max`, the start of it that holds its first characters. */
function quotedStart(s: string, max: number): string {
  if (s.length <= max) return JSON.stringify(s);
  const cut = s.slice(0, max);
  // A high surrogate cut from its pair would be escaped, which the whole string's JSON does not do.
  const whole = /[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut;
  return JSON.stringify(whole).slice(0, -1);
}

/**
 * Exchange limits names to 64 characters (the -Name of New-TransportRule, New-InboundConnector and the policies: "The
 * maximum length is 64 characters") and a transport rule's conditions, exceptions and actions to 8 KB together, so no
 * string an export holds for a property mxlock reads comes near 64 Ki characters. A longer one is not an export; it is
 * refused with the file and the property rather than carried into every message and report line that names it (a
 * 200 MB name made the reports fail with "Invalid string length").
 */
export const MAX_STRING_CHARS = 65_536;
/** The export recipe writes ConvertTo-Json -Depth EXPORT_JSON_DEPTH (6; ScubaGear -Depth 4): a property nested deeper is not an export. */
export const MAX_VALUE_DEPTH = 32;

export interface ValueLimits {
  maxStringChars: number;
  maxDepth: number;
}
const VALUE_LIMITS: ValueLimits = { maxStringChars: MAX_STRING_CHARS, maxDepth: MAX_VALUE_DEPTH };

/**
 * The properties of the `index`-th object within `limits` (each string, at any depth; the nesting), or an InputError
 * naming the file and the property. Iterative: the values it walks are the input's.
 */
function checkLimits(obj: Record<string, unknown>, file: string, index: number, limits: ValueLimits): void {
  const stack: { value: unknown; path: PropertyKey[] }[] = Object.keys(obj).map((k) => ({
    value: obj[k],
    path: [k],
  }));
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, path } = item;
    if (typeof value === 'string') {
      if (value.length > limits.maxStringChars)
        throw new InputError(
          `${file}: ${formatPath(index, path)}: a string of ${value.length.toLocaleString('en-US')} characters; no Exchange setting is longer than ${limits.maxStringChars.toLocaleString('en-US')} (names: 64), so this is not an export`,
          file,
          formatPath(index, path),
        );
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (path.length > limits.maxDepth) {
      const shown = formatPath(index, path.slice(0, 4)) + (path.length > 4 ? '…' : '');
      throw new InputError(
        `${file}: ${shown}: nested deeper than ${limits.maxDepth} levels (the export recipe writes ${CONVERT_TO_JSON})`,
        file,
        formatPath(index, path.slice(0, 1)),
      );
    }
    if (Array.isArray(value))
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, i] });
    else for (const [k, v] of Object.entries(value)) stack.push({ value: v, path: [...path, k] });
  }
}

/** Validate one cmdlet's objects; a wrong type is an InputError naming the file and the property path. */
export function parseCmdlet<K extends CmdletName>(
  name: K,
  raw: unknown,
  file: string,
  options: AmbiguityOptions & { limits?: ValueLimits } = {},
): z.output<(typeof CMDLETS)[K]['schema']>[] {
  const schema = CMDLETS[name].schema as z.ZodObject;
  const known = new Map(Object.keys(schema.shape).map((k) => [k.toLowerCase(), k]));
  return toObjectList(raw, file).map((obj, i) => {
    const input = canonicalKeys(obj, schema, known, options);
    // Only the properties mxlock reads are bounded: the others are dropped unread.
    checkLimits(input, file, i, options.limits ?? VALUE_LIMITS);
    const parsed = schema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = issue ? formatPath(i, issue.path) : `[${i}]`;
      const prop = issue?.path[0];
      // A scalar wrapped into a list has no element to show: show the property's raw value instead.
      const got =
        typeof prop === 'string' ? describeValue(getPath(input, issue?.path ?? []) ?? input[prop]) : '';
      throw new InputError(
        `${file}: ${path}: ${issue?.message ?? 'invalid'}${got ? ` (found ${got})` : ''}`,
        file,
        path,
      );
    }
    return parsed.data as z.output<(typeof CMDLETS)[K]['schema']>;
  });
}

function getPath(obj: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

/**
 * Why a cmdlet file does not look like that cmdlet's output, or undefined: it holds objects, and none of them has any
 * property of the cmdlet besides Name/Identity (a report saved over Get-TransportRule.json, another cmdlet's export
 * under the wrong name). Such a file is not read as "no settings": its cmdlet is treated as not exported, so the checks
 * that need it say unknown instead of pass (issue 10 item 3).
 */
export function notThisCmdlet(name: CmdletName, raw: unknown, file: string): string | undefined {
  const objects = toObjectList(raw, file);
  if (objects.length === 0) return undefined;
  const schema = CMDLETS[name].schema as z.ZodObject;
  const own = new Set(
    Object.keys(schema.shape)
      .filter((k) => k !== 'Name' && k !== 'Identity')
      .map((k) => k.toLowerCase()),
  );
  if (objects.some((o) => Object.keys(o).some((k) => own.has(k.toLowerCase())))) return undefined;
  const sample = [...new Set(objects.flatMap((o) => Object.keys(o)))].slice(0, 5).map(inlineSafe);
  return `${file}: none of its ${objects.length} object(s) has a property of ${name} (found ${sample.length > 0 ? sample.join(', ') : 'no properties'}): not read as that cmdlet's export, which is treated as missing; re-export it with \`${name} | ${CONVERT_TO_JSON}\``;
}
