/** Reads `mxlock.yaml` (DESIGN §3.2) from disk: the I/O edge of the profile; parse.ts does the rest. */
import { decodeText } from '../snapshot/decode.js';
import { readInputFile } from '../snapshot/read.js';
import { parseProfile } from './parse.js';
import type { Profile } from './schema.js';

/** The profile's file name beside an export: `assess` picks it up, `init` writes it. */
export const PROFILE_FILE_NAME = 'mxlock.yaml';

export async function loadProfile(path: string): Promise<Profile> {
  // A regular file only, bounded like an export file (a FIFO named mxlock.yaml would block the run); Windows tools
  // write UTF-16 as readily as UTF-8: decoded the way the export files are.
  const bytes = await readInputFile(path, { role: 'config', what: 'the profile' });
  return parseProfile(decodeText(bytes, path).text, path);
}
