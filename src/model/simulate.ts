/**
 * The EOP simulator (DESIGN §5, eop-model §9): RCPT-stage decisions, then the post-acceptance pass
 * (Enhanced Filtering, transport rules, spoof/DMARC). Pure; every outcome carries the rules that decided it.
 */
import type { CompiledConnector, SimConfig, Tri } from './config.js';
import { certificateMatches, domainOf, domainOrSubdomain, domainPatternMatches } from './domains.js';
import { ruleMatches, type RuleMessage } from './rules.js';
import { spoofStage } from './spoof.js';
import type { Attempt, Decision, Disposition, Outcome, SimResult } from './types.js';

export const REPLY_5_7_51 =
  "550 5.7.51 TenantInboundAttribution; There is a partner connector configured that matched the message's recipient domain. The connector had either the RestrictDomainsToIPAddresses or RestrictDomainsToCertificate set";
export const REPLY_5_7_68 =
  '550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources';
export const REPLY_5_7_64 = '550 5.7.64 TenantAttribution; Relay Access Denied';
export const REPLY_RULE_REJECT_DEFAULT =
  '550 5.7.1 TRANSPORT.RULES.RejectMessage; the message was rejected by organization policy';

/** How many undecided branches one evaluation may explore before it gives up on precision. */
const MAX_BRANCHES = 64;

const HARM: Record<Disposition, number> = {
  rejected: 0,
  ndr: 1,
  dropped: 2,
  quarantine: 3,
  junk: 4,
  inbox: 5,
};

export function harm(outcomes: readonly Outcome[]): number {
  return Math.max(-1, ...outcomes.map((o) => HARM[o.disposition]));
}

/**
 * Resolves unknown booleans in one "world": each unknown setting (keyed by what it is) takes the value the
 * world assigns it, `fallback` when the world has not been told about it yet (its key is then recorded).
 */
class World {
  readonly unknowns = new Set<string>();
  constructor(
    readonly assign: ReadonlyMap<string, boolean>,
    readonly fallback: boolean,
  ) {}
  b(v: Tri, what: string): boolean {
    if (v === undefined) {
      this.unknowns.add(what);
      return this.assign.get(what) ?? this.fallback;
    }
    return v;
  }
}

/** Partner or OnPremises; an unexported ConnectorType is an unknown of the world. */
function isPartner(c: CompiledConnector, w: World): boolean {
  if (c.type !== 'unknown') return c.type === 'Partner';
  return w.b(undefined, `connector '${c.name}' ConnectorType (Partner rather than OnPremises)`);
}

function connectorMatchesByIpOrCert(c: CompiledConnector, a: Attempt, w: World): boolean {
  if (!w.b(c.enabled, `connector '${c.name}' Enabled`)) return false;
  if (c.ips.has(a.clientIp)) return true;
  return a.tls && c.certificate !== undefined && certificateMatches(c.certificate, a.certNames);
}

interface RcptContext {
  cfg: SimConfig;
  attempt: Attempt;
  world: World;
  uncertainties: string[];
}

interface RcptResult {
  refused?: Outcome;
  alsoAccepted?: boolean;
  /** Further outcomes the model cannot rule out besides `refused` (e.g. a silent drop, OQ-7). */
  alternatives?: Outcome[];
  decisions: Decision[];
  matched: CompiledConnector[];
}

/** The accepted-domain entry of a name (exact match), for its DomainType. */
function acceptedDomainType(cfg: SimConfig, domain: string | undefined): string | undefined {
  if (!domain) return undefined;
  return cfg.tenant.acceptedDomains?.find((d) => d.DomainName === domain.toLowerCase())?.DomainType;
}

/** A presented certificate name that is an accepted domain or a host in one (CON-7 "certificate domain"). */
function certificateInAcceptedDomain(cfg: SimConfig, certNames: readonly string[]): string | undefined {
  return certNames.find((n) => {
    const name = n.toLowerCase().replace(/^\*\./, '');
    return cfg.acceptedDomains.some((d) => domainOrSubdomain(d, name));
  });
}

