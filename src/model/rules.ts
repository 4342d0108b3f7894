/**
 * Transport-rule predicates (eop-model §4.2, TR-4). A predicate answers true/false, `unknown` when the model
 * cannot decide, or `attacker` when the value is written by the sender (a header outside EOP's header firewall
 * on an attack path), so the sender picks whichever side suits them.
 */
import type { TransportRule } from '../snapshot/schema.js';
import type { CompiledRule } from './config.js';
import { domainOf, domainOrSubdomain } from '../common/domains.js';
import { IpSetIndex, type Address } from '../common/ip.js';
import type { Decision } from './types.js';

export type Truth = true | false | 'unknown' | 'attacker';

/** What a rule can see of a message after acceptance. */
export interface RuleMessage {
  clientIp: string;
  mailFrom: string;
  headerFrom: string;
  rcpts: string[];
  /** X-MS-Exchange-Organization-AuthAs as EOP stamps it (eop-model §7.3). */
  authAs: 'Anonymous' | 'Internal';
  /** Sender-written headers (lower-case names). */
  headers: ReadonlyMap<string, string>;
  adversarial: boolean;
  isAccepted(domain: string | undefined): boolean;
  /** `isAccepted` for a lower-case domain as `domainOf` returns it, when the caller has a faster one. */
  isAcceptedLower?(domain: string | undefined): boolean;
  /** `domainOf` of headerFrom, mailFrom and each of rcpts, when the caller has them already (they must match). */
  domains?: {
    header: string | undefined;
    envelope: string | undefined;
    rcpts: readonly (string | undefined)[];
  };
  /** DomainType of an accepted domain (`Authoritative`, `InternalRelay`, `ExternalRelay`); undefined when unknown. */
  acceptedDomainType?(domain: string | undefined): string | undefined;
}

/** Headers EOP's header firewall removes from untrusted senders and stamps itself (eop-model §7.3, S38 [D]). */
export function isFirewalledHeader(name: string): boolean {
  const n = name.trim().toLowerCase();
  return n.startsWith('x-ms-exchange-organization-') || n.startsWith('x-ms-exchange-crosstenant-');
}

function headerValue(msg: RuleMessage, name: string): string | undefined | 'attacker' {
  const n = name.trim().toLowerCase();
  if (n === 'x-ms-exchange-organization-authas') return msg.authAs;
  if (isFirewalledHeader(n)) return undefined;
  if (msg.adversarial) return 'attacker';
  return msg.headers.get(n);
}

function senderAddresses(rule: TransportRule, msg: RuleMessage): string[] {
  switch (rule.SenderAddressLocation) {
    case 'Envelope':
      return [msg.mailFrom];
    case 'HeaderOrEnvelope':
      return [msg.headerFrom, msg.mailFrom];
    default:
      return [msg.headerFrom]; // Header is the default ([D] S20)
  }
}

function anyOf(values: readonly Truth[]): Truth {
  if (values.includes(true)) return true;
  if (values.includes('attacker')) return 'attacker';
  if (values.includes('unknown')) return 'unknown';
  return false;
}

/** Compiled patterns (null = not a valid JavaScript regex); a rule's patterns are compiled once, not per message. */
const REGEX_CACHE = new Map<string, RegExp | null>();
/** Patterns come from configurations: the cache is bounded so that a long-lived process does not grow with them. */
const MAX_CACHED_PATTERNS = 10_000;

function regexTest(pattern: string, value: string): Truth {
  let re = REGEX_CACHE.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern, 'i');
    } catch {
      re = null;
    }
    if (REGEX_CACHE.size >= MAX_CACHED_PATTERNS) REGEX_CACHE.clear();
    REGEX_CACHE.set(pattern, re);
  }
  // Without the g or y flag, test() keeps no state between calls: one RegExp serves every message.
  return re === null ? 'unknown' : re.test(value);
}

/** What FromScope looks at: the sender domain (From:, else envelope) and whether it is inside the organisation. */
interface FromScopeFacts {
  sender: string | undefined;
  ownDomain: boolean;
  inOrg: boolean;
}

