/**
 * What the simulator derives from a configuration alone, computed once per SimConfig (DESIGN §8): the keys under
 * which unknown settings are explored, IP indexes over the connectors, rule states and actions, the rule prefilter,
 * the policy candidates of the spoof stage, and a cache of authentication verdicts. Keyed by the SimConfig object,
 * so a configuration built by spreading another one (`{ ...cfg, auth }`) gets its own plan; a SimConfig is not to be
 * modified once it has been simulated (its plan would not follow).
 */
import { appendTo, valueIn } from '../common/collections.js';
import type {
  AntiPhishPolicy,
  ContentFilterPolicy,
  TablSpoofItem,
  TransportRule,
} from '../snapshot/schema.js';
import type { AuthOracle, CompiledConnector, CompiledRule, SimConfig } from './config.js';
import { IpSet, IpSetIndex } from '../common/ip.js';
import { newReplayCache, type ReplayCache } from './replay.js';
import { buildRuleIndex, type RuleIndex } from './rules.js';
import type { AuthVerdict, Decision, SimResult } from './types.js';

/** The World keys of a connector's settings (eop-model §2): built once, not per evaluation. */
export interface ConnectorPlan {
  c: CompiledConnector;
  /** SenderDomains trimmed and lower-cased, for `normalisedPatternMatches`. */
  senderPatterns: string[];
  /** `'name'`, as the evidence quotes it. */
  quoted: string;
  /** TlsSenderCertificateName trimmed and lower-cased. */
  certPattern: string | undefined;
  kEnabled: string;
  kType: string;
  kRestrictIp: string;
  kRestrictCert: string;
  kRequireTls: string;
  kEfSkipLastIp: string;
  kEfTestMode: string;
  kCloudServices: string;
  kTreatAsInternal: string;
  /** CON-5: the connection satisfies this restricting connector, the only one in scope [D] / one of several [I]. */
  satisfies: Decision;
  satisfiesOneOf: Decision;
}

/** Whether a rule is taken into account (TR-3): on, off, audit only, or not decidable from the export. */
export type RuleActivity = boolean | 'unknown' | 'audit';

/** What a matching rule does (eop-model §4.3): the first of reject, delete, quarantine, re-route, else the rest. */
export type RuleEffect =
  | { kind: 'reject'; reply: string }
  | { kind: 'delete' }
  | { kind: 'quarantine' }
  | { kind: 'reroute'; uncertainty: string }
  | {
      kind: 'continue';
      stop: boolean;
      /** Actions whose delivery effect is not modelled, in the order listed. */
      unmodelled: string[];
      unmodelledText: string;
      unmodelledUncertainty: string;
      /** The decision text of a match: `sets SCL n` or `matches (no delivery action)`. */
      matchText: string;
    };

export interface RulePlan {
  c: CompiledRule;
  active: RuleActivity;
  effect: RuleEffect;
  /**
   * The TR-1 decisions of the rule's effect, made once (decisions are never modified, so every outcome shares them):
   * reject, delete, quarantine: [the action]; reroute: [dropped, delivered]; continue: [the match, the unmodelled
   * actions].
   */
  effectDecisions: readonly Decision[];
  /** TR-3: audit mode. */
  audit: Decision;
  /** TR-4: the sender writes the header the rule keys on. */
  tr4: Decision;
  undecidedStateText: string;
}

