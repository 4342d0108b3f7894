/**
 * The layouts of the log exports mxlock reads (formats.md §1.10, §2, §3), mapped by header name (the column order of
 * the cloud CSVs is not documented: formats.md §2.3), case-insensitively, onto one row shape.
 */
import { InputError } from '../errors.js';
import { boundedList } from '../common/text.js';

/** What one row says, whatever the layout. Strings are '' when the layout has the column but the row leaves it empty. */
export interface LogRow {
  /** Row number in the file (CSV) or index of the record (JSON), 1-based, for messages. */
  row: number;
  time: string;
  /** Envelope sender (P1) where the layout has it, else the sender the layout gives. */
  sender: string;
  /** Header From (P2): EmailEvents only; '' elsewhere. */
  headerFrom: string;
  recipient: string;
  /** The connecting client's address (FromIP, original_client_ip, SenderIPv4/SenderIPv6). */
  ip: string;
  direction: Direction;
  outcome: Outcome;
  /** Status, event or delivery action as written, for the report. */
  status: string;
  /** The enhanced status code found in the row (`5.7.68`), '' when none. */
  code: string;
  /** The connector the message came through: a name, '' for none, undefined when the layout does not say. */
  connector: string | undefined;
  /** EmailEvents AuthenticationDetails (JSON text), '' elsewhere. */
  auth: string;
}

export type Direction = 'inbound' | 'outbound' | 'internal' | 'unknown';
export type Outcome = 'delivered' | 'rejected' | 'quarantined' | 'pending' | 'unknown';

/** The text encoding a log file was read in (JSON files: decoded whole, reported as `json`). */
export type LogEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface ReadLogResult {
  layout: LayoutId;
  encoding: LogEncoding | 'json';
  /** Data records read (the header and a `#TYPE` line aside). */
  records: number;
  bytes: number;
  /** What the reader noticed that the person should know (a Graph page with more pages not in the file). */
  notes: string[];
}

export type LayoutId =
  | 'message-trace'
  | 'graph-message-traces'
  | 'historical-summary'
  | 'historical-extended'
  | 'connector-report'
  | 'email-events';

type Field =
  | 'time'
  | 'sender'
  | 'headerFrom'
  | 'recipient'
  | 'recipientStatus'
  | 'ip'
  | 'ipv6'
  | 'status'
  | 'direction'
  | 'connector'
  | 'customData'
  | 'event'
  | 'messageKey'
  | 'auth'
  | 'deliveryLocation';

export interface Layout {
  id: LayoutId;
  /** What produces it, for messages. */
  title: string;
  /** Each field's header names, lower case, first match wins. */
  columns: Partial<Record<Field, readonly string[]>>;
  required: readonly Field[];
}

/** Most specific first: the first layout whose required columns are all present is the file's. */
export const LAYOUTS: readonly Layout[] = [
  {
    id: 'email-events',
    title: 'Defender EmailEvents (portal CSV or hunting API JSON)',
    columns: {
      time: ['timestamp', 'timegenerated'],
      sender: ['sendermailfromaddress'],
      headerFrom: ['senderfromaddress'],
      recipient: ['recipientemailaddress'],
      ip: ['senderipv4'],
      ipv6: ['senderipv6'],
      direction: ['emaildirection'],
      status: ['deliveryaction'],
      deliveryLocation: ['deliverylocation'],
      connector: ['connectors'],
      auth: ['authenticationdetails'],
    },
    required: ['time', 'sender', 'recipient', 'ip', 'direction', 'status', 'connector'],
  },
  {
    // One row per event (~16 per message): the RECEIVE event carries the client, FAIL/DROP/DELIVER the outcome.
    id: 'historical-extended',
    title: 'historical search extended report (MessageTraceDetail)',
    columns: {
      time: ['date_time_utc', 'date_time', 'origin_timestamp_utc', 'origin_timestamp'],
      sender: ['sender_address'],
      recipient: ['recipient_address'],
      recipientStatus: ['recipient_status'],
      ip: ['original_client_ip', 'client_ip'],
      event: ['event_id'],
      direction: ['directionality'],
      connector: ['connector_id'],
      customData: ['custom_data'],
      messageKey: ['network_message_id', 'internal_message_id', 'message_id'],
    },
    // The message id joins a message's events (EventJoin): without it every event would count as a message.
    required: ['time', 'sender', 'recipient', 'event', 'ip', 'messageKey'],
  },
  {
    id: 'historical-summary',
    title: 'EAC / historical search summary report',
    columns: {
      time: ['origin_timestamp_utc', 'origin_timestamp', 'date_time_utc'],
      sender: ['sender_address'],
      recipientStatus: ['recipient_status'],
      ip: ['original_client_ip', 'client_ip'],
      direction: ['directionality'],
      connector: ['connector_id'],
    },
    required: ['time', 'sender', 'recipientStatus'],
  },
  {
    // Start-HistoricalSearch -ReportType ConnectorReport (-ConnectorType NoConnector): its columns are not documented
    // (formats.md §2.3, UNCONFIRMED), so it is read by the names the other historical reports use.
    id: 'connector-report',
    title: 'historical search ConnectorReport (e.g. -ConnectorType NoConnector)',
    columns: {
      time: ['date_time_utc', 'origin_timestamp_utc', 'date_time', 'origin_timestamp', 'received'],
      sender: ['sender_address'],
      recipient: ['recipient_address'],
      recipientStatus: ['recipient_status'],
      ip: ['original_client_ip', 'client_ip'],
      direction: ['directionality', 'direction'],
      connector: ['connector_id', 'connector_name'],
      status: ['delivery_status', 'status'],
    },
    required: ['time', 'sender', 'recipient', 'ip', 'connector'],
  },
  {
    id: 'graph-message-traces',
    title: 'Microsoft Graph messageTraces',
    columns: {
      time: ['receiveddatetime'],
      sender: ['senderaddress'],
      recipient: ['recipientaddress'],
      ip: ['fromip'],
      status: ['status'],
    },
    required: ['time', 'sender', 'recipient', 'ip', 'status'],
  },
  {
    id: 'message-trace',
    title: 'Get-MessageTraceV2 / Get-MessageTrace (Export-Csv or ConvertTo-Json)',
    columns: {
      time: ['received'],
      sender: ['senderaddress'],
      recipient: ['recipientaddress'],
      ip: ['fromip'],
      status: ['status'],
    },
    required: ['time', 'sender', 'recipient', 'ip', 'status'],
  },
];