function fromScopeFacts(msg: RuleMessage): FromScopeFacts {
  // InOrganization needs an authenticated connection and a sender in an Authoritative or InternalRelay
  // domain; an ExternalRelay sender is outside (S20 [D]).
  const sender = msg.domains
    ? (msg.domains.header ?? msg.domains.envelope)
    : (domainOf(msg.headerFrom) ?? domainOf(msg.mailFrom));
  const accepted = msg.isAcceptedLower ? msg.isAcceptedLower(sender) : msg.isAccepted(sender);
  const ownDomain = accepted && msg.acceptedDomainType?.(sender) !== 'ExternalRelay';
  return { sender, ownDomain, inOrg: msg.authAs === 'Internal' && ownDomain };
}

function fromScopeTruth(scope: string, f: FromScopeFacts, except: boolean, basis: Decision[]): Truth {
  if (scope !== 'InOrganization' && scope !== 'NotInOrganization') return 'unknown';
  if (f.ownDomain && !f.inOrg)
    // Neither literal definition fits an anonymous sender in an accepted domain; NotInOrganization is modelled as
    // the negation of InOrganization (OQ-9 → §12 [C]).
    basis.push({
      rule: 'TR-4',
      evidence: 'C',
      text: `${except ? 'ExceptIfFromScope' : 'FromScope'} ${scope}: ${f.sender} is an accepted domain but the message is not authenticated; taken as NotInOrganization (OQ-9 → §12)`,
    });
  return scope === 'InOrganization' ? f.inOrg : !f.inOrg;
}

/** SentToScope: every recipient in an accepted domain is "InOrganization". */
function sentToScopeTruth(scope: string, internal: boolean): Truth {
  if (/^InOrganization$/i.test(scope)) return internal;
  if (/^NotInOrganization$/i.test(scope)) return !internal;
  return 'unknown';
}

/** Predicates mxlock models, keyed by the property that carries the condition (exception = `ExceptIf` + key). */
type Predicate = (
  rule: TransportRule,
  c: CompiledRule,
  msg: RuleMessage,
  except: boolean,
  /** Model choices the answer rests on, for the evidence (e.g. OQ-9 [C]). */
  basis: Decision[],
) => Truth | undefined;

const PREDICATES: Record<string, Predicate> = {
  FromScope(rule, _c, msg, except, basis) {
    const scope = except ? rule.ExceptIfFromScope : rule.FromScope;
    if (scope === undefined) return undefined;
    return fromScopeTruth(scope, fromScopeFacts(msg), except, basis);
  },
  SenderIpRanges(_rule, c, msg, except) {
    const set = except ? c.exceptSenderIps : c.senderIps;
    if (!set) return undefined;
    return set.has(msg.clientIp); // the connecting IP, not the EF original IP ([D] S20, field-notes 5)
  },
  SenderDomainIs(rule, _c, msg, except) {
    const list = except ? rule.ExceptIfSenderDomainIs : rule.SenderDomainIs;
    if (!list || list.length === 0) return undefined;
    return anyOf(
      senderAddresses(rule, msg).map((a) => {
        const d = domainOf(a);
        return d !== undefined && list.some((base) => domainOrSubdomain(base, d));
      }),
    );
  },
  From(rule, _c, msg, except) {
    const list = except ? rule.ExceptIfFrom : rule.From;
    if (!list || list.length === 0) return undefined;
    return senderAddresses(rule, msg).some((a) => list.includes(a.toLowerCase()));
  },
  FromAddressContainsWords(rule, _c, msg, except) {
    const words = except ? rule.ExceptIfFromAddressContainsWords : rule.FromAddressContainsWords;
    if (!words || words.length === 0) return undefined;
    return senderAddresses(rule, msg).some((a) =>
      words.some((w) => a.toLowerCase().includes(w.toLowerCase())),
    );
  },
  FromAddressMatchesPatterns(rule, _c, msg, except) {
    const patterns = except ? rule.ExceptIfFromAddressMatchesPatterns : rule.FromAddressMatchesPatterns;
    if (!patterns || patterns.length === 0) return undefined;
    return anyOf(senderAddresses(rule, msg).flatMap((a) => patterns.map((p) => regexTest(p, a))));
  },
  HeaderMatchesMessageHeader(rule, _c, msg, except) {
    const name = except ? rule.ExceptIfHeaderMatchesMessageHeader : rule.HeaderMatchesMessageHeader;
    const patterns = except ? rule.ExceptIfHeaderMatchesPatterns : rule.HeaderMatchesPatterns;
    if (!name) return undefined;
    const v = headerValue(msg, name);
    if (v === 'attacker') return 'attacker';
    if (v === undefined) return false;
    if (patterns === undefined) return 'unknown'; // HeaderMatchesPatterns not in the export
    return anyOf(patterns.map((p) => regexTest(p, v)));
  },
  HeaderContainsMessageHeader(rule, _c, msg, except) {
    const name = except ? rule.ExceptIfHeaderContainsMessageHeader : rule.HeaderContainsMessageHeader;
    const words = except ? rule.ExceptIfHeaderContainsWords : rule.HeaderContainsWords;
    if (!name) return undefined;
    const v = headerValue(msg, name);
    if (v === 'attacker') return 'attacker';
    if (v === undefined) return false;
    if (words === undefined) return 'unknown'; // HeaderContainsWords not in the export
    return words.some((w) => v.toLowerCase().includes(w.toLowerCase()));
  },
  MessageTypeMatches(rule, _c, _msg, except) {
    const type = except ? rule.ExceptIfMessageTypeMatches : rule.MessageTypeMatches;
    if (!type) return undefined;
    return false; // the simulated messages are ordinary mail: not OOF, calendaring, encrypted…
  },
  RecipientDomainIs(rule, _c, msg, except) {
    const list = except ? rule.ExceptIfRecipientDomainIs : rule.RecipientDomainIs;
    if (!list || list.length === 0) return undefined;
    return msg.rcpts.some((r) => {
      const d = domainOf(r);
      return d !== undefined && list.some((base) => domainOrSubdomain(base, d));
    });
  },
  SentToScope(rule, _c, msg, except) {
    const scope = except ? rule.ExceptIfSentToScope : rule.SentToScope;
    if (!scope) return undefined;
    return sentToScopeTruth(
      scope,
      msg.rcpts.every((r) => msg.isAccepted(domainOf(r))),
    );
  },
};

