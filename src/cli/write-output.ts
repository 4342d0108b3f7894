/**
 * Every file mxlock writes goes through here (issue 10: "writing is dangerous"). A report, a profile, recorded DNS or a
 * plan folder is never written through a symbolic link, never over a file of the export being read, never over an
 * existing file without --force, and never half: a file is written beside its target and renamed over it, a plan
 * folder is written whole beside the target and swapped in, so a failure leaves what was there as it was.
 */
import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import {
  lstat,
  mkdir,
  mkdtemp,
  open,
  readdir,
  realpath,
  rename,
  rm,
  writeFile,
  type FileHandle,
} from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { boundedList, inlineSafe } from '../common/text.js';
import { ConfigError, fileSystemError, notRegularFileError } from '../errors.js';
import { kindOf, readFromExportFolder } from '../snapshot/read.js';
import { PROFILE_FILE_NAME } from '../profile/load.js';

/** An export folder a run reads, by its real path; `profile`: the profile beside it is read too. */
export interface ExportFolder {
  path: string;
  profile: boolean;
}

/**
 * Real paths of the files a run reads, and of the export folders it reads them from (`diff` reads two): a new file in
 * one whose name the export reader reads (`readFromExportFolder`) or that is the profile beside it would be read by
 * the next run as part of the export.
 */
export class InputPaths extends Set<string> {
  folders: ExportFolder[] = [];
}

/** The inputs of a run that reads several exports: every file and every folder of each. */
export function mergeInputs(sets: readonly InputPaths[]): InputPaths {
  const out = new InputPaths();
  for (const set of sets) {
    for (const p of set) out.add(p);
    out.folders.push(...set.folders);
  }
  return out;
}

export interface OutputGuard {
  /** Overwrite an existing output (an earlier report, an earlier plan). */
  force: boolean;
  /** Real paths of the files this run reads: never written over, --force or not. */
  inputs: ReadonlySet<string> & { folders?: readonly ExportFolder[] };
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (cause) {
    if ((cause as { code?: unknown }).code === 'ENOENT') return undefined;
    throw fileSystemError('output', path, 'write it', cause);
  }
}

/** An existing output path that is not what a command writes there: a folder for a file, a file for a folder… */
function notWritable(path: string, st: Stats, want: 'file' | 'folder'): Error {
  if (want === 'folder')
    return new ConfigError(
      `${inlineSafe(path)}: cannot write the folder: it exists and is not a folder; choose another path`,
      path,
    );
  return notRegularFileError('output', path, 'write it', kindOf(st));
}

const SYMLINK =
  'is a symbolic link: mxlock never writes through one (it may point anywhere); remove it or choose another path';

/** A folder that is missing because it is a symbolic link to nothing: the message names the link. */
async function isDanglingLink(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined))?.isSymbolicLink() === true;
}

/** The path as it will be written: its folder's real path and its own name (the folder must exist). */
async function realTarget(path: string): Promise<string> {
  const dir = dirname(resolve(path));
  try {
    return join(await realpath(dir), basename(path));
  } catch (cause) {
    if (await isDanglingLink(dir))
      throw fileSystemError('output', dir, 'write into it', cause, { danglingLink: true });
    throw fileSystemError('output', path, 'write it', cause);
  }
}

