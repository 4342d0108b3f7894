/**
 * Transport-rule predicates (eop-model §4.2, TR-4). A predicate answers true/false, `unknown` when the model
 * cannot decide, or `attacker` when the value is written by the sender (a header outside EOP's header firewall
 * on an attack path), so the sender picks whichever side suits them.
 */
import type { TransportRule } from '../snapshot/schema.js';
import type { CompiledRule } from './config.js';
import { domainOf, domainOrSubdomain } from './domains.js';
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

function regexTest(pattern: string, value: string): Truth {
  try {
    return new RegExp(pattern, 'i').test(value);
  } catch {
    return 'unknown';
  }
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
    // InOrganization needs an authenticated connection and a sender in an Authoritative or InternalRelay
    // domain; an ExternalRelay sender is outside (S20 [D]).
    const sender = domainOf(msg.headerFrom) ?? domainOf(msg.mailFrom);
    const ownDomain = msg.isAccepted(sender) && msg.acceptedDomainType?.(sender) !== 'ExternalRelay';
    const inOrg = msg.authAs === 'Internal' && ownDomain;
    if (scope !== 'InOrganization' && scope !== 'NotInOrganization') return 'unknown';
    if (ownDomain && !inOrg)
      // Neither literal definition fits an anonymous sender in an accepted domain; NotInOrganization is modelled as
      // the negation of InOrganization (OQ-9 → §12 [C]).
      basis.push({
        rule: 'TR-4',
        evidence: 'C',
        text: `${except ? 'ExceptIfFromScope' : 'FromScope'} ${scope}: ${sender} is an accepted domain but the message is not authenticated; taken as NotInOrganization (OQ-9 → §12)`,
      });
    return scope === 'InOrganization' ? inOrg : !inOrg;
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
    const internal = msg.rcpts.every((r) => msg.isAccepted(domainOf(r)));
    if (/^InOrganization$/i.test(scope)) return internal;
    if (/^NotInOrganization$/i.test(scope)) return !internal;
    return 'unknown';
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

/** Whether a rule applies: all conditions true and no exception true (TR-4 [D]/[I]). */
export function ruleMatches(c: CompiledRule, msg: RuleMessage): RuleMatch {
  let compiled = COMPILED.get(c);
  if (!compiled) {
    compiled = { conds: compileSide(c, false), excs: compileSide(c, true) };
    COMPILED.set(c, compiled);
  }
  const notes: string[] = [];
  const basis: Decision[] = [];
  const conds = side(compiled.conds, c, msg, false, notes, basis);
  const excs = side(compiled.excs, c, msg, true, notes, basis);
  const withBasis = (truth: Truth): RuleMatch =>
    basis.length > 0 ? { truth, notes, basis } : { truth, notes };
  if (conds.includes(false) || excs.includes(true)) return withBasis(false);
  // The attacker can satisfy an exception or dodge a condition they write themselves.
  if (excs.includes('attacker') || conds.includes('attacker')) return withBasis('attacker');
  if (conds.includes('unknown') || excs.includes('unknown')) return withBasis('unknown');
  return withBasis(true);
}
