/**
 * Reads an export folder or a `snapshot.json` bundle (DESIGN §3.1) from disk, gzip allowed (`*.json.gz`). A ScubaGear
 * ProviderSettingsExport.json (or ScubaResults_<id>.json) is read too, given by path or found in the folder.
 * The I/O edge of the snapshot: everything after it is pure.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../errors.js';
import { buildSnapshot, type RawExport } from './build.js';
import { keyOf } from './shape.js';
import type { Snapshot } from './types.js';

/** ScubaGear's default output names (Orchestrator.psm1: OutProviderFileName, OutJsonFileName + report UUID). */
const SCUBAGEAR_FILE = /^(ProviderSettingsExport|ScubaResults)[^/\\]*\.json(\.gz)?$/i;

/** Far above any real tenant export (a 300-rule Get-TransportRule is a few MB); guards against the wrong file. */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;

/**
 * Reads at most `limit` bytes (MAX_FILE_BYTES for an export file); a file that turns out larger than it said (it grew,
 * or lied) is refused, the error naming `what` the limit is for.
 */
export async function readBounded(
  path: string,
  limit = MAX_FILE_BYTES,
  what = 'one export file',
): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(1 << 20);
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > limit)
        throw new InputError(`${path}: larger than the ${limit}-byte limit for ${what}`, path);
      chunks.push(buf.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total);
  } finally {
    await fh.close();
  }
}

/**
 * The bytes of one regular file, read up to MAX_FILE_BYTES whatever size the file system reports: a device, FIFO or
 * socket is refused before it is opened (`/dev/zero` behind `x.json` would grow without end, a FIFO would block).
 */
async function readBytes(path: string): Promise<Uint8Array> {
  let info;
  try {
    info = await stat(path);
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    throw new InputError(
      `${path}: cannot read it (${code === 'ENOENT' ? 'a dangling link, or gone' : code === 'EACCES' ? 'permission denied' : code === 'ELOOP' ? 'too many symbolic links' : (cause as Error).message})`,
      path,
      undefined,
      { cause },
    );
  }
  if (!info.isFile())
    throw new InputError(
      `${path}: not a regular file (a folder, device, FIFO or socket); an export holds regular files only`,
      path,
    );
  if (info.size > MAX_FILE_BYTES) {
    throw new InputError(
      `${path}: ${info.size} bytes is larger than the ${MAX_FILE_BYTES}-byte limit for one export file`,
      path,
    );
  }
  const bytes = await readBounded(path);
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
    // A JSON name mxlock does not use is never opened when it is not a regular file: an entry the run does not need
    // never aborts it (a FIFO named notes.json would block, a device grow without end).
    const used = (entry: string) =>
      keyOf(entry) !== undefined || SCUBAGEAR_FILE.test(entry) || /^snapshot\.json(\.gz)?$/i.test(entry);
    const skipped: string[] = [];
    const readable = (
      await Promise.all(
        names.map(async (entry) => {
          if (used(entry)) return entry;
          const st = await stat(join(path, entry)).catch(() => undefined);
          if (st?.isFile()) return entry;
          skipped.push(
            `${join(path, entry)}: not a regular file, and not an export file mxlock uses: skipped`,
          );
          return undefined;
        }),
      )
    ).filter((e): e is string => e !== undefined);
    const files = await Promise.all(
      readable.map(async (entry) => {
        const full = join(path, entry);
        return { name: entry, path: full, bytes: await readBytes(full) };
      }),
    );
    for (const file of files) {
      if (/^snapshot\.json(\.gz)?$/i.test(file.name)) raw.bundle = file;
      else if (SCUBAGEAR_FILE.test(file.name)) (raw.tools ??= []).push(file);
      else raw.files.push(file);
    }
    const snapshot = buildSnapshot(raw);
    snapshot.warnings.push(...skipped);
    return snapshot;
  }
  return buildSnapshot({
    source: path,
    bundle: { name: basename(path), path, bytes: await readBytes(path) },
    files: [],
  });
}
