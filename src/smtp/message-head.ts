/**
 * The header block of a message the emulator received, read only as far as the simulator needs it at end of DATA:
 * the From: address (spoof and DMARC decisions, eop-model §6.2, and 5.7.512 when it is missing, §1.1 S4), the
 * `Received:` hops before the client (Enhanced Filtering, EF-2) and the header fields transport rules may test
 * (TR-4). Pure; the emulator bounds how much of the message reaches it.
 */
import { fromMailbox, type FromAddress } from '../headers/address.js';
import { parseHeaderLines, type HeaderField } from '../headers/parse.js';
import { parseReceived } from '../headers/received.js';

export type { FromAddress };

/** A header field as the emulator needs it: the shared header reader's (src/headers/parse.ts). */
export type HeadField = Pick<HeaderField, 'name' | 'value'>;

/** `Received:` hops read for Enhanced Filtering; real chains have a handful. */
export const MAX_RECEIVED_HOPS = 50;

/**
 * The fields of a header block (the text before the first empty line, or all of it when there is none), read by the
 * same bounded reader as `mxlock headers` (fields, field length and header size capped there).
 */
export function parseHead(text: string): HeadField[] {
  return parseHeaderLines(text.split(/\r\n|\n|\r/)).fields.map(({ name, value }) => ({ name, value }));
}

function fieldsNamed(fields: readonly HeadField[], name: string): HeadField[] {
  const n = name.toLowerCase();
  return fields.filter((f) => f.name.toLowerCase() === n);
}

/**
 * The From: address (5322.From, P2), or why there is none that EOP would take: exactly one From: field (RFC 5322
 * §3.6), holding one mailbox (fromMailbox). EOP answers such a message with 5.7.512 [D] S40.
 */
export function fromAddress(fields: readonly HeadField[]): FromAddress {
  const from = fieldsNamed(fields, 'From');
  if (from.length === 0) return { problem: 'the message has no From: header' };
  if (from.length > 1)
    return { problem: `the message has ${from.length} From: headers (RFC 5322 §3.6 allows one)` };
  return fromMailbox(from[0]!.value);
}

/**
 * The connecting IP of each `Received:` hop (the shared Received reader, src/headers/received.ts), newest first, as
 * the simulator's `Attempt.receivedIps` wants them (EF-2). A hop without a readable address is skipped: EOP could not
 * read it either.
 */
export function receivedIps(fields: readonly HeadField[]): string[] {
  return fieldsNamed(fields, 'Received')
    .slice(0, MAX_RECEIVED_HOPS)
    .map((f, i) => parseReceived(f.value, i).ip)
    .filter((ip): ip is string => ip !== undefined);
}

/**
 * The fields as the simulator's `Attempt.headers` (name → value, the first occurrence of a name: the topmost, which
 * is the one the last hop wrote).
 */
export function headerRecord(fields: readonly HeadField[]): Record<string, string> {
  // No prototype: a field named `__proto__` is a field like any other.
  const out = Object.create(null) as Record<string, string>;
  const seen = new Set<string>();
  for (const f of fields) {
    const n = f.name.toLowerCase();
    if (seen.has(n)) continue;
    seen.add(n);
    out[f.name] = f.value;
  }
  return out;
}