export interface SimPlan {
  connectors: ConnectorPlan[];
  /** Which connectors' SenderIPAddresses contain an address. */
  connectorIps: IpSetIndex;
  /** Connectors whose Enabled was not exported: every RCPT evaluation asks the world about them (CON-1). */
  unknownEnabled: number[];
  /**
   * Connectors with a TlsSenderCertificateName, by pattern (CON-1): `*` matches every name; `exact` maps a name to the connectors that name it;
   * `wildcard` maps x to the connectors with `*.x`, which match x and its subdomains.
   */
  certIndex: PatternIndex;
  /**
   * Connectors that may restrict (CON-5): `fixed` ones are enabled Partner connectors with a restriction on, all
   * exported; the others have an unexported setting and are asked of the world per evaluation.
   */
  maybeRestricting: { p: ConnectorPlan; fixed: boolean }[];
  /**
   * The restricting connectors an evaluation must look at, by what its P1 and From: domains can select (CON-2, CON-5):
   * a `fixed` connector whose SenderDomains and AssociatedAcceptedDomains were exported takes part in the RCPT
   * decision only when one of its SenderDomains patterns covers the P1 or From: domain (or, for the null sender, it
   * lists `*`), so it is found by pattern; every other connector of `maybeRestricting` (`asked`) is looked at by
   * every evaluation, as its unexported settings are asked of the world. Indexes into `maybeRestricting`, whose order
   * is the connectors' order.
   */
  restrictIndex: { asked: number[]; nullSender: number[]; bySender: PatternIndex };
  /**
   * Enabled Partner connectors that restrict nothing (all three exported), by SenderDomains pattern: when RejectDirectSend
   * refuses a message, the ones covering its P1 domain are named, as they do not exempt it (DS-1 [D], 2026-03-17).
   * Indexes into `connectors`.
   */
  allowBySender: PatternIndex;
  rules: RulePlan[];
  ruleIndex: RuleIndex;
  /** DomainType per accepted DomainName (the first entry of a name, as `find` would). */
  domainTypes: Map<string, string | undefined>;
  isAccepted: (domain: string | undefined) => boolean;
  /** `isAccepted` for a lower-case domain (as `domainOf` returns). */
  isAcceptedLower: (domain: string | undefined) => boolean;
  /**
   * The accepted domain names that are lower-case: `isAccepted(d)` looks `d` up lower-cased, so for a lower-case
   * `d` (as `domainOf` returns) it is exactly membership here.
   */
  acceptedLower: ReadonlySet<string>;
  /** `cfg.acceptedDomains` lower-cased, in order (for `domainOrSubdomain`, which lower-cases both sides). */
  acceptedList: string[];
  /** Lower-cased names of the accepted domains with MatchSubDomains (`coveredByMatchSubDomains`). */
  matchSubLower: string[];
  acceptedDomainType: (domain: string | undefined) => string | undefined;
  contentFilterCandidates: ContentFilterPolicy[] | undefined;
  antiPhishCandidates: AntiPhishPolicy[];
  tabl: { allow: TablPlan[]; block: TablPlan[] };
  authVerdict: (ip: string, mailFrom: string, headerFrom: string) => AuthVerdict;
  /**
   * Every IP set the model tests an address against, as one index: its intervals are the address classes of the
   * replay cache. A set the simulator starts testing addresses against must be added here.
   */
  ipClasses: IpSetIndex;
  replay: ReplayCache;
  /**
   * Results of attempts the replay cache does not take (an IPv6 client or hop), by the attempt's exact content
   * (simulate.ts exactKey): a sender that comes back with the same text is answered without the model.
   */
  exact: Map<string, SimResult>;
  /** Evaluations of this configuration in progress (more than one only when an oracle simulates). */
  depth: number;
}

/**
 * Connectors by a domain pattern (CON-1 certificate names, CON-2 SenderDomains), trimmed and lower-cased: `*` matches
 * every name (`all`); `exact` maps a name to the connectors that name it; `wildcard` maps x to the connectors with
 * `*.x`, which match x and its subdomains (`normalisedPatternMatches`). The numbers index the list the index was built
 * over: `SimPlan.connectors` (certIndex) or `SimPlan.maybeRestricting` (restrictIndex).
 */
export interface PatternIndex {
  all: number[];
  exact: Map<string, number[]>;
  wildcard: Map<string, number[]>;
}

/**
 * Adds to `hits` the connectors of `index` with a pattern matching the lower-case `name`, as
 * `normalisedPatternMatches` decides: `*`, the name itself, and `*.x` for x the name or any suffix after a dot. A
 * connector may be added more than once (several patterns, or already in `hits`); the caller removes repeats.
 */
export function patternHits(index: PatternIndex, name: string, hits: number[]): void {
  const add = (list: readonly number[] | undefined) => {
    if (list) for (const i of list) hits.push(i);
  };
  add(index.all);
  add(index.exact.get(name));
  add(index.wildcard.get(name));
  for (let at = name.indexOf('.'); at >= 0; at = name.indexOf('.', at + 1))
    add(index.wildcard.get(name.slice(at + 1)));
}

