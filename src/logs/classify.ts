/**
 * Classification of inbound log rows (issue 12 item 2, DESIGN §3.4): through the gateway, from a declared source,
 * direct (delivered from an address that is neither: the durable sign of a bypass, since 5.7.68/5.7.51 rejections
 * happen in the SMTP session and are not reliably in message trace: formats.md §2.2, field-notes), or rejected/blocked
 * with the code. One pass, grouped as it goes; every key kept is a fresh string (DESIGN §8).
 */
import { domainOf, parseDomain } from '../common/domains.js';
import { hasGateway, type ResolvedGateway } from '../common/gateway.js';
import {
  canonicalIp,
  IpSet,
  ipv4Text,
  parseAddress,
  strictQuad,
  strictQuadBytes,
  type Address,
} from '../common/ip.js';
import type { Profile } from '../profile/schema.js';
import { ByteMemo, ByteTable, HOT_HITS, IdTable, IntMap, Layout } from './byte-memo.js';
import {
  codeIn,
  directionOf,
  outcomeOf,
  type BoundLayout,
  type Direction,
  type LayoutId,
  type LogRow,
  type Outcome,
} from './layouts.js';
import type { CsvRecord } from './tokenizer.js';
import {
  DateOrderWatch,
  isoDay,
  isoSeconds,
  parseLogDay,
  parseLogTime,
  timeOfDayBytes,
  type DateOrder,
} from './time.js';
import { doubled } from '../common/collections.js';
import { compareIds } from '../common/order.js';

export type SourceClass = 'gateway' | 'declared' | 'other' | 'none';
export type InboundClass =
  | 'viaGateway'
  | 'viaDeclaredSource'
  | 'viaOtherConnector'
  | 'direct'
  | 'rejected'
  | 'unknownSource'
  | 'unknownOutcome';

export const INBOUND_CLASSES: readonly InboundClass[] = [
  'viaGateway',
  'viaDeclaredSource',
  'viaOtherConnector',
  'direct',
  'rejected',
  'unknownSource',
  'unknownOutcome',
];

/** What the classification knows of the tenant: the export's accepted domains, the profile's gateway and sources. */
export interface TraceContext {
  acceptedDomains: readonly string[];
  gateway: ResolvedGateway;
  profile: Profile | undefined;
}

export interface TraceClassifierOptions {
  /**
   * Whether the delivered flows are kept for the impact replay (flowList); default true. Without a replay they are
   * not: keeping them costs a lookup per delivered row and the strings of up to MAX_FLOWS flows, and their cap would
   * only produce a caveat about a replay that does not run.
   */
  flows?: boolean;
}

type Counts = Record<InboundClass, number>;

function zero(): Counts {
  return {
    viaGateway: 0,
    viaDeclaredSource: 0,
    viaOtherConnector: 0,
    direct: 0,
    rejected: 0,
    unknownSource: 0,
    unknownOutcome: 0,
  };
}

interface Seen {
  count: number;
  first: number;
  last: number;
  /** EmailEvents: the composite authentication verdicts of the rows (`pass`, `fail`, `unknown`…) and their counts. */
  compauth?: Map<string, number>;
}

/**
 * EmailEvents `AuthenticationDetails`: JSON text with keys SPF, DKIM, DMARC, CompAuth, their case varying between the
 * portal, the hunting API and the streaming API (formats.md §3): read case-insensitively, each key optional. Text that
 * is not a JSON object gives no verdict (unknown), never a pass.
 */
