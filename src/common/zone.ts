/**
 * Recorded DNS answers (`dns.json`, DESIGN §3.1): a name present without a type is NODATA, a name absent is
 * NXDOMAIN. Pure data; the live resolver comes with the DNS issue.
 */
import { z } from 'zod';

export type RecordType = 'MX' | 'TXT' | 'CNAME' | 'A' | 'AAAA';
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
}
/** Keys are lower-case names without the trailing dot. */
export type DnsZone = ReadonlyMap<string, ZoneEntry>;

export type Lookup<T> =
  | { kind: 'answer'; records: T[] }
  | { kind: 'nodata' }
  | { kind: 'nxdomain' }
  | { kind: 'unavailable'; reason: string };

const txt = z.union([z.string(), z.array(z.string()).transform((chunks) => chunks.join(''))]);
const EntrySchema = z
  .object({
    MX: z.array(z.object({ exchange: z.string(), priority: z.number().int().min(0) })).optional(),
    TXT: z.array(txt).optional(),
    CNAME: z.array(z.string()).optional(),
    A: z.array(z.string()).optional(),
    AAAA: z.array(z.string()).optional(),
  })
  .strict();
export const DnsJsonSchema = z.record(z.string(), EntrySchema);

export function normaliseName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

export function zoneFromJson(data: z.output<typeof DnsJsonSchema>): DnsZone {
  const zone = new Map<string, ZoneEntry>();
  for (const [name, entry] of Object.entries(data)) {
    const e: ZoneEntry = {};
    if (entry.MX) e.MX = entry.MX.map((m) => ({ exchange: normaliseName(m.exchange), priority: m.priority }));
    if (entry.TXT) e.TXT = entry.TXT;
    if (entry.CNAME) e.CNAME = entry.CNAME.map(normaliseName);
    if (entry.A) e.A = entry.A;
    if (entry.AAAA) e.AAAA = entry.AAAA;
    zone.set(normaliseName(name), e);
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
  const entry = zone.get(normaliseName(name));
  if (!entry) return { kind: 'nxdomain' };
  const records = entry[type];
  if (!records || records.length === 0) return { kind: 'nodata' };
  return { kind: 'answer', records: records as NonNullable<ZoneEntry[K]>[number][] };
}
