/**
 * XML of a DMARC aggregate report, read safe by construction: a document type declaration or entity declaration is
 * refused before parsing (no DTD, so no entity expansion and no external entity can exist), nesting depth and element
 * count are bounded by a scan before fast-xml-parser builds anything, and fast-xml-parser itself runs with entity
 * processing off (only the five predefined entities and character references are decoded, here). Bytes that are not
 * valid in the document's encoding are an error, with the offset. Each failure is an `XmlError`; the caller names the
 * file. Pure.
 */
import { XMLParser } from 'fast-xml-parser';

/** A DMARC report nests 5 levels deep (feedback/record/auth_results/dkim/domain); room for wrappers, not recursion. */
export const MAX_DEPTH = 16;
/**
 * Elements in one report: about 15-25 per record, so some 100,000 records, far beyond a big provider's daily report
 * (a few thousand). Parsing builds a tree of them: 2 million take some 800 MB at the peak.
 */
export const MAX_ELEMENTS = 2_000_000;

export class XmlError extends Error {
  override readonly name = 'XmlError';
  /**
   * `malformed`: not well-formed (truncated, end tags that do not match, text after the root): a broken document, not
   * an attack. `refused`: hostile or over a limit. `encoding`: bytes not valid in the document's encoding.
   */
  constructor(
    message: string,
    readonly code: 'malformed' | 'refused' | 'encoding',
  ) {
    super(message);
  }
}

/** An XML element as fast-xml-parser gives it, attributes ignored: text, or children by name (one or a list). */
export type XmlValue = string | number | boolean | XmlObject | XmlValue[];
export interface XmlObject {
  [name: string]: XmlValue;
}

/** The `encoding` of the XML declaration (XML 1.0 §4.3.3), when there is one. */
function declaredEncoding(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  const m = /^\s*<\?xml[^?]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']/.exec(head);
  return m?.[1]?.toLowerCase();
}

/** Where the text first goes wrong in `label` (byte offset of the sequence that is wrong), for the error message. */
function firstInvalid(bytes: Uint8Array, label: string): number {
  const decodes = (end: number, stream: boolean): boolean => {
    try {
      new TextDecoder(label, { fatal: true }).decode(bytes.subarray(0, end), { stream });
      return true;
    } catch {
      return false;
    }
  };
  let lo = 0;
  let hi = bytes.length;
  // Binary search for the longest prefix without an error; streamed, a prefix cut inside a sequence is no error.
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (decodes(mid, true)) lo = mid;
    else hi = mid;
  }
  // That prefix may end inside the sequence that goes wrong (a lead byte, a high surrogate): back to where it starts.
  for (let k = lo; k >= Math.max(0, lo - 4); k--) if (decodes(k, false)) return k;
  return lo;
}

/**
 * The document's text. UTF-8 (RFC 7489 App. C reports are UTF-8) unless the bytes say UTF-16 (a byte order mark, or
 * without one `<` beside a NUL: XML 1.0 Appendix F) or the XML declaration of 8-bit bytes names another 8-bit
 * encoding the platform knows. A declaration naming UTF-16 on 8-bit bytes cannot be right (the declaration itself would
 * then hold NULs): it is ignored with a note in `notes`, as parsedmarc replaces a bad header (formats.md §4.3). Bytes
 * invalid in the encoding are refused, not replaced, so what is counted is what was sent (parsedmarc ignores them:
 * formats.md §4.3; the issue asks for a clear refusal). The error gives the byte offset from the start of the
 * document, its byte order mark included.
 */
export function decodeXml(bytes: Uint8Array, notes?: string[]): string {
  let bom = 0;
  let label = 'utf-8';
  let declared: string | undefined;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bom = 3;
  else if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    bom = 2;
    label = bytes[0] === 0xff ? 'utf-16le' : 'utf-16be';
  } else if (bytes.length >= 2 && (bytes[0] === 0) !== (bytes[1] === 0))
    label = bytes[0] === 0 ? 'utf-16be' : 'utf-16le';
  const body = bytes.subarray(bom);
  const eightBit = label === 'utf-8';
  if (eightBit) {
    declared = declaredEncoding(body);
    if (declared !== undefined && !/^utf-?8$/.test(declared)) label = declared;
  }
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    throw new XmlError(
      `the XML declaration names the encoding "${declared}", which is not known`,
      'encoding',
    );
  }
  if (eightBit && decoder.encoding.startsWith('utf-16')) {
    notes?.push(
      `the XML declaration names ${JSON.stringify(declared)} but the bytes are 8-bit: read as UTF-8`,
    );
    label = 'utf-8';
    decoder = new TextDecoder(label, { fatal: true });
  }
  try {
    return decoder.decode(body);
  } catch {
    const name = decoder.encoding.toUpperCase();
    const why = bom === 2 ? ` (its byte order mark says ${name})` : '';
    throw new XmlError(
      `not valid ${name}${why}: the first invalid byte is at offset ${bom + firstInvalid(body, label)}; the report cannot be read as sent`,
      'encoding',
    );
  }
}

/** XML white space (XML 1.0 §2.3 S). */
export const isXmlSpace = (c: number | undefined) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

