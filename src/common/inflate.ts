/**
 * Bounded decompression of DMARC report containers (formats.md §4.2): gzip and the first entry of a zip. Inflation
 * runs in small input slices (fflate's streaming inflater), so a bomb is refused after a few MiB of output, never
 * inflated whole: the output is capped absolutely and relative to the compressed size consumed so far. Entry names
 * are read only to be shown (escaped), never used as paths. Each failure is a `ContainerError`: the caller names the
 * file. Pure.
 */
import { Gunzip, Inflate } from 'fflate';
import { crc32 } from 'node:zlib';

/** The largest decompressed report read (bytes). Google's daily reports for a busy domain are a few MiB. */
export const MAX_INFLATED_BYTES = 64 * 1024 * 1024;
/**
 * Output/input ratio beyond which the data is a bomb, not a report. Repetitive XML of real reports compresses 10–40×;
 * DEFLATE's own maximum is about 1032× (RFC 1951 §3.2.5: 258-byte matches of 1–2 bits each).
 */
export const MAX_RATIO = 200;
/** Below this output the ratio is not judged: a tiny report with a large header can exceed it honestly. */
export const RATIO_GRACE_BYTES = 1024 * 1024;
/** Compressed bytes pushed per step: at DEFLATE's maximum ratio a step yields about 4 MiB, the most ever held extra. */
const SLICE_BYTES = 4096;

export interface InflateLimits {
  maxBytes: number;
  maxRatio: number;
}

export const DEFAULT_LIMITS: InflateLimits = { maxBytes: MAX_INFLATED_BYTES, maxRatio: MAX_RATIO };

/** Why a container was refused; `inflated` is how far decompression got (bytes), for the report and the tests. */
export class ContainerError extends Error {
  override readonly name = 'ContainerError';
  constructor(
    message: string,
    readonly inflated = 0,
  ) {
    super(message);
  }
}

type Stream = Pick<Inflate, 'push'>;

/**
 * Pushes `input` through `make(ondata)` slice by slice, refusing as soon as the output passes the caps. Returns the
 * output, its CRC-32 and length (a truncated stream is found by its trailer or central directory, not by fflate).
 */
function inflateBounded(
  input: Uint8Array,
  make: (ondata: (chunk: Uint8Array) => void) => Stream,
  limits: InflateLimits,
  what: string,
): { bytes: Uint8Array; crc: number } {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let crc = 0;
  let consumed = 0;
  const stream = make((chunk) => {
    total += chunk.length;
    if (total > limits.maxBytes)
      throw new ContainerError(
        `${what} inflates to more than the ${limits.maxBytes}-byte limit for one report: refused (a decompression bomb?)`,
        total,
      );
    if (total > RATIO_GRACE_BYTES && total > consumed * limits.maxRatio)
      throw new ContainerError(
        `${what} inflates more than ${limits.maxRatio} times its compressed size (${total} bytes from ${consumed}): refused as a decompression bomb`,
        total,
      );
    crc = crc32(chunk, crc);
    chunks.push(chunk);
  });
  try {
    let at = 0;
    do {
      const end = Math.min(input.length, at + SLICE_BYTES);
      consumed = end;
      stream.push(input.subarray(at, end), end >= input.length);
      at = end;
    } while (at < input.length);
  } catch (err) {
    if (err instanceof ContainerError) throw err;
    throw new ContainerError(
      `${what} is corrupt (${err instanceof Error ? err.message : String(err)})`,
      total,
    );
  }
  const bytes = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    bytes.set(c, off);
    off += c.length;
  }
  return { bytes, crc };
}

function u16(b: Uint8Array, at: number): number {
  return (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);
}

function u32(b: Uint8Array, at: number): number {
  return (u16(b, at) | (u16(b, at + 2) << 16)) >>> 0;
}

/** gzip (RFC 1952), its CRC-32 and ISIZE trailer checked: fflate alone does not notice a truncated file. */
export function gunzipBounded(input: Uint8Array, limits: InflateLimits = DEFAULT_LIMITS): Uint8Array {
  if (input.length < 18)
    throw new ContainerError('the gzip data is truncated (shorter than a gzip header and trailer)');
  const { bytes, crc } = inflateBounded(
    input,
    (ondata) => new Gunzip((c) => ondata(c)),
    limits,
    'the gzip data',
  );
  // RFC 1952 §2.3.1: CRC32 then ISIZE (the length modulo 2^32), the last eight bytes of a single-member file.
  const wantCrc = u32(input, input.length - 8);
  const wantSize = u32(input, input.length - 4);
  if (wantCrc !== crc || wantSize !== bytes.length % 2 ** 32)
    throw new ContainerError(
      'the gzip data is truncated or corrupt (its CRC-32/length trailer does not match the data)',
      bytes.length,
    );
  return bytes;
}

