/**
 * collection.json, the manifest `mxlock collect` writes beside the export (src/collect-export.ts): read only to say
 * why an export file is missing (the cmdlet's error when it was collected), never to decide anything. A manifest that
 * is damaged or not mxlock's is a warning, never an error: the export is read the same without it.
 */
import { inlineSafe } from '../common/text.js';
import { InputError } from '../errors.js';
import { decodeText, parseJson } from './decode.js';
import { CMDLET_NAMES, type CmdletName } from './schema.js';
import { isJsonObject } from '../common/collections.js';

export const COLLECTION_FILE_NAME = 'collection.json';

/** How much of a cmdlet's error message a finding repeats. */
const MAX_MESSAGE = 300;

export interface CollectionErrors {
  /** When the collection ended (the manifest's finishedAt), as written. */
  at: string | undefined;
  /** Per cmdlet that failed: its error message, escaped for display and bounded. */
  errors: Partial<Record<CmdletName, string>>;
}

function shown(text: string): string {
  const one = inlineSafe(text.trim());
  return one.length > MAX_MESSAGE ? `${one.slice(0, MAX_MESSAGE)}…` : one;
}

/** The cmdlet errors a collection manifest records, or a warning naming the file when it cannot be read. */
export function readCollectionErrors(file: {
  path: string;
  bytes: Uint8Array;
}): { collection: CollectionErrors } | { warning: string } {
  let value: unknown;
  try {
    value = parseJson(decodeText(file.bytes, file.path).text, file.path);
  } catch (err) {
    if (err instanceof InputError) return { warning: `${err.message} (the collection manifest is ignored)` };
    throw err;
  }
  const cmdlets = isJsonObject(value) ? value['cmdlets'] : undefined;
  if (!isJsonObject(value) || value['schemaVersion'] !== 1 || !isJsonObject(cmdlets))
    return {
      warning: `${file.path}: not an mxlock collection manifest (schemaVersion 1 with cmdlets): ignored`,
    };
  const errors: Partial<Record<CmdletName, string>> = {};
  for (const name of CMDLET_NAMES) {
    const outcome = cmdlets[name];
    if (isJsonObject(outcome) && outcome['status'] === 'error' && typeof outcome['message'] === 'string')
      errors[name] = shown(outcome['message']);
  }
  const at = typeof value['finishedAt'] === 'string' ? shown(value['finishedAt']) : undefined;
  return { collection: { at, errors } };
}