function rcptStage(ctx: RcptContext, rcpt: string): RcptResult {
  const { cfg, attempt: a, world: w } = ctx;
  const decisions: Decision[] = [];
  const rcptDomain = domainOf(rcpt);
  const p1Domain = domainOf(a.mailFrom);
  const matched = cfg.connectors.filter((c) => connectorMatchesByIpOrCert(c, a, w));

  if (!cfg.tenant.isAccepted(rcptDomain)) {
    // CON-7 [D]: relay needs an OnPremises connector match and an own certificate domain or P1 domain.
    const onPrem = matched.some((c) => !isPartner(c, w));
    const ownCert = a.tls ? certificateInAcceptedDomain(cfg, a.certNames) : undefined;
    if (onPrem && (cfg.tenant.isAccepted(p1Domain) || ownCert !== undefined)) {
      decisions.push({
        rule: 'CON-7',
        evidence: 'D',
        text: `relayed through an OnPremises connector (${ownCert !== undefined ? `certificate ${ownCert}` : `P1 domain ${p1Domain}`} is the tenant's)`,
      });
      return { decisions, matched };
    }
    return {
      refused: {
        stage: 'rcpt',
        disposition: 'rejected',
        reply: REPLY_5_7_64,
        decisions: [
          {
            rule: 'CON-7',
            evidence: 'D',
            text: `${rcptDomain ?? rcpt} is not an accepted domain: relay denied`,
          },
        ],
      },
      decisions,
      matched,
    };
  }

  const refusals: Outcome[] = [];
  const alternatives: Outcome[] = [];
  let undecided = false;
  if (cfg.ipBlock.has(a.clientIp) && !cfg.ipAllow.has(a.clientIp)) {
    const why = `${a.clientIp} is on the connection-filter IP Block List`;
    refusals.push({
      stage: 'rcpt',
      disposition: 'rejected',
      reply: `550 5.7.513 Service unavailable, Client host [${a.clientIp}] blocked by ${rcptDomain} using Customer Block list (AS16012607)`,
      decisions: [{ rule: 'CF-6.5', evidence: 'D', text: `${why}: rejected with 5.7.513 (S30, S40)` }],
    });
    // OQ-7: S24 says such mail is silently dropped instead; the order against the other RCPT rules is unknown
    // (OQ-2), so a drop may also pre-empt them.
    alternatives.push({
      stage: 'post-acceptance',
      disposition: 'dropped',
      decisions: [
        ...decisions,
        { rule: 'CF-6.5', evidence: 'D', text: `${why}: silently dropped (S24; OQ-7 open)` },
      ],
    });
    ctx.uncertainties.push('IP Block List: refused in session (5.7.513) or silently dropped (OQ-7)');
  }

  // CON-5: Partner restriction. One satisfying restricting connector whose scope covers the message suffices (§12 OQ-2 [I]).
  const restricting = cfg.connectors.filter(
    (c) =>
      w.b(c.enabled, `connector '${c.name}' Enabled`) &&
      isPartner(c, w) &&
      (w.b(c.restrictIp, `connector '${c.name}' RestrictDomainsToIPAddresses`) ||
        w.b(c.restrictCert, `connector '${c.name}' RestrictDomainsToCertificate`)),
  );
  // CON-2: SenderDomains is compared with the P1 domain (§12 OQ-3 → P1 [C]).
  const senderInScope = (c: CompiledConnector) => {
    if (!c.senderDomainsKnown)
      return w.b(undefined, `connector '${c.name}' SenderDomains (covering ${p1Domain ?? '<>'})`);
    return p1Domain === undefined
      ? c.senderDomains.includes('*')
      : c.senderDomains.some((p) => domainPatternMatches(p, p1Domain));
  };
  // AssociatedAcceptedDomains lists accepted domains: the recipient's accepted domain must be one of them [D] S8.
  const rcptInScope = (c: CompiledConnector) => {
    if (!c.associatedDomainsKnown)
      return w.b(
        undefined,
        `connector '${c.name}' AssociatedAcceptedDomains (covering ${rcptDomain ?? rcpt})`,
      );
    return (
      c.associatedDomains.length === 0 ||
      (rcptDomain !== undefined && c.associatedDomains.includes(rcptDomain))
    );
  };
  const inScope = restricting.filter((c) => senderInScope(c) && rcptInScope(c));
  const p2Domain = domainOf(a.headerFrom);
  const byP2Only = restricting.filter(
    (c) =>
      !senderInScope(c) &&
      rcptInScope(c) &&
      p2Domain !== undefined &&
      c.senderDomains.some((p) => domainPatternMatches(p, p2Domain)),
  );
  if (byP2Only.length > 0)
    decisions.push({
      rule: 'CON-2',
      evidence: 'C',
      text: `restricting connector(s) ${byP2Only.map((c) => `'${c.name}'`).join(', ')} cover the From: domain ${p2Domain} but not the P1 domain ${p1Domain ?? '<>'}: SenderDomains is compared with P1 (§12 OQ-3)`,
    });
  if (inScope.length > 0) {
    const satisfied = inScope.filter(
      (c) =>
        (w.b(c.restrictIp, `connector '${c.name}' RestrictDomainsToIPAddresses`) && c.ips.has(a.clientIp)) ||
        (w.b(c.restrictCert, `connector '${c.name}' RestrictDomainsToCertificate`) &&
          a.tls &&
          c.certificate !== undefined &&
          certificateMatches(c.certificate, a.certNames)),
    );
    const onPremMatch = matched.find((c) => !isPartner(c, w));
    const names = inScope.map((c) => `'${c.name}'`).join(', ');
    if (satisfied.length > 0) {
      decisions.push({
        rule: 'CON-5',
        evidence: inScope.length > 1 ? 'I' : 'D',
        text: `satisfies restricting connector '${satisfied[0]!.name}'${inScope.length > 1 ? ' (one satisfying connector suffices, §12 OQ-2)' : ''}`,
      });
    } else if (onPremMatch) {
      decisions.push({
        rule: 'CON-5',
        evidence: 'I',
        text: `matches OnPremises connector '${onPremMatch.name}': taken as exempt from the Partner restriction (§12)`,
      });
    } else {
      const why =
        p1Domain === undefined
          ? `null sender <>: SenderDomains * of ${names} is taken to cover it [I]`
          : `P1 domain ${p1Domain} is in scope of restricting connector(s) ${names} and the connection satisfies none (IP ${a.clientIp}${a.tls ? '' : ', no TLS'}${a.certNames.length ? `, certificate ${a.certNames.join(' ')}` : ''})`;
      refusals.push({
        stage: 'rcpt',
        disposition: 'rejected',
        reply: REPLY_5_7_51,
        decisions: [{ rule: 'CON-5', evidence: p1Domain === undefined ? 'I' : 'D', text: why }],
      });
    }
  }

  // CON-6: a matched Partner connector with RequireTls refuses plain-text sessions (reply undocumented, OQ-6).
  const tlsRequired = matched.find(
    (c) => isPartner(c, w) && w.b(c.requireTls, `connector '${c.name}' RequireTls`),
  );
  if (tlsRequired && !a.tls) {
    refusals.push({
      stage: 'rcpt',
      disposition: 'rejected',
      reply: 'unknown',
      decisions: [
        {
          rule: 'CON-6',
          evidence: 'D',
          text: `connector '${tlsRequired.name}' requires TLS and the session is plain text (reply text undocumented, OQ-6)`,
        },
      ],
    });
  }

  // DS-2: RejectDirectSend, P1 only, exempt when any connector matched by IP or certificate (March 2026 wording [D]).
  const rds = w.b(cfg.rejectDirectSend, 'Get-OrganizationConfig RejectDirectSend');
  if (rds && !a.authenticated && matched.length === 0 && p1Domain !== undefined) {
    const refuse = (evidence: Decision['evidence'], text: string) =>
      refusals.push({
        stage: 'rcpt',
        disposition: 'rejected',
        reply: REPLY_5_7_68,
        decisions: [{ rule: 'DS-2', evidence, text }],
      });
    const base = `RejectDirectSend is on, P1 domain ${p1Domain}`;
    const tail = 'and no connector matched by IP or certificate (stage RCPT per OQ-1 [C])';
    if (cfg.tenant.isAccepted(p1Domain)) {
      const type = acceptedDomainType(cfg, p1Domain);
      if (type === 'Authoritative') refuse('D', `${base} is accepted ${tail}`);
      else if (type === 'InternalRelay')
        refuse('I', `${base} is an InternalRelay accepted domain, taken as covered (§12 OQ-4) ${tail}`);
      else {
        // OQ-4: ExternalRelay domains are not settled, and an unexported DomainType could be one.
        refuse(
          'I',
          `${base} is an accepted domain of type ${type ?? '(not exported)'}: RejectDirectSend may or may not cover it (OQ-4) ${tail}`,
        );
        undecided = true;
        ctx.uncertainties.push(
          `RejectDirectSend and the ${type ?? 'unexported'} DomainType of ${p1Domain} (OQ-4)`,
        );
      }
    } else if (cfg.tenant.coveredByMatchSubDomains(p1Domain)) {
      // OQ-4: MatchSubDomains is undocumented for RejectDirectSend; explore both answers.
      refuse(
        'I',
        `P1 domain ${p1Domain} is a subdomain of a MatchSubDomains accepted domain: RejectDirectSend may or may not cover it (OQ-4)`,
      );
      undecided = true;
      ctx.uncertainties.push('RejectDirectSend and MatchSubDomains subdomains (OQ-4)');
    } else {
      const parent = cfg.acceptedDomains.find((d) => domainOrSubdomain(d, p1Domain));
      decisions.push(
        parent === undefined
          ? {
              rule: 'DS-3',
              evidence: 'D',
              text: `RejectDirectSend does not apply: P1 domain ${p1Domain} is not an accepted domain (the P2 From is not checked)`,
            }
          : {
              rule: 'DS-3',
              evidence: 'I',
              text: `RejectDirectSend does not apply: P1 domain ${p1Domain} is a subdomain of ${parent}, not itself an accepted domain (§12 OQ-4)`,
            },
      );
    }
  } else if (rds && p1Domain === undefined) {
    decisions.push({
      rule: 'DS-3',
      evidence: 'I',
      text: 'RejectDirectSend cannot fire for the null sender <> (no P1 domain, OQ-4 → §12)',
    });
  } else if (rds && matched.length > 0) {
    decisions.push({
      rule: 'DS-3',
      evidence: 'D',
      text: `exempt from RejectDirectSend: matched connector '${matched[0]!.name}' by IP or certificate`,
    });
  } else if (!rds && cfg.rejectDirectSend === false) {
    decisions.push({ rule: 'DS-1', evidence: 'D', text: 'RejectDirectSend is off' });
  }

  if (refusals.length > 0) {
    // The order between these RCPT refusals is undocumented (OQ-2): report all, with the code of the first in §9 order.
    const all = refusals.flatMap((r) => r.decisions);
    const first = refusals[0]!;
    const outcome: Outcome = { stage: 'rcpt', disposition: 'rejected', decisions: all };
    if (first.reply !== undefined) outcome.reply = first.reply;
    return {
      refused: outcome,
      decisions,
      matched,
      ...(alternatives.length > 0 ? { alternatives } : {}),
      ...(undecided && refusals.length === 1 ? { alsoAccepted: true } : {}),
    };
  }
  decisions.push({ rule: 'S3', evidence: 'C', text: `250 recipient ${rcpt} accepted` });
  return { decisions, matched };
}

