/**
 * Issue 10 item 5: one function turns a file-system error into the message a person reads: one line, the path shown
 * escaped, what happened in words, what to do. Synthetic errno errors stand in for what cannot be produced as root
 * (EACCES, EROFS, ENOSPC, EIO…); test/cli/file-errors.test.ts runs the cases a test can produce for real.
 */
import { describe, expect, test } from 'vitest';
import { ConfigError, fileSystemError, InputError, notRegularFileError } from '../src/errors.js';

/** An error shaped like the ones node:fs rejects with. */
function errno(code: string, syscall = 'open', path = '/x/y'): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: something happened, ${syscall} '${path}'`), {
    code,
    syscall,
    path,
  });
}

const CODES = [
  'ENOENT',
  'ENOTDIR',
  'EISDIR',
  'ELOOP',
  'EACCES',
  'EPERM',
  'EROFS',
  'ENOSPC',
  'EDQUOT',
  'EEXIST',
  'ENOTEMPTY',
  'ENAMETOOLONG',
  'EMFILE',
  'ENFILE',
  'EIO',
  'EBUSY',
  'ETXTBSY',
  'ENXIO',
  'ENODEV',
  'EINVAL',
  'EFBIG',
  'ESTALE',
  'EAGAIN',
] as const;

describe('fileSystemError: every errno becomes one line naming the path, what happened and what to do', () => {
  test.each(
    CODES.flatMap((code) => (['input', 'config', 'output'] as const).map((role) => [code, role] as const)),
  )('%s while a %s is handled', (code, role) => {
    const err = fileSystemError(
      role,
      '/data/export',
      role === 'output' ? 'write it' : 'read it',
      errno(code),
    );
    expect(err).toBeInstanceOf(role === 'input' ? InputError : ConfigError);
    expect(err.file).toBe('/data/export');
    expect(err.message.split('\n')).toHaveLength(1);
    const m = /^\/data\/export: cannot (read|write) it: (.+); (.+)$/.exec(err.message);
    expect(m, err.message).not.toBeNull();
    // In words, not the errno code or Node's own sentence (which repeats the path).
    expect(m![2]).not.toContain(code);
    expect(m![2]).not.toContain('something happened');
    expect(m![3]!.length).toBeGreaterThan(8);
    expect((err as Error & { cause?: unknown }).cause).toMatchObject({ code });
  });

  test.each([
    [
      'input',
      'ENOENT',
      'read the export',
      '/e: cannot read the export: no such file or folder; check the path',
    ],
    [
      'output',
      'ENOENT',
      'write into it',
      '/e: cannot write into it: the folder it goes into does not exist; create that folder first, or choose another path',
    ],
    [
      'config',
      'EISDIR',
      'read the profile',
      '/e: cannot read the profile: it is a folder, not a file; give the path of a file',
    ],
    [
      'output',
      'EACCES',
      'write it',
      '/e: cannot write it: permission denied; choose a folder you may write to, or change its permissions',
    ],
    [
      'input',
      'EACCES',
      'read it',
      '/e: cannot read it: permission denied; run mxlock as a user who may read it, or copy it somewhere readable',
    ],
    [
      'output',
      'EROFS',
      'write it',
      '/e: cannot write it: the file system is read-only; choose a place on a writable file system',
    ],
    [
      'input',
      'ELOOP',
      'read it',
      '/e: cannot read it: too many levels of symbolic links (a link loop); fix the links, or give the real path',
    ],
    [
      'output',
      'EEXIST',
      'create it',
      '/e: cannot create it: something is already in the way there (a file, folder or link); remove it, or choose another path',
    ],
  ] as const)('%s %s: %s', (role, code, doing, message) => {
    expect(fileSystemError(role, '/e', doing, errno(code)).message).toBe(message);
  });

  test('ENOENT on a symbolic link whose target is gone says so', () => {
    expect(
      fileSystemError('config', '/e', 'read the profile', errno('ENOENT'), { danglingLink: true }).message,
    ).toBe(
      '/e: cannot read the profile: it is a symbolic link to something that does not exist; fix the link, or give the path of the file itself',
    );
  });

  test('an unknown code keeps its code and the gist of Node’s message, without repeating the path', () => {
    expect(fileSystemError('input', '/e', 'read it', errno('EWEIRD', 'open', '/e')).message).toBe(
      '/e: cannot read it: EWEIRD: something happened; check the path and the file, then run again',
    );
    expect(fileSystemError('output', '/e', 'write it', new Error('boom')).message).toBe(
      '/e: cannot write it: boom; check the path, or choose another',
    );
  });

  test('control and bidi characters in the path are shown escaped, on one line', () => {
    const err = fileSystemError('input', '/tmp/a\nb\u001b[31m\u202e', 'read it', errno('ENOENT'));
    expect(err.message).toBe(
      '/tmp/a\\nb\\x1b[31m\\u202e: cannot read it: no such file or folder; check the path',
    );
  });
});

describe('notRegularFileError', () => {
  test('names what the path is and what to give instead', () => {
    const err = notRegularFileError('input', '/e/Get-TransportRule.json', 'read it', 'device');
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe(
      '/e/Get-TransportRule.json: cannot read it: it is a device, not a regular file (mxlock reads regular files only, so that a device or FIFO cannot block it or grow without end); give the path of a regular file',
    );
    expect(notRegularFileError('config', '/p', 'read the profile', 'folder').message).toBe(
      '/p: cannot read the profile: it is a folder, not a file; give the path of a file',
    );
    expect(notRegularFileError('output', '/o', 'write it', 'fifo').message).toBe(
      '/o: cannot write it: it is a FIFO (named pipe), not a regular file; choose another path',
    );
  });
});
