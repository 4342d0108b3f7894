/**
 * Decompression bombs for the tests of the bounded readers (DMARC reports, gzipped export files), built in
 * milliseconds and without holding what they inflate to.
 */
import { constants, crc32, deflateRawSync } from 'node:zlib';

export const MIB = 1024 * 1024;

/**
 * `mib` MiB of the byte `fill`, compressed at DEFLATE's best ratio (about 1000:1). One MiB is deflated once, ending in
 * a full flush (byte-aligned, no back-reference into it), so `mib` copies of it and a final empty block are one valid
 * raw DEFLATE stream (RFC 1951); `gzip` wraps it in the header and the trailer, CRC-32 and size (RFC 1952).
 */
export function repeatedByteCompressed(mib: number, fill: number, container: 'raw' | 'gzip'): Buffer {
  const chunk = new Uint8Array(MIB).fill(fill);
  const block = deflateRawSync(chunk, { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const FINAL_EMPTY_FIXED_BLOCK = [0x03, 0x00];
  const raw = Buffer.concat([
    ...Array.from({ length: mib }, () => block),
    Buffer.from(FINAL_EMPTY_FIXED_BLOCK),
  ]);
  if (container === 'raw') return raw;
  let crc = 0;
  for (let i = 0; i < mib; i++) crc = crc32(chunk, crc);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE((mib * MIB) % 2 ** 32, 4);
  const GZIP_HEADER = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255];
  return Buffer.concat([Buffer.from(GZIP_HEADER), raw, trailer]);
}