/** Enhanced Filtering: the original IP and whether EF applies to this message (EF-2, EF-3 [D]). */
function enhancedFiltering(
  c: CompiledConnector | undefined,
  a: Attempt,
  w: World,
): { originalIp: string; applied: boolean; note?: Decision } {
  if (!c) return { originalIp: a.clientIp, applied: false };
  const skipLast = w.b(c.efSkipLastIp, `connector '${c.name}' EFSkipLastIP`);
  const configured = skipLast || c.efSkipIps.size > 0;
  if (!configured) return { originalIp: a.clientIp, applied: false };
  const hops = [a.clientIp, ...(a.receivedIps ?? [])];
  const originalIp = skipLast
    ? (hops[1] ?? hops[0]!)
    : (hops.find((h) => !c.efSkipIps.has(h)) ?? hops[hops.length - 1]!);
  const testMode = w.b(c.efTestMode, `connector '${c.name}' EFTestMode`);
  const users = c.efUsers.length === 0 || a.rcpts.every((r) => c.efUsers.includes(r.toLowerCase()));
  const applied = !testMode && users;
  // EFTestMode is "reserved for internal Microsoft use" [D]; reading it as "EF not effective" is ORCA's [C].
  const note: Decision = testMode
    ? {
        rule: 'EF-3',
        evidence: 'C',
        text: `Enhanced Filtering on '${c.name}' is in test mode: taken as not applied (ORCA, S45)`,
      }
    : {
        rule: 'EF-3',
        evidence: 'D',
        text: `Enhanced Filtering on '${c.name}' ${applied ? `applies: original IP ${originalIp}` : 'is limited to EFUsers that do not include every recipient'}`,
      };
  // Authentication uses the recovered IP only when EF actually applies (EF-1, EF-4).
  return { originalIp: applied ? originalIp : a.clientIp, applied, note };
}