/** Predicate type names (`…Rules.Tasks.FromScopePredicate`) and the property whose predicate above models each. */
const MODELLED_TYPE_NAMES: ReadonlyMap<string, string> = new Map([
  ['fromscope', 'FromScope'],
  ['senderipranges', 'SenderIpRanges'],
  ['senderdomainis', 'SenderDomainIs'],
  ['from', 'From'],
  ['fromaddresscontains', 'FromAddressContainsWords'],
  ['fromaddresscontainswords', 'FromAddressContainsWords'],
  ['fromaddressmatches', 'FromAddressMatchesPatterns'],
  ['fromaddressmatchespatterns', 'FromAddressMatchesPatterns'],
  ['headermatches', 'HeaderMatchesMessageHeader'],
  ['headercontains', 'HeaderContainsMessageHeader'],
  ['messagetypematches', 'MessageTypeMatches'],
  ['recipientdomainis', 'RecipientDomainIs'],
  ['senttoscope', 'SentToScope'],
]);

function typeKey(typeName: string): string {
  const last = typeName.split('.').pop() ?? typeName;
  return last.replace(/Predicate$/i, '').toLowerCase();
}

export interface RuleMatch {
  truth: Truth;
  /** Why, for the evidence. */
  notes: string[];
  /** Model choices a match rests on (e.g. OQ-9 [C]), to be carried into the evidence of the rule's effect. */
  basis?: Decision[];
}

/** The predicates present on one side of a rule, and the listed predicate types that cannot be evaluated. */
interface CompiledSide {
  predicates: Predicate[];
  unknownNotes: string[];
}

/** A message no predicate can say anything about: used to find which predicates a rule carries. */
const PROBE: RuleMessage = {
  clientIp: '',
  mailFrom: '',
  headerFrom: '',
  rcpts: [],
  authAs: 'Anonymous',
  headers: new Map(),
  adversarial: false,
  isAccepted: () => false,
};

/**
 * One side (conditions or exceptions) of a rule, compiled once. A predicate answers `undefined` exactly when the
 * rule lacks its property, which depends on the rule alone. A predicate type listed in `Conditions`/`Exceptions`
 * whose property is absent from the export is unknown, never dropped (a dropped condition widens the rule, a
 * dropped exception narrows it: either could turn an open path into a closed one).
 */
function compileSide(c: CompiledRule, except: boolean): CompiledSide {
  const rule = c.raw;
  const predicates: Predicate[] = [];
  const present = new Set<string>();
  for (const [key, pred] of Object.entries(PREDICATES)) {
    if (pred(rule, c, PROBE, except, []) !== undefined) {
      predicates.push(pred);
      present.add(key);
    }
  }
  const what = except ? 'exception' : 'condition';
  const unknownNotes: string[] = [];
  for (const name of (except ? rule.Exceptions : rule.Conditions) ?? []) {
    const key = typeKey(name);
    const prop = MODELLED_TYPE_NAMES.get(key);
    if (prop === undefined) unknownNotes.push(`${what} ${key} is not modelled`);
    else if (!present.has(prop))
      unknownNotes.push(
        `${what} ${key} is listed but ${except ? 'ExceptIf' : ''}${prop} is not in the export`,
      );
  }
  return { predicates, unknownNotes };
}

