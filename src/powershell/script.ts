/**
 * Small helpers for rendering typed values and whole script files of generated PowerShell (issue 4), on top of
 * psQuote: everything that is not a fixed cmdlet or parameter name goes through here or through ./quote.ts.
 */
import { psBool, psQuote, psStringArray } from './quote.js';

export type PsValue = string | boolean | number | null | readonly string[];

/** Decimal notation PowerShell reads as the same number in argument and expression mode (`-SetSCL -1`). */
const PS_NUMBER = /^-?\d+(\.\d+)?$/;

export function psNumber(value: number): string {
  const text = String(value);
  if (!PS_NUMBER.test(text))
    throw new RangeError(`psNumber: ${text} has no plain decimal PowerShell literal`);
  return text;
}

/** A value as a PowerShell argument: strings quoted, lists as `@(…)`, booleans `$true`/`$false`, null `$null`. */
export function psValue(value: PsValue): string {
  if (value === null) return '$null';
  if (typeof value === 'string') return psQuote(value);
  if (typeof value === 'boolean') return psBool(value);
  if (typeof value === 'number') return psNumber(value);
  return psStringArray(value);
}

/** Parameter names come from our code, never from a tenant; refusing anything else keeps it that way. */
const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/** `-Name value`, or `-Name` alone for a switch when no value is given. */
export function psParameter(name: string, ...value: [] | [PsValue]): string {
  if (!PARAMETER_NAME.test(name)) throw new RangeError(`psParameter: '${name}' is not a parameter name`);
  return value.length === 0 ? `-${name}` : `-${name} ${psValue(value[0])}`;
}

/** UTF-8 byte order mark, written as EF BB BF when the text is encoded as UTF-8. */
export const PS1_BOM = '\uFEFF';

/**
 * The text of a .ps1 file, to be written as UTF-8: a BOM first, CRLF line ends. Windows PowerShell 5.1 reads a
 * script without BOM in the machine's ANSI code page (about_Character_Encoding; PSScriptAnalyzer
 * UseBOMForUnicodeEncodedFile), where the UTF-8 bytes of ordinary letters decode to typographic quotes
 * (`ő` = C5 91 → `Å‘`) that end a single-quoted literal early: without the BOM, psQuote is not safe.
 * Line ends are normalised; psQuote never puts a raw line break inside a literal, so no value changes.
 */
export function psScriptFile(lines: readonly string[]): string {
  const body = lines.join('\n').replace(/\r\n|\r|\n/g, '\r\n');
  return `${PS1_BOM}${body}\r\n`;
}