interface PostContext {
  cfg: SimConfig;
  attempt: Attempt;
  msg: RuleMessage;
  efApplied: boolean;
  originalIp: string;
  uncertainties: string[];
  budget: { branches: number };
}

interface RuleState {
  scl: number | undefined;
  decisions: Decision[];
}

function ruleActive(ctx: PostContext, i: number): boolean | 'unknown' | 'audit' {
  const r = ctx.cfg.rules[i]!.raw;
  if (r.State === 'Disabled') return false;
  if (r.State !== 'Enabled') return 'unknown';
  if (r.Mode === 'Audit' || r.Mode === 'AuditAndNotify') return 'audit';
  // An unexported Mode could be an audit mode (TR-3): the rule's effect is then unknown, not enforced.
  if (r.Mode !== 'Enforce') return 'unknown';
  if (r.ActivationDate || r.ExpiryDate) {
    const now = ctx.cfg.now;
    if (!now) return 'unknown';
    if (r.ActivationDate && Date.parse(r.ActivationDate) > now.getTime()) return false;
    if (r.ExpiryDate && Date.parse(r.ExpiryDate) <= now.getTime()) return false;
  }
  return true;
}

/** `…Rules.Tasks.SetSclAction` → `setscl`. */
function actionKey(typeName: string): string {
  return (typeName.split('.').pop() ?? typeName).replace(/Action$/i, '').toLowerCase();
}

