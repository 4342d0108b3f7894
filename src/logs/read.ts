/**
 * One reader for every log export (issue 12 item 1): CSV streamed through the byte tokenizer in flat memory, JSON read
 * whole up to a bound (Get-MessageTraceV2 | ConvertTo-Json, Graph messageTraces pages, Defender hunting API results).
 * Each record is mapped by its layout (layouts.ts) onto a LogRow.
 */
import { InputError } from '../errors.js';
import { decodeText, parseJson } from '../snapshot/decode.js';
import { readInputFile } from '../snapshot/read.js';
import {
  detectLayout,
  mapRecord,
  outcomeOfStatus,
  type BoundLayout,
  type FieldSource,
  type LogRow,
  type ReadLogResult,
} from './layouts.js';

export type { ReadLogResult };
import { streamUtf8 } from './source.js';
import { tokenizeCsv, type CsvRecord } from './tokenizer.js';
import { isJsonObject } from '../common/collections.js';

/**
 * JSON is parsed whole, so it is bounded: far above a Graph page (≤ 5000 rows) or a hunting API answer (≤ 100k
 * rows); a bigger trace belongs in a CSV, which is streamed.
 */
export const MAX_JSON_BYTES = 256 * 1024 * 1024;

export interface ReadLogOptions {
  onProgress?: ((bytesRead: number, size: number) => void) | undefined;
  /**
   * A reader of a CSV file's records by their bytes (the classifier's fast path, DESIGN §8), asked once the layout is
   * known; when it gives one, the file's records go to it instead of becoming LogRows for `onRow`.
   */
  recordReader?: ((bound: BoundLayout) => ((record: CsvRecord) => void) | undefined) | undefined;
}

/**
 * The extended report has one row per event (formats.md §2.3): the RECEIVE event carries the client's address and
 * connector, a later DELIVER/SEND/FAIL/DROP the outcome. Rows are joined per message and recipient, and one LogRow
 * per message is emitted at the end (the report is bounded: ≤ 100k rows per file).
 */
class EventJoin {
  private readonly messages = new Map<string, LogRow>();

  add(row: LogRow, key: string): void {
    const k = `${key}\u0000${row.recipient.toLowerCase()}`;
    let m = this.messages.get(k);
    if (!m) {
      // The address and the connector are the RECEIVE event's only (a SEND to another server names an outbound
      // connector, which says nothing of how the message came in), whichever event comes first.
      m = { ...row, ip: '', connector: undefined, status: '', outcome: 'pending', code: '' };
      this.messages.set(k, m);
    }
    const event = row.status.trim().toUpperCase();
    if (event === 'RECEIVE') {
      if (row.ip !== '') m.ip = row.ip;
      // A connector named by one RECEIVE event is kept; an empty one says "none" if no event named one.
      if (row.connector !== undefined && (row.connector !== '' || m.connector === undefined))
        m.connector = row.connector;
      if (m.time === '' || row.time < m.time) m.time = row.time;
      if (m.direction === 'unknown') m.direction = row.direction;
      return;
    }
    const outcome = outcomeOfStatus(event);
    // The final word: a failure wins over a delivery to another recipient's copy; pending events say nothing.
    if (
      outcome === 'rejected' ||
      (outcome !== 'pending' && outcome !== 'unknown' && m.outcome !== 'rejected')
    ) {
      m.outcome = outcome;
      m.status = row.status;
      if (row.code !== '') m.code = row.code;
    }
    if (m.ip === '' && row.ip !== '') m.ip = row.ip;
    if (m.direction === 'unknown') m.direction = row.direction;
  }

  flush(emit: (row: LogRow) => void): void {
    for (const m of this.messages.values()) emit(m);
    this.messages.clear();
  }
}

