/**
 * PEM files the SMTP commands read (`emulate --tls-cert/--tls-key`, `probe --ca-file`): regular files only, bounded,
 * every file-system error in the words of src/errors.ts, and a file without the expected PEM block refused by name.
 */
import { ConfigError } from '../errors.js';
import { readInputFile } from '../snapshot/read.js';

/** A certificate, key or CA bundle is a few kilobytes; anything near this is the wrong file. */
const MAX_PEM_BYTES = 1024 * 1024;

/** The PEM kinds the commands take, and how their first line reads. */
export const PEM = {
  certificate: { label: /-----BEGIN CERTIFICATE-----/, name: 'certificate' },
  privateKey: { label: /-----BEGIN [A-Z ]*PRIVATE KEY-----/, name: 'private key' },
} as const;

/** The text of the PEM file `path` given with `flag`, which must hold a block of `kind`. */
export async function readPemFile(
  path: string,
  flag: string,
  kind: (typeof PEM)[keyof typeof PEM],
): Promise<string> {
  const bytes = await readInputFile(path, {
    role: 'config',
    what: `the ${flag} file`,
    limit: { bytes: MAX_PEM_BYTES, for: `a PEM ${kind.name} file` },
  });
  const text = Buffer.from(bytes).toString('utf8');
  if (!kind.label.test(text))
    throw new ConfigError(`${flag} ${path}: holds no PEM ${kind.name} (-----BEGIN …-----)`, path);
  return text;
}