/** A layout with each field's column index in the file (-1: absent). */
export interface BoundLayout {
  layout: Layout;
  index: Record<Field, number>;
}

const FIELDS: readonly Field[] = [
  'time',
  'sender',
  'headerFrom',
  'recipient',
  'recipientStatus',
  'ip',
  'ipv6',
  'status',
  'direction',
  'connector',
  'customData',
  'event',
  'messageKey',
  'auth',
  'deliveryLocation',
];

/** Header text as matched: trimmed, lower case, a stray BOM and surrounding quotes removed. */
export function normaliseHeader(h: string): string {
  return h
    .replace(/^\ufeff/, '')
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .toLowerCase();
}

/** The layout of a file from its column names; an InputError listing the columns found and the layouts known. */
export function detectLayout(headers: readonly string[], file: string): BoundLayout {
  const names = headers.map(normaliseHeader);
  // The extended report without its message id (a column left out of a trimmed export) would match no layout or,
  // worse, another one: its events are then counted as messages. Said as what it is.
  const extended = LAYOUTS.find((l) => l.id === 'historical-extended')!;
  if (names.includes('event_id') && !(extended.columns.messageKey ?? []).some((a) => names.includes(a)))
    throw new InputError(
      `${file}: an extended report (event_id) without a message id column (${(extended.columns.messageKey ?? []).join(', ')}): its events cannot be joined per message; export it with the message id`,
      file,
    );
  for (const layout of LAYOUTS) {
    const index = {} as Record<Field, number>;
    for (const f of FIELDS) {
      const aliases = layout.columns[f] ?? [];
      let at = -1;
      for (const a of aliases) {
        at = names.indexOf(a);
        if (at >= 0) break;
      }
      index[f] = at;
    }
    if (layout.required.every((f) => index[f] >= 0)) return { layout, index };
  }
  const found = headers.filter((h) => h.trim() !== '').map((h) => h.trim());
  const known = LAYOUTS.map(
    (l) => `${l.title} (${l.required.map((f) => l.columns[f]?.[0] ?? f).join(', ')})`,
  );
  throw new InputError(
    `${file}: not a log layout mxlock knows. Columns found: ${found.length ? boundedList(found, 30) : 'none'}. ` +
      `Layouts known (with their required columns): ${known.join('; ')}`,
    file,
  );
}

/** What gives a row's fields: a CSV record or a JSON object, by the bound column index. */
export interface FieldSource {
  row: number;
  field(i: number): string;
}

// An enhanced status code (RFC 3463): 5.7.68, 4.4.7 … standing alone: not three numbers of a dotted quad
// (`CIP=10.2.3.4` in custom_data holds no code 2.3.4), yet at the end of a sentence (`… 5.7.1.`).
const ENHANCED_CODE = /(?<![\d.])[245]\.\d{1,3}\.\d{1,3}(?!\.?\d)/;

export function codeIn(...texts: string[]): string {
  for (const t of texts) {
    if (t === '') continue;
    const m = ENHANCED_CODE.exec(t);
    if (m) return m[0];
  }
  return '';
}