/** Actions modelled below (§4.3). */
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

/** Applies a matching rule's actions (eop-model §4.3). Returns a terminal outcome or the new state. */
function applyActions(
  ctx: PostContext,
  i: number,
  state: RuleState,
): { terminal?: Outcome[]; state: RuleState; stop: boolean } {
  const c = ctx.cfg.rules[i]!;
  const r = c.raw;
  const actions = new Set((r.Actions ?? []).map(actionKey));
  const dec = (text: string, evidence: Decision['evidence'] = 'D'): Decision[] => [
    ...state.decisions,
    { rule: 'TR-1', evidence, text: `rule '${c.name}' (priority ${c.priority ?? '?'}) ${text}` },
  ];
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
    return {
      terminal: [
        {
          stage: 'post-acceptance',
          disposition: 'ndr',
          reply,
          decisions: dec('rejects the message: NDR to the P1 sender after acceptance'),
        },
      ],
      state,
      stop: true,
    };
  }
  if (r.DeleteMessage === true || actions.has('deletemessage')) {
    return {
      terminal: [
        { stage: 'post-acceptance', disposition: 'dropped', decisions: dec('deletes the message silently') },
      ],
      state,
      stop: true,
    };
  }
  if (r.Quarantine === true || actions.has('quarantine')) {
    return {
      terminal: [
        {
          stage: 'post-acceptance',
          disposition: 'quarantine',
          decisions: dec('quarantines the message (TR-2: stops later rules)'),
        },
      ],
      state,
      stop: true,
    };
  }
  if (
    r.RouteMessageOutboundConnector !== undefined ||
    (r.RedirectMessageTo && r.RedirectMessageTo.length > 0) ||
    actions.has('routemessageoutboundconnector') ||
    actions.has('redirectmessage')
  ) {
    ctx.uncertainties.push(
      `rule '${c.name}' re-routes the message; what happens to it there is outside the model`,
    );
    return {
      terminal: [
        {
          stage: 'post-acceptance',
          disposition: 'dropped',
          decisions: dec('re-routes the message away from the mailbox', 'I'),
        },
        {
          stage: 'post-acceptance',
          disposition: 'inbox',
          decisions: dec('re-routes the message; it may come back and be delivered', 'I'),
        },
      ],
      state,
      stop: true,
    };
  }
  const unmodelled = [...actions].filter((k) => !MODELLED_ACTIONS.has(k) && !NO_DELIVERY_EFFECT.has(k));
  const next: RuleState =
    r.SetSCL !== undefined
      ? { scl: r.SetSCL, decisions: dec(`sets SCL ${r.SetSCL}`) }
      : { scl: state.scl, decisions: dec('matches (no delivery action)') };
  if (unmodelled.length > 0) {
    // An action whose effect on delivery is not modelled (moderation, notify-and-reject…) may hold the message.
    ctx.uncertainties.push(`rule '${c.name}': action ${unmodelled.join(', ')} is not modelled`);
    return {
      terminal: [
        {
          stage: 'post-acceptance',
          disposition: 'quarantine',
          decisions: dec(`applies ${unmodelled.join(', ')}: the message may be held or refused`, 'I'),
        },
        ...(r.StopRuleProcessing === true || actions.has('stopruleprocessing')
          ? finish(ctx, next)
          : runRules(ctx, i + 1, next)),
      ],
      state: next,
      stop: true,
    };
  }
  return { state: next, stop: r.StopRuleProcessing === true || actions.has('stopruleprocessing') };
}

