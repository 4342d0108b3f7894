/**
 * The replay cache (DESIGN §8): per configuration, the result of one attempt serves every attempt that differs from
 * it only in its IP addresses, as long as each address stays inside the same class.
 *
 * - An address's class is the interval it falls in once the bounds of every IP set the model tests addresses
 *   against (connectors, Enhanced Filtering skip lists, rule ranges, connection-filter lists, TABL infrastructure)
 *   cut the IPv4 space: every set answers alike inside it.
 * - SPF reads the address too. The oracle reports the range of addresses its verdict holds for
 *   (`AuthVerdict.ipRange`); an entry is reused only inside the ranges its evaluation met.
 * - Everything else (envelope, headers, recipients, certificate, flags) is part of the key as it is.
 * - The texts that write an address are templates: the entry's evaluation runs with placeholders instead of the
 *   addresses, and each reuse fills in the attempt's own.
 * - The first attempt of a class is evaluated plainly and only noted (one-off attempts, as `assess` and `plan` make,
 *   never pay for an entry); the second makes the entry; the ones after are answered from it. Verdicts asked while
 *   making entries serve later entries inside their SPF range.
 *
 * It pays off when many attempts share classes: scenario files, replayed logs. `simulateReference` never uses it,
 * so the differential tests compare the cache with the plain model.
 */
import { valueIn } from '../common/collections.js';
import type { IpSetIndex } from '../common/ip.js';
import { parseAddress } from '../common/ip.js';
import type { Attempt, AuthVerdict, Decision, Outcome, SimResult } from './types.js';

/** Entries (and classes seen once) kept per configuration; past it the cache starts again. */
const MAX_ENTRIES = 50_000;
/** Entries kept per key (one per SPF range met); past it new ranges are evaluated without being kept. */
const MAX_PER_KEY = 256;

/** A text with the attempt's addresses taken out: literal pieces, and slot numbers (0 client, k the k-th hop). */
type Pieces = readonly (string | number)[];

interface TemplateDecision {
  rule: string;
  evidence: Decision['evidence'];
  text: Pieces;
}

interface TemplateOutcome {
  stage: Outcome['stage'];
  disposition: Outcome['disposition'];
  /** `reply` comes before `decisions` in the outcome's own key order. */
  replyFirst: boolean;
  reply: string | Pieces | undefined;
  /** The decisions, when none writes an address (each frozen and shared by every result; the list is copied). */
  decisions: readonly Decision[] | undefined;
  /** Otherwise the decisions with their texts' pieces. */
  slotted: (Decision | TemplateDecision)[] | undefined;
}

export interface Template {
  outcomes: TemplateOutcome[];
  /** The uncertainties, when none writes an address. */
  uncertainties: readonly string[] | undefined;
  slottedUncertainties: (string | Pieces)[] | undefined;
  /** Some text writes an address: equal texts may then differ, and distinct ones coincide. */
  slotted: boolean;
}

/** A condition of reuse: the address in `slot` inside [lo, hi]; `text` when only that very text will do. */
export interface SlotRange {
  slot: number;
  lo: number;
  hi: number;
  text?: string;
}

export interface RangedVerdict {
  slot: number;
  lo: number;
  hi: number;
  verdict: AuthVerdict;
}

/** A verdict asked for another entry that holds for `addr` in `slot`, with the same MAIL FROM and From:. */
export function knownVerdict(
  cache: ReplayCache,
  slot: number,
  addr: number,
  mailFrom: string,
  headerFrom: string,
): RangedVerdict | undefined {
  const list = cache.verdicts.get(mailFrom)?.get(headerFrom);
  if (list !== undefined) for (const r of list) if (r.slot === slot && addr >= r.lo && addr <= r.hi) return r;
  return undefined;
}

export function keepVerdict(
  cache: ReplayCache,
  mailFrom: string,
  headerFrom: string,
  r: RangedVerdict,
): void {
  let byFrom = cache.verdicts.get(mailFrom);
  if (byFrom === undefined) cache.verdicts.set(mailFrom, (byFrom = new Map()));
  let list = byFrom.get(headerFrom);
  if (list === undefined) byFrom.set(headerFrom, (list = []));
  if (list.length < MAX_PER_KEY) list.push(r);
}

