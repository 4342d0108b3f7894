/**
 * Hostile archives for the DMARC container tests, written by hand (APPNOTE 4.3.7 local header, 4.3.12 central
 * directory, 4.3.16 end of central directory): sizes that lie, and directory records that all point at one stream.
 */

/** A zip of one local DEFLATE entry and `copies` central directory records that all point at it. */
export function handZip(
  name: string,
  deflated: Uint8Array,
  size: number,
  crc: number,
  copies = 1,
): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  const local = new DataView(new ArrayBuffer(30));
  local.setUint32(0, 0x04034b50, true);
  local.setUint16(4, 20, true);
  local.setUint16(8, 8, true);
  local.setUint32(14, crc, true);
  local.setUint32(18, deflated.length, true);
  local.setUint32(22, size, true);
  local.setUint16(26, nameBytes.length, true);
  const central: Uint8Array[] = [];
  for (let i = 0; i < copies; i++) {
    const c = new DataView(new ArrayBuffer(46));
    c.setUint32(0, 0x02014b50, true);
    c.setUint16(4, 20, true);
    c.setUint16(6, 20, true);
    c.setUint16(10, 8, true);
    c.setUint32(16, crc, true);
    c.setUint32(20, deflated.length, true);
    c.setUint32(24, size, true);
    c.setUint16(28, nameBytes.length, true);
    c.setUint32(42, 0, true);
    central.push(new Uint8Array(c.buffer), nameBytes);
  }
  const eocd = new DataView(new ArrayBuffer(22));
  eocd.setUint32(0, 0x06054b50, true);
  eocd.setUint16(8, copies, true);
  eocd.setUint16(10, copies, true);
  eocd.setUint32(12, copies * (46 + nameBytes.length), true);
  eocd.setUint32(16, 30 + nameBytes.length + deflated.length, true);
  return Buffer.concat([
    new Uint8Array(local.buffer),
    nameBytes,
    deflated,
    ...central,
    new Uint8Array(eocd.buffer),
  ]);
}

/** Heap and array-buffer growth around `run` (bytes), after a collection when the runtime exposes one. */
export function heapGrowth(run: () => void): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  run();
  const after = process.memoryUsage();
  return after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
}
