/**
 * The resolver abstraction (STYLE.md: every protocol function takes a resolver shaped like
 * `dns.promises.resolve`). Three implementations: live (`node:dns`), recorded (`dns.json`) and a recorder that
 * wraps the live one. Failures are values here: NXDOMAIN, NODATA, timeout and SERVFAIL stay distinct, and none
 * of them is an answer.
 */
import type { DnsZone, MxRecord, ZoneEntry } from '../common/zone.js';
import { normaliseName } from '../common/zone.js';

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
    const code = (err as { code?: unknown }).code;
    const message = err instanceof Error ? err.message : String(err);
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
}

function dnsError(code: string, name: string, type: string): Error {
  return Object.assign(new Error(`query${type} ${code} ${name}`), { code, hostname: name });
}

/** A ResolveFn over recorded answers (`dns.json`, used by `--offline`): absent name = NXDOMAIN, absent type = NODATA. */
export function recordedResolver(zone: DnsZone): ResolveFn {
  return async (name, type) => {
    const entry = zone.get(normaliseName(name));
    if (!entry) throw dnsError('ENOTFOUND', name, type);
    const records = entry[type as keyof ZoneEntry];
    if (!records || records.length === 0) throw dnsError('ENODATA', name, type);
    return type === 'TXT' ? (records as string[]).map((t) => [t]) : [...records];
  };
}

/** A recorder: wraps a resolver and keeps every definite answer in the dns.json shape (`--record zone.json`). */
export function recordingResolver(inner: ResolveFn): {
  resolve: ResolveFn;
  toJson(): Record<string, ZoneEntry>;
  unrecorded: string[];
} {
  const seen = new Map<string, ZoneEntry>();
  const unrecorded: string[] = [];
  const resolve: ResolveFn = async (name, type) => {
    const key = normaliseName(name);
    try {
      const raw = await inner(name, type);
      const entry = seen.get(key) ?? {};
      const records = normalise(type, raw);
      if (records.length > 0 && type !== 'PTR') (entry as Record<string, unknown>)[type] = records;
      seen.set(key, entry);
      return raw;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      // NODATA: the name exists, so it is recorded without the type. NXDOMAIN: left out (absent = NXDOMAIN).
      if (code === 'ENODATA' && !seen.has(key)) seen.set(key, {});
      else if (code !== 'ENOTFOUND' && code !== 'ENODATA') unrecorded.push(`${key}/${type}: ${String(code)}`);
      throw err;
    }
  };
  return {
    resolve,
    unrecorded,
    toJson() {
      return Object.fromEntries([...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    },
  };
}