interface Entry {
  ranges: readonly SlotRange[];
  template: Template;
}

export interface ReplayCache {
  /** The nonce that makes placeholders unguessable from tenant data. */
  readonly marker: string;
  readonly pattern: RegExp;
  root: Map<unknown, unknown>;
  /** Attempts that bring their own authentication verdict: a root per verdict (as JSON). */
  byAuth: Map<unknown, unknown>;
  /**
   * The oracle's verdicts asked while entries were made, by MAIL FROM, then From:, with the slot whose placeholder
   * their notes write and the range they hold for: a new entry whose address falls in one need not ask again.
   */
  verdicts: Map<string, Map<string, RangedVerdict[]>>;
  /** Classes seen once, without an entry (seenBefore). */
  seen: Set<string>;
  size: number;
  /** Counters, for the bench and the tests: answers from entries, entries made, first sights evaluated plainly. */
  hits: number;
  misses: number;
  plain: number;
}

/** What `lookup` answers for a class seen before that has no entry for these addresses (another SPF range). */
export const SEEN = Symbol('seen');

export function newReplayCache(): ReplayCache {
  // Tenant data is fixed before the nonce is drawn and never sees it: it cannot contain a placeholder by design.
  const nonce = `${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  return {
    marker: `\u{F8FF}${nonce}#`,
    pattern: new RegExp(`\u{F8FF}${nonce}#(\\d+)\u{F8FF}`, 'u'),
    root: new Map(),
    byAuth: new Map(),
    verdicts: new Map(),
    seen: new Set(),
    size: 0,
    hits: 0,
    misses: 0,
    plain: 0,
  };
}

/** The placeholder for an address slot. */
export function placeholder(cache: ReplayCache, slot: number): string {
  return `${cache.marker}${slot}\u{F8FF}`;
}

/** A level of the cache: keyed by one field of the attempt (the attempt's own strings: no key is built per call). */
type Level = Map<unknown, unknown>;

const NO_NAMES: readonly string[] = [];

/**
 * An attempt as the cache reads it: each field read once (attempts come in many shapes, and reading a property of
 * an object whose shape the engine has not settled on is slow), the addresses parsed, the address part of the key
 * made. One probe is reused for every evaluation: nested evaluations of the same configuration skip the cache, and
 * after making an entry (when an oracle may have simulated another configuration) the attempt is read again.
 */
export class Probe {
  clientIp = '';
  hops: readonly string[] | undefined = undefined;
  mailFrom = '';
  headerFrom = '';
  rcpts: readonly string[] = NO_NAMES;
  certNames: readonly string[] = NO_NAMES;
  headers: Readonly<Record<string, string>> | undefined = undefined;
  names: readonly string[] = NO_NAMES;
  /** The verdict given with the attempt, as JSON. */
  auth: string | undefined = undefined;
  /** The addresses as unsigned 32-bit numbers: the client, then each hop (slots past the last hop are stale). */
  readonly addrs: number[] = [0, 0, 0, 0];
  addressKey: unknown = undefined;

  /** The text of an address slot: 0 the client, k the k-th Received hop. */
  slotText(slot: number): string {
    return slot === 0 ? this.clientIp : this.hops![slot - 1]!;
  }
}

const PROBE = new Probe();

/** The last key made for a verdict object, with the values it was made from. */
interface AuthKey {
  values: readonly unknown[];
  key: string;
}
const AUTH_KEYS = new WeakMap<object, AuthKey>();

/** What the verdict's fields are (every one the model may read), in order. */
function authValues(v: AuthVerdict): unknown[] {
  const notes = v.notes as unknown;
  return [v.spf, v.dkim, v.dmarc, v.dmarcPolicy, ...(Array.isArray(notes) ? notes : [notes])];
}

