/**
 * The I/O edge of `mxlock dmarc`: the files and folders named on the command line, read one at a time (each file's
 * reports are kept, its bytes dropped). Folders are walked for regular files only: a symbolic link is never followed
 * (it could lead out of the folder, or loop), and the walk is bounded in depth and files. Every file goes through the
 * project's one bounded reader (snapshot/read.ts readInputFile), gzip left to the capped inflater.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inlineSafe } from '../common/text.js';
import { fileSystemError, InputError } from '../errors.js';
import { readInputFile } from '../snapshot/read.js';
import {
  DEFAULT_READ_LIMITS,
  extractReports,
  ReadBudget,
  type FoundReport,
  type ReadLimits,
} from './extract.js';

/** One report file, an email or an mbox (bytes): far above a year of one domain's reports in one mailbox. */
export const MAX_DMARC_FILE_BYTES = 128 * 1024 * 1024;
/** Files read from the folders of one run. */
export const MAX_FILES = 20_000;
/** Folder levels walked below a folder argument. */
export const MAX_WALK_DEPTH = 8;

export interface ReadReports {
  reports: FoundReport[];
  notes: string[];
  /** Every file read (for --out: never written over an input). */
  files: string[];
}

/** What the run has read so far: the files of its folders, and the report XML and records (extract.ts ReadBudget). */
interface RunBudget {
  files: number;
  read: ReadBudget;
}

async function readOne(path: string, strict: boolean, out: ReadReports, budget: RunBudget): Promise<void> {
  const bytes = await readInputFile(path, {
    role: 'input',
    what: 'the report',
    limit: { bytes: MAX_DMARC_FILE_BYTES, for: 'one DMARC report, email or mbox' },
    gunzip: false,
  });
  out.files.push(path);
  const found = extractReports(path, bytes, { strict, budget: budget.read });
  for (const r of found.reports) out.reports.push(r);
  for (const n of found.notes) out.notes.push(n);
}

async function walk(dir: string, depth: number, out: ReadReports, budget: RunBudget): Promise<void> {
  const entries = await readdir(dir).catch((cause: unknown) => {
    throw fileSystemError('input', dir, 'read the folder', cause);
  });
  for (const name of entries.sort()) {
    const path = join(dir, name);
    const info = await lstat(path).catch((cause: unknown) => {
      throw fileSystemError('input', path, 'read it', cause);
    });
    if (info.isSymbolicLink()) {
      out.notes.push(`${inlineSafe(path)}: a symbolic link, not followed in a folder: skipped`);
    } else if (info.isDirectory()) {
      if (depth >= MAX_WALK_DEPTH)
        out.notes.push(`${inlineSafe(path)}: more than ${MAX_WALK_DEPTH} folder levels down: not read`);
      else await walk(path, depth + 1, out, budget);
    } else if (!info.isFile()) {
      out.notes.push(`${inlineSafe(path)}: not a regular file: skipped`);
    } else {
      if (++budget.files > MAX_FILES)
        throw new InputError(
          `${inlineSafe(dir)}: more than ${MAX_FILES} files in the folders given; give fewer folders at a time`,
          dir,
        );
      await readOne(path, false, out, budget);
    }
  }
}

/**
 * The reports of each path: a file is read whatever it is named (an error when it holds no report), a folder is walked
 * (files that hold no report are skipped with a note). The files together are held to `limits` (extract.ts: report
 * XML per file and per run, records per run); passing one is an error naming the file.
 */
export async function readReports(
  paths: readonly string[],
  limits: Partial<ReadLimits> = {},
): Promise<ReadReports> {
  const out: ReadReports = { reports: [], notes: [], files: [] };
  const budget: RunBudget = { files: 0, read: new ReadBudget({ ...DEFAULT_READ_LIMITS, ...limits }) };
  for (const path of paths) {
    // A path named on the command line is followed (the person chose it); links inside a folder are not.
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) await walk(path, 0, out, budget);
    else await readOne(path, true, out, budget);
  }
  return out;
}