export function parseAuthenticationDetails(
  text: string,
): Partial<Record<'spf' | 'dkim' | 'dmarc' | 'compauth', string>> {
  if (text.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return {};
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return {};
  const out: Partial<Record<'spf' | 'dkim' | 'dmarc' | 'compauth', string>> = {};
  for (const [k, val] of Object.entries(v)) {
    const key = k.toLowerCase();
    if ((key === 'spf' || key === 'dkim' || key === 'dmarc' || key === 'compauth') && typeof val === 'string')
      out[key] = val.trim().toLowerCase();
  }
  return out;
}

/** Distinct direct sources and inventory entries kept (flat memory); later ones are counted, not listed. */
export const MAX_SOURCES = 10_000;

/** Entries by two keys (an address and a sender domain, a sender and an address), at most MAX_SOURCES, in the order made. */
class SeenList {
  readonly list: Seen[] = [];
  /** Each entry's keys, by its index in `list`. */
  private readonly firsts: string[] = [];
  private readonly seconds: string[] = [];

  /**
   * A new entry of (first, second), which the caller knows is not listed (direct sources are found by their ids in
   * an IdTable); -1 when MAX_SOURCES are listed.
   */
  add(first: string, second: string): number {
    if (this.list.length >= MAX_SOURCES) return -1;
    this.firsts.push(first);
    this.seconds.push(second);
    return this.list.push({ count: 0, first: NaN, last: NaN }) - 1;
  }

  /** [first key, second key, entry] in the order the entries were made. */
  entries(): [string, string, Seen][] {
    return this.list.map((s, i) => [this.firsts[i]!, this.seconds[i]!, s]);
  }
}

/**
 * A SeenList whose entries are found by their keys: a map per first key, so that a lookup makes no concatenated key
 * and a first key not listed is told by one lookup.
 */
class SeenPairs extends SeenList {
  private readonly byFirst = new Map<string, Map<string, number>>();

  /** The index in `list` of the entry of (first, second), made when new; -1 when MAX_SOURCES are listed without it. */
  at(first: string, second: string): number {
    let bySecond = this.byFirst.get(first);
    const at = bySecond?.get(second);
    if (at !== undefined) return at;
    const made = this.add(first, second);
    if (made < 0) return made;
    if (!bySecond) this.byFirst.set(first, (bySecond = new Map()));
    bySecond.set(second, made);
    return made;
  }
}

/** One more row at `t` (NaN: a time not read). */
function saw(s: Seen, t: number): void {
  s.count++;
  if (!Number.isNaN(t)) {
    if (!(s.first <= t)) s.first = t;
    if (!(s.last >= t)) s.last = t;
  }
}

/** Counts per key in a Tally: one per class, padded to 32 bytes so that a key's counts lie in one cache line. */
const enum Tallies {
  STRIDE = 8,
}

/**
 * Counts per key and class in one typed array (a million rows bump four of these: no object per key, no object per
 * row).
 */
export class Tally {
  /** Rows whose key came after MAX_TALLY_KEYS distinct ones: counted under OTHER_KEY (memory stays flat, DESIGN §8). */
  overflow = 0;
  private readonly index = new Map<string, number>();
  readonly keys: string[] = [];
  /** OTHER_KEY's slot once the tally is full (-1 before). */
  private otherSlot = -1;
  private counts = new Int32Array(1024 * Tallies.STRIDE);

  bump(key: string, cls: number): void {
    this.bumpAt(this.slot(key), cls);
  }

  bumpAt(slot: number, cls: number): void {
    this.counts[slot * Tallies.STRIDE + cls]!++;
  }

  /** The key's slot (OTHER_KEY's once MAX_TALLY_KEYS are kept), for bumpAt; callers may keep it for the next rows. */
  slot(key: string): number {
    const i = this.index.get(key);
    if (i !== undefined) return i;
    return this.full ? this.other() : this.add(key);
  }

  /** Whether a key not counted yet goes under OTHER_KEY. */
  get full(): boolean {
    return this.keys.length >= MAX_TALLY_KEYS;
  }

  /**
   * OTHER_KEY's slot, for a key the caller knows is not counted yet in a full tally (what `slot` gives it, without
   * making its string).
   */
  other(): number {
    this.overflow++;
    if (this.otherSlot >= 0) return this.otherSlot;
    const i = this.index.get(OTHER_KEY) ?? this.add(OTHER_KEY);
    if (this.full) this.otherSlot = i;
    return i;
  }

  private add(key: string): number {
    const i = this.keys.length;
    this.index.set(key, i);
    this.keys.push(key);
    if ((i + 1) * Tallies.STRIDE > this.counts.length) {
      this.counts = doubled(this.counts);
    }
    return i;
  }

  /** Key `i`'s rows, all classes together. */
  totalOf(i: number): number {
    let t = 0;
    for (let j = 0; j < INBOUND_CLASSES.length; j++) t += this.counts[i * Tallies.STRIDE + j]!;
    return t;
  }

  countsOf(i: number): Counts {
    const c = zero();
    INBOUND_CLASSES.forEach((k, j) => (c[k] = this.counts[i * Tallies.STRIDE + j]!));
    return c;
  }

  get size(): number {
    return this.keys.length;
  }
}

/** Distinct keys kept per summary (addresses, sender domains, recipients); far above what a top list shows. */
export const MAX_TALLY_KEYS = 10_000;
export const OTHER_KEY = '(all others)';
/** Distinct flows kept for the impact replay; the rows of later ones are counted as not replayed. */
export const MAX_FLOWS = 20_000;

/**
 * The classes' indexes in INBOUND_CLASSES (what Tally counts by). This file's numbers read per row are const enums, so
 * that they are literals in the compiled code (esbuild makes a module-level const of a file with imports a `var`,
 * which V8 reads from the module context and checks at every use).
 */
const enum Cls {
  VIA_GATEWAY = 0,
  VIA_DECLARED = 1,
  VIA_OTHER_CONNECTOR = 2,
  DIRECT = 3,
  REJECTED = 4,
  UNKNOWN_SOURCE = 5,
  UNKNOWN_OUTCOME = 6,
}

/** A delivered inbound flow for the impact replay: one per (address, sender domain, recipient domain). */
export interface Flow {
  ip: string;
  sender: string;
  recipient: string;
  source: SourceClass;
  count: number;
  /** EmailEvents: the header From (P2) and AuthenticationDetails as written, for the impact replay (logs/auth.ts). */
  headerFrom?: string;
  auth?: string;
}

/** The answers cached per address, recipient and sender domain text: a trace repeats a few thousand a million times. */
const MAX_CACHED_KEYS = 16_384;

/**
 * The bounds of the byte path's tables (entries, each a 64-byte slot): what a tenant's trace repeats fits, a botnet's
 * addresses do not fill memory. Mutable for the tests only, which make them tiny to exercise resets and long probes.
 */
export const MEMO_BOUNDS = {
  recipients: 1 << 14,
  addresses: 1 << 15,
  senderDomains: 1 << 14,
  /** Statuses, directions, connectors: a few dozen distinct values. */
  small: 1024,
  hotHits: HOT_HITS,
};

/**
 * Where an address stands (the index of each in SOURCE_NAMES): the gateway's, a declared source's, another's, or none
 * (no address, or text that is not one).
 */
const enum Src {
  GATEWAY = 0,
  DECLARED = 1,
  OTHER = 2,
  NONE = 3,
}
const SOURCE_NAMES: readonly SourceClass[] = ['gateway', 'declared', 'other', 'none'];

/**
 * An address whose text is not a plain dotted quad (IPv6, padded, empty, not an address), as the reader found it: its
 * trimmed text, where it stands, the quad it is when trimming made one, and its id once it has one (see `addressId`).
 */
interface AddressInfo {
  ip: string;
  source: number;
  /** The dotted quad of the trimmed text as a number (strictQuad), -1 when it is none. */
  quad: number;
  id: number;
}

/**
 * What a row's recipient and sender domain are, packed in one number (what a ByteTable holds for their bytes, and the
 * info objects of the string path): whether the domain is the tenant's (bit 0), the key's slot in its summary + 1
 * (bits 1–15, 0: not looked up yet) and the domain's id + 1 (bits 16–30, 0: not looked up yet; NO_ID + 1: it has none
 * and never will). A row reads these without following a pointer to an object (each one a wait for memory).
 */
const enum Packed {
  OWN = 1,
  NO_ID = 0x7ffe,
  /** What a ByteTable of sender domains holds for a domain part that parses to no domain. */
  NO_DOMAIN = -1,
}
function slotIn(p: number): number {
  return ((p >>> 1) & 0x7fff) - 1;
}
function withSlot(p: number, slot: number): number {
  return (p & ~0xfffe) | ((slot + 1) << 1);
}
function idIn(p: number): number {
  return ((p >>> 16) & 0x7fff) - 1;
}
function withId(p: number, id: number): number {
  return (p & 0xffff) | ((id + 1) << 16);
}
/** The id in `p`, -1 when it has none (not looked up, or NO_ID). */
function knownId(p: number): number {
  const id = idIn(p);
  return id === Packed.NO_ID ? -1 : id;
}
/**
 * `p` with the id of `key` in `ids`: given now with `give`; when it has none, NO_ID if it `never` will, else `p` as it
 * was (looked up again next time).
 */
function withIdOf(p: number, key: string, ids: Map<string, number>, give: boolean, never: boolean): number {
  let id = ids.get(key);
  if (id === undefined) {
    if (!give) return never ? withId(p, Packed.NO_ID) : p;
    id = ids.size;
    ids.set(key, id);
  }
  return withId(p, id);
}

/** A recipient as summarised (trimmed, lower case) and its domain, with its packed answers. */
interface RecipientInfo {
  recipient: string;
  domain: string | undefined;
  packed: number;
}

/** A sender domain as summarised (`<>` for the null sender, the whole sender when it has no domain), packed. */
interface SenderDomainInfo {
  key: string;
  /** Its OWN bit: whether the sender's domain is the tenant's (never without a domain): what makes Direct Send. */
  packed: number;
}

/** A status text, the outcome it stands for and the enhanced status code in it. */
interface StatusInfo {
  status: string;
  outcome: Outcome;
  code: string;
}

/** What only some rows need (direct and new flows), asked for lazily so other rows never make these strings. */
interface RowDetail {
  /** The sender, trimmed, lower case. */
  sender(): string;
  /** The row's time (parseLogTime of its text). */
  timeMs(): number;
  auth(): string;
  /** EmailEvents' header From (SenderFromAddress) as written; '' in message trace. */
  headerFrom(): string;
}

/** A LogRow as RowDetail (the string path: its sender is already lower case). */
class LogRowDetail implements RowDetail {
  row!: LogRow;
  lowerSender = '';
  /** The file's dates (their order). */
  dates!: DateOrderWatch;
  sender(): string {
    return this.lowerSender;
  }
  timeMs(): number {
    return parseLogTime(this.row.time, this.dates.order);
  }
  auth(): string {
    return this.row.auth;
  }
  headerFrom(): string {
    return this.row.headerFrom;
  }
}

/** The columns a CSV record is read by, and the record being read, as RowDetail (the byte path). */
class RecordDetail implements RowDetail {
  rec!: CsvRecord;
  /** The record's day (recordDay: the date part's dateOf, what parseLogTime adds the time of day to). */
  day = NaN;
  private senderOf: CsvRecord | undefined;
  private senderRow = -1;
  private lowerSender = '';
  constructor(
    private readonly senderAt: number,
    private readonly timeAt: number,
    private readonly authAt: number,
    private readonly headerFromAt: number,
    /** The file's dates (their order). */
    private readonly dates: DateOrderWatch,
  ) {}
  sender(): string {
    if (this.senderOf !== this.rec || this.senderRow !== this.rec.row) {
      this.senderOf = this.rec;
      this.senderRow = this.rec.row;
      this.lowerSender = fieldText(this.rec, this.senderAt).trim().toLowerCase();
    }
    return this.lowerSender;
  }
  timeMs(): number {
    const rec = this.rec;
    const at = this.timeAt;
    if (at >= 0 && !rec.escaped(at)) {
      // A date part starting with a digit, its time of day in a shape timeOfDayBytes reads: the day already found
      // plus that time, as parseLogTime adds them (no space to trim, not `/Date(…)/`, the same first space or `T`).
      const b = rec.bytes;
      const s = rec.fieldStart(at);
      const e = rec.fieldEnd(at);
      const c = s < e ? b[s]! : 0;
      if (c >= 0x30 && c <= 0x39) {
        let cut = s;
        while (cut < e && b[cut] !== Ch.SPACE && b[cut] !== Ch.LETTER_T) cut++;
        const tod = cut < e ? timeOfDayBytes(b, cut + 1, e) : -1;
        if (tod !== -1) return this.day + tod;
      }
    }
    return parseLogTime(fieldText(rec, at), this.dates.order);
  }
  auth(): string {
    return fieldText(this.rec, this.authAt);
  }
  headerFrom(): string {
    return fieldText(this.rec, this.headerFromAt);
  }
}

function fieldText(rec: CsvRecord, i: number): string {
  return i < 0 ? '' : rec.field(i);
}

const enum Ch {
  AT = 0x40,
  SPACE = 0x20,
  LETTER_T = 0x54,
}
/** Longest date part (`2025-07-17`, `17.07.2025`) remembered for the next row; longer ones are parsed each time. */
const MAX_DATE_PART_BYTES = 32;

/** TraceClassifier.useQuadBytes' cache of recent dotted-quad spellings. */
const enum QuadCache {
  ENTRIES = 256,
  STRIDE = 8,
}

/**
 * The previous record's date part (up to its first space or `T`) and what it gave: its bytes, and for one of 4 to 12
 * bytes the words that cover it (compared whole instead of byte by byte), whether the time is AM/PM, the day, its slot.
 */
interface LastDay {
  part: Uint8Array;
  w0: number;
  w1: number;
  wl: number;
  /** -1: none remembered. */
  length: number;
  twelveHour: boolean;
  day: number;
  slot: number;
}

/**
 * Classifies inbound rows and counts them as it goes. Two ways in, one set of decisions: `add` takes a LogRow (JSON,
 * the joined historical reports, tests); `recordReader` reads a CSV record by its bytes (DESIGN §8: a million rows
 * make no string per field): a recipient's or sender domain's packed answers are found again in a ByteTable by its
 * bytes, a status (and EmailEvents' direction and connectors) in a ByteMemo, a dotted quad parsed to a number (or
 * found in the recent-quads cache), the day by comparing the date part with the previous row's; each is worked out —
 * with the functions `add` uses — only the first times its bytes are seen. Direct sources and flows are kept in
 * tables keyed by the permanent ids of their address, sender domain and recipient domain.
 */
export class TraceClassifier {
  rows = 0;
  outbound = 0;
  /** Inbound rows per class, in INBOUND_CLASSES order. */
  private readonly inboundCounts = new Float64Array(INBOUND_CLASSES.length);
  readonly byDay = new Tally();
  readonly bySourceIp = new Tally();
  readonly bySenderDomain = new Tally();
  readonly byRecipient = new Tally();
  readonly rejections = new Map<string, number>();
  /** Direct rows by address and sender domain (found by their ids in directIds). */
  readonly direct = new SeenList();
  /** Direct rows whose sender is in an accepted domain, by sender and address. */
  readonly directSend = new SeenPairs();
  /** Direct rows whose source came after MAX_SOURCES distinct ones: counted in `inbound`, not listed. */
  sourcesNotListed = 0;
  /** Delivered rows left out of the replay because MAX_FLOWS distinct flows were already kept. */
  rowsNotReplayed = 0;
  readonly layouts = new Set<LayoutId>();
  unparsedTimes = 0;
  private readonly accepted: Set<string>;
  private readonly gatewayIps: IpSet;
  private readonly declaredIps: IpSet;
  private readonly addressCache = new Map<string, AddressInfo>();
  private readonly recipientCache = new Map<string, RecipientInfo>();
  private readonly senderDomainCache = new Map<string, SenderDomainInfo>();
  private readonly domainlessCache = new Map<string, SenderDomainInfo>();
  /**
   * Ids of the addresses that hold a place (a bySourceIp slot, a direct-source entry, a flow): given the first time
   * one is needed, never changed nor reused, so that the tables of direct sources and flows are keyed by numbers. At
   * most MAX_TALLY_KEYS + MAX_SOURCES + MAX_FLOWS of them: an address seen once beyond those is never given one.
   * A dotted quad (most of a trace) is found by its number, any other address by its trimmed text.
   */
  private readonly quadIds = new IntMap();
  private readonly addressIds = new Map<string, number>();
  private readonly addressTexts: string[] = [];
  private addressSources = new Uint8Array(256);
  private addressSlots = new Int32Array(256);
  /** Ids of sender domains (at most MAX_SOURCES + MAX_FLOWS) and recipient domains (MAX_FLOWS), given as addresses'. */
  private readonly senderDomainIds = new Map<string, number>();
  private readonly recipientDomainIds = new Map<string, number>();
  /**
   * The recipient and sender domain of the row being counted: packed, their info when at hand (always on the string
   * path), and the ByteTable holding the packed value for their bytes, to write what is learnt back to.
   */
  private rcpt = 0;
  private rcptInfo: RecipientInfo | undefined;
  private rcptTable: ByteTable | undefined;
  private sd = 0;
  private sdInfo: SenderDomainInfo | undefined;
  private sdTable: ByteTable | undefined;
  /** The byte path's record and columns, for the info of a recipient or sender domain found by its bytes alone. */
  private record: CsvRecord | undefined;
  private recipientAt = -1;
  private senderAt = -1;
  /** The address of the row being counted: its id (-1: none yet), where it stands, its quad (-1: none), its info. */
  private rowAddressId = -1;
  private rowSource = Src.NONE;
  private rowQuad = -1;
  private rowAddress: AddressInfo | undefined;
  /** useQuadBytes' cache: QuadCache.ENTRIES entries of [length (0: free), 4 words, quad, id, source]. */
  private readonly quadCache = new Int32Array(QuadCache.ENTRIES * QuadCache.STRIDE);
  private viewSource: Uint8Array | undefined;
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  /** bySourceIp's slot for rows without a usable address (-1 until one is met). */
  private noneSlot = -1;
  /** The direct-source entry (index in direct.list) of an address id and sender-domain id: every entry made is here. */
  private readonly directIds = new IdTable();
  /**
   * The rows counted since flowList of each flow by address id, sender-domain id and recipient-domain id (every flow
   * but EmailEvents' keyed ones is here): a delivered row finds its flow and counts it in one slot.
   */
  private readonly flowIds = new IdTable();
  /** The ids of each flowRefs entry in flowIds (-1 for keyed ones), three per flow. */
  private flowKeys = new Int32Array(768);
  /** EmailEvents flows, which also differ by header From and authentication: by address, sender domain, then key. */
  private readonly keyedFlows = new Map<string, Map<string, Map<string, number>>>();
  /** The flows, in the order they were first met. */
  private readonly flowRefs: Flow[] = [];
  /**
   * Rows counted per keyed flow (by flowRefs index), added to the flows' counts when they are listed (a number in one
   * small array rather than a field of one of thousands of objects).
   */
  private flowCounts = new Float64Array(256);
  private readonly daySlots = new Map<number, number>();
  private readonly rowDetail = new LogRowDetail();
  /** The dates of the file being read (startFile). */
  private dates = new DateOrderWatch('', undefined);
  /** The RowDetail of the row being counted (the string path's or the reader's). */
  private detail: RowDetail = this.rowDetail;

  /** See TraceClassifierOptions.flows. */
  private readonly keepsFlows: boolean;

  constructor(
    readonly context: TraceContext,
    options: TraceClassifierOptions = {},
  ) {
    this.keepsFlows = options.flows ?? true;
    this.rowDetail.dates = this.dates;
    this.accepted = new Set(context.acceptedDomains.map((d) => d.toLowerCase()));
    this.gatewayIps = new IpSet(context.gateway.ips);
    const declared: string[] = [];
    for (const s of context.profile?.directSendSources ?? []) declared.push(...s.ips);
    declared.push(...(context.profile?.hybrid?.ips ?? []));
    this.declaredIps = new IpSet(declared);
  }

  /**
   * Starts a file: its slash dates in `order` (from a first reading that learnt it), or in the order the file shows.
   * Reading may throw DateOrderRestart (see DateOrderWatch).
   */
  startFile(file: string, order?: DateOrder): void {
    this.dates = new DateOrderWatch(file, order);
    this.rowDetail.dates = this.dates;
  }

  /** What the file just read says of its dates (DateOrderWatch.notes). */
  dateNotes(): string[] {
    return this.dates.notes();
  }

  get inbound(): Counts {
    const c = zero();
    INBOUND_CLASSES.forEach((k, i) => (c[k] = this.inboundCounts[i]!));
    return c;
  }

  /** Distinct flows kept for the replay. */
  get flowCount(): number {
    return this.flowRefs.length;
  }

  /** An accepted domain or a subdomain of one (mail to a subdomain of an accepted domain is the tenant's). */
  isOwn(domain: string | undefined): boolean {
    if (domain === undefined) return false;
    if (this.accepted.has(domain)) return true;
    for (let dot = domain.indexOf('.'); dot >= 0; dot = domain.indexOf('.', dot + 1))
      if (this.accepted.has(domain.slice(dot + 1))) return true;
    return false;
  }

  sourceOf(ip: string): SourceClass {
    return SOURCE_NAMES[this.sourceOfAddress(ip === '' ? undefined : parseAddress(ip))]!;
  }

  private sourceOfAddress(a: Address | undefined): number {
    if (a === undefined) return Src.NONE;
    if (this.gatewayIps.hasAddress(a)) return Src.GATEWAY;
    return this.declaredIps.hasAddress(a) ? Src.DECLARED : Src.OTHER;
  }

  /** An address as written, trimmed and placed (the string path, and bytes that are not a plain quad). */
  private addressInfo(raw: string): AddressInfo {
    const trimmed = raw.trim();
    let quad = strictQuad(trimmed);
    // Any other address in its canonical form (RFC 5952 IPv6; an IPv4-mapped one as its dotted quad), so that two
    // spellings of one address are one source, as dmarc groups them; text that is no address stays as written.
    const ip = quad >= 0 ? trimmed : (canonicalIp(trimmed) ?? trimmed);
    if (quad < 0 && ip !== trimmed) quad = strictQuad(ip);
    const source = this.sourceOfAddress(quad >= 0 ? quad : ip === '' ? undefined : parseAddress(ip));
    return { ip, source, quad, id: this.knownAddressId(quad, ip) };
  }

  /** The id an address has (-1: none yet): a dotted quad's by its number, any other by its trimmed text. */
  private knownAddressId(quad: number, ip: string): number {
    return quad >= 0 ? this.quadIds.get(quad) : (this.addressIds.get(ip) ?? -1);
  }

  private cachedAddressInfo(raw: string): AddressInfo {
    let info = this.addressCache.get(raw);
    if (info === undefined) {
      info = this.addressInfo(raw);
      remember(this.addressCache, raw, info);
    }
    return info;
  }

  /** Makes `info` the row's address. */
  private useAddress(info: AddressInfo): void {
    // Another info of the same address (another spelling, or one made before a cache started afresh) may have been
    // given the id since.
    if (info.id < 0 && info.source !== Src.NONE) info.id = this.knownAddressId(info.quad, info.ip);
    this.rowAddress = info;
    this.rowQuad = info.quad;
    this.rowSource = info.source;
    this.rowAddressId = info.id;
  }

  /** Makes the plain dotted quad `n` the row's address (the byte path: no string, no object). */
  private useQuad(n: number): void {
    const id = this.quadIds.get(n);
    this.rowQuadIs(n, id, id >= 0 ? this.addressSources[id]! : this.sourceOfAddress(n));
  }

  private rowQuadIs(n: number, id: number, source: number): void {
    this.rowAddress = undefined;
    this.rowQuad = n;
    this.rowAddressId = id;
    this.rowSource = source;
  }

  /**
   * Makes the plain dotted quad spelt by `b[s..e)` the row's address and says true; false when the bytes are not one.
   * Recent spellings are found again in a direct-mapped cache (a gateway's few addresses are most rows) by the
   * bytes' length and the words that cover them, with the quad, where it stands and its id: no parsing, no table.
   */
  private useQuadBytes(b: Uint8Array, s: number, e: number): boolean {
    const len = e - s;
    if (len < 7 || len > 15) return false;
    const view = this.viewOf(b);
    // [s, s+4) and [e-4, e) cover 8 bytes, [s+4, s+8) up to 12, [s+8, s+12) up to 15: all inside the field.
    const w0 = view.getInt32(s, true);
    const w1 = len > 8 ? view.getInt32(s + 4, true) : 0;
    const w2 = len > 12 ? view.getInt32(s + 8, true) : 0;
    const wl = view.getInt32(e - 4, true);
    const c = this.quadCache;
    const at = (Math.imul(w0 ^ Math.imul(wl, 31) ^ w1 ^ len, 0x9e3779b1) >>> 24) * QuadCache.STRIDE;
    if (c[at] === len && c[at + 1] === w0 && c[at + 2] === w1 && c[at + 3] === w2 && c[at + 4] === wl) {
      const n = c[at + 5]! >>> 0;
      let id = c[at + 6]!;
      if (id < 0) id = c[at + 6] = this.quadIds.get(n);
      this.rowQuadIs(n, id, c[at + 7]!);
      return true;
    }
    const n = strictQuadBytes(b, s, e);
    if (n < 0) return false;
    this.useQuad(n);
    c[at] = len;
    c[at + 1] = w0;
    c[at + 2] = w1;
    c[at + 3] = w2;
    c[at + 4] = wl;
    c[at + 5] = n | 0;
    c[at + 6] = this.rowAddressId;
    c[at + 7] = this.rowSource;
    return true;
  }

  /** A DataView of `b` (the one made for the chunk being read), to read words at any offset. */
  private viewOf(b: Uint8Array): DataView {
    if (b !== this.viewSource) {
      this.viewSource = b;
      this.view = new DataView(b.buffer, b.byteOffset, b.length);
    }
    return this.view;
  }

  /** The row's address as text. */
  private addressText(): string {
    if (this.rowAddressId >= 0) return this.addressTexts[this.rowAddressId]!;
    return this.rowAddress ? this.rowAddress.ip : ipv4Text(this.rowQuad);
  }

  /** The id of the row's address (a usable one), given now if it has none. */
  private addressId(): number {
    if (this.rowAddressId >= 0) return this.rowAddressId;
    const ip = this.addressText();
    const id = this.addressTexts.push(ip) - 1;
    if (this.rowQuad >= 0) this.quadIds.set(this.rowQuad, id);
    else this.addressIds.set(ip, id);
    if (id >= this.addressSources.length) {
      this.addressSources = doubled(this.addressSources);
      this.addressSlots = doubled(this.addressSlots);
    }
    this.addressSources[id] = this.rowSource;
    this.addressSlots[id] = -1;
    if (this.rowAddress) this.rowAddress.id = id;
    return (this.rowAddressId = id);
  }

  /** The row address's slot in bySourceIp. */
  private addressSlot(): number {
    if (this.rowSource === Src.NONE) {
      if (this.noneSlot < 0) this.noneSlot = this.bySourceIp.slot('(none)');
      return this.noneSlot;
    }
    let id = this.rowAddressId;
    if (id >= 0) {
      const slot = this.addressSlots[id]!;
      if (slot >= 0) return slot;
      // An address without an id has no slot (a slot is only given with an id): once the tally is full, OTHER_KEY's.
    } else if (this.bySourceIp.full) return this.bySourceIp.other();
    id = this.addressId();
    return (this.addressSlots[id] = this.bySourceIp.slot(this.addressTexts[id]!));
  }

  private setRecipient(p: number): void {
    this.rcpt = p;
    if (this.rcptInfo) this.rcptInfo.packed = p;
    this.rcptTable?.update(p);
  }

  private setSenderDomain(p: number): void {
    this.sd = p;
    if (this.sdInfo) this.sdInfo.packed = p;
    this.sdTable?.update(p);
  }

  /** The row's recipient as info (made from the record when the row has only its packed answers). */
  private recipientObject(): RecipientInfo {
    return (this.rcptInfo ??= this.recipientInfo(fieldText(this.record!, this.recipientAt)));
  }

  /** The row's sender domain as info (likewise). */
  private senderDomainObject(): SenderDomainInfo {
    return (this.sdInfo ??=
      this.recordDomainInfo(this.record!, this.senderAt) ?? this.senderDomainInfo(this.detail.sender()));
  }

  private recipientSlot(): number {
    let slot = slotIn(this.rcpt);
    if (slot < 0) {
      slot = this.byRecipient.slot(this.recipientObject().recipient);
      this.setRecipient(withSlot(this.rcpt, slot));
    }
    return slot;
  }

  private senderDomainSlot(): number {
    let slot = slotIn(this.sd);
    if (slot < 0) {
      slot = this.bySenderDomain.slot(this.senderDomainObject().key);
      this.setSenderDomain(withSlot(this.sd, slot));
    }
    return slot;
  }

  /**
   * The id of the row's sender domain, -1 when it has none (given now with `give`). Once neither a direct source nor
   * a flow can be made any more, a domain without one never gets one: that is remembered (NO_ID).
   */
  private senderDomainId(give: boolean): number {
    let p = this.sd;
    if (idIn(p) === -1) {
      const never =
        this.direct.list.length >= MAX_SOURCES && (!this.keepsFlows || this.flowRefs.length >= MAX_FLOWS);
      p = withIdOf(p, this.senderDomainObject().key, this.senderDomainIds, give, never);
      if (p !== this.sd) this.setSenderDomain(p);
    }
    return knownId(p);
  }

  /** The id of the row's recipient domain, likewise (only flows give one). */
  private recipientDomainId(give: boolean): number {
    let p = this.rcpt;
    if (idIn(p) === -1) {
      const never = this.flowRefs.length >= MAX_FLOWS;
      p = withIdOf(p, this.recipientObject().domain ?? '', this.recipientDomainIds, give, never);
      if (p !== this.rcpt) this.setRecipient(p);
    }
    return knownId(p);
  }

  private recipientInfo(raw: string): RecipientInfo {
    let info = this.recipientCache.get(raw);
    if (info === undefined) {
      const recipient = raw.trim().toLowerCase();
      const domain = domainOf(recipient);
      info = { recipient, domain, packed: this.isOwn(domain) ? Packed.OWN : 0 };
      remember(this.recipientCache, raw, info);
    }
    return info;
  }

  /** The sender domain of a sender already trimmed and in lower case. */
  private senderDomainInfo(sender: string): SenderDomainInfo {
    // Not domainOf: its cache is for addresses asked about again, and senders are mostly new (DESIGN §8).
    const domain = parseDomain(sender);
    if (domain !== undefined) return this.domainInfo(domain);
    // No domain: the null sender `<>` (bounces, common) or a sender without `@`, summarised as itself.
    const key = sender === '' ? '<>' : sender;
    let info = this.domainlessCache.get(key);
    if (info === undefined) {
      info = { key, packed: 0 };
      remember(this.domainlessCache, key, info);
    }
    return info;
  }

  private domainInfo(domain: string): SenderDomainInfo {
    let info = this.senderDomainCache.get(domain);
    if (info === undefined) {
      info = { key: domain, packed: this.isOwn(domain) ? Packed.OWN : 0 };
      remember(this.senderDomainCache, domain, info);
    }
    return info;
  }

  /** The byDay slot of a day (UTC midnight, ms; NaN: `unknown`). */
  private daySlot(day: number): number {
    const midnight = day - (((day % 86_400_000) + 86_400_000) % 86_400_000);
    let slot = this.daySlots.get(midnight);
    if (slot === undefined) {
      slot = this.byDay.slot(Number.isNaN(midnight) ? 'unknown' : isoDay(midnight));
      this.daySlots.set(midnight, slot);
    }
    return slot;
  }

  /** Classifies one row. */
  add(row: LogRow): void {
    this.rows++;
    const rcpt = this.recipientInfo(row.recipient);
    if (!isInbound(row.direction, rcpt.packed)) {
      this.outbound++;
      return;
    }
    this.rcptInfo = rcpt;
    this.rcpt = rcpt.packed;
    this.rcptTable = undefined;
    this.dates.note(row.time);
    const day = parseLogDay(row.time, this.dates.order);
    const sender = row.sender.trim().toLowerCase();
    const detail = this.rowDetail;
    this.detail = detail;
    detail.row = row;
    detail.lowerSender = sender;
    const sd = this.senderDomainInfo(sender);
    this.sdInfo = sd;
    this.sd = sd.packed;
    this.sdTable = undefined;
    this.record = undefined;
    this.useAddress(this.cachedAddressInfo(row.ip));
    this.count(
      day,
      this.daySlot(day),
      row.outcome,
      row.status,
      row.code,
      row.connector !== undefined && row.connector !== '',
      detail,
    );
  }

  /**
   * A reader of the CSV records of a file in `bound`'s layout by their bytes, or undefined when the layout needs the
   * LogRow path (the summary report's recipient list, the extended report's event join, a status code that may sit
   * in another column).
   */
  recordReader(bound: BoundLayout): ((rec: CsvRecord) => void) | undefined {
    const { layout, index } = bound;
    if (
      layout.id === 'historical-summary' ||
      layout.id === 'historical-extended' ||
      index.recipient < 0 ||
      index.recipientStatus >= 0 ||
      index.customData >= 0
    )
      return undefined;
    const id = layout.id;
    const detail = new RecordDetail(index.sender, index.time, index.auth, index.headerFrom, this.dates);
    const b = MEMO_BOUNDS;
    const recipients = new ByteTable(b.recipients, true, b.hotHits);
    // Addresses that are not a plain dotted quad (those are read as numbers: quadOf).
    const addresses = new ByteMemo<AddressInfo>(b.addresses, true, b.hotHits);
    // NO_DOMAIN: a domain part that parses to no domain, so the key is the whole sender (read as text).
    const senderDomains = new ByteTable(b.senderDomains, true, b.hotHits);
    const statuses = new ByteMemo<StatusInfo>(b.small, false, b.hotHits);
    const directions = new ByteMemo<Direction>(b.small, false, b.hotHits);
    const connectors = new ByteMemo<boolean>(b.small, false, b.hotHits);
    const makeAddress = (t: string) => this.addressInfo(t);
    // The outcome of the status alone; EmailEvents' DeliveryLocation is looked at per row below.
    const makeStatus = (t: string): StatusInfo => ({
      status: t,
      outcome: outcomeOf(id, t, ''),
      code: codeIn(t),
    });
    const makeHasConnector = (t: string) => t.trim() !== '';
    const lastDay: LastDay = {
      part: new Uint8Array(MAX_DATE_PART_BYTES),
      w0: 0,
      w1: 0,
      wl: 0,
      length: -1,
      twelveHour: false,
      day: NaN,
      slot: 0,
    };
    const ipAt = index.ip;
    const rcptAt = index.recipient;
    return (rec) => {
      this.rows++;
      this.record = rec;
      this.recipientAt = rcptAt;
      this.senderAt = index.sender;
      // The recipient's packed answers by its bytes; its info (from the text) the first times, or when escaped.
      let rcpt = Layout.MISSING;
      let s = 0;
      let e = 0;
      const escaped = rec.escaped(rcptAt);
      if (!escaped) {
        s = rec.fieldStart(rcptAt);
        e = rec.fieldEnd(rcptAt);
        rcpt = recipients.get(rec.bytes, s, e);
      }
      if (rcpt === Layout.MISSING) {
        const info = this.recipientInfo(fieldText(rec, rcptAt));
        this.rcptInfo = info;
        rcpt = info.packed;
        this.rcptTable = !escaped && recipients.set(rec.bytes, s, e, rcpt) ? recipients : undefined;
      } else {
        this.rcptInfo = undefined;
        this.rcptTable = recipients;
      }
      this.rcpt = rcpt;
      const direction =
        index.direction < 0 ? 'unknown' : lookup(directions, rec, index.direction, directionOf);
      if (!isInbound(direction, rcpt)) {
        this.outbound++;
        return;
      }
      const ipField = index.ipv6 >= 0 && rec.fieldStart(ipAt) === rec.fieldEnd(ipAt) ? index.ipv6 : ipAt;
      if (ipField < 0 || !this.useQuadBytes(rec.bytes, rec.fieldStart(ipField), rec.fieldEnd(ipField)))
        this.useAddress(lookup(addresses, rec, ipField, makeAddress));
      const status = lookup(statuses, rec, index.status, makeStatus);
      const outcome =
        index.deliveryLocation >= 0
          ? outcomeOf(id, status.status, rec.field(index.deliveryLocation))
          : status.outcome;
      detail.rec = rec;
      this.detail = detail;
      const day = this.recordDay(rec, index.time, lastDay);
      detail.day = day;
      this.recordSenderDomain(rec, index.sender, senderDomains, detail);
      this.count(
        day,
        lastDay.slot,
        outcome,
        status.status,
        status.code,
        index.connector >= 0 && lookup(connectors, rec, index.connector, makeHasConnector),
        detail,
      );
    };
  }

  /**
   * The day of a record's time (parseLogDay), sets `last.slot`: the date part's bytes (up to the first space or `T`)
   * compared with the previous row's, which they mostly equal (rows come in time order), and parsed only when not.
   */
  private recordDay(rec: CsvRecord, at: number, last: LastDay): number {
    const b = rec.bytes;
    const s = rec.fieldStart(at);
    const e = rec.fieldEnd(at);
    const escaped = rec.escaped(at);
    // The AM/PM test of parseLogDay on the last character (an ASCII byte when it is one of these).
    // The last byte that is not a blank (parseLogTime trims the text before it reads the marker).
    let k = e - 1;
    while (k >= s && (b[k] === Ch.SPACE || b[k] === 0x09)) k--;
    const lastByte = k >= s ? b[k] : -1;
    const twelveHour = lastByte === 77 || lastByte === 109 || lastByte === 46;
    // The previous date part (which holds no space nor `T`) followed by a space or `T`: the same date part.
    const known = last.length;
    if (known >= 0 && e - s > known && twelveHour === last.twelveHour && !escaped) {
      const c = b[s + known];
      if (c === Ch.SPACE || c === Ch.LETTER_T) {
        if (known >= 4 && known <= 12) {
          // The words that cover the date part ([s, s+4), [s+4, s+8) past 8 bytes, the last four), as remembered.
          const view = this.viewOf(b);
          if (
            view.getInt32(s, true) === last.w0 &&
            (known <= 8 || view.getInt32(s + 4, true) === last.w1) &&
            view.getInt32(s + known - 4, true) === last.wl
          )
            return last.day;
        } else {
          let i = 0;
          while (i < known && last.part[i] === b[s + i]) i++;
          if (i === known) return last.day;
        }
      }
    }
    let cut = s;
    while (cut < e && b[cut] !== Ch.SPACE && b[cut] !== Ch.LETTER_T) cut++;
    const length = cut - s;
    // A date part to remember has at least a byte (a padded time, ` 2025-…`, has none before its space: parsed
    // every time, below).
    if (cut < e && length > 0 && length <= MAX_DATE_PART_BYTES && !escaped) {
      const text = rec.field(at);
      this.dates.note(text);
      const day = parseLogDay(text, this.dates.order);
      last.part.set(b.subarray(s, cut));
      if (length >= 4 && length <= 12) {
        const view = this.viewOf(b);
        last.w0 = view.getInt32(s, true);
        last.w1 = length > 8 ? view.getInt32(s + 4, true) : 0;
        last.wl = view.getInt32(cut - 4, true);
      }
      last.length = length;
      last.twelveHour = twelveHour;
      last.day = day;
      last.slot = this.daySlot(day);
      return day;
    }
    const text = fieldText(rec, at);
    this.dates.note(text);
    const day = parseLogDay(text, this.dates.order);
    last.length = -1;
    last.slot = this.daySlot(day);
    return day;
  }

  /**
   * Makes the sender domain of a record the row's: from the bytes after the sender's last `@` (what parseDomain
   * reads), its packed answers found again by those bytes; the whole sender is read as text when it has no `@` or its
   * domain part parses to nothing.
   */
  private recordSenderDomain(rec: CsvRecord, at: number, table: ByteTable, detail: RowDetail): void {
    this.sdTable = undefined;
    this.sdInfo = undefined;
    const i = lastAt(rec, at);
    if (i >= 0) {
      const b = rec.bytes;
      const e = rec.fieldEnd(at);
      let p = table.get(b, i + 1, e);
      if (p === Layout.MISSING) {
        const info = this.domainInfoAfter(b, i, e);
        p = info === null ? Packed.NO_DOMAIN : info.packed;
        this.sdInfo = info ?? undefined;
        if (table.set(b, i + 1, e, p) && info !== null) this.sdTable = table;
      } else if (p !== Packed.NO_DOMAIN) this.sdTable = table;
      if (p !== Packed.NO_DOMAIN) {
        this.sd = p;
        return;
      }
    }
    const info = this.senderDomainInfo(detail.sender());
    this.sdInfo = info;
    this.sd = info.packed;
  }

  /**
   * The info of the sender domain of a record read from the bytes after the sender's last `@`; null when there is no
   * `@`, the field is escaped, or the part parses to no domain (the caller reads the whole sender).
   */
  private recordDomainInfo(rec: CsvRecord, at: number): SenderDomainInfo | null {
    const i = lastAt(rec, at);
    return i < 0 ? null : this.domainInfoAfter(rec.bytes, i, rec.fieldEnd(at));
  }

  /** The sender domain info of the bytes after the `@` at `i` up to `e`, null when they parse to no domain. */
  private domainInfoAfter(b: Uint8Array, i: number, e: number): SenderDomainInfo | null {
    // `@` is one byte that no other UTF-8 sequence holds, and neither cased nor case-ignorable: the lower-case,
    // trimmed text after it is what the lower-case, trimmed sender has after its last `@`.
    const domain = parseDomain(
      ('@' + Buffer.from(b.buffer, b.byteOffset + i + 1, e - i - 1).toString()).trim().toLowerCase(),
    );
    return domain === undefined ? null : this.domainInfo(domain);
  }

  /** Counts an inbound row (both ways in end here), its address made the row's by useAddress or useQuad. */
  private count(
    day: number,
    daySlot: number,
    outcome: Outcome,
    status: string,
    code: string,
    hasConnector: boolean,
    detail: RowDetail,
  ): void {
    if (Number.isNaN(day)) this.unparsedTimes++;
    const source = this.rowSource;
    let k: number;
    if (outcome === 'rejected' || outcome === 'quarantined') {
      k = Cls.REJECTED;
      const key = code !== '' ? code : outcome === 'quarantined' ? 'quarantined' : status;
      this.rejections.set(key, (this.rejections.get(key) ?? 0) + 1);
    } else if (outcome !== 'delivered') k = Cls.UNKNOWN_OUTCOME;
    else if (source === Src.GATEWAY) k = Cls.VIA_GATEWAY;
    else if (source === Src.DECLARED) k = Cls.VIA_DECLARED;
    else if (source === Src.NONE) k = Cls.UNKNOWN_SOURCE;
    // EmailEvents `Connectors` / the reports' connector_id: a message that matched an inbound connector other than
    // the gateway's came through a declared partner, not through the anonymous path (formats.md §3).
    else if (hasConnector) k = Cls.VIA_OTHER_CONNECTOR;
    else k = Cls.DIRECT;
    this.inboundCounts[k]! += 1;
    this.byDay.bumpAt(daySlot, k);
    this.bySourceIp.bumpAt(this.addressSlot(), k);
    this.bySenderDomain.bumpAt(this.senderDomainSlot(), k);
    this.byRecipient.bumpAt(this.recipientSlot(), k);
    if (source === Src.NONE) return;
    if (k === Cls.DIRECT) this.addDirect(detail);
    if (outcome === 'delivered' && this.keepsFlows) this.addFlow(detail);
  }

  private addDirect(detail: RowDetail): void {
    // The time is read only for a row that is listed (most rows beyond MAX_SOURCES distinct sources are not).
    let t: number | undefined;
    const at = this.directEntry();
    if (at >= 0) {
      const d = this.direct.list[at]!;
      saw(d, (t = detail.timeMs()));
      const auth = detail.auth();
      if (auth !== '') {
        const verdict = parseAuthenticationDetails(auth).compauth ?? 'unknown';
        d.compauth ??= new Map();
        d.compauth.set(verdict, (d.compauth.get(verdict) ?? 0) + 1);
      }
    } else this.sourcesNotListed++;
    if ((this.sd & Packed.OWN) !== 0) {
      const s = this.directSend.at(detail.sender(), this.addressText());
      if (s >= 0) saw(this.directSend.list[s]!, t ?? detail.timeMs());
      else this.sourcesNotListed++;
    }
  }

  /**
   * The direct-source entry of the row's address and sender domain (index in direct.list), made when new; -1 when
   * MAX_SOURCES are listed without it. Every entry is in directIds, so an address or domain without an id has none.
   */
  private directEntry(): number {
    const a = this.rowAddressId;
    const s = this.senderDomainId(false);
    const at = a >= 0 && s >= 0 ? this.directIds.get(a, s, 0, Layout.ABSENT) : Layout.ABSENT;
    if (at !== Layout.ABSENT) return at;
    if (this.direct.list.length >= MAX_SOURCES) return -1;
    const made = this.direct.add(this.addressText(), this.senderDomainObject().key);
    this.directIds.set(this.addressId(), this.senderDomainId(true), 0, made);
    return made;
  }

  private addFlow(detail: RowDetail): void {
    // EmailEvents rows also differ by what EOP saw of their authentication: a flow per header From and verdict, kept
    // by that text rather than by ids.
    const headerFrom = detail.headerFrom();
    const auth = detail.auth();
    if (headerFrom !== '' || auth !== '') {
      const at = this.keyedFlow(headerFrom, auth, detail);
      if (at >= 0) this.flowCounts[at]!++;
      else this.rowsNotReplayed++;
      return;
    }
    const a = this.rowAddressId;
    const s = this.senderDomainId(false);
    const r = this.recipientDomainId(false);
    const table = this.flowIds;
    if (a >= 0 && s >= 0 && r >= 0 && table.get(a, s, r, Layout.ABSENT) !== Layout.ABSENT)
      table.addToFound(1);
    else {
      const at = this.newFlow(detail);
      if (at < 0) {
        this.rowsNotReplayed++;
        return;
      }
      const keys = [this.addressId(), this.senderDomainId(true), this.recipientDomainId(true)] as const;
      table.set(keys[0], keys[1], keys[2], 1);
      this.flowKeys.set(keys, at * 3);
    }
  }

  /** An EmailEvents flow (index in flowRefs), made when new; -1 when MAX_FLOWS are kept without it. */
  private keyedFlow(headerFrom: string, auth: string, detail: RowDetail): number {
    const ip = this.addressText();
    const senderDomain = this.senderDomainObject();
    const key = `${this.recipientObject().domain ?? ''}\u0000${headerFrom}\u0000${auth}`;
    let bySender = this.keyedFlows.get(ip);
    const at = bySender?.get(senderDomain.key)?.get(key);
    if (at !== undefined) return at;
    const made = this.newFlow(detail);
    if (made < 0) return made;
    const f = this.flowRefs[made]!;
    f.headerFrom = headerFrom.trim().toLowerCase();
    f.auth = auth;
    if (!bySender) this.keyedFlows.set(ip, (bySender = new Map()));
    let byKey = bySender.get(senderDomain.key);
    if (!byKey) bySender.set(senderDomain.key, (byKey = new Map()));
    byKey.set(key, made);
    return made;
  }

  /** A new flow of the row (count 0), its index in flowRefs; -1 when MAX_FLOWS are kept. */
  private newFlow(detail: RowDetail): number {
    if (this.flowRefs.length >= MAX_FLOWS) return -1;
    const at =
      this.flowRefs.push({
        ip: this.addressText(),
        sender: detail.sender(),
        recipient: this.recipientObject().recipient,
        source: SOURCE_NAMES[this.rowSource]!,
        count: 0,
      }) - 1;
    if (at >= this.flowCounts.length) {
      this.flowCounts = doubled(this.flowCounts);
      this.flowKeys = doubled(this.flowKeys);
    }
    this.flowKeys.fill(-1, at * 3, at * 3 + 3);
    return at;
  }

  /** The flows kept, for the impact replay, in the order they were first met. */
  flowList(): Flow[] {
    if (!this.keepsFlows) throw new Error('internal: flowList of a classifier made without flows');
    const counts = this.flowCounts;
    const keys = this.flowKeys;
    this.flowRefs.forEach((f, i) => {
      const a = keys[i * 3]!;
      f.count += a >= 0 ? this.flowIds.take(a, keys[i * 3 + 1]!, keys[i * 3 + 2]!) : counts[i]!;
      counts[i] = 0;
    });
    return [...this.flowRefs];
  }
}

/** Without a direction (no column, or an empty or unknown value), inbound is mail to the tenant's domains (message
 * trace lists both ways). */
function isInbound(direction: Direction, rcpt: number): boolean {
  return direction === 'unknown' ? (rcpt & Packed.OWN) !== 0 : direction === 'inbound';
}

/** A bounded cache: full, it starts afresh (the answers are worked out again, the same). */
function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= MAX_CACHED_KEYS) cache.clear();
  cache.set(key, value);
}

