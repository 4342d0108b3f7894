/** Bytes → text for files written by Windows PowerShell 5.1 (UTF-16LE + BOM, ANSI), PowerShell 7 and REST (UTF-8). Pure. */
import { InputError } from '../errors.js';
import { CONVERT_TO_JSON } from './partial.js';

export interface Decoded {
  text: string;
  encoding: 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1252';
}

function swap16(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length - (bytes.length % 2));
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    out[i] = bytes[i + 1] ?? 0;
    out[i + 1] = bytes[i] ?? 0;
  }
  return out;
}

/**
 * UTF-16 without BOM. UTF-8 text (JSON, YAML, a domain list) never holds a NUL byte, while in UTF-16 every ASCII
 * character (the JSON punctuation, keys, digits) has one in its high byte: NULs on one side of the byte pairs and
 * (almost) none on the other mean UTF-16. Not all of them: names in CJK, Cyrillic or Greek give non-NUL high bytes, and
 * a character such as U+0100 a NUL low byte, so a quarter of the pairs and a tenth as many on the other side suffice.
 */
export function sniffUtf16(bytes: Uint8Array): 'le' | 'be' | undefined {
  const n = Math.min(bytes.length, 256) & ~1;
  if (n < 4) return undefined;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenNul++;
    if (bytes[i + 1] === 0) oddNul++;
  }
  const pairs = n / 2;
  const order =
    oddNul * 4 >= pairs && evenNul * 10 <= oddNul
      ? 'le'
      : evenNul * 4 >= pairs && oddNul * 10 <= evenNul
        ? 'be'
        : undefined;
  if (order === undefined) return undefined;
  // Binary data can have its NULs on one side too (gzip's header): text read that way has no C0 controls but
  // white space, and no unpaired surrogates.
  const sample = new TextDecoder('utf-16le').decode(
    order === 'le' ? bytes.subarray(0, n) : swap16(bytes.subarray(0, n)),
  );
  // The sample may end inside a surrogate pair: that last replacement character is the cut, not the data.
  // eslint-disable-next-line no-control-regex -- finding C0 controls is the point
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffd]/.test(sample.replace(/\ufffd$/, ''))
    ? undefined
    : order;
}

/**
 * Windows-1252 0x80–0x9F (€, ‚, „, …, smart quotes, Š, Ž, …). Node 20's TextDecoder('windows-1252') decodes these
 * bytes as ISO-8859-1 control characters (nodejs/node#56542), so they are mapped here; 0x81, 0x8D, 0x8F, 0x90, 0x9D
 * are unassigned and stay as they are.
 */
export const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(bytes: Uint8Array): string {
  return new TextDecoder('windows-1252')
    .decode(bytes)
    .replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH.charAt(c.charCodeAt(0) - 0x80));
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
  if (sniffed === 'be')
    return { text: new TextDecoder('utf-16le').decode(swap16(bytes)), encoding: 'utf-16be' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch (cause) {
    // Windows PowerShell 5.1 `Set-Content`/`Out-File -Encoding Default` writes the ANSI code page.
    if (bytes.includes(0)) {
      throw new InputError(
        `${file}: not text (binary data); expected JSON in UTF-8 or UTF-16`,
        file,
        undefined,
        { cause },
      );
    }
    return { text: decodeWindows1252(bytes), encoding: 'windows-1252' };
  }
}

/**
 * Where JSON text first goes wrong, for the error message only (runs after JSON.parse failed). Node 20's JSON.parse
 * gives no position for "Unexpected token" and quotes the raw text instead, so the position is found here.
 */
