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
 *
 * `simulateReference` never uses it, so the differential tests compare the cache with the plain model.
 */
import { randomBytes } from 'node:crypto';
import type { IpSetIndex } from './ip.js';
import { parseAddress } from './ip.js';
import type { Attempt, Decision, Outcome, SimResult } from './types.js';

/** Entries kept per configuration; past it the cache starts again. */
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

interface Template {
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

interface Entry {
  ranges: readonly SlotRange[];
  template: Template;
}

export interface ReplayCache {
  /** The nonce that makes placeholders unguessable from tenant data. */
  readonly marker: string;
  readonly pattern: RegExp;
  root: Map<unknown, unknown>;
  /** Attempts that bring their own authentication verdict: a root per verdict object. */
  byAuth: Map<unknown, unknown>;
  size: number;
  /** Counters, for the bench and the tests. */
  hits: number;
  misses: number;
}

export function newReplayCache(): ReplayCache {
  const nonce = randomBytes(8).toString('hex');
  return {
    marker: `\u{F8FF}${nonce}#`,
    pattern: new RegExp(`\u{F8FF}${nonce}#(\\d+)\u{F8FF}`, 'u'),
    root: new Map(),
    byAuth: new Map(),
    size: 0,
    hits: 0,
    misses: 0,
  };
}

/** The placeholder for an address slot. */
export function placeholder(cache: ReplayCache, slot: number): string {
  return `${cache.marker}${slot}\u{F8FF}`;
}

/** The attempt's addresses, parsed: undefined when one is not IPv4 (IPv6 and invalid text are not cached). */
export function slotAddresses(a: Attempt): number[] | undefined {
  const client = parseAddress(a.clientIp);
  if (typeof client !== 'number') return undefined;
  const hops = a.receivedIps;
  if (hops === undefined || hops.length === 0) return [client];
  const out = [client];
  for (const h of hops) {
    const x = parseAddress(h);
    if (typeof x !== 'number') return undefined;
    out.push(x);
  }
  return out;
}

/** A level of the cache: keyed by one field of the attempt (the attempt's own strings: no key is built per call). */
type Level = Map<unknown, unknown>;

/** Header names of the attempt: an empty list without headers. */
const NO_NAMES: readonly string[] = [];

/**
 * The address part of the key: flags, list lengths and each slot's class; two slots with the same text are marked,
 * since the model compares original IPs as text. A number for the common case (no Received hops, short lists),
 * else a string: the two never meet as Map keys.
 */
function addressKey(
  classes: IpSetIndex,
  a: Attempt,
  addrs: readonly number[],
  names: readonly string[],
): unknown {
  const flags =
    (a.tls ? 1 : 0) |
    (a.authenticated ? 2 : 0) |
    (a.adversarial === true ? 4 : 0) |
    (a.headerFrom === a.mailFrom ? 8 : 0) |
    (a.headers === undefined ? 16 : 0);
  const client = classes.intervalOf(addrs[0]!);
  const hops = a.receivedIps;
  const nr = a.rcpts.length;
  const nc = a.certNames.length;
  const nh = names.length;
  if ((hops === undefined || hops.length === 0) && nr < 64 && nc < 16 && nh < 16)
    return (((client * 32 + flags) * 64 + nr) * 16 + nc) * 16 + nh;
  let k = `${flags}/${nr}/${nc}/${nh}/${hops === undefined ? '-' : hops.length}/${client}`;
  if (hops !== undefined)
    for (let i = 0; i < hops.length; i++) {
      k += `,${classes.intervalOf(addrs[i + 1]!)}`;
      const h = hops[i]!;
      if (h === a.clientIp) k += '=0';
      else
        for (let j = 0; j < i; j++)
          if (hops[j] === h) {
            k += `=${j + 1}`;
            break;
          }
    }
  return k;
}

/** A list of strings as one key (its length is in the address key, so that no list passes for another). */
function listKey(xs: readonly string[]): unknown {
  if (xs.length === 1) return xs[0];
  let k = '';
  for (const x of xs) k += `${x.length}:${x}`;
  return k;
}

function headersKey(h: Readonly<Record<string, string>>, names: readonly string[]): unknown {
  let k = '';
  for (const n of names) k += `${n.length}:${n}${h[n]!.length}:${h[n]}`;
  return k;
}

function level(parent: Level, key: unknown, create: boolean): Level | undefined {
  let l = parent.get(key) as Level | undefined;
  if (l === undefined && create) parent.set(key, (l = new Map()));
  return l;
}

/**
 * The entries of the attempt's class: everything the model reads from the attempt, with each address as its class.
 * Levels: the given authentication, if any; flags, list lengths and address classes; MAIL FROM; From:; recipients;
 * certificate names and headers when there are some.
 */
function entriesOf(
  cache: ReplayCache,
  classes: IpSetIndex,
  a: Attempt,
  addrs: readonly number[],
  create: boolean,
): Entry[] | undefined {
  // An authentication given with the attempt is part of its class by identity (the same object, the same verdict).
  const names = a.headers === undefined ? NO_NAMES : Object.keys(a.headers);
  let l = a.auth === undefined ? cache.root : level(cache.byAuth, a.auth, create);
  if (l !== undefined) l = level(l, addressKey(classes, a, addrs, names), create);
  if (l !== undefined) l = level(l, a.mailFrom, create);
  // The address key says whether From: is MAIL FROM.
  if (l !== undefined && a.headerFrom !== a.mailFrom) l = level(l, a.headerFrom, create);
  if (l === undefined) return undefined;
  const certs = a.certNames.length > 0;
  const headers = a.headers !== undefined;
  let last = listKey(a.rcpts);
  if (certs || headers) {
    l = level(l, last, create);
    if (l !== undefined && certs && headers) l = level(l, listKey(a.certNames), create);
    if (l === undefined) return undefined;
    last = headers ? headersKey(a.headers!, names) : listKey(a.certNames);
  }
  let list = l.get(last) as Entry[] | undefined;
  if (list === undefined && create) l.set(last, (list = []));
  return list;
}

/** The cached template for the attempt whose ranges hold for its addresses and slot texts. */
export function lookup(
  cache: ReplayCache,
  classes: IpSetIndex,
  a: Attempt,
  addrs: readonly number[],
): Template | undefined {
  const list = entriesOf(cache, classes, a, addrs, false);
  if (list === undefined) return undefined;
  next: for (const e of list) {
    for (const r of e.ranges) {
      const x = addrs[r.slot]!;
      if (x < r.lo || x > r.hi || (r.text !== undefined && slotText(a, r.slot) !== r.text)) continue next;
    }
    return e.template;
  }
  return undefined;
}

export function store(
  cache: ReplayCache,
  classes: IpSetIndex,
  a: Attempt,
  addrs: readonly number[],
  ranges: readonly SlotRange[],
  template: Template,
): void {
  if (cache.size >= MAX_ENTRIES) {
    cache.root = new Map();
    cache.byAuth = new Map();
    cache.size = 0;
  }
  const list = entriesOf(cache, classes, a, addrs, true)!;
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

/** The text of an address slot: 0 the client, k the k-th Received hop. */
export function slotText(a: Attempt, slot: number): string {
  return slot === 0 ? a.clientIp : a.receivedIps![slot - 1]!;
}

function fill(p: string | Pieces, a: Attempt): string {
  if (typeof p === 'string') return p;
  let s = '';
  for (const x of p) s += typeof x === 'number' ? slotText(a, x) : x;
  return s;
}

function isTemplateDecision(d: Decision | TemplateDecision): d is TemplateDecision {
  return typeof d.text !== 'string';
}

/** The template with the attempt's addresses written in: a fresh result (shared frozen decisions aside). */
export function instantiate(t: Template, a: Attempt): SimResult {
  const outcomes: Outcome[] = [];
  for (const o of t.outcomes) {
    let decisions: Decision[];
    if (o.decisions !== undefined) decisions = o.decisions.slice();
    else {
      decisions = [];
      for (const d of o.slotted!)
        decisions.push(
          isTemplateDecision(d) ? { rule: d.rule, evidence: d.evidence, text: fill(d.text, a) } : d,
        );
    }
    if (o.reply === undefined) outcomes.push({ stage: o.stage, disposition: o.disposition, decisions });
    else if (o.replyFirst)
      outcomes.push({ stage: o.stage, disposition: o.disposition, reply: fill(o.reply, a), decisions });
    else outcomes.push({ stage: o.stage, disposition: o.disposition, decisions, reply: fill(o.reply, a) });
  }
  let uncertainties: string[];
  if (t.uncertainties !== undefined) uncertainties = t.uncertainties.slice();
  else {
    uncertainties = [];
    for (const u of t.slottedUncertainties!) uncertainties.push(fill(u, a));
  }
  return { outcomes, uncertainties };
}
