/** Raw export files (bytes) → typed Snapshot. Pure: the caller did the reading. */
import { appendAll } from '../common/text.js';
import { InputError } from '../errors.js';
import {
  AMBIGUOUS_ANSWER,
  DnsJsonSchema,
  RECORD_TYPES,
  zoneFromJson,
  type DnsZone,
  type RecordType,
} from '../common/zone.js';
import { COLLECTION_FILE_NAME, readCollectionErrors } from './collection.js';
import { decodeText, parseJson } from './decode.js';
import { AmbiguousValue, readSame, settleDuplicateKeys, type CheckedJson } from './duplicates.js';
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

/** Nothing is ambiguous: for JSON read without duplicate keys (tests, the live recorder). */
const CLEAR: CheckedJson['ambiguous'] = () => false;

/**
 * dns.json with its keys given twice (duplicates.ts) made into recorded failures: a name given twice with different
 * answers fails every lookup, a type given twice fails that type (DESIGN §1.1: unknown, never NXDOMAIN or NODATA).
 */
function settleAmbiguousAnswers(raw: unknown, ambiguous: CheckedJson['ambiguous']): unknown {
  if (!ambiguous(raw) || raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const failAll = (): Partial<Record<RecordType, string>> =>
    Object.fromEntries(RECORD_TYPES.map((t) => [t, AMBIGUOUS_ANSWER]));
  const out: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(raw)) {
    if (entry instanceof AmbiguousValue) out[name] = { error: failAll() };
    else if (entry === null || typeof entry !== 'object' || Array.isArray(entry) || !ambiguous(entry))
      out[name] = entry;
    else {
      const settled: Record<string, unknown> = {};
      const failed: Partial<Record<RecordType, string>> = {};
      for (const [k, v] of Object.entries(entry)) {
        const type = RECORD_TYPES.find((t) => t === k);
        if (type && ambiguous(v)) failed[type] = AMBIGUOUS_ANSWER;
        else if (k === 'error' && ambiguous(v)) Object.assign(failed, failAll());
        else settled[k] = v;
      }
      const recorded = settled['error'];
      settled['error'] = {
        ...(recorded !== null && typeof recorded === 'object' ? recorded : {}),
        ...failed,
      };
      out[name] = settled;
    }
  }
  return out;
}

/**
 * dns.json (or a bundle's `dns`) → zone; a bad entry is an InputError naming the file and the field. `ambiguous` tells
 * the keys given twice with different values (duplicates.ts); `warn` hears of names that are one name written twice.
 */
export function parseDns(
  raw: unknown,
  file: string,
  ambiguous: CheckedJson['ambiguous'] = CLEAR,
  warn: (warning: string) => void = () => {},
): DnsZone {
  const v = raw === null ? {} : settleAmbiguousAnswers(raw, ambiguous);
  const parsed = DnsJsonSchema.safeParse(v);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path =
      issue?.path.map((p) => (typeof p === 'number' ? `[${p}]` : `["${String(p)}"]`)).join('') ?? '';
    throw new InputError(`${file}: ${path || '(root)'}: ${issue?.message ?? 'invalid'}`, file, path);
  }
  return zoneFromJson(parsed.data, (w) => warn(`${file}: ${w}`));
}

/** JSON text → value, its keys given twice settled (duplicates.ts); `pending` collects it for the warnings. */
export function parseJsonInput(text: string, file: string, pending: CheckedJson[]): CheckedJson {
  const checked = settleDuplicateKeys(parseJson(text, file), text, file);
  pending.push(checked);
  return checked;
}