/** Where the last `@` of field `i` of `rec` lies in its bytes; -1 when it has none, is escaped or is not there. */
function lastAt(rec: CsvRecord, i: number): number {
  if (i < 0 || rec.escaped(i)) return -1;
  const b = rec.bytes;
  const s = rec.fieldStart(i);
  let at = rec.fieldEnd(i) - 1;
  while (at >= s && b[at] !== Ch.AT) at--;
  return at >= s ? at : -1;
}

/** The value `memo` holds for field `i` of `rec`, worked out from its text by `make` the first time. */
function lookup<T>(memo: ByteMemo<T>, rec: CsvRecord, i: number, make: (text: string) => T): T {
  // A field with a doubled quote is not its bytes: read as text (no trace field has one in practice).
  if (i < 0 || rec.escaped(i)) return make(fieldText(rec, i));
  const b = rec.bytes;
  const s = rec.fieldStart(i);
  const e = rec.fieldEnd(i);
  let v = memo.get(b, s, e);
  if (v === undefined) {
    v = make(rec.field(i));
    memo.set(b, s, e, v);
  }
  return v;
}

export interface DirectSource {
  ip: string;
  senderDomain: string;
  count: number;
  firstSeen: string | null;
  lastSeen: string | null;
  /** EmailEvents only: how many rows had each composite authentication verdict. */
  compauth?: Record<string, number>;
}