const COMPILED = new WeakMap<CompiledRule, { conds: CompiledSide; excs: CompiledSide }>();

function side(
  s: CompiledSide,
  c: CompiledRule,
  msg: RuleMessage,
  except: boolean,
  notes: string[],
  basis: Decision[],
): Truth[] {
  const truths: Truth[] = [];
  for (const pred of s.predicates) truths.push(pred(c.raw, c, msg, except, basis) ?? 'unknown');
  for (const note of s.unknownNotes) {
    truths.push('unknown');
    notes.push(note);
  }
  return truths;
}

function compiledSides(c: CompiledRule): { conds: CompiledSide; excs: CompiledSide } {
  let compiled = COMPILED.get(c);
  if (!compiled) {
    compiled = { conds: compileSide(c, false), excs: compileSide(c, true) };
    COMPILED.set(c, compiled);
  }
  return compiled;
}

/** Whether a rule applies: all conditions true and no exception true (TR-4 [D]/[I]). */
export function ruleMatches(c: CompiledRule, msg: RuleMessage): RuleMatch {
  const compiled = compiledSides(c);
  const notes: string[] = [];
  const basis: Decision[] = [];
  const conds = side(compiled.conds, c, msg, false, notes, basis);
  const excs = side(compiled.excs, c, msg, true, notes, basis);
  let truth: Truth;
  if (conds.includes(false) || excs.includes(true)) truth = false;
  // The attacker can satisfy an exception or dodge a condition they write themselves.
  else if (excs.includes('attacker') || conds.includes('attacker')) truth = 'attacker';
  else if (conds.includes('unknown') || excs.includes('unknown')) truth = 'unknown';
  else truth = true;
  return basis.length > 0 ? { truth, notes, basis } : { truth, notes };
}

// --- Rule index (DESIGN §8) --------------------------------------------------------------------------------------
// The predicates FromScope, SentToScope, SenderIpRanges, SenderDomainIs and RecipientDomainIs are computed once per
// message for all rules of a configuration, as bit sets (one bit per rule). Rules with a certainly false condition
// or a certainly true exception are not candidates: `ruleMatches` answers `false` for exactly those. For the others,
// `ruleMatchesIndexed` reads those predicates from the bit sets and evaluates the rest as `ruleMatches` does, with
// the same truth, notes and basis; the differential tests hold the two to that.

/** Bit sets over rule positions, one bit per rule. */
type Bits = Uint32Array;

/** Per lower-case domain: the rules whose SenderDomainIs / RecipientDomainIs lists (or exceptions) name it. */
interface DomainBits {
  senderCond?: Bits;
  senderExc?: Bits;
  rcptCond?: Bits;
  rcptExc?: Bits;
}

/** A FromScope / SentToScope value as the predicates read it. */
type Scope = 'in' | 'not' | 'other' | undefined;

/** One side of a rule, split into the indexed predicates and the rest. */
interface IndexedSide {
  fromScope: Scope;
  fromScopeValue: string | undefined;
  sentToScope: Scope;
  senderIps: boolean;
  senderDomain: boolean;
  rcptDomain: boolean;
  /** Present predicates that are not indexed, in PREDICATES order. */
  others: Predicate[];
  unknownNotes: string[];
}

export interface RuleIndex {
  words: number;
  /** Rules the message may match at all: taken into account (`considered`) and without a MessageTypeMatches condition. */
  base: Bits;
  fromScope: { condIn: Bits; condNot: Bits; excIn: Bits; excNot: Bits; any: boolean };
  sentToScope: { condIn: Bits; condNot: Bits; excIn: Bits; excNot: Bits; any: boolean };
  senderIps: { cond: IpSetIndex; condHas: Bits; exc: IpSetIndex; any: boolean };
  domains: Map<string, DomainBits>;
  senderCondHas: Bits;
  rcptCondHas: Bits;
  /** Rules whose SenderAddressLocation looks at the From: header, resp. the envelope sender (TR-4 [D] S20). */
  locHeader: Bits;
  locEnvelope: Bits;
  /** Per rule: its two sides, and the notes `ruleMatches` gives for it (shared, read-only). */
  sides: { conds: IndexedSide; excs: IndexedSide; notes: string[] }[];
  scratchTruths: Bits;
  /**
   * `base` without the rules a FromScope or SentToScope excludes, per message class: index `inOrg * 2 + internal`
   * (FromScope InOrganization, SentToScope InOrganization). Built once, so a message reads one mask, not four.
   */
  scoped: Bits[];
  /** Some rule has a header condition or exception: only then do messages need their headers. */
  usesHeaders: boolean;
  /** The DomainBits a domain reaches (itself and its parents), per domain seen. */
  entryCache: Map<string, readonly DomainBits[]>;
}

