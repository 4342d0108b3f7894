/**
 * Reads an export folder or a `snapshot.json` bundle (DESIGN §3.1) from disk, gzip allowed (`*.json.gz`). A ScubaGear
 * ProviderSettingsExport.json (or ScubaResults_<id>.json) is read too, given by path or found in the folder.
 * The I/O edge of the snapshot: everything after it is pure.
 */
import { appendAll } from '../common/text.js';
import type { Stats } from 'node:fs';
import { lstat, open, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { gunzipBounded } from '../common/inflate.js';
import { fileSystemError, InputError, notRegularFileError, type FileKind, type FileRole } from '../errors.js';
import { buildSnapshot, type RawExport } from './build.js';
import { keyOf } from './shape.js';
import type { Snapshot } from './types.js';

/** ScubaGear's default output names (Orchestrator.psm1: OutProviderFileName, OutJsonFileName + report UUID). */
const SCUBAGEAR_FILE = /^(ProviderSettingsExport|ScubaResults)[^/\\]*\.json(\.gz)?$/i;

/** Far above any real tenant export (a 300-rule Get-TransportRule is a few MB); guards against the wrong file. */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;

/**
 * Whether the export reader reads a file of this name in an export folder: every JSON file (each is parsed, the
 * unknown ones warned about). A writer must not create one there: the next run would read it as part of the export.
 */
export function readFromExportFolder(name: string): boolean {
  return /\.json(\.gz)?$/i.test(name);
}

/** Which file is read and what for, as error messages name it: "read the profile", "read it" (an export file). */
export interface InputFile {
  role: FileRole;
  /** What is read, for "cannot read <what>": `the profile`, `the domain list`, `it`. */
  what: string;
  /** The most bytes read (default MAX_FILE_BYTES), and what the limit is for in its error ("one input file"). */
  limit?: { bytes: number; for: string } | undefined;
  /** `false`: a `.gz` file is returned as it is, for a reader that inflates under its own caps (DMARC reports). */
  gunzip?: boolean | undefined;
}

/**
 * Output/input ratio above which a gzipped export is a bomb: PowerShell's JSON of real objects (names, GUIDs, dates)
 * compresses 10–50×; DEFLATE's own maximum is about 1032× (RFC 1951). Looser than the DMARC reports' 200: a tenant
 * export of thousands of near-identical rules compresses better than a report.
 */
const EXPORT_GZIP_MAX_RATIO = 500;

const DEFAULT_LIMIT = { bytes: MAX_FILE_BYTES, for: 'one input file' };

const EXPORT_FILE: InputFile = { role: 'input', what: 'it' };

/** What a path is that is not a regular file (the reader refuses it, the writer will not write over it). */
export function kindOf(info: Stats): FileKind {
  if (info.isDirectory()) return 'folder';
  if (info.isFIFO()) return 'fifo';
  if (info.isBlockDevice() || info.isCharacterDevice()) return 'device';
  if (info.isSocket()) return 'socket';
  return 'other';
}

/**
 * stat() with its failure in words: a path whose stat says ENOENT but that is there as a symbolic link is a dangling
 * link, and the message says so (the person sees the name in `ls`).
 */
async function statOf(path: string, file: InputFile): Promise<Stats> {
  try {
    return await stat(path);
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    const link = code === 'ENOENT' && (await lstat(path).catch(() => undefined))?.isSymbolicLink() === true;
    throw fileSystemError(file.role, path, `read ${file.what}`, cause, { danglingLink: link });
  }
}

/** Reads at most the file's limit; a file that turns out larger than it said (it grew, or lied) is refused. */
async function readBounded(path: string, file: InputFile): Promise<Uint8Array> {
  const limit = file.limit ?? DEFAULT_LIMIT;
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (cause) {
    throw fileSystemError(file.role, path, `read ${file.what}`, cause);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(1 << 20);
      const { bytesRead } = await fh.read(buf, 0, buf.length, null).catch((cause: unknown) => {
        throw fileSystemError(file.role, path, `read ${file.what}`, cause);
      });
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > limit.bytes)
        throw new InputError(`${path}: larger than the ${limit.bytes}-byte limit for ${limit.for}`, path);
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
 * Every file mxlock reads comes through here: the export's, the profile, a scenario, a domain list, recorded answers.
 */
export async function readInputFile(path: string, file: InputFile = EXPORT_FILE): Promise<Uint8Array> {
  const info = await statOf(path, file);
  if (!info.isFile()) throw notRegularFileError(file.role, path, `read ${file.what}`, kindOf(info));
  const limit = file.limit ?? DEFAULT_LIMIT;
  if (info.size > limit.bytes) {
    throw new InputError(
      `${path}: ${info.size} bytes is larger than the ${limit.bytes}-byte limit for ${limit.for}`,
      path,
    );
  }
  const bytes = await readBounded(path, file);
  if (file.gunzip !== false && path.toLowerCase().endsWith('.gz')) {
    // Inflated in small steps under the file's limit and a ratio cap, so a gzip bomb named x.json.gz stops after a
    // few MiB instead of allocating the whole limit (the same inflater reads DMARC reports).
    try {
      return gunzipBounded(bytes, { maxBytes: limit.bytes, maxRatio: EXPORT_GZIP_MAX_RATIO });
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
  const info = await statOf(path, { role: 'input', what: 'the export folder or snapshot.json' });
  if (info.isDirectory()) {
    const entries = await readdir(path).catch((cause: unknown) => {
      throw fileSystemError('input', path, 'read the export folder', cause);
    });
    const raw: RawExport = { source: path, files: [] };
    // Read in parallel: a cold start spends more time waiting on the disk than parsing (DESIGN §8).
    const names = entries.sort().filter(readFromExportFolder);
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
        return { name: entry, path: full, bytes: await readInputFile(full) };
      }),
    );
    for (const file of files) {
      if (/^snapshot\.json(\.gz)?$/i.test(file.name)) raw.bundle = file;
      else if (SCUBAGEAR_FILE.test(file.name)) (raw.tools ??= []).push(file);
      else raw.files.push(file);
    }
    const snapshot = buildSnapshot(raw);
    appendAll(snapshot.warnings, skipped);
    return snapshot;
  }
  return buildSnapshot({
    source: path,
    bundle: {
      name: basename(path),
      path,
      bytes: await readInputFile(path, { role: 'input', what: 'the export folder or snapshot.json' }),
    },
    files: [],
  });
}
