/**
 * The resolver abstraction (STYLE.md: every protocol function takes a resolver shaped like
 * `dns.promises.resolve`). Three implementations: live (`node:dns`), recorded (`dns.json`) and a recorder that
 * wraps the live one. Failures are values here: NXDOMAIN, NODATA, timeout and SERVFAIL stay distinct, and none
 * of them is an answer.
 */
import type { DnsZone, MxRecord, RecordType, ZoneEntry } from '../common/zone.js';
import { failureReason, normaliseName, zoneFailure } from '../common/zone.js';

export type RRType = 'A' | 'AAAA' | 'MX' | 'TXT' | 'CNAME' | 'PTR';

export interface RecordOf {
  A: string;
  AAAA: string;
  MX: MxRecord;
  /** A TXT record with its character-strings joined (RFC 7208 §3.3). */
  TXT: string;
  CNAME: string;
  PTR: string;
}

/** `dns.promises.resolve` shape: resolves the records or rejects with an Error carrying a node:dns `code`. */
export type ResolveFn = <T extends RRType>(name: string, type: T) => Promise<unknown[]>;

export type DnsResult<T> =
  | { kind: 'answer'; records: T[] }
  | { kind: 'nodata' }
  | { kind: 'nxdomain' }
  | { kind: 'timeout' }
  | { kind: 'servfail' }
  | { kind: 'error'; code: string; message: string };

/** The outcomes that mean "DNS did not tell us" — never to be read as absence. */
export function isFailure(
  r: DnsResult<unknown>,
): r is Extract<DnsResult<unknown>, { kind: 'timeout' | 'servfail' | 'error' }> {
  return r.kind === 'timeout' || r.kind === 'servfail' || r.kind === 'error';
}

export function describeResult(r: DnsResult<unknown>): string {
  switch (r.kind) {
    case 'answer':
      return `${r.records.length} record(s)`;
    case 'nodata':
      return 'no record of that type (NODATA)';
    case 'nxdomain':
      return 'no such domain (NXDOMAIN)';
    case 'timeout':
      return 'DNS timeout';
    case 'servfail':
      return 'DNS server failure (SERVFAIL)';
    case 'error':
      return `DNS error ${r.code}: ${r.message}`;
  }
}

function normalise<T extends RRType>(type: T, raw: unknown[]): RecordOf[T][] {
  if (type === 'TXT') return raw.map((r) => (Array.isArray(r) ? r.join('') : String(r))) as RecordOf[T][];
  if (type === 'MX') {
    return raw.map((r) => {
      const m = r as { exchange?: string; priority?: number };
      return { exchange: normaliseName(String(m.exchange ?? '')), priority: Number(m.priority ?? 0) };
    }) as RecordOf[T][];
  }
  if (type === 'CNAME' || type === 'PTR') return raw.map((r) => normaliseName(String(r))) as RecordOf[T][];
  return raw.map(String) as RecordOf[T][];
}

/** A node:dns error as a value: the one mapping of error codes to outcomes (live, replayed and in-memory answers). */
export function resultOfError(code: unknown, message: string): Exclude<DnsResult<never>, { kind: 'answer' }> {
  switch (code) {
    case 'ENOTFOUND':
      return { kind: 'nxdomain' };
    case 'ENODATA':
      return { kind: 'nodata' };
    case 'ETIMEOUT':
    case 'ETIMEDOUT':
      return { kind: 'timeout' };
    case 'ESERVFAIL':
      return { kind: 'servfail' };
    default:
      return { kind: 'error', code: typeof code === 'string' ? code : 'EUNKNOWN', message };
  }
}

/** Runs one query and turns node:dns errors into values. */
export async function query<T extends RRType>(
  resolve: ResolveFn,
  name: string,
  type: T,
): Promise<DnsResult<RecordOf[T]>> {
  try {
    const raw = await resolve(normaliseName(name), type);
    const records = normalise(type, raw);
    return records.length === 0 ? { kind: 'nodata' } : { kind: 'answer', records };
  } catch (err) {
    return resultOfError((err as { code?: unknown }).code, err instanceof Error ? err.message : String(err));
  }
}

