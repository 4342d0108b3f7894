/** Typed errors mapped to messages and exit codes at the CLI edge (STYLE.md habit 5). */
import { inlineSafe } from './common/text.js';

/** Bad input: a file that is not JSON, a property of the wrong type, an unreadable folder. Exit 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    message: string,
    readonly file?: string,
    readonly property?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A bad profile or flag combination. Exit 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly column?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Something outside the machine could not be reached (DNS, SMTP, HTTP). */
export class ConnectivityError extends Error {
  override readonly name: string = 'ConnectivityError';
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * What a file is used for, which decides the error class and the advice: an `input` (the export, a domain list,
 * recorded answers) is an InputError; a `config` file (the profile, a scenario) and an `output` (a --out path) are
 * ConfigErrors, as their other errors are.
 */
export type FileRole = 'input' | 'config' | 'output';

/** What a path is when it is not a regular file (node:fs Stats). */
export type FileKind = 'folder' | 'fifo' | 'device' | 'socket' | 'other';

const KIND_WORDS: Readonly<Record<FileKind, string>> = {
  folder: 'a folder',
  fifo: 'a FIFO (named pipe)',
  device: 'a device',
  socket: 'a socket',
  other: 'a special file',
};

/** Each errno in words, and what to do about it when reading and when writing. */
const FS_PROBLEMS: Readonly<
  Record<string, { what: string; read: string; write: string; whatWriting?: string }>
> = {
  ENOENT: {
    what: 'no such file or folder',
    read: 'check the path',
    // Writing, the file itself is new: what is missing is a folder on its way.
    whatWriting: 'the folder it goes into does not exist',
    write: 'create that folder first, or choose another path',
  },
  ENOTDIR: {
    what: 'a part of the path is a file, not a folder',
    read: 'check the path',
    write: 'choose another path',
  },
  EISDIR: {
    what: 'it is a folder, not a file',
    read: 'give the path of a file',
    write: 'give the path of a file to write, not a folder',
  },
  ELOOP: {
    what: 'too many levels of symbolic links (a link loop)',
    read: 'fix the links, or give the real path',
    write: 'fix the links, or give the real path',
  },
  EACCES: {
    what: 'permission denied',
    read: 'run mxlock as a user who may read it, or copy it somewhere readable',
    write: 'choose a folder you may write to, or change its permissions',
  },
  EROFS: {
    what: 'the file system is read-only',
    read: 'check the path',
    write: 'choose a place on a writable file system',
  },
  ENOSPC: {
    what: 'no space left on the device',
    read: 'free some space, then run again',
    write: 'free some space, or choose another place',
  },
  EDQUOT: {
    what: 'the disk quota is used up',
    read: 'free some space, then run again',
    write: 'free some space, or choose another place',
  },
  EEXIST: {
    what: 'something is already in the way there (a file, folder or link)',
    read: 'check the path',
    write: 'remove it, or choose another path',
  },
  ENOTEMPTY: {
    what: 'a folder in the way is not empty',
    read: 'check the path',
    write: 'move that folder away, or choose another path',
  },
  ENAMETOOLONG: {
    what: 'the path, or a name in it, is too long for the file system',
    read: 'use a shorter path (move or rename the file)',
    write: 'choose a shorter path',
  },
  EMFILE: {
    what: 'too many files are open',
    read: 'raise the limit (ulimit -n) or close other programs, then run again',
    write: 'raise the limit (ulimit -n) or close other programs, then run again',
  },
  EIO: {
    what: 'an input/output error (the disk or the network share failed)',
    read: 'check the device, then run again',
    write: 'check the device, or choose another place',
  },
  EBUSY: {
    what: 'busy: another program is using it',
    read: 'close that program, then run again',
    write: 'close that program, or choose another path',
  },
  ENXIO: {
    what: 'it is a device that is not there',
    read: 'give the path of a regular file',
    write: 'give the path of a regular file',
  },
  EINVAL: {
    what: 'the file system does not accept that name',
    read: 'check the path',
    write: 'choose another name',
  },
  EFBIG: {
    what: 'too large for the file system',
    read: 'check the file',
    write: 'choose another place',
  },
  ESTALE: {
    what: 'a stale handle on a network share',
    read: 'remount the share, then run again',
    write: 'remount the share, or choose another place',
  },
  EAGAIN: {
    what: 'temporarily unavailable',
    read: 'run again',
    write: 'run again',
  },
};
const SAME_AS: Readonly<Record<string, string>> = {
  EPERM: 'EACCES',
  ENFILE: 'EMFILE',
  ETXTBSY: 'EBUSY',
  ENODEV: 'ENXIO',
};

function fileError(role: FileRole, path: string, doing: string, what: string, todo: string, cause?: unknown) {
  // One line whatever the path holds: a newline or an escape sequence in a file name is shown, not obeyed.
  const message = `${inlineSafe(path)}: cannot ${doing}: ${what}; ${todo}`;
  const options = cause === undefined ? {} : { cause };
  return role === 'input'
    ? new InputError(message, path, undefined, options)
    : new ConfigError(message, path, undefined, undefined, options);
}

/**
 * The one translation of a file-system error (an errno from node:fs) into what a person reads: `<path>: cannot
 * <doing>: <what happened>; <what to do>`, one line, the path escaped. `danglingLink`: the path is a symbolic link
 * whose target is gone (ENOENT would otherwise say "no such file", or "no such folder", of a name the person sees).
 */
export function fileSystemError(
  role: FileRole,
  path: string,
  doing: string,
  cause: unknown,
  facts: { danglingLink?: boolean } = {},
): InputError | ConfigError {
  const raw = (cause as { code?: unknown } | undefined)?.code;
  const code = typeof raw === 'string' ? (SAME_AS[raw] ?? raw) : undefined;
  const writing = role === 'output';
  if (code === 'ENOENT' && facts.danglingLink)
    return fileError(
      role,
      path,
      doing,
      'it is a symbolic link to something that does not exist',
      writing ? 'fix the link, or choose another path' : 'fix the link, or give the path of the file itself',
      cause,
    );
  const known = code === undefined ? undefined : FS_PROBLEMS[code];
  if (known)
    return writing
      ? fileError(role, path, doing, known.whatWriting ?? known.what, known.write, cause)
      : fileError(role, path, doing, known.what, known.read, cause);
  // Node's message repeats the path after the system call (`EXYZ: text, open '/x'`): keep the code and the text.
  const text = inlineSafe(describeError(cause).replace(/, \w+ '.*'$/s, ''));
  return fileError(
    role,
    path,
    doing,
    text,
    writing ? 'check the path, or choose another' : 'check the path and the file, then run again',
    cause,
  );
}

/**
 * A path that is not a regular file where mxlock reads or writes one. Read, a device or FIFO would block or grow
 * without end (`/dev/zero` behind `x.json`); written, it is not a report or a profile.
 */
export function notRegularFileError(
  role: FileRole,
  path: string,
  doing: string,
  kind: FileKind,
): InputError | ConfigError {
  const writing = role === 'output';
  if (kind === 'folder') {
    const eisdir = FS_PROBLEMS['EISDIR']!;
    return fileError(role, path, doing, eisdir.what, writing ? eisdir.write : eisdir.read);
  }
  return writing
    ? fileError(role, path, doing, `it is ${KIND_WORDS[kind]}, not a regular file`, 'choose another path')
    : fileError(
        role,
        path,
        doing,
        `it is ${KIND_WORDS[kind]}, not a regular file (mxlock reads regular files only, so that a device or FIFO cannot block it or grow without end)`,
        'give the path of a regular file',
      );
}