export function buildSnapshot(raw: RawExport): Snapshot {
  const snapshot: Snapshot = { source: raw.source, data: {}, dns: undefined, missing: [], warnings: [] };
  // Every JSON read, for the warnings about keys given twice: worded once the readers have decided (duplicates.ts).
  const pending: CheckedJson[] = [];
  const seen = new Map<string, string>();
  const take = (
    key: CmdletName | 'dns',
    value: unknown,
    file: string,
    ambiguous: CheckedJson['ambiguous'],
  ) => {
    const prior = seen.get(key);
    if (prior) throw new InputError(`${file}: ${key} is given twice (also in ${prior}); keep one`, file);
    seen.set(key, file);
    if (value instanceof AmbiguousValue) {
      // Given twice with different values: read only when both read the same, else missing (dns: not analysed).
      if (key === 'dns') return;
      const same = readSame(value, (c) => {
        try {
          return notThisCmdlet(key, c, file) === undefined
            ? { ok: true, value: parseCmdlet(key, c, file) }
            : { ok: false };
        } catch (err) {
          if (err instanceof InputError) return { ok: false };
          throw err;
        }
      });
      if (same) (snapshot.data as Record<string, unknown>)[key] = same.value;
      return;
    }
    if (key === 'dns') {
      snapshot.dns = parseDns(value, file, ambiguous, (w) => snapshot.warnings.push(w));
      return;
    }
    const foreign = notThisCmdlet(key, value, file);
    if (foreign !== undefined) snapshot.warnings.push(foreign);
    else {
      const unknown = new Set<string>();
      (snapshot.data as Record<string, unknown>)[key] = parseCmdlet(key, value, file, {
        ambiguous,
        onAmbiguous: (property) => unknown.add(property),
      });
      if (unknown.size > 0) snapshot.ambiguous = { ...snapshot.ambiguous, [key]: [...unknown].sort() };
    }
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
  const decode = (f: RawFile): CheckedJson => {
    const text = decodeToText(f);
    if (text.trim() === '') {
      // `Get-X | ConvertTo-Json | Out-File` writes an empty file when the cmdlet returned nothing.
      snapshot.warnings.push(`${f.path}: empty file read as "no objects" (if the export failed, re-run it)`);
      return { value: [], warnings: () => [], ambiguous: CLEAR };
    }
    return parseJsonInput(text, f.path, pending);
  };

  // Another tool's export (DESIGN §3.1): read after mxlock's own files, which win for the cmdlets they hold.
  let scuba:
    | { value: Record<string, unknown>; text: string; path: string; ambiguous: CheckedJson['ambiguous'] }
    | undefined;
  const tool = (f: RawFile) => {
    const text = decodeToText(f);
    const { value, ambiguous } = parseJsonInput(text, f.path, pending);
    const shape = bundleShape(value);
    if (shape.kind === 'other' || shape.kind === 'bundle') return shape;
    if (scuba)
      throw new InputError(`${f.path}: a second ScubaGear export (also ${scuba.path}); keep one`, f.path);
    scuba = { value: shape.value, text, path: f.path, ambiguous };
    return shape;
  };
  const refuse = (f: RawFile, shape: { looksLike: string; todo: string }, what: string): never => {
    throw new InputError(`${f.path}: not ${what}: it looks like ${shape.looksLike}; ${shape.todo}`, f.path);
  };

  if (raw.bundle) {
    const text = decodeToText(raw.bundle);
    // A ScubaGear export given as snapshot.json is parsed again by `tool`, which collects it for the warnings.
    const checked = text.trim() === '' ? undefined : parseJsonInput(text, raw.bundle.path, []);
    const shape = checked === undefined ? undefined : bundleShape(checked.value);
    if (shape?.kind === 'scubagear') tool(raw.bundle);
    else if (shape?.kind === 'bundle') {
      const ambiguous = checked?.ambiguous ?? CLEAR;
      if (checked) pending.push(checked);
      for (const [k, v] of Object.entries(shape.value)) {
        const key = keyOf(k);
        if (key) take(key, v, `${raw.bundle.path}#${k}`, ambiguous);
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
    if (!key) {
      if (f.name.toLowerCase() === COLLECTION_FILE_NAME) {
        const read = readCollectionErrors(f);
        if ('warning' in read) snapshot.warnings.push(read.warning);
        else snapshot.collection = read.collection;
      }
      continue;
    }
    const { value, ambiguous } = decode(f);
    take(key, value, f.path, ambiguous);
  }
  if (scuba) {
    const mapped = mapScubaGear(scuba.value, scuba.text, scuba.path);
    snapshot.origin = { tool: 'ScubaGear', ...(mapped.version ? { version: mapped.version } : {}) };
    appendAll(snapshot.warnings, mapped.warnings);
    const taken = mapped.entries.filter((e) => !seen.has(e.cmdlet));
    if (mapped.entries.length === 0) {
      throw new InputError(
        `${scuba.path}: this ScubaGear export holds no Exchange Online or Defender settings: run Invoke-SCuBA with -ProductNames exo and defender (securitysuite in recent versions)`,
        scuba.path,
      );
    }
    for (const e of taken) {
      take(e.cmdlet, e.value, `${scuba.path}#${e.key}`, scuba.ambiguous);
      const partial = mapped.partial[e.cmdlet];
      if (partial) snapshot.partial = { ...snapshot.partial, [e.cmdlet]: partial };
    }
  }
  for (const checked of pending) appendAll(snapshot.warnings, checked.warnings());
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