const bitsOf = (words: number): Bits => new Uint32Array(words);
const setBit = (b: Bits, i: number): void => {
  b[i >>> 5]! |= 1 << (i & 31);
};
const INDEXED: ReadonlySet<Predicate> = new Set([
  PREDICATES['FromScope']!,
  PREDICATES['SentToScope']!,
  PREDICATES['SenderIpRanges']!,
  PREDICATES['SenderDomainIs']!,
  PREDICATES['RecipientDomainIs']!,
]);

function scopeOf(value: string | undefined, caseInsensitive: boolean): Scope {
  if (value === undefined) return undefined;
  if (caseInsensitive) {
    if (/^InOrganization$/i.test(value)) return 'in';
    if (/^NotInOrganization$/i.test(value)) return 'not';
    return 'other';
  }
  return value === 'InOrganization' ? 'in' : value === 'NotInOrganization' ? 'not' : 'other';
}

function indexedSide(c: CompiledRule, except: boolean, compiled: CompiledSide): IndexedSide {
  const r = c.raw;
  const fs = except ? r.ExceptIfFromScope : r.FromScope;
  const st = except ? r.ExceptIfSentToScope : r.SentToScope;
  const sd = except ? r.ExceptIfSenderDomainIs : r.SenderDomainIs;
  const rd = except ? r.ExceptIfRecipientDomainIs : r.RecipientDomainIs;
  return {
    fromScope: scopeOf(fs, false),
    fromScopeValue: fs,
    sentToScope: st ? scopeOf(st, true) : undefined,
    senderIps: (except ? c.exceptSenderIps : c.senderIps) !== undefined,
    senderDomain: !!sd && sd.length > 0,
    rcptDomain: !!rd && rd.length > 0,
    others: compiled.predicates.filter((p) => !INDEXED.has(p)),
    unknownNotes: compiled.unknownNotes,
  };
}

/**
 * Builds the index. `considered[i]` is false for rules the simulator passes over before matching (disabled,
 * expired); predicate presence follows the predicates above (a property that is absent or empty is no predicate).
 */