export function locateJsonError(text: string): { offset: number; reason: string } {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const fail = (reason: string): never => {
    throw { offset: i, reason };
  };
  const show = () => (i >= text.length ? 'end of file' : `character ${JSON.stringify(text.charAt(i))}`);
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`unexpected ${show()}`);
  };
  const string = () => {
    i++;
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) return void i++;
      if (c < 0x20) fail('control character (a raw line break or tab) inside a string');
      if (c === 0x5c) {
        i++;
        if (text.charAt(i) === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('bad \\u escape in a string');
          i += 5;
        } else if ('"\\/bfnrt'.includes(text.charAt(i)) && i < text.length) i++;
        else fail('bad escape in a string');
      } else i++;
    }
  };
  const value = (): void => {
    ws();
    const c = text.charAt(i);
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text.charAt(i) === close) return void i++;
      for (;;) {
        if (close === '}') {
          ws();
          if (text.charAt(i) !== '"') fail(`expected a property name in double quotes, found ${show()}`);
          string();
          ws();
          if (text.charAt(i) !== ':') fail(`expected ':' after a property name, found ${show()}`);
          i++;
        }
        value();
        ws();
        if (text.charAt(i) === ',') i++;
        else if (text.charAt(i) === close) return void i++;
        else fail(`expected ',' or '${close}', found ${show()}`);
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    const num = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (num && num[0] !== '' && num[0] !== '-') return void (i += num[0].length);
    fail(
      i >= text.length
        ? text.trim() === ''
          ? 'the file is empty'
          : 'unexpected end of file'
        : `unexpected ${show()}`,
    );
  };
  try {
    value();
    ws();
    if (i < text.length) fail(`unexpected ${show()} after the end of the JSON value`);
  } catch (e) {
    if (e !== null && typeof e === 'object' && 'offset' in e) return e as { offset: number; reason: string };
    if (e instanceof RangeError) return { offset: i, reason: 'nested too deeply' };
    throw e;
  }
  return { offset: i, reason: 'invalid JSON' };
}

/**
 * What a text that is not JSON looks like, for the other things PowerShell writes when asked for an export: a
 * `Format-List`/`Format-Table` dump (the console view saved with Out-File), `Export-Csv`, `Export-Clixml`, an HTML
 * report. Undefined when it is none of them (then the JSON error's position is what helps).
 */
export function describeNonJson(text: string): string | undefined {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const first = lines[0]?.trim() ?? '';
  if (/^(<\?xml[^>]*>\s*)?<Objs\b/.test(first)) return 'PowerShell CliXML (Export-Clixml)';
  if (/^<(!doctype html|html\b)/i.test(first)) return 'an HTML page';
  // Export-Csv in Windows PowerShell 5.1 starts with `#TYPE <type>` unless -NoTypeInformation; then quoted headers.
  if (/^#TYPE\s/.test(first) || /^"[^"]*"(,"[^"]*")+$/.test(first)) return 'CSV (Export-Csv)';
  // Format-Table: a header line, then a line of dashes under each column.
  if (lines.length >= 2 && /^-+( +-+)*$/.test(lines[1]?.trim() ?? ''))
    return 'PowerShell Format-Table output';
  // Format-List: `Name      : value` lines (names padded to one column).
  const listLines = lines.filter(
    (l) => /^[A-Za-z][A-Za-z0-9]*\s+: /.test(l) || /^[A-Za-z][A-Za-z0-9]*\s+:$/.test(l),
  );
  if (listLines.length >= 2 && listLines.length >= lines.length / 2) return 'PowerShell Format-List output';
  return undefined;
}

/** JSON.parse with an error that names the file, line and column (or what the text looks like instead). */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const looksLike = describeNonJson(text);
    if (looksLike) {
      throw new InputError(
        `${file}: not JSON: it looks like ${looksLike}; export with ${CONVERT_TO_JSON} (see the export-folder recipe in the README)`,
        file,
        undefined,
        { cause: err },
      );
    }
    const { offset, reason } = locateJsonError(text);
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    throw new InputError(
      `${file}: not valid JSON at line ${line}, column ${column}: ${reason}`,
      file,
      undefined,
      { cause: err },
    );
  }
}
