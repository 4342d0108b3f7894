/**
 * `Received:` chains (RFC 5321 §4.4): each hop's sending host, its IP, the receiving host and the time, oldest first,
 * with the delay from the hop before; and which hop carried the message into Exchange Online. Pure.
 */
import { IpSet, isValidIp } from '../common/ip.js';
import { domainOrSubdomain } from '../common/domains.js';
import { EOP_MX_ZONES, MICROSOFT_365_RELAY_RANGES } from '../common/vendors.js';
import type { ParsedMessage } from './parse.js';
import { fieldsNamed } from './parse.js';

/** RFC 5321 §6.3: a count of 100 Received fields is the loop-detection threshold; no real path has more hops. */
export const MAX_HOPS = 100;

export interface Hop {
  /** The sending host as it introduced itself (HELO/EHLO), or as the receiver named it. */
  from: string | undefined;
  /** The IP the receiver saw the connection from (the comment after `from`, else an address literal). */
  ip: string | undefined;
  by: string | undefined;
  with: string | undefined;
  /** ISO 8601 when the date parses; undefined otherwise (the raw text stays in `date`). */
  time: string | undefined;
  date: string | undefined;
  /** Seconds since the hop before (older); negative when clocks disagree. */
  delaySeconds: number | undefined;
  /** The header's position from the top. */
  index: number;
}

export interface ReceivedChain {
  /** Oldest first (the order the message travelled). */
  hops: Hop[];
  /** Received fields past MAX_HOPS, not analysed. */
  skipped: number;
}

/**
 * Hosts of Microsoft 365's own mail servers. Every hop whose receiver is one of them is Exchange Online (eop-model §7);
 * `*.mx.microsoft` is the MX host form of accepted domains added from July 2026 (eop-model §13, MC1048624).
 */
const MICROSOFT_ZONES: readonly string[] = [
  'outlook.com',
  'office365.com',
  'exchangelabs.com',
  'outlook.office.com',
  ...EOP_MX_ZONES,
];
/** Another tenant's outbound servers: Microsoft's hosts, but the message is entering the receiving tenant from them. */
const OUTBOUND_HOST = /(?:^|\.)outbound\.protection\.outlook\.com$/i;

export function isMicrosoftHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = host.replace(/\.$/, '').toLowerCase();
  return MICROSOFT_ZONES.some((zone) => domainOrSubdomain(zone, name));
}

const MICROSOFT_RELAYS = new IpSet([...MICROSOFT_365_RELAY_RANGES]);

/**
 * A hop inside the receiving side of Exchange Online: from one Microsoft server to another, not from an outbound one.
 * The `from` name is what the client said in EHLO, so anyone can claim a Microsoft host; the IP in the comment is what
 * Exchange Online saw. A hop whose IP is outside Microsoft's relay ranges came from outside, whatever its name.
 */
function insideMicrosoft(hop: Hop): boolean {
  return (
    isMicrosoftHost(hop.by) &&
    isMicrosoftHost(hop.from) &&
    !OUTBOUND_HOST.test(hop.from ?? '') &&
    (hop.ip === undefined || MICROSOFT_RELAYS.has(hop.ip))
  );
}

/** The clauses of a Received value are words; the value after the last `;` is the date (RFC 5321 §4.4). */
function clause(text: string, word: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)${word}\\s+(\\S{1,255})`, 'i').exec(text);
  return m?.[1];
}

function stripBrackets(ip: string): string {
  return ip.replace(/^\[|\]$/g, '').replace(/^ipv6:/i, '');
}

/** The connecting IP of the `from` clause: the receiver's comment `(host [ip])` or `(ip)`, else an address literal. */
function fromIp(fromPart: string, fromHost: string | undefined): string | undefined {
  const comment = /\(([^()]{0,600})\)/.exec(fromPart)?.[1] ?? '';
  const bracketed = /\[([0-9A-Fa-f:.]{2,60}|IPv6:[0-9A-Fa-f:.]{2,60})\]/i.exec(comment)?.[1];
  if (bracketed && isValidIp(stripBrackets(bracketed))) return stripBrackets(bracketed);
  for (const word of comment.split(/[\s,;]+/)) {
    const w = stripBrackets(word);
    // `(2603:10a6:10:50e::20)`, `(40.93.86.6)`; a trailing `%7` zone is dropped.
    const bare = w.replace(/%\w+$/, '');
    if (bare && isValidIp(bare)) return bare;
  }
  if (fromHost && /^\[.*\]$/.test(fromHost) && isValidIp(stripBrackets(fromHost)))
    return stripBrackets(fromHost);
  return undefined;
}

/** RFC 5322 date, comments such as `(UTC)` and folding blanks removed; undefined when it does not parse. */
function parseDate(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const clean = text
    .replace(/\([^()]*\)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!/\d{1,2} [A-Za-z]{3} \d{2,4} \d{1,2}:\d{2}/.test(clean)) return undefined;
  const ms = Date.parse(clean);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export function parseReceived(value: string, index: number): Hop {
  const semicolon = value.lastIndexOf(';');
  const body = semicolon >= 0 ? value.slice(0, semicolon) : value;
  const date = semicolon >= 0 ? value.slice(semicolon + 1).trim() : undefined;
  const byAt = body.search(/(?:^|\s)by\s/i);
  const fromPart = byAt >= 0 ? body.slice(0, byAt) : body;
  const rest = byAt >= 0 ? body.slice(byAt) : '';
  const from = clause(fromPart, 'from');
  return {
    from,
    ip: fromIp(fromPart, from),
    by: clause(rest, 'by'),
    with: clause(rest, 'with'),
    time: parseDate(date),
    date: date || undefined,
    delaySeconds: undefined,
    index,
  };
}

/** The Received chain, oldest first, with the delay of each hop. The newest MAX_HOPS fields are analysed. */
export function receivedChain(message: ParsedMessage): ReceivedChain {
  const all = fieldsNamed(message, 'Received');
  const newest = all.slice(0, MAX_HOPS).map((f) => parseReceived(f.value, f.index));
  const hops = newest.reverse();
  for (let i = 1; i < hops.length; i++) {
    const a = hops[i - 1]!.time;
    const b = hops[i]!.time;
    if (a && b) hops[i]!.delaySeconds = Math.round((Date.parse(b) - Date.parse(a)) / 1000);
  }
  return { hops, skipped: Math.max(0, all.length - MAX_HOPS) };
}

/**
 * The hop that carried the message into the receiving tenant's Exchange Online: the newest hop received by a
 * Microsoft 365 server from a host that is not one of Microsoft's internal servers. Hops above it are Exchange
 * Online's internal relays; hops below it happened before (the gateway, the sender, or another tenant's own Exchange
 * Online, which the topmost entry supersedes).
 */
export function entryHop(hops: readonly Hop[]): Hop | undefined {
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (!isMicrosoftHost(hop.by)) continue;
    if (insideMicrosoft(hop)) continue;
    return hop;
  }
  return undefined;
}