function runRules(ctx: PostContext, i: number, state: RuleState): Outcome[] {
  const rules = ctx.cfg.rules;
  if (i >= rules.length) return finish(ctx, state);
  const c = rules[i]!;
  const active = ruleActive(ctx, i);
  if (active === false) return runRules(ctx, i + 1, state);
  const m = ruleMatches(c, ctx.msg);
  if (m.truth === false) return runRules(ctx, i + 1, state);
  if (active === 'audit') {
    const note: Decision = {
      rule: 'TR-3',
      evidence: 'D',
      text: `rule '${c.name}' would act but is in ${c.raw.Mode} mode: no effect on delivery`,
    };
    return runRules(ctx, i + 1, { ...state, decisions: [...state.decisions, note] });
  }
  const matchBranch = (): Outcome[] => {
    const applied = applyActions(ctx, i, { ...state, decisions: [...state.decisions, ...(m.basis ?? [])] });
    if (applied.terminal) return applied.terminal;
    return applied.stop ? finish(ctx, applied.state) : runRules(ctx, i + 1, applied.state);
  };
  const skipBranch = () => runRules(ctx, i + 1, state);
  if (m.truth === true && active === true) return matchBranch();

  ctx.budget.branches++;
  if (ctx.budget.branches > MAX_BRANCHES) {
    ctx.uncertainties.push('too many undecided transport rules to explore every combination');
    return [...skipBranch(), { stage: 'post-acceptance', disposition: 'ndr', decisions: state.decisions }];
  }
  const a = matchBranch();
  const b = skipBranch();
  if (m.truth === 'attacker' && active === true) {
    // The sender writes the header the rule looks at: they pick the side that delivers ([I]).
    const pick = harm(a) >= harm(b) ? a : b;
    return pick.map((o) => ({
      ...o,
      decisions: [
        ...o.decisions,
        {
          rule: 'TR-4',
          evidence: 'I',
          text: `rule '${c.name}' keys on a header the sender writes: the attacker chooses whether it applies`,
        },
      ],
    }));
  }
  const why =
    active === 'unknown'
      ? `State/Mode/dates of rule '${c.name}' not decidable (State ${c.raw.State ?? 'absent'}, Mode ${c.raw.Mode ?? 'absent'})`
      : `rule '${c.name}': ${m.notes.join('; ') || 'a condition is not decidable'}`;
  ctx.uncertainties.push(why);
  return [...a, ...b];
}

function finish(ctx: PostContext, state: RuleState): Outcome[] {
  const a = ctx.attempt;
  const auth =
    a.auth ??
    ctx.cfg.auth.verdict({
      ip: ctx.originalIp,
      mailFrom: a.mailFrom,
      headerFrom: a.headerFrom,
      dkimDomains: [],
    });
  const res = spoofStage({
    cfg: ctx.cfg,
    clientIp: a.clientIp,
    mailFrom: a.mailFrom,
    headerFrom: a.headerFrom,
    auth,
    authAs: ctx.msg.authAs,
    ruleScl: state.scl,
    efApplied: ctx.efApplied,
    originalIp: ctx.originalIp,
    decisions: state.decisions,
  });
  ctx.uncertainties.push(...res.uncertainties);
  return res.outcomes;
}

