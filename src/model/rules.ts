/**
 * Transport-rule predicates (eop-model §4.2, TR-4). A predicate answers true/false, `unknown` when the model
 * cannot decide, or `attacker` when the value is written by the sender (a header outside EOP's header firewall
 * on an attack path), so the sender picks whichever side suits them.
 */
import type { TransportRule } from '../snapshot/schema.js';
import type { CompiledRule } from './config.js';
import { domainOf, domainOrSubdomain } from './domains.js';

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
) => Truth | undefined;

const PREDICATES: Record<string, Predicate> = {
  FromScope(rule, _c, msg, except) {
    const scope = except ? rule.ExceptIfFromScope : rule.FromScope;
    if (scope === undefined) return undefined;
    // InOrganization needs an authenticated connection and an own sender (S20 [D]); NotInOrganization is modelled
    // as its negation, so anonymous own-domain spoofs count as outside (OQ-9 → §12, [C]).
    const sender = domainOf(msg.headerFrom) ?? domainOf(msg.mailFrom);
    const inOrg = msg.authAs === 'Internal' && msg.isAccepted(sender);
    if (scope === 'InOrganization') return inOrg;
    if (scope === 'NotInOrganization') return !inOrg;
    return 'unknown';
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
    return anyOf((patterns ?? []).map((p) => regexTest(p, v)));
  },
  HeaderContainsMessageHeader(rule, _c, msg, except) {
    const name = except ? rule.ExceptIfHeaderContainsMessageHeader : rule.HeaderContainsMessageHeader;
    const words = except ? rule.ExceptIfHeaderContainsWords : rule.HeaderContainsWords;
    if (!name) return undefined;
    const v = headerValue(msg, name);
    if (v === 'attacker') return 'attacker';
    if (v === undefined) return false;
    return (words ?? []).some((w) => v.toLowerCase().includes(w.toLowerCase()));
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
    if (except) return undefined;
    const scope = rule.SentToScope;
    if (!scope) return undefined;
    const internal = msg.rcpts.every((r) => msg.isAccepted(domainOf(r)));
    if (/^InOrganization$/i.test(scope)) return internal;
    if (/^NotInOrganization$/i.test(scope)) return !internal;
    return 'unknown';
  },
};

/** Predicate type names (`…Rules.Tasks.FromScopePredicate`) that the properties above model. */
const MODELLED_TYPE_NAMES = new Set([
  'fromscope',
  'senderipranges',
  'senderdomainis',
  'from',
  'fromaddresscontains',
  'fromaddresscontainswords',
  'fromaddressmatches',
  'fromaddressmatchespatterns',
  'headermatches',
  'headercontains',
  'messagetypematches',
  'recipientdomainis',
  'senttoscope',
]);

function typeKey(typeName: string): string {
  const last = typeName.split('.').pop() ?? typeName;
  return last.replace(/Predicate$/i, '').toLowerCase();
}

export interface RuleMatch {
  truth: Truth;
  /** Why, for the evidence. */
  notes: string[];
}

/** Whether a rule applies: all conditions true and no exception true (TR-4 [D]/[I]). */
export function ruleMatches(c: CompiledRule, msg: RuleMessage): RuleMatch {
  const rule = c.raw;
  const notes: string[] = [];
  const conds: Truth[] = [];
  for (const pred of Object.values(PREDICATES)) {
    const t = pred(rule, c, msg, false);
    if (t !== undefined) conds.push(t);
  }
  for (const name of rule.Conditions ?? []) {
    if (!MODELLED_TYPE_NAMES.has(typeKey(name))) {
      conds.push('unknown');
      notes.push(`condition ${typeKey(name)} is not modelled`);
    }
  }
  const excs: Truth[] = [];
  for (const pred of Object.values(PREDICATES)) {
    const t = pred(rule, c, msg, true);
    if (t !== undefined) excs.push(t);
  }
  for (const name of rule.Exceptions ?? []) {
    if (!MODELLED_TYPE_NAMES.has(typeKey(name))) {
      excs.push('unknown');
      notes.push(`exception ${typeKey(name)} is not modelled`);
    }
  }
  if (conds.includes(false) || excs.includes(true)) return { truth: false, notes };
  // The attacker can satisfy an exception or dodge a condition they write themselves.
  if (excs.includes('attacker') || conds.includes('attacker')) return { truth: 'attacker', notes };
  if (conds.includes('unknown') || excs.includes('unknown')) return { truth: 'unknown', notes };
  return { truth: true, notes };
}