function dnsError(code: string, name: string, type: string, why?: string): Error {
  return Object.assign(new Error(`query${type} ${code} ${name}${why ? ` (${why})` : ''}`), {
    code,
    hostname: name,
  });
}

/**
 * A ResolveFn over recorded answers (`dns.json`, used by `--offline`): absent name = NXDOMAIN, absent type = NODATA,
 * a recorded failure fails again the same way (zone.ts `zoneFailure`).
 */
export function recordedResolver(zone: DnsZone): ResolveFn {
  return async (name, type) => {
    const failure = type === 'PTR' ? undefined : zoneFailure(zone, name, type as RecordType);
    if (failure) throw dnsError(failure.code, name, type, failure.reason);
    const entry = zone.get(normaliseName(name));
    if (!entry) throw dnsError('ENOTFOUND', name, type);
    const records = type === 'PTR' ? undefined : entry[type as RecordType];
    if (!records || records.length === 0) throw dnsError('ENODATA', name, type);
    return type === 'TXT' ? (records as string[]).map((t) => [t]) : [...records];
  };
}

/**
 * A recorder: wraps a resolver and keeps every outcome in the dns.json shape (`--record zone.json`, and the zone of a
 * live `assess`): answers, NODATA, and failures under `error`; NXDOMAIN names are left out (absent = NXDOMAIN). Each
 * question goes to the network once: asked again, it gets the first outcome, so everything that reads the recording
 * in one run sees the answer the analysis saw.
 */
export function recordingResolver(inner: ResolveFn): {
  resolve: ResolveFn;
  toJson(): Record<string, ZoneEntry>;
  /** `name/TYPE: code …` of each lookup that failed (recorded under `error`). */
  failures: string[];
} {
  const seen = new Map<string, ZoneEntry>();
  const asked = new Map<string, Promise<unknown[]>>();
  const failures: string[] = [];
  const record = async (key: string, name: string, type: RRType): Promise<unknown[]> => {
    try {
      const raw = await inner(name, type);
      const entry = seen.get(key) ?? {};
      // PTR answers are not part of dns.json (the simulator reads no reverse DNS from it).
      if (type !== 'PTR') (entry as Record<string, unknown>)[type] = normalise(type, raw);
      seen.set(key, entry);
      return raw;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 'ENODATA') {
        // The name exists; the type is recorded empty (NODATA) so that it stays known beside a failure of another type.
        const entry = seen.get(key) ?? {};
        if (type !== 'PTR') (entry as Record<string, unknown>)[type] = [];
        seen.set(key, entry);
      } else if (code !== 'ENOTFOUND') {
        failures.push(`${key}/${type}: ${String(code)}`);
        if (type !== 'PTR') {
          const entry = seen.get(key) ?? {};
          entry.error = {
            ...entry.error,
            [type]: failureReason(typeof code === 'string' ? code : 'EUNKNOWN'),
          };
          seen.set(key, entry);
        }
      }
      throw err;
    }
  };
  const resolve: ResolveFn = (name, type) => {
    const key = normaliseName(name);
    const question = `${key}/${type}`;
    let pending = asked.get(question);
    if (pending === undefined) {
      pending = record(key, name, type);
      asked.set(question, pending);
    }
    return pending;
  };
  return {
    resolve,
    failures,
    toJson() {
      const names = [...seen.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return Object.fromEntries(names.map((n) => [n, withoutEmptyTypes(seen.get(n)!)]));
    },
  };
}

/**
 * The entry as dns.json writes it: a NODATA type is left out (DESIGN §3.1: a name present without the type), except
 * beside a failure, where `[]` tells the types that answered from those never asked (zone.ts `zoneFailure`).
 */
function withoutEmptyTypes(entry: ZoneEntry): ZoneEntry {
  if (entry.error !== undefined) return entry;
  return Object.fromEntries(
    Object.entries(entry).filter(([, v]) => !Array.isArray(v) || v.length > 0),
  ) as ZoneEntry;
}
