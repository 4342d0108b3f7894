/**
 * The DMARC aggregate reports in one input file, whatever it holds (formats.md §4.2): the XML itself, gzip, zip, an
 * email with the report attached, or an mbox of such emails. The format is told by magic bytes, never by name or MIME
 * type (parsedmarc `extract_report`). Every error names the file, and the message and part it came from. Pure.
 */
import { splitMessages } from '../headers/parse.js';
import { inlineSafe } from '../common/text.js';
import { InputError } from '../errors.js';
import {
  ArchiveLimitError,
  ContainerError,
  DamagedContainerError,
  DEFAULT_LIMITS,
  gunzipBounded,
  InflateBudget,
  zipEntries,
  type ContainerLimits,
  type Spender,
} from '../common/inflate.js';
import { mimeLeaves } from './mime.js';
import { parseReport, ReportError, type AggregateReport } from './report.js';
import { decodeXml, isXmlSpace, XmlError } from './xml.js';

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

/**
 * Report XML read from one input file, as sent or inflated from gzip and zip, every part and entry together (bytes).
 * Each part is capped on its own (64 MiB, common/inflate.ts), but an mbox of 128 MiB holds hundreds of parts that
 * each stay under every per-part cap; reading XML costs time and memory in proportion. A big provider's daily report
 * is a few MiB: this is some thirty of them, the size of the file cap itself (read.ts).
 */
export const MAX_FILE_XML_BYTES = 128 * 1024 * 1024;
/** The same over all the files of one run: some 150 big daily reports; a busy domain's year can be read by quarter. */
export const MAX_RUN_XML_BYTES = 512 * 1024 * 1024;
/**
 * Records kept from all the files of one run: each is held until the summary (about 200 bytes), so this bounds the
 * memory a run keeps, however densely the XML is written. A busy domain's reports hold thousands a day.
 */
export const MAX_RUN_RECORDS = 2_000_000;

export interface ReadLimits {
  maxFileXmlBytes: number;
  maxRunXmlBytes: number;
  maxRunRecords: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = {
  maxFileXmlBytes: MAX_FILE_XML_BYTES,
  maxRunXmlBytes: MAX_RUN_XML_BYTES,
  maxRunRecords: MAX_RUN_RECORDS,
};

/**
 * What one run has read so far: report XML (bytes) and records kept. Give the same budget to every extractReports call
 * of a run; a limit passed is an `ArchiveLimitError` (the whole file is refused, never one part skipped).
 */
export class ReadBudget {
  bytes = 0;
  records = 0;
  constructor(readonly limits: ReadLimits = DEFAULT_READ_LIMITS) {}
}

/** One file's share of the run's budget, charged as XML is read or inflated (so a bomb stops as it passes). */
class FileBudget implements Spender {
  bytes = 0;
  constructor(readonly run: ReadBudget) {}

  spend(bytes: number): void {
    this.bytes += bytes;
    this.run.bytes += bytes;
    const { maxFileXmlBytes, maxRunXmlBytes } = this.run.limits;
    if (this.bytes > maxFileXmlBytes)
      throw new ArchiveLimitError(
        `the report XML read from this file (as sent, or inflated from gzip and zip) passes the ${maxFileXmlBytes}-byte limit for one file: the file is refused (a decompression bomb?)`,
        this.bytes,
      );
    if (this.run.bytes > maxRunXmlBytes)
      throw new ArchiveLimitError(
        `the reports' XML of the files read so far passes the ${maxRunXmlBytes}-byte limit for one run: refused (give fewer files at a time)`,
        this.bytes,
      );
  }

  keep(records: number): void {
    this.run.records += records;
    const { maxRunRecords } = this.run.limits;
    if (this.run.records > maxRunRecords)
      throw new ArchiveLimitError(
        `the reports of the files read so far hold more than ${maxRunRecords} records, the limit for one run: refused (give fewer files at a time)`,
      );
  }
}

/** gzip 1F 8B (RFC 1952), zip local header `PK\3\4` (APPNOTE 4.3.7), XML: `<` after a BOM and white space. */
export function sniff(bytes: Uint8Array): Kind {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip';
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'zip';
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return 'xml';
  // UTF-16 without a byte order mark (XML 1.0 Appendix F): big-endian starts `00 3C`, little-endian `3C 00` below.
  if (bytes[0] === 0x00 && bytes[1] === 0x3c) return 'xml';
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && i < 4096 && isXmlSpace(bytes[i])) i++;
  if (bytes[i] === 0x3c) return 'xml';
  // UTF-16 without a byte order mark and white space first (`20 00 3C 00`, `00 20 00 3C`): one byte of each unit is 0.
  const le = bytes[0] !== 0 && bytes[1] === 0;
  if (le || (bytes[0] === 0 && bytes[1] !== 0)) {
    const [hi, lo] = le ? [1, 0] : [0, 1];
    let j = 0;
    while (j + 1 < bytes.length && j < 4096 && bytes[j + hi] === 0 && isXmlSpace(bytes[j + lo])) j += 2;
    if (bytes[j + hi] === 0 && bytes[j + lo] === 0x3c) return 'xml';
  }
  return 'other';
}

