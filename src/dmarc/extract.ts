/**
 * The DMARC aggregate reports in one input file, whatever it holds (formats.md §4.2): the XML itself, gzip, zip, an
 * email with the report attached, or an mbox of such emails. The format is told by magic bytes, never by name or MIME
 * type (parsedmarc `extract_report`). Every error names the file, and the message and part it came from. Pure.
 */
import { splitMessages } from '../headers/parse.js';
import { inlineSafe } from '../common/text.js';
import { InputError } from '../errors.js';
import {
  ContainerError,
  DEFAULT_LIMITS,
  gunzipBounded,
  unzipFirst,
  type InflateLimits,
} from '../common/inflate.js';
import { mimeLeaves } from './mime.js';
import { parseReport, ReportError, type AggregateReport } from './report.js';
import { decodeXml, XmlError } from './xml.js';

export interface FoundReport {
  /** The file, then the message, part and archive entry it came from: `x.mbox: message 2, part 2 (r.xml.gz)`. */
  source: string;
  report: AggregateReport;
}

export interface Extraction {
  reports: FoundReport[];
  /** What was skipped or tolerated, each naming where. */
  notes: string[];
}

type Kind = 'gzip' | 'zip' | 'xml' | 'other';

/** gzip 1F 8B (RFC 1952), zip local header `PK\3\4` (APPNOTE 4.3.7), XML: `<` after a BOM and white space. */
export function sniff(bytes: Uint8Array): Kind {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip';
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'zip';
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return 'xml';
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (
    i < bytes.length &&
    i < 4096 &&
    (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)
  )
    i++;
  return bytes[i] === 0x3c ? 'xml' : 'other';
}

/**
 * An email or mbox: its first non-empty line is an mbox `From ` line or a header field. Real field names are letters,
 * digits and hyphens (RFC 5322 §3.6 and the registered ones); the wider `ftext` would take JSON (`{"a":`) for a field.
 */
function looksLikeMail(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1').replace(/^\s+/, '');
  return /^From \S/.test(head) || /^[A-Za-z][A-Za-z0-9-]{0,75}:/.test(head);
}

/** The XML of a report: the bytes themselves, or what a gzip or zip holds (one level: a report is not nested). */
function reportXml(
  bytes: Uint8Array,
  limits: InflateLimits,
): { xml: Uint8Array; entry?: string } | undefined {
  const kind = sniff(bytes);
  if (kind === 'xml') return { xml: bytes };
  if (kind === 'gzip') {
    const xml = gunzipBounded(bytes, limits);
    if (sniff(xml) !== 'xml') throw new ContainerError('the gzip data does not hold XML');
    return { xml };
  }
  if (kind === 'zip') {
    const entry = unzipFirst(bytes, limits);
    const label = `zip entry ${JSON.stringify(entry.name)}`;
    if (sniff(entry.bytes) !== 'xml') throw new ContainerError(`${label} does not hold XML`);
    return { xml: entry.bytes, entry: label };
  }
  return undefined;
}

/**
 * Reads one report; any failure becomes an InputError that names `file` and where in it. Well-formed XML of another
 * kind is an error when `strict`, else a note.
 */
function readOne(
  file: string,
  where: string[],
  bytes: Uint8Array,
  limits: InflateLimits,
  skip: { strict: boolean; notes: string[] },
): FoundReport | undefined {
  const at = () => [inlineSafe(file), ...where.map(inlineSafe)].join(': ');
  try {
    const found = reportXml(bytes, limits);
    if (!found) return undefined;
    if (found.entry) where = [...where, found.entry];
    return { source: [file, ...where].join(': '), report: parseReport(decodeXml(found.xml)) };
  } catch (err) {
    if (err instanceof ReportError && err.code === 'not-a-report' && !skip.strict) {
      skip.notes.push(`${at()}: ${err.message}: skipped`);
      return undefined;
    }
    if (err instanceof ContainerError || err instanceof XmlError || err instanceof ReportError)
      throw new InputError(`${at()}: ${err.message}`, file, undefined, { cause: err });
    throw err;
  }
}

/**
 * The reports in `bytes`, read from `file`. `strict`: a file named on the command line that is no report is an error;
 * found in a folder, it is skipped with a note.
 */
export function extractReports(
  file: string,
  bytes: Uint8Array,
  options: { strict: boolean; limits?: InflateLimits } = { strict: true },
): Extraction {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const notes: string[] = [];
  if (sniff(bytes) !== 'other') {
    const direct = readOne(file, [], bytes, limits, { strict: options.strict, notes });
    return { reports: direct ? [direct] : [], notes };
  }
  if (!looksLikeMail(bytes)) {
    const what = `${inlineSafe(file)}: not a DMARC aggregate report (neither XML, gzip, zip, an email nor an mbox)`;
    if (options.strict) throw new InputError(what, file);
    return { reports: [], notes: [`${what}: skipped`] };
  }
  const { messages, kind, notes: split } = splitMessages(Buffer.from(bytes).toString('latin1'));
  for (const n of split) notes.push(`${inlineSafe(file)}: ${n}`);
  const reports: FoundReport[] = [];
  messages.forEach((lines, i) => {
    const message = kind === 'mbox' ? [`message ${i + 1}`] : [];
    const mimeNotes: string[] = [];
    let found = 0;
    for (const leaf of mimeLeaves(lines, mimeNotes)) {
      // The text part of a report email is prose (or HTML); a part is read when its bytes are XML, gzip or zip.
      if (leaf.contentType === 'text/html' || sniff(leaf.bytes) === 'other') continue;
      const r = readOne(file, [...message, leaf.label], leaf.bytes, limits, { strict: false, notes });
      if (r) {
        reports.push(r);
        found++;
      }
    }
    const where = [inlineSafe(file), ...message].join(': ');
    for (const n of mimeNotes) notes.push(`${where}: ${inlineSafe(n)}`);
    if (found === 0) notes.push(`${where}: no DMARC aggregate report attached: skipped`);
  });
  return { reports, notes };
}
