/**
 * Recorded DNS answers (`dns.json`, DESIGN §3.1): a name present without a type is NODATA, a name absent is
 * NXDOMAIN. A lookup that failed when the zone was recorded (timeout, SERVFAIL…) is kept as such under `error`
 * (an extension of §3.1): DESIGN §1.1, a DNS failure is unknown, never an absence. Pure data.
 */
import { appendTo } from './collections.js';
import { domainToASCII } from 'node:url';
import { z } from 'zod';
import { inlineSafe } from './text.js';

export type RecordType = 'MX' | 'TXT' | 'CNAME' | 'A' | 'AAAA';
export const RECORD_TYPES = ['MX', 'TXT', 'CNAME', 'A', 'AAAA'] as const satisfies readonly RecordType[];
export interface MxRecord {
  exchange: string;
  priority: number;
}
export interface ZoneEntry {
  MX?: MxRecord[];
  TXT?: string[];
  CNAME?: string[];
  A?: string[];
  AAAA?: string[];
  /**
   * Types whose lookup failed, with the failure (`FAILURE_REASON`): their answer is unknown. A name that holds only
   * failures may not exist at all, so its other types are unknown too; a type recorded as `[]` is NODATA.
   */
  error?: Partial<Record<RecordType, string>>;
}
/** Keys are lower-case names without the trailing dot. */
export type DnsZone = ReadonlyMap<string, ZoneEntry>;

export type Lookup<T> =
  | { kind: 'answer'; records: T[] }
  | { kind: 'nodata' }
  | { kind: 'nxdomain' }
  | { kind: 'unavailable'; reason: string };

/**
 * How a failed lookup is written in dns.json: `timeout`, `SERVFAIL`, or the node:dns error code of any other failure
 * (`ECONNREFUSED`, `EREFUSED`…), so that a replay fails the same way.
 */
const FAILURE_REASON = /^(timeout|SERVFAIL|E[A-Z0-9_]+)$/;
const CODE_OF_REASON: Record<string, string> = { timeout: 'ETIMEOUT', SERVFAIL: 'ESERVFAIL' };

/**
 * The failure recorded for a name or type that dns.json gives twice with different answers (issue 10 item 8): which
 * one is right is unknown, so the lookup fails rather than take the one that comes last.
 */
export const AMBIGUOUS_ANSWER = 'EAMBIGUOUS';
const WHY: Readonly<Record<string, string>> = {
  [AMBIGUOUS_ANSWER]: 'given twice in dns.json with different answers',
};

/** The dns.json word for a node:dns error code (`ETIMEOUT` → `timeout`); NXDOMAIN and NODATA are not failures. */
export function failureReason(code: string): string {
  if (code === 'ETIMEOUT' || code === 'ETIMEDOUT') return 'timeout';
  if (code === 'ESERVFAIL') return 'SERVFAIL';
  return FAILURE_REASON.test(code) ? code : 'EUNKNOWN';
}

/** The node:dns error code a replay of a recorded failure throws (`timeout` → `ETIMEOUT`). */
export function failureCode(reason: string): string {
  return CODE_OF_REASON[reason] ?? reason;
}

/** Why a name/type of the zone has no known answer, and the node:dns code a replay fails with. */
export interface ZoneFailure {
  code: string;
  reason: string;
}

/**
 * The recorded failure for a name/type, or `undefined` when the zone answers it (records, NODATA or NXDOMAIN). The one
 * place that reads `error`: `lookup`, the replaying resolver and the simulator's answers all come through here.
 */
export function zoneFailure(zone: DnsZone, name: string, type: RecordType): ZoneFailure | undefined {
  const key = normaliseName(name);
  const entry = zone.get(key);
  const failed = entry?.error?.[type];
  if (failed !== undefined)
    return {
      code: failureCode(failed),
      reason: `DNS failure: ${type} ${key}: ${failed}${WHY[failed] ? ` (${WHY[failed]})` : ''}`,
    };
  if (entry?.error !== undefined && !RECORD_TYPES.some((t) => entry[t] !== undefined)) {
    const seen = Object.entries(entry.error).map(([t, r]) => `${t} ${r}${WHY[r] ? ` (${WHY[r]})` : ''}`);
    return {
      code: 'ENOTRECORDED',
      reason: `DNS failure: every lookup of ${key} failed (${seen.join(', ')}), so whether it has ${type} records is unknown`,
    };
  }
  return undefined;
}