/**
 * A verdict as a key: its JSON, made again only when the object's fields changed since (the same object, the same
 * string: its hash is kept).
 */
function authKey(v: AuthVerdict): string {
  const values = authValues(v);
  const known = AUTH_KEYS.get(v);
  if (
    known !== undefined &&
    known.values.length === values.length &&
    known.values.every((x, i) => x === values[i])
  )
    return known.key;
  const key = JSON.stringify(values);
  AUTH_KEYS.set(v, { values, key });
  return key;
}

/**
 * The attempt as the cache reads it, in the one probe; undefined when an address is not IPv4 (IPv6 and other text
 * go around the cache).
 */
export function probeOf(classes: IpSetIndex, a: Attempt): Probe | undefined {
  const p = PROBE;
  const clientIp = a.clientIp;
  const client = parseAddress(clientIp);
  if (typeof client !== 'number') return undefined;
  // Absent lists and headers read as the model reads them (`?? []`, `if (!a.headers)`), null included.
  const hops = a.receivedIps ?? undefined;
  const addrs = p.addrs;
  addrs[0] = client;
  let count = 1;
  if (hops !== undefined)
    for (const h of hops) {
      const x = parseAddress(h);
      if (typeof x !== 'number') return undefined;
      addrs[count++] = x;
    }
  p.clientIp = clientIp;
  p.hops = count > 1 ? hops : undefined;
  p.mailFrom = a.mailFrom;
  p.headerFrom = a.headerFrom;
  p.rcpts = a.rcpts;
  p.certNames = a.certNames;
  const headers = a.headers ? a.headers : undefined;
  p.headers = headers;
  p.names = headers === undefined ? NO_NAMES : Object.keys(headers);
  // A verdict given with the attempt is read afresh on every call: keyed by what it says, not by the object.
  const auth = a.auth;
  p.auth = auth == null ? undefined : authKey(auth);
  // Each flag as the model tests it: tls and authenticated for truth, adversarial for `=== true`.
  p.addressKey = addressKey(classes, p, Boolean(a.tls), Boolean(a.authenticated), a.adversarial === true);
  return p;
}

/**
 * The address part of the key: flags, list lengths and each slot's class; two slots with the same text are marked,
 * since the model compares original IPs as text. A number for the common cases (no hop or one, short lists, not
 * too many classes), else a string: the two never meet as Map keys.
 */
function addressKey(
  classes: IpSetIndex,
  p: Probe,
  tls: boolean,
  authenticated: boolean,
  adversarial: boolean,
): unknown {
  const flags =
    (tls ? 1 : 0) |
    (authenticated ? 2 : 0) |
    (adversarial ? 4 : 0) |
    (p.headerFrom === p.mailFrom ? 8 : 0) |
    (p.headers === undefined ? 16 : 0);
  const client = classes.intervalOf(p.addrs[0]!);
  const hops = p.hops;
  const nr = p.rcpts.length;
  const nc = p.certNames.length;
  const nh = p.names.length;
  if (nr < 8 && nc < 4 && nh < 4) {
    const small = (flags << 7) | (nr << 4) | (nc << 2) | nh;
    // No hop: below 2^30. One hop (its class, and whether its text is the client's): from 2^30 on, below 2^53.
    if (hops === undefined && client < 0x40000) return client * 4096 + small;
    if (hops !== undefined && hops.length === 1 && client < 0x10000) {
      const hop = classes.intervalOf(p.addrs[1]!);
      if (hop < 0x10000)
        return 0x40000000 + ((hop * 2 + (hops[0] === p.clientIp ? 1 : 0)) * 0x10000 + client) * 4096 + small;
    }
  }
  let k = `${flags}/${nr}/${nc}/${nh}/${hops === undefined ? 0 : hops.length}/${client}`;
  if (hops !== undefined)
    for (let i = 0; i < hops.length; i++) {
      k += `,${classes.intervalOf(p.addrs[i + 1]!)}`;
      const h = hops[i]!;
      if (h === p.clientIp) k += '=0';
      else
        for (let j = 0; j < i; j++)
          if (hops[j] === h) {
            k += `=${j + 1}`;
            break;
          }
    }
  return k;
}