/** A sender-written header value, case-insensitively by name. */
function headerOf(a: Attempt, name: string): string | undefined {
  const n = name.toLowerCase();
  for (const [k, v] of Object.entries(a.headers ?? {})) if (k.toLowerCase() === n) return v;
  return undefined;
}

function postAcceptance(
  cfg: SimConfig,
  a: Attempt,
  matched: CompiledConnector[],
  decisions: Decision[],
  w: World,
  uncertainties: string[],
): Outcome[] {
  const onPrem = matched.find((c) => !isPartner(c, w));
  // Which of several connectors matching by IP or certificate the message is attributed to is undocumented:
  // when their Enhanced Filtering differs, every answer is explored (Partner connectors first, as before).
  const candidates = [...matched.filter((c) => isPartner(c, w)), ...matched.filter((c) => !isPartner(c, w))];
  const efs: ReturnType<typeof enhancedFiltering>[] = [];
  for (const c of candidates.length > 0 ? candidates : [undefined]) {
    const ef = enhancedFiltering(c, a, w);
    if (!efs.some((x) => x.applied === ef.applied && x.originalIp === ef.originalIp)) efs.push(ef);
  }
  if (efs.length > 1)
    uncertainties.push(
      `the message may be attributed to any of the connectors ${candidates.map((c) => `'${c.name}'`).join(', ')} that match it; their Enhanced Filtering differs`,
    );
  const d = [...decisions];
  let authAs: 'Anonymous' | 'Internal' = 'Anonymous';
  const p1 = domainOf(a.mailFrom);
  // CON-8 [D]: promotion needs the cross-premises headers that Exchange hybrid writes; a sender that reaches the
  // connector and controls the message can write them too [I].
  const crossPremises = /^internal$/i.test(headerOf(a, 'X-MS-Exchange-CrossPremises-AuthAs')?.trim() ?? '');
  if (
    onPrem &&
    (crossPremises || a.adversarial === true) &&
    w.b(onPrem.cloudServicesMailEnabled, `connector '${onPrem.name}' CloudServicesMailEnabled`)
  ) {
    authAs = 'Internal';
    d.push(
      crossPremises
        ? {
            rule: 'CON-8',
            evidence: 'D',
            text: `OnPremises connector '${onPrem.name}' with CloudServicesMailEnabled and cross-premises headers: promoted to internal`,
          }
        : {
            rule: 'CON-8',
            evidence: 'I',
            text: `OnPremises connector '${onPrem.name}' with CloudServicesMailEnabled: the sender can write the cross-premises headers and be promoted to internal`,
          },
    );
  } else if (
    matched.some(
      (c) => !isPartner(c, w) && w.b(c.treatAsInternal, `connector '${c.name}' TreatMessagesAsInternal`),
    ) &&
    cfg.tenant.isAccepted(p1)
  ) {
    authAs = 'Internal';
    d.push({
      rule: 'CON-8',
      evidence: 'D',
      text: 'TreatMessagesAsInternal: an own sender domain is treated as internal',
    });
  }
  if (!cfg.rulesKnown)
    uncertainties.push('Get-TransportRule was not exported: transport rules could not be evaluated');
  const headers = new Map(Object.entries(a.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const msg: RuleMessage = {
    clientIp: a.clientIp,
    mailFrom: a.mailFrom,
    headerFrom: a.headerFrom,
    rcpts: a.rcpts,
    authAs,
    headers,
    adversarial: a.adversarial === true,
    isAccepted: (dom) => cfg.tenant.isAccepted(dom),
    acceptedDomainType: (dom) => acceptedDomainType(cfg, dom),
  };
  const outcomes = efs.flatMap((ef) => {
    const ctx: PostContext = {
      cfg,
      attempt: a,
      msg,
      efApplied: ef.applied,
      originalIp: ef.originalIp,
      uncertainties,
      budget: { branches: 0 },
    };
    return runRules(ctx, 0, { scl: undefined, decisions: ef.note ? [...d, ef.note] : d });
  });
  if (!cfg.rulesKnown) {
    // Unknown rules could reject, quarantine or bypass: the outcome is open-ended.
    return [
      ...outcomes,
      {
        stage: 'post-acceptance',
        disposition: 'ndr',
        decisions: [
          ...d,
          { rule: 'TR-1', evidence: 'I', text: 'an unexported transport rule might reject it' },
        ],
      },
    ];
  }
  return outcomes;
}

function simulateInWorld(cfg: SimConfig, a: Attempt, w: World, uncertainties: string[]): Outcome[] {
  if (!cfg.connectorsKnown)
    uncertainties.push('Get-InboundConnector was not exported: connector decisions are unknown');
  const outcomes: Outcome[] = [];
  const accepted: { decisions: Decision[]; matched: CompiledConnector[] }[] = [];
  for (const rcpt of a.rcpts) {
    const r = rcptStage({ cfg, attempt: a, world: w, uncertainties }, rcpt);
    if (r.refused) outcomes.push(r.refused);
    if (r.alternatives) outcomes.push(...r.alternatives);
    if (!r.refused || r.alsoAccepted) accepted.push(r);
  }
  if (accepted.length > 0)
    outcomes.push(...postAcceptance(cfg, a, accepted[0]!.matched, accepted[0]!.decisions, w, uncertainties));
  if (!cfg.connectorsKnown) {
    // Without the connectors, a lock-down may or may not exist.
    outcomes.push({
      stage: 'rcpt',
      disposition: 'rejected',
      reply: REPLY_5_7_51,
      decisions: [
        { rule: 'CON-5', evidence: 'I', text: 'an unexported restricting connector might refuse it' },
      ],
    });
  }
  if (cfg.tenant.acceptedDomains === undefined) {
    // Every recipient looks like a relay attempt without the accepted domains; it may well be a mailbox.
    uncertainties.push('Get-AcceptedDomain was not exported: which recipients are the tenant’s is unknown');
    outcomes.push({
      stage: 'post-acceptance',
      disposition: 'inbox',
      decisions: [
        {
          rule: 'ATT-1',
          evidence: 'I',
          text: 'the recipient domain may be an accepted domain (not exported) and the message delivered',
        },
      ],
    });
  }
  return outcomes;
}

/** Up to 2^10 worlds are enumerated exhaustively; beyond that the answer is marked imprecise. */
const MAX_UNKNOWN_SETTINGS = 10;

/**
 * Simulates one attempt. Settings the export lacks are unknowns: every combination of their values is explored
 * (two extremes alone miss mixed cases), and every outcome the model allows is returned.
 */
export function simulate(cfg: SimConfig, attempt: Attempt): SimResult {
  const uncertainties: string[] = [];
  const probe = new World(new Map(), true);
  let outcomes = simulateInWorld(cfg, attempt, probe, uncertainties);
  const discovered = new Set(probe.unknowns);
  let explored = 0;
  while (discovered.size > explored && discovered.size <= MAX_UNKNOWN_SETTINGS) {
    const keys = [...discovered].sort();
    explored = keys.length;
    outcomes = [];
    for (let mask = 0; mask < 2 ** keys.length; mask++) {
      const assign = new Map(keys.map((k, i) => [k, ((mask >> i) & 1) === 0]));
      const w = new World(assign, true);
      outcomes.push(...simulateInWorld(cfg, attempt, w, uncertainties));
      // A value can reveal further unknowns (e.g. a connector's flags once it is taken as enabled).
      for (const u of w.unknowns) discovered.add(u);
    }
  }
  if (discovered.size > MAX_UNKNOWN_SETTINGS) {
    outcomes.push(...simulateInWorld(cfg, attempt, new World(new Map(), false), uncertainties));
    const why = `${discovered.size} settings missing from the export: too many combinations to explore`;
    uncertainties.push(why);
    // Unexplored combinations may end either way: never report a clean result.
    const d: Decision[] = [{ rule: 'MODEL', evidence: 'I', text: why }];
    outcomes.push(
      { stage: 'rcpt', disposition: 'rejected', reply: 'unknown', decisions: d },
      { stage: 'post-acceptance', disposition: 'inbox', decisions: d },
    );
  }
  if (discovered.size > 0) uncertainties.push(`not in the export: ${[...discovered].sort().join(', ')}`);
  return { outcomes: dedupe(outcomes), uncertainties: [...new Set(uncertainties)] };
}

function dedupe(outcomes: Outcome[]): Outcome[] {
  const seen = new Set<string>();
  return outcomes.filter((o) => {
    const k = `${o.stage}|${o.disposition}|${o.reply ?? ''}|${o.decisions.map((d) => d.rule + d.text).join('|')}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