/** A Tenant Allow/Block List spoof entry; `infrastructure` is undefined for the PTR/DKIM forms (§6.6). */
export interface TablPlan {
  spoofedUser: string;
  infrastructure: IpSet | undefined;
}

/**
 * `domainPatternMatches` for a pattern already trimmed and lower-cased and a lower-case domain (as `domainOf`
 * returns): `*` matches all, `*.x` matches x and its subdomains (CON-1/CON-2 [D] S8).
 */
export function normalisedPatternMatches(p: string, d: string): boolean {
  if (p === '*') return true;
  if (p.startsWith('*.')) {
    const base = p.slice(2);
    return d === base || (d.endsWith(base) && d.charCodeAt(d.length - base.length - 1) === 46);
  }
  return p === d;
}

/** `…Rules.Tasks.SetSclAction` → `setscl`. */
function actionKey(typeName: string): string {
  return (typeName.split('.').pop() ?? typeName).replace(/Action$/i, '').toLowerCase();
}

/** Actions modelled by the simulator (§4.3). */
const MODELLED_ACTIONS = new Set([
  'rejectmessage',
  'deletemessage',
  'quarantine',
  'setscl',
  'stopruleprocessing',
  'redirectmessage',
  'routemessageoutboundconnector',
]);
/** Actions that change neither where the message goes nor how it is filtered. */
const NO_DELIVERY_EFFECT = new Set([
  'prependsubject',
  'applyhtmldisclaimer',
  'setheader',
  'removeheader',
  'addtorecipients',
  'copyto',
  'blindcopyto',
  'addmanagerasrecipienttype',
  'generateincidentreport',
  'generatenotification',
  'applyclassification',
  'setauditseverity',
  'logevent',
  'applyrightsprotectiontemplate',
  'applyrightsprotectioncustomizationtemplate',
  'applyome',
  'removeome',
  'removeomev2',
  'removermsattachmentencryption',
  'routemessageoutboundrequiretls',
]);

export const REPLY_RULE_REJECT_DEFAULT =
  '550 5.7.1 TRANSPORT.RULES.RejectMessage; the message was rejected by organization policy';

/** Whether a rule is taken into account (TR-3): State, Mode and the activation window at `now`. */
function ruleActivity(r: TransportRule, now: Date | undefined): RuleActivity {
  if (r.State === 'Disabled') return false;
  if (r.State !== 'Enabled') return 'unknown';
  if (r.Mode === 'Audit' || r.Mode === 'AuditAndNotify') return 'audit';
  // An unexported Mode could be an audit mode (TR-3): the rule's effect is then unknown, not enforced.
  if (r.Mode !== 'Enforce') return 'unknown';
  if (r.ActivationDate || r.ExpiryDate) {
    if (!now) return 'unknown';
    if (r.ActivationDate && Date.parse(r.ActivationDate) > now.getTime()) return false;
    if (r.ExpiryDate && Date.parse(r.ExpiryDate) <= now.getTime()) return false;
  }
  return true;
}