export function buildRuleIndex(rules: readonly CompiledRule[], considered: readonly boolean[]): RuleIndex {
  const words = Math.max(1, Math.ceil(rules.length / 32));
  const scopeBits = () => ({
    condIn: bitsOf(words),
    condNot: bitsOf(words),
    excIn: bitsOf(words),
    excNot: bitsOf(words),
    any: false,
  });
  const ix: RuleIndex = {
    words,
    base: bitsOf(words),
    fromScope: scopeBits(),
    sentToScope: scopeBits(),
    senderIps: {
      cond: new IpSetIndex(rules.map((c) => c.senderIps)),
      condHas: bitsOf(words),
      exc: new IpSetIndex(rules.map((c) => c.exceptSenderIps)),
      any: rules.some((c) => c.senderIps !== undefined || c.exceptSenderIps !== undefined),
    },
    domains: new Map(),
    senderCondHas: bitsOf(words),
    rcptCondHas: bitsOf(words),
    locHeader: bitsOf(words),
    locEnvelope: bitsOf(words),
    sides: [],
    scratchTruths: bitsOf(words * TRUTH_SETS),
    scoped: [],
    usesHeaders: rules.some(
      (c) =>
        !!c.raw.HeaderMatchesMessageHeader ||
        !!c.raw.ExceptIfHeaderMatchesMessageHeader ||
        !!c.raw.HeaderContainsMessageHeader ||
        !!c.raw.ExceptIfHeaderContainsMessageHeader,
    ),
    entryCache: new Map(),
  };
  const domainBits = (base: string, key: keyof DomainBits, i: number) => {
    const d = base.toLowerCase();
    let e = ix.domains.get(d);
    if (!e) ix.domains.set(d, (e = {}));
    setBit((e[key] ??= bitsOf(words)), i);
  };
  const buildScoped = () => {
    const fs = ix.fromScope;
    const st = ix.sentToScope;
    for (const inOrg of [false, true])
      for (const internal of [false, true]) {
        const mask = bitsOf(words);
        const fs1 = inOrg ? fs.condNot : fs.condIn;
        const fs2 = inOrg ? fs.excIn : fs.excNot;
        const st1 = internal ? st.condNot : st.condIn;
        const st2 = internal ? st.excIn : st.excNot;
        for (let w = 0; w < words; w++) mask[w] = ix.base[w]! & ~(fs1[w]! | fs2[w]! | st1[w]! | st2[w]!);
        ix.scoped[(inOrg ? 2 : 0) + (internal ? 1 : 0)] = mask;
      }
  };
  rules.forEach((c, i) => {
    const r = c.raw;
    const compiled = compiledSides(c);
    const conds = indexedSide(c, false, compiled.conds);
    const excs = indexedSide(c, true, compiled.excs);
    ix.sides.push({ conds, excs, notes: [...conds.unknownNotes, ...excs.unknownNotes] });
    if (considered[i] === true && !r.MessageTypeMatches) setBit(ix.base, i);
    // An `other` scope is `unknown` to the predicate: it never excludes the rule.
    if (conds.fromScope === 'in') setBit(ix.fromScope.condIn, i);
    if (conds.fromScope === 'not') setBit(ix.fromScope.condNot, i);
    if (excs.fromScope === 'in') setBit(ix.fromScope.excIn, i);
    if (excs.fromScope === 'not') setBit(ix.fromScope.excNot, i);
    if (conds.fromScope || excs.fromScope) ix.fromScope.any = true;
    if (conds.sentToScope === 'in') setBit(ix.sentToScope.condIn, i);
    if (conds.sentToScope === 'not') setBit(ix.sentToScope.condNot, i);
    if (excs.sentToScope === 'in') setBit(ix.sentToScope.excIn, i);
    if (excs.sentToScope === 'not') setBit(ix.sentToScope.excNot, i);
    if (conds.sentToScope || excs.sentToScope) ix.sentToScope.any = true;
    if (c.senderIps) setBit(ix.senderIps.condHas, i);
    if (r.SenderAddressLocation !== 'Envelope') setBit(ix.locHeader, i);
    if (r.SenderAddressLocation === 'Envelope' || r.SenderAddressLocation === 'HeaderOrEnvelope')
      setBit(ix.locEnvelope, i);
    if (conds.senderDomain) {
      setBit(ix.senderCondHas, i);
      for (const b of r.SenderDomainIs ?? []) domainBits(b, 'senderCond', i);
    }
    if (excs.senderDomain) for (const b of r.ExceptIfSenderDomainIs ?? []) domainBits(b, 'senderExc', i);
    if (conds.rcptDomain) {
      setBit(ix.rcptCondHas, i);
      for (const b of r.RecipientDomainIs ?? []) domainBits(b, 'rcptCond', i);
    }
    if (excs.rcptDomain) for (const b of r.ExceptIfRecipientDomainIs ?? []) domainBits(b, 'rcptExc', i);
  });
  buildScoped();
  return ix;
}

/** The indexed predicates for one message: truths per rule, and the candidates. */
export interface RuleFacts {
  /** Ascending positions of the rules that `ruleMatches` may not answer `false` for. */
  candidates: number[];
  fromScope: FromScopeFacts | undefined;
  /** SentToScope: every recipient is in an accepted domain. */
  internal: boolean;
  /** Truth bit sets: [ipCond, ipExc, senderCond, senderExc, rcptCond, rcptExc], `words` each (the index's buffer). */
  bits: Bits;
}

const IP_COND = 0;
const IP_EXC = 1;
const SENDER_COND = 2;
const SENDER_EXC = 3;
const RCPT_COND = 4;
const RCPT_EXC = 5;
const TRUTH_SETS = 6;

const bitAt = (bits: Bits, set: number, words: number, i: number): boolean =>
  ((bits[set * words + (i >>> 5)]! >>> (i & 31)) & 1) === 1;

