/** Reads `mxlock.yaml` (DESIGN §3.2) from disk: the I/O edge of the profile; parse.ts does the rest. */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import { decodeText } from '../snapshot/decode.js';
import { parseProfile } from './parse.js';
import type { Profile } from './schema.js';

export async function loadProfile(path: string): Promise<Profile> {
  let text: string;
  try {
    // Windows tools write UTF-16 as readily as UTF-8: read it the way the export files are read.
    text = decodeText(await readFile(path), path).text;
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : String(cause);
    throw new ConfigError(`${path}: cannot read the profile (${why})`, path, undefined, undefined, { cause });
  }
  return parseProfile(text, path);
}