function ruleEffect(c: CompiledRule): RuleEffect {
  const r = c.raw;
  const actions = new Set((r.Actions ?? []).map(actionKey));
  if (
    r.RejectMessageReasonText !== undefined ||
    r.RejectMessageEnhancedStatusCode !== undefined ||
    actions.has('rejectmessage')
  ) {
    const code = r.RejectMessageEnhancedStatusCode ?? '5.7.1';
    // Neither property exported: the NDR line seen for rule rejections [C] S47.
    const reply =
      r.RejectMessageReasonText !== undefined
        ? `550 ${code} ${r.RejectMessageReasonText}`
        : r.RejectMessageEnhancedStatusCode !== undefined
          ? `550 ${code} Delivery not authorized, message refused`
          : REPLY_RULE_REJECT_DEFAULT;
    return { kind: 'reject', reply };
  }
  if (r.DeleteMessage === true || actions.has('deletemessage')) return { kind: 'delete' };
  if (r.Quarantine === true || actions.has('quarantine')) return { kind: 'quarantine' };
  if (
    r.RouteMessageOutboundConnector !== undefined ||
    (r.RedirectMessageTo && r.RedirectMessageTo.length > 0) ||
    actions.has('routemessageoutboundconnector') ||
    actions.has('redirectmessage')
  )
    return {
      kind: 'reroute',
      uncertainty: `rule '${c.name}' re-routes the message; what happens to it there is outside the model`,
    };
  const unmodelled = [...actions].filter((k) => !MODELLED_ACTIONS.has(k) && !NO_DELIVERY_EFFECT.has(k));
  return {
    kind: 'continue',
    stop: r.StopRuleProcessing === true || actions.has('stopruleprocessing'),
    unmodelled,
    unmodelledText: `applies ${unmodelled.join(', ')}: the message may be held or refused`,
    unmodelledUncertainty: `rule '${c.name}': action ${unmodelled.join(', ')} is not modelled`,
    matchText: r.SetSCL !== undefined ? `sets SCL ${r.SetSCL}` : 'matches (no delivery action)',
  };
}

/** A decision made once per configuration; frozen, since every outcome that cites it shares it. */
export function decision(rule: string, evidence: Decision['evidence'], text: string): Decision {
  return Object.freeze({ rule, evidence, text });
}

/** The TR-1 decisions of a rule's effect (eop-model §4.3), each starting `rule 'name' (priority n)`. */
function effectDecisions(c: CompiledRule, effect: RuleEffect): Decision[] {
  const label = `rule '${c.name}' (priority ${c.priority ?? '?'})`;
  const tr1 = (text: string, evidence: Decision['evidence'] = 'D') =>
    decision('TR-1', evidence, `${label} ${text}`);
  switch (effect.kind) {
    case 'reject':
      return [tr1('rejects the message: NDR to the P1 sender after acceptance')];
    case 'delete':
      return [tr1('deletes the message silently')];
    case 'quarantine':
      return [tr1('quarantines the message (TR-2: stops later rules)')];
    case 'reroute':
      return [
        tr1('re-routes the message away from the mailbox', 'I'),
        tr1('re-routes the message; it may come back and be delivered', 'I'),
      ];
    case 'continue':
      return [tr1(effect.matchText), tr1(effect.unmodelledText, 'I')];
  }
}

function connectorPlan(c: CompiledConnector): ConnectorPlan {
  const k = (what: string) => `connector '${c.name}' ${what}`;
  return {
    c,
    senderPatterns: c.senderDomains.map((p) => p.trim().toLowerCase()),
    quoted: `'${c.name}'`,
    certPattern: c.certificate?.trim().toLowerCase(),
    kEnabled: k('Enabled'),
    kType: k('ConnectorType (Partner rather than OnPremises)'),
    kRestrictIp: k('RestrictDomainsToIPAddresses'),
    kRestrictCert: k('RestrictDomainsToCertificate'),
    kRequireTls: k('RequireTls'),
    kEfSkipLastIp: k('EFSkipLastIP'),
    kEfTestMode: k('EFTestMode'),
    kCloudServices: k('CloudServicesMailEnabled'),
    kTreatAsInternal: k('TreatMessagesAsInternal'),
    satisfies: decision('CON-5', 'D', `satisfies restricting connector '${c.name}'`),
    satisfiesOneOf: decision(
      'CON-5',
      'I',
      `satisfies restricting connector '${c.name}' (one satisfying connector suffices, §12 OQ-2)`,
    ),
  };
}

/** `PatternIndex` over normalised patterns, each with the index of its connector. */
function patternIndex(entries: Iterable<readonly [pattern: string, i: number]>): PatternIndex {
  const index: PatternIndex = { all: [], exact: new Map(), wildcard: new Map() };
  const add = appendTo<string, number>;
  for (const [pattern, i] of entries) {
    if (pattern === '*') index.all.push(i);
    else if (pattern.startsWith('*.')) add(index.wildcard, pattern.slice(2), i);
    else add(index.exact, pattern, i);
  }
  return index;
}