/** The DomainBits of every base that `domain` equals or is a subdomain of: exactly `domainOrSubdomain(base, domain)`. */
function domainEntries(ix: RuleIndex, domain: string | undefined): readonly DomainBits[] {
  if (domain === undefined) return NO_ENTRIES;
  let out = ix.entryCache.get(domain);
  if (out === undefined) {
    out = walkDomain(ix, domain);
    // Domains repeat from message to message; the cache is bounded all the same.
    if (ix.entryCache.size >= MAX_CACHED_DOMAINS) ix.entryCache.clear();
    ix.entryCache.set(domain, out);
  }
  return out;
}

const NO_ENTRIES: readonly DomainBits[] = [];
const MAX_CACHED_DOMAINS = 4096;

function walkDomain(ix: RuleIndex, domain: string): readonly DomainBits[] {
  const out: DomainBits[] = [];
  let e = ix.domains.get(domain);
  if (e) out.push(e);
  for (let at = domain.indexOf('.'); at >= 0; at = domain.indexOf('.', at + 1)) {
    e = ix.domains.get(domain.slice(at + 1));
    if (e) out.push(e);
  }
  return out.length > 0 ? out : NO_ENTRIES;
}

/** ORs the `key` bits of the entries into `bits` at set `set`, masked by `mask` when given. */
function orEntries(
  bits: Bits,
  set: number,
  W: number,
  entries: readonly DomainBits[],
  key: keyof DomainBits,
  mask: Bits | undefined,
): void {
  const off = set * W;
  for (const e of entries) {
    const b = e[key];
    if (!b) continue;
    if (mask) for (let w = 0; w < W; w++) bits[off + w]! |= b[w]! & mask[w]!;
    else for (let w = 0; w < W; w++) bits[off + w]! |= b[w]!;
  }
}

/**
 * Computes the indexed predicates of every rule for one message (`senderIp` is the parsed `msg.clientIp`). Typed
 * arrays are slow to allocate, so the facts live in a buffer of the index, valid until the next call for it: a
 * caller that may still hold facts of another message (a nested evaluation) passes `own` for a buffer of its own.
 */
export function ruleFacts(
  ix: RuleIndex,
  msg: RuleMessage,
  senderIp: Address | undefined,
  own = false,
): RuleFacts {
  const W = ix.words;
  const bits = own ? bitsOf(W * TRUTH_SETS) : ix.scratchTruths;
  if (!own) bits.fill(0);
  // The rules a scope excludes, for this message's scope values (an unused scope excludes nothing).
  let fromScope: FromScopeFacts | undefined;
  if (ix.fromScope.any) fromScope = fromScopeFacts(msg);
  let internal = false;
  if (ix.sentToScope.any) {
    const lower = msg.isAcceptedLower;
    const rd = msg.domains?.rcpts;
    internal = rd
      ? rd.every((d) => (lower ? lower(d) : msg.isAccepted(d)))
      : msg.rcpts.every((r) => (lower ? lower(domainOf(r)) : msg.isAccepted(domainOf(r))));
  }
  const scoped = ix.scoped[(fromScope?.inOrg === true ? 2 : 0) + (internal ? 1 : 0)]!;
  if (ix.senderIps.any) {
    // The connecting IP, not the EF original IP ([D] S20, field-notes 5).
    for (const i of ix.senderIps.cond.lookup(senderIp)) setBit(bits, IP_COND * W * 32 + i);
    for (const i of ix.senderIps.exc.lookup(senderIp)) setBit(bits, IP_EXC * W * 32 + i);
  }
  if (ix.domains.size > 0) {
    // SenderDomainIs looks at the From: header, the envelope sender or both, per rule (SenderAddressLocation).
    const p2 = msg.domains ? msg.domains.header : domainOf(msg.headerFrom);
    const p1 = msg.domains ? msg.domains.envelope : domainOf(msg.mailFrom);
    const e2 = domainEntries(ix, p2);
    const e1 = p1 === p2 ? e2 : domainEntries(ix, p1);
    if (e2.length > 0) {
      orEntries(bits, SENDER_COND, W, e2, 'senderCond', ix.locHeader);
      orEntries(bits, SENDER_EXC, W, e2, 'senderExc', ix.locHeader);
    }
    if (e1.length > 0) {
      orEntries(bits, SENDER_COND, W, e1, 'senderCond', ix.locEnvelope);
      orEntries(bits, SENDER_EXC, W, e1, 'senderExc', ix.locEnvelope);
    }
    let last: string | undefined;
    const rd = msg.domains?.rcpts;
    for (let k = 0; k < msg.rcpts.length; k++) {
      const d = rd ? rd[k] : domainOf(msg.rcpts[k]!);
      if (d === undefined || d === last) continue;
      last = d;
      const e = domainEntries(ix, d);
      if (e.length === 0) continue;
      orEntries(bits, RCPT_COND, W, e, 'rcptCond', undefined);
      orEntries(bits, RCPT_EXC, W, e, 'rcptExc', undefined);
    }
  }
  // One pass: a rule stays unless a condition it has is false or an exception it has is true.
  const candidates: number[] = [];
  const ipHas = ix.senderIps.condHas;
  const sdHas = ix.senderCondHas;
  const rdHas = ix.rcptCondHas;
  for (let w = 0; w < W; w++) {
    let x =
      scoped[w]! &
      ~(
        (ipHas[w]! & ~bits[IP_COND * W + w]!) |
        bits[IP_EXC * W + w]! |
        (sdHas[w]! & ~bits[SENDER_COND * W + w]!) |
        bits[SENDER_EXC * W + w]! |
        (rdHas[w]! & ~bits[RCPT_COND * W + w]!) |
        bits[RCPT_EXC * W + w]!
      );
    while (x !== 0) {
      const low = x & -x;
      candidates.push(w * 32 + 31 - Math.clz32(low));
      x ^= low;
    }
  }
  return { candidates, fromScope, internal, bits };
}

