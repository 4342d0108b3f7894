/**
 * The header block of a message the emulator received, read only as far as the simulator needs it at end of DATA:
 * the From: address (spoof and DMARC decisions, eop-model §6.2, and 5.7.512 when it is missing, §1.1 S4), the
 * `Received:` hops before the client (Enhanced Filtering, EF-2) and the header fields transport rules may test
 * (TR-4). Pure; the emulator bounds how much of the message reaches it.
 */
import { isValidIp } from '../common/ip.js';

export interface HeadField {
  /** As written (case kept). */
  name: string;
  /** Unfolded (RFC 5322 §2.2.3: CRLF before white space removed), trimmed. */
  value: string;
}

/** Fields read from one head; more is hostile or broken, and the rest is not looked at. */
export const MAX_HEAD_FIELDS = 1000;
/** `Received:` hops read for Enhanced Filtering; real chains have a handful. */
export const MAX_RECEIVED_HOPS = 50;

/**
 * The fields of a header block (the text before the first empty line, or all of it when there is none). A line that
 * is neither a field nor a continuation ends the head, as it would a mail parser's.
 */
export function parseHead(text: string): HeadField[] {
  const fields: HeadField[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    if (/^[ \t]/.test(line)) {
      const last = fields[fields.length - 1];
      if (!last) break;
      last.value = `${last.value} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    // RFC 5322 §3.6.8: a field name is printable US-ASCII except colon, at least one character.
    if (colon < 1 || !/^[\x21-\x39\x3b-\x7e]+$/.test(line.slice(0, colon))) break;
    if (fields.length >= MAX_HEAD_FIELDS) break;
    fields.push({ name: line.slice(0, colon), value: line.slice(colon + 1).trim() });
  }
  return fields;
}

function fieldsNamed(fields: readonly HeadField[], name: string): HeadField[] {
  const n = name.toLowerCase();
  return fields.filter((f) => f.name.toLowerCase() === n);
}

/** Comments `( … )` removed (RFC 5322 §3.2.2), one nesting level is all From: lines use in practice. */
function withoutComments(value: string): string {
  return value.replace(/\((?:[^()\\]|\\.)*\)/g, ' ');
}

const ADDR_SPEC = /^[^\s@<>()[\]",;:\\]+@[^\s@<>()[\]",;:\\]+$/;

export type FromAddress = { address: string } | { problem: string };

/**
 * The From: address (5322.From, P2), or why there is none that EOP would take: exactly one From: field (RFC 5322
 * §3.6), holding one mailbox `Name <local@domain>` or `local@domain`. EOP answers such a message with 5.7.512 [D] S40.
 */
export function fromAddress(fields: readonly HeadField[]): FromAddress {
  const from = fieldsNamed(fields, 'From');
  if (from.length === 0) return { problem: 'the message has no From: header' };
  if (from.length > 1)
    return { problem: `the message has ${from.length} From: headers (RFC 5322 §3.6 allows one)` };
  const value = withoutComments(from[0]!.value).trim();
  const angles = [...value.matchAll(/<([^<>]*)>/g)].map((m) => m[1]!.trim());
  const candidates = angles.length > 0 ? angles : value.split(',').map((s) => s.trim());
  if (candidates.length !== 1) return { problem: 'the From: header names more than one mailbox' };
  const address = candidates[0]!;
  if (!ADDR_SPEC.test(address)) return { problem: 'the From: header holds no valid address' };
  return { address };
}

/**
 * The IP of each `Received:` hop's `from` clause (`from host (host [192.0.2.1])`), newest first, as the simulator's
 * `Attempt.receivedIps` wants them (EF-2). A hop without a bracketed address literal is skipped: EOP could not read it
 * either.
 */
export function receivedIps(fields: readonly HeadField[]): string[] {
  const out: string[] = [];
  for (const f of fieldsNamed(fields, 'Received').slice(0, MAX_RECEIVED_HOPS)) {
    const m = /^\s*from\s+(.*?)(?:\sby\s|;|$)/is.exec(f.value);
    if (!m) continue;
    for (const lit of m[1]!.matchAll(/\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]/g)) {
      if (isValidIp(lit[1]!)) {
        out.push(lit[1]!);
        break;
      }
    }
  }
  return out;
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