function certIndex(connectors: readonly ConnectorPlan[]): PatternIndex {
  return patternIndex(
    connectors.flatMap((p, i) => (p.certPattern === undefined ? [] : [[p.certPattern, i] as const])),
  );
}

/** An enabled Partner connector that restricts neither by IP nor by certificate, every one of the four exported. */
export function isAllowBySender(c: CompiledConnector): boolean {
  return c.enabled === true && c.type === 'Partner' && c.restrictIp === false && c.restrictCert === false;
}

/** `SimPlan.restrictIndex` over `maybeRestricting`. */
function restrictIndex(maybe: SimPlan['maybeRestricting']): SimPlan['restrictIndex'] {
  const asked: number[] = [];
  const nullSender: number[] = [];
  const patterns: (readonly [string, number])[] = [];
  for (const [i, { p, fixed }] of maybe.entries()) {
    if (!fixed || !p.c.senderDomainsKnown || !p.c.associatedDomainsKnown) {
      asked.push(i);
      continue;
    }
    // planSenderInScope: the null sender is in scope of a connector listing `*` as exported.
    if (p.c.senderDomains.includes('*')) nullSender.push(i);
    for (const pattern of new Set(p.senderPatterns)) patterns.push([pattern, i]);
  }
  return { asked, nullSender, bySender: patternIndex(patterns) };
}

/** Authentication verdicts are asked per (IP, P1, P2); at most this many are kept per configuration. */
const MAX_CACHED_VERDICTS = 4096;

/**
 * The oracle's answers are a function of its input (AuthOracle contract): they are cached per configuration, since
 * one evaluation asks once per rule branch and many attempts share senders and IPs.
 */
function cachedVerdicts(auth: AuthOracle): SimPlan['authVerdict'] {
  // Nested maps keyed by the attempt's own strings: no key is built per call.
  let cache = new Map<string, Map<string, Map<string, AuthVerdict>>>();
  let size = 0;
  return (ip, mailFrom, headerFrom) => {
    const byHeader = valueIn(
      valueIn(cache, ip, () => new Map()),
      mailFrom,
      () => new Map(),
    );
    let v = byHeader.get(headerFrom);
    if (v === undefined) {
      v = auth.verdict({ ip, mailFrom, headerFrom, dkimDomains: [] });
      if (++size > MAX_CACHED_VERDICTS) {
        cache = new Map([[ip, new Map([[mailFrom, new Map([[headerFrom, v]])]])]]);
        size = 1;
      } else byHeader.set(headerFrom, v);
    }
    return v;
  };
}

function tablPlans(items: readonly TablSpoofItem[], action: 'Allow' | 'Block'): TablPlan[] {
  return items.flatMap((e) => {
    if (e.Action !== action || !e.SpoofedUser || !e.SendingInfrastructure) return [];
    // SendingInfrastructure is a /24 or a PTR/DKIM domain (eop-model §6.6); only the /24 form is decidable offline.
    const slash24 = /^\d+\.\d+\.\d+\.\d+\/24$/.test(e.SendingInfrastructure);
    return [
      {
        spoofedUser: e.SpoofedUser,
        infrastructure: slash24 ? new IpSet([e.SendingInfrastructure]) : undefined,
      },
    ];
  });
}