/** The first entry of a zip, as parsedmarc reads it: its name (for messages only) and its bytes. */
export interface ZipEntry {
  name: string;
  bytes: Uint8Array;
  /** Entries after the first, not read. */
  others: number;
}

const EOCD_SIGNATURE = 0x06054b50; // APPNOTE 4.3.16
const CENTRAL_SIGNATURE = 0x02014b50; // APPNOTE 4.3.12
const LOCAL_SIGNATURE = 0x04034b50; // APPNOTE 4.3.7
const EOCD_MAX_COMMENT = 0xffff;

/**
 * An entry name no report carries: absolute, a drive, a `..` segment, a backslash or a control character. Nothing is
 * ever written under it; it is refused because only a crafted archive has it (a path-traversal attempt).
 */
function suspiciousName(name: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  return /^[/\\]|^[A-Za-z]:|(^|[/\\])\.\.([/\\]|$)|\\|[\u0000-\u001f\u007f]/.test(name);
}

/**
 * Reads the first entry of a zip through its central directory (APPNOTE 4.3): the local header can leave sizes to a
 * data descriptor (bit 3, Java's ZipOutputStream), the central directory always has them. Stored and DEFLATE only;
 * ZIP64 and encryption are refused (no DMARC report needs them).
 */
export function unzipFirst(input: Uint8Array, limits: InflateLimits = DEFAULT_LIMITS): ZipEntry {
  let eocd = -1;
  for (let i = input.length - 22; i >= Math.max(0, input.length - 22 - EOCD_MAX_COMMENT); i--) {
    if (u32(input, i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ContainerError('the zip archive is truncated (no end of central directory)');
  const entries = u16(input, eocd + 10);
  const cdOffset = u32(input, eocd + 16);
  if (entries === 0) throw new ContainerError('the zip archive is empty');
  if (entries === 0xffff || cdOffset === 0xffffffff)
    throw new ContainerError('the zip archive is ZIP64, which no DMARC report needs: refused');
  if (u32(input, cdOffset) !== CENTRAL_SIGNATURE)
    throw new ContainerError('the zip archive is truncated or corrupt (no central directory where it says)');
  const flags = u16(input, cdOffset + 8);
  const method = u16(input, cdOffset + 10);
  const wantCrc = u32(input, cdOffset + 16);
  const compressedSize = u32(input, cdOffset + 20);
  const size = u32(input, cdOffset + 24);
  const nameLength = u16(input, cdOffset + 28);
  const localOffset = u32(input, cdOffset + 42);
  const name = new TextDecoder('utf-8').decode(input.subarray(cdOffset + 46, cdOffset + 46 + nameLength));
  const label = `zip entry ${JSON.stringify(name)}`;
  if (suspiciousName(name))
    throw new ContainerError(
      `${label}: a path outside the archive (absolute, "..", a backslash or a control character): refused as a path-traversal attempt (entries are read in memory, never written)`,
    );
  if (compressedSize === 0xffffffff || size === 0xffffffff || localOffset === 0xffffffff)
    throw new ContainerError(`${label}: ZIP64 sizes, which no DMARC report needs: refused`);
  if (flags & 1) throw new ContainerError(`${label}: encrypted: cannot be read`);
  if (size > limits.maxBytes)
    throw new ContainerError(
      `${label}: ${size} bytes is larger than the ${limits.maxBytes}-byte limit for one report: refused`,
    );
  if (u32(input, localOffset) !== LOCAL_SIGNATURE)
    throw new ContainerError(`${label}: corrupt (no local header where the central directory says)`);
  const start = localOffset + 30 + u16(input, localOffset + 26) + u16(input, localOffset + 28);
  const data = input.subarray(start, start + compressedSize);
  if (data.length < compressedSize) throw new ContainerError(`${label}: truncated`);
  let out: { bytes: Uint8Array; crc: number };
  if (method === 0) out = { bytes: data.slice(), crc: crc32(data) };
  else if (method === 8) out = inflateBounded(data, (ondata) => new Inflate((c) => ondata(c)), limits, label);
  else
    throw new ContainerError(
      `${label}: compression method ${method} is not supported (stored or DEFLATE only)`,
    );
  if (out.bytes.length !== size || out.crc !== wantCrc)
    throw new ContainerError(
      `${label}: truncated or corrupt (its CRC-32/size in the central directory does not match the data)`,
      out.bytes.length,
    );
  return { name, bytes: out.bytes, others: entries - 1 };
}