const txt = z.union([z.string(), z.array(z.string()).transform((chunks) => chunks.join(''))]);
const EntrySchema = z
  .object({
    MX: z.array(z.object({ exchange: z.string(), priority: z.number().int().min(0) })).optional(),
    TXT: z.array(txt).optional(),
    CNAME: z.array(z.string()).optional(),
    A: z.array(z.string()).optional(),
    AAAA: z.array(z.string()).optional(),
    error: z
      .partialRecord(
        z.enum(RECORD_TYPES),
        z
          .string()
          .regex(FAILURE_REASON, 'expected "timeout", "SERVFAIL" or a DNS error code such as "EREFUSED"'),
      )
      .optional(),
  })
  .strict();
export const DnsJsonSchema = z.record(z.string(), EntrySchema);

export function normaliseName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/**
 * Two spellings of one name (`Contoso.com`, `contoso.com.`, `bücher.de` and `xn--bcher-kva.de`) are the same key:
 * `normaliseName`, then an internationalised name in its ASCII (punycode) form, as DNS carries it (RFC 5891 §4.4).
 */
function sameNameKey(name: string): string {
  const n = normaliseName(name);
  // eslint-disable-next-line no-control-regex -- any character outside ASCII makes it an IDN
  return /[^\x00-\x7f]/.test(n) ? domainToASCII(n) || n : n;
}

/** An entry's answers in a form that compares equal when the answers are: records sorted, types in one order. */
function answersOf(e: ZoneEntry): string {
  const sorted = (a: readonly unknown[] | undefined) => a?.map((x) => JSON.stringify(x)).sort();
  return JSON.stringify([
    ...RECORD_TYPES.map((t) => sorted(e[t])),
    RECORD_TYPES.map((t) => e.error?.[t] ?? null),
  ]);
}

/**
 * The zone of a parsed dns.json. Names that are one name written differently are reported through `warn`: with the
 * same answers they are read once; with different answers every lookup of that name fails (`AMBIGUOUS_ANSWER`),
 * whichever spelling comes last (issue 10 item 8, DESIGN §1.1).
 */
export function zoneFromJson(
  data: z.output<typeof DnsJsonSchema>,
  warn: (warning: string) => void = () => {},
): DnsZone {
  const zone = new Map<string, ZoneEntry>();
  const spellings = new Map<string, { name: string; entry: ZoneEntry }[]>();
  for (const [name, entry] of Object.entries(data)) {
    const e: ZoneEntry = {};
    if (entry.MX) e.MX = entry.MX.map((m) => ({ exchange: normaliseName(m.exchange), priority: m.priority }));
    if (entry.TXT) e.TXT = entry.TXT;
    if (entry.CNAME) e.CNAME = entry.CNAME.map(normaliseName);
    if (entry.A) e.A = entry.A;
    if (entry.AAAA) e.AAAA = entry.AAAA;
    if (entry.error && Object.keys(entry.error).length > 0) e.error = { ...entry.error };
    appendTo(spellings, sameNameKey(name), { name, entry: e });
    zone.set(normaliseName(name), e);
  }
  for (const group of spellings.values()) {
    if (group.length < 2) continue;
    const names = group.map((g) => inlineSafe(JSON.stringify(g.name))).join(' and ');
    const first = answersOf(group[0]!.entry);
    if (group.every((g) => answersOf(g.entry) === first)) {
      warn(`${names} are one name, given twice with the same answers: read once`);
      continue;
    }
    warn(
      `${names} are one name, given twice with different answers: neither is used, its lookups read as failed (unknown)`,
    );
    const failed = Object.fromEntries(RECORD_TYPES.map((t) => [t, AMBIGUOUS_ANSWER]));
    for (const g of group) zone.set(normaliseName(g.name), { error: failed });
  }
  return zone;
}

/** Look a name up in a recorded zone; `undefined` zone means DNS was not analysed. */
export function lookup<K extends RecordType>(
  zone: DnsZone | undefined,
  name: string,
  type: K,
): Lookup<NonNullable<ZoneEntry[K]>[number]> {
  if (!zone)
    return { kind: 'unavailable', reason: 'DNS not analysed (no dns.json in the export and no live DNS)' };
  const failure = zoneFailure(zone, name, type);
  if (failure !== undefined) return { kind: 'unavailable', reason: failure.reason };
  const entry = zone.get(normaliseName(name));
  if (!entry) return { kind: 'nxdomain' };
  const records = entry[type];
  if (!records || records.length === 0) return { kind: 'nodata' };
  return { kind: 'answer', records: records as NonNullable<ZoneEntry[K]>[number][] };
}