export interface InventoryEntry {
  sender: string;
  ip: string;
  count: number;
  firstSeen: string | null;
  lastSeen: string | null;
}

function stamp(t: number): string | null {
  return Number.isNaN(t) ? null : isoSeconds(t);
}

/**
 * `xs` by count, most first, then by address, then by `second` (the address is a parsed address: every character of
 * it sorts after the space that once joined the two into one key, so the order is the same).
 */
function byCount<T extends { count: number; ip: string }>(xs: T[], second: (x: T) => string): T[] {
  return xs.sort((a, b) => b.count - a.count || compareIds(a.ip, b.ip) || compareIds(second(a), second(b)));
}

export function directSourcesOf(c: TraceClassifier): DirectSource[] {
  const list = c.direct.entries().map(([ip, senderDomain, s]) => {
    const entry: DirectSource = {
      ip,
      senderDomain,
      count: s.count,
      firstSeen: stamp(s.first),
      lastSeen: stamp(s.last),
    };
    if (s.compauth) entry.compauth = Object.fromEntries([...s.compauth].sort(([a], [b]) => (a < b ? -1 : 1)));
    return entry;
  });
  return byCount(list, (x) => x.senderDomain);
}

export function inventoryOf(c: TraceClassifier): InventoryEntry[] {
  const list = c.directSend.entries().map(([sender, ip, s]) => {
    return { sender, ip, count: s.count, firstSeen: stamp(s.first), lastSeen: stamp(s.last) };
  });
  return byCount(list, (x) => x.sender);
}

