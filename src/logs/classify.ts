/**
 * Classification of inbound log rows (issue 12 item 2, DESIGN §3.4): through the gateway, from a declared source,
 * direct (delivered from an address that is neither: the durable sign of a bypass, since 5.7.68/5.7.51 rejections
 * happen in the SMTP session and are not reliably in message trace: formats.md §2.2, field-notes), or rejected/blocked
 * with the code. One pass, grouped as it goes; every key kept is a fresh string (DESIGN §8).
 */
import { domainOf, parseDomain } from '../common/domains.js';
import { hasGateway, type ResolvedGateway } from '../common/gateway.js';
import { IpSet, parseAddress } from '../common/ip.js';
import type { Profile } from '../profile/schema.js';
import type { LayoutId, LogRow } from './layouts.js';
import { isoDay, isoSeconds, parseLogDay, parseLogTime } from './time.js';

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

function seen(map: Map<string, Seen>, key: string, t: number): Seen | undefined {
  let s = map.get(key);
  if (!s) {
    if (map.size >= MAX_SOURCES) return undefined;
    s = { count: 0, first: NaN, last: NaN };
    map.set(key, s);
  }
  s.count++;
  if (!Number.isNaN(t)) {
    if (!(s.first <= t)) s.first = t;
    if (!(s.last >= t)) s.last = t;
  }
  return s;
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
  private counts = new Int32Array(1024 * INBOUND_CLASSES.length);

  bump(key: string, cls: number): void {
    this.bumpAt(this.slot(key), cls);
  }

  bumpAt(slot: number, cls: number): void {
    this.counts[slot * INBOUND_CLASSES.length + cls]!++;
  }

  /** The key's slot (OTHER_KEY's once MAX_TALLY_KEYS are kept), for bumpAt; callers may keep it for the next rows. */
  slot(key: string): number {
    let i = this.index.get(key);
    if (i === undefined && this.keys.length >= MAX_TALLY_KEYS) {
      this.overflow++;
      key = OTHER_KEY;
      i = this.index.get(key);
    }
    if (i === undefined) {
      i = this.keys.length;
      this.index.set(key, i);
      this.keys.push(key);
      if ((i + 1) * INBOUND_CLASSES.length > this.counts.length) {
        const grown = new Int32Array(this.counts.length * 2);
        grown.set(this.counts);
        this.counts = grown;
      }
    }
    return i;
  }

  countsOf(i: number): Counts {
    const c = zero();
    INBOUND_CLASSES.forEach((k, j) => (c[k] = this.counts[i * INBOUND_CLASSES.length + j]!));
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

const CLASS_INDEX = Object.fromEntries(INBOUND_CLASSES.map((c, i) => [c, i])) as Record<InboundClass, number>;

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

/** The address classes cached per address text: a trace repeats a few thousand addresses a million times. */
const MAX_CACHED_IPS = 16_384;

export class TraceClassifier {
  rows = 0;
  outbound = 0;
  readonly inbound = zero();
  readonly byDay = new Tally();
  readonly bySourceIp = new Tally();
  readonly bySenderDomain = new Tally();
  readonly byRecipient = new Tally();
  readonly rejections = new Map<string, number>();
  /** Direct rows by address and sender domain. */
  readonly direct = new Map<string, Seen>();
  /** Direct rows whose sender is in an accepted domain, by sender and address. */
  readonly directSend = new Map<string, Seen>();
  /** Delivered flows by address, then sender domain, then recipient domain (no concatenated key per row). */
  readonly flows = new Map<string, Map<string, Map<string, Flow>>>();
  flowCount = 0;
  /** Direct rows whose source came after MAX_SOURCES distinct ones: counted in `inbound`, not listed. */
  sourcesNotListed = 0;
  /** Delivered rows left out of the replay because MAX_FLOWS distinct flows were already kept. */
  rowsNotReplayed = 0;
  readonly layouts = new Set<LayoutId>();
  unparsedTimes = 0;
  private readonly accepted: Set<string>;
  private readonly gatewayIps: IpSet;
  private readonly declaredIps: IpSet;
  /** Per address: its class and its slot in bySourceIp, so a row costs one lookup for both. */
  private readonly ipInfo = new Map<string, { source: SourceClass; slot: number }>();
  /** Per recipient: its domain, whether it is the tenant's, its slot in byRecipient. */
  private readonly recipientInfo = new Map<
    string,
    { domain: string | undefined; own: boolean; slot: number }
  >();
  private readonly dayCache = new Map<number, string>();

  constructor(readonly context: TraceContext) {
    this.accepted = new Set(context.acceptedDomains.map((d) => d.toLowerCase()));
    this.gatewayIps = new IpSet(context.gateway.ips);
    const declared: string[] = [];
    for (const s of context.profile?.directSendSources ?? []) declared.push(...s.ips);
    declared.push(...(context.profile?.hybrid?.ips ?? []));
    this.declaredIps = new IpSet(declared);
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
    const a = ip === '' ? undefined : parseAddress(ip);
    if (a === undefined) return 'none';
    if (this.gatewayIps.hasAddress(a)) return 'gateway';
    return this.declaredIps.hasAddress(a) ? 'declared' : 'other';
  }

  private infoOfIp(ip: string): { source: SourceClass; slot: number } {
    let info = this.ipInfo.get(ip);
    if (info === undefined) {
      const source = this.sourceOf(ip);
      info = { source, slot: this.bySourceIp.slot(source === 'none' ? '(none)' : ip) };
      if (this.ipInfo.size < MAX_CACHED_IPS) this.ipInfo.set(ip, info);
    }
    return info;
  }

  private infoOfRecipient(raw: string): { domain: string | undefined; own: boolean; slot: number } {
    let info = this.recipientInfo.get(raw);
    if (info === undefined) {
      const recipient = raw.trim().toLowerCase();
      const domain = domainOf(recipient);
      // The slot is taken when the row turns out inbound (outbound recipients are not summarised).
      info = { domain, own: this.isOwn(domain), slot: -1 };
      if (this.recipientInfo.size < MAX_CACHED_IPS) this.recipientInfo.set(raw, info);
    }
    return info;
  }

  private dayOf(t: number): string {
    if (Number.isNaN(t)) return 'unknown';
    const midnight = t - (((t % 86_400_000) + 86_400_000) % 86_400_000);
    let d = this.dayCache.get(midnight);
    if (d === undefined) {
      d = isoDay(midnight);
      this.dayCache.set(midnight, d);
    }
    return d;
  }

  add(row: LogRow): void {
    this.rows++;
    const rcpt = this.infoOfRecipient(row.recipient);
    // Without a direction column, inbound is mail to the tenant's domains (message trace lists both ways).
    const inbound = row.direction === 'unknown' ? rcpt.own : row.direction === 'inbound';
    if (!inbound) {
      this.outbound++;
      return;
    }
    const day = parseLogDay(row.time);
    if (Number.isNaN(day)) this.unparsedTimes++;
    const ipInfo = this.infoOfIp(row.ip);
    const source = ipInfo.source;
    const sender = row.sender.trim().toLowerCase();
    // Not domainOf: its cache is for addresses asked about again, and senders are mostly new (DESIGN §8).
    const senderDomain = parseDomain(sender) ?? (sender === '' ? '<>' : sender);
    let cls: InboundClass;
    if (row.outcome === 'rejected' || row.outcome === 'quarantined') {
      cls = 'rejected';
      const code = row.code !== '' ? row.code : row.outcome === 'quarantined' ? 'quarantined' : row.status;
      this.rejections.set(code, (this.rejections.get(code) ?? 0) + 1);
    } else if (row.outcome !== 'delivered') cls = 'unknownOutcome';
    else if (source === 'gateway') cls = 'viaGateway';
    else if (source === 'declared') cls = 'viaDeclaredSource';
    else if (source === 'none') cls = 'unknownSource';
    // EmailEvents `Connectors` / the reports' connector_id: a message that matched an inbound connector other than
    // the gateway's came through a declared partner, not through the anonymous path (formats.md §3).
    else if (row.connector !== undefined && row.connector !== '') cls = 'viaOtherConnector';
    else cls = 'direct';
    this.inbound[cls]++;
    const k = CLASS_INDEX[cls];
    this.byDay.bump(this.dayOf(day), k);
    this.bySourceIp.bumpAt(ipInfo.slot, k);
    this.bySenderDomain.bump(senderDomain, k);
    if (rcpt.slot < 0) rcpt.slot = this.byRecipient.slot(row.recipient.trim().toLowerCase());
    this.byRecipient.bumpAt(rcpt.slot, k);
    if (cls === 'direct') {
      const t = parseLogTime(row.time);
      const d = seen(this.direct, `${row.ip}\u0000${senderDomain}`, t);
      if (!d) this.sourcesNotListed++;
      if (d && row.auth !== '') {
        const verdict = parseAuthenticationDetails(row.auth).compauth ?? 'unknown';
        d.compauth ??= new Map();
        d.compauth.set(verdict, (d.compauth.get(verdict) ?? 0) + 1);
      }
      if (this.isOwn(parseDomain(sender)) && !seen(this.directSend, `${sender}\u0000${row.ip}`, t))
        this.sourcesNotListed++;
    }
    if (row.outcome === 'delivered' && source !== 'none')
      this.addFlow(
        row.ip,
        sender,
        senderDomain,
        row.recipient.trim().toLowerCase(),
        rcpt.domain ?? '',
        source,
        row.headerFrom,
        row.auth,
      );
  }

  private addFlow(
    ip: string,
    sender: string,
    senderDomain: string,
    recipient: string,
    recipientDomain: string,
    source: SourceClass,
    headerFrom: string,
    auth: string,
  ): void {
    // EmailEvents rows also differ by what EOP saw of their authentication: a flow per header From and verdict.
    const key =
      headerFrom === '' && auth === ''
        ? recipientDomain
        : `${recipientDomain}\u0000${headerFrom}\u0000${auth}`;
    let bySender = this.flows.get(ip);
    const f = bySender?.get(senderDomain)?.get(key);
    if (f) {
      f.count++;
      return;
    }
    if (this.flowCount >= MAX_FLOWS) {
      this.rowsNotReplayed++;
      return;
    }
    if (!bySender) this.flows.set(ip, (bySender = new Map()));
    let byRecipient = bySender.get(senderDomain);
    if (!byRecipient) bySender.set(senderDomain, (byRecipient = new Map()));
    const flow: Flow = { ip, sender, recipient, source, count: 1 };
    if (key !== recipientDomain) {
      flow.headerFrom = headerFrom.trim().toLowerCase();
      flow.auth = auth;
    }
    byRecipient.set(key, flow);
    this.flowCount++;
  }

  /** The flows kept, for the impact replay. */
  flowList(): Flow[] {
    const out: Flow[] = [];
    for (const bySender of this.flows.values())
      for (const byRecipient of bySender.values()) for (const f of byRecipient.values()) out.push(f);
    return out;
  }
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

const byCount =
  <T extends { count: number }>(key: (x: T) => string) =>
  (a: T, b: T) =>
    b.count - a.count || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

export function directSourcesOf(c: TraceClassifier): DirectSource[] {
  return [...c.direct.entries()]
    .map(([k, s]) => {
      const [ip, senderDomain] = k.split('\u0000') as [string, string];
      const entry: DirectSource = {
        ip,
        senderDomain,
        count: s.count,
        firstSeen: stamp(s.first),
        lastSeen: stamp(s.last),
      };
      if (s.compauth)
        entry.compauth = Object.fromEntries([...s.compauth].sort(([a], [b]) => (a < b ? -1 : 1)));
      return entry;
    })
    .sort(byCount((x) => `${x.ip} ${x.senderDomain}`));
}

export function inventoryOf(c: TraceClassifier): InventoryEntry[] {
  return [...c.directSend.entries()]
    .map(([k, s]) => {
      const [sender, ip] = k.split('\u0000') as [string, string];
      return { sender, ip, count: s.count, firstSeen: stamp(s.first), lastSeen: stamp(s.last) };
    })
    .sort(byCount((x) => `${x.ip} ${x.sender}`));
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