/** formats.md §2.1 statuses, Graph's (lower case), and EmailEvents DeliveryAction (§3). */
export function outcomeOfStatus(status: string): Outcome {
  switch (status.trim().toLowerCase()) {
    case 'delivered':
    case 'expanded':
    case 'junked': // EmailEvents: delivered to the Junk folder
    case 'filteredasspam': // delivered to Junk by the spam filter
    case 'replaced': // EmailEvents: delivered with attachments replaced
    case 'send':
    case 'deliver':
    case 'expand':
    case 'transfer':
    case 'resolve':
    case 'redirect':
      return 'delivered';
    case 'failed':
    case 'none': // "rejected or redirected" (formats.md §2.1)
    case 'blocked':
    case 'fail':
    case 'drop':
    case 'recalled':
      return 'rejected';
    case 'quarantined':
    case 'quarantine':
      return 'quarantined';
    case 'pending':
    case 'gettingstatus':
    case 'receive':
    case 'defer':
    case 'submit':
      return 'pending';
    default:
      return 'unknown';
  }
}

/** `directionality` (1/2 per the doc, Incoming/Originating in real files: formats.md §2.3) and EmailDirection (§3). */
export function directionOf(text: string): Direction {
  switch (text.trim().toLowerCase()) {
    case '1':
    case 'incoming':
    case 'inbound':
    case 'received':
      return 'inbound';
    case '2':
    case 'originating':
    case 'outbound':
    case 'sent':
      return 'outbound';
    case 'intra-org':
    case 'intraorg':
      return 'internal';
    default:
      return 'unknown';
  }
}

/**
 * `recipient_status` of the summary report: `<addr>##<events>` joined by `;` (formats.md §2.3), the events a
 * comma-separated list whose last one is where the message stands (`Receive, Deliver`, `Receive, Fail`).
 */
export function splitRecipientStatus(text: string): { recipient: string; events: string }[] {
  const out: { recipient: string; events: string }[] = [];
  for (const part of text.split(';')) {
    const at = part.indexOf('##');
    if (at < 0) {
      if (part.trim() !== '') out.push({ recipient: part.trim(), events: '' });
      continue;
    }
    out.push({ recipient: part.slice(0, at).trim(), events: part.slice(at + 2).trim() });
  }
  return out;
}

function lastEvent(events: string): string {
  const parts = events.split(',');
  return (parts[parts.length - 1] ?? '').trim();
}

function get(src: FieldSource, i: number): string {
  return i < 0 ? '' : src.field(i);
}

/**
 * The rows one record stands for (the summary report lists several recipients in one record). `emit` is called with
 * a row object that is reused: copy what you keep.
 */
export function mapRecord(bound: BoundLayout, src: FieldSource, emit: (row: LogRow) => void): void {
  const { index, layout } = bound;
  const row: LogRow = {
    row: src.row,
    time: get(src, index.time),
    sender: get(src, index.sender),
    headerFrom: get(src, index.headerFrom),
    recipient: '',
    ip: get(src, index.ip),
    direction: index.direction >= 0 ? directionOf(get(src, index.direction)) : 'unknown',
    outcome: 'unknown',
    status: get(src, index.status),
    code: '',
    connector: index.connector >= 0 ? get(src, index.connector).trim() : undefined,
    auth: get(src, index.auth),
  };
  if (row.ip === '' && index.ipv6 >= 0) row.ip = get(src, index.ipv6);
  row.ip = row.ip.trim();
  const custom = get(src, index.customData);
  if (layout.id === 'historical-summary' || (layout.id === 'connector-report' && index.recipient < 0)) {
    for (const r of splitRecipientStatus(get(src, index.recipientStatus))) {
      row.recipient = r.recipient;
      row.status = lastEvent(r.events);
      row.outcome = outcomeOfStatus(row.status);
      row.code = codeIn(r.events, custom);
      emit(row);
    }
    return;
  }
  row.recipient = get(src, index.recipient);
  if (layout.id === 'historical-extended') row.status = get(src, index.event);
  row.outcome = outcomeOf(layout.id, row.status, get(src, index.deliveryLocation));
  row.code = codeIn(get(src, index.recipientStatus), custom, row.status);
  emit(row);
}

/** The outcome of a row that has one record (not the summary report's recipient list). */
export function outcomeOf(layout: LayoutId, status: string, deliveryLocation: string): Outcome {
  // A message the filter sent to quarantine is "Blocked" with DeliveryLocation Quarantine (formats.md §3).
  if (layout === 'email-events' && deliveryLocation.toLowerCase().startsWith('quarantine'))
    return 'quarantined';
  // The report lists messages that arrived; without a status column the delivery is not known.
  if (layout === 'connector-report' && status === '') return 'unknown';
  return outcomeOfStatus(status);
}