/** Why the counts prove less than they seem: said in every output (issue 12; formats.md §2.2; field-notes). */
export function caveatsOf(c: TraceClassifier): string[] {
  const out = [
    'SMTP-time rejections (550 5.7.68 Direct Send refused, 550 5.7.51 restricted partner connector) happen during the SMTP session and do not reliably appear in message trace or EmailEvents: their absence here proves nothing.',
  ];
  if (!hasGateway(c.context.gateway) || c.context.gateway.ips.length === 0)
    out.push(
      "the gateway's IP addresses are not known (declare them in mxlock.yaml): no row can be credited to the gateway, and every delivered row from another address reads as direct.",
    );
  if (c.inbound.unknownSource > 0)
    out.push(
      `${c.inbound.unknownSource} delivered inbound row(s) carry no client address: where they came from is unknown, not safe.`,
    );
  if (c.inbound.unknownOutcome > 0)
    out.push(`${c.inbound.unknownOutcome} inbound row(s) have no final status yet (pending or unknown).`);
  if (c.sourcesNotListed > 0)
    out.push(
      `${c.sourcesNotListed} direct row(s) came from sources beyond the first ${MAX_SOURCES} distinct ones: counted above, not listed.`,
    );
  if (c.rowsNotReplayed > 0)
    out.push(
      `${c.rowsNotReplayed} delivered row(s) belong to flows beyond the first ${MAX_FLOWS} distinct ones (address, sender domain, recipient domain) and were not replayed through the plan: their impact is unknown.`,
    );
  const overflow = c.bySourceIp.overflow + c.bySenderDomain.overflow + c.byRecipient.overflow;
  if (overflow > 0)
    out.push(
      `more than ${MAX_TALLY_KEYS} distinct addresses, sender domains or recipients: later ones are counted under "${OTHER_KEY}" in the top lists.`,
    );
  if (c.unparsedTimes > 0)
    out.push(
      `${c.unparsedTimes} inbound row(s) have a date mxlock could not read: they count under day "unknown".`,
    );
  if (c.layouts.has('message-trace') || c.layouts.has('graph-message-traces'))
    out.push(
      'message trace has no direction column: mail to an accepted domain counts as inbound, and a message an internal user sent from an authenticated client shows that client\'s address; confirm a "direct" own-domain sender with the extended report (connector_id, directionality) or EmailEvents before declaring it.',
    );
  return out;
}
