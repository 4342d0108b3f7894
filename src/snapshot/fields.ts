/**
 * Field coercers for PowerShell / REST serialisation quirks (formats.md §6.2, eop-model.md §8).
 * Each returns a zod schema whose output is the normalised value, or `undefined` when the property is
 * absent or null: missing is never the same as false (formats.md §6.2 item 9).
 */
import { z } from 'zod';
import { EXPORT_JSON_DEPTH } from './partial.js';
import { isJsonObject } from '../common/collections.js';

/**
 * `Microsoft.Exchange.Data.MultiValuedProperty\`1[...]`, `System.Collections.Hashtable`, `System.Object[]`: ConvertTo-Json
 * ran out of -Depth. PascalCase segments only, and two of them or a generic/array suffix, so that a domain such as
 * `Microsoft.com` in an allow list is not mistaken for one.
 */
const DOTNET_TYPE_NAME =
  /^(System|Microsoft)((\.[A-Z][A-Za-z0-9_]*){2,}|(\.[A-Z][A-Za-z0-9_]*)+(`\d+)?\[.*\])$/;
/** The collection types whose name replaces a list that was cut off. */
const DOTNET_COLLECTION_NAME =
  /^(System\.Object\[\]|System\.Collections\.[A-Za-z0-9_.]+(`\d+)?(\[.*\])?|Microsoft\.Exchange\.Data\.MultiValuedProperty`\d+\[.*\])$/;

export function looksTruncated(value: unknown): boolean {
  return typeof value === 'string' && DOTNET_TYPE_NAME.test(value.trim());
}

/** For lists whose entries are .NET type names by design (transport rule Conditions/Actions): only a cut-off collection counts. */
export function looksTruncatedCollection(value: unknown): boolean {
  return typeof value === 'string' && DOTNET_COLLECTION_NAME.test(value.trim());
}

const truncatedMessage = `holds a .NET type name instead of data: the export was truncated by ConvertTo-Json -Depth (re-export with -Depth ${EXPORT_JSON_DEPTH})`;

/** `{"value":[…],"Count":n}` (Windows PowerShell 5.1 ETS arrays, PowerShell/PowerShell#5579). */
export function unwrapValueCount(value: unknown): unknown {
  if (isJsonObject(value)) {
    const keys = Object.keys(value);
    if (
      keys.length === 2 &&
      keys.some((k) => k.toLowerCase() === 'value') &&
      keys.some((k) => k.toLowerCase() === 'count')
    ) {
      const inner = Object.entries(value).find(([k]) => k.toLowerCase() === 'value')?.[1];
      if (Array.isArray(inner)) return inner;
    }
  }
  return value;
}

function nullToUndefined(v: unknown): unknown {
  return v === null ? undefined : v;
}

export const bool = () =>
  z.preprocess((v) => {
    const x = nullToUndefined(v);
    if (typeof x === 'string' && /^(true|false)$/i.test(x.trim())) return x.trim().toLowerCase() === 'true';
    return x;
  }, z.boolean().optional());

export const str = () =>
  z.preprocess((v) => {
    const x = nullToUndefined(v);
    if (typeof x === 'number') return String(x);
    return x;
  }, z.string().optional());

export const int = () =>
  z.preprocess((v) => {
    const x = nullToUndefined(v);
    if (typeof x === 'string' && /^\s*-?\d+\s*$/.test(x)) return Number(x);
    return x;
  }, z.number().int().optional());

/** Multi-valued property: null → [], scalar → [scalar], [null] → [], `{value,Count}` unwrapped. Absent stays undefined. */
export const strList = (
  map: (s: string) => string = (s) => s,
  truncated: (s: string) => boolean = looksTruncated,
) =>
  z.preprocess(
    (v) => {
      if (v === undefined) return undefined;
      const x = unwrapValueCount(v);
      if (x === null) return [];
      const arr = Array.isArray(x) ? x : [x];
      return arr
        .filter((e) => e !== null && e !== undefined)
        .map((e) => (typeof e === 'number' ? String(e) : e));
    },
    z
      .array(
        z.string().superRefine((s, ctx) => {
          if (truncated(s)) ctx.addIssue({ code: 'custom', message: truncatedMessage });
        }),
      )
      .transform((a) => a.map((s) => map(s.trim())).filter((s) => s !== ''))
      .optional(),
  );

/** Transport rule `Conditions`/`Exceptions`/`Actions`: predicate and action type names are the data (formats.md §6.1). */
export const typeNameList = () => strList((s) => s, looksTruncatedCollection);

/**
 * Enum as string (any case) or integer. Integers map only where the .NET enum values are known;
 * an unknown integer becomes the string `#<n>`, which no check treats as a known value.
 */
export function enumOf<const T extends readonly string[]>(
  names: T,
  ints: Readonly<Record<number, T[number]>> = {},
) {
  const byLower = new Map(names.map((n) => [n.toLowerCase(), n]));
  return z.preprocess((v) => {
    const x = nullToUndefined(v);
    if (typeof x === 'number' && Number.isInteger(x)) return ints[x] ?? `#${x}`;
    if (typeof x === 'string') {
      const t = x.trim();
      if (/^-?\d+$/.test(t)) return ints[Number(t)] ?? `#${t}`;
      return byLower.get(t.toLowerCase()) ?? t;
    }
    return x;
  }, z.string().optional()) as unknown as z.ZodType<T[number] | (string & {}) | undefined>;
}

const MS_DATE = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/;

/** `/Date(ms)/`, `/Date(ms+hhmm)/` (Windows PowerShell 5.1) or ISO-8601 (REST, PowerShell 7) → ISO string. */
export const date = () =>
  z.preprocess(
    (v) => {
      const x = nullToUndefined(v);
      if (typeof x !== 'string') return x;
      const m = MS_DATE.exec(x.trim());
      // Out-of-range milliseconds make an Invalid Date (toISOString would throw): leave it for the refine to reject.
      if (m) return Number.isNaN(new Date(Number(m[1])).getTime()) ? x : new Date(Number(m[1])).toISOString();
      const t = Date.parse(x);
      return Number.isNaN(t) ? x : new Date(t).toISOString();
    },
    z
      .string()
      .refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected a date (/Date(ms)/ or ISO-8601)' })
      .optional(),
  );

/** `smtp:contoso.com;1` → `contoso.com` (AddressSpace form of SenderDomains, eop-model §2.2). */
export function stripAddressSpace(s: string): string {
  let v = s.trim();
  const colon = v.indexOf(':');
  if (colon > 0 && /^[a-z0-9]+$/i.test(v.slice(0, colon))) v = v.slice(colon + 1);
  const semi = v.lastIndexOf(';');
  if (semi >= 0 && /^\s*\d+\s*$/.test(v.slice(semi + 1))) v = v.slice(0, semi);
  return v.trim().toLowerCase();
}
