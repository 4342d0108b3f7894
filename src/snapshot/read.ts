/**
 * Reads an export folder or a `snapshot.json` bundle (DESIGN §3.1) from disk, gzip allowed (`*.json.gz`). A ScubaGear
 * ProviderSettingsExport.json (or ScubaResults_<id>.json) is read too, given by path or found in the folder.
 * The I/O edge of the snapshot: everything after it is pure.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../errors.js';
import { buildSnapshot, type RawExport } from './build.js';
import type { Snapshot } from './types.js';

/** ScubaGear's default output names (Orchestrator.psm1: OutProviderFileName, OutJsonFileName + report UUID). */
const SCUBAGEAR_FILE = /^(ProviderSettingsExport|ScubaResults)[^/\\]*\.json(\.gz)?$/i;

/** Far above any real tenant export (a 300-rule Get-TransportRule is a few MB); guards against the wrong file. */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;

async function readBytes(path: string): Promise<Uint8Array> {
  const info = await stat(path);
  if (info.size > MAX_FILE_BYTES) {
    throw new InputError(
      `${path}: ${info.size} bytes is larger than the ${MAX_FILE_BYTES}-byte limit for one export file`,
      path,
    );
  }
  const bytes = await readFile(path);
  if (path.toLowerCase().endsWith('.gz')) {
    try {
      return gunzipSync(bytes, { maxOutputLength: MAX_FILE_BYTES });
    } catch (cause) {
      throw new InputError(
        `${path}: not a readable gzip file (${(cause as Error).message})`,
        path,
        undefined,
        { cause },
      );
    }
  }
  return bytes;
}

export async function readExport(path: string): Promise<Snapshot> {
  let info;
  try {
    info = await stat(path);
  } catch (cause) {
    throw new InputError(`${path}: no such export folder or snapshot.json`, path, undefined, { cause });
  }
  if (info.isDirectory()) {
    const entries = await readdir(path);
    const raw: RawExport = { source: path, files: [] };
    // Read in parallel: a cold start spends more time waiting on the disk than parsing (DESIGN §8).
    const names = entries.sort().filter((entry) => /\.json(\.gz)?$/i.test(entry));
    const files = await Promise.all(
      names.map(async (entry) => {
        const full = join(path, entry);
        return { name: entry, path: full, bytes: await readBytes(full) };
      }),
    );
    for (const file of files) {
      if (/^snapshot\.json(\.gz)?$/i.test(file.name)) raw.bundle = file;
      else if (SCUBAGEAR_FILE.test(file.name)) (raw.tools ??= []).push(file);
      else raw.files.push(file);
    }
    return buildSnapshot(raw);
  }
  return buildSnapshot({
    source: path,
    bundle: { name: basename(path), path, bytes: await readBytes(path) },
    files: [],
  });
}