export function buildPlan(cfg: SimConfig): SimPlan {
  const connectors = cfg.connectors.map(connectorPlan);
  const rules: RulePlan[] = cfg.rules.map((c) => {
    const effect = ruleEffect(c);
    return {
      c,
      active: ruleActivity(c.raw, cfg.now),
      effect,
      effectDecisions: effectDecisions(c, effect),
      audit: decision(
        'TR-3',
        'D',
        `rule '${c.name}' would act but is in ${c.raw.Mode} mode: no effect on delivery`,
      ),
      tr4: decision(
        'TR-4',
        'I',
        `rule '${c.name}' keys on a header the sender writes: the attacker chooses whether it applies`,
      ),
      undecidedStateText: `State/Mode/dates of rule '${c.name}' not decidable (State ${c.raw.State ?? 'absent'}, Mode ${c.raw.Mode ?? 'absent'})`,
    };
  });
  const domainTypes = new Map<string, string | undefined>();
  for (const d of cfg.tenant.acceptedDomains ?? [])
    if (d.DomainName !== undefined && !domainTypes.has(d.DomainName))
      domainTypes.set(d.DomainName, d.DomainType);
  const acceptedDomainType = (domain: string | undefined) =>
    domain ? domainTypes.get(domain.toLowerCase()) : undefined;
  const tenant = cfg.tenant;
  const acceptedLower = new Set(tenant.domainNames.filter((n) => n === n.toLowerCase()));
  const cfAll = tenant.contentFilter;
  const cfDefault = cfg.contentFilter;
  const apDefault = cfg.antiPhish;
  const apOthers = (tenant.antiPhishPolicies ?? []).filter((p) => p !== apDefault && p.Enabled !== false);
  const tabl = { allow: tablPlans(cfg.tablSpoof, 'Allow'), block: tablPlans(cfg.tablSpoof, 'Block') };
  const maybeRestricting = connectors.flatMap((p) => {
    const c = p.c;
    const fixed =
      c.enabled !== undefined &&
      c.type !== 'unknown' &&
      c.restrictIp !== undefined &&
      c.restrictCert !== undefined;
    if (fixed && !(c.enabled && c.type === 'Partner' && (c.restrictIp || c.restrictCert))) return [];
    return [{ p, fixed }];
  });
  return {
    connectors,
    connectorIps: new IpSetIndex(cfg.connectors.map((c) => c.ips)),
    unknownEnabled: connectors.flatMap((p, i) => (p.c.enabled === undefined ? [i] : [])),
    certIndex: certIndex(connectors),
    maybeRestricting,
    restrictIndex: restrictIndex(maybeRestricting),
    allowBySender: patternIndex(
      connectors.flatMap((p, i) =>
        isAllowBySender(p.c) ? [...new Set(p.senderPatterns)].map((pattern) => [pattern, i] as const) : [],
      ),
    ),
    rules,
    ruleIndex: buildRuleIndex(
      cfg.rules,
      rules.map((r) => r.active !== false),
    ),
    domainTypes,
    isAccepted: (domain) => tenant.isAccepted(domain),
    isAcceptedLower: (domain) => domain !== undefined && domain !== '' && acceptedLower.has(domain),
    acceptedLower,
    acceptedList: cfg.acceptedDomains.map((d) => d.toLowerCase()),
    matchSubLower: (tenant.acceptedDomains ?? []).flatMap((d) =>
      d.MatchSubDomains === true && d.DomainName !== undefined ? [d.DomainName.toLowerCase()] : [],
    ),
    acceptedDomainType,
    // Without their rules (and presets) mxlock cannot tell which anti-spam policy covers the recipient.
    contentFilterCandidates:
      cfAll === undefined
        ? undefined
        : cfDefault
          ? [cfDefault, ...cfAll.filter((p) => p !== cfDefault)]
          : cfAll,
    antiPhishCandidates: apDefault ? [apDefault, ...apOthers] : apOthers,
    tabl,
    authVerdict: cachedVerdicts(cfg.auth),
    ipClasses: new IpSetIndex([
      cfg.ipAllow,
      cfg.ipBlock,
      ...cfg.connectors.flatMap((c) => [c.ips, c.efSkipIps]),
      ...cfg.rules.flatMap((r) => [r.senderIps, r.exceptSenderIps]),
      ...[...tabl.allow, ...tabl.block].map((t) => t.infrastructure),
    ]),
    replay: newReplayCache(),
    exact: new Map(),
    depth: 0,
  };
}

const PLANS = new WeakMap<SimConfig, SimPlan>();

/** The last configuration asked about: evaluations come in runs over one configuration. */
let last: { cfg: SimConfig; plan: SimPlan } | undefined;

/** The plan of a configuration, built on first use (compileConfig builds it up front). */
export function planOf(cfg: SimConfig): SimPlan {
  if (last !== undefined && last.cfg === cfg) return last.plan;
  let plan = PLANS.get(cfg);
  if (!plan) {
    plan = buildPlan(cfg);
    PLANS.set(cfg, plan);
  }
  last = { cfg, plan };
  return plan;
}