function level(parent: Level, key: unknown, create: boolean): Level | undefined {
  return (create ? valueIn(parent, key, () => new Map()) : parent.get(key)) as Level | undefined;
}

/** The keys of the probe's path, reused by every call (a path's last key leads to the entries), and its length. */
const PATH: unknown[] = [];
let pathLength = 0;

/**
 * The entries of the attempt's class: everything the model reads from the attempt, with each address as its class.
 * Levels: the given authentication, if any; flags, list lengths and address classes; MAIL FROM; From: when it is
 * not MAIL FROM; each recipient; each certificate name; each header name, then its value. The attempt's own strings
 * are the keys: no key is built. Every path under one address key has the same length (the lengths are in it), so a
 * node holds either levels or entries, never both.
 */
function entriesOf(cache: ReplayCache, p: Probe, create: boolean): Entry[] | undefined {
  const path = PATH;
  let n = 0;
  path[n++] = p.addressKey;
  path[n++] = p.mailFrom;
  if (p.headerFrom !== p.mailFrom) path[n++] = p.headerFrom;
  for (const r of p.rcpts) path[n++] = r;
  for (const c of p.certNames) path[n++] = c;
  const h = p.headers;
  if (h !== undefined)
    for (const name of p.names) {
      path[n++] = name;
      path[n++] = h[name];
    }
  pathLength = n;
  // A verdict given with the attempt is part of its class.
  let l = p.auth === undefined ? cache.root : level(cache.byAuth, p.auth, create);
  if (create) for (let i = 0; i < n - 1 && l !== undefined; i++) l = level(l, path[i], true);
  else for (let i = 0; i < n - 1 && l !== undefined; i++) l = l.get(path[i]) as Level | undefined;
  if (l === undefined) return undefined;
  const last = path[n - 1];
  let list = l.get(last) as Entry[] | undefined;
  if (list === undefined && create) l.set(last, (list = []));
  return list;
}

/**
 * The cached template for the attempt whose ranges hold for its addresses and slot texts; SEEN when its class was
 * seen before without such an entry, undefined when it never was.
 */
export function lookup(cache: ReplayCache, p: Probe): Template | typeof SEEN | undefined {
  const list = entriesOf(cache, p, false);
  if (list === undefined) return undefined;
  const addrs = p.addrs;
  next: for (const e of list) {
    for (const r of e.ranges) {
      const x = addrs[r.slot]!;
      if (x < r.lo || x > r.hi || (r.text !== undefined && p.slotText(r.slot) !== r.text)) continue next;
    }
    return e.template;
  }
  return SEEN;
}

/**
 * Whether the attempt's class (the probe just looked up, with no entry) was seen before, noting it if not. The first
 * attempt of a class is evaluated plainly (an entry costs about one more evaluation, and most one-off attempts, as
 * `assess` and `plan` make, never come again); the second makes the entry. A class seen once is one string in a
 * set, not a path of levels.
 */
export function seenBefore(cache: ReplayCache, p: Probe): boolean {
  const key = JSON.stringify([p.auth ?? null, PATH.slice(0, pathLength)]);
  if (cache.seen.has(key)) return true;
  clearWhenFull(cache);
  cache.seen.add(key);
  cache.size++;
  return false;
}

function clearWhenFull(cache: ReplayCache): void {
  if (cache.size < MAX_ENTRIES) return;
  cache.root = new Map();
  cache.byAuth = new Map();
  cache.verdicts = new Map();
  cache.seen = new Set();
  cache.size = 0;
}

export function store(cache: ReplayCache, p: Probe, ranges: readonly SlotRange[], template: Template): void {
  clearWhenFull(cache);
  const list = entriesOf(cache, p, true)!;
  if (list.length >= MAX_PER_KEY) return;
  list.push({ ranges, template });
  cache.size++;
}