function lineOf(text: string, at: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * The safety scan, before any parser runs: refuses `<!DOCTYPE` and `<!ENTITY` (the only way to define entities, so
 * "billion laughs" and external entities cannot exist), nesting deeper than MAX_DEPTH and more than MAX_ELEMENTS
 * elements. It also checks the document is whole (XML 1.0 §2.1: one root element, every end tag matching its start
 * tag, nothing but markup after the root): fast-xml-parser builds what it was given, so a report cut short would be
 * read as a partial one. Comments, CDATA and processing instructions are skipped whole; quoted attribute values may
 * hold `>`.
 */
export function scanXml(text: string, limits = { depth: MAX_DEPTH, elements: MAX_ELEMENTS }): void {
  // The open elements, innermost last: names and where each starts (for the message).
  const names: string[] = [];
  const starts: number[] = [];
  let elements = 0;
  let rootClosed = false;
  const malformed = (at: number, why: string) =>
    new XmlError(`line ${lineOf(text, at)}: ${why}`, 'malformed');
  const skipTo = (from: number, end: string, what: string): number => {
    const at = text.indexOf(end, from);
    if (at < 0) throw malformed(from, `${what} is not closed (truncated XML?)`);
    return at + end.length;
  };
  const name = /[^\s/>]*/y;
  const nameAt = (from: number): string => {
    name.lastIndex = from;
    return name.exec(text)?.[0] ?? '';
  };
  /** Text outside the root element: white space only (a byte order mark read as text counts as space). */
  const outside = (from: number, to: number): void => {
    const stray = /[^\s\uFEFF]/.exec(text.slice(from, to < 0 ? undefined : to));
    if (stray)
      throw malformed(
        from + stray.index,
        `text ${rootClosed ? 'after' : 'before'} the root element (trailing garbage?)`,
      );
  };
  let i = text.indexOf('<');
  if (i > 0) outside(0, i);
  while (i >= 0) {
    const next = text.charCodeAt(i + 1);
    if (text.startsWith('<!--', i)) i = skipTo(i + 4, '-->', 'a comment');
    else if (text.startsWith('<![CDATA[', i)) {
      if (names.length === 0) throw malformed(i, 'a CDATA section outside the root element');
      i = skipTo(i + 9, ']]>', 'a CDATA section');
    } else if (next === 0x3f /* ? */) i = skipTo(i + 2, '?>', 'a processing instruction');
    else if (next === 0x21 /* ! */) {
      const word = /^<!\s*([A-Za-z]*)/.exec(text.slice(i, i + 20))?.[1]?.toUpperCase() ?? '';
      const what = word === 'DOCTYPE' || word === 'ENTITY' ? `<!${word}>` : 'a markup declaration';
      throw new XmlError(
        `line ${lineOf(text, i)}: ${what} is refused: a DMARC report has no document type, and entities it could define are how XML bombs and external-entity reads work`,
        'refused',
      );
    } else if (next === 0x2f /* / */) {
      const open = names.pop();
      const at = starts.pop() ?? 0;
      const after = open === undefined ? NaN : text.charCodeAt(i + 2 + open.length);
      // Compared in place: no string is cut out of the text for the end tag of a well-formed report.
      if (open === undefined || !text.startsWith(open, i + 2) || !(after === 0x3e || isXmlSpace(after)))
        throw malformed(
          i,
          open === undefined
            ? `</${nameAt(i + 2)}> closes no element`
            : `</${nameAt(i + 2)}> does not close <${open}> (line ${lineOf(text, at)})`,
        );
      const gt = text.indexOf('>', i);
      if (gt < 0) throw malformed(i, 'a tag is not closed (truncated XML?)');
      i = gt + 1;
      if (names.length === 0) rootClosed = true;
    } else {
      if (rootClosed) throw malformed(i, `a second root element <${nameAt(i + 1)}> (trailing garbage?)`);
      // A start tag: find its end outside quoted attribute values.
      let j = i + 1;
      let quote = 0;
      for (; j < text.length; j++) {
        const c = text.charCodeAt(j);
        if (quote) {
          if (c === quote) quote = 0;
        } else if (c === 0x22 || c === 0x27) quote = c;
        else if (c === 0x3e) break;
      }
      if (j >= text.length) throw malformed(i, 'a tag is not closed (truncated XML?)');
      if (++elements > limits.elements)
        throw new XmlError(
          `more than ${limits.elements} elements: refused (no DMARC report is this large)`,
          'refused',
        );
      if (text.charCodeAt(j - 1) !== 0x2f /* / */) {
        if (names.length >= limits.depth)
          throw new XmlError(
            `line ${lineOf(text, i)}: elements nested more than ${limits.depth} deep: refused (a DMARC report nests 5 deep)`,
            'refused',
          );
        names.push(nameAt(i + 1));
        starts.push(i);
      } else if (names.length === 0) rootClosed = true;
      i = j + 1;
    }
    const lt = text.indexOf('<', i);
    if (names.length === 0) outside(i, lt);
    i = lt;
  }
  const last = names[names.length - 1];
  if (last !== undefined)
    throw malformed(starts[starts.length - 1]!, `<${last}> is not closed (truncated XML?)`);
  if (!rootClosed) throw new XmlError('no root element (truncated XML?)', 'malformed');
}

/** The five predefined entities (XML 1.0 §4.6) and character references; anything else stays as written. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(lt|gt|amp|apos|quot|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});/g, (whole, name: string) => {
    switch (name) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'apos':
        return "'";
      case 'quot':
        return '"';
    }
    const cp = name.startsWith('#x') ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : whole;
  });
}

const parser = new XMLParser({
  ignoreAttributes: true,
  // RFC 9990 reports carry a default namespace; some reporters prefix it (`dmarc:feedback`) or leave stray `xs:` tags.
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: MAX_DEPTH,
});

/** The document as nested objects, after the safety scan. */
export function parseXml(text: string): XmlObject {
  scanXml(text);
  let doc: unknown;
  try {
    doc = parser.parse(text);
  } catch (err) {
    throw new XmlError(
      `not well-formed XML (${err instanceof Error ? err.message : String(err)})`,
      'malformed',
    );
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new XmlError('no XML element found', 'malformed');
  return doc as XmlObject;
}
