/** Raw export files (bytes) → typed Snapshot. Pure: the caller did the reading. */
import { InputError } from '../errors.js';
import { DnsJsonSchema, zoneFromJson, type DnsZone } from '../dns/zone.js';
import { decodeText, parseJson } from './decode.js';
import { parseCmdlet, toObjectList } from './normalize.js';
import { CMDLET_NAMES, type CmdletName } from './schema.js';
import type { Snapshot } from './types.js';

export interface RawFile {
  name: string;
  path: string;
  bytes: Uint8Array;
}
export interface RawExport {
  source: string;
  files: RawFile[];
  bundle?: RawFile;
}

const byLower = new Map<string, CmdletName | 'dns'>([
  ...CMDLET_NAMES.map((n) => [n.toLowerCase(), n] as const),
  ['dns', 'dns'],
]);

function keyOf(name: string): CmdletName | 'dns' | undefined {
  const base = name
    .replace(/\.json(\.gz)?$/i, '')
    .trim()
    .toLowerCase();
  return byLower.get(base) ?? byLower.get(`get-${base}`);
}

function parseDns(raw: unknown, file: string): DnsZone {
  const v = raw === null ? {} : raw;
  const parsed = DnsJsonSchema.safeParse(v);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path =
      issue?.path.map((p) => (typeof p === 'number' ? `[${p}]` : `["${String(p)}"]`)).join('') ?? '';
    throw new InputError(`${file}: ${path || '(root)'}: ${issue?.message ?? 'invalid'}`, file, path);
  }
  return zoneFromJson(parsed.data);
}

export function buildSnapshot(raw: RawExport): Snapshot {
  const snapshot: Snapshot = { source: raw.source, data: {}, dns: undefined, missing: [], warnings: [] };
  const seen = new Map<string, string>();
  const take = (key: CmdletName | 'dns', value: unknown, file: string) => {
    const prior = seen.get(key);
    if (prior) throw new InputError(`${file}: ${key} is given twice (also in ${prior}); keep one`, file);
    seen.set(key, file);
    if (key === 'dns') snapshot.dns = parseDns(value, file);
    else (snapshot.data as Record<string, unknown>)[key] = parseCmdlet(key, value, file);
  };

  const decode = (f: RawFile) => {
    const { text, encoding } = decodeText(f.bytes, f.path);
    if (encoding === 'windows-1252') {
      snapshot.warnings.push(
        `${f.path}: not UTF-8; read as Windows-1252 (re-export with -Encoding utf8 to be sure of non-ASCII names)`,
      );
    }
    if (text.trim() === '') {
      // `Get-X | ConvertTo-Json | Out-File` writes an empty file when the cmdlet returned nothing.
      snapshot.warnings.push(`${f.path}: empty file read as "no objects" (if the export failed, re-run it)`);
      return [];
    }
    return parseJson(text, f.path);
  };

  if (raw.bundle) {
    const value = decode(raw.bundle);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new InputError(
        `${raw.bundle.path}: a snapshot bundle must be a JSON object keyed by cmdlet name ("Get-InboundConnector": …)`,
        raw.bundle.path,
      );
    }
    for (const [k, v] of Object.entries(value)) {
      const key = keyOf(k);
      if (key) take(key, v, `${raw.bundle.path}#${k}`);
      else if (!k.startsWith('@') && k !== 'schemaVersion' && k !== 'collectedAt')
        snapshot.warnings.push(`${raw.bundle.path}: ignored unknown key "${k}"`);
    }
  }
  for (const f of raw.files) {
    const key = keyOf(f.name);
    if (!key) continue;
    take(key, decode(f), f.path);
  }
  snapshot.missing = CMDLET_NAMES.filter((n) => snapshot.data[n] === undefined);
  if (!raw.bundle && seen.size === 0) {
    throw new InputError(
      `${raw.source}: no export files found (expected Get-OrganizationConfig.json, Get-InboundConnector.json, … or a snapshot.json)`,
      raw.source,
    );
  }
  return snapshot;
}

export { toObjectList };