/** `s` split at its placeholders, or `s` itself when it has none. */
function pieces(cache: ReplayCache, s: string): string | Pieces {
  if (!s.includes(cache.marker)) return s;
  const parts = s.split(cache.pattern);
  // split with one capture group: text, slot, text, slot, …, text.
  return parts.map((p, i) => (i % 2 === 1 ? Number(p) : p)).filter((p) => p !== '');
}

/** A result evaluated with placeholders, as a template; undefined when it has a shape this module does not know. */
export function templateOf(cache: ReplayCache, r: SimResult): Template | undefined {
  let slotted = false;
  const piece = (s: string) => {
    const p = pieces(cache, s);
    if (typeof p !== 'string') slotted = true;
    return p;
  };
  const outcomes: TemplateOutcome[] = [];
  for (const o of r.outcomes) {
    const keys = Object.keys(o);
    const reply = keys.indexOf('reply');
    if (keys.length !== (reply >= 0 ? 4 : 3) || keys[0] !== 'stage' || keys[1] !== 'disposition')
      return undefined;
    let slottedDecision = false;
    const decisions = o.decisions.map((d) => {
      const t = piece(d.text);
      if (typeof t !== 'string') {
        slottedDecision = true;
        return { rule: d.rule, evidence: d.evidence, text: t };
      }
      return Object.isFrozen(d) ? d : Object.freeze({ rule: d.rule, evidence: d.evidence, text: d.text });
    });
    outcomes.push({
      stage: o.stage,
      disposition: o.disposition,
      replyFirst: reply === 2,
      reply: o.reply === undefined ? undefined : piece(o.reply),
      decisions: slottedDecision ? undefined : (decisions as Decision[]),
      slotted: slottedDecision ? decisions : undefined,
    });
  }
  const uncertainties = r.uncertainties.map(piece);
  const slottedUncertainties = uncertainties.some((u) => typeof u !== 'string');
  return {
    outcomes,
    uncertainties: slottedUncertainties ? undefined : (uncertainties as string[]),
    slottedUncertainties: slottedUncertainties ? uncertainties : undefined,
    slotted,
  };
}

function fill(pieces: string | Pieces, p: Probe): string {
  if (typeof pieces === 'string') return pieces;
  let s = '';
  for (const x of pieces) s += typeof x === 'number' ? p.slotText(x) : x;
  return s;
}

function isTemplateDecision(d: Decision | TemplateDecision): d is TemplateDecision {
  return typeof d.text !== 'string';
}

/** The template with the attempt's addresses written in: a fresh result (shared frozen decisions aside). */
export function instantiate(t: Template, a: Probe): SimResult {
  const outcomes: Outcome[] = [];
  const list = t.outcomes;
  for (let i = 0; i < list.length; i++) {
    const o = list[i]!;
    const shared = o.decisions;
    let decisions: Decision[];
    if (shared !== undefined) decisions = shared.slice();
    else {
      const slotted = o.slotted!;
      decisions = new Array<Decision>(slotted.length);
      for (let j = 0; j < slotted.length; j++) {
        const d = slotted[j]!;
        decisions[j] = isTemplateDecision(d)
          ? { rule: d.rule, evidence: d.evidence, text: fill(d.text, a) }
          : d;
      }
    }
    const reply = o.reply;
    if (reply === undefined) outcomes.push({ stage: o.stage, disposition: o.disposition, decisions });
    else if (o.replyFirst)
      outcomes.push({ stage: o.stage, disposition: o.disposition, reply: fill(reply, a), decisions });
    else outcomes.push({ stage: o.stage, disposition: o.disposition, decisions, reply: fill(reply, a) });
  }
  const u = t.uncertainties;
  let uncertainties: string[];
  if (u !== undefined) uncertainties = u.length === 0 ? [] : u.slice();
  else {
    const slotted = t.slottedUncertainties!;
    uncertainties = new Array<string>(slotted.length);
    for (let j = 0; j < slotted.length; j++) uncertainties[j] = fill(slotted[j]!, a);
  }
  return { outcomes, uncertainties };
}
