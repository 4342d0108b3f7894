/**
 * Bounded decompression of DMARC report containers (formats.md §4.2): gzip (every member of a multi-member file) and
 * every entry of a zip. Inflation runs in small input slices (fflate's streaming inflater), so a bomb is refused after
 * a few MiB of output, never inflated whole: each stream's output is capped absolutely and relative to the compressed
 * size consumed so far, and the entries of one archive together are capped again (an archive of many entries that
 * each stay under the caps, or that all point at the same compressed data, is a bomb too). Entry names are read only
 * to be shown (escaped), never used as paths. Each failure is a `ContainerError`: the caller names the file. Pure.
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

/**
 * Entries read from one zip. A reporter's zip holds one report; a month of daily reports zipped by hand some 31 per
 * domain. An archive with more is refused whole: unpack it into a folder, which is read file by file.
 */
export const MAX_ZIP_ENTRIES = 1000;
/** All entries of one zip together, inflated (bytes): two full-size reports' worth. */
export const MAX_ARCHIVE_INFLATED_BYTES = 2 * MAX_INFLATED_BYTES;
/**
 * Members of one gzip file (RFC 1952 §2.2: a gzip file is a series of members, decompressed one after the other).
 * Writers that flush in pieces write a few; thousands of empty members are only a way to spend time.
 */
export const MAX_GZIP_MEMBERS = 1000;

export interface InflateLimits {
  /** Output of one stream (a gzip file, a zip entry), bytes. */
  maxBytes: number;
  /** Output/input of one stream, and of a whole archive. */
  maxRatio: number;
}

export interface ContainerLimits extends InflateLimits {
  maxEntries: number;
  /** Output of all the streams of one archive together, bytes. */
  maxTotalBytes: number;
  maxMembers: number;
}

export const DEFAULT_LIMITS: ContainerLimits = {
  maxBytes: MAX_INFLATED_BYTES,
  maxRatio: MAX_RATIO,
  maxEntries: MAX_ZIP_ENTRIES,
  maxTotalBytes: MAX_ARCHIVE_INFLATED_BYTES,
  maxMembers: MAX_GZIP_MEMBERS,
};

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

/**
 * A limit of a whole archive was passed: the archive is refused, not one entry (the entries read before it are not
 * trusted either).
 */
export class ArchiveLimitError extends ContainerError {}

/**
 * The data is damaged: truncated, or not what its checksums and directory say (a copy cut short in transit, not a
 * limit passed: what could be inflated stayed within the limits). A reader of many pieces may skip it.
 */
export class DamagedContainerError extends ContainerError {}

/**
 * What several streams may inflate together, told each chunk as it is inflated; it throws (an `ArchiveLimitError`, so
 * the whole container is refused) once they pass its limit. InflateBudget is one archive's; a caller can keep one for
 * all the containers of a file or a run.
 */
export interface Spender {
  spend(bytes: number): void;
}

/**
 * What the streams of one archive may inflate together: `maxTotalBytes`, and `maxRatio` times the archive's size once
 * past the grace (entries that share their compressed data each look honest; their sum does not). `outer` is charged
 * too: the budget of the file or run the archive is part of.
 */
export class InflateBudget implements Spender {
  total = 0;
  constructor(
    readonly limits: Pick<ContainerLimits, 'maxTotalBytes' | 'maxRatio'>,
    /** The archive's size, bytes. */
    readonly archiveBytes: number,
    readonly outer?: Spender,
  ) {}

