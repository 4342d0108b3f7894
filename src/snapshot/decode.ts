/** Bytes → text for files written by Windows PowerShell 5.1 (UTF-16LE + BOM, ANSI), PowerShell 7 and REST (UTF-8). Pure. */
import { InputError } from '../errors.js';

export interface Decoded {
  text: string;
  encoding: 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1252';
}

function swap16(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length - (bytes.length % 2));
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    out[i] = bytes[i + 1]!;
    out[i + 1] = bytes[i]!;
  }
  return out;
}

/** UTF-16 without BOM: JSON text starts with ASCII, so every other byte of the first characters is NUL. */
function sniffUtf16(bytes: Uint8Array): 'le' | 'be' | undefined {
  const n = Math.min(bytes.length, 64) & ~1;
  if (n < 4) return undefined;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenNul++;
    if (bytes[i + 1] === 0) oddNul++;
  }
  if (oddNul === n / 2 && evenNul === 0) return 'le';
  if (evenNul === n / 2 && oddNul === 0) return 'be';
  return undefined;
}

export function decodeText(bytes: Uint8Array, file: string): Decoded {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8-bom' };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { text: new TextDecoder('utf-16le').decode(swap16(bytes.subarray(2))), encoding: 'utf-16be' };
  }
  const sniffed = sniffUtf16(bytes);
  if (sniffed === 'le') return { text: new TextDecoder('utf-16le').decode(bytes), encoding: 'utf-16le' };
  if (sniffed === 'be') return { text: new TextDecoder('utf-16le').decode(swap16(bytes)), encoding: 'utf-16be' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch (cause) {
    // Windows PowerShell 5.1 `Set-Content`/`Out-File -Encoding Default` writes the ANSI code page.
    if (bytes.includes(0)) {
      throw new InputError(`${file}: not text (binary data); expected JSON in UTF-8 or UTF-16`, file, undefined, { cause });
    }
    return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
  }
}

/** JSON.parse with an error that names the file, line and column. */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const pos = /position (\d+)/.exec(msg);
    let where = '';
    if (pos) {
      const offset = Number(pos[1]);
      const before = text.slice(0, offset);
      const line = before.split('\n').length;
      const column = offset - before.lastIndexOf('\n');
      where = ` at line ${line}, column ${column}`;
    }
    const detail = msg.replace(/^JSON\.parse: /, '').replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '');
    throw new InputError(`${file}: not valid JSON${where}: ${detail}`, file, undefined, { cause: err });
  }
}