function suffix(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Where one output file goes, once the refusals are passed: not through a link, not over something that is not a
 * regular file, never over an input, over an existing file only with --force (`elsewhere` says how else to write).
 */
async function outputTarget(
  path: string,
  guard: OutputGuard,
  elsewhere: string,
): Promise<{ target: string; exists: boolean }> {
  const st = await lstatOrUndefined(path);
  if (st?.isSymbolicLink()) throw new ConfigError(`${inlineSafe(path)} ${SYMLINK}`, path);
  if (st && !st.isFile()) throw notWritable(path, st, 'file');
  const target = await realTarget(path);
  if (guard.inputs.has(target))
    throw new ConfigError(
      `${path} is a file this run reads (the export or the profile): writing over it would change what the next run reads; choose another path`,
      path,
    );
  const name = basename(target);
  if (
    (guard.inputs.folders ?? []).some(
      (folder) =>
        dirname(target) === folder.path &&
        (readFromExportFolder(name) || (folder.profile && name === PROFILE_FILE_NAME)),
    )
  )
    throw new ConfigError(
      `${inlineSafe(path)}: cannot write it into the export folder this run reads: the next run would read it as part of the export; choose another path`,
      path,
    );
  if (st && !guard.force)
    throw new ConfigError(`${path} already exists; use --force to overwrite it, or ${elsewhere}`, path);
  return { target, exists: st !== undefined };
}

/** Writes one output file: refused through a link, over an input, over an existing file without --force. */
export async function writeOutputFile(path: string, text: string, guard: OutputGuard): Promise<void> {
  const { target } = await outputTarget(path, guard, '--out <file> to write elsewhere');
  const tmp = join(dirname(target), `.${basename(target)}.mxlock-${suffix()}.tmp`);
  try {
    await writeFile(tmp, text, { flag: 'wx' });
    await rename(tmp, target);
  } catch (cause) {
    await rm(tmp, { force: true });
    throw fileSystemError('output', path, 'write it', cause);
  }
}

/**
 * Writes an output folder (the plan's files) whole. An existing folder is replaced only with --force and only when
 * everything in it is a file an earlier run of the same command wrote (`ours`), so --force never deletes anything
 * else and no stale file of an earlier plan survives; the new folder is written beside the target and swapped in.
 */
export async function writeOutputFolder(
  dir: string,
  files: Readonly<Record<string, string>>,
  guard: OutputGuard & {
    ours: (name: string) => boolean;
    what: string;
    /** Files of the person's beside ours that survive the replacement (the profile beside a collected export). */
    keep?: (name: string) => boolean;
  },
): Promise<void> {
  const keep = guard.keep ?? (() => false);
  let kept: string[] = [];
  const st = await lstatOrUndefined(dir);
  if (st?.isSymbolicLink()) throw new ConfigError(`${inlineSafe(dir)} ${SYMLINK}`, dir);
  if (st && !st.isDirectory()) throw notWritable(dir, st, 'folder');
  if (st) {
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch (cause) {
      throw fileSystemError('output', dir, 'read what it holds', cause);
    }
    for (const e of entries) {
      const est = await lstatOrUndefined(join(dir, e));
      if (est?.isSymbolicLink())
        throw new ConfigError(`${inlineSafe(join(dir, e))} ${SYMLINK}`, join(dir, e));
    }
    kept = entries.filter((e) => keep(e) && files[e] === undefined);
    if (entries.length > kept.length && !guard.force)
      throw new ConfigError(
        `${dir} already holds files; use --force to overwrite them (an earlier ${guard.what} is replaced whole), or --out for another folder`,
        dir,
      );
    const foreign = entries.filter((e) => !guard.ours(e) && !kept.includes(e));
    if (foreign.length > 0)
      throw new ConfigError(
        `${dir} holds files that are not an earlier ${guard.what}'s (${boundedList(foreign, 5)}): --force replaces an earlier ${guard.what} only; move them or choose another --out`,
        dir,
      );
  }
  const parent = dirname(resolve(dir));
  try {
    await mkdir(parent, { recursive: true });
  } catch (cause) {
    const danglingLink = await isDanglingLink(parent);
    throw fileSystemError('output', parent, 'create it', cause, { danglingLink });
  }
  const target = await realTarget(dir);
  for (const name of Object.keys(files))
    if (guard.inputs.has(join(target, name)))
      throw new ConfigError(`${join(dir, name)} is a file this run reads: choose another --out`, dir);
  let tmp: string;
  try {
    tmp = await mkdtemp(join(dirname(target), `.${basename(target)}.mxlock-`));
  } catch (cause) {
    throw fileSystemError('output', dirname(target), 'write into it', cause);
  }
  try {
    for (const [name, text] of Object.entries(files)) await writeFile(join(tmp, name), text, { flag: 'wx' });
  } catch (cause) {
    await rm(tmp, { recursive: true, force: true });
    throw fileSystemError('output', dir, 'write the new files', cause);
  }
  if (!st) {
    try {
      await rename(tmp, target);
    } catch (cause) {
      await rm(tmp, { recursive: true, force: true });
      throw fileSystemError('output', dir, 'create it', cause);
    }
    return;
  }
  // What is kept moves into the new folder (a rename: never copied, never lost); a failure puts it back.
  const moved: string[] = [];
  try {
    for (const name of kept) {
      await rename(join(target, name), join(tmp, name));
      moved.push(name);
    }
  } catch (cause) {
    for (const name of moved) await rename(join(tmp, name), join(target, name)).catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
    throw fileSystemError('output', dir, 'replace it', cause);
  }
  // Swap: the old folder aside, the new one in, the old one removed; a failed swap puts the old one back.
  const old = join(dirname(target), `.${basename(target)}.old-${suffix()}`);
  try {
    await rename(target, old);
  } catch (cause) {
    for (const name of moved) await rename(join(tmp, name), join(target, name)).catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
    throw fileSystemError('output', dir, 'replace it', cause);
  }
  try {
    await rename(tmp, target);
  } catch (cause) {
    await rename(old, target).catch(() => undefined);
    for (const name of moved) await rename(join(tmp, name), join(target, name)).catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
    throw fileSystemError('output', dir, 'replace it', cause);
  }
  await rm(old, { recursive: true, force: true });
}

/**
 * The real paths of the files a run reads: the export (a folder's JSON and YAML files, or the one file given) and the
 * profile. Unreadable entries are left out: the reader reports them.
 */
export async function inputsOf(
  exportPath: string,
  profilePath?: string,
  options: { profiles: boolean } = { profiles: true },
): Promise<InputPaths> {
  const out = new InputPaths();
  const add = async (p: string) => {
    try {
      out.add(await realpath(p));
    } catch {
      // Not there (yet): nothing to protect.
    }
  };
  const st = await lstatOrUndefined(exportPath).catch(() => undefined);
  if (st?.isDirectory()) {
    const real = await realpath(exportPath).catch(() => undefined);
    if (real !== undefined) out.folders.push({ path: real, profile: options.profiles });
    const entries = await readdir(exportPath).catch(() => [] as string[]);
    await Promise.all(
      entries
        .filter((e) => (options.profiles ? /\.(json|json\.gz|ya?ml)$/i : /\.(json|json\.gz)$/i).test(e))
        .map((e) => add(join(exportPath, e))),
    );
  } else await add(exportPath);
  if (profilePath) await add(profilePath);
  return out;
}

/**
 * The inputs of a command that reads its own files beside an optional export and profile (`headers`, `dmarc`): the
 * export's files (and its folder), the profile, and each file named.
 */
export async function inputsOfRun(
  exportPath: string | undefined,
  profilePath: string | undefined,
  files: readonly string[],
): Promise<InputPaths> {
  const inputs = exportPath ? await inputsOf(exportPath, profilePath) : new InputPaths();
  if (!exportPath && profilePath) for (const p of await inputsOf(profilePath)) inputs.add(p);
  for (const f of files) for (const p of await inputsOf(f)) inputs.add(p);
  return inputs;
}

/**
 * Opens a file that a long run writes as it goes (the emulator's decision log): the same refusals as
 * `writeOutputFile` (a link, an input, an existing file without --force), and a link put in its place since the check
 * is refused by the open itself (O_NOFOLLOW) rather than followed. Not written beside and renamed in: a log is read
 * while it grows.
 */
export async function openOutputLog(path: string, guard: OutputGuard): Promise<FileHandle> {
  const { target, exists } = await outputTarget(path, guard, 'choose another path');
  const flags =
    constants.O_WRONLY |
    constants.O_CREAT |
    (constants.O_NOFOLLOW ?? 0) |
    (exists ? constants.O_TRUNC : constants.O_EXCL);
  try {
    return await open(target, flags, 0o644);
  } catch (cause) {
    throw fileSystemError('output', path, 'write it', cause);
  }
}
