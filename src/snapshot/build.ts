/** Raw export files (bytes) → typed Snapshot. Pure: the caller did the reading. */
import { InputError } from '../errors.js';
import { DnsJsonSchema, zoneFromJson, type DnsZone } from '../common/zone.js';
import { decodeText, parseJson } from './decode.js';
import { notThisCmdlet, parseCmdlet, toObjectList } from './normalize.js';
import { mapScubaGear } from './scubagear.js';
import { bundleShape, keyOf } from './shape.js';
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
  /** Files of other tools found in a folder (ScubaGear's ProviderSettingsExport.json, ScubaResults_<id>.json). */
  tools?: RawFile[];
}

/** dns.json (or a bundle's `dns`) → zone; a bad entry is an InputError naming the file and the field. */
export function parseDns(raw: unknown, file: string): DnsZone {
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
    if (key === 'dns') {
      snapshot.dns = parseDns(value, file);
      return;
    }
    const foreign = notThisCmdlet(key, value, file);
    if (foreign !== undefined) snapshot.warnings.push(foreign);
    else (snapshot.data as Record<string, unknown>)[key] = parseCmdlet(key, value, file);
  };

  const decodeToText = (f: RawFile) => {
    const { text, encoding } = decodeText(f.bytes, f.path);
    if (encoding === 'windows-1252') {
      snapshot.warnings.push(
        `${f.path}: not UTF-8; read as Windows-1252 (re-export with -Encoding utf8 to be sure of non-ASCII names)`,
      );
    }
    return text;
  };
  const decode = (f: RawFile) => {
    const text = decodeToText(f);
    if (text.trim() === '') {
      // `Get-X | ConvertTo-Json | Out-File` writes an empty file when the cmdlet returned nothing.
      snapshot.warnings.push(`${f.path}: empty file read as "no objects" (if the export failed, re-run it)`);
      return [];
    }
    return parseJson(text, f.path);
  };

  // Another tool's export (DESIGN §3.1): read after mxlock's own files, which win for the cmdlets they hold.
  let scuba: { value: Record<string, unknown>; text: string; path: string } | undefined;
  const tool = (f: RawFile) => {
    const text = decodeToText(f);
    const shape = bundleShape(parseJson(text, f.path));
    if (shape.kind === 'other' || shape.kind === 'bundle') return shape;
    if (scuba)
      throw new InputError(`${f.path}: a second ScubaGear export (also ${scuba.path}); keep one`, f.path);
    scuba = { value: shape.value, text, path: f.path };
    return shape;
  };
  const refuse = (f: RawFile, shape: { looksLike: string; todo: string }, what: string): never => {
    throw new InputError(`${f.path}: not ${what}: it looks like ${shape.looksLike}; ${shape.todo}`, f.path);
  };

  if (raw.bundle) {
    const text = decodeToText(raw.bundle);
    const shape = text.trim() === '' ? undefined : bundleShape(parseJson(text, raw.bundle.path));
    if (shape?.kind === 'scubagear') tool(raw.bundle);
    else if (shape?.kind === 'bundle') {
      for (const [k, v] of Object.entries(shape.value)) {
        const key = keyOf(k);
        if (key) take(key, v, `${raw.bundle.path}#${k}`);
        else if (!k.startsWith('@') && k !== 'schemaVersion' && k !== 'collectedAt')
          snapshot.warnings.push(`${raw.bundle.path}: ignored unknown key "${k}"`);
      }
    } else {
      refuse(
        raw.bundle,
        shape ?? { looksLike: 'an empty file', todo: 'export again' },
        'an mxlock snapshot bundle',
      );
    }
  }
  for (const f of raw.tools ?? []) {
    const shape = tool(f);
    if (shape.kind === 'bundle') {
      refuse(
        f,
        { looksLike: 'an mxlock snapshot bundle', todo: 'name it snapshot.json' },
        'a ScubaGear provider export',
      );
    } else if (shape.kind === 'other') refuse(f, shape, 'a ScubaGear provider export');
  }
  for (const f of raw.files) {
    const key = keyOf(f.name);
    if (!key) continue;
    take(key, decode(f), f.path);
  }
  if (scuba) {
    const mapped = mapScubaGear(scuba.value, scuba.text, scuba.path);
    snapshot.origin = { tool: 'ScubaGear', ...(mapped.version ? { version: mapped.version } : {}) };
    snapshot.warnings.push(...mapped.warnings);
    const taken = mapped.entries.filter((e) => !seen.has(e.cmdlet));
    if (mapped.entries.length === 0) {
      throw new InputError(
        `${scuba.path}: this ScubaGear export holds no Exchange Online or Defender settings: run Invoke-SCuBA with -ProductNames exo and defender (securitysuite in recent versions)`,
        scuba.path,
      );
    }
    for (const e of taken) {
      take(e.cmdlet, e.value, `${scuba.path}#${e.key}`);
      const partial = mapped.partial[e.cmdlet];
      if (partial) snapshot.partial = { ...snapshot.partial, [e.cmdlet]: partial };
    }
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