/** Reads `path` and calls `onRow` for every row (the object is reused: copy what you keep). */
export async function readLog(
  path: string,
  onRow: (row: LogRow) => void,
  options: ReadLogOptions = {},
): Promise<ReadLogResult> {
  let bound: BoundLayout | undefined;
  let records = 0;
  let join: EventJoin | undefined;
  let messageKey = -1;
  let kind: 'csv' | 'json' | undefined;
  const notes: string[] = [];
  const handle = (src: FieldSource) => {
    records++;
    mapRecord(bound!, src, (row) => {
      if (join) join.add(row, messageKey >= 0 ? src.field(messageKey) : `row ${row.row}`);
      else onRow(row);
    });
  };
  const bind = (headers: string[]) => {
    bound = detectLayout(headers, path);
    if (bound.layout.id === 'historical-extended') {
      join = new EventJoin();
      messageKey = bound.index.messageKey;
    }
  };
  let fast: ((record: CsvRecord) => void) | undefined;
  const tokenizer = tokenizeCsv(path, (rec: CsvRecord) => {
    if (bound === undefined) {
      // Windows PowerShell 5.1 Export-Csv writes `#TYPE <type name>` first unless -NoTypeInformation (formats.md §2.4).
      if (rec.count === 1 && rec.field(0).startsWith('#TYPE')) return;
      if (rec.count === 1 && rec.field(0).trim() === '') return;
      const headers: string[] = [];
      for (let i = 0; i < rec.count; i++) headers.push(rec.field(i));
      bind(headers);
      fast = options.recordReader?.(bound!);
      return;
    }
    // A blank line (one empty field) is not a record.
    if (rec.count === 1 && rec.fieldStart(0) === rec.fieldEnd(0)) return;
    if (fast) {
      records++;
      fast(rec);
    } else handle(rec);
  });
  const result = await streamUtf8(
    path,
    (chunk) => {
      if (kind === undefined) {
        const first = chunk.find((b) => b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== 0x0a);
        if (first === undefined) return;
        kind = first === 0x5b || first === 0x7b ? 'json' : 'csv';
        if (kind === 'json') throw new JsonInstead();
      }
      tokenizer.push(chunk);
    },
    options.onProgress,
  ).catch(async (err: unknown) => {
    if (!(err instanceof JsonInstead)) throw err;
    const json = await readJsonRows(path);
    notes.push(...json.notes);
    if (json.rows.length === 0) throw new InputError(`${path}: the JSON holds no rows`, path);
    bind(json.headers);
    for (let i = 0; i < json.rows.length; i++) handle(jsonSource(json.rows[i]!, json.headers, i + 1));
    return { encoding: 'json' as const, bytes: json.bytes };
  });
  if (kind === 'csv') tokenizer.end();
  if (result.encoding === 'windows-1252')
    notes.push(
      'not UTF-8: read as Windows-1252 (re-export with -Encoding utf8 to be sure of non-ASCII text)',
    );
  if (bound === undefined) throw new InputError(`${path}: no header row (the file is empty)`, path);
  join?.flush(onRow);
  return { layout: bound.layout.id, encoding: result.encoding, records, bytes: result.bytes, notes };
}

/** Thrown by the CSV path when the text turns out to be JSON: read whole instead. */
class JsonInstead extends Error {}

type JsonRow = Record<string, unknown>;

/** A key looked up case-insensitively (hunting API answers use both `results` and `Results`: formats.md §3). */
function keyCi(o: JsonRow, name: string): unknown {
  for (const k of Object.keys(o)) if (k.toLowerCase() === name) return o[k];
  return undefined;
}

/**
 * The rows of the JSON shapes met: an array of rows (ConvertTo-Json), `{value: [...]}` (a Graph page, or Windows
 * PowerShell's `{value, Count}` array wrapper: formats.md §6.2 #5), an array of such pages, a hunting API answer
 * `{schema, results}`, Streaming API records whose row is `properties` (formats.md §3), one row alone (ConvertTo-Json
 * of a single object), and pages saved one per line.
 */
function rowsOf(doc: unknown, notes: string[]): JsonRow[] {
  const out: JsonRow[] = [];
  const visit = (v: unknown, depth: number) => {
    if (Array.isArray(v)) {
      for (const x of v) if (x !== null) visit(x, depth + 1);
      return;
    }
    if (!isJsonObject(v)) return;
    const page = keyCi(v, 'value') ?? keyCi(v, 'results');
    if (Array.isArray(page) && depth < 3) {
      if (typeof keyCi(v, '@odata.nextlink') === 'string')
        notes.push(
          'a Graph page names a next page (@odata.nextLink) that this file does not hold: rows may be missing',
        );
      for (const x of page) visit(x, depth + 1);
      return;
    }
    const props = keyCi(v, 'properties');
    if (isJsonObject(props) && typeof keyCi(v, 'category') === 'string') {
      out.push(props);
      return;
    }
    out.push(v);
  };
  visit(doc, 0);
  return out;
}

async function readJsonRows(
  path: string,
): Promise<{ rows: JsonRow[]; headers: string[]; bytes: number; notes: string[] }> {
  const bytes = await readInputFile(path, {
    role: 'input',
    what: 'the log export',
    limit: { bytes: MAX_JSON_BYTES, for: 'a JSON log export (export a larger trace as CSV: it is streamed)' },
  });
  const text = decodeText(bytes, path).text;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    // Pages appended one per line (JSON Lines).
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
    try {
      doc = lines.map((l) => JSON.parse(l) as unknown);
    } catch {
      doc = parseJson(text, path); // throws the error that names the line and column
      void err;
    }
  }
  const notes: string[] = [];
  const rows = rowsOf(doc, notes);
  const headers = new Set<string>();
  for (const r of rows.slice(0, 1000)) for (const k of Object.keys(r)) headers.add(k);
  return { rows, headers: [...headers], bytes: bytes.length, notes: [...new Set(notes)] };
}

function textOf(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** A JSON row seen through the header list the layout was bound to (keys matched case-insensitively). */
function jsonSource(row: JsonRow, headers: readonly string[], n: number): FieldSource {
  const lower = new Map<string, unknown>();
  for (const k of Object.keys(row)) lower.set(k.toLowerCase(), row[k]);
  return { row: n, field: (i) => textOf(lower.get((headers[i] ?? '').toLowerCase())) };
}