/**
 * An email or mbox: its first non-empty line is an mbox `From ` line or a header field. Real field names are letters,
 * digits and hyphens (RFC 5322 §3.6 and the registered ones); the wider `ftext` would take JSON (`{"a":`) for a field.
 */
function looksLikeMail(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1').replace(/^\s+/, '');
  return /^From \S/.test(head) || /^[A-Za-z][A-Za-z0-9-]{0,75}:/.test(head);
}

/** A container inside a container: what it is, for the message (a report is never nested). */
function nested(kind: Kind): string | undefined {
  return kind === 'zip' ? 'a zip archive' : kind === 'gzip' ? 'gzip data' : undefined;
}

/**
 * The XML a gzip holds (gzip of gzip or zip is refused: a report is not nested). Anything else inflated is not a
 * report, not a broken one: the rua mailbox also gets TLS-RPT's gzipped JSON (formats.md §4.2, route by content).
 */
function gunzipXml(bytes: Uint8Array, limits: ContainerLimits, budget: Spender): Uint8Array {
  const xml = gunzipBounded(bytes, limits, budget);
  const kind = sniff(xml);
  const inner = nested(kind);
  if (inner) throw new ContainerError(`the gzip data holds ${inner}: nested archives are not read`);
  if (kind !== 'xml') {
    const json = /^\s*[{[]/.test(Buffer.from(xml.subarray(0, 64)).toString('latin1'));
    throw new ReportError(
      `the gzip data does not hold XML${json ? ' but JSON (a TLS-RPT report?)' : ''}: not a DMARC aggregate report`,
      'not-a-report',
    );
  }
  return xml;
}

interface Place {
  file: string;
  /** The message, part and entry, outermost first. */
  where: string[];
}

const placeOf = (p: Place): string => [inlineSafe(p.file), ...p.where.map(inlineSafe)].join(': ');

/**
 * Parses XML into a report; with `inflated`, an offset in an error is one of the inflated bytes (and its size was
 * capped and charged as it was inflated). XML as sent is held to the same cap per report as inflated XML.
 */
function parseAt(
  place: Place,
  xml: Uint8Array,
  inflated: boolean,
  limits: ContainerLimits,
  budget: FileBudget,
): FoundReport {
  if (!inflated) {
    if (xml.length > limits.maxBytes)
      throw new XmlError(
        `${xml.length} bytes of XML, larger than the ${limits.maxBytes}-byte limit for one report: refused`,
        'refused',
      );
    budget.spend(xml.length);
  }
  let text: string;
  const tolerated: string[] = [];
  try {
    text = decodeXml(xml, tolerated);
  } catch (err) {
    if (err instanceof XmlError && inflated)
      throw new XmlError(`${err.message} (offsets count the inflated data)`, err.code);
    throw err;
  }
  const report = parseReport(text);
  budget.keep(report.records.length);
  report.notes.push(...tolerated);
  return { source: [place.file, ...place.where].join(': '), report };
}

/** Why one piece could not be read, as the person reads it: the place, then the reason. */
function failure(place: Place, err: unknown): InputError {
  if (err instanceof ContainerError || err instanceof XmlError || err instanceof ReportError)
    return new InputError(`${placeOf(place)}: ${err.message}`, place.file, undefined, { cause: err });
  throw err;
}

const isNotAReport = (err: unknown) => err instanceof ReportError && err.code === 'not-a-report';

/**
 * Not a report, or a broken one (cut short, malformed, bytes not in its encoding, a record without what it must hold,
 * a damaged archive): anyone can mail the rua address and reporters have bugs, so in a mailbox or a folder such a
 * piece is a note and the rest is read; hostile input (a DOCTYPE, a decompression bomb, nesting) and limits still stop
 * the run.
 */
const isSkippable = (err: unknown) =>
  err instanceof ReportError ||
  (err instanceof XmlError && err.code !== 'refused') ||
  err instanceof DamagedContainerError;

/**
 * Every report of a zip, each entry on its own (formats.md §4.2 says parsedmarc reads the first; an archive can hold
 * several). An entry that is not a report is skipped with a note; an entry that cannot be read is a note naming the
 * archive and the entry while another entry gives a report, and the archive's error when none does. A limit of the
 * whole archive (entries, total inflated size or ratio) refuses it.
 */
function readZip(place: Place, bytes: Uint8Array, limits: ContainerLimits, skip: Skip): FoundReport[] {
  const found: FoundReport[] = [];
  const bad: InputError[] = [];
  const skipped: string[] = [];
  const budget = new InflateBudget(limits, bytes.length, skip.budget);
  try {
    for (const entry of zipEntries(bytes, limits, budget)) {
      const label = `zip entry ${JSON.stringify(entry.name)}`;
      if ('error' in entry) {
        // The entry's own errors name it already.
        bad.push(failure(place, entry.error));
        continue;
      }
      const at: Place = { file: place.file, where: [...place.where, label] };
      const kind = sniff(entry.bytes);
      try {
        if (kind === 'zip') throw new ContainerError('holds a zip archive: nested archives are not read');
        if (kind === 'other') {
          skipped.push(`${placeOf(at)}: neither XML nor gzip: not a report: skipped`);
          continue;
        }
        const xml = kind === 'gzip' ? gunzipXml(entry.bytes, limits, budget) : entry.bytes;
        found.push(parseAt(at, xml, true, limits, skip.budget));
      } catch (err) {
        if (err instanceof ArchiveLimitError) throw err;
        if (isNotAReport(err)) skipped.push(`${placeOf(at)}: ${(err as Error).message}: skipped`);
        else bad.push(failure(at, err));
      }
    }
  } catch (err) {
    // A damaged archive (cut short, its directory wrong) in a mailbox or folder: a note, as a damaged part is.
    if (!skip.strict && isSkippable(err)) {
      skip.notes.push(`${failure(place, err).message}: skipped`);
      return [];
    }
    throw failure(place, err);
  }
  if (found.length === 0 && bad.length > 0 && !(!skip.strict && bad.every((e) => isSkippable(e.cause)))) {
    const first = bad[0]!;
    if (bad.length === 1) throw first;
    throw new InputError(
      `${first.message} (and ${bad.length - 1} other entr${bad.length === 2 ? 'y' : 'ies'} that could not be read)`,
      place.file,
      undefined,
      { cause: first },
    );
  }
  const others = found.length > 0 ? " (the archive's other entries were read)" : '';
  for (const e of bad) skip.notes.push(`${e.message}: skipped${others}`);
  if (found.length === 0) {
    const what = `${placeOf(place)}: the zip archive holds no DMARC aggregate report`;
    if (skip.strict) throw new InputError(what, place.file);
    skip.notes.push(`${what}: skipped`);
  } else for (const n of skipped) skip.notes.push(n);
  return found;
}

interface Skip {
  strict: boolean;
  notes: string[];
  /** The file's share of the run's budget, for every part and entry. */
  budget: FileBudget;
}

/**
 * The reports of one piece (the file, or a part of a message); any failure becomes an InputError that names the file
 * and where in it. A piece that is no report or a malformed one is an error when `strict`, else a note.
 */
function readOne(place: Place, bytes: Uint8Array, limits: ContainerLimits, skip: Skip): FoundReport[] {
  const kind = sniff(bytes);
  if (kind === 'zip') return readZip(place, bytes, limits, skip);
  try {
    if (kind === 'xml') return [parseAt(place, bytes, false, limits, skip.budget)];
    if (kind === 'gzip')
      return [parseAt(place, gunzipXml(bytes, limits, skip.budget), true, limits, skip.budget)];
    return [];
  } catch (err) {
    if (isSkippable(err) && !skip.strict) {
      skip.notes.push(`${placeOf(place)}: ${(err as Error).message}: skipped`);
      return [];
    }
    throw failure(place, err);
  }
}

/**
 * The reports in `bytes`, read from `file`. `strict`: a file named on the command line that is no report is an error;
 * found in a folder, it is skipped with a note. `budget`: the run's, shared by every file of it (a run of this file
 * alone without it).
 */
export function extractReports(
  file: string,
  bytes: Uint8Array,
  options: { strict: boolean; limits?: Partial<ContainerLimits>; budget?: ReadBudget } = { strict: true },
): Extraction {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const budget = new FileBudget(options.budget ?? new ReadBudget());
  const notes: string[] = [];
  if (sniff(bytes) !== 'other')
    return {
      reports: readOne({ file, where: [] }, bytes, limits, { strict: options.strict, notes, budget }),
      notes,
    };
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
    const noted = notes.length;
    let found = 0;
    for (const leaf of mimeLeaves(lines, mimeNotes)) {
      // The text part of a report email is prose (or HTML); a part is read when its bytes are XML, gzip or zip.
      if (leaf.contentType === 'text/html' || sniff(leaf.bytes) === 'other') continue;
      const r = readOne({ file, where: [...message, leaf.label] }, leaf.bytes, limits, {
        strict: false,
        notes,
        budget,
      });
      for (const x of r) reports.push(x);
      found += r.length;
    }
    const where = [inlineSafe(file), ...message].join(': ');
    // A part already noted says why (not a report, or a broken one); else the message had nothing to read.
    const partNoted = notes.length > noted;
    for (const n of mimeNotes) notes.push(`${where}: ${inlineSafe(n)}`);
    if (found === 0 && !partNoted) notes.push(`${where}: no DMARC aggregate report attached: skipped`);
  });
  return { reports, notes };
}