/** Which truth values one side produced (ruleMatches combines them as sets). */
const HAS_TRUE = 1;
const HAS_FALSE = 2;
const HAS_ATTACKER = 4;
const HAS_UNKNOWN = 8;

function flag(t: Truth): number {
  return t === true ? HAS_TRUE : t === false ? HAS_FALSE : t === 'attacker' ? HAS_ATTACKER : HAS_UNKNOWN;
}

/** The truths of one side as flags, indexed predicates read from the facts (as `side` would compute them). */
function indexedTruths(
  s: IndexedSide,
  ix: RuleIndex,
  facts: RuleFacts,
  i: number,
  c: CompiledRule,
  msg: RuleMessage,
  except: boolean,
  basis: Decision[],
): number {
  const W = ix.words;
  let f = 0;
  if (s.fromScope !== undefined)
    f |= flag(fromScopeTruth(s.fromScopeValue!, facts.fromScope ?? fromScopeFacts(msg), except, basis));
  if (s.senderIps) f |= bitAt(facts.bits, except ? IP_EXC : IP_COND, W, i) ? HAS_TRUE : HAS_FALSE;
  if (s.senderDomain) f |= bitAt(facts.bits, except ? SENDER_EXC : SENDER_COND, W, i) ? HAS_TRUE : HAS_FALSE;
  if (s.rcptDomain) f |= bitAt(facts.bits, except ? RCPT_EXC : RCPT_COND, W, i) ? HAS_TRUE : HAS_FALSE;
  if (s.sentToScope !== undefined)
    f |=
      s.sentToScope === 'in'
        ? facts.internal
          ? HAS_TRUE
          : HAS_FALSE
        : s.sentToScope === 'not'
          ? facts.internal
            ? HAS_FALSE
            : HAS_TRUE
          : HAS_UNKNOWN;
  for (const pred of s.others) f |= flag(pred(c.raw, c, msg, except, basis) ?? 'unknown');
  if (s.unknownNotes.length > 0) f |= HAS_UNKNOWN;
  return f;
}

/** `ruleMatches(c, msg)` for rule position `i` of the index, with the indexed predicates read from `facts`. */
export function ruleMatchesIndexed(
  ix: RuleIndex,
  facts: RuleFacts,
  i: number,
  c: CompiledRule,
  msg: RuleMessage,
): RuleMatch {
  const sides = ix.sides[i]!;
  const basis: Decision[] = [];
  const conds = indexedTruths(sides.conds, ix, facts, i, c, msg, false, basis);
  const excs = indexedTruths(sides.excs, ix, facts, i, c, msg, true, basis);
  let truth: Truth;
  if (conds & HAS_FALSE || excs & HAS_TRUE) truth = false;
  else if ((excs | conds) & HAS_ATTACKER) truth = 'attacker';
  else if ((conds | excs) & HAS_UNKNOWN) truth = 'unknown';
  else truth = true;
  // Notes come only from listed predicates that cannot be evaluated: the same for every message.
  const notes = sides.notes;
  return basis.length > 0 ? { truth, notes, basis } : { truth, notes };
}