  spend(bytes: number): void {
    this.outer?.spend(bytes);
    this.total += bytes;
    if (this.total > this.limits.maxTotalBytes)
      throw new ArchiveLimitError(
        `the zip archive's entries inflate to more than the ${this.limits.maxTotalBytes}-byte limit for one archive: refused (a decompression bomb?)`,
        this.total,
      );
    if (this.total > RATIO_GRACE_BYTES && this.total > this.archiveBytes * this.limits.maxRatio)
      throw new ArchiveLimitError(
        `the zip archive's entries inflate more than ${this.limits.maxRatio} times the archive's size (${this.total} bytes from ${this.archiveBytes}): refused as a decompression bomb`,
        this.total,
      );
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
  budget?: Spender,
  /** Called before each chunk: a new gzip member starts the CRC anew (gunzipBounded). */
  onChunk?: (chunk: Uint8Array) => void,
): { bytes: Uint8Array; crc: number } {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let crc = 0;
  let consumed = 0;
  const stream = make((chunk) => {
    onChunk?.(chunk);
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
    budget?.spend(chunk.length);
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
    throw new DamagedContainerError(
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

/**
 * gzip (RFC 1952), every member of it (§2.2: concatenated members decompress to the concatenation of their data; some
 * senders write their reports that way), each member's CRC-32 and ISIZE trailer checked: fflate alone does not notice
 * a truncated file. The caps hold for the members together.
 */
export function gunzipBounded(
  input: Uint8Array,
  limits: InflateLimits & { maxMembers?: number } = DEFAULT_LIMITS,
  budget?: Spender,
): Uint8Array {
  if (input.length < 18)
    throw new DamagedContainerError('the gzip data is truncated (shorter than a gzip header and trailer)');
  const maxMembers = limits.maxMembers ?? MAX_GZIP_MEMBERS;
  // Each member's output (length, CRC-32), checked against its trailer: the 8 bytes before the next member's offset.
  let memberCrc = 0;
  let memberBytes = 0;
  let members = 1;
  const checkMember = (end: number, inflated: number, named: boolean): void => {
    // RFC 1952 §2.3.1: CRC32 then ISIZE (the length modulo 2^32), the last eight bytes of the member.
    if (u32(input, end - 8) !== memberCrc || u32(input, end - 4) !== memberBytes % 2 ** 32)
      throw new DamagedContainerError(
        `the gzip data is truncated or corrupt (${named ? `member ${members}'s` : 'its'} CRC-32/length trailer does not match the data)`,
        inflated,
      );
  };
  let inflatedSoFar = 0;
  const { bytes } = inflateBounded(
    input,
    (ondata) => {
      const g = new Gunzip((c) => ondata(c));
      // Called once the previous member's data has all been passed on, with the new member's offset in the input.
      g.onmember = (offset) => {
        checkMember(offset, inflatedSoFar, true);
        if (++members > maxMembers)
          throw new ContainerError(
            `the gzip data has more than ${maxMembers} members: refused (no report is written in that many pieces)`,
            inflatedSoFar,
          );
        memberCrc = 0;
        memberBytes = 0;
      };
      return g;
    },
    limits,
    'the gzip data',
    budget,
    (chunk) => {
      memberCrc = crc32(chunk, memberCrc);
      memberBytes += chunk.length;
      inflatedSoFar += chunk.length;
    },
  );
  checkMember(input.length, bytes.length, members > 1);
  return bytes;
}

/** One entry of a zip: its name (for messages only, never a path), and its bytes or why it could not be read. */
export type ZipEntry = { name: string; bytes: Uint8Array } | { name: string; error: ContainerError };

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

interface CentralEntry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** The central directory (APPNOTE 4.3.12), bounded: its entries' fields, or an error for the whole archive. */
function centralDirectory(input: Uint8Array, maxEntries: number): CentralEntry[] {
  let eocd = -1;
  for (let i = input.length - 22; i >= Math.max(0, input.length - 22 - EOCD_MAX_COMMENT); i--) {
    if (u32(input, i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new DamagedContainerError('the zip archive is truncated (no end of central directory)');
  const count = u16(input, eocd + 10);
  const cdOffset = u32(input, eocd + 16);
  if (count === 0) throw new ContainerError('the zip archive is empty');
  if (count === 0xffff || cdOffset === 0xffffffff)
    throw new ContainerError('the zip archive is ZIP64, which no DMARC report needs: refused');
  if (count > maxEntries)
    throw new ContainerError(
      `the zip archive has ${count} entries, more than the ${maxEntries} read from one archive: refused (unpack it into a folder to read them all)`,
    );
  const entries: CentralEntry[] = [];
  let at = cdOffset;
  for (let n = 0; n < count; n++) {
    if (u32(input, at) !== CENTRAL_SIGNATURE)
      throw new DamagedContainerError(
        `the zip archive is truncated or corrupt (central directory entry ${n + 1} is not where it should be)`,
      );
    const nameLength = u16(input, at + 28);
    entries.push({
      flags: u16(input, at + 8),
      method: u16(input, at + 10),
      crc: u32(input, at + 16),
      compressedSize: u32(input, at + 20),
      size: u32(input, at + 24),
      localOffset: u32(input, at + 42),
      name: new TextDecoder('utf-8').decode(input.subarray(at + 46, at + 46 + nameLength)),
    });
    // Name, extra field and comment follow the fixed 46 bytes.
    at += 46 + nameLength + u16(input, at + 30) + u16(input, at + 32);
  }
  return entries;
}

/**
 * One entry's bytes, through its central directory record: the local header can leave sizes to a data descriptor
 * (bit 3, Java's ZipOutputStream), the central directory always has them. Stored and DEFLATE only; ZIP64 and
 * encryption are refused (no DMARC report needs them).
 */
function readEntry(
  input: Uint8Array,
  e: CentralEntry,
  limits: InflateLimits,
  budget: InflateBudget,
): Uint8Array {
  const label = `zip entry ${JSON.stringify(e.name)}`;
  if (suspiciousName(e.name))
    throw new ContainerError(
      `${label}: a path outside the archive (absolute, "..", a backslash or a control character): refused as a path-traversal attempt (entries are read in memory, never written)`,
    );
  if (e.compressedSize === 0xffffffff || e.size === 0xffffffff || e.localOffset === 0xffffffff)
    throw new ContainerError(`${label}: ZIP64 sizes, which no DMARC report needs: refused`);
  if (e.flags & 1) throw new ContainerError(`${label}: encrypted: cannot be read`);
  if (e.size > limits.maxBytes)
    throw new ContainerError(
      `${label}: ${e.size} bytes is larger than the ${limits.maxBytes}-byte limit for one report: refused`,
    );
  if (u32(input, e.localOffset) !== LOCAL_SIGNATURE)
    throw new DamagedContainerError(`${label}: corrupt (no local header where the central directory says)`);
  const start = e.localOffset + 30 + u16(input, e.localOffset + 26) + u16(input, e.localOffset + 28);
  const data = input.subarray(start, start + e.compressedSize);
  if (data.length < e.compressedSize) throw new DamagedContainerError(`${label}: truncated`);
  let out: { bytes: Uint8Array; crc: number };
  if (e.method === 0) {
    budget.spend(data.length);
    out = { bytes: data.slice(), crc: crc32(data) };
  } else if (e.method === 8)
    out = inflateBounded(data, (ondata) => new Inflate((c) => ondata(c)), limits, label, budget);
  else
    throw new ContainerError(
      `${label}: compression method ${e.method} is not supported (stored or DEFLATE only)`,
    );
  if (out.bytes.length !== e.size || out.crc !== e.crc)
    throw new DamagedContainerError(
      `${label}: truncated or corrupt (its CRC-32/size in the central directory does not match the data)`,
      out.bytes.length,
    );
  return out.bytes;
}

/**
 * The entries of a zip, one at a time (the caller parses each and drops its bytes), folders left out. An entry that
 * cannot be read is yielded with its error; a limit of the whole archive (entry count, total output, total ratio,
 * through `budget`) throws an `ArchiveLimitError` or `ContainerError`. `budget` is shared with what the caller
 * inflates further (an `.xml.gz` entry).
 */
export function* zipEntries(
  input: Uint8Array,
  limits: ContainerLimits = DEFAULT_LIMITS,
  budget: InflateBudget = new InflateBudget(limits, input.length),
): Generator<ZipEntry> {
  for (const e of centralDirectory(input, limits.maxEntries)) {
    if (e.name.endsWith('/') && e.size === 0) continue;
    try {
      yield { name: e.name, bytes: readEntry(input, e, limits, budget) };
    } catch (err) {
      if (err instanceof ArchiveLimitError || !(err instanceof ContainerError)) throw err;
      yield { name: e.name, error: err };
    }
  }
}
